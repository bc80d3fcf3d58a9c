/**
 * map/: the dataflow table and mapGemm against the rules written out by hand per dataflow (docs/cycle-model.md), as
 * an independent oracle; a Dataflow without a row does not compile; an altered strategy is caught.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GEMM_DATAFLOWS, type GemmDataflow as Dataflow } from '../../sim/arch/types.js';
import { DATAFLOW_STRATEGIES, type DataflowStrategy } from '../../sim/map/dataflow.js';
import { type Mapping, mapGemm, mapWithStrategy } from '../../sim/map/mapping.js';

// A fourth dataflow must get its row in map/dataflow.ts before anything compiles (`npm run build` type-checks this).
type WithRowStationary = Dataflow | 'rs';
// @ts-expect-error — 'rs' has no row in DATAFLOW_STRATEGIES
const withRs: Record<WithRowStationary, DataflowStrategy> = DATAFLOW_STRATEGIES;

const c = Math.ceil, min = Math.min;

/** What each dataflow does to a GEMM, spelled out case by case (the oracle). */
function oracle(df: Dataflow, m: number, k: number, n: number, R: number, C: number) {
  if (df === 'os') {
    const rf = c(m / R), cf = c(n / C);
    return { rf, cf, T: k, preload: 0, sramA: cf * m * k, sramB: rf * k * n, tileA: min(R, m) * k, tileB: k * min(C, n), tileC: min(R, m) * min(C, n), passesA: cf, passesB: 1 };
  }
  if (df === 'ws') {
    const rf = c(k / R), cf = c(n / C);
    return { rf, cf, T: m, preload: R, sramA: cf * m * k, sramB: k * n, tileA: m * min(R, k), tileB: min(R, k) * min(C, n), tileC: m * min(C, n), passesA: cf, passesB: 1 };
  }
  const rf = c(k / R), cf = c(m / C);
  return { rf, cf, T: n, preload: R, sramA: m * k, sramB: cf * k * n, tileA: min(C, m) * min(R, k), tileB: min(R, k) * n, tileC: min(C, m) * n, passesA: 1, passesB: cf };
}

function agrees(mp: Mapping, df: Dataflow, m: number, k: number, n: number, R: number, C: number): boolean {
  const o = oracle(df, m, k, n, R, C);
  const { ifmap: a, filter: b, ofmap: cc } = mp.operands;
  return mp.rowFolds === o.rf && mp.colFolds === o.cf && mp.temporal === o.T && mp.preloadCycles === o.preload
    && a.sramReadsWords === o.sramA && b.sramReadsWords === o.sramB && a.foldTileWords === o.tileA && b.foldTileWords === o.tileB
    && cc.foldTileWords === o.tileC && a.outerPasses === o.passesA && b.outerPasses === o.passesB
    && mp.spatialRows * mp.spatialCols * mp.temporal === m * k * n
    && Math.abs(mp.mappingEfficiency - (mp.spatialRows * mp.spatialCols) / (o.rf * o.cf * R * C)) === 0;
}

const arb = fc.record({
  m: fc.integer({ min: 1, max: 500 }), k: fc.integer({ min: 1, max: 500 }), n: fc.integer({ min: 1, max: 500 }),
  R: fc.integer({ min: 1, max: 64 }), C: fc.integer({ min: 1, max: 64 }), df: fc.constantFrom(...GEMM_DATAFLOWS),
});

describe('mapGemm', () => {
  it('has a row for every dataflow, each placing the three GEMM dims once', () => {
    expect(Object.keys(withRs).sort()).toEqual([...GEMM_DATAFLOWS].sort());
    for (const s of Object.values(DATAFLOW_STRATEGIES)) expect([s.rows, s.cols, s.time].sort()).toEqual(['k', 'm', 'n']);
  });

  it('equals the per-dataflow rules written out by hand', () => {
    fc.assert(fc.property(arb, ({ m, k, n, R, C, df }) => {
      expect(agrees(mapGemm(m, k, n, { rows: R, cols: C, dataflow: df }), df, m, k, n, R, C)).toBe(true);
    }), { seed: 3, numRuns: 1000 });
  });

  it('an altered strategy is caught by the same check (rows and cols swapped, or the stationary operand moved)', () => {
    const swapped = { ...DATAFLOW_STRATEGIES.os, rows: 'n', cols: 'm' } as DataflowStrategy;
    const moved = { ...DATAFLOW_STRATEGIES.ws, stationary: 'ifmap' } as DataflowStrategy;
    const a = { rows: 4, cols: 8 };
    expect(agrees(mapWithStrategy(swapped, 10, 7, 30, { ...a, dataflow: 'os' }), 'os', 10, 7, 30, 4, 8)).toBe(false);
    expect(agrees(mapWithStrategy(moved, 10, 7, 30, { ...a, dataflow: 'ws' }), 'ws', 10, 7, 30, 4, 8)).toBe(false);
    expect(agrees(mapWithStrategy(DATAFLOW_STRATEGIES.ws, 10, 7, 30, { ...a, dataflow: 'ws' }), 'ws', 10, 7, 30, 4, 8)).toBe(true);
  });
});

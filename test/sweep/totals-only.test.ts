/**
 * The sweep's totals-only path (sim/sweep/totals-only.ts, sim/run/totals-plan.ts, sim/run/totals-at.ts) against the
 * full path (`simulateGraph`, what `simulate` runs): every results.jsonl line byte for byte, on 200+ random points
 * (random grids, so plans are made at one point and evaluated at others: SRAM sizes, bandwidths, bandwidth modes and
 * clocks; models with conv groups, training spills, single buffering, DRAM latency, a normalized energy table) and
 * on ResNet-50 inference and training. Mutations: one energy coefficient off by 1e-9, one DRAM count one element
 * off, one entry's MAC energy off by 1e-9, each caught by the same comparison; and in the SRAM stage that points of
 * other bandwidths reuse (run/totals-at.ts sramStage): a stage made at one bandwidth giving that bandwidth's stalls
 * at another, a first fill left out of the stalls, one entry's energy before leakage off by 1e-9, the spill windows
 * lost, each caught against the full path at a bandwidth other than the stage's first.
 */
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadHwConfig, resolveMachine } from '../../sim/load/hw.js';
import { loadAnyModel, resolveModel } from '../../sim/load/model.js';
import { lowerGraph } from '../../sim/lower/lower.js';
import { simulateGraph } from '../../sim/run/pipeline.js';
import { type HwPoint, type PointTotals, hwAt, pricesAt, sramStage, totalsAt, totalsAtStage } from '../../sim/run/totals-at.js';
import { type TotalsPlan, VectorEntries, planTotals } from '../../sim/run/totals-plan.js';
import { Evaluator } from '../../sim/sweep/evaluate.js';
import { pointHw, recordLine, toRecord } from '../../sim/sweep/record.js';
import { planSweep } from '../../sim/sweep/run.js';
import type { Point, SweepSpec } from '../../sim/sweep/spec.js';

const tmp = mkdtempSync(join(tmpdir(), 'systolab-totals-only-'));
// Single-buffered SRAMs, a DRAM latency, the hp flavour: branches no preset takes.
const SINGLE = join(tmp, 'single-buffered.yaml');
writeFileSync(SINGLE, `schemaVersion: 1
name: single-buffered
clockMhz: 700
array: { rows: 8, cols: 8, dataflow: ws, macPipelineCycles: 3 }
numerics: { input: int8, weight: int8, accumulatorBits: 24 }
sram: { ifmapKib: 16, filterKib: 16, ofmapKib: 8, doubleBuffered: false }
dram: { bytesPerCycle: 4, bandwidthMode: user, type: LPDDR4, latencyCycles: 90 }
vectorUnit: { lanes: 8 }
energy: { leakage: hp }
`);

/** Both paths' lines for a sweep's points. */
function lines(spec: SweepSpec): { points: readonly Point[]; fast: string[]; full: string[] } {
  const plan = planSweep(spec, { jobs: 1, evaluation: 'totals-only' });
  const fast = new Evaluator('test', plan.graphs, 'totals-only').lines(plan.points, plan.base);
  const full = new Evaluator('test', plan.graphs, 'full').lines(plan.points, plan.base);
  expect(fast.error).toBeUndefined();
  expect(full.error).toBeUndefined();
  return { points: plan.points, fast: fast.lines, full: full.lines };
}

const pick = <T>(xs: readonly T[]) => fc.uniqueArray(fc.constantFrom(...xs), { minLength: 1, maxLength: 2 });
/** Random grids of 16–48 points each: one or two arrays, and two values of most point-level dimensions. */
const specs = fc.record({
  models: fc.constantFrom(['tiny-cnn'], ['mobilenet-v2:resolution=96'], ['lenet5']),
  hw: fc.constantFrom('scalesim-32x32', 'edge-16x16', 'eyeriss', 'tpu-v1', SINGLE),
  modes: pick(['inference', 'training'] as const),
  arrays: fc.uniqueArray(fc.tuple(fc.integer({ min: 1, max: 48 }), fc.integer({ min: 1, max: 48 })).map(([r, c]) => `${r}x${c}`), { minLength: 1, maxLength: 2 }),
  dataflows: pick(['os', 'ws', 'is'] as const),
  sramKib: fc.uniqueArray(fc.constantFrom(0.25, 1, 3, 8, 64, 1024), { minLength: 2, maxLength: 2 }),
  dramBytesPerCycle: fc.uniqueArray(fc.constantFrom(0.5, 1, 3, 16, 1000), { minLength: 2, maxLength: 2 }),
  bandwidthModes: fc.constant(['calc', 'user'] as ('calc' | 'user')[]),
  precisions: pick(['int4', 'int8', 'int16', 'fp16'] as const),
  clockMhz: pick([100, 333.3, 1000]),
});

describe('totals-only sweep lines equal the full path byte for byte', () => {
  it('on 200+ random points over random grids', () => {
    let points = 0;
    for (const spec of fc.sample(specs, { seed: 20, numRuns: 60 })) {
      if (points >= 220) break;
      const r = lines(spec);
      expect(r.fast).toEqual(r.full);
      points += r.points.length;
    }
    expect(points).toBeGreaterThanOrEqual(200);
  });

  it('on ResNet-50 inference and training (spills at small SRAMs, stalls at low bandwidth)', () => {
    const r = lines({
      models: ['resnet50'], modes: ['inference', 'training'], arrays: ['16x16', '128x4'], dataflows: ['os', 'ws'],
      sramKib: [8, 256], dramBytesPerCycle: [4, 64], bandwidthModes: ['user'],
    });
    expect(r.points.length).toBe(32);
    expect(r.fast).toEqual(r.full);
  });
});

describe('the comparison catches a wrong term in the fast path (mutations)', () => {
  // tiny-cnn training on 8×8 ws with 4 MiB SRAMs: every operand fits, so its DRAM reads are its unique elements.
  const point: Point = { id: 'mutation', params: {
    model: 'tiny-cnn', mode: 'training', hw: 'edge-16x16', rows: 8, cols: 8, dataflow: 'ws', ifmapKib: 4096, filterKib: 4096, ofmapKib: 4096,
    dramBytesPerCycle: 4, bandwidthMode: 'user', precision: 'int8', clockMhz: 500,
  } };
  const machine = resolveMachine(pointHw(loadHwConfig('edge-16x16'), point.params));
  const graph = loadAnyModel(resolveModel('tiny-cnn'));
  const program = lowerGraph(graph, { mode: 'training' });
  const plan = planTotals(program, machine, 'training');
  const at: HwPoint = { ifmapKib: 4096, filterKib: 4096, ofmapKib: 4096, dramBytesPerCycle: 4, bandwidthMode: 'user', clockHz: 500e6 };
  const line = (totals: PointTotals) => recordLine(toRecord(point, { totals }));
  const full = line(simulateGraph(graph, machine, { mode: 'training', compat: 'none', version: 'test', program }).totals);
  /** A relative error of 1e-9: far below any tolerance a float comparison would allow. */
  const off = (x: number) => x * (1 + 1e-9);

  it('unmutated: the same line', () => {
    expect(line(totalsAt(plan, at))).toBe(full);
  });

  it('one energy coefficient (DRAM energy per bit) off by 1e-9', () => {
    const priced = pricesAt(plan, hwAt(plan, at));
    expect(line(totalsAt(plan, at, { ...priced, prices: { ...priced.prices, dramPerBit: off(priced.prices.dramPerBit) } }))).not.toBe(full);
  });

  it('one DRAM count one element off (an operand one unique element larger, read whole from DRAM)', () => {
    const s = plan.shapes[0];
    const a = { ...s.op.operands.a, uniqueElements: s.op.operands.a.uniqueElements + 1 };
    const broken: TotalsPlan = { ...plan, shapes: [{ ...s, op: { ...s.op, operands: { ...s.op.operands, a } } }, ...plan.shapes.slice(1)] };
    expect(line(totalsAt(broken, at))).not.toBe(full);
  });

  it("one entry's MAC energy off by 1e-9", () => {
    const i = plan.entries.findIndex((e) => e.kind === 'gemm');
    const e = plan.entries[i];
    if (e.kind !== 'gemm') throw new Error('no GEMM entry');
    const broken: TotalsPlan = { ...plan, entries: plan.entries.map((x, j) => (j === i ? { ...e, macEnergy: off(e.macEnergy) } : x)) };
    expect(line(totalsAt(broken, at))).not.toBe(full);
  });
});

describe('the SRAM stage shared across bandwidths (mutations of the stage)', () => {
  // ResNet-50 training on 16×16 ws with 8 KiB SRAMs: the training state spills and the GEMMs stall at 4 and 16 B/cycle.
  const params = {
    model: 'resnet50', mode: 'training', hw: 'scalesim-32x32', rows: 16, cols: 16, dataflow: 'ws', ifmapKib: 8, filterKib: 8, ofmapKib: 8,
    bandwidthMode: 'user', precision: 'int8', clockMhz: 1000,
  } as const;
  const graph = loadAnyModel(resolveModel('resnet50'));
  const program = lowerGraph(graph, { mode: 'training' });
  const pointAt = (dramBytesPerCycle: number): Point => ({ id: `stage-${dramBytesPerCycle}`, params: { ...params, dramBytesPerCycle } });
  const machineAt = (bw: number) => resolveMachine(pointHw(loadHwConfig('scalesim-32x32'), pointAt(bw).params));
  const plan = planTotals(program, machineAt(4), 'training');
  const at = (bw: number): HwPoint => ({ ifmapKib: 8, filterKib: 8, ofmapKib: 8, dramBytesPerCycle: bw, bandwidthMode: 'user', clockHz: 1e9 });
  const line = (bw: number, totals: PointTotals) => recordLine(toRecord(pointAt(bw), { totals }));
  const full = line(16, simulateGraph(graph, machineAt(16), { mode: 'training', compat: 'none', version: 'test', program }).totals);
  // Made at 4 B/cycle, used at 16 B/cycle (the sweep's order: the first point of a stage makes it).
  const stage = sramStage(plan, at(4));

  it('unmutated: a stage made at 4 B/cycle gives the full line at 16 B/cycle (and 4 B/cycle\'s stalls do not); it needs the same SRAM sizes and clock', () => {
    expect(stage.spillBytes).toBeGreaterThan(0);
    expect(line(16, totalsAtStage(stage, at(16)))).toBe(full);
    expect(line(16, totalsAtStage(stage, at(4)))).not.toBe(full);
    expect(() => totalsAtStage(stage, { ...at(16), ifmapKib: 16 })).toThrow(/SRAM sizes or clock/);
    expect(() => totalsAtStage(stage, { ...at(16), clockHz: 5e8 })).toThrow(/SRAM sizes or clock/);
  });

  it('the first fill left out of the stalls', () => {
    expect(line(16, totalsAtStage({ ...stage, shapeFirstFillBytes: new Float64Array(plan.shapes.length) }, at(16)))).not.toBe(full);
  });

  it("one entry's energy before leakage off by 1e-9", () => {
    const i = stage.entryGemm.indexOf(1);
    const entryEnergy = stage.entryEnergy.slice();
    entryEnergy[i] *= 1 + 1e-9;
    expect(line(16, totalsAtStage({ ...stage, entryEnergy }, at(16)))).not.toBe(full);
  });

  it('the spill windows lost (every entry outside the forward and backward windows)', () => {
    expect(line(16, totalsAtStage({ ...stage, entryWindow: new Uint8Array(plan.entries.length) }, at(16)))).not.toBe(full);
  });
});

describe('vector entries shared across plans (run/totals-plan.ts VectorEntries)', () => {
  it('a plan made with entries shared by other arrays, dataflows and precisions equals one made alone', () => {
    const graph = loadAnyModel(resolveModel('mobilenet-v2:resolution=96'));
    const base = loadHwConfig('edge-16x16');
    for (const mode of ['inference', 'training'] as const) {
      const program = lowerGraph(graph, { mode });
      const shared = new VectorEntries();
      let vectors = 0;
      for (const [rows, cols, dataflow, precision] of [[8, 8, 'os', 'int8'], [16, 4, 'ws', 'int8'], [8, 8, 'is', 'int4'], [32, 16, 'ws', 'fp16']] as const) {
        const params = { ...{ model: 'm', mode, hw: 'edge-16x16', ifmapKib: 64, filterKib: 64, ofmapKib: 64, dramBytesPerCycle: 8, bandwidthMode: 'user', clockMhz: 500 } as const, rows, cols, dataflow, precision };
        const machine = resolveMachine(pointHw(base, params));
        const alone = planTotals(program, machine, mode);
        expect(planTotals(program, machine, mode, shared)).toEqual(alone);
        vectors = alone.entries.filter((e) => e.kind === 'vector').length;
      }
      expect(vectors).toBeGreaterThan(0);
    }
  });
});

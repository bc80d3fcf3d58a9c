/**
 * The fast timing model: hand-worked cases, SCALE-Sim's own reports for the sample conv and GEMM topologies
 * (test/fixtures/scalesim: SCALE-Sim v2 commit 22f88b1's own reports, CALC mode), and laws as properties.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ArrayShape, timeGemm } from '../../sim/timing/gemm-timing.js';
import { mapGemm } from '../../sim/map/mapping.js';
import { scalesimTiming } from '../../sim/compat/scalesim/timing.js';

/** SCALE-Sim's reported timing of C[m×n] = A[m×k]·B[k×n] (compat/scalesim/timing.ts). */
const scalesimGemm = (m: number, k: number, n: number, a: ArrayShape) => scalesimTiming(mapGemm(m, k, n, a), a);
import { GEMM_DATAFLOWS } from '../../sim/arch/types.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'scalesim');
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe('hand-worked', () => {
  it('GEMM 64×64×64 on 32×32 os: 4 folds × (64 + 32 + 32 − 2) = 504 cycles; SCALE-Sim reports 503', () => {
    const a: ArrayShape = { rows: 32, cols: 32, dataflow: 'os', macPipelineCycles: 1 };
    expect(timeGemm(64, 64, 64, a).computeCycles).toBe(504);
    expect(scalesimGemm(64, 64, 64, a).computeCycles).toBe(503);
  });

  it('2×2 array, 2×2×2 GEMM: os 1 fold of 2 + 2 + 2 − 2 = 4 cycles; ws/is 2 + 4 + 2 − 2 = 6; a 3-stage MAC adds 2 per fold', () => {
    for (const [dataflow, cycles] of [['os', 4], ['ws', 6], ['is', 6]] as const) {
      expect(timeGemm(2, 2, 2, { rows: 2, cols: 2, dataflow, macPipelineCycles: 1 }).computeCycles).toBe(cycles);
      expect(timeGemm(2, 2, 2, { rows: 2, cols: 2, dataflow, macPipelineCycles: 3 }).computeCycles).toBe(cycles + 2);
    }
  });

  it('4×4 array, GEMM m = 6, k = 3, n = 5 on os: 2 × 2 folds of 3 + 4 + 4 − 2 = 9 cycles; mapping 30/64', () => {
    const t = timeGemm(6, 3, 5, { rows: 4, cols: 4, dataflow: 'os', macPipelineCycles: 1 });
    expect([t.rowFolds, t.colFolds, t.cyclesPerFold, t.computeCycles]).toEqual([2, 2, 9, 36]);
    expect(t.mappingEfficiency).toBe(30 / 64);
    expect(t.computeUtilization).toBe(90 / (36 * 16));
  });
});

/** SCALE-Sim's GEMM view of a conv row: ceil output size, m = P·Q, k = R·S·C, n = K (docs/cycle-model.md §1). */
function convRows(file: string): { m: number; k: number; n: number }[] {
  const rows = readFileSync(join(DIR, file), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').slice(0, -1));
  return rows.flatMap((f) => {
    const nums = f.slice(1).map(Number);
    if (nums.length === 3) return [{ m: nums[0], k: nums[2], n: nums[1] }];
    const [h, w, r, s, c, k, stride] = nums;
    const p = Math.ceil((h - r + stride) / stride), q = Math.ceil((w - s + stride) / stride);
    return f[0].includes('DP') ? Array.from({ length: c }, () => ({ m: p * q, k: r * s, n: k })) : [{ m: p * q, k: r * s * c, n: k }];
  });
}

function report(file: string): number[][] {
  return readFileSync(join(DIR, 'expected', file), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').slice(0, 6).map(Number));
}

describe('SCALE-Sim v2 reports (CALC mode)', () => {
  const cases: [string, string, number, number][] = [];
  for (const df of GEMM_DATAFLOWS) {
    for (const topo of ['conv', 'gemm']) cases.push([`${df}_example_${topo}_COMPUTE_REPORT.csv`, `example_${topo}.csv`, 16, 16]);
    for (const topo of ['conv', 'dw']) cases.push([`8x16_calc_${df}_example_${topo}_COMPUTE_REPORT.csv`, `example_${topo}.csv`, 8, 16]);
  }
  for (const [expected, topo, rows, cols] of cases) {
    it(`${expected}`, () => {
      const dataflow = expected.match(/(?:^|_)(os|ws|is)_/)![1] as ArrayShape['dataflow'];
      const gemms = convRows(topo);
      const want = report(expected);
      expect(gemms.length).toBe(want.length);
      gemms.forEach(({ m, k, n }, i) => {
        const t = scalesimGemm(m, k, n, { rows, cols, dataflow, macPipelineCycles: 1 });
        const [, total, stall, overall, mapping, compute] = want[i];
        expect(t.computeCycles + 0, `layer ${i} cycles`).toBe(total - stall);
        expect(rel(t.macs / (t.computeCycles * rows * cols), overall / 100), `layer ${i} overall`).toBeLessThan(1e-9);
        expect(rel(t.mappingEfficiency, mapping / 100), `layer ${i} mapping`).toBeLessThan(1e-9);
        expect(rel(t.computeUtilization, compute / 100), `layer ${i} compute`).toBeLessThan(1e-9);
      });
    });
  }
});

describe('laws', () => {
  const arb = fc.record({
    m: fc.integer({ min: 1, max: 3000 }), k: fc.integer({ min: 1, max: 3000 }), n: fc.integer({ min: 1, max: 3000 }),
    rows: fc.integer({ min: 1, max: 256 }), cols: fc.integer({ min: 1, max: 256 }),
    dataflow: fc.constantFrom(...GEMM_DATAFLOWS), d: fc.integer({ min: 1, max: 8 }),
  });
  it('MACs = m·k·n; 0 < utilizations ≤ mapping efficiency ≤ 1; scalesim = elapsed − 1', () => {
    fc.assert(fc.property(arb, ({ m, k, n, rows, cols, dataflow, d }) => {
      const a = { rows, cols, dataflow, macPipelineCycles: d };
      const t = timeGemm(m, k, n, a);
      expect(t.macs).toBe(m * k * n);
      expect(t.spatialRows * t.spatialCols * t.temporal).toBe(t.macs);
      expect(t.mappingEfficiency).toBeLessThanOrEqual(1);
      expect(t.computeUtilization).toBeGreaterThan(0);
      expect(t.computeUtilization).toBeLessThanOrEqual(t.mappingEfficiency);
      expect(t.computeCycles).toBe(t.rowFolds * t.colFolds * t.cyclesPerFold);
      if (d === 1) expect(scalesimGemm(m, k, n, a).computeCycles).toBe(t.computeCycles - 1);
    }), { seed: 7, numRuns: 500 });
  });
});

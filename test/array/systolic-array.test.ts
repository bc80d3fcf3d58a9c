/**
 * The cycle-stepped array against the fast timing model and against independent GEMM oracles (BigInt for
 * integers): cycles, MACs, results, per-PE activity and utilization, as properties over random shapes; overflow
 * by hand and as properties; hand-worked 2×2 and 4×4 runs register by register.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GEMM_DATAFLOWS } from '../../sim/arch/types.js';
import { type ArrayNumerics, type Operand, orderedGemm } from '../../sim/array/numerics.js';
import { simulateArrayGemm } from '../../sim/array/systolic-array.js';
import { traceGemm } from '../../sim/array/trace.js';
import { type ArrayShape, timeGemm } from '../../sim/timing/gemm-timing.js';

/** Exact integer GEMM in BigInt, no overflow. */
function bigGemm(m: number, k: number, n: number, a: Operand, b: Operand): bigint[] {
  const c: bigint[] = [];
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0n;
    for (let p = 0; p < k; p++) s += BigInt(a[i * k + p]) * BigInt(b[p * n + j]);
    c.push(s);
  }
  return c;
}

/** Float GEMM summing k in ascending order from 0 — the order every dataflow of the array accumulates in. */
function floatGemm(m: number, k: number, n: number, a: Operand, b: Operand): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
    c[i * n + j] = s;
  }
  return c;
}

/** Sequential reduction to w bits in BigInt, the oracle for the array's ordered saturating accumulation. */
function bigSaturatingGemm(m: number, k: number, n: number, a: Operand, b: Operand, w: number): number[] {
  const lo = -(1n << BigInt(w - 1)), hi = (1n << BigInt(w - 1)) - 1n;
  const c: number[] = [];
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0n;
    for (let p = 0; p < k; p++) {
      s += BigInt(a[i * k + p]) * BigInt(b[p * n + j]);
      s = s > hi ? hi : s < lo ? lo : s;
    }
    c.push(Number(s));
  }
  return c;
}

const shapeArb = fc.record({
  m: fc.integer({ min: 1, max: 11 }), k: fc.integer({ min: 1, max: 11 }), n: fc.integer({ min: 1, max: 11 }),
  rows: fc.integer({ min: 1, max: 6 }), cols: fc.integer({ min: 1, max: 6 }),
  dataflow: fc.constantFrom(...GEMM_DATAFLOWS), d: fc.integer({ min: 1, max: 4 }),
});
const withInts = (lo: number, hi: number) => shapeArb.chain((s) => fc.record({
  s: fc.constant(s),
  a: fc.array(fc.integer({ min: lo, max: hi }), { minLength: s.m * s.k, maxLength: s.m * s.k }),
  b: fc.array(fc.integer({ min: lo, max: hi }), { minLength: s.k * s.n, maxLength: s.k * s.n }),
  int32: fc.boolean(),
}));

describe('equals the fast timing model (default mode) and a plain GEMM', () => {
  it('integers: cycles, MACs, bit-exact results, per-PE activity and utilization', () => {
    fc.assert(fc.property(withInts(-100, 100), ({ s, a: av, b: bv, int32 }) => {
      const shape: ArrayShape = { rows: s.rows, cols: s.cols, dataflow: s.dataflow, macPipelineCycles: s.d };
      const a = int32 ? Int32Array.from(av) : Float64Array.from(av), b = int32 ? Int32Array.from(bv) : Float64Array.from(bv);
      const r = simulateArrayGemm({ m: s.m, k: s.k, n: s.n, a, b }, shape, { kind: 'int', accumulatorBits: 32, overflow: 'saturate' });
      const t = timeGemm(s.m, s.k, s.n, shape);
      expect(r.computeCycles).toBe(t.computeCycles);
      expect(r.cyclesPerFold).toBe(t.cyclesPerFold);
      expect(r.folds).toBe(t.rowFolds * t.colFolds);
      expect(r.macs).toBe(t.macs);
      expect(Array.from(r.c, (x) => BigInt(x))).toEqual(bigGemm(s.m, s.k, s.n, a, b));
      const busy = r.busyCycles.reduce((x, y) => x + y, 0);
      expect(busy).toBe(t.macs);
      expect(busy / (r.computeCycles * s.rows * s.cols)).toBe(t.computeUtilization);
      // The schedule is tight: when the last fold fills the array, its last MAC retires on the last cycle.
      const last = Math.ceil(t.spatialRows / s.rows) * s.rows === t.spatialRows && Math.ceil(t.spatialCols / s.cols) * s.cols === t.spatialCols;
      if (last) expect(r.lastMacCycle).toBe(r.computeCycles - 1);
      expect(r.lastMacCycle).toBeLessThan(r.computeCycles);
    }), { seed: 11, numRuns: 3000 });
  });

  it('floats: equal to a float GEMM (bit-exact: every dataflow sums k in ascending order)', () => {
    const arb = shapeArb.chain((s) => fc.record({
      s: fc.constant(s),
      a: fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: s.m * s.k, maxLength: s.m * s.k }),
      b: fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: s.k * s.n, maxLength: s.k * s.n }),
    }));
    fc.assert(fc.property(arb, ({ s, a: av, b: bv }) => {
      const shape: ArrayShape = { rows: s.rows, cols: s.cols, dataflow: s.dataflow, macPipelineCycles: s.d };
      const a = Float64Array.from(av), b = Float64Array.from(bv);
      const r = simulateArrayGemm({ m: s.m, k: s.k, n: s.n, a, b }, shape, { kind: 'float' });
      const want = floatGemm(s.m, s.k, s.n, a, b);
      expect(Array.from(r.c)).toEqual(Array.from(want));
      // What any float GEMM (any order) must meet: 1e-12 relative to the sum of |products|.
      for (let i = 0; i < s.m; i++) for (let j = 0; j < s.n; j++) {
        let mag = 0;
        for (let p = 0; p < s.k; p++) mag += Math.abs(a[i * s.k + p] * b[p * s.n + j]);
        expect(Math.abs(r.c[i * s.n + j] - want[i * s.n + j])).toBeLessThanOrEqual(1e-12 * mag);
      }
      expect(r.computeCycles).toBe(timeGemm(s.m, s.k, s.n, shape).computeCycles);
    }), { seed: 12, numRuns: 1000 });
  });

  it('small integers in float64 are exact', () => {
    fc.assert(fc.property(withInts(-9, 9), ({ s, a: av, b: bv }) => {
      const a = Float64Array.from(av), b = Float64Array.from(bv);
      const r = simulateArrayGemm({ m: s.m, k: s.k, n: s.n, a, b }, { rows: s.rows, cols: s.cols, dataflow: s.dataflow, macPipelineCycles: s.d }, { kind: 'float' });
      expect(Array.from(r.c, (x) => BigInt(x))).toEqual(bigGemm(s.m, s.k, s.n, a, b));
    }), { seed: 13, numRuns: 500 });
  });
});

describe('integer overflow, applied at every accumulation step in k order', () => {
  // 4-bit accumulator (−8…7), products 6, 6, −6: saturate 6 → 7 → 1; wrap 6 → −4 → 6 (= 6 mod 16); exact sum 6.
  const g = { m: 1, k: 3, n: 1, a: Int32Array.from([3, 3, -3]), b: Int32Array.from([2, 2, 2]) };
  for (const dataflow of GEMM_DATAFLOWS) {
    for (const [rows, cols] of [[1, 1], [2, 2], [4, 1]]) {
      it(`${dataflow} on ${rows}×${cols}: saturate gives 1, wrap gives 6`, () => {
        const shape = { rows, cols, dataflow, macPipelineCycles: 2 };
        expect(simulateArrayGemm(g, shape, { kind: 'int', accumulatorBits: 4, overflow: 'saturate' }).c[0]).toBe(1);
        expect(simulateArrayGemm(g, shape, { kind: 'int', accumulatorBits: 4, overflow: 'wrap' }).c[0]).toBe(6);
        expect(orderedGemm(1, 3, 1, g.a, g.b, { kind: 'int', accumulatorBits: 4, overflow: 'saturate' })[0]).toBe(1);
      });
    }
  }

  it('properties: wrap equals the exact sum mod 2^w; saturate equals a BigInt reference clamping in k order', () => {
    const arb = withInts(-40, 40).chain((x) => fc.record({ x: fc.constant(x), w: fc.integer({ min: 2, max: 16 }) }));
    fc.assert(fc.property(arb, ({ x: { s, a: av, b: bv }, w }) => {
      const shape: ArrayShape = { rows: s.rows, cols: s.cols, dataflow: s.dataflow, macPipelineCycles: s.d };
      const a = Int32Array.from(av), b = Int32Array.from(bv), g = { m: s.m, k: s.k, n: s.n, a, b };
      const wrap = simulateArrayGemm(g, shape, { kind: 'int', accumulatorBits: w, overflow: 'wrap' });
      const mod = 1n << BigInt(w), half = 1n << BigInt(w - 1);
      expect(Array.from(wrap.c)).toEqual(bigGemm(s.m, s.k, s.n, a, b).map((v) => Number((((v + half) % mod) + mod) % mod - half)));
      const sat = simulateArrayGemm(g, shape, { kind: 'int', accumulatorBits: w, overflow: 'saturate' });
      expect(Array.from(sat.c)).toEqual(bigSaturatingGemm(s.m, s.k, s.n, a, b, w));
      expect(sat.computeCycles).toBe(timeGemm(s.m, s.k, s.n, shape).computeCycles);
    }), { seed: 14, numRuns: 1000 });
  });

  it('widths 54–64 are exact when no sum can pass 2^53, and refused otherwise; bad numerics are refused', () => {
    const shape: ArrayShape = { rows: 2, cols: 2, dataflow: 'ws', macPipelineCycles: 1 };
    const big = { m: 1, k: 2, n: 1, a: Float64Array.from([2 ** 26, 2 ** 26]), b: Float64Array.from([2 ** 26, 1]) };
    expect(simulateArrayGemm(big, shape, { kind: 'int', accumulatorBits: 64, overflow: 'wrap' }).c[0]).toBe(2 ** 52 + 2 ** 26);
    const huge = { ...big, a: Float64Array.from([2 ** 30, 1]), b: Float64Array.from([2 ** 30, 1]) };
    expect(() => simulateArrayGemm(huge, shape, { kind: 'int', accumulatorBits: 64, overflow: 'wrap' })).toThrow(/2\^53/);
    expect(() => simulateArrayGemm(huge, shape, { kind: 'int', accumulatorBits: 53, overflow: 'wrap' })).toThrow(/2\^53/);
    expect(() => simulateArrayGemm(big, shape, { kind: 'int', accumulatorBits: 65, overflow: 'wrap' })).toThrow(/accumulatorBits: must be an integer from 2 to 64/);
    expect(() => simulateArrayGemm({ ...big, a: Float64Array.from([0.5, 1]) }, shape, { kind: 'int', accumulatorBits: 32, overflow: 'wrap' })).toThrow(/a\[0\]: integer arithmetic needs integer operands/);
    expect(() => simulateArrayGemm({ ...big, k: 3 }, shape, { kind: 'float' })).toThrow(/A must hold m·k = 3 elements/);
  });
});

describe('hand-worked, register by register', () => {
  const A = Float64Array.from([1, 2, 3, 4]), B = Float64Array.from([5, 6, 7, 8]); // C = [[19, 22], [43, 50]]
  const g = { m: 2, k: 2, n: 2, a: A, b: B };
  const int: ArrayNumerics = { kind: 'int', accumulatorBits: 16, overflow: 'saturate' };

  it('os 2×2, GEMM 2×2×2: A enters from the left, B from the top, skewed; 2 + 2 + 2 − 2 = 4 cycles', () => {
    const t = traceGemm(g, { rows: 2, cols: 2, dataflow: 'os', macPipelineCycles: 1 }, int);
    expect(t.cycles).toHaveLength(4);
    const [c0, c1, c2, c3] = t.cycles;
    // cycle 0: only PE (0,0) has both operands: a = A[0][0] = 1, b = B[0][0] = 5.
    expect([c0.a, c0.b, c0.acc]).toEqual([[[1, null], [null, null]], [[5, null], [null, null]], [[5, 0], [0, 0]]]);
    // cycle 1: A[0][0] moved right, A[1][0] entered row 1 one cycle late; B[0][0] moved down, B[0][1] entered column 1.
    expect([c1.a, c1.b, c1.acc]).toEqual([[[2, 1], [3, null]], [[7, 6], [5, null]], [[19, 6], [15, 0]]]);
    expect([c2.a, c2.b, c2.acc]).toEqual([[[null, 2], [4, 3]], [[null, 8], [7, 6]], [[19, 22], [43, 18]]]);
    // cycle 3 = T + rows + cols − 3: the last MAC, in PE (1,1).
    expect([c3.mac, c3.acc]).toEqual([[[false, false], [false, true]], [[19, 22], [43, 50]]]);
    expect(Array.from(t.run.c)).toEqual([19, 22, 43, 50]);
    expect(Array.from(t.run.busyCycles)).toEqual([2, 2, 2, 2]);
  });

  it('ws 2×2, GEMM 2×2×2: 2 preload cycles shift B down, then psums flow down; 2 + 4 + 2 − 2 = 6 cycles', () => {
    const t = traceGemm(g, { rows: 2, cols: 2, dataflow: 'ws', macPipelineCycles: 1 }, int);
    expect(t.cycles.map((c) => c.phase)).toEqual(['preload', 'preload', 'stream', 'stream', 'stream', 'stream']);
    expect(t.cycles[0].b).toEqual([[7, 8], [null, null]]); // B's last row enters first
    expect(t.cycles[1].b).toEqual([[5, 6], [7, 8]]);
    // cycle 2: A[0][0] = 1 meets B[0][0] = 5 in PE (0,0).
    expect([t.cycles[2].a, t.cycles[2].acc]).toEqual([[[1, null], [null, null]], [[5, 0], [0, 0]]]);
    // cycle 3: PE (1,0) adds A[0][1]·B[1][0] = 14 to the psum 5 from above: C[0][0] = 19 leaves the bottom.
    expect([t.cycles[3].a, t.cycles[3].acc]).toEqual([[[3, 1], [2, null]], [[15, 6], [19, 0]]]);
    expect([t.cycles[4].a, t.cycles[4].acc]).toEqual([[[null, 3], [4, 2]], [[0, 18], [43, 22]]]);
    expect([t.cycles[5].mac, t.cycles[5].acc]).toEqual([[[false, false], [false, true]], [[0, 0], [0, 50]]]);
    expect(Array.from(t.run.c)).toEqual([19, 22, 43, 50]);
  });

  it('is 2×2 with a 3-stage MAC: A stationary (transposed), B streams; 6 + 2 = 8 cycles, last MAC retires in cycle 7', () => {
    const t = traceGemm(g, { rows: 2, cols: 2, dataflow: 'is', macPipelineCycles: 3 }, int);
    expect(t.cycles).toHaveLength(8);
    expect(t.cycles[1].a).toEqual([[1, 3], [2, 4]]); // PE (i, j) holds A[j][i]
    // cycle 2: B[0][0] = 1·5 starts in PE (0,0) but retires only in cycle 4.
    expect(t.cycles[2].mac[0][0]).toBe(true);
    expect(t.cycles[3].acc[0][0]).toBe(0);
    expect(t.cycles[4].acc[0][0]).toBe(5);
    expect(t.run.lastMacCycle).toBe(7);
    expect(t.cycles[7].acc[1][1]).toBe(50);
    expect(Array.from(t.run.c)).toEqual([19, 22, 43, 50]);
  });

  it('os 4×4, GEMM 6×3×5: 2 × 2 folds of 3 + 4 + 4 − 2 = 9 cycles; the MAC wavefront is the anti-diagonal band', () => {
    const a = Float64Array.from({ length: 18 }, (_, i) => i - 5), b = Float64Array.from({ length: 15 }, (_, i) => 7 - i);
    const t = traceGemm({ m: 6, k: 3, n: 5, a, b }, { rows: 4, cols: 4, dataflow: 'os', macPipelineCycles: 1 }, int);
    expect([t.run.computeCycles, t.run.folds, t.run.macs]).toEqual([36, 4, 90]);
    for (const c of t.cycles.filter((x) => x.fold === 0)) {
      const band = [0, 1, 2, 3].map((i) => [0, 1, 2, 3].map((j) => c.foldCycle - i - j >= 0 && c.foldCycle - i - j < 3));
      expect(c.mac, `cycle ${c.cycle}`).toEqual(band);
    }
    // cycle 4 of fold 0: PE (2,1) holds A[2][1] (entered row 2 at cycle 3) and B[1][1] (entered column 1 at cycle 2).
    expect([t.cycles[4].a[2][1], t.cycles[4].b[2][1]]).toEqual([a[2 * 3 + 1], b[1 * 5 + 1]]);
    // Fold 1 (rows 4–5 of C, columns 0–3) maps 2 of 4 rows: rows 2–3 of the array get only bubbles.
    expect(t.cycles.filter((x) => x.fold === 1).every((c) => c.mac[2].every((m) => !m) && c.mac[3].every((m) => !m))).toBe(true);
    expect(Array.from(t.run.c)).toEqual(Array.from(floatGemm(6, 3, 5, a, b)));
    expect(t.run.busyCycles[0]).toBe(3 * 4); // PE (0,0) is mapped in all 4 folds, k = 3 MACs each
    expect(t.run.busyCycles[3 * 4 + 3]).toBe(3); // PE (3,3) only in fold 0
  });

  it('ws 4×4, GEMM 4×4×4: after 4 preload cycles PE (i, j) holds B[i][j]; C[τ][j] leaves the bottom at cycle 4 + τ + 3 + j', () => {
    const a = Float64Array.from({ length: 16 }, (_, i) => (i % 5) - 2), b = Float64Array.from({ length: 16 }, (_, i) => (i % 3) - 1);
    const t = traceGemm({ m: 4, k: 4, n: 4, a, b }, { rows: 4, cols: 4, dataflow: 'ws', macPipelineCycles: 1 }, int);
    expect(t.cycles).toHaveLength(4 + 4 + 4 + 4 - 2);
    expect(t.cycles[3].b).toEqual([0, 1, 2, 3].map((i) => [0, 1, 2, 3].map((j) => b[i * 4 + j])));
    const c = floatGemm(4, 4, 4, a, b);
    for (let tau = 0; tau < 4; tau++) for (let j = 0; j < 4; j++) expect(t.cycles[4 + tau + 3 + j].acc[3][j]).toBe(c[tau * 4 + j]);
    expect(Array.from(t.run.c)).toEqual(Array.from(c));
  });
});

/**
 * Row stationary: the PE array run event by event (sim/array/row-stationary.ts) against the fast model's closed forms
 * (sim/timing/row-stationary.ts) — cycles, passes, spad and GLB counts — and its outputs against the float engine's
 * convolution, on random conv layers and arrays.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type RsProblem, rsLayerOf, rsOutputDims, runRowStationary } from '../../sim/array/row-stationary.js';
import { RS_GLB_ORDERS, type RsTemporal, divisors } from '../../sim/map/row-stationary.js';
import { conv2dForward } from '../../sim/float/conv.js';
import { createRng } from '../../sim/float/rng.js';
import { rsTiming } from '../../sim/timing/row-stationary.js';

function problem(d: { n: number; c: number; h: number; w: number; m: number; r: number; s: number; u: number; pad: number }, seed: number): RsProblem {
  const rng = createRng(seed);
  // Small integers: every sum is exact in float64, so the array's order of additions cannot matter.
  const ints = (len: number) => Float64Array.from({ length: len }, () => Math.floor(rng.uniform() * 9) - 4);
  return { ...d, input: ints(d.n * d.c * d.h * d.w), weight: ints(d.m * d.c * d.r * d.s) };
}

const layer = fc.record({
  n: fc.integer({ min: 1, max: 4 }), c: fc.integer({ min: 1, max: 6 }), h: fc.integer({ min: 1, max: 12 }), w: fc.integer({ min: 1, max: 9 }),
  m: fc.integer({ min: 1, max: 6 }), r: fc.integer({ min: 1, max: 5 }), s: fc.integer({ min: 1, max: 4 }), u: fc.integer({ min: 1, max: 2 }), pad: fc.integer({ min: 0, max: 2 }),
}).filter((d) => d.h + 2 * d.pad >= d.r && d.w + 2 * d.pad >= d.s);
/** A temporal mapping of the layer, picked by seven whole numbers: perfect factors of n, m, c, any row count e. */
const pick = <T>(xs: readonly T[], f: number): T => xs[f % xs.length];
function temporalOf(d: { n: number; c: number; m: number }, e: number, f: readonly number[]): RsTemporal {
  const glbM = pick(divisors(d.m), f[0]), glbC = pick(divisors(d.c), f[1]);
  return {
    glbM, glbC, p: pick(divisors(glbM), f[2]), q: pick(divisors(glbC), f[3]), glbN: pick(divisors(d.n), f[4]), glbE: 1 + (f[6] % e), // any row count: ragged last tiles too
    order: pick(RS_GLB_ORDERS, f[5]),
  };
}
const factors = fc.array(fc.nat({ max: 1_000_000 }), { minLength: 7, maxLength: 7 });
const array = fc.record({ rows: fc.integer({ min: 1, max: 8 }), cols: fc.integer({ min: 1, max: 8 }) });

describe('row stationary: PE array = fast model, outputs = the float engine', () => {
  it('on 300 random conv layers and arrays (folds, passes, copies and tall filters included)', () => {
    fc.assert(fc.property(layer, array, factors, fc.nat(10_000), (d, a, fs, seed) => {
      const p = problem(d, seed);
      const { e, f } = rsOutputDims(p);
      const t = temporalOf(d, e, fs);
      const run = runRowStationary(p, a, t);
      const fast = rsTiming(rsLayerOf(p), t, a);
      const { cycles, passes, tiles: _t, copies: _c, activePes: _a, mappedPeCycles: _m, interPePsumMoves: _i, ...counts } = fast;
      expect({ cycles: run.cycles, passes: run.passes, ...run.counts }).toEqual({ cycles, passes, ...counts });
      const want = conv2dForward(p.input, p.weight, null, {
        n: p.n, c: p.c, h: p.h, w: p.w, k: p.m, r: p.r, s: p.s, p: e, q: f,
        strideH: p.u, strideW: p.u, dilationH: 1, dilationW: 1, padTop: p.pad, padLeft: p.pad, groups: 1,
      });
      expect(Array.from(run.output)).toEqual(Array.from(want));
    }), { numRuns: 300 });
  });

  it('the check is real: a fast model off by one cycle per pass, or a lost psum read, is caught', () => {
    const p = problem({ n: 1, c: 2, h: 9, w: 6, m: 2, r: 3, s: 3, u: 1, pad: 1 }, 3);
    const a = { rows: 4, cols: 4 };
    const t: RsTemporal = { p: 1, q: 1, glbN: 1, glbM: 2, glbC: 2, glbE: 9, order: 'mnec' };
    const run = runRowStationary(p, a, t), fast = rsTiming(rsLayerOf(p), t, a);
    expect(run.cycles).toBe(fast.cycles);
    expect(run.cycles).not.toBe(fast.cycles + fast.passes);
    expect(run.counts.glbPsumReads).toBeGreaterThan(0); // two channels: the second reads the first's sums back
    // A wrong weight changes the outputs (the comparison with the float engine is not vacuous).
    const bad = { ...p, weight: Float64Array.from(p.weight, (v, i) => (i === 0 ? v + 1 : v)) };
    expect(Array.from(runRowStationary(bad, a, t).output)).not.toEqual(Array.from(run.output));
  });
});

/**
 * Row stationary: the PE array run event by event (sim/array/row-stationary.ts) against the fast model's closed forms
 * (sim/timing/row-stationary.ts) — cycles, passes, spad and GLB counts — and its outputs against the float engine's
 * convolution, on random conv layers and arrays.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type RsProblem, rsConvOf, rsOutputDims, runRowStationary } from '../../sim/array/row-stationary.js';
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
  n: fc.integer({ min: 1, max: 2 }), c: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 1, max: 12 }), w: fc.integer({ min: 1, max: 9 }),
  m: fc.integer({ min: 1, max: 3 }), r: fc.integer({ min: 1, max: 5 }), s: fc.integer({ min: 1, max: 4 }), u: fc.integer({ min: 1, max: 2 }), pad: fc.integer({ min: 0, max: 2 }),
}).filter((d) => d.h + 2 * d.pad >= d.r && d.w + 2 * d.pad >= d.s);
const array = fc.record({ rows: fc.integer({ min: 1, max: 8 }), cols: fc.integer({ min: 1, max: 8 }) });

describe('row stationary: PE array = fast model, outputs = the float engine', () => {
  it('on 300 random conv layers and arrays (folds, passes, copies and tall filters included)', () => {
    fc.assert(fc.property(layer, array, fc.nat(10_000), (d, a, seed) => {
      const p = problem(d, seed);
      const run = runRowStationary(p, a);
      const { e, f } = rsOutputDims(p);
      const fast = rsTiming(rsConvOf(p), { n: p.n, u: p.u, paddedW: p.w + 2 * p.pad }, a);
      expect({ cycles: run.cycles, passes: run.passes, ...run.counts }).toEqual(fast);
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
    const run = runRowStationary(p, a), fast = rsTiming(rsConvOf(p), { n: 1, u: 1, paddedW: 8 }, a);
    expect(run.cycles).toBe(fast.cycles);
    expect(run.cycles).not.toBe(fast.cycles + fast.passes);
    expect(run.counts.glbPsumReads).toBeGreaterThan(0); // two channels: the second reads the first's sums back
    // A wrong weight changes the outputs (the comparison with the float engine is not vacuous).
    const bad = { ...p, weight: Float64Array.from(p.weight, (v, i) => (i === 0 ? v + 1 : v)) };
    expect(Array.from(runRowStationary(bad, a).output)).not.toEqual(Array.from(run.output));
  });
});

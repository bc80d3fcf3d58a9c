/**
 * The conv bias gradient's interleaved chains (bias-grad.ts) against the plain loop, byte for byte: channel counts
 * that use the blocks of four, the pair and the single chain, on awkward values and on full-mantissa ones, added
 * onto a dBias that already holds something (the sums are added once per image).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { biasGradient, biasGradientReference } from '../../sim/float/bias-grad.js';
import { awkwardValues, sameBytes, seeded } from './awkward-values.js';

function agrees(n: number, k: number, pq: number, fill: () => number): boolean {
  const dy = Float64Array.from({ length: n * k * pq }, fill);
  const start = Float64Array.from({ length: k }, fill);
  const got = start.slice(), want = start.slice();
  biasGradient(dy, n, k, pq, got);
  biasGradientReference(dy, n, k, pq, want);
  return sameBytes(got, want);
}

describe('conv bias gradient', () => {
  it('equals the plain loop byte for byte', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 11 }), fc.integer({ min: 1, max: 40 }), fc.integer(),
      (n, k, pq, seed) => {
        expect(agrees(n, k, pq, awkwardValues(seed))).toBe(true);
      }), { numRuns: 300 });
  });

  it('equals it on LeNet\'s first conv (6 channels, 28×28) of full-mantissa values, where any reordering shows', () => {
    const u = seeded(3);
    expect(agrees(4, 6, 784, () => (2 * u() - 1) / (1 + u()))).toBe(true);
    expect(agrees(2, 7, 100, () => (2 * u() - 1) / (1 + u()))).toBe(true);
  });

  it('starts each sum from +0: a dy of −0s adds +0, so a dBias of −0 becomes +0', () => {
    for (const k of [1, 2, 3, 4, 7]) expect(agrees(2, k, 5, () => -0)).toBe(true);
    const dBias = new Float64Array(7).fill(-0);
    biasGradient(new Float64Array(2 * 7 * 5).fill(-0), 2, 7, 5, dBias);
    expect([...dBias].every((v) => Object.is(v, 0))).toBe(true);
  });
});

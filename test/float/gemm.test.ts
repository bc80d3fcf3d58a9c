/**
 * gemm against the obvious triple loop. The blocked kernel sums in a different order, so random data is
 * compared with a relative tolerance; small-integer data makes every partial sum exact in float64, so
 * there the results must be bit-identical — which also catches any element written twice or skipped.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gemm } from '../../sim/float/gemm.js';
import { type Case, caseArb, operands } from './gemm-cases.js';

function naive(t: Case, a: Float64Array, lda: number, b: Float64Array, ldb: number, c: Float64Array, ldc: number): void {
  for (let i = 0; i < t.m; i++) {
    for (let j = 0; j < t.n; j++) {
      let sum = 0;
      for (let p = 0; p < t.k; p++) {
        const av = t.transA ? a[t.aOff + p * lda + i] : a[t.aOff + i * lda + p];
        const bv = t.transB ? b[t.bOff + j * ldb + p] : b[t.bOff + p * ldb + j];
        sum += av * bv;
      }
      const ci = t.cOff + i * ldc + j;
      c[ci] = t.accumulate ? c[ci] + sum : sum;
    }
  }
}

function runBoth(t: Case, fill: () => number) {
  const { a, b, c, lda, ldb, ldc } = operands(t, fill);
  const expected = c.slice();
  naive(t, a, lda, b, ldb, expected, ldc);
  gemm(t.transA, t.transB, t.m, t.n, t.k, a, t.aOff, lda, b, t.bOff, ldb, c, t.cOff, ldc, t.accumulate);
  return { actual: c, expected };
}

/** A deterministic fill from a fast-check seed, so failures replay. */
function seeded(seed: number, f: (u: number) => number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13; state >>>= 0; state ^= state >>> 17; state ^= state << 5; state >>>= 0;
    return f(state / 2 ** 32);
  };
}

describe('gemm', () => {
  it('is exact on small-integer data (every transpose combo, offsets, padding, accumulate)', () => {
    fc.assert(fc.property(caseArb, fc.integer(), (t, seed) => {
      const { actual, expected } = runBoth(t, seeded(seed, (u) => Math.floor(u * 7) - 3));
      expect(Array.from(actual)).toEqual(Array.from(expected));
    }), { numRuns: 300 });
  });

  it('matches the naive loop to rounding on random data', () => {
    fc.assert(fc.property(caseArb, fc.integer(), (t, seed) => {
      const { actual, expected } = runBoth(t, seeded(seed, (u) => 2 * u - 1));
      let worst = 0;
      for (let i = 0; i < actual.length; i++) {
        worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i])));
      }
      expect(worst).toBeLessThan(1e-12);
    }), { numRuns: 200 });
  });

  it('handles sizes beyond one cache block (k > 256, m > 96)', () => {
    for (const [m, n, k] of [[130, 9, 300], [5, 133, 513], [97, 40, 257]]) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          for (const accumulate of [false, true]) {
            const t: Case = { transA, transB, m, n, k, aOff: 1, bOff: 2, cOff: 3, padA: 1, padB: 0, padC: 2, accumulate };
            const { actual, expected } = runBoth(t, seeded(m * n + k, (u) => Math.floor(u * 9) - 4));
            expect(Array.from(actual)).toEqual(Array.from(expected));
          }
        }
      }
    }
  });

  it('with k = 0 clears C (or leaves it when accumulating) and touches nothing outside it', () => {
    const c = new Float64Array(12).fill(5);
    gemm(false, false, 2, 3, 0, new Float64Array(0), 0, 0, new Float64Array(0), 0, 3, c, 1, 4, false);
    expect(Array.from(c)).toEqual([5, 0, 0, 0, 5, 0, 0, 0, 5, 5, 5, 5]);
    gemm(false, false, 2, 3, 0, new Float64Array(0), 0, 0, new Float64Array(0), 0, 3, c, 1, 4, true);
    expect(Array.from(c)).toEqual([5, 0, 0, 0, 5, 0, 0, 0, 5, 5, 5, 5]);
  });
});

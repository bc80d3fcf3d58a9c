/**
 * Arithmetic of the cycle-stepped array: float64, or integers in an accumulator of `accumulatorBits` (2–64) that
 * saturates or wraps at every accumulation step. Products are formed at full width (a multiplier as wide as its
 * operands' product); only the running sum is reduced to the accumulator width, as in a MAC unit.
 *
 * Exactness: integers are held in float64, which is exact up to 2^53. For widths ≤ 53 every value the array forms
 * (|accumulator| ≤ 2^(w−1), |product| ≤ max|a|·max|b|, their sum) is exact when max|a|·max|b| + 2^(w−1) ≤ 2^53.
 * For widths 54–64 the accumulator cannot overflow unless a sum passes 2^53, so they are accepted when
 * k·max|a|·max|b| ≤ 2^53 (then no reduction ever happens) and refused otherwise. No BigInt on the hot path.
 */
import { SimError } from '../base/errors.js';

export type Overflow = 'saturate' | 'wrap';
export type ArrayNumerics =
  | { readonly kind: 'float' }
  | { readonly kind: 'int'; readonly accumulatorBits: number; readonly overflow: Overflow };

export type Operand = Float64Array | Int32Array;

/** The accumulator's range and the reduction applied when a sum leaves it (never called in float mode). */
export interface Accumulator {
  readonly lo: number;
  readonly hi: number;
  readonly reduce: (x: number) => number;
}

const EXACT = 2 ** 53;

function maxAbsInteger(x: Operand, name: string): number {
  let max = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (!Number.isInteger(v)) {
      throw new SimError('integer arithmetic needs integer operands', { code: 'badValue', path: `${name}[${i}]`, value: v, hint: 'Round the operands, or use { kind: \'float\' }.' });
    }
    const a = Math.abs(v);
    if (a > max) max = a;
  }
  return max;
}

/** Saturate: clamp to [lo, hi]. Wrap: two's complement, x mod 2^w into [lo, hi]; `%` on doubles is exact. */
export function reducer(bits: number, overflow: Overflow): Accumulator {
  const modulus = 2 ** bits, lo = -(2 ** (bits - 1)), hi = 2 ** (bits - 1) - 1;
  if (overflow === 'saturate') return { lo, hi, reduce: (x) => (x > hi ? hi : lo) };
  return {
    lo, hi, reduce: (x) => {
      const r = (x % modulus) + 0; // + 0 turns −0 into 0
      return r > hi ? r - modulus : r < lo ? r + modulus : r;
    },
  };
}

/** Validates the numerics against the operands and returns the accumulator the array uses. */
export function accumulatorFor(numerics: ArrayNumerics, a: Operand, b: Operand, k: number): Accumulator {
  if (numerics.kind === 'float') return { lo: -Infinity, hi: Infinity, reduce: (x) => x };
  const { accumulatorBits: bits, overflow } = numerics;
  if (!Number.isInteger(bits) || bits < 2 || bits > 64) {
    throw new SimError('must be an integer from 2 to 64', { code: 'badValue', path: 'accumulatorBits', value: bits, hint: 'Example: accumulatorBits: 32' });
  }
  if (overflow !== 'saturate' && overflow !== 'wrap') {
    throw new SimError('must be saturate or wrap', { code: 'badValue', path: 'overflow', value: overflow });
  }
  const product = maxAbsInteger(a, 'a') * maxAbsInteger(b, 'b');
  if (bits <= 53 ? product + 2 ** (bits - 1) > EXACT : k * product > EXACT) {
    throw new SimError(`operands too large for exact ${bits}-bit accumulation in float64`, {
      code: 'badValue', path: 'accumulatorBits', value: bits,
      hint: bits <= 53 ? 'Need max|a|·max|b| + 2^(bits−1) ≤ 2^53.' : 'Widths above 53 need k·max|a|·max|b| ≤ 2^53 (then no overflow can occur); use 53 bits or fewer otherwise.',
    });
  }
  return reducer(bits, overflow);
}

/**
 * The plain GEMM in the array's own accumulation order: every output is one chain over k = 0, 1, …, k − 1, reduced
 * at every step (os accumulates k in time inside a PE; ws/is pass partial sums down a column in k order and feed
 * the previous row fold's sums back in at the top). The oracle for overflow, and the CLI's result check.
 */
export function orderedGemm(m: number, k: number, n: number, a: Operand, b: Operand, numerics: ArrayNumerics): Float64Array {
  const { lo, hi, reduce } = accumulatorFor(numerics, a, b, k);
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let p = 0; p < k; p++) {
        let x = acc + a[i * k + p] * b[p * n + j];
        if (x > hi || x < lo) x = reduce(x);
        acc = x;
      }
      c[i * n + j] = acc;
    }
  }
  return c;
}

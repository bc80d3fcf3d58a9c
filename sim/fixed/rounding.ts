/**
 * Rounding and overflow rules of the fixed-point path (the rules are stated in sim/fixed/README.md):
 *  - nearestEven: to the nearest integer, ties to the even one (IEEE 754 roundTiesToEven, numpy.rint).
 *  - nearestAway: to the nearest integer, ties away from zero (C round(), TFLite's QuantizeMultiplier).
 *  - towardZero: truncation (C cast).
 *  - stochastic: ⌊x⌋ + 1 with probability x − ⌊x⌋, else ⌊x⌋, drawing u ∈ [0, 1) from a seeded xoshiro128** stream
 *    (float/rng.ts): up iff u < x − ⌊x⌋. Unbiased: E[round(x)] = x.
 *  - gemmlowp: only for requantization (requantize.ts) — two roundings, SaturatingRoundingDoublingHighMul then
 *    RoundingDivideByPOT; on a plain real number it is nearestAway.
 * Overflow: saturate clamps to [lo, hi]; wrap reduces two's complement modulo 2^bits.
 */
import { SimError } from '../base/errors.js';
import { type Rng, createRng } from '../float/rng.js';

export const ROUNDINGS = ['nearestEven', 'nearestAway', 'towardZero', 'stochastic', 'gemmlowp'] as const;
export type Rounding = (typeof ROUNDINGS)[number];
export const OVERFLOWS = ['saturate', 'wrap'] as const;
export type OverflowRule = (typeof OVERFLOWS)[number];

export function parseRounding(v: string, path = 'rounding'): Rounding {
  if (!(ROUNDINGS as readonly string[]).includes(v)) {
    throw new SimError(`must be one of ${ROUNDINGS.join(', ')}`, { code: 'badValue', path, value: v, hint: 'Example: rounding: nearestEven' });
  }
  return v as Rounding;
}

export function parseOverflow(v: string, path = 'overflow'): OverflowRule {
  if (!(OVERFLOWS as readonly string[]).includes(v)) {
    throw new SimError('must be saturate or wrap', { code: 'badValue', path, value: v, hint: 'Example: overflow: saturate' });
  }
  return v as OverflowRule;
}

/** Ties to even. Exact for every float64 (Math.round's +0.5 is not: it rounds −2.5 to −2 and 0.49999999999999994 up). */
export function roundHalfEven(x: number): number {
  // On |x|: a − ⌊a⌋ is exact for a ≥ 0 (Sterbenz when a ≥ 1), which x − ⌊x⌋ is not for negative x.
  const a = Math.abs(x), f = Math.floor(a), d = a - f;
  const r = d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
  return x < 0 ? -r + 0 : r;
}

export function roundHalfAway(x: number): number {
  const a = Math.abs(x), f = Math.floor(a);
  const r = a - f >= 0.5 ? f + 1 : f;
  return x < 0 ? -r + 0 : r;
}

/** A rounding function of a real number to an integer; `stochastic` draws from `rng` (one draw per call). */
export function rounder(rule: Rounding, rng?: Rng): (x: number) => number {
  switch (rule) {
    case 'nearestEven': return roundHalfEven;
    case 'nearestAway':
    case 'gemmlowp': return roundHalfAway;
    case 'towardZero': return (x) => Math.trunc(x) + 0;
    case 'stochastic': {
      const r = rng ?? createRng(0);
      return (x) => {
        const f = Math.floor(x);
        return r.uniform() < x - f ? f + 1 : f;
      };
    }
  }
}

/** Saturate to [lo, hi], or wrap modulo 2^bits into [lo, lo + 2^bits) (two's complement when lo = −2^(bits−1)). */
export function overflowInto(x: number, lo: number, hi: number, rule: OverflowRule): number {
  if (x >= lo && x <= hi) return x;
  if (rule === 'saturate') return x > hi ? hi : lo;
  const modulus = hi - lo + 1;
  const r = (x - lo) % modulus;
  return (r < 0 ? r + modulus : r) + lo;
}

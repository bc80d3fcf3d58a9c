/**
 * Requantization of int32 accumulators by an integer multiplier and shift, TFLite/gemmlowp style. The real factor
 * M = multiplier · 2^(shift − 31), multiplier ∈ [2^30, 2^31) (or 0), shift as TFLite's QuantizeMultiplier returns it
 * (> 0: left shift). Result: clamp(rounded(acc · M) + zeroPoint, min, max).
 *
 * rounding 'gemmlowp' (TFLite's MultiplyByQuantizedMultiplier, two roundings):
 *   x = acc · 2^max(shift, 0), wrapped to int32 (TFLite forms it in int32)
 *   SaturatingRoundingDoublingHighMul(x, multiplier): INT32_MAX if x = multiplier = −2^31; else
 *     p = x · multiplier (exact, 64-bit); nudge = p ≥ 0 ? 2^30 : 1 − 2^30; trunc((p + nudge) / 2^31)   (C division)
 *   RoundingDivideByPOT(y, e = max(−shift, 0)): mask = 2^e − 1; rem = y & mask; threshold = (mask >> 1) + (y < 0);
 *     (y >> e) + (rem > threshold)                          (arithmetic shift; ties away from zero)
 * other roundings: one rounding of the exact rational acc · multiplier / 2^(31 − shift) under the rule (BigInt).
 */
import { SimError } from '../base/errors.js';
import { createRng } from '../float/rng.js';
import { type Rounding, parseRounding, rounder } from './rounding.js';

export interface RequantizeOptions {
  readonly multiplier: number;
  readonly shift: number;
  readonly rounding?: Rounding;
  readonly zeroPoint?: number;
  readonly min?: number;
  readonly max?: number;
  /** Seed of stochastic rounding. */
  readonly seed?: number;
}

const TWO31 = 2 ** 31;

/** gemmlowp's SaturatingRoundingDoublingHighMul on int32 a, b, exactly, without BigInt. */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  if (a === -TWO31 && b === -TWO31) return TWO31 - 1;
  // a·b = p1·2^16 + p2 with p1 = a·bh, p2 = a·bl (each exact in float64); p1·2^16 = q1·2^31 + r1·2^16.
  const bh = b >> 16, bl = b & 0xffff;
  const p1 = a * bh, p2 = a * bl;
  const q1 = Math.floor(p1 / 32768), r1 = p1 - q1 * 32768;
  const ab = a * b;
  const nudge = ab > 0 || (ab === 0) ? 2 ** 30 : 1 - 2 ** 30;   // sign of the exact product = sign of the float one
  const s = r1 * 65536 + p2 + nudge;                            // |s| < 2^48: exact
  const fs = Math.floor(s / TWO31);
  const fl = q1 + fs, rem = s - fs * TWO31;                     // p + nudge = fl·2^31 + rem, 0 ≤ rem < 2^31
  return fl < 0 && rem !== 0 ? fl + 1 : fl;                     // C's truncating division
}

/** gemmlowp's RoundingDivideByPOT: x / 2^exponent, ties away from zero (0 ≤ exponent ≤ 31). */
export function roundingDivideByPOT(x: number, exponent: number): number {
  if (exponent === 0) return x;
  const mask = 2 ** exponent - 1;
  const rem = exponent === 31 ? (x < 0 ? x + TWO31 : x) : x & mask;
  const threshold = Math.floor(mask / 2) + (x < 0 ? 1 : 0);
  return Math.floor(x / 2 ** exponent) + (rem > threshold ? 1 : 0);
}

/** TFLite's QuantizeMultiplier: real M > 0 → multiplier in [2^30, 2^31) and shift with M ≈ multiplier · 2^(shift − 31). */
export function quantizeMultiplier(real: number): { multiplier: number; shift: number } {
  if (!(real >= 0) || !Number.isFinite(real)) throw new SimError('must be a finite number ≥ 0', { code: 'badValue', path: 'multiplier', value: real });
  if (real === 0) return { multiplier: 0, shift: 0 };
  let shift = Math.floor(Math.log2(real)) + 1;                  // frexp: real = q · 2^shift, q ∈ [0.5, 1)
  if (real / 2 ** shift >= 1) shift++;
  if (real / 2 ** shift < 0.5) shift--;
  const q = real / 2 ** shift;
  let multiplier = Math.round(q * TWO31);                        // std::round: q·2^31 > 0, so ties away = Math.round
  if (multiplier === TWO31) {
    multiplier /= 2;
    shift++;
  }
  if (shift < -31) return { multiplier: 0, shift: 0 };
  return { multiplier, shift };
}

const wrap32 = (x: number): number => x | 0;

function checkOptions(o: RequantizeOptions): void {
  if (!Number.isInteger(o.multiplier) || o.multiplier < 0 || o.multiplier >= TWO31) {
    throw new SimError('must be an integer in [0, 2^31)', { code: 'badValue', path: 'multiplier', value: o.multiplier, hint: 'Use quantizeMultiplier(realFactor).' });
  }
  if (!Number.isInteger(o.shift) || o.shift < -31 || o.shift > 30) {
    throw new SimError('must be an integer in [−31, 30]', { code: 'badValue', path: 'shift', value: o.shift });
  }
  if (o.rounding !== undefined) parseRounding(o.rounding);
}

/** One accumulator → integer under the options (validated once): the function `requantize` maps over an array. */
export function requantizer(o: RequantizeOptions): (acc: number) => number {
  checkOptions(o);
  const rule = o.rounding ?? 'gemmlowp';
  const zp = o.zeroPoint ?? 0, lo = o.min ?? -TWO31, hi = o.max ?? TWO31 - 1;
  const left = 2 ** Math.max(o.shift, 0), right = Math.max(-o.shift, 0), multiplier = o.multiplier;
  const round = rounder('stochastic', createRng(o.seed ?? 0));
  const mult = BigInt(multiplier), unit = 2n ** BigInt(31 - o.shift);   // 31 − shift ≥ 1
  const clamp = (y: number): number => {
    const z = y + zp;
    return z < lo ? lo : z > hi ? hi : z;
  };
  if (rule === 'gemmlowp') return (a) => clamp(roundingDivideByPOT(saturatingRoundingDoublingHighMul(wrap32(a * left), multiplier), right));
  return (a) => {
    // Exact: acc·multiplier / 2^(31 − shift) = whole + frac/unit with whole = ⌊·⌋, 0 ≤ frac < unit.
    const p = BigInt(a) * mult;
    let whole = p / unit, frac = p % unit;                      // BigInt division truncates
    if (frac < 0n) { whole -= 1n; frac += unit; }
    const w = Number(whole), twice = 2n * frac;
    if (frac === 0n) return clamp(w);
    if (rule === 'towardZero') return clamp(w < 0 ? w + 1 : w);
    if (rule === 'stochastic') return clamp(w + round(Number(frac) / Number(unit)));   // a fraction in (0, 1)
    if (twice > unit) return clamp(w + 1);
    if (twice < unit) return clamp(w);
    return clamp(rule === 'nearestEven' ? (w % 2 === 0 ? w : w + 1) : (w < 0 ? w : w + 1));
  };
}

/** int32 accumulators → integers: clamp(round(acc · multiplier · 2^(shift − 31)) + zeroPoint, min, max). */
export function requantize(acc: ArrayLike<number>, o: RequantizeOptions): Float64Array {
  const f = requantizer(o);
  const out = new Float64Array(acc.length);
  for (let i = 0; i < acc.length; i++) {
    const a = acc[i];
    if (!Number.isInteger(a) || a < -TWO31 || a >= TWO31) {
      throw new SimError('accumulators must be int32', { code: 'badValue', path: `acc[${i}]`, value: a });
    }
    out[i] = f(a);
  }
  return out;
}

/**
 * Number formats and the quantize/dequantize rules (sim/fixed/README.md states them):
 *   int:   q = overflow(round(x / scale) + zeroPoint) into [qmin, qmax]; x̂ = (q − zeroPoint) · scale.
 *          signed b bits: [−2^(b−1), 2^(b−1) − 1]; unsigned: [0, 2^b − 1]; 2 ≤ b ≤ 32.
 *          scale and zeroPoint per tensor (numbers) or per channel (arrays, channel c = ⌊i / inner⌋ mod channels).
 *   Qm.n:  an int format of m + n bits, signed, scale 2^−n, zero point 0 (m counts the sign bit: q4.12 is 16-bit).
 *   float: fp16 / bf16 / fp32 — q is the bit pattern (float16.ts), x̂ the value it encodes.
 */
import { SimError } from '../base/errors.js';
import { createRng } from '../float/rng.js';
import { bf16Bits, bf16FromBits, fp16Bits, fp16FromBits, fp32Bits, fp32FromBits } from './float16.js';
import { type OverflowRule, type Rounding, overflowInto, parseOverflow, parseRounding, rounder } from './rounding.js';

export interface IntFormat {
  readonly kind: 'int';
  readonly name: string;
  readonly bits: number;
  readonly signed: boolean;
  /** Real value of one step: a number (per tensor) or one per channel. */
  readonly scale: number | readonly number[];
  readonly zeroPoint: number | readonly number[];
  /** Per-channel only: elements per channel value in the flat layout (NCHW channel: H·W; last dim: 1). */
  readonly inner?: number;
  /** Qm.n only: n (then scale = 2^−n). */
  readonly fractionBits?: number;
  readonly rounding: Rounding;
  readonly overflow: OverflowRule;
  /** Seed of stochastic rounding. */
  readonly seed?: number;
}

export interface FloatFormat {
  readonly kind: 'float';
  readonly name: 'fp16' | 'bf16' | 'fp32';
  /** Significand precision p (implicit bit included): 11, 8, 24. */
  readonly precision: number;
}

export type NumberFormat = IntFormat | FloatFormat;

export interface FormatOptions {
  readonly rounding?: Rounding | string;
  readonly overflow?: OverflowRule | string;
  readonly scale?: number | readonly number[];
  readonly zeroPoint?: number | readonly number[];
  readonly inner?: number;
  readonly seed?: number;
}

const FLOATS = { fp16: 11, bf16: 8, fp32: 24 } as const;
const bad = (message: string, value: unknown, hint: string): never => {
  throw new SimError(message, { code: 'badValue', path: 'format', value, hint });
};
const HINT = 'Formats: int8, uint8, int4 … int32, uint2 … uint32, qM.N (M integer bits including the sign, e.g. q4.12), fp16, bf16, fp32.';

export function intRange(f: IntFormat): { qmin: number; qmax: number } {
  return f.signed ? { qmin: -(2 ** (f.bits - 1)), qmax: 2 ** (f.bits - 1) - 1 } : { qmin: 0, qmax: 2 ** f.bits - 1 };
}

/** `int8`, `uint8`, `int16`, `int32`, `q4.12`, `fp16`, `bf16`, `fp32` → a format (scale 1 unless given). */
export function parseFormat(name: string, options: FormatOptions = {}): NumberFormat {
  const key = name.trim().toLowerCase();
  if (key in FLOATS) return { kind: 'float', name: key as FloatFormat['name'], precision: FLOATS[key as keyof typeof FLOATS] };
  const rounding = parseRounding(options.rounding ?? 'nearestEven');
  const overflow = parseOverflow(options.overflow ?? 'saturate');
  const int = /^(u?)int(\d+)$/.exec(key);
  const q = /^q(\d+)\.(\d+)$/.exec(key);
  let f: IntFormat;
  if (int) {
    const bits = Number(int[2]);
    if (bits < 2 || bits > 32) bad(`has ${bits} bits; integer formats take 2 to 32`, name, HINT);
    f = { kind: 'int', name: key, bits, signed: int[1] === '', scale: options.scale ?? 1, zeroPoint: options.zeroPoint ?? 0, rounding, overflow };
  } else if (q) {
    const m = Number(q[1]), n = Number(q[2]), bits = m + n;
    if (m < 1) bad('needs at least 1 integer bit (the sign bit counts: q1.15 is 16-bit)', name, HINT);
    if (bits < 2 || bits > 32) bad(`has ${bits} bits (m + n); Qm.n formats take 2 to 32`, name, HINT);
    f = { kind: 'int', name: key, bits, signed: true, scale: 2 ** -n, zeroPoint: 0, fractionBits: n, rounding, overflow };
  } else {
    return bad('is not a number format', name, HINT);
  }
  if (options.inner !== undefined) f = { ...f, inner: options.inner };
  if (options.seed !== undefined) f = { ...f, seed: options.seed };
  if (f.rounding === 'gemmlowp') bad('gemmlowp rounding applies to requantization only', name, 'Use nearestEven or nearestAway for quantize.');
  const { qmin, qmax } = intRange(f);
  for (const z of [f.zeroPoint].flat()) {
    if (!Number.isInteger(z) || z < qmin || z > qmax) bad(`zero point ${z} is not an integer of the format's range [${qmin}, ${qmax}]`, name, 'Example: zeroPoint: 0');
  }
  for (const s of [f.scale].flat()) if (!(s > 0) || !Number.isFinite(s)) bad(`scale ${s} must be a positive finite number`, name, 'Example: scale: 0.0078125');
  return f;
}

const at = (v: number | readonly number[], i: number, inner: number): number =>
  typeof v === 'number' ? v : v[Math.floor(i / inner) % v.length];

/** Numbers → integers of the format (bit patterns for float formats). */
export function quantize(values: ArrayLike<number>, format: NumberFormat | string): Float64Array {
  const f = typeof format === 'string' ? parseFormat(format) : format;
  const out = new Float64Array(values.length);
  if (f.kind === 'float') {
    const enc = f.name === 'fp16' ? fp16Bits : f.name === 'bf16' ? bf16Bits : fp32Bits;
    for (let i = 0; i < values.length; i++) out[i] = enc(values[i]);
    return out;
  }
  const { qmin, qmax } = intRange(f);
  const round = rounder(f.rounding, createRng(f.seed ?? 0));
  const inner = f.inner ?? 1;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (!Number.isFinite(x)) {
      if (Number.isNaN(x)) throw new SimError('cannot quantize NaN to an integer format', { code: 'badValue', path: `values[${i}]`, value: x });
      out[i] = x > 0 ? qmax : qmin;
      continue;
    }
    out[i] = overflowInto(round(x / at(f.scale, i, inner)) + at(f.zeroPoint, i, inner), qmin, qmax, f.overflow);
  }
  return out;
}

/** Integers of the format (bit patterns for float formats) → numbers. */
export function dequantize(ints: ArrayLike<number>, format: NumberFormat | string): Float64Array {
  const f = typeof format === 'string' ? parseFormat(format) : format;
  const out = new Float64Array(ints.length);
  if (f.kind === 'float') {
    const dec = f.name === 'fp16' ? fp16FromBits : f.name === 'bf16' ? bf16FromBits : fp32FromBits;
    for (let i = 0; i < ints.length; i++) out[i] = dec(ints[i]);
    return out;
  }
  const inner = f.inner ?? 1;
  for (let i = 0; i < ints.length; i++) out[i] = (ints[i] - at(f.zeroPoint, i, inner)) * at(f.scale, i, inner);
  return out;
}

/** Symmetric scale for a range bound: max|x| maps to qmax (2^(b−1) − 1 signed, so −max maps to −qmax). */
export function symmetricScale(maxAbs: number, bits: number, signed = true): number {
  const qmax = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  return maxAbs > 0 ? maxAbs / qmax : 1;
}

/** Affine scale and zero point for [lo, hi] widened to hold 0 (PyTorch's MinMaxObserver rule). */
export function affineParams(lo: number, hi: number, f: IntFormat): { scale: number; zeroPoint: number } {
  const { qmin, qmax } = intRange(f);
  const l = Math.min(lo, 0), h = Math.max(hi, 0);
  const scale = h > l ? (h - l) / (qmax - qmin) : 1;
  const zeroPoint = Math.min(qmax, Math.max(qmin, qmin - Math.round(l / scale)));
  return { scale, zeroPoint };
}

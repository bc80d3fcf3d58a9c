/**
 * IEEE 754 binary16 (fp16), bfloat16 (bf16) and binary32 (fp32) emulation by bit patterns, no Math.fround:
 *  - fp16: float64 → the nearest binary16, ties to even, directly from the float64 value (one rounding, as numpy's
 *    float64 → float16 cast): 1 sign, 5 exponent (bias 15), 10 fraction bits; subnormals down to 2^−24; |x| ≥ 65520
 *    (the midpoint above the largest finite 65504) → ±Infinity; NaN → 0x7E00 (quiet NaN, sign kept).
 *  - bf16: the float64 is first rounded to binary32 (a Float32Array store: IEEE round to nearest even), then the
 *    float32 bits are rounded to their top 16 bits to nearest even: bits + 0x7FFF + ((bits >> 16) & 1), >> 16
 *    (the PyTorch / TensorFlow float32 → bfloat16 conversion); NaN → sign | 0x7FC0.
 *  - fp32: the Float32Array store; the bits are read through a Uint32Array view of the same buffer.
 * Decoding is exact (every fp16/bf16/fp32 value is a float64).
 */
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const u32of64 = new Uint32Array(f64.buffer);   // little-endian hosts: [low word, high word]

export function fp32Bits(x: number): number {
  f32[0] = x;
  return u32[0];
}

export function fp32FromBits(bits: number): number {
  u32[0] = bits >>> 0;
  return f32[0];
}

/** Binary exponent ⌊log2 |x|⌋ of a normal float64 from its exponent field (x finite, non-zero). */
function exponentOf(x: number): number {
  f64[0] = x;
  const e = (u32of64[1] >>> 20) & 0x7ff;
  return e === 0 ? -1023 : e - 1023;   // float64 subnormals are far below fp16's range; they round to 0 anyway
}

function halfEven(x: number): number {
  const f = Math.floor(x), d = x - f;
  return d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
}

export function fp16Bits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a === 0) return sign;
  if (a >= 65520) return sign | 0x7c00;
  // The quantum of a's binade in fp16 (2^−24 for subnormals); a / quantum is exact (a power-of-two division).
  const e = Math.max(exponentOf(a), -14);
  const quantum = 2 ** (e - 10);
  const r = halfEven(a / quantum) * quantum;   // may carry into the next binade, which the encoding below handles
  if (r === 0) return sign;
  const re = Math.max(exponentOf(r), -14);
  if (r < 2 ** -14) return sign | (r / 2 ** -24);                      // subnormal: fraction = r / 2^−24
  return sign | ((re + 15) << 10) | (r / 2 ** (re - 10) - 1024);          // normal: implicit leading 1 removed
}

export function fp16FromBits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1, e = (bits >>> 10) & 0x1f, frac = bits & 0x3ff;
  if (e === 0x1f) return frac ? NaN : sign * Infinity;
  if (e === 0) return sign * frac * 2 ** -24;
  return sign * (1024 + frac) * 2 ** (e - 25);
}

export function bf16Bits(x: number): number {
  const bits = fp32Bits(x);
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0) return ((bits >>> 16) & 0x8000) | 0x7fc0;
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

export function bf16FromBits(bits: number): number {
  return fp32FromBits((bits & 0xffff) << 16);
}

/** Round a number to the nearest value of the format (the round trip bits → value). */
export const roundToFp16 = (x: number): number => fp16FromBits(fp16Bits(x));
export const roundToBf16 = (x: number): number => bf16FromBits(bf16Bits(x));
export const roundToFp32 = (x: number): number => {
  f32[0] = x;
  return f32[0];
};

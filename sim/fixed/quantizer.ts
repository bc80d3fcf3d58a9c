/**
 * The quantizers of quantized training (fixed/qtrain.ts): a format name → a Quantizer (dynamic fixed point intB,
 * fixed point qM.N, fp16/bf16/fp32 rounding, fp64 = none), and quantizeTensor, which rounds a tensor into it with
 * nearest-even or stochastic rounding and counts what underflowed and saturated. Formats are described in qtrain.ts.
 */
import type { Precision } from '../arch/types.js';
import { SimError } from '../base/errors.js';
import type { Rng } from '../float/rng.js';
import { roundToBf16, roundToFp16, roundToFp32 } from './float16.js';
import { parseFormat } from './format.js';

/** The format of each operand role. */
export interface QTrainFormats {
  readonly weight: string;
  readonly activation: string;
  readonly error: string;
  readonly gradient: string;
  /** The weights the optimizer updates (e.g. fp32 master with int16 compute). */
  readonly master: string;
}

export type Quantizer =
  | { readonly kind: 'dynamic'; readonly name: string; readonly bits: number; readonly qmax: number }
  | { readonly kind: 'fixed'; readonly name: string; readonly bits: number; readonly scale: number; readonly qmin: number; readonly qmax: number }
  | { readonly kind: 'float'; readonly name: string; readonly bits: number; readonly round: (x: number) => number }
  | { readonly kind: 'none'; readonly name: 'fp64'; readonly bits: 64 };

export function quantizer(name: string, path = 'format'): Quantizer {
  if (name.trim().toLowerCase() === 'fp64') return { kind: 'none', name: 'fp64', bits: 64 };
  let f;
  try {
    f = parseFormat(name);
  } catch (e) {
    if (e instanceof SimError) throw new SimError(`"${name}" is not a training format`, { code: 'badValue', path, value: name, hint: 'Formats: int4 … int32 (dynamic fixed point), qM.N (fixed point, e.g. q4.12), fp16, bf16, fp32; master also fp64.' });
    throw e;
  }
  if (f.kind === 'float') {
    const round = f.name === 'fp16' ? roundToFp16 : f.name === 'bf16' ? roundToBf16 : roundToFp32;
    return { kind: 'float', name: f.name, bits: f.name === 'fp32' ? 32 : 16, round };
  }
  if (!f.signed) throw new SimError('training formats are signed (weights, errors and gradients have both signs)', { code: 'badValue', path, value: name, hint: 'Use int8 or int16.' });
  const qmax = 2 ** (f.bits - 1) - 1;
  if (f.fractionBits !== undefined) return { kind: 'fixed', name: f.name, bits: f.bits, scale: 2 ** -f.fractionBits, qmin: -qmax - 1, qmax };
  return { kind: 'dynamic', name: f.name, bits: f.bits, qmax };
}

export interface QStats { nonzero: number; underflow: number; saturated: number; nonFinite: number }
export const newStats = (): QStats => ({ nonzero: 0, underflow: 0, saturated: 0, nonFinite: 0 });

/** The power-of-two scale of dynamic fixed point: max|x| / 2^e ≤ qmax. */
function dynamicScale(x: ArrayLike<number>, qmax: number): number {
  let mx = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]);
    if (a > mx && a !== Infinity) mx = a;
  }
  if (mx === 0) return 1;
  let e = Math.ceil(Math.log2(mx / qmax));
  if (mx / 2 ** e > qmax) e++;
  return 2 ** e;
}

/**
 * x → values on the format's grid (`out`), counting underflow/saturation into `st`. Returns the scale of integer
 * formats (values / scale are the integers the array multiplies), null for float formats.
 */
export function quantizeTensor(q: Quantizer, x: ArrayLike<number>, out: Float64Array, rng: Rng | undefined, st: QStats): number | null {
  const n = x.length;
  if (q.kind === 'none') {
    for (let i = 0; i < n; i++) {
      out[i] = x[i];
      if (!Number.isFinite(x[i])) st.nonFinite++;
    }
    return null;
  }
  if (q.kind === 'float') {
    for (let i = 0; i < n; i++) {
      const v = x[i], r = q.round(v);
      out[i] = r;
      if (v !== 0) {
        st.nonzero++;
        if (r === 0) st.underflow++;
        if (!Number.isFinite(v)) st.nonFinite++;
        else if (!Number.isFinite(r)) st.saturated++;
      }
    }
    return null;
  }
  const scale = q.kind === 'dynamic' ? dynamicScale(x, q.qmax) : q.scale;
  const hi = q.qmax, lo = q.kind === 'dynamic' ? -q.qmax : q.qmin;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (v === 0) {
      out[i] = 0;
      continue;
    }
    st.nonzero++;
    if (!Number.isFinite(v)) {
      st.nonFinite++;
      out[i] = Number.isNaN(v) ? NaN : (v > 0 ? hi : lo) * scale;
      continue;
    }
    const s = v / scale;
    let r: number;
    if (rng) {
      const f = Math.floor(s);
      r = rng.uniform() < s - f ? f + 1 : f;
    } else {
      const a = Math.abs(s), f = Math.floor(a), d = a - f;
      const m = d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
      r = s < 0 ? -m : m;
    }
    if (r > hi) { r = hi; st.saturated++; } else if (r < lo) { r = lo; st.saturated++; }
    if (r === 0) st.underflow++;
    out[i] = r * scale + 0;
  }
  return scale;
}

/** The `simulate --precision` that times GEMMs in these formats: integer formats by width (q4.12 → int16), floats by name. */
export function simulatePrecision(formats: QTrainFormats): Precision {
  const qs = [formats.weight, formats.activation, formats.error, formats.gradient].map((f) => quantizer(f));
  const ints = qs.filter((q) => q.kind === 'dynamic' || q.kind === 'fixed');
  if (ints.length === qs.length) {
    const bits = Math.max(...ints.map((q) => q.bits));
    return `int${bits}` as Precision;
  }
  const floats = qs.filter((q) => q.kind === 'float').map((q) => q.name);
  if (floats.includes('fp32') || ints.some((q) => q.bits > 16)) return 'fp32';
  return floats.includes('fp16') ? 'fp16' : 'bf16';
}


/**
 * Tensors of the reference float engine: a shape and a flat, row-major array (activations NCHW): a Float64Array,
 * or in the float32 engine (`train --dtype float32`) a Float32Array. A layer's outputs and gradients take the type
 * of its inputs (zerosLike), so a float32 run stays float32 throughout; the float64 engine is the reference.
 * Plain data; every function here is pure and allocates its result, after checking the float engine's memory limit
 * (docs/limits.md, "floatElements").
 */
import { checkSize } from '../base/limits.js';

export type Shape = readonly number[];

/** The element type of a float-engine run. float32 is for speed and is not bit-compatible with float64 or PyTorch. */
export type Dtype = 'float64' | 'float32';
export const DTYPES: readonly Dtype[] = ['float64', 'float32'];

export type FloatData = Float64Array | Float32Array;

export interface Tensor {
  readonly shape: Shape;
  readonly data: FloatData;
}

export function dtypeOf(data: FloatData): Dtype {
  return data instanceof Float32Array ? 'float32' : 'float64';
}

/** n zeros of `like`'s element type (typed as `like`'s: the one place that cast is made). */
export function zerosLike<D extends FloatData>(like: D, n: number): D {
  return (like instanceof Float32Array ? new Float32Array(n) : new Float64Array(n)) as D;
}

/** n zeros of a dtype. */
export function zerosOf(dtype: Dtype, n: number): FloatData {
  return dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
}

/** The tensor's values as `dtype` (the same tensor when it already is). float64 → float32 rounds to nearest. */
export function withDtype(t: Tensor, dtype: Dtype): Tensor {
  if (dtypeOf(t.data) === dtype) return t;
  return { shape: t.shape, data: dtype === 'float32' ? Float32Array.from(t.data) : Float64Array.from(t.data) };
}

/** A tensor known to be float64: what the float64-only consumers (the lowering's executor, fixed point) work on. */
export interface Tensor64 extends Tensor {
  readonly data: Float64Array;
}

/** The tensor, checked to be float64 (asFloat64). */
export function asTensor64(t: Tensor, what = 'a tensor'): Tensor64 {
  asFloat64(t.data, what);
  return t as Tensor64;
}

/**
 * The data of a tensor that must be float64 (the fixed-point checks, the lowering's executor, reports that print
 * values): an internal error if a float32 tensor reaches it, which would be a bug in the caller.
 */
export function asFloat64(data: FloatData, what = 'a tensor'): Float64Array {
  if (!(data instanceof Float64Array)) throw new Error(`${what} is float32 where float64 is required: an engine bug`);
  return data;
}

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** The element count of a float64 tensor of `shape`, refused (SimError, exit 2) beyond the float engine's limit. */
export function floatsFor(shape: Shape, what = 'a tensor'): number {
  return checkSize(sizeOf(shape), 'floatElements', { path: what }, `the element count of [${shape.join(', ')}]`);
}

export function tensor(shape: Shape, data?: ArrayLike<number>): Tensor {
  const size = floatsFor(shape);
  if (data !== undefined && data.length !== size) {
    throw new Error(`tensor: data length ${data.length} does not match shape [${shape.join(', ')}] (${size})`);
  }
  return { shape: [...shape], data: data === undefined ? new Float64Array(size) : Float64Array.from(data) };
}

export function zeros(shape: Shape): Tensor {
  return { shape: [...shape], data: new Float64Array(floatsFor(shape)) };
}

export function full(shape: Shape, value: number): Tensor {
  return { shape: [...shape], data: new Float64Array(floatsFor(shape)).fill(value) };
}

/** Same data, another shape with the same element count (copies nothing). */
export function reshaped(t: Tensor, shape: Shape): Tensor {
  if (sizeOf(shape) !== t.data.length) {
    throw new Error(`reshape: [${t.shape.join(', ')}] has ${t.data.length} elements, [${shape.join(', ')}] needs ${sizeOf(shape)}`);
  }
  return { shape: [...shape], data: t.data };
}

export function map(t: Tensor, f: (x: number) => number): Tensor {
  const out = zerosLike(t.data, t.data.length);
  const d = t.data;
  for (let i = 0; i < d.length; i++) out[i] = f(d[i]);
  return { shape: t.shape, data: out };
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function showShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** Row-major strides of a shape. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** Adds `b` into `a` in place (same size); used to accumulate gradients of a value consumed twice. */
export function addInto(a: FloatData, b: FloatData): void {
  for (let i = 0; i < a.length; i++) a[i] += b[i];
}

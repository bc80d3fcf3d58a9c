/**
 * Tensors of the reference float engine: a shape and a flat, row-major Float64Array (activations NCHW).
 * Plain data; every function here is pure and allocates its result, after checking the float engine's memory limit
 * (docs/limits.md, "floatElements").
 */
import { checkSize } from '../base/limits.js';

export type Shape = readonly number[];

export interface Tensor {
  readonly shape: Shape;
  readonly data: Float64Array;
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
  const out = new Float64Array(t.data.length);
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
export function addInto(a: Float64Array, b: Float64Array): void {
  for (let i = 0; i < a.length; i++) a[i] += b[i];
}

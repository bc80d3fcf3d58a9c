/**
 * Elementwise sum and product of several tensors with NumPy broadcasting, and the reduction that brings a
 * gradient of the broadcast shape back to an input's shape (sum over the broadcast dimensions).
 */
import { broadcastShapes } from '../ir/shapes.js';
import { type FloatData, type Shape, type Tensor, sameShape, sizeOf, stridesOf, zerosLike } from './tensor.js';

/** For each output element, the flat index of the element of `shape` broadcast to `out`. */
function broadcastIndex(shape: Shape, out: Shape): Int32Array {
  const size = sizeOf(out);
  const idx = new Int32Array(size);
  const rank = out.length;
  const inStrides = stridesOf(shape);
  // Stride per output dim in the input: 0 where the input has size 1 (or no such dim).
  const strides = out.map((_, d) => {
    const id = d - (rank - shape.length);
    return id < 0 || shape[id] === 1 ? 0 : inStrides[id];
  });
  const counter = new Array<number>(rank).fill(0);
  let offset = 0;
  for (let i = 0; i < size; i++) {
    idx[i] = offset;
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]++;
      offset += strides[d];
      if (counter[d] < out[d]) break;
      offset -= strides[d] * out[d];
      counter[d] = 0;
    }
  }
  return idx;
}

/** Values of `t` laid out over the broadcast shape `out`. */
export function expandTo(t: Tensor, out: Shape): FloatData {
  if (sameShape(t.shape, out)) return t.data;
  const idx = broadcastIndex(t.shape, out);
  const res = zerosLike(t.data, idx.length);
  for (let i = 0; i < idx.length; i++) res[i] = t.data[idx[i]];
  return res;
}

/** Sums a gradient of shape `from` down to `shape` (the inverse of broadcasting). */
export function reduceTo(grad: FloatData, from: Shape, shape: Shape): Tensor {
  if (sameShape(from, shape)) return { shape, data: grad };
  const idx = broadcastIndex(shape, from);
  const res = zerosLike(grad, sizeOf(shape));
  for (let i = 0; i < idx.length; i++) res[idx[i]] += grad[i];
  return { shape, data: res };
}

export function addForward(xs: readonly Tensor[]): Tensor {
  const shape = broadcastShapes(xs.map((x) => x.shape));
  const out = zerosLike(xs[0].data, sizeOf(shape));
  for (const x of xs) {
    const v = expandTo(x, shape);
    for (let i = 0; i < out.length; i++) out[i] += v[i];
  }
  return { shape, data: out };
}

export function addBackward(xs: readonly Tensor[], dy: Tensor): Tensor[] {
  return xs.map((x) => reduceTo(dy.data.slice(), dy.shape, x.shape));
}

export function mulForward(xs: readonly Tensor[]): Tensor {
  const shape = broadcastShapes(xs.map((x) => x.shape));
  const out = zerosLike(xs[0].data, sizeOf(shape)).fill(1);
  for (const x of xs) {
    const v = expandTo(x, shape);
    for (let i = 0; i < out.length; i++) out[i] *= v[i];
  }
  return { shape, data: out };
}

/** d/dxᵢ of Πⱼ xⱼ is Πⱼ≠ᵢ xⱼ: recomputed without division, so zeros in other inputs are handled exactly. */
export function mulBackward(xs: readonly Tensor[], dy: Tensor): Tensor[] {
  const expanded = xs.map((x) => expandTo(x, dy.shape));
  return xs.map((x, i) => {
    const g = dy.data.slice();
    expanded.forEach((v, j) => {
      if (j !== i) for (let e = 0; e < g.length; e++) g[e] *= v[e];
    });
    return reduceTo(g, dy.shape, x.shape);
  });
}

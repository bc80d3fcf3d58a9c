/**
 * Data-movement layers: transpose (any permutation), constant padding of the last two dims, and concatenation.
 * Each backward is the inverse movement of the gradient.
 */
import { type Shape, type Tensor, sizeOf, stridesOf, zerosLike } from './tensor.js';

/** y = x with axes permuted: y.shape[i] = x.shape[perm[i]]. */
export function transpose(x: Tensor, perm: readonly number[]): Tensor {
  const shape = perm.map((p) => x.shape[p]);
  const inStrides = stridesOf(x.shape);
  const strides = perm.map((p) => inStrides[p]);
  const rank = shape.length;
  const out = zerosLike(x.data, x.data.length);
  const counter = new Array<number>(rank).fill(0);
  let src = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = x.data[src];
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]++;
      src += strides[d];
      if (counter[d] < shape[d]) break;
      src -= strides[d] * shape[d];
      counter[d] = 0;
    }
  }
  return { shape, data: out };
}

export function inversePerm(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

/** Pads the last two dims by [top, bottom, left, right] with `value`; with `crop`, the inverse (for backward). */
export function pad2d(x: Tensor, padding: readonly [number, number, number, number], value: number): Tensor {
  const [pt, pb, pl, pr] = padding;
  const rank = x.shape.length;
  const h = x.shape[rank - 2], w = x.shape[rank - 1];
  const ho = h + pt + pb, wo = w + pl + pr;
  const planes = sizeOf(x.shape.slice(0, -2));
  const out = zerosLike(x.data, planes * ho * wo).fill(value);
  for (let pl2 = 0; pl2 < planes; pl2++) {
    for (let i = 0; i < h; i++) {
      const src = pl2 * h * w + i * w;
      out.set(x.data.subarray(src, src + w), pl2 * ho * wo + (i + pt) * wo + pl);
    }
  }
  return { shape: [...x.shape.slice(0, -2), ho, wo], data: out };
}

export function crop2d(dy: Tensor, padding: readonly [number, number, number, number], inShape: Shape): Tensor {
  const [pt, , pl] = padding;
  const rank = inShape.length;
  const h = inShape[rank - 2], w = inShape[rank - 1];
  const ho = dy.shape[rank - 2], wo = dy.shape[rank - 1];
  const planes = sizeOf(inShape.slice(0, -2));
  const out = zerosLike(dy.data, sizeOf(inShape));
  for (let p = 0; p < planes; p++) {
    for (let i = 0; i < h; i++) {
      const src = p * ho * wo + (i + pt) * wo + pl;
      out.set(dy.data.subarray(src, src + w), p * h * w + i * w);
    }
  }
  return { shape: inShape, data: out };
}

export function concat(xs: readonly Tensor[], axis: number, outShape: Shape): Tensor {
  const outer = sizeOf(outShape.slice(0, axis));
  const chunkOut = sizeOf(outShape.slice(axis));
  const out = zerosLike(xs[0].data, sizeOf(outShape));
  let offset = 0;
  for (const x of xs) {
    const chunk = sizeOf(x.shape.slice(axis));
    for (let o = 0; o < outer; o++) out.set(x.data.subarray(o * chunk, (o + 1) * chunk), o * chunkOut + offset);
    offset += chunk;
  }
  return { shape: outShape, data: out };
}

export function splitConcatGrad(dy: Tensor, xs: readonly Tensor[], axis: number): Tensor[] {
  const outer = sizeOf(dy.shape.slice(0, axis));
  const chunkOut = sizeOf(dy.shape.slice(axis));
  let offset = 0;
  return xs.map((x) => {
    const chunk = sizeOf(x.shape.slice(axis));
    const g = zerosLike(x.data, x.data.length);
    for (let o = 0; o < outer; o++) g.set(dy.data.subarray(o * chunkOut + offset, o * chunkOut + offset + chunk), o * chunk);
    offset += chunk;
    return { shape: x.shape, data: g };
  });
}

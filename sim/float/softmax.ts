/**
 * Softmax along one axis, with max subtraction (so exp never overflows); backward dx = s·(dy − Σ(dy·s)) along
 * the same axis.
 */
import { exp } from './fdlibm.js';
import { type Tensor, zerosLike } from './tensor.js';

/** outer × axisLength × inner view of a shape around `axis` (already normalized to 0…rank−1). */
export function around(shape: readonly number[], axis: number): [number, number, number] {
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  return [outer, shape[axis], inner];
}

export function normalizeAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

export function softmaxForward(x: Tensor, axis: number): Tensor {
  const [outer, len, inner] = around(x.shape, normalizeAxis(axis, x.shape.length));
  const y = zerosLike(x.data, x.data.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let max = -Infinity;
      for (let a = 0; a < len; a++) max = Math.max(max, x.data[base + a * inner]);
      let sum = 0;
      for (let a = 0; a < len; a++) {
        const e = exp(x.data[base + a * inner] - max);
        y[base + a * inner] = e;
        sum += e;
      }
      for (let a = 0; a < len; a++) y[base + a * inner] /= sum;
    }
  }
  return { shape: x.shape, data: y };
}

export function softmaxBackward(y: Tensor, dy: Tensor, axis: number): Tensor {
  const [outer, len, inner] = around(y.shape, normalizeAxis(axis, y.shape.length));
  const dx = zerosLike(y.data, y.data.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let dot = 0;
      for (let a = 0; a < len; a++) dot += dy.data[base + a * inner] * y.data[base + a * inner];
      for (let a = 0; a < len; a++) {
        const k = base + a * inner;
        dx[k] = y.data[k] * (dy.data[k] - dot);
      }
    }
  }
  return { shape: y.shape, data: dx };
}

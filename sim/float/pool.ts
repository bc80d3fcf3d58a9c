/**
 * Pooling over NCHW, PyTorch's rules: max pool treats padding as −∞ and sends each gradient to the first arg-max
 * of its window (overlapping windows add); avg pool divides by the window clipped to the padded input (count
 * padding) or by the real cells in it (countIncludePad false). Output sizes come from ir/shapes.ts.
 */
import type { Pool2dNode } from '../ir/types.js';
import { type Alloc, freshLike } from './arena.js';
import { type FloatData, type Tensor, zerosLike } from './tensor.js';

interface Window {
  readonly h0: number; readonly h1: number; readonly w0: number; readonly w1: number; readonly divisor: number;
}

function* windows(node: Pool2dNode, h: number, w: number, p: number, q: number): Generator<Window> {
  const [kh, kw] = node.kernel;
  const [sh, sw] = node.stride;
  const [pt, pb, pl, pr] = node.padding;
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < q; j++) {
      let h0 = i * sh - pt, w0 = j * sw - pl;
      let h1 = Math.min(h0 + kh, h + pb), w1 = Math.min(w0 + kw, w + pr);
      const padded = (h1 - h0) * (w1 - w0);
      h0 = Math.max(h0, 0); w0 = Math.max(w0, 0);
      h1 = Math.min(h1, h); w1 = Math.min(w1, w);
      yield { h0, h1, w0, w1, divisor: node.countIncludePad ? padded : (h1 - h0) * (w1 - w0) };
    }
  }
}

export interface PoolSaved { readonly argmax?: Int32Array }

/**
 * Average pooling 2×2, stride 2, no padding, every window inside the input (LeNet's): each window has 4 cells
 * whatever countIncludePad says, and no two windows share a cell. The fast loops below do exactly what the general
 * ones do there — the sum from +0 in row-major order, divided by 4; each cell's gradient +0 + dy/4 — without the
 * window list.
 */
function isAvg2x2(node: Pool2dNode, xShape: readonly number[], outShape: readonly number[]): boolean {
  const [, , h, w] = xShape, [, , p, q] = outShape;
  return node.kind === 'avgPool2d' && node.kernel[0] === 2 && node.kernel[1] === 2 && node.stride[0] === 2
    && node.stride[1] === 2 && node.padding.every((x) => x === 0) && 2 * p <= h && 2 * q <= w;
}

function avg2x2Forward(x: FloatData, y: FloatData, planes: number, h: number, w: number, p: number, q: number): void {
  for (let plane = 0, out = 0; plane < planes; plane++) {
    for (let i = 0; i < p; i++) {
      let top = plane * h * w + 2 * i * w;
      for (let j = 0; j < q; j++, top += 2) {
        let sum = 0;
        sum += x[top];
        sum += x[top + 1];
        sum += x[top + w];
        sum += x[top + w + 1];
        y[out++] = sum / 4;
      }
    }
  }
}

/** Writes every cell a window covers; the others (an odd last row or column) must arrive +0. */
function avg2x2Backward(dy: FloatData, dx: FloatData, planes: number, h: number, w: number, p: number, q: number): void {
  for (let plane = 0, o = 0; plane < planes; plane++) {
    for (let i = 0; i < p; i++) {
      let top = plane * h * w + 2 * i * w;
      for (let j = 0; j < q; j++, top += 2) {
        const share = 0 + dy[o++] / 4;
        dx[top] = share;
        dx[top + 1] = share;
        dx[top + w] = share;
        dx[top + w + 1] = share;
      }
    }
  }
}

export function poolForward(node: Pool2dNode, x: Tensor, outShape: readonly number[], alloc: Alloc = freshLike(x.data)):
  { y: Tensor; saved: PoolSaved } {
  if (isAvg2x2(node, x.shape, outShape)) {
    const [n, c, h, w] = x.shape, [, , p, q] = outShape;
    const y = alloc(n * c * p * q, true);
    avg2x2Forward(x.data, y, n * c, h, w, p, q);
    return { y: { shape: outShape, data: y }, saved: {} };
  }
  return poolForwardReference(node, x, outShape, alloc);
}

export function poolBackward(node: Pool2dNode, x: Tensor, dy: Tensor, saved: PoolSaved, alloc: Alloc = freshLike(x.data)): Tensor {
  if (isAvg2x2(node, x.shape, dy.shape)) {
    const [n, c, h, w] = x.shape, [, , p, q] = dy.shape;
    const dx = alloc(x.data.length, 2 * p === h && 2 * q === w);   // windows tile the input: every cell written
    avg2x2Backward(dy.data, dx, n * c, h, w, p, q);
    return { shape: x.shape, data: dx };
  }
  return poolBackwardReference(node, x, dy, saved, alloc);
}

/** The general loops: any kernel, stride and padding; the definition the fast path must equal bit for bit. */
export function poolForwardReference(node: Pool2dNode, x: Tensor, outShape: readonly number[], alloc: Alloc = freshLike(x.data)):
  { y: Tensor; saved: PoolSaved } {
  const [n, c, h, w] = x.shape;
  const [, , p, q] = outShape;
  const wins = [...windows(node, h, w, p, q)];
  const y = alloc(n * c * p * q);
  const isMax = node.kind === 'maxPool2d';
  const argmax = isMax ? new Int32Array(y.length) : undefined;
  const xd = x.data;
  for (let plane = 0; plane < n * c; plane++) {
    const base = plane * h * w;
    for (let o = 0; o < wins.length; o++) {
      const win = wins[o];
      const out = plane * p * q + o;
      if (argmax) {
        let best = -Infinity, at = -1;
        for (let a = win.h0; a < win.h1; a++) {
          for (let b = win.w0; b < win.w1; b++) {
            const v = xd[base + a * w + b];
            if (v > best || Number.isNaN(v) || at < 0) {
              best = v;
              at = base + a * w + b;
              if (Number.isNaN(v)) break;
            }
          }
          if (Number.isNaN(best)) break;
        }
        y[out] = best;
        argmax[out] = at;
      } else {
        let sum = 0;
        for (let a = win.h0; a < win.h1; a++) for (let b = win.w0; b < win.w1; b++) sum += xd[base + a * w + b];
        y[out] = sum / win.divisor;
      }
    }
  }
  return { y: { shape: outShape, data: y }, saved: { argmax } };
}

export function poolBackwardReference(node: Pool2dNode, x: Tensor, dy: Tensor, saved: PoolSaved, alloc: Alloc = freshLike(x.data)): Tensor {
  const dx = alloc(x.data.length);
  const g = dy.data;
  if (saved.argmax) {
    const am = saved.argmax;
    for (let o = 0; o < g.length; o++) dx[am[o]] += g[o];
    return { shape: x.shape, data: dx };
  }
  const [n, c, h, w] = x.shape;
  const [, , p, q] = dy.shape;
  const wins = [...windows(node, h, w, p, q)];
  for (let plane = 0; plane < n * c; plane++) {
    const base = plane * h * w;
    for (let o = 0; o < wins.length; o++) {
      const win = wins[o];
      const share = g[plane * p * q + o] / win.divisor;
      for (let a = win.h0; a < win.h1; a++) for (let b = win.w0; b < win.w1; b++) dx[base + a * w + b] += share;
    }
  }
  return { shape: x.shape, data: dx };
}

export function globalAvgPoolForward(x: Tensor, outShape: readonly number[]): Tensor {
  const [n, c, h, w] = x.shape;
  const hw = h * w;
  const y = zerosLike(x.data, n * c);
  for (let plane = 0; plane < n * c; plane++) {
    let s = 0;
    for (let i = plane * hw; i < (plane + 1) * hw; i++) s += x.data[i];
    y[plane] = s / hw;
  }
  return { shape: outShape, data: y };
}

export function globalAvgPoolBackward(x: Tensor, dy: Tensor): Tensor {
  const [n, c, h, w] = x.shape;
  const hw = h * w;
  const dx = zerosLike(x.data, x.data.length);
  for (let plane = 0; plane < n * c; plane++) dx.fill(dy.data[plane] / hw, plane * hw, (plane + 1) * hw);
  return { shape: x.shape, data: dx };
}

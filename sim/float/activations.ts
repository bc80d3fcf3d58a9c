/**
 * Elementwise activations: value and derivative per element, as one table. Derivative conventions follow PyTorch:
 * ReLU'(0) = 0, leaky ReLU'(0) = slope, relu6/clip pass the gradient only strictly inside (min, max).
 */
import { normalCdf, normalPdf } from './special.js';
import { type Alloc, freshLike } from './arena.js';
import { reluBackward, reluForward } from './relu.js';
import type { Tensor } from './tensor.js';
import { tanh } from './portable-math.js';
import { exp } from './fdlibm.js';

/** f(x) and f'(x) (given x and y = f(x); whichever is cheaper). */
export interface Activation {
  readonly f: (x: number) => number;
  readonly df: (x: number, y: number) => number;
}

export function sigmoid(x: number): number {
  // Stable on both sides: never exp of a large positive number.
  if (x >= 0) return 1 / (1 + exp(-x));
  const e = exp(x);
  return e / (1 + e);
}

const SQRT_2_OVER_PI = 0.7978845608028654;

export const relu: Activation = { f: (x) => (x > 0 || x !== x ? x : 0), df: (x) => (x > 0 ? 1 : 0) };
export const sigmoidAct: Activation = { f: sigmoid, df: (_x, y) => y * (1 - y) };
export const tanhAct: Activation = { f: tanh, df: (_x, y) => 1 - y * y };
export const geluExact: Activation = { f: (x) => x * normalCdf(x), df: (x) => normalCdf(x) + x * normalPdf(x) };
export const geluTanh: Activation = {
  f: (x) => 0.5 * x * (1 + tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x))),
  df: (x) => {
    const inner = SQRT_2_OVER_PI * (x + 0.044715 * x * x * x);
    const t = tanh(inner);
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x);
  },
};
export function leakyRelu(slope: number): Activation {
  return { f: (x) => (x > 0 ? x : slope * x), df: (x) => (x > 0 ? 1 : slope) };
}
export function clip(min: number, max: number): Activation {
  return { f: (x) => (x < min ? min : x > max ? max : x), df: (x) => (x > min && x < max ? 1 : 0) };
}

/**
 * Whole-tensor loops. The common activations get loops of their own, so the element function is inlined (a shared
 * loop calling `act.f` sees many functions and cannot inline any: 3× slower on a small MLP's training run).
 */
/** `inPlace`: write over x (each element is read before it is written, so the loops are the same). */
export function applyForward(act: Activation, x: Tensor, alloc: Alloc = freshLike(x.data), inPlace = false): Tensor {
  const out = inPlace ? x.data : alloc(x.data.length, true);
  const d = x.data;
  if (act === tanhAct) for (let i = 0; i < d.length; i++) out[i] = tanh(d[i]);
  else if (act === sigmoidAct) for (let i = 0; i < d.length; i++) out[i] = sigmoid(d[i]);
  else if (act === relu) reluForward(d, out);
  else for (let i = 0; i < d.length; i++) out[i] = act.f(d[i]);
  return { shape: x.shape, data: out };
}

export function applyBackward(act: Activation, x: Tensor, y: Tensor, dy: Tensor, alloc: Alloc = freshLike(x.data)): Tensor {
  const out = alloc(x.data.length, true);
  const xd = x.data, yd = y.data, g = dy.data;
  if (act === tanhAct) for (let i = 0; i < xd.length; i++) out[i] = g[i] * (1 - yd[i] * yd[i]);
  else if (act === sigmoidAct) for (let i = 0; i < xd.length; i++) out[i] = g[i] * (yd[i] * (1 - yd[i]));
  else if (act === relu) reluBackward(xd, g, out);
  else for (let i = 0; i < xd.length; i++) out[i] = g[i] * act.df(xd[i], yd[i]);
  return { shape: x.shape, data: out };
}

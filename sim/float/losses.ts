/**
 * Losses and their gradients w.r.t. the prediction, PyTorch's definitions (mean reduction unless stated):
 *   mse         mean((p − t)²) over all elements, no ½                       dp = 2(p − t)/n
 *   bce         −mean(t·log p + (1 − t)·log(1 − p)), each log clamped ≥ −100   dp = (p − t)/max(p(1 − p), ε)/n, ε = float32(1e-12)
 *   bce-logits  mean(max(z, 0) − z·t + log1p(e^{−|z|}))                         dz = (σ(z) − t)/n
 *   softmax-ce  −(1/N)·Σₙ log softmax(zₙ)[labelₙ], labels integer class indices  dz = (softmax(z) − onehot)/N
 * `sum` reduction (mse and bce kinds) drops the 1/n.
 */
import { SimError } from '../base/errors.js';
import { sigmoid } from './activations.js';
import { exp, log, log1p } from './fdlibm.js';
import { type Tensor, sameShape, showShape, zerosLike } from './tensor.js';

export const LOSS_KINDS = ['mse', 'bce', 'bce-logits', 'softmax-ce'] as const;
export type LossKind = (typeof LOSS_KINDS)[number];
export type Reduction = 'mean' | 'sum';

export interface LossResult {
  readonly loss: number;
  /** dL/d(prediction), the prediction's shape. */
  readonly gradient: Tensor;
}

function requireSameShape(pred: Tensor, target: Tensor, kind: LossKind): void {
  if (!sameShape(pred.shape, target.shape)) {
    throw new SimError(`${kind} needs a target of the output's shape ${showShape(pred.shape)}, got ${showShape(target.shape)}`, {
      code: 'shapeMismatch', path: 'target',
    });
  }
}

export function mse(pred: Tensor, target: Tensor, reduction: Reduction = 'mean'): LossResult {
  requireSameShape(pred, target, 'mse');
  const n = reduction === 'mean' ? pred.data.length : 1;
  let sum = 0;
  const g = zerosLike(pred.data, pred.data.length);
  for (let i = 0; i < g.length; i++) {
    const d = pred.data[i] - target.data[i];
    sum += d * d;
    g[i] = (2 * d) / n;
  }
  return { loss: sum / n, gradient: { shape: pred.shape, data: g } };
}

/** PyTorch's clamp of p(1 − p) in BCE's gradient: the float32 constant 1e-12, i.e. 9.99999996e-13 as a double. */
const BCE_EPS = Math.fround(1e-12);

export function bce(prob: Tensor, target: Tensor, reduction: Reduction = 'mean'): LossResult {
  requireSameShape(prob, target, 'bce');
  const n = reduction === 'mean' ? prob.data.length : 1;
  let sum = 0;
  const g = zerosLike(prob.data, prob.data.length);
  for (let i = 0; i < g.length; i++) {
    const p = prob.data[i], t = target.data[i];
    // PyTorch clamps each log at −100, so p = 0 with t = 1 costs 100 rather than ∞, and 0·log 0 counts 0.
    const logP = Math.max(log(p), -100), log1mP = Math.max(log1p(-p), -100);
    sum -= t * logP + (1 - t) * log1mP;
    g[i] = (p - t) / Math.max(p * (1 - p), BCE_EPS) / n;
  }
  return { loss: sum / n, gradient: { shape: prob.shape, data: g } };
}

export function bceWithLogits(logits: Tensor, target: Tensor, reduction: Reduction = 'mean'): LossResult {
  requireSameShape(logits, target, 'bce-logits');
  const n = reduction === 'mean' ? logits.data.length : 1;
  let sum = 0;
  const g = zerosLike(logits.data, logits.data.length);
  for (let i = 0; i < g.length; i++) {
    const z = logits.data[i], t = target.data[i];
    sum += Math.max(z, 0) - z * t + log1p(exp(-Math.abs(z)));
    g[i] = (sigmoid(z) - t) / n;
  }
  return { loss: sum / n, gradient: { shape: logits.shape, data: g } };
}

/** Logits [N, C] (class axis 1) and labels [N] of integer class indices. */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor, reduction: Reduction = 'mean'): LossResult {
  if (logits.shape.length !== 2) {
    throw new SimError(`softmax-ce needs logits of shape [N, classes], got ${showShape(logits.shape)}`, { code: 'shapeMismatch', path: 'output' });
  }
  const [batch, classes] = logits.shape;
  if (labels.data.length !== batch) {
    throw new SimError(`softmax-ce needs ${batch} integer labels (shape [${batch}]), got shape ${showShape(labels.shape)}`, {
      code: 'shapeMismatch', path: 'target', hint: 'The target holds one class index per sample, e.g. { "shape": [2], "data": [3, 0] }.',
    });
  }
  const n = reduction === 'mean' ? batch : 1;
  const g = zerosLike(logits.data, logits.data.length);
  let sum = 0;
  for (let b = 0; b < batch; b++) {
    const label = labels.data[b];
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw new SimError(`label must be an integer class index in [0, ${classes - 1}]`, { code: 'badValue', path: `target.data[${b}]`, value: label });
    }
    const row = b * classes;
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, logits.data[row + c]);
    let z = 0;
    for (let c = 0; c < classes; c++) z += exp(logits.data[row + c] - max);
    const logZ = max + log(z);
    sum += logZ - logits.data[row + label];
    for (let c = 0; c < classes; c++) g[row + c] = (exp(logits.data[row + c] - logZ) - (c === label ? 1 : 0)) / n;
  }
  return { loss: sum / n, gradient: { shape: logits.shape, data: g } };
}

export const losses: Readonly<Record<LossKind, (pred: Tensor, target: Tensor, reduction?: Reduction) => LossResult>> = {
  mse,
  bce,
  'bce-logits': bceWithLogits,
  'softmax-ce': softmaxCrossEntropy,
};

/**
 * Optimizers with PyTorch's definitions (torch.optim, 1.13+), as a per-parameter state and an update rule.
 * g is the gradient after regularization (see regularize()):
 *   sgd       w ← w − α·g
 *   momentum  v ← ρ·v + g;  w ← w − α·v                       (v₀ = 0; dampening 0, no Nesterov)
 *   adam      m ← β₁m + (1 − β₁)g;  s ← β₂s + (1 − β₂)g²;
 *             w ← w − (α/(1 − β₁ᵗ))·m / (√s/√(1 − β₂ᵗ) + ε)   (bias-corrected; PyTorch's order of operations)
 *   rmsprop   s ← a·s + (1 − a)g²;  w ← w − α·g/(√s + ε)       (no momentum, not centered)
 * L2 adds λ·w to g and L1 adds λ·sign(w) (sign 0 = 0), before the optimizer sees g (PyTorch's weight_decay is L2).
 */
import { type FloatData, type Tensor, zerosLike } from './tensor.js';
import { powInt } from './portable-math.js';

export const OPTIMIZERS = ['sgd', 'momentum', 'adam', 'rmsprop'] as const;
export type OptimizerKind = (typeof OPTIMIZERS)[number];

export interface OptimizerConfig {
  readonly kind: OptimizerKind;
  /** ρ of momentum (default 0.9). */
  readonly momentum: number;
  readonly beta1: number;
  readonly beta2: number;
  /** RMSProp's smoothing constant α (PyTorch's name; default 0.99). */
  readonly alpha: number;
  readonly eps: number;
}

export const OPTIMIZER_DEFAULTS: Omit<OptimizerConfig, 'kind'> = { momentum: 0.9, beta1: 0.9, beta2: 0.999, alpha: 0.99, eps: 1e-8 };

/** Per-parameter optimizer buffers (velocity, first and second moments), created lazily at the first step. */
export interface OptimizerState {
  step: number;
  readonly buffers: Map<string, FloatData[]>;
}

export function createOptimizerState(): OptimizerState {
  return { step: 0, buffers: new Map() };
}

export interface Regularization {
  readonly l1: number;
  readonly l2: number;
  /** Keys `layer.param` the regularizer applies to. */
  readonly applies: (key: string) => boolean;
}

/** g + λ₂·w + λ₁·sign(w) for the parameters the regularizer covers (a new array; g is untouched). */
export function regularize(key: string, w: FloatData, g: FloatData, reg: Regularization): FloatData {
  if ((reg.l1 === 0 && reg.l2 === 0) || !reg.applies(key)) return g;
  const out = g.slice();
  for (let i = 0; i < out.length; i++) {
    if (reg.l2 !== 0) out[i] += reg.l2 * w[i];
    if (reg.l1 !== 0) out[i] += reg.l1 * Math.sign(w[i]);
  }
  return out;
}

/**
 * One optimizer step over all trainable parameters, in place. `grads` are already regularized.
 * Call once per mini-batch; the step counter (Adam's t) advances here.
 */
export function optimizerStep(
  cfg: OptimizerConfig, state: OptimizerState, lr: number,
  params: Record<string, Tensor>, grads: Readonly<Record<string, FloatData>>,
): void {
  state.step += 1;
  const t = state.step;
  for (const [key, g] of Object.entries(grads)) {
    const w = params[key].data;
    let bufs = state.buffers.get(key);
    if (!bufs) {
      // The parameter's element type: a float32 run keeps float32 moments, as PyTorch does for float32 parameters.
      bufs = cfg.kind === 'adam' ? [zerosLike(w, w.length), zerosLike(w, w.length)] : [zerosLike(w, w.length)];
      state.buffers.set(key, bufs);
    }
    switch (cfg.kind) {
      case 'sgd':
        for (let i = 0; i < w.length; i++) w[i] -= lr * g[i];
        break;
      case 'momentum': {
        const v = bufs[0];
        for (let i = 0; i < w.length; i++) {
          v[i] = cfg.momentum * v[i] + g[i];
          w[i] -= lr * v[i];
        }
        break;
      }
      case 'adam': {
        const [m, s] = bufs;
        const bc1 = 1 - powInt(cfg.beta1, t), bc2 = 1 - powInt(cfg.beta2, t);
        const stepSize = lr / bc1, sqrtBc2 = Math.sqrt(bc2);
        for (let i = 0; i < w.length; i++) {
          m[i] = cfg.beta1 * m[i] + (1 - cfg.beta1) * g[i];
          s[i] = cfg.beta2 * s[i] + (1 - cfg.beta2) * g[i] * g[i];
          w[i] -= stepSize * (m[i] / (Math.sqrt(s[i]) / sqrtBc2 + cfg.eps));
        }
        break;
      }
      case 'rmsprop': {
        const s = bufs[0];
        for (let i = 0; i < w.length; i++) {
          s[i] = cfg.alpha * s[i] + (1 - cfg.alpha) * g[i] * g[i];
          w[i] -= lr * (g[i] / (Math.sqrt(s[i]) + cfg.eps));
        }
        break;
      }
    }
  }
}

export const SCHEDULES = ['constant', 'step', 'exponential'] as const;
export type ScheduleKind = (typeof SCHEDULES)[number];

export interface Schedule {
  readonly kind: ScheduleKind;
  /** Multiplier γ per decay. */
  readonly gamma: number;
  /** step schedule: decay every this many epochs. */
  readonly stepEpochs: number;
}

/** Learning rate for a 0-based epoch index, as torch.optim.lr_scheduler.StepLR / ExponentialLR stepped once per epoch. */
export function learningRate(lr0: number, s: Schedule, epochIndex: number): number {
  switch (s.kind) {
    case 'constant':
      return lr0;
    case 'step':
      return lr0 * powInt(s.gamma, Math.floor(epochIndex / s.stepEpochs));
    case 'exponential':
      return lr0 * powInt(s.gamma, epochIndex);
  }
}

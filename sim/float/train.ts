/**
 * The training loop of an intro-to-DNN course, on the float engine:
 *   for each epoch: (shuffle) → mini-batches in order, the last partial batch kept →
 *     forward in training mode → loss → backward → + regularizer → optimizer step (lr from the schedule)
 *   then evaluate every split in eval mode → history; early stopping on validation loss restores the best weights.
 * Deterministic: permutations and dropout masks come from `seed`. A step's recorded loss is the mini-batch data loss
 * (no regularizer) at the parameters used for that step, before the update. An epoch's train loss and accuracy are
 * the means over its mini-batches as they were trained (training mode, as Keras reports them); validation and test
 * are evaluated after the epoch in eval mode.
 * Divergence (divergence.ts): a step whose loss, or whose updated parameters, hold NaN/±Infinity ends the run there
 * (`diverged`: the step and the layer); a loss of 100× the first one is warned about once (`lossGrowth`, `onWarning`).
 */
import type { LayerGraph } from '../ir/types.js';
import { Arena } from './arena.js';
import { type Divergence, type LossGrowth, lossDivergence, lossGrowth, paramDivergence } from './divergence.js';
import { backward, forward, paramsDtype } from './engine.js';
import type { Params } from './init.js';
import { type LossKind, losses } from './losses.js';
import {
  type OptimizerConfig, type Regularization, type Schedule, createOptimizerState, learningRate, optimizerStep, regularize,
} from './optimizers.js';
import { createRng } from './rng.js';
import { type Dtype, type Tensor, withDtype, zerosLike } from './tensor.js';

export interface Split {
  readonly features: Tensor;
  readonly targets: Tensor;
}

export type AccuracyRule = 'threshold-probability' | 'threshold-logit' | 'argmax' | 'none';

export interface TrainConfig {
  readonly loss: LossKind;
  readonly accuracy: AccuracyRule;
  readonly optimizer: OptimizerConfig;
  readonly lr: number;
  readonly schedule: Schedule;
  readonly batch: number;
  /** Stop after this many epochs, or after `steps` optimizer steps (the last epoch may be partial); one must be set. */
  readonly epochs?: number;
  readonly steps?: number;
  readonly reg: Regularization;
  readonly shuffle: boolean;
  readonly seed: number;
  /** Early stopping: epochs without a lower validation loss before training stops (needs a validation split). */
  readonly earlyStopPatience?: number;
  /**
   * The element type of parameters, activations and gradients [default float64, the reference engine]. float32 runs
   * the same loop on Float32Arrays and the float32 GEMM kernel; it is not bit-compatible with float64 or PyTorch.
   */
  readonly dtype?: Dtype;
}

export interface StepRecord { readonly epoch: number; readonly step: number; readonly loss: number }
export interface SplitMetrics { readonly loss: number; readonly accuracy: number | null }
export interface EpochRecord {
  readonly epoch: number;
  readonly lr: number;
  readonly steps: number;
  readonly train: SplitMetrics;
  readonly validation?: SplitMetrics;
  readonly test?: SplitMetrics;
}

export interface TrainResult {
  readonly steps: readonly StepRecord[];
  readonly epochs: readonly EpochRecord[];
  /** The trained parameters; after a divergence, those of the failed step (not finite: not to be saved). */
  readonly params: Params;
  /** Set when the run stopped on a non-finite loss or parameter; `epochs` then holds the epochs completed before it. */
  readonly diverged?: Divergence;
  /** The first step whose loss reached 100× the first step's. */
  readonly lossGrowth?: LossGrowth;
  readonly earlyStop?: { readonly stoppedAtEpoch: number | null; readonly bestEpoch: number; readonly bestValidationLoss: number };
}

export interface Splits { readonly train: Split; readonly validation?: Split; readonly test?: Split }

const rowSize = (t: Tensor) => t.data.length / t.shape[0];

/** Rows `idx` of a tensor (batch = first dimension). */
export function takeRows(t: Tensor, idx: ArrayLike<number>, from = 0, to = idx.length): Tensor {
  const size = rowSize(t);
  const out = zerosLike(t.data, (to - from) * size);
  for (let i = from; i < to; i++) out.set(t.data.subarray(idx[i] * size, (idx[i] + 1) * size), (i - from) * size);
  return { shape: [to - from, ...t.shape.slice(1)], data: out };
}

export function correct(rule: AccuracyRule, out: Tensor, target: Tensor): number {
  const n = out.shape[0];
  const width = rowSize(out);
  let hits = 0;
  for (let r = 0; r < n; r++) {
    if (rule === 'argmax') {
      let best = 0;
      for (let c = 1; c < width; c++) if (out.data[r * width + c] > out.data[r * width + best]) best = c;
      if (best === target.data[r]) hits++;
    } else {
      const cut = rule === 'threshold-probability' ? 0.5 : 0;
      for (let c = 0; c < width; c++) if ((out.data[r * width + c] >= cut ? 1 : 0) === target.data[r * width + c]) hits++;
    }
  }
  return rule === 'argmax' ? hits : hits / width;
}

/**
 * Loss (mean over the split, as the loss defines its mean) and accuracy, in eval mode, in chunks. A chunk's
 * activations go back to the arena as soon as the next layer has read them, and the next chunk reuses them.
 */
export function evaluate(graph: LayerGraph, params: Params, split: Split, loss: LossKind, rule: AccuracyRule,
  arena = new Arena(paramsDtype(params))): SplitMetrics {
  const n = split.features.shape[0];
  const input = graph.order[0];
  const chunk = 512;
  let lossSum = 0, hits = 0;
  const all = Array.from({ length: n }, (_, i) => i);
  for (let from = 0; from < n; from += chunk) {
    const to = Math.min(n, from + chunk);
    const out = forward(graph, params, { [input]: takeRows(split.features, all, from, to) }, { arena, keepValues: false }).output;
    const target = takeRows(split.targets, all, from, to);
    lossSum += losses[loss](out, target).loss * (to - from);
    if (rule !== 'none') hits += correct(rule, out, target);
    arena.recycle();
  }
  return { loss: lossSum / n, accuracy: rule === 'none' ? null : hits / n };
}

/** One mini-batch of a run: its epoch and step (both from 1), inputs and targets. */
export interface MiniBatch { readonly epoch: number; readonly step: number; readonly x: Tensor; readonly y: Tensor; readonly size: number }
export interface EpochPlan { readonly epoch: number; readonly lr: number; readonly batches: Iterable<MiniBatch> }

/**
 * The schedule of a training run, shared by the float and the fixed-point loops: epochs (each reshuffled from the
 * run's seed when `shuffle`), the learning rate of each, and its mini-batches in order, the last partial batch kept;
 * `steps` ends the run part-way through an epoch. An epoch's batches must be consumed before asking for the next epoch.
 */
export function* epochPlan(
  train: Split, cfg: Pick<TrainConfig, 'batch' | 'epochs' | 'steps' | 'shuffle' | 'seed' | 'lr' | 'schedule'>,
): Generator<EpochPlan> {
  const n = train.features.shape[0];
  const perEpoch = Math.ceil(n / cfg.batch);
  const totalSteps = cfg.steps ?? perEpoch * (cfg.epochs ?? 1);
  const rng = createRng(cfg.seed);
  let order = Array.from({ length: n }, (_, i) => i);
  let step = 0;
  for (let e = 0; step < totalSteps; e++) {
    if (cfg.shuffle) order = shuffled(order, rng);
    const ord = order, count = Math.min(perEpoch, totalSteps - step);
    const batches = function* (): Generator<MiniBatch> {
      for (let b = 0; b < count; b++) {
        const from = b * cfg.batch, to = Math.min(n, from + cfg.batch);
        step++;
        yield { epoch: e + 1, step, x: takeRows(train.features, ord, from, to), y: takeRows(train.targets, ord, from, to), size: to - from };
      }
    };
    yield { epoch: e + 1, lr: learningRate(cfg.lr, cfg.schedule, e), batches: batches() };
  }
}

/** A copy of the parameters (as `dtype`, by default their own). */
export function copyParams(p: Params, dtype?: Dtype): Params {
  return Object.fromEntries(Object.entries(p).map(([k, t]) => {
    const same = dtype === undefined || withDtype(t, dtype) === t;
    return [k, same ? { shape: t.shape, data: t.data.slice() } : withDtype(t, dtype)];
  }));
}

/** A split's features as `dtype` (targets stay as they are: labels and regression targets are only read). */
function splitAs(s: Split, dtype: Dtype): Split {
  return { features: withDtype(s.features, dtype), targets: s.targets };
}

/** What a training run yields after every epoch: the epoch's record and the parameters as they now are (live: copy to keep). */
export interface EpochProgress { readonly record: EpochRecord; readonly params: Params }

/**
 * The training loop, one epoch at a time: yields after every epoch (a caller may stop there, as the playground's
 * worker pauses) and returns the result when the run ends. `train` drains it; both give the same numbers.
 */
export function* trainEpochs(
  graph: LayerGraph, initial: Params, given: Splits, cfg: TrainConfig, onWarning?: (w: LossGrowth) => void,
): Generator<EpochProgress, TrainResult, void> {
  const dtype = cfg.dtype ?? 'float64';
  const params = copyParams(initial, dtype);
  // Converted once here rather than batch by batch in forward.
  const data: Splits = dtype === 'float64' ? given : {
    train: splitAs(given.train, dtype),
    ...(given.validation ? { validation: splitAs(given.validation, dtype) } : {}),
    ...(given.test ? { test: splitAs(given.test, dtype) } : {}),
  };
  const input = graph.order.find((name) => graph.layers.some((l) => l.name === name && l.kind === 'input'))!;
  const state = createOptimizerState();
  // A step's activations and gradients are dead once its update is done; the next step (same shapes) reuses them.
  const arena = new Arena(dtype);
  const steps: StepRecord[] = [];
  const epochs: EpochRecord[] = [];
  let best: { loss: number; epoch: number; params: Params } | undefined;
  let stoppedAtEpoch: number | null = null;
  let wait = 0;
  let diverged: Divergence | undefined;
  let growth: LossGrowth | undefined;
  outer: for (const { epoch, lr, batches } of epochPlan(data.train, cfg)) {
    let lossSum = 0, hits = 0, seen = 0;
    for (const { step, x, y, size } of batches) {
      // Each step's dropout masks get their own seed, derived from the run's seed and the step number.
      const fwd = forward(graph, params, { [input]: x }, { training: true, seed: (Math.imul(cfg.seed, 0x9e3779b1) + step) >>> 0, arena });
      const res = losses[cfg.loss](fwd.output, y);
      diverged = lossDivergence(graph, step, epoch, res.loss, cfg.loss, fwd.values);
      if (diverged) break outer;
      steps.push({ epoch, step, loss: res.loss });
      if (!growth && (growth = lossGrowth(step, res.loss, steps[0].loss))) onWarning?.(growth);
      lossSum += res.loss * size;
      if (cfg.accuracy !== 'none') hits += correct(cfg.accuracy, fwd.output, y);
      seen += size;
      const grads = backward(fwd.tape, params, res.gradient, { inputGradients: false, alloc: arena.alloc }).params;
      for (const [key, t] of Object.entries(fwd.state)) params[key] = t;
      const regularized = Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, regularize(k, params[k].data, g.data, cfg.reg)]));
      optimizerStep(cfg.optimizer, state, lr, params, regularized);
      arena.recycle();
      diverged = paramDivergence(graph, step, epoch, params);
      if (diverged) break outer;
    }
    const record: EpochRecord = {
      epoch, lr, steps: steps.length,
      train: { loss: lossSum / seen, accuracy: cfg.accuracy === 'none' ? null : hits / seen },
      ...(data.validation ? { validation: evaluate(graph, params, data.validation, cfg.loss, cfg.accuracy, arena) } : {}),
      ...(data.test ? { test: evaluate(graph, params, data.test, cfg.loss, cfg.accuracy, arena) } : {}),
    };
    epochs.push(record);
    yield { record, params };
    if (cfg.earlyStopPatience !== undefined && record.validation) {
      if (best === undefined || record.validation.loss < best.loss) {
        best = { loss: record.validation.loss, epoch, params: copyParams(params) };
        wait = 0;
      } else if (++wait >= cfg.earlyStopPatience) {
        stoppedAtEpoch = epoch;
        break;
      }
    }
  }
  const warned = growth ? { lossGrowth: growth } : {};
  if (diverged) return { steps, epochs, params, diverged, ...warned };
  if (best) {
    return {
      steps, epochs, params: best.params, ...warned,
      earlyStop: { stoppedAtEpoch, bestEpoch: best.epoch, bestValidationLoss: best.loss },
    };
  }
  return { steps, epochs, params, ...warned };
}

export function train(
  graph: LayerGraph, initial: Params, given: Splits, cfg: TrainConfig, onEpoch?: (e: EpochRecord) => void,
  onWarning?: (w: LossGrowth) => void,
): TrainResult {
  const run = trainEpochs(graph, initial, given, cfg, onWarning);
  for (;;) {
    const next = run.next();
    if (next.done) return next.value;
    onEpoch?.(next.value.record);
  }
}

/** Fisher–Yates with the run's RNG. */
export function shuffled(order: readonly number[], rng: ReturnType<typeof createRng>): number[] {
  const out = [...order];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

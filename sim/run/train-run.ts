/**
 * `train`: model + dataset + options → a training run. Fits the dataset to the model (shapes, the loss and the
 * accuracy rule for the task), splits it, applies the dropout and init options, then runs float/train.ts.
 * Plain data in and out; the CLI reads files and prints.
 */
import { SimError } from '../base/errors.js';
import type { Dataset, Task } from '../datasets/types.js';
import { buildGraph } from '../ir/graph.js';
import type { InitConfig, LayerGraph, LayerNode } from '../ir/types.js';
import { type Divergence, type LossGrowth, lossDivergence } from '../float/divergence.js';
import { forward } from '../float/engine.js';
import { assertFiniteParams } from './finite.js';
import { type Params, initParams } from '../float/init.js';
import type { LossKind } from '../float/losses.js';
import { createRng } from '../float/rng.js';
import type { Dtype, Tensor } from '../float/tensor.js';
import {
  type AccuracyRule, type EpochRecord, type Split, type SplitMetrics, type Splits, type TrainConfig, type TrainResult, evaluate, shuffled, takeRows, train,
} from '../float/train.js';

export interface TrainRequest {
  readonly graph: LayerGraph;
  readonly dataset: Dataset;
  /** Loss; default from the task and the model's last layer. */
  readonly loss?: LossKind;
  readonly config: Omit<TrainConfig, 'loss' | 'accuracy'>;
  readonly init?: InitConfig;
  /** Set p of every dropout layer; with none in the model, add one after every hidden activation. */
  readonly dropout?: number;
  readonly valSplit: number;
  readonly testSplit: number;
  /** Progress callback after every epoch. */
  readonly onEpoch?: (e: EpochRecord) => void;
  /** Called once, during training, when the loss reaches 100× its first value (float/divergence.ts). */
  readonly onWarning?: (w: LossGrowth) => void;
}

export interface TrainRun {
  readonly graph: LayerGraph;
  readonly loss: LossKind;
  /** Why the loss was picked, when --loss was not given. */
  readonly lossDefault?: string;
  readonly accuracy: AccuracyRule;
  readonly sizes: { readonly train: number; readonly validation: number; readonly test: number };
  readonly result: TrainResult;
  /** Metrics of the returned parameters (the best epoch's when early stopping restored them); none after a divergence. */
  readonly final?: { readonly train: SplitMetrics; readonly validation?: SplitMetrics; readonly test?: SplitMetrics };
  readonly notes: readonly string[];
  /** The float engine's element type the run used. */
  readonly dtype: Dtype;
}

const ACTIVATIONS = new Set(['relu', 'relu6', 'leakyRelu', 'sigmoid', 'tanh', 'gelu', 'clip']);

/** The graph with dropout p set, or dropout layers added after hidden activations when the model has none. */
export function withDropout(graph: LayerGraph, p: number): { graph: LayerGraph; note: string } {
  const existing = graph.layers.filter((l) => l.kind === 'dropout');
  let layers: LayerNode[];
  let note: string;
  if (existing.length) {
    layers = graph.layers.map((l) => (l.kind === 'dropout' ? { ...l, p } : l));
    note = `dropout p = ${p} on ${existing.map((l) => l.name).join(', ')}`;
  } else {
    const hidden = graph.layers.filter((l) => ACTIVATIONS.has(l.kind) && l.name !== graph.output);
    if (!hidden.length) throw new SimError('the model has no hidden activation to put dropout after', { code: 'badValue', path: '--dropout', value: p });
    const rename = new Map(hidden.map((l) => [l.name, `${l.name}_dropout`]));
    layers = graph.layers.flatMap((l): LayerNode[] => {
      const node = { ...l, inputs: l.inputs.map((s) => rename.get(s) ?? s) } as LayerNode;
      return rename.has(l.name) ? [node, { kind: 'dropout', name: rename.get(l.name)!, inputs: [l.name], p }] : [node];
    });
    note = `dropout p = ${p} added after ${hidden.map((l) => l.name).join(', ')}`;
  }
  const params = Object.fromEntries(Object.entries(graph.givenParams).map(([k, t]) => [k, { tensor: t, at: { path: k } }]));
  return { graph: buildGraph({ name: graph.name, layers, output: graph.output, seed: graph.seed, params, init: graph.init }), note };
}

/** The loss a task and output layer call for, and why (said in the report). */
function defaultLoss(task: Task, last: LayerNode): { loss: LossKind; why: string } {
  if (task === 'multiclass') return { loss: 'softmax-ce', why: 'class labels' };
  if (task === 'binary') return last.kind === 'sigmoid' ? { loss: 'bce', why: '0/1 labels, sigmoid output' } : { loss: 'bce-logits', why: '0/1 labels, logit output' };
  return { loss: 'mse', why: 'numeric targets (regression)' };
}

const show = (s: readonly number[]) => `[${s.join(', ')}]`;

/**
 * Checks that loss, model output and dataset targets fit together; one clear error otherwise. A loss the user gave
 * is blamed on --loss; a default one on --model (the model does not fit the dataset), naming why it was picked.
 */
function checkFit(loss: LossKind, defaultWhy: string | undefined, task: Task, out: readonly number[], targets: Tensor, last: LayerNode, classes: number): void {
  const err = (problem: string, hint: string): never => {
    if (defaultWhy === undefined) throw new SimError(problem, { code: 'lossMismatch', path: '--loss', value: loss, hint });
    throw new SimError(`the model does not fit the dataset (default loss ${loss}, picked for ${defaultWhy}): ${problem}`, { code: 'lossMismatch', path: '--model', hint });
  };
  if (loss === 'softmax-ce') {
    if (task !== 'multiclass') err(`softmax-ce needs class labels, but the dataset is a ${task} task`, 'Use bce or bce-logits for 0/1 labels, mse for regression.');
    if (out.length !== 2 || out[1] < 2) err(`softmax-ce needs a model output of shape [N, classes], got ${show(out)}`, 'End the model with a dense layer of one unit per class.');
    if (out[1] < classes) err(`the dataset has ${classes} classes but the model outputs ${out[1]} scores`, `Give the last dense layer units: ${classes}.`);
    if (last.kind === 'softmax') err('softmax-ce takes logits, but the model ends with a softmax layer', 'Remove the final softmax layer (the loss applies softmax itself).');
    return;
  }
  if (task === 'multiclass') err(`${loss} needs one target per output, but the dataset has class labels`, 'Use --loss softmax-ce with a [N, classes] output.');
  const want = targets.shape.slice(1);
  if (show(out.slice(1)) !== show(want)) {
    err(`${loss} needs the model output ${show(out)} to match the targets [N, ${want.join(', ')}]`, `Give the last layer ${want[want.length - 1]} unit(s).`);
  }
}

/** Features fitted to the model's input: same per-sample shape, or the same size (then reshaped, e.g. 28×28 → 784). */
export function fitFeatures(features: Tensor, input: readonly number[]): Tensor {
  const per = features.shape.slice(1);
  if (show(per) === show(input.slice(1))) return features;
  const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
  if (size(per) === size(input.slice(1))) return { shape: [features.shape[0], ...input.slice(1)], data: features.data };
  throw new SimError(`the dataset's samples have shape ${show(per)} but the model's input takes ${show(input.slice(1))}`, {
    code: 'shapeMismatch', path: '--dataset', hint: 'Change the input layer\'s shape to [1, …] of the sample shape.',
  });
}

/**
 * Train | validation | test, drawn by a seeded permutation (always: a file sorted by class, like iris, must not put
 * one class in the test split); each split keeps file order, so `--shuffle false` trains in file order.
 */
/** The permutation `split` draws: its first n − held samples train, the next validate, the last test. */
export function splitOrder(n: number, held: number, seed: number): number[] {
  const identity = Array.from({ length: n }, (_, i) => i);
  return held > 0 ? shuffled(identity, createRng(seed ^ 0x5eed)) : identity;
}

export function split(features: Tensor, targets: Tensor, val: number, test: number, seed: number): Splits {
  const n = features.shape[0];
  const nVal = Math.round(n * val), nTest = Math.round(n * test);
  if (n - nVal - nTest < 1) {
    throw new SimError(`leaves no training samples out of ${n}`, { code: 'badValue', path: '--val-split/--test-split', value: [val, test] });
  }
  const order = splitOrder(n, nVal + nTest, seed);
  const part = (from: number, to: number): Split | undefined => {
    if (to <= from) return undefined;
    const idx = order.slice(from, to).sort((a, b) => a - b); // keep file order inside a split
    return { features: takeRows(features, idx), targets: takeRows(targets, idx) };
  };
  const nTrain = n - nVal - nTest;
  return { train: part(0, nTrain)!, validation: part(nTrain, nTrain + nVal), test: part(nTrain + nVal, n) };
}

/** A run made ready: the model as trained (dropout applied), the loss and accuracy rule, the splits, the initial parameters. */
export interface PreparedTraining {
  readonly graph: LayerGraph;
  readonly loss: LossKind;
  readonly lossDefault?: string;
  readonly accuracy: AccuracyRule;
  readonly splits: Splits;
  readonly params: Params;
  readonly notes: readonly string[];
}

/** Everything runTraining does before the loop (float/train.ts), so a caller can run the loop epoch by epoch. */
export function prepareTraining(req: Omit<TrainRequest, 'onEpoch' | 'onWarning'>): PreparedTraining {
  const notes: string[] = [];
  let graph = req.graph;
  if (req.dropout !== undefined) {
    const d = withDropout(graph, req.dropout);
    graph = d.graph;
    notes.push(d.note);
  }
  const inputs = graph.layers.filter((l) => l.kind === 'input');
  if (inputs.length !== 1) {
    throw new SimError(`training needs a model with one input layer, this one has ${inputs.length}`, { code: 'badValue', path: '--model' });
  }
  const ds = req.dataset;
  const last = graph.layers.find((l) => l.name === graph.output)!;
  const picked = req.loss === undefined ? defaultLoss(ds.task, last) : undefined;
  const loss = req.loss ?? picked!.loss;
  const classes = ds.task === 'multiclass' ? ds.targets.data.reduce((a, b) => Math.max(a, b), 0) + 1 : 0;
  checkFit(loss, picked?.why, ds.task, graph.shapes[graph.output], ds.targets, last, classes);
  const features = fitFeatures(ds.features, graph.shapes[inputs[0].name]);
  const accuracy: AccuracyRule =
    ds.task === 'multiclass' ? 'argmax' : ds.task === 'regression' ? 'none' : loss === 'bce-logits' ? 'threshold-logit' : 'threshold-probability';
  const splits = split(features, ds.targets, req.valSplit, req.testSplit, req.config.seed);
  if (req.config.earlyStopPatience !== undefined && !splits.validation) {
    throw new SimError('early stopping watches the validation loss: give a validation split', {
      code: 'badValue', path: '--early-stop-patience', hint: 'Example: --val-split 0.2 --early-stop-patience 10',
    });
  }
  // Parameters the model file does not give are drawn from the run's seed.
  const params = initParams(graph, req.config.seed, req.init ?? graph.init);
  assertFiniteParams(params, 'to train');
  return { graph, loss, ...(picked ? { lossDefault: picked.why } : {}), accuracy, splits, params, notes };
}

export function runTraining(req: TrainRequest): TrainRun {
  const { graph, loss, lossDefault, accuracy, splits, params, notes } = prepareTraining(req);
  const result = train(graph, params, splits, { ...req.config, loss, accuracy }, req.onEpoch, req.onWarning);
  const metrics = (s?: Split) => (s ? evaluate(graph, result.params, s, loss, accuracy) : undefined);
  const scored = result.diverged ? undefined : { train: metrics(splits.train)!, validation: metrics(splits.validation), test: metrics(splits.test) };
  // The last update can leave finite weights that overflow in the final evaluation (a learning rate of 1e308): that
  // run diverged too, at its last step, or its model would be saved with a NaN loss.
  const lastBad = scored && finalDivergence(graph, result, splits, scored, loss);
  const final = scored && !lastBad ? { final: scored } : {};
  return {
    graph, loss, ...(lossDefault !== undefined ? { lossDefault } : {}), accuracy, result: lastBad ? { ...result, diverged: lastBad } : result, ...final, notes,
    dtype: req.config.dtype ?? 'float64',
    sizes: { train: splits.train.features.shape[0], validation: splits.validation?.features.shape[0] ?? 0, test: splits.test?.features.shape[0] ?? 0 },
  };
}

/** The divergence of a run whose steps were finite but whose trained model's loss on a split is not (see above). */
function finalDivergence(
  graph: LayerGraph, result: TrainResult, splits: Splits,
  scored: Readonly<Record<'train' | 'validation' | 'test', SplitMetrics | undefined>>, loss: LossKind,
): Divergence | undefined {
  const split = (['train', 'validation', 'test'] as const).find((k) => scored[k] !== undefined && !Number.isFinite(scored[k]!.loss));
  if (split === undefined) return undefined;
  const last = result.steps[result.steps.length - 1];
  const data = splits[split]!;
  const rows = Array.from({ length: Math.min(512, data.features.shape[0]) }, (_, i) => i);
  const fwd = forward(graph, result.params, { [graph.order[0]]: takeRows(data.features, rows) });
  const value = scored[split]!.loss;
  return lossDivergence(graph, last.step, last.epoch, value, loss, fwd.values,
    `after the last update (step ${last.step}, epoch ${last.epoch}) the trained model's ${split} loss is ${value}`);
}

/**
 * `train` as a library call: the options name what the CLI's flags name, with the same defaults (TRAIN_DEFAULTS), and
 * `train()` returns the object `systolab train --format json` prints. `trainModel()` also returns the trained model
 * document and the history the CLI writes, and the runs the text view is made from.
 */
import { SimError } from '../base/errors.js';
import { readTextFile } from '../base/files.js';
import { csvToDataset } from '../datasets/csv.js';
import type { Dataset } from '../datasets/types.js';
import { type QTrainOptions } from '../fixed/qtrain.js';
import { type QTrainFormats, quantizer } from '../fixed/quantizer.js';
import type { Divergence, LossGrowth } from '../float/divergence.js';
import type { LossKind } from '../float/losses.js';
import { OPTIMIZER_DEFAULTS, type OptimizerKind, type ScheduleKind } from '../float/optimizers.js';
import type { EpochRecord } from '../float/train.js';
import { DTYPES, type Dtype } from '../float/tensor.js';
import { splitKey } from '../ir/graph.js';
import { graphToDocument } from '../ir/serialize.js';
import { tensorToJson } from '../ir/tensor-json.js';
import type { InitScheme, LayerGraph } from '../ir/types.js';
import { loadDataset } from '../load/datasets/registry.js';
import { loadAnyModel, resolveModel } from '../load/model.js';
import { type QTrainRun, runQuantizedTraining } from '../run/qtrain-run.js';
import { summarizeLayers } from '../run/qtrain-summary.js';
import { type TrainRequest, type TrainRun, runTraining } from '../run/train-run.js';
import { TRAINED_MODEL_FILE, type TrainedOn, csvTask } from './trained-on.js';

/** The quantized-training options (`train --precision …`). */
export interface QuantFlags {
  /** Turns quantized training on: the GEMM operand format of every role [default int16 when a role format is given]. */
  precision?: string;
  weightFormat?: string;
  activationFormat?: string;
  errorFormat?: string;
  gradientFormat?: string;
  masterFormat?: string;
  stochasticRounding?: boolean;
  lossScale?: number;
  accumulatorBits?: number;
  diagnostics?: 'full' | 'loss';
}

export interface TrainOptions extends QuantFlags {
  /** A model file or built-in name [default: the built-in dataset's model, DEFAULT_MODELS]. */
  model?: string;
  /** A dataset name (NAME:key=value…) or FILE.csv. */
  dataset: string;
  label?: string;
  loss?: LossKind;
  optimizer?: OptimizerKind;
  lr?: number;
  momentum?: number;
  beta1?: number;
  beta2?: number;
  alpha?: number;
  eps?: number;
  schedule?: ScheduleKind;
  lrGamma?: number;
  lrStepEpochs?: number;
  batch?: number;
  epochs?: number;
  steps?: number;
  l1?: number;
  l2?: number;
  regScope?: 'all' | 'weights';
  dropout?: number;
  valSplit?: number;
  testSplit?: number;
  earlyStopPatience?: number;
  shuffle?: boolean;
  seed?: number;
  init?: InitScheme;
  initStd?: number;
  /** The float engine's element type [default float64]; float32 is not bit-compatible (when it is faster: docs/performance.md). */
  dtype?: Dtype;
}

/** The model each built-in dataset trains by default (its features and classes fit; the loss follows from the task). */
export const DEFAULT_MODELS: Readonly<Record<string, string>> = {
  house: 'linear-regression', 'pass-fail': 'pass-fail-mlp', circle: 'playground-mlp', xor: 'playground-mlp',
  gaussians: 'playground-mlp', spiral: 'playground-mlp', iris: 'iris-mlp', digits: 'lenet-digits',
};

/** The model `train` uses: --model, else the dataset's default; a CSV dataset has none. */
export function modelFor(o: Pick<TrainOptions, 'model' | 'dataset'>): { model: string; defaulted: boolean } {
  if (o.model !== undefined) return { model: o.model, defaulted: false };
  const name = o.dataset.split(':')[0];
  const model = Object.hasOwn(DEFAULT_MODELS, name) ? DEFAULT_MODELS[name] : undefined;
  if (model === undefined) {
    throw new SimError(`is needed: dataset ${name} has no default model`, {
      code: 'badValue', path: '--model',
      hint: `Defaults exist for ${Object.entries(DEFAULT_MODELS).map(([d, m]) => `${d} → ${m}`).join(', ')}.`,
    });
  }
  return { model, defaulted: true };
}

/** The defaults of every option, shared with the CLI's flags. */
export const TRAIN_DEFAULTS = {
  optimizer: 'sgd' as OptimizerKind, lr: 0.01, beta1: OPTIMIZER_DEFAULTS.beta1, beta2: OPTIMIZER_DEFAULTS.beta2,
  alpha: OPTIMIZER_DEFAULTS.alpha, eps: OPTIMIZER_DEFAULTS.eps, schedule: 'constant' as ScheduleKind, lrGamma: 0.1, lrStepEpochs: 10,
  batch: 32, epochs: 10, l1: 0, l2: 0, regScope: 'all' as 'all' | 'weights', valSplit: 0, testSplit: 0, shuffle: true, initStd: 0.01,
} as const;

export const positive = (name: string) => (v: number) => {
  if (!(v > 0)) throw new SimError(`must be positive`, { code: 'badValue', path: `--${name}`, value: v });
  return v;
};
export const fraction = (name: string) => (v: number) => {
  if (!(v >= 0 && v < 1)) throw new SimError('must be a fraction in [0, 1)', { code: 'badValue', path: `--${name}`, value: v });
  return v;
};
export const count = (name: string) => (v: number) => {
  if (!Number.isInteger(v) || v < 1) throw new SimError('must be an integer ≥ 1', { code: 'badValue', path: `--${name}`, value: v });
  return v;
};
export const nonNegative = (name: string) => (v: number) => {
  if (!(v >= 0)) throw new SimError('must be ≥ 0', { code: 'badValue', path: `--${name}`, value: v });
  return v;
};

/** Checks the numeric options as the CLI's flags do (same messages). */
function checked(o: TrainOptions): Required<Pick<TrainOptions, keyof typeof TRAIN_DEFAULTS>> & TrainOptions {
  const d = { ...TRAIN_DEFAULTS, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) } as Required<Pick<TrainOptions, keyof typeof TRAIN_DEFAULTS>> & TrainOptions;
  positive('lr')(d.lr); fraction('beta1')(d.beta1); fraction('beta2')(d.beta2); fraction('alpha')(d.alpha); positive('eps')(d.eps);
  positive('lr-gamma')(d.lrGamma); count('lr-step-epochs')(d.lrStepEpochs); count('batch')(d.batch); nonNegative('l1')(d.l1); nonNegative('l2')(d.l2);
  fraction('val-split')(d.valSplit); fraction('test-split')(d.testSplit); positive('init-std')(d.initStd);
  if (o.momentum !== undefined) nonNegative('momentum')(o.momentum);
  if (o.epochs !== undefined) count('epochs')(o.epochs);
  if (o.steps !== undefined) count('steps')(o.steps);
  if (o.dropout !== undefined) fraction('dropout')(o.dropout);
  if (o.earlyStopPatience !== undefined) count('early-stop-patience')(o.earlyStopPatience);
  if (o.epochs !== undefined && o.steps !== undefined) throw new SimError('does not combine with --steps', { code: 'badValue', path: '--epochs', value: o.epochs });
  if (o.dtype !== undefined && !DTYPES.includes(o.dtype)) {
    throw new SimError(`must be one of ${DTYPES.join(', ')}`, { code: 'badValue', path: '--dtype', value: o.dtype });
  }
  return d;
}

/** Quantized training is on when --precision or any per-role format is given. */
export function quantRequested(f: QuantFlags): boolean {
  return [f.precision, f.weightFormat, f.activationFormat, f.errorFormat, f.gradientFormat].some((v) => v !== undefined);
}

export function quantOptions(f: QuantFlags): QTrainOptions {
  const base = f.precision ?? 'int16';
  const formats: QTrainFormats = {
    weight: f.weightFormat ?? base, activation: f.activationFormat ?? base, error: f.errorFormat ?? base,
    gradient: f.gradientFormat ?? base, master: f.masterFormat ?? 'fp32',
  };
  const flag: Record<keyof QTrainFormats, string> = { weight: '--weight-format', activation: '--activation-format', error: '--error-format', gradient: '--gradient-format', master: '--master-format' };
  for (const [k, v] of Object.entries(formats) as [keyof QTrainFormats, string][]) {
    const q = quantizer(v, f.precision !== undefined && v === f.precision && k !== 'master' ? '--precision' : flag[k]);
    if (q.kind === 'none' && k !== 'master') throw new SimError('fp64 is for the master weights only', { code: 'badValue', path: flag[k], value: v });
  }
  if (f.lossScale !== undefined && !(f.lossScale > 0)) throw new SimError('must be positive', { code: 'badValue', path: '--loss-scale', value: f.lossScale });
  if (f.accumulatorBits !== undefined && !(Number.isInteger(f.accumulatorBits) && f.accumulatorBits >= 2 && f.accumulatorBits <= 53)) {
    throw new SimError('must be an integer from 2 to 53', { code: 'badValue', path: '--accumulator-bits', value: f.accumulatorBits });
  }
  return {
    formats, stochastic: f.stochasticRounding ?? false, lossScale: f.lossScale ?? 1, accumulatorBits: f.accumulatorBits,
    reference: f.diagnostics !== 'loss',
  };
}

function loadDatasetFor(args: TrainOptions, graph: LayerGraph): Dataset {
  const spec = args.label !== undefined && args.dataset.toLowerCase().endsWith('.csv') ? `${args.dataset}:label=${args.label}` : args.dataset;
  const loaded = loadDataset(spec, readTextFile);
  if (loaded.kind !== 'csv') {
    if (args.label !== undefined) throw new SimError('only applies to a CSV dataset', { code: 'badValue', path: '--label', value: args.label });
    return loaded.dataset;
  }
  const out = graph.shapes[graph.output];
  return csvToDataset(loaded.csv, csvTask(loaded.csv, args.loss, out[out.length - 1]));
}

/** A run that stopped on a NaN/±Infinity loss or weight (float/divergence.ts), and which run it was. */
export interface TrainDivergence extends Divergence { readonly run: 'float' | 'fixed-point' }

/** What one `train` produced: the JSON the CLI prints, the files it writes, and the runs behind the text view. */
export interface TrainOutcome {
  readonly json: Record<string, unknown>;
  readonly history: Record<string, unknown>;
  /** The trained model document; none when training diverged (its weights are not finite). */
  readonly model?: Record<string, unknown>;
  /** Set when training stopped on a NaN/±Infinity loss or weight: the CLI then writes no files and exits 1. */
  readonly diverged?: TrainDivergence;
  /** training.json, written beside model.json: the data and split `check` scores the model on. */
  readonly trainedOn: TrainedOn;
  /** What was picked because no flag named it, one line each ("model: playground-mlp (default for spiral)"). */
  readonly defaults: readonly string[];
  readonly graph: LayerGraph;
  readonly dataset: Dataset;
  /** The optimizer as run (`sgd` with momentum > 0 runs as `momentum`). */
  readonly optimizer: OptimizerKind;
  readonly float?: TrainRun;
  readonly quantized?: { readonly run: QTrainRun; readonly options: QTrainOptions };
}

export function trainModel(
  options: TrainOptions, onEpoch?: (e: EpochRecord, quantized: boolean) => void, onWarning?: (w: LossGrowth) => void,
): TrainOutcome {
  const o = checked(options);
  const picked = modelFor(o);
  const graph = loadAnyModel(resolveModel(picked.model));
  const dataset = loadDatasetFor(o, graph);
  const seed = o.seed ?? graph.seed;
  const trainedOn: TrainedOn = {
    schemaVersion: 1, model: TRAINED_MODEL_FILE, dataset: o.dataset, ...(o.label !== undefined ? { label: o.label } : {}),
    task: dataset.task, seed, valSplit: o.valSplit, testSplit: o.testSplit,
  };
  const defaults = (run: TrainRun) => [
    ...(picked.defaulted ? [`model: ${picked.model} (default for ${o.dataset.split(':')[0]})`] : []),
    ...(run.lossDefault ? [`loss: ${run.loss} (default for ${run.lossDefault})`] : []),
  ];
  const epochs = o.steps === undefined ? o.epochs ?? TRAIN_DEFAULTS.epochs : undefined;
  // torch.optim.SGD(momentum=ρ) is momentum: honour `--optimizer sgd --momentum ρ` the same way.
  const optimizer: OptimizerKind = o.optimizer === 'sgd' && (o.momentum ?? 0) > 0 ? 'momentum' : o.optimizer;
  const quant = quantRequested(o) ? quantOptions(o) : undefined;
  if (quant && o.dtype === 'float32') {
    throw new SimError('does not combine with quantized training (--precision), whose float run is the float64 reference', { code: 'badValue', path: '--dtype', value: o.dtype });
  }
  if (quant && o.earlyStopPatience !== undefined) {
    throw new SimError('does not combine with quantized training (--precision)', { code: 'badValue', path: '--early-stop-patience', value: o.earlyStopPatience });
  }
  const role = (key: string) => { const [layer, param] = splitKey(key); return graph.paramSpecs[layer]?.[param]; };
  const request: TrainRequest = {
    graph, dataset, loss: o.loss, dropout: o.dropout, valSplit: o.valSplit, testSplit: o.testSplit,
    init: o.init ? { scheme: o.init, std: o.initStd } : undefined,
    config: {
      optimizer: { kind: optimizer, momentum: o.momentum ?? OPTIMIZER_DEFAULTS.momentum, beta1: o.beta1, beta2: o.beta2, alpha: o.alpha, eps: o.eps },
      lr: o.lr, schedule: { kind: o.schedule, gamma: o.lrGamma, stepEpochs: o.lrStepEpochs },
      batch: o.batch, epochs, steps: o.steps, shuffle: o.shuffle, seed,
      reg: { l1: o.l1, l2: o.l2, applies: (key) => o.regScope === 'all' || role(key)?.role === 'weight' },
      earlyStopPatience: o.earlyStopPatience, dtype: o.dtype,
    },
    onEpoch: (e) => onEpoch?.(e, quant !== undefined), onWarning,
  };
  if (quant) {
    const run = runQuantizedTraining({ ...request, quant });
    const history = quantJson(run, { model: graph.name, dataset: dataset.name, loss: run.float.loss, sizes: run.float.sizes, optimizer, lr: o.lr, batch: o.batch }, quant);
    const diverged = quantDivergence(run);
    const model = diverged ? {} : { model: graphToDocument(run.float.graph, run.fixed.params, `${graph.name} trained on ${dataset.name} with fixed-point GEMMs by systolab train --precision`) as unknown as Record<string, unknown> };
    return {
      json: history, history, ...model, ...(diverged ? { diverged } : {}), trainedOn, defaults: defaults(run.float), graph, dataset, optimizer,
      quantized: { run, options: quant },
    };
  }
  const run = runTraining(request);
  const { result } = run;
  const history = {
    model: graph.name, dataset: dataset.name, loss: run.loss, sizes: run.sizes, notes: run.notes,
    // Said only when not the float64 reference, so float64 histories stay as they were.
    ...(o.dtype === 'float32' ? { dtype: 'float32' as const } : {}),
    ...(result.diverged ? { diverged: { ...result.diverged, run: 'float' as const } } : {}), lossGrowth: result.lossGrowth,
    earlyStop: result.earlyStop, final: run.final, steps: result.steps, epochs: result.epochs,
  };
  if (history.diverged) return { json: history, history, diverged: history.diverged, trainedOn, defaults: defaults(run), graph, dataset, optimizer, float: run };
  const model = graphToDocument(run.graph, result.params, `${graph.name} trained on ${dataset.name} by systolab train`);
  const trainable = (key: string) => { const [layer, param] = splitKey(key); return run.graph.paramSpecs[layer]?.[param]?.trainable; };
  const parameters = Object.fromEntries(Object.entries(result.params).filter(([k]) => trainable(k)).map(([k, t]) => [k, tensorToJson(t)]));
  const state = Object.fromEntries(Object.entries(result.params).filter(([k]) => !(k in parameters)).map(([k, t]) => [k, tensorToJson(t)]));
  return {
    json: { ...history, parameters, state }, history, model: model as unknown as Record<string, unknown>, trainedOn, defaults: defaults(run), graph, dataset, optimizer,
    float: run,
  };
}

/** What `systolab train --format json` prints. */
export function train(options: TrainOptions, onEpoch?: (e: EpochRecord, quantized: boolean) => void): Record<string, unknown> {
  return trainModel(options, onEpoch).json;
}

const quantDivergence = (run: QTrainRun): TrainDivergence | undefined =>
  (run.diverged ? { ...run.diverged.divergence, run: run.diverged.run } : undefined);

export function quantJson(run: QTrainRun, extra: Record<string, unknown>, opts: QTrainOptions): Record<string, unknown> {
  return {
    ...extra,
    formats: opts.formats, stochasticRounding: opts.stochastic, lossScale: opts.lossScale ?? 1,
    simulatePrecision: run.simulatePrecision,
    comparison: run.comparison,
    ...(run.diverged ? { diverged: quantDivergence(run) } : {}),
    float: { steps: run.float.result.steps, epochs: run.float.result.epochs, lossGrowth: run.float.result.lossGrowth },
    fixed: { steps: run.fixed.steps, epochs: run.fixed.epochs, warnings: run.fixed.warnings, nanAtStep: run.fixed.nanAtStep },
    layerSummary: summarizeLayers(run),
  };
}


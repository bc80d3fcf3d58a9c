/** `systolab train`: flags → api/train → a line per epoch, the summary; history.json, model.json and training.json written (main.ts then charts the folder). */
import { join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { DEFAULT_MODELS, type QuantFlags, TRAIN_DEFAULTS, count, fraction, nonNegative, positive, trainModel } from '../api/train.js';
import { TRAINED_MODEL_FILE, TRAINED_ON_FILE } from '../api/trained-on.js';
import { allowPathsAnywhere, recoverFolderSwap, writeFilesTogether } from '../base/files.js';
import { ALLOW_PATHS_OPTION } from './allow-paths.js';
import { LOSS_KINDS, type LossKind } from '../float/losses.js';
import { OPTIMIZER_DEFAULTS, OPTIMIZERS, type OptimizerKind, SCHEDULES, type ScheduleKind } from '../float/optimizers.js';
import { DTYPES, type Dtype } from '../float/tensor.js';
import { INIT_SCHEMES, type InitScheme } from '../ir/types.js';
import { divergedLine, divergedText, epochLine, trainText } from '../report/train-text.js';
import { reportJson } from '../report/report-json.js';

export interface TrainArgs extends QuantFlags {
  model?: string;
  dataset: string;
  label?: string;
  loss?: LossKind;
  optimizer: OptimizerKind;
  lr: number;
  momentum?: number;
  beta1: number;
  beta2: number;
  alpha: number;
  eps: number;
  schedule: ScheduleKind;
  lrGamma: number;
  lrStepEpochs: number;
  batch?: number;
  epochs?: number;
  steps?: number;
  l1: number;
  l2: number;
  regScope: 'all' | 'weights';
  dropout?: number;
  valSplit: number;
  testSplit: number;
  earlyStopPatience?: number;
  shuffle: boolean;
  seed?: number;
  init?: InitScheme;
  initStd: number;
  format: 'table' | 'json';
  out?: string;
  allowPaths?: boolean;
  dtype: Dtype;
}

export const TRAIN_EXAMPLES: readonly [string, string][] = [
  ['train --model pass-fail-mlp --dataset pass-fail --epochs 200 --optimizer adam --lr 0.05', 'the course\'s "will I pass?" MLP'],
  ['train --model linear-regression --dataset house --optimizer sgd --lr 0.1 --epochs 300 --batch 200', 'full-batch gradient descent recovers the slope'],
  ['train --model playground-mlp --dataset spiral:noise=0.05 --optimizer adam --lr 0.01 --epochs 300', 'TensorFlow Playground spiral'],
  ['train --dataset spiral --optimizer adam --lr 0.01 --epochs 300 --test-split 0.2', 'no --model: the dataset\'s default (playground-mlp) and loss (bce); check --model reports/train-playground-mlp-spiral/model.json then scores its test split'],
  ['train --model iris-mlp --dataset iris --test-split 0.2 --val-split 0.2 --early-stop-patience 20 --optimizer adam --lr 0.01 --epochs 500', 'iris with early stopping'],
  ['train --model lenet-digits --dataset digits:n=1000 --optimizer adam --lr 0.01 --epochs 2 --dtype float32', 'the float32 engine (half the memory; not bit-compatible with float64 or PyTorch)'],
  ['train --model playground-mlp --dataset spiral --optimizer adam --lr 0.01 --epochs 100 --precision int16', 'fixed-point training (16-bit GEMMs, fp32 master) beside float: both loss curves, per-layer diagnostics'],
  ['train --model playground-mlp --dataset spiral --optimizer adam --lr 0.01 --epochs 30 --precision int8 --master-format int8 --stochastic-rounding', '8-bit everything: stochastic rounding keeps updates alive'],
];

export function trainBuilder(y: Argv): Argv<TrainArgs> {
  return y
    .option('model', { type: 'string', describe: `model file, or a built-in name (perceptron, linear-regression, pass-fail-mlp, playground-mlp, iris-mlp, lenet-digits) [default for a built-in dataset: ${Object.entries(DEFAULT_MODELS).map(([d, m]) => `${d} → ${m}`).join(', ')}; a CSV needs one]` })
    .option('dataset', { type: 'string', demandOption: true, describe: 'house | pass-fail | circle | xor | gaussians | spiral | iris | digits (NAME:key=value:…), or FILE.csv' })
    .option('label', { type: 'string', describe: 'CSV: the target column [default: the last column]' })
    .option('loss', { choices: LOSS_KINDS, describe: 'loss [default: softmax-ce for classes, bce (sigmoid output) or bce-logits for 0/1 labels, mse for regression]' })
    .option('optimizer', { choices: OPTIMIZERS, default: TRAIN_DEFAULTS.optimizer })
    .option('lr', { type: 'number', default: TRAIN_DEFAULTS.lr, coerce: positive('lr'), describe: 'learning rate α' })
    .option('momentum', { type: 'number', coerce: nonNegative('momentum'), describe: `ρ of --optimizer momentum [default: ${OPTIMIZER_DEFAULTS.momentum}]; with --optimizer sgd, ρ > 0 means momentum (as torch.optim.SGD)` })
    .option('beta1', { type: 'number', default: TRAIN_DEFAULTS.beta1, coerce: fraction('beta1'), describe: 'Adam β₁' })
    .option('beta2', { type: 'number', default: TRAIN_DEFAULTS.beta2, coerce: fraction('beta2'), describe: 'Adam β₂' })
    .option('alpha', { type: 'number', default: TRAIN_DEFAULTS.alpha, coerce: fraction('alpha'), describe: 'RMSProp smoothing α' })
    .option('eps', { type: 'number', default: TRAIN_DEFAULTS.eps, coerce: positive('eps'), describe: 'Adam/RMSProp ε' })
    .option('schedule', { choices: SCHEDULES, default: TRAIN_DEFAULTS.schedule, describe: 'learning-rate schedule, per epoch: step (×γ every N epochs) or exponential (×γ every epoch)' })
    .option('lr-gamma', { type: 'number', default: TRAIN_DEFAULTS.lrGamma, coerce: positive('lr-gamma'), describe: 'γ of the schedule' })
    .option('lr-step-epochs', { type: 'number', default: TRAIN_DEFAULTS.lrStepEpochs, coerce: count('lr-step-epochs'), describe: 'N of the step schedule' })
    .option('batch', { type: 'number', coerce: count('batch'), describe: `mini-batch size (1 = SGD; ≥ N = full-batch gradient descent) [default: ${TRAIN_DEFAULTS.batch}]` })
    .option('epochs', { type: 'number', coerce: count('epochs'), describe: `epochs to train [default: ${TRAIN_DEFAULTS.epochs}]` })
    .option('steps', { type: 'number', coerce: count('steps'), describe: 'optimizer steps to train instead of --epochs' })
    .option('l1', { type: 'number', default: TRAIN_DEFAULTS.l1, coerce: nonNegative('l1'), describe: 'L1 strength λ: g += λ·sign(w)' })
    .option('l2', { type: 'number', default: TRAIN_DEFAULTS.l2, coerce: nonNegative('l2'), describe: 'L2 strength λ: g += λ·w' })
    .option('reg-scope', { choices: ['all', 'weights'] as const, default: TRAIN_DEFAULTS.regScope, describe: 'regularize every parameter, or dense/conv weights only' })
    .option('dropout', { type: 'number', coerce: fraction('dropout'), describe: 'dropout p (sets the model\'s dropout layers, or adds one after each hidden activation)' })
    .option('val-split', { type: 'number', default: TRAIN_DEFAULTS.valSplit, coerce: fraction('val-split'), describe: 'fraction held out for validation' })
    .option('test-split', { type: 'number', default: TRAIN_DEFAULTS.testSplit, coerce: fraction('test-split'), describe: 'fraction held out for testing' })
    .option('early-stop-patience', { type: 'number', coerce: count('early-stop-patience'), describe: 'stop after N epochs without a lower validation loss; restore the best weights' })
    .option('shuffle', { type: 'boolean', default: TRAIN_DEFAULTS.shuffle, describe: 'shuffle the training set every epoch (--shuffle false: file order)' })
    .option('seed', { type: 'number', describe: 'seed of initialization, splits, shuffling and dropout [default: the model file\'s seed]' })
    .option('init', { choices: INIT_SCHEMES, describe: 'weight initialization of parameters the model file does not give [default: the file\'s, else pytorch]' })
    .option('init-std', { type: 'number', default: TRAIN_DEFAULTS.initStd, coerce: positive('init-std'), describe: 'σ of --init normal' })
    .option('dtype', { choices: DTYPES, default: 'float64' as Dtype, describe: 'element type of the float engine: float64 (the reference) or float32 (float32 parameters, activations and GEMM kernel, half the memory; not bit-compatible with float64 or PyTorch; not faster yet — its GEMM is, but the float64 engine has WebAssembly conv and ReLU kernels it lacks: docs/performance.md)' })
    .option('format', { choices: ['table', 'json'] as const, default: 'table' as const })
    .option('out', { type: 'string', describe: 'folder for history.json, model.json, training.json (the data and split, for check), charts/ and index.html, written together or not at all [default: reports/train-<model>-<dataset>]' })
    .option('allow-paths', ALLOW_PATHS_OPTION)
    .option('precision', { type: 'string', group: 'Quantized training:', describe: 'train with fixed-point GEMMs in this format (weights, activations, errors, gradients) beside the float run: int4…int32 (dynamic fixed point: a power-of-two scale per tensor), qM.N (fixed point), fp16, bf16; `simulate --mode training --precision` times it (integer formats by width: int4 → int4, q4.12 → int16; floats by name)' })
    .option('weight-format', { type: 'string', group: 'Quantized training:', describe: 'weights as GEMM operands [default: --precision]' })
    .option('activation-format', { type: 'string', group: 'Quantized training:', describe: 'activations (forward A, backwardWeight Xᵀ) [default: --precision]' })
    .option('error-format', { type: 'string', group: 'Quantized training:', describe: 'errors dL/dY (backwardData A, backwardWeight B) [default: --precision]' })
    .option('gradient-format', { type: 'string', group: 'Quantized training:', describe: 'parameter gradients before the update [default: --precision]' })
    .option('master-format', { type: 'string', group: 'Quantized training:', describe: 'the weights the optimizer updates: fp32, fp64, fp16, bf16, intN, qM.N [default: fp32]' })
    .option('stochastic-rounding', { type: 'boolean', group: 'Quantized training:', describe: 'round errors, gradients and master weights stochastically (seeded by --seed)' })
    .option('loss-scale', { type: 'number', group: 'Quantized training:', describe: 'static loss scale S: dL/dY·S in the backward pass, gradients ÷ S before the update [default: 1]' })
    .option('accumulator-bits', { type: 'number', group: 'Quantized training:', describe: 'integer GEMM accumulator width, saturating [default: min(53, 2·bits + 16)]' })
    .option('diagnostics', { choices: ['full', 'loss'] as const, group: 'Quantized training:', describe: 'full: also the float gradient every step for gradient SQNR (default); loss: skip it (faster)' })
    .conflicts('epochs', 'steps')
    .example(TRAIN_EXAMPLES.map(([cmd, what]) => [`$0 ${cmd}`, what])) as unknown as Argv<TrainArgs>;
}

/** What `train` printed, and the folder whose history.json gets its loss/accuracy charts and index.html. */
export interface TrainOutput {
  readonly text: string;
  readonly chartsDir: string;
  /** 1 when training diverged (NaN/±Infinity loss or weight): nothing was written; main.ts exits with it. */
  readonly exitCode?: 1;
}

/** The default folder: reports/train-<model>-<dataset file stem or name>[-<weight format>]. */
function defaultOut(args: TrainArgs, model: string, weightFormat?: string): string {
  const dataset = args.dataset.replace(/^.*[\\/]/, '').replace(/\.csv$/i, '').replace(/[^\w.-]+/g, '_');
  return join('reports', `train-${model}-${dataset}${weightFormat ? `-${weightFormat}` : ''}`);
}

export function trainCommand(args: TrainArgs, progress: (line: string) => void): TrainOutput {
  allowPathsAnywhere(args.allowPaths === true);
  const t = trainModel(args, (e, quantized) => progress(`${quantized ? 'fixed-point ' : ''}${epochLine(e)}`), (w) => process.stderr.write(`train: warning: ${w.message}\n`));
  const outDir = args.out ?? defaultOut(args, t.graph.name, t.quantized?.options.formats.weight);
  if (t.diverged) {
    for (const d of t.defaults) process.stderr.write(`train: ${d}\n`);
    process.stderr.write(`${divergedLine(t.diverged)}\n`);
    return { text: args.format === 'json' ? `${reportJson(t.json)}\n` : divergedText(t, args, outDir), chartsDir: '', exitCode: 1 };
  }
  // The three files of a run appear together or not at all (a kill mid-write leaves the previous run whole).
  for (const note of recoverFolderSwap(resolve(outDir))) process.stderr.write(`train: ${outDir}: ${note} (an earlier train was killed while writing)\n`);
  writeFilesTogether(outDir, {
    'history.json': `${reportJson(t.history)}\n`,
    [TRAINED_MODEL_FILE]: `${JSON.stringify(t.model)}\n`,
    [TRAINED_ON_FILE]: `${JSON.stringify(t.trainedOn, null, 1)}\n`,
  });
  for (const d of t.defaults) process.stderr.write(`train: ${d}\n`);
  const chartsDir = outDir;
  if (args.format === 'json') return { text: `${reportJson(t.json)}\n`, chartsDir };
  return { text: trainText(t, { lr: args.lr, batch: args.batch ?? TRAIN_DEFAULTS.batch, earlyStopPatience: args.earlyStopPatience, model: args.model }, outDir), chartsDir };
}

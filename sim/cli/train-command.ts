/** `systolab train`: flags → model + dataset → runTraining → a line per epoch, final metrics, written history and model. */
import { readTextFile, writeFileAtomic } from '../base/files.js';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { SimError } from '../base/errors.js';
import { type ParsedCsv, csvToDataset } from '../datasets/csv.js';
import { loadDataset } from '../load/datasets/registry.js';
import type { Dataset, Task } from '../datasets/types.js';

import { loadAnyModel } from '../load/model.js';
import { graphToDocument } from '../ir/serialize.js';
import { tensorToJson } from '../ir/tensor-json.js';
import { INIT_SCHEMES, type InitScheme, type LayerGraph } from '../ir/types.js';
import { LOSS_KINDS, type LossKind } from '../float/losses.js';
import { OPTIMIZER_DEFAULTS, OPTIMIZERS, type OptimizerKind, SCHEDULES, type ScheduleKind } from '../float/optimizers.js';
import type { EpochRecord } from '../float/train.js';
import { type TrainRequest, type TrainRun, runTraining } from '../run/train-run.js';
import { table } from '../report/run-report.js';

import { resolveModel } from '../load/model.js';
import { type QuantFlags, quantJson, quantOptions, quantRequested, quantText } from './qtrain-output.js';
import { runQuantizedTraining } from '../run/qtrain-run.js';

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
}

export const TRAIN_EXAMPLES: readonly [string, string][] = [
  ['train --model pass-fail-mlp --dataset pass-fail --epochs 200 --optimizer adam --lr 0.05', 'the course\'s "will I pass?" MLP'],
  ['train --model linear-regression --dataset house --optimizer sgd --lr 0.1 --epochs 300 --batch 200', 'full-batch gradient descent recovers the slope'],
  ['train --model playground-mlp --dataset spiral:noise=0.05 --optimizer adam --lr 0.01 --epochs 300', 'TensorFlow Playground spiral'],
  ['train --model iris-mlp --dataset iris --test-split 0.2 --val-split 0.2 --early-stop-patience 20 --optimizer adam --lr 0.01 --epochs 500', 'iris with early stopping'],
  ['train --model playground-mlp --dataset spiral --optimizer adam --lr 0.01 --epochs 100 --precision int16', 'fixed-point training (16-bit GEMMs, fp32 master) beside float: both loss curves, per-layer diagnostics'],
  ['train --model playground-mlp --dataset spiral --optimizer adam --lr 0.01 --epochs 30 --precision int8 --master-format int8 --stochastic-rounding', '8-bit everything: stochastic rounding keeps updates alive'],
];

const positive = (name: string) => (v: number) => {
  if (!(v > 0)) throw new SimError(`must be positive`, { code: 'badValue', path: `--${name}`, value: v });
  return v;
};
const fraction = (name: string) => (v: number) => {
  if (!(v >= 0 && v < 1)) throw new SimError('must be a fraction in [0, 1)', { code: 'badValue', path: `--${name}`, value: v });
  return v;
};
const count = (name: string) => (v: number) => {
  if (!Number.isInteger(v) || v < 1) throw new SimError('must be an integer ≥ 1', { code: 'badValue', path: `--${name}`, value: v });
  return v;
};
const nonNegative = (name: string) => (v: number) => {
  if (!(v >= 0)) throw new SimError('must be ≥ 0', { code: 'badValue', path: `--${name}`, value: v });
  return v;
};

export function trainBuilder(y: Argv): Argv<TrainArgs> {
  return y
    .option('model', { type: 'string', describe: 'model file, or a built-in name (perceptron, linear-regression, pass-fail-mlp, playground-mlp, iris-mlp, lenet-digits)' })
    .option('dataset', { type: 'string', demandOption: true, describe: 'house | pass-fail | circle | xor | gaussians | spiral | iris | digits (NAME:key=value:…), or FILE.csv' })
    .option('label', { type: 'string', describe: 'CSV: the target column [default: the last column]' })
    .option('loss', { choices: LOSS_KINDS, describe: 'loss [default: softmax-ce for classes, bce (sigmoid output) or bce-logits for 0/1 labels, mse for regression]' })
    .option('optimizer', { choices: OPTIMIZERS, default: 'sgd' as OptimizerKind })
    .option('lr', { type: 'number', default: 0.01, coerce: positive('lr'), describe: 'learning rate α' })
    .option('momentum', { type: 'number', coerce: nonNegative('momentum'), describe: `ρ of --optimizer momentum [default: ${OPTIMIZER_DEFAULTS.momentum}]; with --optimizer sgd, ρ > 0 means momentum (as torch.optim.SGD)` })
    .option('beta1', { type: 'number', default: OPTIMIZER_DEFAULTS.beta1, coerce: fraction('beta1'), describe: 'Adam β₁' })
    .option('beta2', { type: 'number', default: OPTIMIZER_DEFAULTS.beta2, coerce: fraction('beta2'), describe: 'Adam β₂' })
    .option('alpha', { type: 'number', default: OPTIMIZER_DEFAULTS.alpha, coerce: fraction('alpha'), describe: 'RMSProp smoothing α' })
    .option('eps', { type: 'number', default: OPTIMIZER_DEFAULTS.eps, coerce: positive('eps'), describe: 'Adam/RMSProp ε' })
    .option('schedule', { choices: SCHEDULES, default: 'constant' as ScheduleKind, describe: 'learning-rate schedule, per epoch: step (×γ every N epochs) or exponential (×γ every epoch)' })
    .option('lr-gamma', { type: 'number', default: 0.1, coerce: positive('lr-gamma'), describe: 'γ of the schedule' })
    .option('lr-step-epochs', { type: 'number', default: 10, coerce: count('lr-step-epochs'), describe: 'N of the step schedule' })
    .option('batch', { type: 'number', coerce: count('batch'), describe: 'mini-batch size (1 = SGD; ≥ N = full-batch gradient descent) [default: 32]' })
    .option('epochs', { type: 'number', coerce: count('epochs'), describe: 'epochs to train [default: 10]' })
    .option('steps', { type: 'number', coerce: count('steps'), describe: 'optimizer steps to train instead of --epochs' })
    .option('l1', { type: 'number', default: 0, coerce: nonNegative('l1'), describe: 'L1 strength λ: g += λ·sign(w)' })
    .option('l2', { type: 'number', default: 0, coerce: nonNegative('l2'), describe: 'L2 strength λ: g += λ·w' })
    .option('reg-scope', { choices: ['all', 'weights'] as const, default: 'all' as const, describe: 'regularize every parameter, or dense/conv weights only' })
    .option('dropout', { type: 'number', coerce: fraction('dropout'), describe: 'dropout p (sets the model\'s dropout layers, or adds one after each hidden activation)' })
    .option('val-split', { type: 'number', default: 0, coerce: fraction('val-split'), describe: 'fraction held out for validation' })
    .option('test-split', { type: 'number', default: 0, coerce: fraction('test-split'), describe: 'fraction held out for testing' })
    .option('early-stop-patience', { type: 'number', coerce: count('early-stop-patience'), describe: 'stop after N epochs without a lower validation loss; restore the best weights' })
    .option('shuffle', { type: 'boolean', default: true, describe: 'shuffle the training set every epoch (--shuffle false: file order)' })
    .option('seed', { type: 'number', describe: 'seed of initialization, splits, shuffling and dropout [default: the model file\'s seed]' })
    .option('init', { choices: INIT_SCHEMES, describe: 'weight initialization of parameters the model file does not give [default: the file\'s, else pytorch]' })
    .option('init-std', { type: 'number', default: 0.01, coerce: positive('init-std'), describe: 'σ of --init normal' })
    .option('format', { choices: ['table', 'json'] as const, default: 'table' as const })
    .option('out', { type: 'string', describe: 'folder for history.json and model.json [default: reports/train-<model>-<dataset>]' })
    .option('precision', { type: 'string', group: 'Quantized training:', describe: 'train with fixed-point GEMMs in this format (weights, activations, errors, gradients) beside the float run: int4…int32 (dynamic fixed point: a power-of-two scale per tensor), qM.N (fixed point), fp16, bf16; `simulate --mode training --precision` times it (int ≤ 8 bits → int8, ≤ 16 → int16, else int32; floats by name)' })
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

/** The CSV's task: from the loss when given, else from its labels and the model's output width. */
function csvTask(csv: ParsedCsv, loss: LossKind | undefined, outWidth: number): Task {
  if (loss) return loss === 'softmax-ce' ? 'multiclass' : loss === 'mse' ? 'regression' : 'binary';
  if (csv.label.kind === 'strings' || outWidth > 1) return 'multiclass';
  return csv.label.distinct.every((v) => v === 0 || v === 1) ? 'binary' : 'regression';
}

function loadDatasetFor(args: TrainArgs, graph: LayerGraph): Dataset {
  const spec = args.label !== undefined && args.dataset.toLowerCase().endsWith('.csv') ? `${args.dataset}:label=${args.label}` : args.dataset;
  const loaded = loadDataset(spec, readTextFile);
  if (loaded.kind !== 'csv') {
    if (args.label !== undefined) throw new SimError('only applies to a CSV dataset', { code: 'badValue', path: '--label', value: args.label });
    return loaded.dataset;
  }
  const out = graph.shapes[graph.output];
  return csvToDataset(loaded.csv, csvTask(loaded.csv, args.loss, out[out.length - 1]));
}

const pct = (a: number | null) => (a === null ? '-' : `${(100 * a).toFixed(1)} %`);
const num = (v: number) => v.toPrecision(6);

function epochLine(e: EpochRecord): string {
  const part = (name: string, m?: { loss: number; accuracy: number | null }) =>
    m ? `  ${name} loss ${num(m.loss)}${m.accuracy === null ? '' : ` acc ${pct(m.accuracy)}`}` : '';
  return `epoch ${String(e.epoch).padStart(4)}  lr ${num(e.lr)}${part('train', e.train)}${part('val', e.validation)}${part('test', e.test)}`;
}

function finalTable(run: TrainRun): string {
  const rows = (['train', 'validation', 'test'] as const)
    .filter((s) => run.final[s] !== undefined)
    .map((s) => [s, String(run.sizes[s]), num(run.final[s]!.loss), pct(run.final[s]!.accuracy)]);
  return table(['split', 'samples', `loss (${run.loss})`, 'accuracy'], rows, new Set([1, 2, 3]));
}

/** What `train` printed, and (quantized runs) the folder whose history gets loss-curve charts. */
export interface TrainOutput {
  readonly text: string;
  readonly chartsDir?: string;
}

export function trainCommand(args: TrainArgs, progress: (line: string) => void): TrainOutput {
  const graph = loadAnyModel(resolveModel(args.model));
  const dataset = loadDatasetFor(args, graph);
  const seed = args.seed ?? graph.seed;
  const epochs = args.steps === undefined ? args.epochs ?? 10 : undefined;
  // torch.optim.SGD(momentum=ρ) is momentum: honour `--optimizer sgd --momentum ρ` the same way.
  const optimizer = args.optimizer === 'sgd' && (args.momentum ?? 0) > 0 ? 'momentum' : args.optimizer;
  const quant = quantRequested(args) ? quantOptions(args) : undefined;
  if (quant && args.earlyStopPatience !== undefined) {
    throw new SimError('does not combine with quantized training (--precision)', { code: 'badValue', path: '--early-stop-patience', value: args.earlyStopPatience });
  }
  const request: TrainRequest = {
    graph, dataset, loss: args.loss, dropout: args.dropout, valSplit: args.valSplit, testSplit: args.testSplit,
    init: args.init ? { scheme: args.init, std: args.initStd } : undefined,
    config: {
      optimizer: { kind: optimizer, momentum: args.momentum ?? OPTIMIZER_DEFAULTS.momentum, beta1: args.beta1, beta2: args.beta2, alpha: args.alpha, eps: args.eps },
      lr: args.lr, schedule: { kind: args.schedule, gamma: args.lrGamma, stepEpochs: args.lrStepEpochs },
      batch: args.batch ?? 32, epochs, steps: args.steps, shuffle: args.shuffle, seed,
      reg: {
        l1: args.l1, l2: args.l2,
        applies: (key) => args.regScope === 'all' || graph.paramSpecs[key.slice(0, key.lastIndexOf('.'))]?.[key.slice(key.lastIndexOf('.') + 1)]?.role === 'weight',
      },
      earlyStopPatience: args.earlyStopPatience,
    },
    onEpoch: (e) => {
      progress(`${quant ? 'fixed-point ' : ''}${epochLine(e)}`);
    },
  };
  if (quant) return quantizedTrain(args, graph, dataset.name, request, quant, optimizer);
  const run = runTraining(request);
  const { result } = run;
  const datasetName = args.dataset.replace(/^.*[\\/]/, '').replace(/\.csv$/i, '').replace(/[^\w.-]+/g, '_');
  const outDir = args.out ?? join('reports', `train-${graph.name}-${datasetName}`);
  const history = {
    model: graph.name, dataset: dataset.name, loss: run.loss, sizes: run.sizes, notes: run.notes,
    earlyStop: result.earlyStop, final: run.final, steps: result.steps, epochs: result.epochs,
  };
  const trained = graphToDocument(run.graph, result.params, `${graph.name} trained on ${dataset.name} by systolab train`);
  writeFileAtomic(join(outDir, 'history.json'), `${JSON.stringify(history)}\n`);
  writeFileAtomic(join(outDir, 'model.json'), `${JSON.stringify(trained)}\n`);
  if (args.format === 'json') {
    const params = Object.fromEntries(
      Object.entries(result.params).filter(([k]) => run.graph.paramSpecs[k.slice(0, k.lastIndexOf('.'))]?.[k.slice(k.lastIndexOf('.') + 1)]?.trainable)
        .map(([k, t]) => [k, tensorToJson(t)]),
    );
    return { text: `${JSON.stringify({ ...history, parameters: params, state: Object.fromEntries(Object.entries(result.params).filter(([k]) => !(k in params)).map(([k, t]) => [k, tensorToJson(t)])) })}\n` };
  }
  const lines = [
    '',
    `Trained ${graph.name} on ${dataset.name} (${dataset.task}), loss ${run.loss}, ${optimizer} lr ${args.lr}, ${result.steps.length} steps of batch ${args.batch ?? 32}.`,
    ...run.notes.map((n) => `note: ${n}`),
    ...(result.earlyStop
      ? [result.earlyStop.stoppedAtEpoch !== null
        ? `Early stopping: no lower validation loss for ${args.earlyStopPatience} epochs, stopped after epoch ${result.earlyStop.stoppedAtEpoch}; restored the weights of epoch ${result.earlyStop.bestEpoch} (validation loss ${num(result.earlyStop.bestValidationLoss)}).`
        : `Early stopping did not trigger; restored the weights of the best epoch ${result.earlyStop.bestEpoch}.`]
      : []),
    '',
    `Final metrics of the saved model${result.earlyStop ? ' (the restored best weights)' : ''}:`,
    finalTable(run),
    '',
    `Wrote ${join(outDir, 'history.json')} (every step and epoch) and ${join(outDir, 'model.json')} (the trained model: systolab run --model ${join(outDir, 'model.json')}).`,
  ];
  return { text: `${lines.join('\n')}\n` };
}

function quantizedTrain(
  args: TrainArgs, graph: LayerGraph, datasetName: string, request: TrainRequest, quant: ReturnType<typeof quantOptions>, optimizer: string,
): TrainOutput {
  const run = runQuantizedTraining({ ...request, quant });
  const safe = args.dataset.replace(/^.*[\\/]/, '').replace(/\.csv$/i, '').replace(/[^\w.-]+/g, '_');
  const outDir = args.out ?? join('reports', `train-${graph.name}-${safe}-${quant.formats.weight}`);
  const batch = args.batch ?? 32;
  const model = args.model ?? graph.name;
  const history = quantJson(run, { model: graph.name, dataset: datasetName, loss: run.float.loss, sizes: run.float.sizes, optimizer, lr: args.lr, batch }, quant);
  writeFileAtomic(join(outDir, 'history.json'), `${JSON.stringify(history)}\n`);
  const trained = graphToDocument(run.float.graph, run.fixed.params, `${graph.name} trained on ${datasetName} with fixed-point GEMMs by systolab train --precision`);
  writeFileAtomic(join(outDir, 'model.json'), `${JSON.stringify(trained)}\n`);
  if (args.format === 'json') return { text: `${JSON.stringify(history)}\n`, chartsDir: outDir };
  const head = `Trained ${graph.name} on ${datasetName}, loss ${run.float.loss}, ${optimizer} lr ${args.lr}, ${run.float.result.steps.length} steps of batch ${batch}, twice.`;
  return { text: quantText(run, quant, head, model, batch, outDir), chartsDir: outDir };
}

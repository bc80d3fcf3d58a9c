/**
 * The playground's network as a Systolab model: inputs (the features), the hidden dense layers with their
 * activation, and an output that fits the loss (one unit + sigmoid for bce and mse, one logit per class for
 * softmax-ce). The same document is what "Export model" saves and what `systolab train` / `simulate` read, and the
 * training request is built exactly as api/train.ts builds `systolab train`'s (same defaults), so a run in the page
 * and the CLI command it prints give the same curve.
 */
import type { Dataset } from '../datasets/types.js';
import { OPTIMIZER_DEFAULTS } from '../float/optimizers.js';
import type { LossKind } from '../float/losses.js';
import { buildGraph } from '../ir/graph.js';
import { parseModel } from '../ir/parse.js';
import type { LayerGraph } from '../ir/types.js';
import { type TrainRequest, withDropout } from '../run/train-run.js';
import { classCount, planeSpec } from './data.js';
import { type PlaygroundState, isPlane } from './state.js';

/** The loss the run uses: softmax-ce for more than two classes whatever was picked (bce and mse need 0/1 labels). */
export function lossOf(s: PlaygroundState, d: Dataset): LossKind {
  return d.task === 'multiclass' && classCount(d) > 2 ? 'softmax-ce' : s.loss;
}

/** A binary set trained with softmax-ce becomes two classes (targets [N] of 0/1 instead of [N, 1]). */
export function datasetForLoss(d: Dataset, loss: LossKind): Dataset {
  if (loss === 'softmax-ce' && d.task === 'binary') {
    return { ...d, task: 'multiclass', targets: { shape: [d.targets.shape[0]], data: d.targets.data }, classes: d.classes ?? ['0', '1'] };
  }
  if (loss !== 'softmax-ce' && d.task === 'multiclass') {
    return { ...d, task: 'binary', targets: { shape: [d.targets.shape[0], 1], data: d.targets.data } };
  }
  return d;
}

/** The model document (what a YAML model file holds), before dropout is added. */
export function modelDocument(s: PlaygroundState, d: Dataset): Record<string, unknown> {
  const loss = lossOf(s, d);
  const features = d.features.data.length / d.features.shape[0];
  const layers: Record<string, unknown>[] = [{ name: 'x', kind: 'input', shape: [1, features] }];
  s.layers.forEach((units, i) => {
    layers.push({ name: `fc${i + 1}`, kind: 'dense', units });
    if (s.activation !== 'linear') layers.push({ name: `a${i + 1}`, kind: s.activation });
  });
  const out = s.layers.length + 1;
  if (loss === 'softmax-ce') {
    layers.push({ name: `fc${out}`, kind: 'dense', units: classCount(d) });
  } else {
    layers.push({ name: `fc${out}`, kind: 'dense', units: 1 }, { name: 'p', kind: 'sigmoid' });
  }
  return {
    name: 'playground', description: `Systolab playground network for ${d.name}: ${[features, ...s.layers].join('-')}-${loss === 'softmax-ce' ? classCount(d) : 1}, ${s.activation}`,
    seed: s.seed, init: 'xavier', layers,
  };
}

/** The network as trained: the model, with dropout layers after the hidden activations when dropout > 0. */
export function networkGraph(s: PlaygroundState, d: Dataset): LayerGraph {
  const graph = buildGraph(parseModel(modelDocument(s, d), 'playground'));
  return s.dropout > 0 && s.layers.length > 0 && s.activation !== 'linear' ? withDropout(graph, s.dropout).graph : graph;
}

/** Fractions as `systolab train` takes them (exact decimals: 50 % → 0.5). */
export const testSplitOf = (s: PlaygroundState): number => (100 - s.trainPercent) / 100;

/**
 * The training request `systolab train` makes for these options (api/train.ts), `epochs` long. Dropout is given
 * as `--dropout` is (runTraining adds the layers), so the graph here is the model without them.
 */
export function trainRequest(s: PlaygroundState, d: Dataset, epochs: number): Omit<TrainRequest, 'onEpoch' | 'onWarning'> {
  const loss = lossOf(s, d);
  return {
    graph: buildGraph(parseModel(modelDocument(s, d), 'playground')),
    dataset: datasetForLoss(d, loss), loss,
    ...(s.dropout > 0 ? { dropout: s.dropout } : {}),
    valSplit: 0, testSplit: testSplitOf(s),
    config: {
      optimizer: { kind: s.optimizer, momentum: OPTIMIZER_DEFAULTS.momentum, beta1: OPTIMIZER_DEFAULTS.beta1, beta2: OPTIMIZER_DEFAULTS.beta2, alpha: OPTIMIZER_DEFAULTS.alpha, eps: OPTIMIZER_DEFAULTS.eps },
      lr: s.lr, schedule: { kind: 'constant', gamma: 0.1, stepEpochs: 10 }, batch: s.batch, epochs, shuffle: true, seed: s.seed,
      reg: { l1: s.l1, l2: s.l2, applies: () => true },
    },
  };
}

/**
 * The `systolab train` command of the same run, from the exported untrained network. The data is named by its
 * generator spec for a 2-D set with the features x1, x2 (and a loss on 0/1 labels), as `iris`, and otherwise as the
 * exported CSV.
 */
export function trainCommand(s: PlaygroundState, d: Dataset, epochs: number, modelFile = 'playground-network.json'): string {
  const plain = s.features.length === 2 && s.features[0] === 'x1' && s.features[1] === 'x2';
  // A two-class set trained with softmax-ce is a class-label task, which only a CSV can state.
  const asGenerated = d.task === 'binary' ? lossOf(s, d) !== 'softmax-ce' : true;
  const data = isPlane(s.dataset) && plain && asGenerated ? planeSpec(s) : s.dataset === 'iris' ? 'iris' : 'playground-data.csv';
  const opt = [
    `--loss ${lossOf(s, d)}`, `--optimizer ${s.optimizer}`, `--lr ${s.lr}`, `--batch ${s.batch}`, `--epochs ${epochs}`,
    `--test-split ${testSplitOf(s)}`, `--seed ${s.seed}`,
    ...(s.l1 > 0 ? [`--l1 ${s.l1}`] : []), ...(s.l2 > 0 ? [`--l2 ${s.l2}`] : []), ...(s.dropout > 0 ? [`--dropout ${s.dropout}`] : []),
  ];
  return `systolab train --model ${modelFile} --dataset ${data} ${opt.join(' ')}`;
}

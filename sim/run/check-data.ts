/**
 * The samples `check` scores and calibrates on. With a dataset: the split `train` made (same seed, validation and
 * test fractions) — the test part, else the validation part, else the training data (said so: the model has seen
 * it) — and calibration on the front of the training part. Without one: seeded N(0, 1) inputs of the model's input
 * shape, a calibration batch and an evaluation batch of the same size, no labels. Plain data in and out.
 */
import type { Dataset, Task } from '../datasets/types.js';
import type { LayerGraph } from '../ir/types.js';
import { createRng } from '../float/rng.js';
import type { Tensor } from '../float/tensor.js';
import { lowerGraph } from '../lower/lower.js';
import { fitFeatures, split } from './train-run.js';

export interface EvalData {
  readonly name: string;
  readonly on: 'test split' | 'validation split' | 'training data' | 'random inputs';
  readonly note?: string;
  readonly task?: Task;
  readonly features: Tensor;
  /** Absent for random inputs. */
  readonly targets?: Tensor;
  readonly calibration: Tensor;
}

/** Random inputs: at most this many, and fewer for big models so that samples × MACs per sample stays under the budget. */
export const RANDOM_SAMPLES_MAX = 32;
export const RANDOM_MAC_BUDGET = 4e8;

/** MACs of one forward pass of one sample (the lowered GEMMs at batch 1). */
export function macsPerSample(graph: LayerGraph): number {
  return lowerGraph(graph, { mode: 'inference', batch: 1 }).ops.reduce((s, op) => s + (op.kind === 'gemm' ? op.m * op.k * op.n : 0), 0);
}

/** The default number of random inputs: RANDOM_SAMPLES_MAX, fewer when the model is big, at least 1. */
export function randomSampleCount(graph: LayerGraph): number {
  return Math.max(1, Math.min(RANDOM_SAMPLES_MAX, Math.floor(RANDOM_MAC_BUDGET / Math.max(1, macsPerSample(graph)))));
}

function normals(shape: readonly number[], n: number, seed: number): Tensor {
  const rng = createRng(seed);
  const per = shape.slice(1).reduce((a, b) => a * b, 1);
  return { shape: [n, ...shape.slice(1)], data: Float64Array.from({ length: n * per }, () => rng.normal()) };
}

export function evalData(
  graph: LayerGraph,
  o: { readonly dataset?: Dataset; readonly valSplit?: number; readonly testSplit?: number; readonly seed?: number; readonly randomSamples?: number },
): EvalData {
  const input = graph.layers.find((l) => l.kind === 'input')!.name;
  const seed = o.seed ?? graph.seed;
  if (!o.dataset) {
    const n = o.randomSamples ?? randomSampleCount(graph);
    const why = o.randomSamples !== undefined ? 'as --random-samples asked'
      : `the default for ${macsPerSample(graph).toExponential(2)} MACs per sample: at most ${RANDOM_SAMPLES_MAX}, and samples × MACs ≤ ${RANDOM_MAC_BUDGET.toExponential()}; --random-samples N to change`;
    return {
      name: `random N(0, 1) inputs, seed ${seed}`, on: 'random inputs',
      note: `no dataset: a batch of ${n} seeded random input(s) is scored (${why}) and another ${n} calibrate; without labels there is no accuracy, only agreement with float and SQNR`,
      features: normals(graph.shapes[input], n, seed + 1), calibration: normals(graph.shapes[input], n, seed),
    };
  }
  const ds = o.dataset;
  const features = fitFeatures(ds.features, graph.shapes[input]);
  const valSplit = o.valSplit ?? 0, testSplit = o.testSplit ?? 0.2;
  const s = split(features, ds.targets, valSplit, testSplit, seed);
  const base = { name: ds.name, task: ds.task, calibration: s.train.features };
  if (s.test) return { ...base, on: 'test split', features: s.test.features, targets: s.test.targets };
  if (s.validation) {
    return { ...base, on: 'validation split', note: 'no test split: scoring the validation split', features: s.validation.features, targets: s.validation.targets };
  }
  return {
    ...base, on: 'training data', features: s.train.features, targets: s.train.targets,
    note: 'no held-out split (test and validation fractions 0): scoring the training data, which the model was fitted to',
  };
}

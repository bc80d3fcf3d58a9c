/**
 * `train --precision`: the same request trained twice from the same initial weights, data order and seed — once on
 * the float engine (run/train-run.ts) and once with fixed-point GEMMs on the lowered training program
 * (fixed/qtrain.ts) — and the two loss curves compared. Plain data in and out.
 */
import type { Divergence } from '../float/divergence.js';
import { initParams } from '../float/init.js';
import { type QTrainOptions, type QTrainResult, trainQuantized } from '../fixed/qtrain.js';
import { simulatePrecision } from '../fixed/quantizer.js';
import { type TrainRequest, type TrainRun, fitFeatures, runTraining, split, withDropout } from './train-run.js';

export interface QTrainRequest extends TrainRequest {
  readonly quant: QTrainOptions;
}

export interface CurveComparison {
  /** max over epochs of |fixed − float| train loss. */
  readonly maxAbsEpochLossDiff: number;
  /** max over epochs of |fixed − float| / float. */
  readonly maxRelEpochLossDiff: number;
  readonly finalFloatLoss: number;
  readonly finalFixedLoss: number;
}

export interface QTrainRun {
  readonly float: TrainRun;
  readonly fixed: QTrainResult;
  readonly comparison: CurveComparison;
  /** The `simulate --mode training --precision` that times these formats' GEMMs. */
  readonly simulatePrecision: string;
  /** The first of the two runs (float, then fixed-point) that stopped on a NaN/±Infinity loss or weight. */
  readonly diverged?: { readonly run: 'float' | 'fixed-point'; readonly divergence: Divergence };
}

export function compareCurves(float: readonly { train: { loss: number } }[], fixed: readonly { train: { loss: number } }[]): CurveComparison {
  let abs = 0, rel = 0;
  const n = Math.min(float.length, fixed.length);
  for (let i = 0; i < n; i++) {
    const a = float[i].train.loss, b = fixed[i].train.loss;
    const d = Math.abs(a - b);
    abs = Math.max(abs, Number.isNaN(d) ? Infinity : d);
    rel = Math.max(rel, Number.isNaN(d) ? Infinity : d / Math.abs(a));
  }
  if (fixed.length < float.length) abs = rel = Infinity;   // stopped early (NaN)
  return {
    maxAbsEpochLossDiff: abs, maxRelEpochLossDiff: rel,
    finalFloatLoss: float[float.length - 1]?.train.loss ?? NaN, finalFixedLoss: fixed[fixed.length - 1]?.train.loss ?? NaN,
  };
}

export function runQuantizedTraining(req: QTrainRequest): QTrainRun {
  const floatRun = runTraining({ ...req, onEpoch: undefined });
  // The same graph, splits and initial parameters runTraining used.
  const graph = req.dropout !== undefined ? withDropout(req.graph, req.dropout).graph : req.graph;
  const inputName = graph.layers.find((l) => l.kind === 'input')!.name;
  const features = fitFeatures(req.dataset.features, graph.shapes[inputName]);
  const splits = split(features, req.dataset.targets, req.valSplit, req.testSplit, req.config.seed);
  const params = initParams(graph, req.config.seed, req.init ?? graph.init);
  const fixed = trainQuantized(graph, params, splits, { ...req.config, loss: floatRun.loss, accuracy: floatRun.accuracy }, req.quant, req.onEpoch);
  const floatDiverged = floatRun.result.diverged;
  const diverged = floatDiverged ? { run: 'float' as const, divergence: floatDiverged } : fixed.diverged ? { run: 'fixed-point' as const, divergence: fixed.diverged } : undefined;
  return {
    float: floatRun, fixed, comparison: compareCurves(floatRun.result.epochs, fixed.epochs),
    simulatePrecision: simulatePrecision(req.quant.formats), ...(diverged ? { diverged } : {}),
  };
}

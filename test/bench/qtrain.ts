/**
 * Quantized-training benchmark (`npm run bench`), one JSON line per case: the spiral MLP (2-16-16-1, 500 samples,
 * batch 32, Adam lr 0.01) for 100 epochs with fixed-point GEMMs on the lowered training program (fixed/qtrain.ts),
 * with the per-step float reference gradient (diagnostics full) and without (loss only). Seconds of the quantized
 * loop alone (the float comparison run excluded), best of `runs`; also the tracking of the float curve.
 */
import { join } from 'node:path';
import { loadModel } from '../../sim/load/model-file.js';
import { loadNamedDataset } from '../../sim/load/datasets/registry.js';
import { initParams } from '../../sim/float/init.js';
import { OPTIMIZER_DEFAULTS } from '../../sim/float/optimizers.js';
import { train } from '../../sim/float/train.js';
import { trainQuantized } from '../../sim/fixed/qtrain.js';
import { type QTrainFormats } from '../../sim/fixed/quantizer.js';
import { compareCurves } from '../../sim/run/qtrain-run.js';

const graph = loadModel(join(process.cwd(), 'models', 'course', 'playground-mlp.yaml'));
const ds = loadNamedDataset('spiral');
const splits = { train: { features: ds.features, targets: ds.targets } };
const cfg = {
  loss: 'bce' as const, accuracy: 'threshold-probability' as const,
  optimizer: { kind: 'adam' as const, ...OPTIMIZER_DEFAULTS }, lr: 0.01, schedule: { kind: 'constant' as const, gamma: 1, stepEpochs: 1 },
  batch: 32, epochs: 100, shuffle: true, seed: 0, reg: { l1: 0, l2: 0, applies: () => false },
};
const params = initParams(graph, 0, graph.init);
const float = train(graph, params, splits, cfg);

function bench(name: string, formats: QTrainFormats, stochastic: boolean, reference: boolean, runs = 3): void {
  let best = Infinity;
  let run;
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    run = trainQuantized(graph, params, splits, cfg, { formats, stochastic, reference });
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  const c = compareCurves(float.epochs, run!.epochs);
  console.log(JSON.stringify({
    case: name, model: 'playground-mlp', samples: 500, epochs: 100, batch: 32, steps: run!.steps.length, seconds: Number(best.toFixed(3)), runs,
    stepsPerSecond: Math.round(run!.steps.length / best), maxAbsEpochLossDiff: Number(c.maxAbsEpochLossDiff.toPrecision(3)),
    finalFloatLoss: Number(c.finalFloatLoss.toFixed(4)), finalFixedLoss: Number(c.finalFixedLoss.toFixed(4)),
  }));
}

const all = (f: string, master = 'fp32'): QTrainFormats => ({ weight: f, activation: f, error: f, gradient: f, master });
bench('qtrain_spiral_int16_100_epochs_diagnostics', all('int16'), false, true);
bench('qtrain_spiral_int16_100_epochs_loss_only', all('int16'), false, false);
bench('qtrain_spiral_int8_master_int8_stochastic_100_epochs', all('int8', 'int8'), true, true);

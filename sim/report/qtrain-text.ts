/** `train --precision …` as text: both loss curves side by side and the per-layer diagnostics. */
import { join } from 'node:path';
import type { QTrainOptions } from '../fixed/qtrain.js';
import type { QTrainRun } from '../run/qtrain-run.js';
import { simulateCommandFor, summarizeLayers } from '../run/qtrain-summary.js';
import { pct } from './format.js';
import { table } from './run-report.js';

const num = (v: number) => (Number.isFinite(v) ? v.toPrecision(5) : String(v));
const acc = (a: number | null | undefined) => pct(a ?? null);

export function quantText(run: QTrainRun, opts: QTrainOptions, head: string, model: string, batch: number, outDir: string): string {
  const F = opts.formats;
  const fl = run.float.result.epochs, fx = run.fixed.epochs;
  const every = Math.max(1, Math.ceil(fl.length / 20));
  const rows = fl.filter((_, i) => i === 0 || (i + 1) % every === 0 || i === fl.length - 1).map((e) => {
    const q = fx[e.epoch - 1];
    return [String(e.epoch), num(e.train.loss), q ? num(q.train.loss) : 'stopped', q ? num(q.train.loss - e.train.loss) : '-', acc(e.train.accuracy), acc(q?.train.accuracy)];
  });
  const layerRows = summarizeLayers(run).map((l) => [
    l.layer, pct(l.meanGradUnderflow, 2), pct(l.maxGradUnderflow, 2), pct(l.meanErrorUnderflow, 2), String(l.saturated), String(l.accumulatorOverflows),
    l.meanGradSqnrDb === null ? '-' : l.meanGradSqnrDb.toFixed(1), l.minGradSqnrDb === null ? '-' : l.minGradSqnrDb.toFixed(1),
    pct(l.meanUpdateLost, 2), pct(l.meanUpdatesStalled, 2),
  ]);
  const c = run.comparison;
  return [
    '',
    head,
    `Fixed point: weights ${F.weight}, activations ${F.activation}, errors ${F.error}, gradients ${F.gradient}, master weights ${F.master}; ` +
      `${opts.stochastic ? 'stochastic' : 'nearest-even'} rounding, loss scale ${opts.lossScale ?? 1}. Same data order, initial weights and seed as the float run.`,
    '',
    'Train loss per epoch (the mean over its mini-batches), float64 engine vs fixed-point GEMMs on the lowered program:',
    table(['epoch', 'float loss', 'fixed loss', 'fixed − float', 'float acc', 'fixed acc'], rows, new Set([1, 2, 3, 4, 5])),
    `max |fixed − float| epoch loss ${num(c.maxAbsEpochLossDiff)} (relative ${num(c.maxRelEpochLossDiff)}); final ${num(c.finalFloatLoss)} vs ${num(c.finalFixedLoss)}`,
    '',
    'Diagnostics per layer over all steps (grad underflow: nonzero gradients that quantize to 0; update lost: |Δw_intended − Δw_applied| / |Δw_intended| in the master format; stalled: weights whose update rounded away):',
    table(['layer', 'grad underflow', 'max', 'error underflow', 'saturated', 'acc overflows', 'grad SQNR dB', 'min', 'update lost', 'stalled'], layerRows, new Set([1, 2, 3, 4, 5, 6, 7, 8, 9])),
    ...run.fixed.warnings.map((w) => `WARNING: ${w.message}`),
    '',
    `Cost of this training step on the array: ${simulateCommandFor(run, model, batch)}`,
    `Wrote ${join(outDir, 'history.json')} (both curves, every step's diagnostics), ${join(outDir, 'model.json')} (the fixed-point-trained master weights) and ${join(outDir, 'training.json')} (its data and split, which check reuses).`,
  ].join('\n') + '\n';
}

/** `train --precision …`: the quantized-training flags → formats, and the side-by-side report (text or JSON). */
import { join } from 'node:path';
import { SimError } from '../base/errors.js';
import type { LayerStepDiag, QTrainFormats, QTrainOptions } from '../fixed/qtrain.js';
import { quantizer } from '../fixed/qtrain.js';
import type { QTrainRun } from '../run/qtrain-run.js';
import { table } from '../report/run-report.js';

export interface QuantFlags {
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

export const QUANT_OPTION_NAMES = ['precision', 'weight-format', 'activation-format', 'error-format', 'gradient-format', 'master-format'] as const;

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

const num = (v: number) => (Number.isFinite(v) ? v.toPrecision(5) : String(v));
const pct = (v: number) => `${(100 * v).toFixed(2)} %`;
const acc = (a: number | null | undefined) => (a === null || a === undefined ? '-' : `${(100 * a).toFixed(1)} %`);

export interface LayerSummary {
  readonly layer: string;
  readonly meanGradUnderflow: number;
  readonly maxGradUnderflow: number;
  readonly meanErrorUnderflow: number;
  readonly saturated: number;
  readonly accumulatorOverflows: number;
  readonly meanGradSqnrDb: number | null;
  readonly minGradSqnrDb: number | null;
  readonly meanUpdateLost: number;
  readonly meanUpdatesStalled: number;
}

/** Per-layer means/extremes of the step diagnostics over the steps of `epochs` (all when undefined). */
export function summarizeLayers(run: QTrainRun, epoch?: number): LayerSummary[] {
  const by = new Map<string, LayerStepDiag[]>();
  for (const s of run.fixed.steps) {
    if (epoch !== undefined && s.epoch !== epoch) continue;
    for (const l of s.layers) (by.get(l.layer) ?? by.set(l.layer, []).get(l.layer)!).push(l);
  }
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  return [...by.entries()].map(([layer, ds]) => {
    const sq = ds.map((d) => d.gradSqnrDb).filter((v): v is number => v !== null && Number.isFinite(v));
    return {
      layer,
      meanGradUnderflow: mean(ds.map((d) => d.gradUnderflow)), maxGradUnderflow: Math.max(...ds.map((d) => d.gradUnderflow)),
      meanErrorUnderflow: mean(ds.map((d) => d.errorUnderflow)),
      saturated: ds.reduce((a, d) => a + d.saturated, 0), accumulatorOverflows: ds.reduce((a, d) => a + d.accumulatorOverflows, 0),
      meanGradSqnrDb: sq.length ? mean(sq) : null, minGradSqnrDb: sq.length ? Math.min(...sq) : null,
      meanUpdateLost: mean(ds.map((d) => d.updateLost)), meanUpdatesStalled: mean(ds.map((d) => d.updatesStalled)),
    };
  });
}

export function simulateCommandFor(run: QTrainRun, model: string, batch: number): string {
  return `systolab simulate --model ${model} --mode training --precision ${run.simulatePrecision} --batch ${batch}`;
}

export function quantJson(run: QTrainRun, extra: Record<string, unknown>, opts: QTrainOptions): Record<string, unknown> {
  return {
    ...extra,
    formats: opts.formats, stochasticRounding: opts.stochastic, lossScale: opts.lossScale ?? 1,
    simulatePrecision: run.simulatePrecision,
    comparison: run.comparison,
    float: { steps: run.float.result.steps, epochs: run.float.result.epochs },
    fixed: { steps: run.fixed.steps, epochs: run.fixed.epochs, warnings: run.fixed.warnings, nanAtStep: run.fixed.nanAtStep },
    layerSummary: summarizeLayers(run),
  };
}

export function quantText(run: QTrainRun, opts: QTrainOptions, head: string, model: string, batch: number, outDir: string): string {
  const F = opts.formats;
  const fl = run.float.result.epochs, fx = run.fixed.epochs;
  const every = Math.max(1, Math.ceil(fl.length / 20));
  const rows = fl.filter((_, i) => i === 0 || (i + 1) % every === 0 || i === fl.length - 1).map((e) => {
    const q = fx[e.epoch - 1];
    return [String(e.epoch), num(e.train.loss), q ? num(q.train.loss) : 'stopped', q ? num(q.train.loss - e.train.loss) : '-', acc(e.train.accuracy), acc(q?.train.accuracy)];
  });
  const layerRows = summarizeLayers(run).map((l) => [
    l.layer, pct(l.meanGradUnderflow), pct(l.maxGradUnderflow), pct(l.meanErrorUnderflow), String(l.saturated), String(l.accumulatorOverflows),
    l.meanGradSqnrDb === null ? '-' : l.meanGradSqnrDb.toFixed(1), l.minGradSqnrDb === null ? '-' : l.minGradSqnrDb.toFixed(1),
    pct(l.meanUpdateLost), pct(l.meanUpdatesStalled),
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
    `Wrote ${join(outDir, 'history.json')} (both curves, every step's diagnostics) and ${join(outDir, 'model.json')} (the fixed-point-trained master weights).`,
  ].join('\n') + '\n';
}

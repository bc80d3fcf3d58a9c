/**
 * Numerics charts: `train --precision` loss curves (float64 vs fixed point, from history.json) and `check`'s
 * per-layer error (SQNR against the ideal 6.02·b + 1.76 dB, and max/mean |error|). Pure: data → specs.
 */
import type { NumericsReport } from '../../run/check.js';
import { ACCENT, CHART_CONFIG, REFERENCE } from './palette.js';
import { type Chart, VL_SCHEMA } from './types.js';

/** The part of a `train --precision` history.json these charts read. */
export interface LossHistory {
  readonly model?: string;
  readonly dataset?: string;
  readonly formats?: Readonly<Record<string, string>>;
  readonly float: { readonly epochs: readonly { readonly epoch: number; readonly train: { readonly loss: number } }[] };
  readonly fixed: { readonly epochs: readonly { readonly epoch: number; readonly train: { readonly loss: number } }[] };
  /** Per-layer diagnostics averaged over the steps (train --precision). */
  readonly layerSummary?: readonly { readonly layer: string; readonly meanGradSqnrDb: number; readonly minGradSqnrDb: number; readonly meanGradUnderflow: number }[];
}

export function isLossHistory(x: unknown): x is LossHistory {
  const h = x as LossHistory;
  return !!h && typeof h === 'object' && Array.isArray(h.float?.epochs) && Array.isArray(h.fixed?.epochs);
}

/** Per layer: the gradient's SQNR against the float gradient (mean and worst step), and the share quantizing to zero. */
export function gradientErrorChart(h: LossHistory): Chart | undefined {
  const rows = h.layerSummary ?? [];
  if (rows.length === 0) return undefined;
  const cap = 200; // an exact gradient has infinite SQNR: drawn at 200 dB
  const values = rows.flatMap((l, i) => [
    { layer: l.layer, order: i, stat: 'mean over steps', sqnr: finiteOr(l.meanGradSqnrDb, cap), underflowPct: 100 * l.meanGradUnderflow },
    { layer: l.layer, order: i, stat: 'worst step', sqnr: finiteOr(l.minGradSqnrDb, cap), underflowPct: 100 * l.meanGradUnderflow },
  ]);
  return {
    name: 'gradient-error',
    title: 'Per-layer weight-gradient error, fixed point vs float64',
    spec: {
      $schema: VL_SCHEMA, config: CHART_CONFIG,
      title: { text: 'Weight-gradient SQNR per layer', subtitle: [h.model, h.dataset, 'higher is closer to float64'].filter(Boolean).join(' · ') },
      width: 480, height: 240,
      data: { values },
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'layer', type: 'nominal', sort: { field: 'order' }, title: 'layer' },
        xOffset: { field: 'stat', type: 'nominal' },
        y: { field: 'sqnr', type: 'quantitative', title: 'gradient SQNR vs float64 (dB)' },
        color: { field: 'stat', type: 'nominal', title: 'SQNR' },
        tooltip: [
          { field: 'layer', type: 'nominal' }, { field: 'stat', type: 'nominal' },
          { field: 'sqnr', type: 'quantitative', format: '.1f', title: 'SQNR (dB)' },
          { field: 'underflowPct', type: 'quantitative', format: '.2f', title: 'gradients quantized to 0 (%)' },
        ],
      },
    },
  };
}

const finiteOr = (v: number, cap: number) => (Number.isFinite(v) ? v : cap);

/** Per layer: SQNR (dB) against the format's ideal. Infinite SQNR (exact layers) is drawn at the ideal + 20 dB. */
export function checkSqnrChart(r: NumericsReport): Chart {
  const cap = r.idealSqnrDb + 20;
  const values = r.layers.map((l, i) => ({ layer: l.name, kind: l.kind, order: i, sqnr: finiteOr(l.sqnrDb, cap), exact: !Number.isFinite(l.sqnrDb), drop: l.sqnrDropDb }));
  return {
    name: 'check-sqnr',
    title: 'SQNR per layer vs the ideal',
    spec: {
      $schema: VL_SCHEMA, config: CHART_CONFIG,
      title: { text: 'SQNR per layer', subtitle: `${r.model} · ${r.precision} · red rule: ideal 6.02·b + 1.76 = ${r.idealSqnrDb.toFixed(1)} dB` },
      width: Math.max(300, 40 * values.length), height: 260,
      layer: [
        {
          data: { values },
          mark: { type: 'bar', color: ACCENT },
          encoding: {
            x: { field: 'layer', type: 'nominal', sort: values.map((v) => v.layer), title: 'layer (execution order)', axis: { labelAngle: -45 } },
            y: { field: 'sqnr', type: 'quantitative', title: 'SQNR (dB)' },
            tooltip: [
              { field: 'layer', type: 'nominal' }, { field: 'kind', type: 'nominal' }, { field: 'sqnr', type: 'quantitative', title: 'SQNR (dB)', format: '.2f' },
              { field: 'drop', type: 'quantitative', title: 'drop below ideal (dB)', format: '.2f' }, { field: 'exact', type: 'nominal', title: 'exact (∞ dB)' },
            ],
          },
        },
        { data: { values: [{ ideal: r.idealSqnrDb }] }, mark: { type: 'rule', color: REFERENCE, strokeWidth: 2 }, encoding: { y: { field: 'ideal', type: 'quantitative' } } },
      ],
    },
  };
}

export function checkErrorChart(r: NumericsReport): Chart {
  const values = r.layers.flatMap((l) => [
    { layer: l.name, stat: 'max |error|', error: l.maxAbsError },
    { layer: l.name, stat: 'mean |error|', error: l.meanAbsError },
  ]).filter((v) => v.error > 0 && Number.isFinite(v.error));
  return {
    name: 'check-error',
    title: 'Absolute error per layer',
    spec: {
      $schema: VL_SCHEMA, config: CHART_CONFIG,
      title: { text: 'Absolute error per layer vs the float64 engine', subtitle: `${r.model} · ${r.precision} · ${r.samples.evaluated} samples` },
      width: Math.max(300, 40 * r.layers.length), height: 260,
      data: { values },
      mark: { type: 'point', filled: true, size: 80 },
      encoding: {
        x: { field: 'layer', type: 'nominal', sort: r.layers.map((l) => l.name), title: 'layer (execution order)', axis: { labelAngle: -45 } },
        y: { field: 'error', type: 'quantitative', scale: { type: 'log' }, title: 'absolute error (output units, log scale)' },
        color: { field: 'stat', type: 'nominal', title: 'statistic', scale: { domain: ['max |error|', 'mean |error|'], range: [REFERENCE, ACCENT] } },
        tooltip: [{ field: 'layer', type: 'nominal' }, { field: 'stat', type: 'nominal' }, { field: 'error', type: 'quantitative', format: '.3~e' }],
      },
    },
  };
}

export function checkCharts(r: NumericsReport): Chart[] {
  return [checkSqnrChart(r), checkErrorChart(r)];
}

/**
 * `check --precision int8,int6,int4`: one chart and one page comparing the precisions — SQNR per layer, one line per
 * precision, beside accuracy (or agreement with float when there are no labels) per precision. Pure: reports → spec.
 */
import type { NumericsReport } from '../run/check.js';
import { CHART_CONFIG } from './charts/palette.js';
import { type Chart, VL_SCHEMA } from './charts/types.js';
import { pct, sig } from './format.js';
import type { HtmlReport } from './html.js';

const finiteOr = (v: number, cap: number) => (Number.isFinite(v) ? v : cap);

/** What the right panel shows: fixed-point accuracy when labels exist, else agreement with float. */
function score(r: NumericsReport): { name: string; value: number | null } {
  const s = r.summary;
  if (s.fixedAccuracy !== null) return { name: 'accuracy (%)', value: 100 * s.fixedAccuracy };
  if (s.agreement !== null) return { name: 'agreement with float (%)', value: 100 * s.agreement };
  return { name: 'RMSE increase (pp of target range)', value: s.regression?.rmseIncreasePp ?? null };
}

export function precisionComparisonChart(reports: readonly NumericsReport[]): Chart {
  const first = reports[0];
  const cap = Math.max(...reports.map((r) => r.idealSqnrDb)) + 20;
  const order = first.layers.map((l) => l.name);
  const sqnr = reports.flatMap((r) => r.layers.map((l) => ({ precision: r.precision, layer: l.name, sqnr: finiteOr(l.sqnrDb, cap), exact: !Number.isFinite(l.sqnrDb) })));
  const metric = score(first).name;
  const bars = reports.map((r) => ({ precision: r.precision, value: score(r).value, passed: r.passed ? 'pass' : 'FAIL' }));
  const floatLine = first.summary.floatAccuracy !== null ? [{ float: 100 * first.summary.floatAccuracy }] : [];
  const precisions = reports.map((r) => r.precision);
  const color = { field: 'precision', type: 'nominal', title: 'precision', sort: precisions, legend: { orient: 'right' } };
  return {
    name: 'precision-comparison',
    title: `SQNR per layer and ${metric} by precision`,
    spec: {
      $schema: VL_SCHEMA, config: CHART_CONFIG,
      title: {
        text: `${first.model}: ${precisions.join(', ')}`,
        subtitle: `${first.dataset} · ${first.samples.evaluated} samples (${first.evaluated.on}) · exact layers (∞ dB) drawn at ${cap.toFixed(0)} dB${floatLine.length ? ' · dashed line: float accuracy' : ''}`,
      },
      hconcat: [
        {
          data: { values: sqnr }, width: Math.max(300, 36 * order.length), height: 260,
          mark: { type: 'line', point: true },
          encoding: {
            x: { field: 'layer', type: 'nominal', sort: order, title: 'layer (execution order)', axis: { labelAngle: -45 } },
            y: { field: 'sqnr', type: 'quantitative', title: 'SQNR vs float64 (dB)' },
            color,
            tooltip: [{ field: 'precision', type: 'nominal' }, { field: 'layer', type: 'nominal' }, { field: 'sqnr', type: 'quantitative', format: '.2f', title: 'SQNR (dB)' }, { field: 'exact', type: 'nominal', title: 'exact (∞ dB)' }],
          },
        },
        {
          width: 40 * reports.length + 80, height: 260,
          layer: [
            {
              data: { values: bars }, mark: { type: 'bar' },
              encoding: {
                x: { field: 'precision', type: 'nominal', sort: precisions, title: 'precision' },
                y: { field: 'value', type: 'quantitative', title: metric },
                color,
                tooltip: [{ field: 'precision', type: 'nominal' }, { field: 'value', type: 'quantitative', format: '.2f', title: metric }, { field: 'passed', type: 'nominal', title: 'pass rule' }],
              },
            },
            ...(floatLine.length ? [{ data: { values: floatLine }, mark: { type: 'rule', color: '#222', strokeDash: [4, 2] }, encoding: { y: { field: 'float', type: 'quantitative' } } }] : []),
          ],
        },
      ],
      resolve: { scale: { color: 'shared' } },
    },
  };
}

export function precisionComparisonHtml(reports: readonly NumericsReport[]): Omit<HtmlReport, 'charts'> {
  const first = reports[0];
  const p = (v: number | null) => (v === null ? '-' : pct(v));
  return {
    title: `Systolab check: ${first.model} at ${reports.map((r) => r.precision).join(', ')}`,
    subtitle: `${first.dataset}, ${first.samples.evaluated} samples (${first.evaluated.on})${first.evaluated.note ? `: ${first.evaluated.note}` : ''}`,
    summary: reports.map((r) => [r.precision, `agreement ${p(r.summary.agreement)}, accuracy ${p(r.summary.fixedAccuracy)} (float ${p(r.summary.floatAccuracy)}), output SQNR ${sig(r.summary.outputSqnrDb)} dB: ${r.passed ? 'pass' : `FAIL: ${r.failures.join('; ')}`}`] as [string, string]),
    tables: [{
      title: 'SQNR per layer (dB)',
      header: ['layer', 'kind', ...reports.map((r) => r.precision)],
      numeric: new Set(reports.map((_, i) => i + 2)),
      rows: first.layers.map((l, i) => [l.name, l.kind, ...reports.map((r) => sig(r.layers[i].sqnrDb))]),
    }],
    files: ['numerics-report.json'],
  };
}

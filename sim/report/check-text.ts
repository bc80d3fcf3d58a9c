/**
 * The NumericsReport of `systolab check` as text: one row per layer, then agreement, accuracy (or regression error),
 * SQNR, each pass-rule threshold with its value, and the result. Several precisions: each report, then one table
 * comparing them.
 */
import type { NumericsReport } from '../run/check.js';
import type { RuleCheck } from '../run/check-rule.js';
import { pct } from './format.js';
import { table } from './run-report.js';

const fix = (v: number, d = 4) => (Number.isFinite(v) ? v.toFixed(d) : String(v));
const g = (v: number) => (v === 0 ? '0' : v.toPrecision(3));
const show = (v: number, unit: string) => (unit === '' ? fix(v, 4) : `${fix(v, 2)} ${unit}`);

/** `accuracy drop (float − fixed) 3.50 pp ≤ 1.00 pp: FAIL`, or why it did not run. */
export function checkLine(c: RuleCheck): string {
  const op = c.flag.startsWith('--min') ? '≥' : '≤';
  if (c.skipped === 'off') return `${c.what}: off (set ${c.flag})`;
  if (c.passed === null) return `${c.what} ${op} ${show(c.limit!, c.unit)}: not checked (${c.skipped})`;
  return `${c.what} ${show(c.value!, c.unit)} ${op} ${show(c.limit!, c.unit)}: ${c.passed ? 'pass' : 'FAIL'}`;
}

function outcomeLines(r: NumericsReport): string[] {
  const s = r.summary;
  if (s.regression) {
    const x = s.regression;
    return [`regression error vs the targets (range ${g(x.targetRange)}): MAE float ${g(x.float.maeTargetUnits)}, ${r.precision} ${g(x.fixed.maeTargetUnits)}; RMSE float ${g(x.float.rmseTargetUnits)}, ${r.precision} ${g(x.fixed.rmseTargetUnits)} (+${fix(x.rmseIncreasePp, 2)} pp of the range)`];
  }
  const acc = s.floatAccuracy === null ? 'accuracy: none (no labels)' : `accuracy float ${pct(s.floatAccuracy, 2)}, ${r.precision} ${pct(s.fixedAccuracy, 2)} (drop ${fix(s.accuracyDropPp!, 2)} pp)`;
  return [`agreement with float (${s.decision}): ${pct(s.agreement, 2)}   ${acc}`];
}

export function checkReportText(r: NumericsReport): string {
  const rows = r.layers.map((l) => [l.name, l.kind, g(l.maxAbsError), g(l.meanAbsError), fix(l.sqnrDb, 2), fix(l.sqnrDropDb, 2), fix(l.cosine, 6), String(l.accumulatorOverflows), String(l.clamps)]);
  const s = r.summary;
  return [
    `${r.model} on ${r.dataset} (${r.samples.evaluated} samples, ${r.evaluated.on}): ${r.precision}, ${r.accumulatorBits}-bit accumulator (${r.overflow}), requantization ${r.rounding}, calibration ${r.calibration} on ${r.samples.calibration} samples; vs the float64 engine.`,
    ...(r.evaluated.note ? [`note: ${r.evaluated.note}.`] : []),
    '',
    table(['layer', 'kind', 'max |err|', 'mean |err|', 'SQNR dB', 'drop dB', 'cosine', 'acc overflows', 'clamps'], rows, new Set([2, 3, 4, 5, 6, 7, 8])),
    '',
    ...outcomeLines(r),
    `output SQNR ${fix(s.outputSqnrDb, 2)} dB; worst drop below the ideal ${fix(r.idealSqnrDb, 2)} dB: ${fix(s.worstSqnrDropDb, 2)} dB at ${s.worstLayer}; ${s.accumulatorOverflows} accumulator overflows, ${s.clamps} clamps`,
    'pass rule:',
    ...r.checks.map((c) => `  ${checkLine(c)}`),
    `result: ${r.passed ? 'PASS' : `FAIL (${r.failures.length} of the rule's thresholds)`}`,
  ].join('\n') + '\n';
}

/** Several precisions: every report, then one row per precision. */
export function checkComparisonText(reports: readonly NumericsReport[]): string {
  const p = (v: number | null) => (v === null ? '-' : pct(v, 2));
  const rows = reports.map((r) => [
    r.precision, p(r.summary.agreement), p(r.summary.fixedAccuracy), r.summary.accuracyDropPp === null ? '-' : fix(r.summary.accuracyDropPp, 2),
    fix(r.summary.outputSqnrDb, 2), `${fix(r.summary.worstSqnrDropDb, 2)} (${r.summary.worstLayer})`, r.passed ? 'PASS' : 'FAIL',
  ]);
  const first = reports[0];
  return [
    ...reports.map(checkReportText),
    `${first.model}, ${reports.length} precisions on the same ${first.samples.evaluated} samples (float accuracy ${p(first.summary.floatAccuracy)}):`,
    table(['precision', 'agreement', 'accuracy', 'drop pp', 'output SQNR dB', 'worst drop dB (layer)', 'result'], rows, new Set([1, 2, 3, 4])),
  ].join('\n') + '\n';
}

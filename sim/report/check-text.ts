/** The NumericsReport of `systolab check` as text: one row per layer, then agreement, SQNR and PASS/FAIL lines. */
import type { NumericsReport } from '../run/check.js';
import { pct } from './format.js';
import { table } from './run-report.js';

const fix = (v: number, d = 4) => (Number.isFinite(v) ? v.toFixed(d) : String(v));
const g = (v: number) => (v === 0 ? '0' : v.toPrecision(3));

export function checkReportText(r: NumericsReport): string {
  const rows = r.layers.map((l) => [l.name, l.kind, g(l.maxAbsError), g(l.meanAbsError), fix(l.sqnrDb, 2), fix(l.sqnrDropDb, 2), fix(l.cosine, 6), String(l.accumulatorOverflows), String(l.clamps)]);
  const s = r.summary;
  return [
    `${r.model} on ${r.dataset} (${r.samples.evaluated} samples): ${r.precision}, ${r.accumulatorBits}-bit accumulator (${r.overflow}), requantization ${r.rounding}, calibration ${r.calibration} on ${r.samples.calibration} samples; vs the float64 engine.`,
    '',
    table(['layer', 'kind', 'max |err|', 'mean |err|', 'SQNR dB', 'drop dB', 'cosine', 'acc overflows', 'clamps'], rows, new Set([2, 3, 4, 5, 6, 7, 8])),
    '',
    `top-1 agreement with float: ${pct(s.top1Agreement, 2)}   accuracy float ${pct(s.floatAccuracy, 2)}, ${r.precision} ${pct(s.fixedAccuracy, 2)}`,
    `output SQNR ${fix(s.outputSqnrDb, 2)} dB; worst drop below the ideal ${fix(r.idealSqnrDb, 2)} dB: ${fix(s.worstSqnrDropDb, 2)} dB at ${s.worstLayer}; ${s.accumulatorOverflows} accumulator overflows, ${s.clamps} clamps`,
    ...r.failures.map((f) => `FAIL: ${f}`),
    r.passed ? (r.failures.length === 0 && (r.thresholds.minAgreement !== undefined || r.thresholds.maxSqnrDropDb !== undefined) ? 'PASS' : '') : '',
  ].filter((l, i, a) => !(l === '' && i === a.length - 1)).join('\n') + '\n';
}


/**
 * A NumericsReport (`check`) or a train history as JSON and back. JSON has no Infinity, and `JSON.stringify` would
 * write an SQNR where the fixed-point result equals float exactly (+Infinity dB, −Infinity for its drop:
 * sim/fixed/metrics.ts; a quantized training step's exact gradient, sim/fixed/qtrain.ts) as `null`, which reads as
 * "not measured". So those two values are written as the strings "Infinity" and "-Infinity" — as
 * Python's and pandas' readers name them — and read back as numbers. Every other number in a report is finite
 * (sim/run/report-check.ts). Pure.
 */

import { isSqnrField } from '../run/check.js';

const INFINITE = new Map<string, number>([['Infinity', Infinity], ['-Infinity', -Infinity]]);

/** `JSON.stringify` of a report with ±Infinity SQNR written as "Infinity"/"-Infinity". */
export function reportJson(report: unknown, indent?: number): string {
  return JSON.stringify(report, (key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) && isSqnrField(key) ? String(v) : v), indent);
}

/** Undoes `reportJson` on a parsed value: "Infinity"/"-Infinity" in SQNR fields become numbers again. */
export function reviveReportJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => reviveReportJson(v)) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'string' && isSqnrField(k) && INFINITE.has(v) ? INFINITE.get(v) : reviveReportJson(v)])) as T;
}

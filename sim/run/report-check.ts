/**
 * The final check on every report before it is printed or written (a CostReport, a NumericsReport, a sweep line):
 * every number in it is finite, and every count below 2^53 in magnitude (MEASURE_PATH names the fields that are not
 * counts). A count (cycles, MACs, words, bytes) at or above 2^53 is no longer exact in a double, so printing it would
 * print a wrong number; NaN and ±Infinity would reach JSON as null.
 * Either means the input went beyond a limit that a loader should have refused (docs/limits.md), so it is bad input:
 * a SimError naming the report field, exit 2. Pure.
 */
import { SimError } from '../base/errors.js';
import { LIMITS_DOC } from '../base/limits.js';

/** The exclusive bound: every integer below it is exact in a double. */
export const EXACT_BOUND = 2 ** 53;

/**
 * Report fields that are measures, not counts: energies (pJ), times, the energy-delay product, area, power, and the
 * error figures of a NumericsReport. They need only be finite: 1.3e16 pJ is a large energy, not an inexact count. (Every
 * double at or above 2^53 is an integer, so a count cannot be told from a measure by its value; the name says which.)
 * Every other number, counts included, must be below 2^53.
 */
export const MEASURE_PATH = /energy|seconds|edp|area|power|watt|pj|error|mae|rmse|range|sqnr|cosine/i;

/**
 * Whether `value` may hold a bad number: one not finite (±Infinity may yet be allowed: only the path can say), or a
 * finite one not below 2^53 outside a measure. Builds no paths — the check runs on every report and sweep line, and
 * building a path string per number cost more than the rest of it. `measure`: a key on the way here matched
 * MEASURE_PATH; that is the same as the joined path matching it, since its alternatives are letters only and
 * the path's separators ('.', '[i]') are not.
 */
function mayHoldBad(value: unknown, measure: boolean): boolean {
  if (typeof value === 'number') return !Number.isFinite(value) || (Math.abs(value) >= EXACT_BOUND && !measure);
  if (value === null || typeof value !== 'object') return false;
  if (ArrayBuffer.isView(value)) {
    const xs = value as unknown as ArrayLike<unknown>;
    for (let i = 0; i < xs.length; i++) if (mayHoldBad(xs[i], measure)) return true;
    return false;
  }
  if (Array.isArray(value)) return value.some((v) => mayHoldBad(v, measure));
  for (const key in value) {
    if (Object.hasOwn(value, key) && mayHoldBad((value as Record<string, unknown>)[key], measure || MEASURE_PATH.test(key))) return true;
  }
  return false;
}

/** The path and value of the first number in `value` that is not finite or not below 2^53, depth first, or undefined. */
export function firstBadNumber(value: unknown, path = '', infiniteOk: (path: string) => boolean = () => false): { readonly path: string; readonly value: number } | undefined {
  return mayHoldBad(value, MEASURE_PATH.test(path)) ? firstBadNumberAt(value, path, infiniteOk) : undefined;
}

/** firstBadNumber's second pass, building paths, for a value the first found suspicious. */
function firstBadNumberAt(value: unknown, path: string, infiniteOk: (path: string) => boolean): { readonly path: string; readonly value: number } | undefined {
  if (typeof value === 'number') {
    const ok = Number.isFinite(value) ? Math.abs(value) < EXACT_BOUND || MEASURE_PATH.test(path) : !Number.isNaN(value) && infiniteOk(path);
    return ok ? undefined : { path, value };
  }
  if (value === null || typeof value !== 'object') return undefined;
  if (ArrayBuffer.isView(value)) return firstBadNumberAt(Array.from(value as unknown as ArrayLike<number>), path, infiniteOk);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = firstBadNumberAt(value[i], `${path}[${i}]`, infiniteOk);
      if (bad) return bad;
    }
    return undefined;
  }
  for (const [key, v] of Object.entries(value)) {
    const bad = firstBadNumberAt(v, path ? `${path}.${key}` : key, infiniteOk);
    if (bad) return bad;
  }
  return undefined;
}

/**
 * Throws a SimError (`overflow`) naming `what` and the field when a number of `report` is NaN, ±Infinity, or a count
 * not below 2^53; returns the report unchanged otherwise. `infiniteOk` names the fields where ±Infinity is a defined
 * value rather than an overflow (a NumericsReport's SQNR where fixed point equals float exactly: sim/fixed/metrics.ts).
 */
export function assertReportNumbers<T>(report: T, what: string, infiniteOk?: (path: string) => boolean): T {
  const bad = firstBadNumber(report, '', infiniteOk);
  if (bad === undefined) return report;
  const problem = Number.isFinite(bad.value)
    ? 'is not below 2^53, so it is not an exact count: the input exceeds a limit'
    : 'is not a finite number: the input exceeds a limit';
  throw new SimError(problem, {
    code: 'overflow', path: `${what} field ${bad.path}`, value: String(bad.value),
    hint: `Make the model or the hardware smaller; the limits and their reasons: ${LIMITS_DOC}.`,
  });
}

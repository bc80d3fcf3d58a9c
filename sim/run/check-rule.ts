/**
 * `check`'s pass rule: every threshold with its flag, its limit and the measured value, so a report says what it
 * tested and why it passed or failed. A threshold that does not apply (no labels, not a regression, not set) is
 * listed with the reason instead of a value. Plain data in and out.
 */

/** The thresholds; `null` turns one off. */
export interface PassRule {
  /** Float accuracy − fixed accuracy, in percentage points (classification with labels). */
  readonly maxAccuracyDropPp: number | null;
  /** (fixed RMSE − float RMSE) / target range, in percentage points (regression). */
  readonly maxErrorIncreasePp: number | null;
  /** Decision agreement with float, a fraction. */
  readonly minAgreement: number | null;
  /** The worst layer's drop below the ideal SQNR, dB. */
  readonly maxSqnrDropDb: number | null;
}

export const DEFAULT_PASS_RULE: PassRule = { maxAccuracyDropPp: 1, maxErrorIncreasePp: 1, minAgreement: null, maxSqnrDropDb: null };

export interface RuleCheck {
  readonly flag: string;
  readonly what: string;
  readonly limit: number | null;
  /** The measured value; null when the check does not apply. */
  readonly value: number | null;
  readonly unit: string;
  /** true/false when it ran; null when it did not (limit off, or nothing to measure). */
  readonly passed: boolean | null;
  /** Why it did not run. */
  readonly skipped?: string;
}

/** What a rule is applied to: measured values, null where they do not exist. */
export interface Measured {
  readonly accuracyDropPp: number | null;
  readonly errorIncreasePp: number | null;
  readonly agreement: number | null;
  readonly worstSqnrDropDb: number;
  /** Why there is no accuracy (no labels, a regression task…). */
  readonly noAccuracy?: string;
}

function one(flag: string, what: string, unit: string, limit: number | null, value: number | null, ok: (v: number, l: number) => boolean, absent: string): RuleCheck {
  if (limit === null) return { flag, what, limit, value, unit, passed: null, skipped: 'off' };
  if (value === null) return { flag, what, limit, value, unit, passed: null, skipped: absent };
  return { flag, what, limit, value, unit, passed: ok(value, limit) };
}

export function applyRule(rule: PassRule, m: Measured): RuleCheck[] {
  return [
    one('--max-accuracy-drop', 'accuracy drop (float − fixed)', 'pp', rule.maxAccuracyDropPp, m.accuracyDropPp, (v, l) => v <= l, m.noAccuracy ?? 'no accuracy'),
    one('--max-error-increase', 'RMSE increase / target range', 'pp', rule.maxErrorIncreasePp, m.errorIncreasePp, (v, l) => v <= l, 'not a regression'),
    one('--min-agreement', 'decision agreement with float', '', rule.minAgreement, m.agreement, (v, l) => v >= l, 'no decisions (regression)'),
    one('--max-sqnr-drop', 'worst layer SQNR drop below the ideal', 'dB', rule.maxSqnrDropDb, m.worstSqnrDropDb, (v, l) => v <= l, 'no layers'),
  ];
}

/** One line per failed check. */
export function failuresOf(checks: readonly RuleCheck[]): string[] {
  return checks.filter((c) => c.passed === false).map((c) => `${c.what} ${show(c.value!, c.unit)} ${c.flag.startsWith('--min') ? 'is below' : 'exceeds'} ${c.flag} ${show(c.limit!, c.unit)}`);
}

const show = (v: number, unit: string) => (unit === '' ? v.toFixed(4) : `${Number(v.toFixed(2))} ${unit}`);

/**
 * `check`'s decisions and pass rule as pure functions: a single sigmoid/logit output is thresholded (argmax of one
 * column is always 0, which made every precision "agree" 100 %), regression error is relative to the target range,
 * and every threshold of the rule fails exactly when its value crosses its limit (fast-check), with mutation checks.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RegressionError, countEqual, decide } from '../../sim/fixed/metrics.js';
import { DEFAULT_PASS_RULE, type PassRule, applyRule, failuresOf } from '../../sim/run/check-rule.js';

describe('decisions', () => {
  it('threshold: one 0/1 per element, ≥ cut is 1', () => {
    expect([...decide([0.2, 0.5, 0.9], 3, { kind: 'threshold', cut: 0.5 })]).toEqual([0, 1, 1]);
    expect([...decide([-1, 0, 2], 3, { kind: 'threshold', cut: 0 })]).toEqual([0, 1, 1]);
    expect([...decide([0.1, 0.7, 0.3, 0.2, 0.1, 0.9], 2, { kind: 'argmax' })]).toEqual([1, 2]);
  });
  it('mutation: argmax of a one-wide output always agrees; the threshold sees the flipped decisions', () => {
    const float = [0.9, 0.8, 0.1, 0.2], fixed = [0.4, 0.45, 0.6, 0.2];   // three of four flip across 0.5
    const argmax = countEqual(decide(float, 4, { kind: 'argmax' }), decide(fixed, 4, { kind: 'argmax' }));
    const cut = countEqual(decide(float, 4, { kind: 'threshold', cut: 0.5 }), decide(fixed, 4, { kind: 'threshold', cut: 0.5 }));
    expect(argmax).toBe(4);   // the old "100 % at any width"
    expect(cut).toBe(1);
  });
  it('agreement is symmetric and 100 % against itself (property)', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 1, maxLength: 40 }), fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 40, maxLength: 40 }), (a, b) => {
      const rule = { kind: 'threshold', cut: 0 } as const;
      const da = decide(a, a.length, rule), db = decide(b.slice(0, a.length), a.length, rule);
      expect(countEqual(da, da)).toBe(a.length);
      expect(countEqual(da, db)).toBe(countEqual(db, da));
    }));
  });
});

describe('regression error', () => {
  it('MAE, RMSE and the target range', () => {
    const e = new RegressionError();
    e.add([1, 2], [0, 4]);
    e.add([5], [5]);
    expect(e.summary()).toEqual({ maeTargetUnits: 1, rmseTargetUnits: Math.sqrt(5 / 3), targetRange: 5 });
  });
  it('RMSE ≥ MAE and both are 0 only for exact predictions (property)', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.double({ min: -9, max: 9, noNaN: true }), fc.double({ min: -9, max: 9, noNaN: true })), { minLength: 1, maxLength: 30 }), (pairs) => {
      const e = new RegressionError();
      e.add(pairs.map((p) => p[0]), pairs.map((p) => p[1]));
      const s = e.summary();
      expect(s.rmseTargetUnits).toBeGreaterThanOrEqual(s.maeTargetUnits - 1e-12);
      expect(s.maeTargetUnits === 0).toBe(pairs.every(([a, b]) => a === b));
    }));
  });
});

describe('pass rule', () => {
  const measured = { accuracyDropPp: 0.5, errorIncreasePp: null, agreement: 0.999, worstSqnrDropDb: 12 };
  it('defaults: accuracy drop ≤ 1 pp and RMSE increase ≤ 1 pp on; agreement and SQNR drop off, and said so', () => {
    const checks = applyRule(DEFAULT_PASS_RULE, measured);
    expect(checks.map((c) => [c.flag, c.limit, c.passed, c.skipped])).toEqual([
      ['--max-accuracy-drop', 1, true, undefined], ['--max-error-increase', 1, null, 'not a regression'],
      ['--min-agreement', null, null, 'off'], ['--max-sqnr-drop', null, null, 'off'],
    ]);
    expect(failuresOf(checks)).toEqual([]);
  });
  it('mutation: LeNet at int4 (89.0 % → 85.5 %) fails the default rule', () => {
    const failures = failuresOf(applyRule(DEFAULT_PASS_RULE, { ...measured, accuracyDropPp: 3.5 }));
    expect(failures).toEqual(['accuracy drop (float − fixed) 3.5 pp exceeds --max-accuracy-drop 1 pp']);
  });
  it('no labels: the accuracy threshold is not checked, with the reason', () => {
    const [acc] = applyRule(DEFAULT_PASS_RULE, { ...measured, accuracyDropPp: null, noAccuracy: 'no labels: random inputs' });
    expect(acc).toMatchObject({ passed: null, skipped: 'no labels: random inputs' });
  });
  it('each threshold fails exactly when its value crosses its limit (property)', () => {
    fc.assert(fc.property(fc.double({ min: 0, max: 100, noNaN: true }), fc.double({ min: 0, max: 100, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (value, limit, agreement, minAgreement) => {
      const rule: PassRule = { maxAccuracyDropPp: limit, maxErrorIncreasePp: limit, minAgreement, maxSqnrDropDb: limit };
      const checks = applyRule(rule, { accuracyDropPp: value, errorIncreasePp: value, agreement, worstSqnrDropDb: value });
      expect(checks.map((c) => c.passed)).toEqual([value <= limit, value <= limit, agreement >= minAgreement, value <= limit]);
      expect(failuresOf(checks).length).toBe(checks.filter((c) => c.passed === false).length);
    }));
  });
});

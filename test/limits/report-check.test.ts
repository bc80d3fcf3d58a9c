/**
 * assertReportNumbers, the final check on every report: exact counts below 2^53 and finite numbers, or a SimError
 * naming the field. Includes the mutation checks (a report corrupted with NaN, Infinity, 2^53 + 2 must throw) and the
 * check running on a real CostReport from simulateGraph.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimError } from '../../sim/base/errors.js';
import { EXACT_BOUND, assertReportNumbers, firstBadNumber } from '../../sim/run/report-check.js';
import { simulateGraph } from '../../sim/run/pipeline.js';
import { loadAnyModel, resolveModel } from '../../sim/load/model.js';
import { loadHwConfig, resolveMachine } from '../../sim/load/hw.js';
import { errorOf } from '../helpers/errors.js';

const report = () => ({ totals: { cycles: 120, macs: 4096, energy: { total: 1.5e3 } }, layers: [{ name: 'c1', cycles: 120 }], warnings: [] });

describe('assertReportNumbers', () => {
  it('passes a report of exact counts and finite floats unchanged', () => {
    const r = report();
    expect(assertReportNumbers(r, 'the cost report')).toBe(r);
  });

  it.each([
    ['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity], ['2^53', 2 ** 53], ['2^53 + 2', 2 ** 53 + 2], ['-2^53', -(2 ** 53)], ['1e308', 1e308],
  ])('mutation: a count corrupted to %s throws, naming the field', (_name, bad) => {
    const r = report();
    (r.layers[0] as { cycles: number }).cycles = bad;
    const e = errorOf(() => assertReportNumbers(r, 'the cost report'));
    expect(e.code).toBe('overflow');
    expect(e.path).toBe('the cost report field layers[0].cycles');
    expect(e.message).toContain('docs/limits.md');
    expect(e.message).not.toContain('\n');
  });

  it('finds a bad number inside typed arrays and nested objects', () => {
    expect(firstBadNumber({ a: { b: Float64Array.from([1, NaN]) } })).toEqual({ path: 'a.b[1]', value: NaN });
  });

  it('lets ±Infinity through only where the caller says it is defined, never NaN', () => {
    const ok = (p: string) => p.endsWith('sqnrDb');
    expect(() => assertReportNumbers({ layers: [{ sqnrDb: Infinity }] }, 'r', ok)).not.toThrow();
    expect(() => assertReportNumbers({ layers: [{ sqnrDb: NaN }] }, 'r', ok)).toThrow(SimError);
    expect(() => assertReportNumbers({ layers: [{ cycles: Infinity }] }, 'r', ok)).toThrow(SimError);
  });

  it('law: a number passes exactly when it is finite and below 2^53 in magnitude; a measure need only be finite', () => {
    fc.assert(fc.property(fc.oneof(fc.double(), fc.integer(), fc.constantFrom(2 ** 53 - 1, 2 ** 53, -(2 ** 53) + 1)), (v) => {
      const passes = firstBadNumber({ x: [v] }) === undefined;
      expect(passes).toBe(Number.isFinite(v) && Math.abs(v) < EXACT_BOUND);
      expect(firstBadNumber({ energy: { total: v } }) === undefined).toBe(Number.isFinite(v));
    }), { seed: 19, numRuns: 500 });
  });

  it('a large energy (1.3e16 pJ) or error is a measure, not an inexact count; MAC and cycle counts stay bounded', () => {
    const r = { totals: { macs: 2 ** 50, energy: { total: 1.3198706277551732e16, byComponent: { mac: 1e17 } }, edpJs: 1e20 }, layers: [{ maxAbsError: 1e300 }] };
    expect(firstBadNumber(r)).toBeUndefined();
    expect(firstBadNumber({ ...r, totals: { ...r.totals, macs: 2 ** 53 } })).toEqual({ path: 'totals.macs', value: 2 ** 53 });
    expect(firstBadNumber({ totals: { energy: { total: Infinity } } })).toEqual({ path: 'totals.energy.total', value: Infinity });
  });

  it('a real CostReport (tiny-cnn, training) passes the check', () => {
    const graph = loadAnyModel(resolveModel('tiny-cnn'));
    const machine = resolveMachine(loadHwConfig('edge-16x16'));
    const r = simulateGraph(graph, machine, { mode: 'training', compat: 'none', version: 'test' });
    expect(firstBadNumber(r)).toBeUndefined();
  });
});

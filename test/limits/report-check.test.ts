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

  it('the path-free first pass finds what the path-building definition finds (fast-check, random reports)', () => {
    // The definition as it reads in docs/limits.md: walk every number with its path; a number is bad unless finite
    // and (below 2^53 or on a measure's path), or ±Infinity where infiniteOk allows it.
    const definition = (v: unknown, path: string, infiniteOk: (p: string) => boolean): { path: string; value: number } | undefined => {
      if (typeof v === 'number') {
        const ok = Number.isFinite(v) ? Math.abs(v) < EXACT_BOUND || /energy|seconds|edp|area|power|watt|pj|error|mae|rmse|range|sqnr|cosine/i.test(path) : !Number.isNaN(v) && infiniteOk(path);
        return ok ? undefined : { path, value: v };
      }
      if (v === null || typeof v !== 'object') return undefined;
      const entries = ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>).map((x, i) => [`[${i}]`, x] as const)
        : Array.isArray(v) ? v.map((x, i) => [`[${i}]`, x] as const) : Object.entries(v).map(([k, x]) => [path ? `.${k}` : k, x] as const);
      for (const [step, x] of entries) {
        const bad = definition(x, `${path}${step}`, infiniteOk);
        if (bad) return bad;
      }
      return undefined;
    };
    const number = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.constantFrom(NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 53), 2 ** 53 - 1, 1e300, 1.5));
    const key = fc.constantFrom('cycles', 'macs', 'energy', 'totalPj', 'sqnrDb', 'layers', 'x', 'seconds', 'edpPjS', 'words');
    const tree = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, number, fc.constant(null), fc.string({ maxLength: 3 }), fc.array(tie('node'), { maxLength: 4 }),
        fc.dictionary(key, tie('node'), { maxKeys: 4 }), fc.array(number, { maxLength: 3 }).map((xs) => Float64Array.from(xs))),
    })).node;
    const sqnrOk = (path: string) => /sqnr/i.test(path);
    fc.assert(fc.property(tree, (v) => {
      expect(firstBadNumber(v)).toEqual(definition(v, '', () => false));
      expect(firstBadNumber(v, '', sqnrOk)).toEqual(definition(v, '', sqnrOk));
    }), { seed: 20261202, numRuns: 2000 });
  });
});

/**
 * float/fdlibm.ts: exp, log, log1p, expm1, sin and cos in plain IEEE arithmetic. Node 20's V8 computes Math's with
 * fdlibm, so ours must give Node's bits on every argument: checked here on random doubles across each function's
 * whole exponent range, the edge values, and the arguments next to multiples of π/2 where the reduction cancels.
 * test/playground/browser.test.ts checks the point of it: Chromium (whose Math differs) trains the same curve.
 * A second guard keeps Math's transcendental functions out of the engine's and the page's sources.
 */
import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NPIO2_HIGH_WORDS, cos, exp, expm1, log, log1p, sin } from '../../sim/float/fdlibm.js';
import { packageRoot } from '../../sim/base/package-root.js';

const OURS = { exp, log, log1p, expm1, sin, cos } as const;
type Name = keyof typeof OURS;

const words = new DataView(new ArrayBuffer(8));
function fromBits(hi: number, lo: number): number {
  words.setUint32(0, hi >>> 0); words.setUint32(4, lo >>> 0);
  return words.getFloat64(0);
}
function highWord(x: number): number { words.setFloat64(0, x); return words.getUint32(0); }

/** A double of either sign with a biased exponent in [eLo, eHi] and random mantissa bits. */
const doubleIn = (eLo: number, eHi: number) =>
  fc.tuple(fc.integer({ min: eLo, max: eHi }), fc.integer({ min: 0, max: 0xfffff }), fc.integer({ min: 0, max: 0xffffffff }), fc.boolean())
    .map(([e, m, lo, neg]) => fromBits(((neg ? 0x800 : 0) | e) << 20 | m, lo));

/** Exponent ranges (biased) that cover each function's regimes: tiny, the polynomial, reduction, overflow. */
const RANGES: Record<Name, [number, number]> = {
  exp: [0, 1033], log: [0, 2046], log1p: [0, 2046], expm1: [0, 1033], sin: [0, 1042], cos: [0, 1042],
};

function same(name: Name, x: number): void {
  const ours = OURS[name](x), node = Math[name](x);
  if (!Object.is(ours, node)) expect.fail(`${name}(${x}): ours ${ours}, Math's ${node}`);
}

describe('fdlibm: the bits of Node 20\'s Math', () => {
  for (const name of Object.keys(OURS) as Name[]) {
    it(`${name} equals Math.${name} on random doubles over its whole range`, () => {
      const [lo, hi] = RANGES[name];
      fc.assert(fc.property(doubleIn(lo, hi), (x) => same(name, name === 'log' ? Math.abs(x) : x)), { numRuns: 100_000 });
      // and densely where the values are: |x| up to 64
      fc.assert(fc.property(fc.double({ min: -64, max: 64, noNaN: true }), (x) => same(name, x)), { numRuns: 50_000 });
    });
  }

  it('the edge values', () => {
    const edges = [0, -0, Infinity, -Infinity, NaN, 1, -1, 2, 0.5, 5e-324, -5e-324, 2.2250738585072014e-308, 1e-310,
      2 ** -28, -(2 ** -28), 2 ** -54, 2 ** -55, 709.782712893384, 709.79, -745.1332191019411, -745.2, 1e308, -1e308,
      Math.LN2, Math.LN2 / 2, 1.5 * Math.LN2, 56 * Math.LN2, -56 * Math.LN2, -0.2928932188134524, 0.41421356237309503,
      Math.PI / 4, Math.PI / 2, 3 * Math.PI / 4, Math.PI, 823549.6, 823550.3];
    for (const x of edges) for (const name of Object.keys(OURS) as Name[]) same(name, x);
  });

  it('sin and cos next to multiples of π/2 (the reduction\'s second and third steps) and at its table entries', () => {
    for (let n = 1; n <= 20_000; n++) {
      const x = (n * Math.PI) / 2;
      words.setFloat64(0, x);
      const hi = words.getUint32(0), lo = words.getUint32(4);
      for (const d of [-3, -1, 0, 1, 3]) {
        const y = fromBits(hi, (lo + d) >>> 0);
        same('sin', y); same('cos', y); same('sin', -y); same('cos', -y);
      }
    }
    NPIO2_HIGH_WORDS.forEach((w, i) => expect(w).toBe(highWord(((i + 1) * Math.PI) / 2)));
  });

  it('log1p at its reduction boundary near −0.2929, and log, log1p and expm1 densely near 1 and 0', () => {
    fc.assert(fc.property(fc.integer({ min: 0xbfd2bec0, max: 0xbfd2bec8 }), fc.integer({ min: 0, max: 0xffffffff }), (hi, lo) => {
      same('log1p', fromBits(hi, lo));
    }), { numRuns: 20_000 });
    fc.assert(fc.property(fc.double({ min: 0.999, max: 1.001, noNaN: true }), (x) => { same('log', x); same('log1p', x - 1); same('expm1', x - 1); }),
      { numRuns: 20_000 });
    fc.assert(fc.property(fc.double({ min: 0.5, max: 2, noNaN: true }), (x) => { same('log', x); same('log1p', x - 1); same('expm1', x - 1); }),
      { numRuns: 50_000 });
  });

  it('the comparison catches a function an ulp off on one argument in a thousand', () => {
    const bad = (x: number) => { const y = exp(x); return (highWord(x) & 0x3ff) === 7 ? y * (1 + 2 ** -52) : y; };
    expect(() => fc.assert(fc.property(doubleIn(1000, 1030), (x) => expect(Object.is(bad(x), Math.exp(x))).toBe(true)), { numRuns: 100_000 }))
      .toThrow();
  });
});

describe('the engine calls no engine-dependent Math function', () => {
  it('sim/float, sim/datasets, sim/playground and the CACTI interpolation use fdlibm.ts instead', () => {
    const root = packageRoot();
    const files: string[] = ['sim/energy/cacti.ts'];
    const walk = (dir: string): void => {
      for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
        const p = `${dir}/${e.name}`;
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts') && p !== 'sim/float/fdlibm.ts') files.push(p);
      }
    };
    for (const d of ['sim/float', 'sim/datasets', 'sim/playground']) walk(d);
    const offenders = files.filter((f) => /\bMath\.(exp|expm1|log|log1p|sin|cos|tan|tanh|sinh|cosh|atan|atan2|asin|acos|pow|cbrt)\(/
      .test(readFileSync(join(root, f), 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '')));
    expect(offenders).toEqual([]);
    expect(files.length).toBeGreaterThan(30);
  });
});

/**
 * float/portable-math.ts: tanh and integer powers that give the same bits in every JavaScript engine. Checked here
 * against Node's Math (within one unit in the last place; the engines themselves differ by that much), against exact
 * cases, and for tanh's laws; test/playground/browser.test.ts checks the point: Chromium and Node train the same curve.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { powInt, tanh } from '../../sim/float/portable-math.js';

/** Units in the last place between two doubles. */
function ulps(a: number, b: number): number {
  if (a === b) return 0;
  const buf = new DataView(new ArrayBuffer(16));
  buf.setFloat64(0, a); buf.setFloat64(8, b);
  const ia = buf.getBigInt64(0), ib = buf.getBigInt64(8);
  const key = (i: bigint) => (i < 0n ? -(i & 0x7fffffffffffffffn) : i);
  const d = key(ia) - key(ib);
  return Number(d < 0n ? -d : d);
}

describe('tanh', () => {
  it('is within 1 ulp of Math.tanh, odd, in [−1, 1] and monotone', () => {
    fc.assert(fc.property(fc.double({ min: -40, max: 40, noNaN: true }), fc.double({ min: -40, max: 40, noNaN: true }), (x, y) => {
      expect(ulps(tanh(x), Math.tanh(x))).toBeLessThanOrEqual(1);
      expect(tanh(-x)).toBe(-tanh(x));
      expect(Math.abs(tanh(x))).toBeLessThanOrEqual(1);
      if (x < y) expect(tanh(x)).toBeLessThanOrEqual(tanh(y));
    }), { numRuns: 2000 });
  });
  it('keeps the edge values', () => {
    expect(Object.is(tanh(-0), -0)).toBe(true);
    expect(tanh(Infinity)).toBe(1);
    expect(tanh(-Infinity)).toBe(-1);
    expect(tanh(NaN)).toBeNaN();
    expect(tanh(1e-300)).toBe(1e-300);
  });
});

describe('powInt', () => {
  it('is within 1 ulp of Math.pow for the optimizers\' bases and exponents', () => {
    fc.assert(fc.property(fc.double({ min: 0.5, max: 1, noNaN: true }), fc.integer({ min: 0, max: 100_000 }), (b, n) => {
      expect(ulps(powInt(b, n), Math.pow(b, n))).toBeLessThanOrEqual(1);
    }), { numRuns: 2000 });
  });
  it('is exact where the power is representable, and falls back outside its range', () => {
    fc.assert(fc.property(fc.integer({ min: -1000, max: 1000 }).filter((k) => k !== 0), fc.integer({ min: 0, max: 5 }), (k, n) => {
      expect(powInt(k, n)).toBe(Number(BigInt(k) ** BigInt(n)));
    }));
    expect(powInt(0.5, 1074)).toBe(5e-324);
    expect(powInt(0.999, 0)).toBe(1);
    expect(powInt(2, 0.5)).toBe(Math.SQRT2);
    expect(powInt(1e300, 2)).toBe(Infinity);
  });
  it('the double-double product matters: a plain repeated product drifts from the rounded power', () => {
    let plain = 1;
    for (let t = 0; t < 10_000; t++) plain *= 0.999;
    expect(ulps(plain, Math.pow(0.999, 10_000))).toBeGreaterThan(1);
    expect(ulps(powInt(0.999, 10_000), Math.pow(0.999, 10_000))).toBeLessThanOrEqual(1);
  });
});

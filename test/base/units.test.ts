/** base/units: ceilDiv is the exact ceiling of a / b over the exact-integer range. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ceilDiv } from '../../sim/base/units.js';

describe('ceilDiv', () => {
  it('equals the BigInt ceiling for positive integers (products below 2^53)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 40 }), fc.integer({ min: 1, max: 2 ** 12 }), (a, b) => {
      const want = Number((BigInt(a) + BigInt(b) - 1n) / BigInt(b));
      expect(ceilDiv(a, b)).toBe(want);
    }), { seed: 11, numRuns: 2000 });
  });
  it('holds at the top of the exact range: a = k·b + 1 just below 2^53', () => {
    for (const b of [3, 1023, 2 ** 19 + 1, 2 ** 26 - 5]) {
      const k = Math.floor((2 ** 53 - 2) / b) - 1;
      expect(ceilDiv(k * b + 1, b)).toBe(k + 1);
      expect(ceilDiv(k * b, b)).toBe(k);
    }
  });
});

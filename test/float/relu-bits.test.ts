/**
 * relu-bits.ts against the plain loops it replaces, byte for byte: arbitrary doubles (fast-check's include ±0,
 * ±Infinity, NaN, subnormals, the extremes), NaNs with other payloads and either sign, and values whose low word
 * is 0x80000000 (the one int32 whose negation overflows).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { reluBackward, reluBackwardReference, reluForward, reluForwardReference } from '../../sim/float/relu-bits.js';

/** A double from its two words, little-endian. */
function fromWords(lo: number, hi: number): number {
  const a = new Float64Array(1);
  const w = new Int32Array(a.buffer);
  w[0] = lo;
  w[1] = hi;
  return a[0];
}

const SPECIAL = [0, -0, Infinity, -Infinity, NaN, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE,
  fromWords(1, 0x7ff00000), fromWords(0, 0xfff80000 | 0), fromWords(5, 0xfff00000 | 0), fromWords(0x80000000 | 0, 0),
  fromWords(0x80000000 | 0, 0x80000000 | 0), fromWords(0x80000000 | 0, 0x3ff00000), fromWords(0, 0x80000000 | 0)];

const doubles = fc.array(fc.oneof(fc.double(), fc.constantFrom(...SPECIAL), fc.integer({ min: -3, max: 3 })), { maxLength: 300 });
const bytesOf = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');

describe('relu on the bits equals the plain loops', () => {
  it('forward', () => {
    fc.assert(fc.property(doubles, (values) => {
      const x = Float64Array.from(values);
      const want = new Float64Array(x.length), got = new Float64Array(x.length).fill(7);
      reluForwardReference(x, want);
      reluForward(x, got);
      expect(bytesOf(got)).toBe(bytesOf(want));
      reluForward(x, x);   // in place, as an evaluation does when nothing else reads x
      expect(bytesOf(x)).toBe(bytesOf(want));
    }), { numRuns: 300 });
  });

  it('backward, on views at an offset (the arena hands out prefix views)', () => {
    fc.assert(fc.property(doubles, fc.nat(3), (values, offset) => {
      const x = Float64Array.from(values);
      const dy = Float64Array.from(values, (_, i) => SPECIAL[i % SPECIAL.length] + i);
      const want = new Float64Array(x.length);
      const got = new Float64Array(x.length + offset).fill(7).subarray(offset);
      reluBackwardReference(x, dy, want);
      reluBackward(x, dy, got);
      expect(bytesOf(got)).toBe(bytesOf(want));
    }), { numRuns: 300 });
  });
});

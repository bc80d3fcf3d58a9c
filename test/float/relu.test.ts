/**
 * relu.ts (the wasm kernels) against the plain loops it replaces, byte for byte: arbitrary doubles (fast-check's
 * include ±0, ±Infinity, NaN, subnormals, the extremes), NaNs with other payloads and either sign, odd lengths
 * (the lane-0 tail), lengths across the 32 Ki-double chunks, and views at an offset. Deliberately wrong builds of
 * kernels.wat are caught.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { reluBackward, reluBackwardReference, reluForward, reluForwardReference, reluOn, type Relu } from '../../sim/float/relu.js';
import { instantiateKernels } from '../../sim/float/wasm/kernels-module.js';
import { assemble, WAT_PATH } from '../../sim/float/wasm/build.mjs';

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

/** Forward (into a fresh array and in place) and backward of `relu` against the definitions: true when all agree. */
function agrees(relu: Relu, values: readonly number[]): boolean {
  const x = Float64Array.from(values);
  const dy = Float64Array.from(values, (_, i) => SPECIAL[i % SPECIAL.length] + i);
  const want = new Float64Array(x.length), got = new Float64Array(x.length).fill(7);
  reluForwardReference(x, want);
  relu.forward(x, got);
  const inPlace = x.slice();
  relu.forward(inPlace, inPlace);
  const dWant = new Float64Array(x.length), dGot = new Float64Array(x.length + 1).fill(7).subarray(1);
  reluBackwardReference(x, dy, dWant);
  relu.backward(x, dy, dGot);
  return bytesOf(got) === bytesOf(want) && bytesOf(inPlace) === bytesOf(want) && bytesOf(dGot) === bytesOf(dWant);
}

/** Every special value, each sign of ordinary ones, and an odd count, repeated across three chunks. */
const MIXED = Array.from({ length: 3 * 32768 + 5 }, (_, i) => (i % 3 === 0 ? SPECIAL[i % SPECIAL.length] : (i % 2 ? -1 : 1) * (i / 7)));

describe('relu on the wasm kernels', () => {
  it('equals the definitions across chunk boundaries', () => {
    expect(agrees({ forward: reluForward, backward: reluBackward }, MIXED)).toBe(true);
  });

  const wat = readFileSync(WAT_PATH, 'utf8');
  const once = (text: string, from: string, to: string): string => {
    const at = text.indexOf(from);
    if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`mutation site not unique: ${from}`);
    return text.slice(0, at) + to + text.slice(at + from.length);
  };
  const MUTATIONS: Record<string, (wat: string) => string> = {
    // NaN is no longer passed through: it becomes +0.
    forwardDropsNaN: (w) => once(w, `(v128.store (local.get $at) (v128.and (local.get $x)
          (v128.or (f64x2.gt (local.get $x) (v128.const f64x2 0 0)) (f64x2.ne (local.get $x) (local.get $x)))))`,
    '(v128.store (local.get $at) (v128.and (local.get $x) (f64x2.gt (local.get $x) (v128.const f64x2 0 0))))'),
    // x ≥ 0 instead of x > 0: −0 stays −0 (and a gradient flows at 0, backward).
    backwardAtZero: (w) => once(w, `(v128.store (local.get $dy) (v128.and (v128.load (local.get $dy))
          (f64x2.gt (v128.load (local.get $x)) (v128.const f64x2 0 0))))`,
    `(v128.store (local.get $dy) (v128.and (v128.load (local.get $dy))
          (f64x2.ge (v128.load (local.get $x)) (v128.const f64x2 0 0))))`),
    // The odd one out is read as −1, so it always comes out +0.
    forwardTailZeroed: (w) => once(w, '(local.set $x (v128.load64_zero (local.get $at)))', '(local.set $x (v128.const f64x2 -1 -1))'),
  };
  for (const [name, mutate] of Object.entries(MUTATIONS)) {
    it(`mutation ${name} is caught`, async () => {
      const mutant = reluOn(instantiateKernels(await assemble(mutate(wat), `${name}.wat`)));
      expect(agrees(mutant, MIXED)).toBe(false);
    });
  }
});

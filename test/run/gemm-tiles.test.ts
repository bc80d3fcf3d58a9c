/** The tiles `rtl sim --model` plays: the layer's real GEMM operands, and their symmetric quantization. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadAnyModel, resolveModel } from '../../sim/load/model.js';
import { layerGemm, quantizeSymmetric } from '../../sim/run/gemm-tiles.js';
import { errorOf } from '../helpers/errors.js';

describe('quantizeSymmetric', () => {
  it('keeps signs, puts the largest |x| on 2^(bits−1) − 1, and is within half a step of x·scale', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 50 }), fc.integer({ min: 2, max: 16 }), (xs, bits) => {
      const x = Float64Array.from(xs), q = quantizeSymmetric(x, bits), top = 2 ** (bits - 1) - 1;
      const max = Math.max(...xs.map(Math.abs));
      for (let i = 0; i < x.length; i++) {
        expect(Math.abs(q[i])).toBeLessThanOrEqual(top);
        if (q[i] !== 0) expect(Math.sign(q[i])).toBe(Math.sign(x[i]));
        if (max > 0) expect(Math.abs(q[i] - (x[i] * top) / max)).toBeLessThanOrEqual(0.5 + 1e-9);
      }
      if (max > 0) expect(Math.max(...Array.from(q, Math.abs))).toBe(top);
    }), { numRuns: 500 });
  });
  it('a subnormal largest value does not overflow the scale (found by fast-check: [5e-324, -1e-323], 3 bits)', () => {
    expect(Array.from(quantizeSymmetric(Float64Array.from([5e-324, -1e-323]), 3))).toEqual([2, -3]);
  });
});

describe('layerGemm', () => {
  const lenet = loadAnyModel(resolveModel('lenet-digits'));
  it('the forward GEMM of a dense layer is its input times its weights (A 1×120, B 120×84)', () => {
    const { op, a, b } = layerGemm(lenet, 'f6', 'forward', 1);
    expect([op.m, op.k, op.n, a.rows, a.cols, b.rows, b.cols]).toEqual([1, 120, 84, 1, 120, 120, 84]);
    // f6's input went through a ReLU: no negative entries, some positive.
    expect(Array.from(a.data).every((v) => v >= 0)).toBe(true);
    expect(Array.from(a.data).some((v) => v > 0)).toBe(true);
  });
  it('names the layers that lower to GEMMs when the layer is not one', () => {
    expect(errorOf(() => layerGemm(lenet, 's2', 'forward', 1)).message).toMatch(/One of: c1, c3, f5, f6, logits/);
  });
});

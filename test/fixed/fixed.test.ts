/**
 * sim/fixed/ against independent references (test/fixtures/fixed/make_fixed.py: numpy, PyTorch, exact Python
 * integers, gemmlowp written from its definition): quantization ties under each rounding rule, int8 GEMMs with int32
 * accumulation (and a wrapping 16-bit one), requantization under each rule incl. gemmlowp's double rounding, fp16 and
 * bf16 bit patterns. Properties: the fast GEMM equals the cycle-stepped array bit for bit; |fixed − float| within the
 * analytical bound. Bad formats are SimErrors.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimError } from '../../sim/base/errors.js';
import { dequantize, parseFormat, quantize, symmetricScale } from '../../sim/fixed/format.js';
import { bf16Bits, fp16Bits, fp16FromBits, bf16FromBits } from '../../sim/fixed/float16.js';
import { gemmInt, gemmIntCounted } from '../../sim/fixed/gemm-int.js';
import { quantizeMultiplier, requantize, saturatingRoundingDoublingHighMul } from '../../sim/fixed/requantize.js';
import { simulateArrayGemm } from '../../sim/array/systolic-array.js';
import { roundHalfEven } from '../../sim/fixed/rounding.js';

const REF = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'fixed', 'fixed-ref.json'), 'utf8'));
const num = (v: number | string): number => (v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v === '-0' ? -0 : (v as number));

describe('quantize (symmetric int8) vs numpy/PyTorch, exact ties included', () => {
  for (const rule of ['nearestEven', 'nearestAway', 'towardZero'] as const) {
    it(rule, () => {
      const f = parseFormat('int8', { scale: REF.quantize.scale, rounding: rule });
      expect(Array.from(quantize(REF.quantize.x, f))).toEqual(REF.quantize[rule]);
    });
  }
  it('dequantize inverts on the grid; stochastic rounding is seeded and unbiased', () => {
    const f = parseFormat('int8', { scale: 0.25 });
    expect(Array.from(dequantize([-128, -1, 0, 5, 127], f))).toEqual([-32, -0.25, 0, 1.25, 31.75]);
    const s = parseFormat('int16', { rounding: 'stochastic', seed: 3 });
    const xs = new Float64Array(20000).fill(0.3);
    const q = quantize(xs, s);
    expect(Array.from(quantize(xs, s))).toEqual(Array.from(q));
    const mean = q.reduce((a, b) => a + b, 0) / q.length;
    expect(Math.abs(mean - 0.3)).toBeLessThan(0.02);
  });
  it('Qm.n: q4.12 is 16-bit signed with scale 2^-12, saturating or wrapping', () => {
    const f = parseFormat('q4.12');
    expect(f).toMatchObject({ kind: 'int', bits: 16, signed: true, scale: 2 ** -12 });
    expect(Array.from(quantize([1, -8, 8, 7.99987792968750], f))).toEqual([4096, -32768, 32767, 32767]);
    expect(Array.from(quantize([8], parseFormat('q4.12', { overflow: 'wrap' })))).toEqual([-32768]);
    expect(Array.from(quantize([200, -3], parseFormat('uint8', { scale: 1, zeroPoint: 10 })))).toEqual([210, 7]);
  });
  it('roundHalfEven on negative near-ties', () => {
    expect([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, -0.49999999999999994, 0.49999999999999994].map(roundHalfEven)).toEqual([-2, -2, 0, 0, 2, 2, 0, 0]);
  });
});

describe('bad formats are SimErrors', () => {
  for (const bad of ['int0', 'int1', 'int33', 'uint0', 'q0.8', 'q4.40', 'float8', 'int8x']) {
    it(bad, () => expect(() => parseFormat(bad)).toThrow(SimError));
  }
  it('unknown rounding and overflow', () => {
    expect(() => parseFormat('int8', { rounding: 'up' })).toThrow(SimError);
    expect(() => parseFormat('int8', { overflow: 'clip' })).toThrow(SimError);
    expect(() => requantize([1], { multiplier: 2 ** 30, shift: 0, rounding: 'up' as never })).toThrow(SimError);
  });
});

describe('int8 GEMMs vs numpy/PyTorch', () => {
  for (const g of REF.gemm as { m: number; k: number; n: number; a: number[]; b: number[]; c: number[]; wrap16: number[] }[]) {
    it(`${g.m}×${g.k}×${g.n}: int32 accumulation (fast and on the array), 16-bit wrap`, () => {
      expect(Array.from(gemmInt(g.a, g.b, g.m, g.k, g.n, { accumulatorBits: 32 }))).toEqual(g.c);
      expect(Array.from(gemmInt(g.a, g.b, g.m, g.k, g.n, { accumulatorBits: 32, engine: 'array', array: { rows: 4, cols: 3, dataflow: 'ws' } }))).toEqual(g.c);
      expect(Array.from(gemmInt(g.a, g.b, g.m, g.k, g.n, { accumulatorBits: 16, overflow: 'wrap' }))).toEqual(g.wrap16);
    });
  }
});

describe('requantization vs exact references', () => {
  it('SaturatingRoundingDoublingHighMul', () => {
    for (const [a, b, r] of REF.srdhm as number[][]) expect(saturatingRoundingDoublingHighMul(a, b), `${a}·${b}`).toBe(r);
  });
  for (const c of REF.requantize as { real: number; multiplier: number; shift: number; acc: number[]; [rule: string]: unknown }[]) {
    it(`M = ${c.real}: QuantizeMultiplier and every rounding rule`, () => {
      expect(quantizeMultiplier(c.real)).toEqual({ multiplier: c.multiplier, shift: c.shift });
      for (const rule of ['gemmlowp', 'nearestEven', 'nearestAway', 'towardZero'] as const) {
        expect(Array.from(requantize(c.acc, { multiplier: c.multiplier, shift: c.shift, rounding: rule })), rule).toEqual(c[rule]);
      }
    });
  }
  it('zero point and clamping', () => {
    expect(Array.from(requantize([1000, -1000, 10], { multiplier: 2 ** 30, shift: 0, zeroPoint: 3, min: -128, max: 127 }))).toEqual([127, -128, 8]);
  });
});

describe('fp16 / bf16 bit patterns vs numpy float16 and float32 round-to-nearest-even', () => {
  const xs = (REF.floats.x as (number | string)[]).map(num);
  it('fp16 encodes like numpy and decodes exactly', () => {
    expect(xs.map(fp16Bits)).toEqual(REF.floats.fp16);
    for (const b of [0x0001, 0x03ff, 0x0400, 0x3c00, 0x7bff, 0xc000]) expect(fp16Bits(fp16FromBits(b))).toBe(b);
    expect([fp16FromBits(0x3c00), fp16FromBits(0x7bff), fp16FromBits(0x0001), fp16FromBits(0xc000)]).toEqual([1, 65504, 2 ** -24, -2]);
    expect(fp16Bits(NaN)).toBe(0x7e00);
  });
  it('bf16 encodes like the float32 reference and decodes exactly', () => {
    expect(xs.map(bf16Bits)).toEqual(REF.floats.bf16);
    expect([bf16FromBits(0x3f80), bf16FromBits(0x4049), bf16FromBits(0xff80)]).toEqual([1, 3.140625, -Infinity]);
  });
  it('quantize/dequantize with float formats are the bit patterns', () => {
    expect(Array.from(quantize([1, -2], 'fp16'))).toEqual([0x3c00, 0xc000]);
    expect(Array.from(dequantize([0x3f80], 'bf16'))).toEqual([1]);
  });
});

describe('properties', () => {
  it('the fast GEMM equals the cycle-stepped array bit for bit (every dataflow, narrow saturating/wrapping accumulators)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.constantFrom('os', 'ws', 'is' as const),
      fc.integer({ min: 1, max: 3 }), fc.integer({ min: 6, max: 20 }), fc.constantFrom('saturate', 'wrap' as const), fc.integer(),
      (m, k, n, rows, cols, dataflow, d, bits, overflow, seed) => {
        let s = seed >>> 0;
        const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) % 255) - 127;
        const a = Float64Array.from({ length: m * k }, rnd), b = Float64Array.from({ length: k * n }, rnd);
        const fast = gemmIntCounted(a, b, m, k, n, { accumulatorBits: bits, overflow });
        const arr = simulateArrayGemm({ m, k, n, a, b }, { rows, cols, dataflow, macPipelineCycles: d }, { kind: 'int', accumulatorBits: bits, overflow });
        expect(Array.from(fast.c)).toEqual(Array.from(arr.c));
      }), { numRuns: 150 });
  });

  it('|fixed − float| of a quantized dense layer stays within the analytical bound', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 8 }), fc.constantFrom(4, 8, 12, 16), fc.integer(),
      (m, k, n, bits, seed) => {
        let s = seed >>> 0;
        const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
        const x = Float64Array.from({ length: m * k }, rnd), w = Float64Array.from({ length: k * n }, () => 3 * rnd());
        const maxAbs = (v: Float64Array) => v.reduce((a, b) => Math.max(a, Math.abs(b)), 0);
        const sA = symmetricScale(maxAbs(x), bits), sB = symmetricScale(maxAbs(w), bits);
        const qa = quantize(x, parseFormat(`int${bits}`, { scale: sA })), qb = quantize(w, parseFormat(`int${bits}`, { scale: sB }));
        const acc = gemmInt(qa, qb, m, k, n, { accumulatorBits: 48 });
        // Per output: Σ_p |x̂ŵ − xw| ≤ Σ_p (|x_p|·sB/2 + (|w_p| + sB/2)·sA/2), plus float64 slack.
        const sOut = (maxAbs(x) * maxAbs(w) * k) / (2 ** (bits - 1) - 1) || 1;
        const { multiplier, shift } = quantizeMultiplier((sA * sB) / sOut);
        const req = requantize(acc.map((v) => Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, v))), { multiplier, shift });
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let ref = 0, bound = 0;
            for (let p = 0; p < k; p++) {
              ref += x[i * k + p] * w[p * n + j];
              bound += Math.abs(x[i * k + p]) * sB / 2 + (Math.abs(w[p * n + j]) + sB / 2) * sA / 2;
            }
            const fixed = acc[i * n + j] * sA * sB;
            expect(Math.abs(fixed - ref)).toBeLessThanOrEqual(bound * (1 + 1e-9) + 1e-12);
            // after requantization to sOut (gemmlowp's two roundings: at most one step more)
            if (Math.abs(acc[i * n + j]) < 2 ** 31) expect(Math.abs(req[i * n + j] * sOut - ref)).toBeLessThanOrEqual(bound * (1 + 1e-9) + sOut * (1 + 1e-6) + 1e-12);
          }
        }
      }), { numRuns: 200 });
  });
});

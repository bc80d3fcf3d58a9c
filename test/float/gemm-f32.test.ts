/**
 * The float32 WebAssembly GEMM (gemm-f32.ts) against its plain-JS reference (gemm-f32-reference.ts), byte for byte,
 * on random shapes, the four transpose cases, offsets, accumulation and awkward float32 values (±0, subnormals,
 * magnitudes whose products overflow float32); the reference itself against the float64 GEMM (it must compute a
 * GEMM, to float32 accuracy); mutated builds of kernels-f32.wat caught; the committed build checked.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gemmF32, gemmF32On, gemmF32Reference, type GemmF32 } from '../../sim/float/gemm-f32.js';
import { gemmReference } from '../../sim/float/gemm.js';
import { instantiateF32Kernels } from '../../sim/float/wasm/kernels-f32-module.js';
import { assemble, F32_TS_PATH, F32_WASM_PATH, F32_WAT_PATH, renderModuleSource } from '../../sim/float/wasm/build.mjs';
import { type Case, blockCrossingCases, caseArb, operands } from './gemm-cases.js';
import { awkwardValues, seeded } from './awkward-values.js';

/** The case's operands (gemm-cases.ts) in float32. */
function operandsF32(t: Case, fill: () => number) {
  const o = operands(t, fill);
  return { ...o, a: Float32Array.from(o.a), b: Float32Array.from(o.b), c: Float32Array.from(o.c) };
}

function runPair(t: Case, fill: () => number, kernel: GemmF32) {
  const { a, b, c: actual, lda, ldb, ldc } = operandsF32(t, fill);
  const expected = actual.slice();
  kernel(t.transA, t.transB, t.m, t.n, t.k, a, t.aOff, lda, b, t.bOff, ldb, actual, t.cOff, ldc, t.accumulate);
  gemmF32Reference(t.transA, t.transB, t.m, t.n, t.k, a, t.aOff, lda, b, t.bOff, ldb, expected, t.cOff, ldc, t.accumulate);
  return { actual, expected };
}

const sameBytes = (x: Float32Array, y: Float32Array): boolean =>
  Buffer.compare(Buffer.from(x.buffer, x.byteOffset, x.byteLength), Buffer.from(y.buffer, y.byteOffset, y.byteLength)) === 0;

describe('float32 wasm gemm', () => {
  it('equals gemmF32Reference byte for byte on random shapes and awkward float32 values', () => {
    fc.assert(fc.property(caseArb, fc.integer(), (t, seed) => {
      const { actual, expected } = runPair(t, awkwardValues(seed, 'float32'), gemmF32);
      expect(sameBytes(actual, expected)).toBe(true);
    }), { numRuns: 400 });
  });

  it('equals gemmF32Reference byte for byte across the KC, MC and NC blocks', () => {
    for (const t of blockCrossingCases()) {
      const { actual, expected } = runPair(t, awkwardValues(t.m * 7919 + t.n * 31 + t.k, 'float32'), gemmF32);
      expect(sameBytes(actual, expected), JSON.stringify(t)).toBe(true);
    }
  });

  it('the reference is a GEMM: within float32 rounding of the float64 GEMM on the same (float32) operands', () => {
    fc.assert(fc.property(caseArb, fc.integer(), (t, seed) => {
      const u = seeded(seed);
      const { a, b, c, lda, ldb, ldc } = operandsF32(t, () => 2 * u() - 1);
      const c64 = Float64Array.from(c);
      gemmF32Reference(t.transA, t.transB, t.m, t.n, t.k, a, t.aOff, lda, b, t.bOff, ldb, c, t.cOff, ldc, t.accumulate);
      gemmReference(t.transA, t.transB, t.m, t.n, t.k, Float64Array.from(a), t.aOff, lda, Float64Array.from(b), t.bOff, ldb, c64, t.cOff, ldc, t.accumulate);
      // |a|, |b|, |c| < 1: each of the k + 1 roundings errs by at most 2^-24 of a partial sum below k + 1.
      const bound = (t.k + 2) ** 2 * 2 ** -24;
      for (let i = 0; i < c.length; i++) expect(Math.abs(c[i] - c64[i])).toBeLessThanOrEqual(bound);
    }), { numRuns: 100 });
  });

  it('the committed kernels-f32.wasm and kernels-f32-wasm.ts are what build.mjs makes of kernels-f32.wat', async () => {
    const bytes = await assemble(readFileSync(F32_WAT_PATH, 'utf8'), 'kernels-f32.wat');
    expect(Buffer.compare(Buffer.from(bytes), readFileSync(F32_WASM_PATH))).toBe(0);
    expect(readFileSync(F32_TS_PATH, 'utf8')).toBe(renderModuleSource(bytes, 'f32'));
  });
});

function replaceOnce(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`mutation site not unique in kernels-f32.wat: ${from}`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

/** Each mutation, and whether it must show in every block-crossing case or in some. */
const MUTATIONS: Record<string, { mutate: (wat: string) => string; everyCase: boolean }> = {
  // Two accumulators stored to each other's columns.
  swapAccumulators: {
    everyCase: true, // every case has n ≥ 9: columns 4–7 and 8–11 of the first strip
    mutate: (wat) => replaceOnce(replaceOnce(wat,
      '(v128.store offset=16 (local.get $ci) (local.get $c01))', '(v128.store offset=16 (local.get $ci) (local.get $c02x))'),
    '(v128.store offset=32 (local.get $ci) (local.get $c02))', '(v128.store offset=32 (local.get $ci) (local.get $c01))')
      .replace('$c02x', '$c02'),
  },
  // The second row's A value read from the first row's slot.
  wrongRowOfA: { everyCase: true, mutate: (wat) => replaceOnce(wat, '(v128.load32_splat offset=4 (local.get $ai))', '(v128.load32_splat (local.get $ai))') },
  // The accumulator seeded with C instead of +0 (C + a0b0 + … instead of C + (a0b0 + …)).
  // Seen only where C is added to (accumulate, or a second k slice).
  seedWithC: {
    everyCase: false,
    mutate: (wat) => replaceOnce(replaceOnce(wat,
      '(local.set $c00 (v128.const f32x4 0 0 0 0))',
      '(local.set $c00 (if (result v128) (local.get $add) (then (v128.load (i32.add (local.get $cBase) (i32.add (i32.mul (local.get $ir) (local.get $ldcBytes)) (i32.shl (local.get $jr) (i32.const 2)))))) (else (v128.const f32x4 0 0 0 0))))'),
    '(local.set $c00 (f32x4.add (v128.load (local.get $ci)) (local.get $c00)))', ''),
  },
  // The first accumulator's product and sum done in float64 and rounded once (as an FMA would): another rounding.
  // (Also zeroes lanes 2–3 of the first accumulator, so it shows wherever column 2 or 3 of a strip is valid.)
  fusedMultiplyAdd: {
    everyCase: true,
    mutate: (wat) => replaceOnce(wat,
      '(local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $a0) (local.get $b0))))',
      '(local.set $c00 (f32x4.demote_f64x2_zero (f64x2.add (f64x2.promote_low_f32x4 (local.get $c00)) (f64x2.mul (f64x2.promote_low_f32x4 (local.get $a0)) (f64x2.promote_low_f32x4 (local.get $b0))))))'),
  },
};

describe('float32 wasm gemm mutation tests: the byte comparison catches a wrong kernel', () => {
  const wat = readFileSync(F32_WAT_PATH, 'utf8');
  for (const [name, { mutate, everyCase }] of Object.entries(MUTATIONS)) {
    it(name, async () => {
      const cases = blockCrossingCases();
      const mutant = gemmF32On(instantiateF32Kernels(await assemble(mutate(wat), `${name}.wat`)));
      const caught = cases.filter((t) => {
        const u = seeded(t.m + t.n + t.k);
        const { actual, expected } = runPair(t, () => 2 * u() - 1, mutant);
        return !sameBytes(actual, expected);
      }).length;
      if (everyCase) expect(caught).toBe(cases.length);
      else expect(caught).toBeGreaterThan(0);
    });
  }
});

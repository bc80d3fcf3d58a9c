/**
 * The WebAssembly kernels against their plain-JS references, byte for byte: same shapes, same operands, and the
 * results' bytes must be equal — not close. Values mix ordinary numbers with ±0, subnormals and magnitudes that
 * overflow to ±Infinity (and so NaN), where a different order of operations shows first.
 * The mutation tests assemble deliberately wrong variants of kernels.wat and show this comparison catches them, and
 * the committed kernels.wasm / kernels-wasm.ts are checked to be exactly what build.mjs makes of kernels.wat.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gemm, gemmOn, gemmReference, type Gemm } from '../../sim/float/gemm.js';
import { conv2dBackward, conv2dForward, conv2dReference, convOn, setIm2colBudget, type Conv2dGeometry } from '../../sim/float/conv.js';
import { gemmGatheredOn, gemmScatterOn } from '../../sim/float/gemm-gathered.js';
import { biasGradientReference } from '../../sim/float/bias-grad.js';
import { depthwiseBackward, depthwiseForward } from '../../sim/float/depthwise.js';
import { depthwiseBackwardOn, depthwiseForwardOn } from '../../sim/float/depthwise-wasm.js';
import { instantiateKernels, KERNELS, type WasmKernels } from '../../sim/float/wasm/kernels-module.js';
import { assemble, renderModuleSource, TS_PATH, WASM_PATH, WAT_PATH } from '../../sim/float/wasm/build.mjs';
import { type Case, blockCrossingCases, caseArb, operands } from './gemm-cases.js';
import { awkwardValues, sameBytes, seeded } from './awkward-values.js';
import { asFloat64 } from '../../sim/float/tensor.js';

/** Runs `kernel` and gemmReference on the same operands; C starts with the same (awkward) contents in both. */
function runPair(t: Case, fill: () => number, kernel: Gemm) {
  const { a, b, c: actual, lda, ldb, ldc } = operands(t, fill);
  const expected = actual.slice();
  kernel(t.transA, t.transB, t.m, t.n, t.k, a, t.aOff, lda, b, t.bOff, ldb, actual, t.cOff, ldc, t.accumulate);
  gemmReference(t.transA, t.transB, t.m, t.n, t.k, a, t.aOff, lda, b, t.bOff, ldb, expected, t.cOff, ldc, t.accumulate);
  return { actual, expected };
}

describe('wasm gemm', () => {
  it('equals gemmReference byte for byte on random shapes and awkward values', () => {
    fc.assert(fc.property(caseArb, fc.integer(), (t, seed) => {
      const { actual, expected } = runPair(t, awkwardValues(seed), gemm);
      expect(sameBytes(actual, expected)).toBe(true);
    }), { numRuns: 400 });
  });

  it('equals gemmReference byte for byte across the KC, MC and NC blocks', () => {
    for (const t of blockCrossingCases()) {
      const { actual, expected } = runPair(t, awkwardValues(t.m * 7919 + t.n * 31 + t.k), gemm);
      expect(sameBytes(actual, expected), JSON.stringify(t)).toBe(true);
    }
  });

  it('the committed kernels.wasm and kernels-wasm.ts are what build.mjs makes of kernels.wat', async () => {
    const bytes = await assemble(readFileSync(WAT_PATH, 'utf8'));
    expect(Buffer.compare(Buffer.from(bytes), readFileSync(WASM_PATH))).toBe(0);
    expect(readFileSync(TS_PATH, 'utf8')).toBe(renderModuleSource(bytes));
  });
});

/** Replaces the one occurrence of `from`; a mutation that no longer applies must fail loudly, not test nothing. */
function replaceOnce(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`mutation site not unique in kernels.wat: ${from}`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

type Mutation = (wat: string) => string;

const MUTATIONS: Record<string, Mutation> = {
  // Two accumulators stored to each other's columns.
  swapAccumulators: (wat) => replaceOnce(replaceOnce(wat,
    '(v128.store offset=16 (local.get $ci) (local.get $c01))', '(v128.store offset=16 (local.get $ci) (local.get $c02x))'),
  '(v128.store offset=32 (local.get $ci) (local.get $c02))', '(v128.store offset=32 (local.get $ci) (local.get $c01))')
    .replace('$c02x', '$c02'),
  // The same sums, p = kc-1 down to 0: right in real arithmetic, a different rounding in float64.
  reverseSummation: (wat) => [
    ['(local.set $aEnd (i32.add (local.get $ai) (i32.shl (local.get $kc) (i32.const 4))))',
      '(local.set $aEnd (local.get $ai)) (local.set $ai (i32.add (local.get $ai) (i32.shl (i32.sub (local.get $kc) (i32.const 1)) (i32.const 4))))'],
    ['(local.set $bi (local.get $bStrip))',
      '(local.set $bi (i32.add (local.get $bStrip) (i32.shl (i32.sub (local.get $kc) (i32.const 1)) (i32.const 6))))'],
    ['(local.set $ai (i32.add (local.get $ai) (i32.const 16)))', '(local.set $ai (i32.sub (local.get $ai) (i32.const 16)))'],
    ['(local.set $bi (i32.add (local.get $bi) (i32.const 64)))', '(local.set $bi (i32.sub (local.get $bi) (i32.const 64)))'],
    // Signed, because the A block starts at address 0 and the pointer steps below it to end the loop.
    ['(br_if $depth (i32.lt_u (local.get $ai) (local.get $aEnd)))', '(br_if $depth (i32.ge_s (local.get $ai) (local.get $aEnd)))'],
  ].reduce((w, [from, to]) => replaceOnce(w, from, to), wat),
  // Sum first, then C: (a0b0 + … ) + C becomes C-seeded accumulation, C + a0b0 + …
  seedWithC: (wat) => replaceOnce(replaceOnce(wat,
    '(local.set $c00 (v128.const f64x2 0 0))',
    '(local.set $c00 (if (result v128) (local.get $add) (then (v128.load (i32.add (local.get $cBase) (i32.add (i32.mul (local.get $ir) (local.get $ldcBytes)) (i32.shl (local.get $jr) (i32.const 3)))))) (else (v128.const f64x2 0 0))))'),
  '(local.set $c00 (f64x2.add (v128.load (local.get $ci)) (local.get $c00)))', ''),
};

describe('wasm gemm mutation tests: the byte comparison catches a wrong kernel', () => {
  const wat = readFileSync(WAT_PATH, 'utf8');
  for (const [name, mutate] of Object.entries(MUTATIONS)) {
    it(name, async () => {
      const mutant = gemmOn(instantiateKernels(await assemble(mutate(wat), `${name}.wat`)));
      let caught = 0;
      const cases = blockCrossingCases();
      for (const t of cases) {
        // Plain [-1, 1) values: with overflowing ones whole tiles would be NaN alike and hide a wrong kernel.
        const u = seeded(t.m + t.n + t.k);
        const { actual, expected } = runPair(t, () => 2 * u() - 1, mutant);
        if (!sameBytes(actual, expected)) caught++;
      }
      // Every case has n ≥ 5 columns and k ≥ 20, so each mutant must differ somewhere in every one — except that
      // seedWithC changes nothing where no C is added to, nor for a slice of depth 1 (C + ab = ab + C): it can only
      // be seen with accumulate, or with a second k slice at least 2 deep (k > 257).
      const expectedCaught = name === 'seedWithC' ? cases.filter((t) => t.accumulate || t.k > 257).length : cases.length;
      expect(caught).toBe(expectedCaught);
    });
  }

  it('the reordered kernels still compute the product to rounding (so the catch is about bits, not a broken kernel)', async () => {
    const mutant = gemmOn(instantiateKernels(await assemble(MUTATIONS.reverseSummation(wat))));
    const t: Case = { transA: false, transB: true, m: 33, n: 21, k: 300, aOff: 0, bOff: 0, cOff: 0, padA: 0, padB: 0, padC: 0, accumulate: false };
    const u = seeded(7);
    const { actual, expected } = runPair(t, () => 2 * u() - 1, mutant);
    let worst = 0;
    for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThan(1e-12);
  });
});

const geometryArb: fc.Arbitrary<Conv2dGeometry> = fc.record({
  n: fc.integer({ min: 1, max: 2 }), groups: fc.integer({ min: 1, max: 3 }),
  cg: fc.integer({ min: 1, max: 4 }), kg: fc.integer({ min: 1, max: 4 }),
  h: fc.integer({ min: 1, max: 12 }), w: fc.integer({ min: 1, max: 12 }),
  r: fc.integer({ min: 1, max: 4 }), s: fc.integer({ min: 1, max: 4 }),
  strideH: fc.integer({ min: 1, max: 2 }), strideW: fc.integer({ min: 1, max: 2 }),
  dilationH: fc.integer({ min: 1, max: 2 }), dilationW: fc.integer({ min: 1, max: 2 }),
  padTop: fc.integer({ min: 0, max: 2 }), padLeft: fc.integer({ min: 0, max: 2 }),
}).map((t) => ({
  ...t, c: t.cg * t.groups, k: t.kg * t.groups,
  p: Math.floor((t.h + 2 * t.padTop - t.dilationH * (t.r - 1) - 1) / t.strideH) + 1,
  q: Math.floor((t.w + 2 * t.padLeft - t.dilationW * (t.s - 1) - 1) / t.strideW) + 1,
})).filter((g) => g.p >= 1 && g.q >= 1);

describe('conv2d on the wasm kernels', () => {
  it('equals conv2dReference byte for byte, forward and backward (im2col, 1×1 and depthwise routes)', () => {
    fc.assert(fc.property(geometryArb, fc.integer(), fc.boolean(), (g, seed, withBias) => {
      const fill = awkwardValues(seed);
      const x = Float64Array.from({ length: g.n * g.c * g.h * g.w }, fill);
      const weight = Float64Array.from({ length: g.k * (g.c / g.groups) * g.r * g.s }, fill);
      const bias = withBias ? Float64Array.from({ length: g.k }, fill) : null;
      const dy = Float64Array.from({ length: g.n * g.k * g.p * g.q }, fill);
      expect(sameBytes(asFloat64(conv2dForward(x, weight, bias, g)), conv2dReference.forward(x, weight, bias, g))).toBe(true);
      const ours = conv2dBackward(x, weight, dy, g, true), reference = conv2dReference.backward(x, weight, dy, g, true);
      expect(sameBytes(asFloat64(ours.dx!), reference.dx!)).toBe(true);
      expect(sameBytes(asFloat64(ours.dWeight), reference.dWeight)).toBe(true);
      expect(sameBytes(asFloat64(ours.dBias), reference.dBias)).toBe(true);
    }), { numRuns: 300 });
  });

});

/** Geometries whose windows all lie inside the input (no padding), with more than one input channel per group. */
const insideArb = geometryArb.map((g) => ({
  ...g, padTop: 0, padLeft: 0,
  p: Math.floor((g.h - g.dilationH * (g.r - 1) - 1) / g.strideH) + 1, q: Math.floor((g.w - g.dilationW * (g.s - 1) - 1) / g.strideW) + 1,
})).filter((g) => g.p >= 1 && g.q >= 1 && g.c / g.groups > 1);

/**
 * conv2d on a build of the kernels (the gathered route: gatherPanel packs the column matrix from the image, and
 * scatterAdd adds dx's product into dx) against conv2dReference (im2col, gemmReference, col2im), at an im2col
 * budget (bands of output rows): true when the forward, dx and dW agree byte for byte. dx starts from the arena's
 * zeros, so a scatter that stores instead of adding shows only where windows overlap or bands meet.
 */
function gatheredAgrees(kernels: WasmKernels, g: Conv2dGeometry, seed: number, budget: number): boolean {
  const conv = convOn({
    gemm: gemmOn(kernels), gemmGathered: gemmGatheredOn(kernels), gemmScatter: gemmScatterOn(kernels),
    depthwiseForward: depthwiseForwardOn(kernels), depthwiseBackward: depthwiseBackwardOn(kernels), biasGradient: biasGradientReference,
  });
  const fill = awkwardValues(seed);
  const x = Float64Array.from({ length: g.n * g.c * g.h * g.w }, fill);
  const weight = Float64Array.from({ length: g.k * (g.c / g.groups) * g.r * g.s }, fill);
  const bias = Float64Array.from({ length: g.k }, fill);
  const dy = Float64Array.from({ length: g.n * g.k * g.p * g.q }, fill);
  const old = setIm2colBudget(budget);
  try {
    const forward = sameBytes(conv.forward(x, weight, bias, g), conv2dReference.forward(x, weight, bias, g));
    const ours = conv.backward(x, weight, dy, g, true), reference = conv2dReference.backward(x, weight, dy, g, true);
    return forward && sameBytes(ours.dx!, reference.dx!) && sameBytes(ours.dWeight, reference.dWeight);
  } finally {
    setIm2colBudget(old);
  }
}

describe('conv2d with windows inside the image: the gathered route', () => {
  it('equals im2col + gemm + col2im byte for byte, forward, dx and dW, also in bands of output rows', () => {
    fc.assert(fc.property(insideArb, fc.integer(), fc.integer({ min: 1, max: 400 }), (g, seed, budget) => {
      expect(gatheredAgrees(KERNELS, g, seed, budget)).toBe(true);
    }), { numRuns: 300 });
  });

  // LeNet's second conv, shrunk: 10×10 outputs, so forward panels have whole 8-column runs of one output row
  // (contiguous), runs across rows, and a partial last strip; dW's panels gather (channel, tap) columns.
  const c3: Conv2dGeometry = { n: 2, c: 3, h: 12, w: 12, k: 4, r: 3, s: 3, p: 10, q: 10, strideH: 1, strideW: 1,
    dilationH: 1, dilationW: 1, padTop: 0, padLeft: 0, groups: 1 };
  const wat = readFileSync(WAT_PATH, 'utf8');
  const GATHER_MUTATIONS: Record<string, Mutation> = {
    // Contiguous runs: the second and third pairs of columns swapped.
    gatherContiguousSwap: (wat) => replaceOnce(replaceOnce(wat,
      '(v128.store offset=16 (local.get $d) (v128.load offset=16 (local.get $o)))', '(v128.store offset=16 (local.get $d) (v128.load offset=32x (local.get $o)))'),
    '(v128.store offset=32 (local.get $d) (v128.load offset=32 (local.get $o)))', '(v128.store offset=32 (local.get $d) (v128.load offset=16 (local.get $o)))')
      .replace('offset=32x', 'offset=32'),
    // Gathered columns: the last one read through the seventh's offset.
    gatherFullWrongColumn: (wat) => replaceOnce(wat, '(f64.store offset=56 (local.get $d) (f64.load (i32.add (local.get $o) (local.get $n7))))',
      '(f64.store offset=56 (local.get $d) (f64.load (i32.add (local.get $o) (local.get $n6))))'),
    // The partial strip reads the image value next to the right one.
    gatherPartialOffByOne: (wat) => replaceOnce(wat,
      '(then (f64.load (i32.add (local.get $o) (i32.load (i32.add (local.get $nj) (i32.shl (local.get $j) (i32.const 2)))))))',
      '(then (f64.load offset=8 (i32.add (local.get $o) (i32.load (i32.add (local.get $nj) (i32.shl (local.get $j) (i32.const 2)))))))'),
    // dx = product instead of dx += product.
    scatterStores: (wat) => replaceOnce(wat, '(f64.store (local.get $dst) (f64.add (f64.load (local.get $dst)) (f64.load (local.get $src))))',
      '(f64.store (local.get $dst) (f64.load (local.get $src)))'),
    // The product's rows added last to first: the same terms in another order.
    scatterRowsReversed: (wat) => [
      ['(local.set $r (i32.const 0))', '(local.set $r (i32.sub (local.get $rows) (i32.const 1)))'],
      ['(local.set $r (i32.add (local.get $r) (i32.const 1)))', '(local.set $r (i32.sub (local.get $r) (i32.const 1)))'],
      ['(br_if $rowsLoop (i32.lt_u (local.get $r) (local.get $rows)))', '(br_if $rowsLoop (i32.ge_s (local.get $r) (i32.const 0)))'],
    ].reduce((w, [from, to]) => replaceOnce(w, from, to), wat),
  };
  for (const [name, mutate] of Object.entries(GATHER_MUTATIONS)) {
    it(`mutation ${name} is caught`, async () => {
      const mutant = instantiateKernels(await assemble(mutate(wat), `${name}.wat`));
      expect(gatheredAgrees(mutant, c3, 1, 1 << 19)).toBe(false);
      expect(gatheredAgrees(KERNELS, c3, 1, 1 << 19)).toBe(true);
    });
  }
});

/** Depthwise geometries (one input channel per group), channel multipliers 1…5 so pairs and odd channels both occur. */
const depthwiseArb: fc.Arbitrary<Conv2dGeometry> = geometryArb.chain((g) => fc.integer({ min: 1, max: 5 })
  .map((kg) => ({ ...g, c: g.groups, k: kg * g.groups })));

/** Operands from `fill`: awkward values in the property test; the mutation tests use plain ones (see below). */
function depthwiseOperands(g: Conv2dGeometry, fill: () => number) {
  return {
    x: Float64Array.from({ length: g.n * g.c * g.h * g.w }, fill),
    weight: Float64Array.from({ length: g.k * g.r * g.s }, fill),
    y: Float64Array.from({ length: g.n * g.k * g.p * g.q }, fill),   // the bias-seeded output, or dy
    dx: Float64Array.from({ length: g.n * g.c * g.h * g.w }, fill),
    dWeight: Float64Array.from({ length: g.k * g.r * g.s }, fill),
  };
}

/** Forward and backward of `kernels` against depthwise.ts on one geometry: true when every byte agrees. */
function depthwiseAgrees(kernels: WasmKernels, g: Conv2dGeometry, seed: number, plain = false): boolean {
  const fill = (): (() => number) => {
    if (!plain) return awkwardValues(seed);
    const u = seeded(seed);
    return () => (2 * u() - 1) / (1 + u());
  };
  const ours = depthwiseOperands(g, fill()), ref = depthwiseOperands(g, fill());
  depthwiseForwardOn(kernels)(ours.x, ours.weight, ours.y, g);
  depthwiseForward(ref.x, ref.weight, ref.y, g);
  depthwiseBackwardOn(kernels)(ours.x, ours.weight, ours.y, ours.dx, ours.dWeight, g);
  depthwiseBackward(ref.x, ref.weight, ref.y, ref.dx, ref.dWeight, g);
  return sameBytes(ours.y, ref.y) && sameBytes(ours.dx, ref.dx) && sameBytes(ours.dWeight, ref.dWeight);
}

describe('wasm depthwise conv', () => {
  it('equals depthwise.ts byte for byte (forward, dx and dWeight accumulated onto awkward contents)', () => {
    fc.assert(fc.property(depthwiseArb, fc.integer(), (g, seed) => {
      expect(depthwiseAgrees(KERNELS, g, seed)).toBe(true);
    }), { numRuns: 300 });
  });

  const DEPTHWISE_MUTATIONS: Record<string, Mutation> = {
    // In a block of eight outputs, the third pair reads one x value for both lanes.
    forwardBlockSplat: (wat) => replaceOnce(wat,
      '(f64x2.mul (local.get $wt) (v128.load offset=32 (local.get $src)))', '(f64x2.mul (local.get $wt) (v128.load64_splat offset=32 (local.get $src)))'),
    // In a block, the second pair's taps summed from +0 and then added to y: the same terms, another rounding.
    forwardBlockSumFirst: (wat) => replaceOnce(replaceOnce(wat,
      '(local.set $acc1 (v128.load offset=16 (local.get $y)))', '(local.set $acc1 (v128.const f64x2 0 0))'),
    '(v128.store offset=16 (local.get $y) (local.get $acc1))', '(v128.store offset=16 (local.get $y) (f64x2.add (v128.load offset=16 (local.get $y)) (local.get $acc1)))'),
    // A lone pair of outputs reads one x value for both.
    forwardPairSplat: (wat) => replaceOnce(wat, '(f64x2.mul (v128.load64_splat (local.get $tap)) (v128.load (local.get $src)))',
      '(f64x2.mul (v128.load64_splat (local.get $tap)) (v128.load64_splat (local.get $src)))'),
    // A border output also takes the taps past its column range's end (over the right padding: whatever lies there).
    forwardBorderIgnoresRanges: (wat) => replaceOnce(wat,
      '(local.set $vEnd (i32.load offset=4 (i32.add (local.get $tapsBase) (i32.shl (local.get $j) (i32.const 3)))))',
      '(local.set $vEnd (local.get $s))'),
    // Slot 2's sum is not reset for the next kernel row: each of its sums starts from the previous row's.
    weightGradNoReset: (wat) => replaceOnce(wat, '(local.set $acc2 (v128.const f64x2 0 0))', ''),
    // Inside the columns every slot covers, slot 4 reads slot 3's x.
    weightGradInteriorWrongTap: (wat) => replaceOnce(wat, `(v128.load64_splat (i32.add (local.get $base) (local.get $o4))))))
                    (local.set $base (i32.add (local.get $base) (local.get $swBytes)))`,
    `(v128.load64_splat (i32.add (local.get $base) (local.get $o3))))))
                    (local.set $base (i32.add (local.get $base) (local.get $swBytes)))`),
    // In the right border, slot 4 also takes the columns past its range (over the right padding).
    weightGradBorderIgnoresRange: (wat) => replaceOnce(wat.replace(
      '(if (i32.and (i32.ge_s (local.get $j) (local.get $a4)) (i32.lt_s (local.get $j) (local.get $b4)))', 'LEFT4'),
      '(if (i32.and (i32.ge_s (local.get $j) (local.get $a4)) (i32.lt_s (local.get $j) (local.get $b4)))',
      '(if (i32.ge_s (local.get $j) (local.get $a4))').replace('LEFT4',
      '(if (i32.and (i32.ge_s (local.get $j) (local.get $a4)) (i32.lt_s (local.get $j) (local.get $b4)))'),
    // dx loses the odd column of every row segment of odd length.
    inputGradDropsOddColumn: (wat) => replaceOnce(wat, '(f64.mul (local.get $wt) (f64.load (local.get $d)))', '(f64.const 0)'),
  };
  const wat = readFileSync(WAT_PATH, 'utf8');
  // LeNet's first layer, shrunk: one input channel, 6 filters 5×5, padding 2; 14 columns, so the forward has two
  // border columns each side and, between them, a block of eight and a lone pair.
  const lenet: Conv2dGeometry = { n: 2, c: 1, h: 12, w: 14, k: 6, r: 5, s: 5, p: 12, q: 14, strideH: 1, strideW: 1,
    dilationH: 1, dilationW: 1, padTop: 2, padLeft: 2, groups: 1 };
  for (const [name, mutate] of Object.entries(DEPTHWISE_MUTATIONS)) {
    it(`mutation ${name} is caught`, async () => {
      const mutant = instantiateKernels(await assemble(mutate(wat), `${name}.wat`));
      // Full-mantissa values in [-1, 1): overflowing ones would make whole sums NaN alike and hide a wrong tap.
      expect(depthwiseAgrees(mutant, lenet, 1, true)).toBe(false);
      expect(depthwiseAgrees(KERNELS, lenet, 1, true)).toBe(true);
    });
  }
});

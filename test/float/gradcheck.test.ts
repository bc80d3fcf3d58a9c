/**
 * Finite-difference gradient checks of the float engine (forward + backward), as fast-check properties over random
 * shapes and attributes: every layer kind (and mode), every loss, and one composite graph end to end with a loss.
 * Method, step and tolerance (with its justification): test/helpers/gradcheck.ts.
 * Data come from a per-run seed; shapes and attributes shrink, so a failure reports a small counterexample.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LAYER_KINDS, type LayerKind } from '../../sim/ir/types.js';
import type { ForwardResult } from '../../sim/float/engine.js';
import { LOSS_KINDS, type LossKind, type Reduction, losses } from '../../sim/float/losses.js';
import { type Tensor, asFloat64 } from '../../sim/float/tensor.js';
import {
  type GradCase, type LossObjective, type Rand, type ValueGen, awayFrom, compareGradients, describeMismatches,
  distinctValues, float32Check, gradCheck, mulberry32, numericGradient, sizeOf, spreadGroups, uniform, uniformValues,
} from '../helpers/gradcheck.js';
import { floatRules } from '../../sim/float/layers.js';
import { withDtype } from '../../sim/float/tensor.js';

const FC_SEED = 42;
const MAX_ELEMENTS = 200;

// ---------------------------------------------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------------------------------------------

type Shape = readonly number[];
type Pad4 = [number, number, number, number];

const dim = (max: number): fc.Arbitrary<number> => fc.integer({ min: 1, max });
const seedArb = fc.integer({ min: 0, max: 0x7fffffff });
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const divisors = (n: number): number[] => range(n).map((i) => i + 1).filter((d) => n % d === 0);

function shapeArb(minRank: number, maxRank: number, maxDim = 5, maxSize = MAX_ELEMENTS): fc.Arbitrary<number[]> {
  return fc.array(dim(maxDim), { minLength: minRank, maxLength: maxRank }).filter((s) => sizeOf(s) <= maxSize);
}
/** [N, C, H, W]: batch 1–3, channels 1–4, spatial 1–7. */
const nchwArb = fc.tuple(dim(3), dim(4), dim(7), dim(7)).filter((s) => sizeOf(s) <= MAX_ELEMENTS);
const pad4Arb = fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2));

/** Independent restatement of the output-size rule (PyTorch), used only to filter out invalid attribute combos. */
function outSize(n: number, before: number, after: number, k: number, s: number, d: number, ceil: boolean): number {
  const span = n + before + after - d * (k - 1) - 1;
  if (span < 0) return 0;
  let out = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  if (ceil && (out - 1) * s >= n + before) out--;
  return out;
}

/** One layer `y` of `kind` reading input `x`. */
function one(kind: LayerKind, shape: Shape, attrs: Record<string, unknown> = {}, extra: Partial<GradCase> = {}): GradCase {
  return { layers: [{ name: 'y', kind, inputs: ['x'], ...attrs }], inputs: { x: shape }, ...extra };
}

function convArb(variant: 'general' | 'depthwise' | 'pointwise'): fc.Arbitrary<GradCase> {
  return fc.record({
    n: dim(3), c: dim(4), h: dim(7), w: dim(7), kh: dim(3), kw: dim(3), sh: dim(3), sw: dim(3), dh: dim(2), dw: dim(2),
    padding: pad4Arb, groupPick: fc.nat(3), perGroup: dim(2), bias: fc.boolean(),
  }).map((r) => {
    const divs = divisors(r.c);
    const groups = variant === 'depthwise' ? r.c : divs[r.groupPick % divs.length];
    const pw = variant === 'pointwise';
    return {
      shape: [r.n, r.c, r.h, r.w], filters: groups * r.perGroup, groups, bias: r.bias,
      kernel: pw ? [1, 1] : [r.kh, r.kw], stride: pw ? [1, 1] : [r.sh, r.sw], dilation: pw ? [1, 1] : [r.dh, r.dw],
      padding: pw ? [0, 0, 0, 0] : r.padding,
    };
  }).filter((g) =>
    sizeOf(g.shape) <= MAX_ELEMENTS && g.filters * (g.shape[1] / g.groups) * g.kernel[0] * g.kernel[1] <= MAX_ELEMENTS
    && outSize(g.shape[2], g.padding[0], g.padding[1], g.kernel[0], g.stride[0], g.dilation[0], false) >= 1
    && outSize(g.shape[3], g.padding[2], g.padding[3], g.kernel[1], g.stride[1], g.dilation[1], false) >= 1,
  ).map(({ shape, ...attrs }) => one('conv2d', shape, attrs));
}

function poolArb(kind: 'maxPool2d' | 'avgPool2d'): fc.Arbitrary<GradCase> {
  return fc.record({
    shape: nchwArb, kh: dim(3), kw: dim(3), sh: dim(3), sw: dim(3), pads: pad4Arb, ceilMode: fc.boolean(), countIncludePad: fc.boolean(),
  }).map((r) => {
    // Padding at most half the kernel (PyTorch's rule).
    const ph = Math.floor(r.kh / 2) + 1, pw = Math.floor(r.kw / 2) + 1;
    const padding: Pad4 = [r.pads[0] % ph, r.pads[1] % ph, r.pads[2] % pw, r.pads[3] % pw];
    return { ...r, padding };
  }).filter((r) =>
    outSize(r.shape[2], r.padding[0], r.padding[1], r.kh, r.sh, 1, r.ceilMode) >= 1
    && outSize(r.shape[3], r.padding[2], r.padding[3], r.kw, r.sw, 1, r.ceilMode) >= 1,
  ).map((r) => one(kind, r.shape, {
    kernel: [r.kh, r.kw], stride: [r.sh, r.sw], padding: r.padding, ceilMode: r.ceilMode,
    ...(kind === 'avgPool2d' ? { countIncludePad: r.countIncludePad } : {}),
  }, kind === 'maxPool2d' ? { values: distinctValues } : {}));
}

/** Reshape target for `shape`: a random factorization of its size, maybe keeping the batch dim (0), maybe one −1. */
function reshapeTarget(shape: Shape, rand: Rand): number[] {
  const keepBatch = shape.length > 1 && rand() < 0.5;
  const target: number[] = keepBatch ? [0] : [];
  let rest = sizeOf(shape) / (keepBatch ? shape[0] : 1);
  const parts = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < parts - 1; i++) {
    const divs = divisors(rest);
    const d = divs[Math.floor(rand() * divs.length)];
    target.push(d);
    rest /= d;
  }
  target.push(rest);
  const first = keepBatch ? 1 : 0;
  if (rand() < 0.5) target[first + Math.floor(rand() * (target.length - first))] = -1;
  return target;
}

/** 1–3 inputs broadcasting to (a shape within) `out`: suffixes of it with some dims set to 1; maybe one repeated. */
function broadcastArb(kind: 'add' | 'mul'): fc.Arbitrary<GradCase> {
  // Per input: how many leading dims of `out` it lacks, and which of its dims are 1 (each with probability 1/4).
  const inArb = fc.record({ drop: fc.nat(3), ones: fc.array(fc.nat(3), { minLength: 4, maxLength: 4 }) });
  return fc.record({ out: shapeArb(1, 4, 5, 120), ins: fc.array(inArb, { minLength: 1, maxLength: 3 }), repeat: fc.boolean() })
    .map((r) => {
      const shapes = r.ins.map(({ drop, ones }) => r.out.slice(Math.min(drop, r.out.length - 1)).map((d, i) => (ones[i] === 3 ? 1 : d)));
      const names = shapes.map((_, i) => `x${i}`);
      const inputs = Object.fromEntries(shapes.map((s, i) => [names[i], s]));
      return { layers: [{ name: 'y', kind, inputs: r.repeat ? [...names, names[0]] : names }], inputs };
    });
}

const concatArb: fc.Arbitrary<GradCase> = fc.record({
  base: shapeArb(1, 4, 4, 60), axisPick: fc.nat(3), sizes: fc.array(dim(3), { minLength: 1, maxLength: 3 }),
  negative: fc.boolean(), repeat: fc.boolean(),
}).map((r) => {
  const rank = r.base.length, axis = r.axisPick % rank;
  const names = r.sizes.map((_, i) => `x${i}`);
  const inputs = Object.fromEntries(r.sizes.map((k, i) => [names[i], r.base.map((d, j) => (j === axis ? k : d))]));
  return {
    layers: [{ name: 'y', kind: 'concat', axis: r.negative ? axis - rank : axis, inputs: r.repeat ? [...names, names[0]] : names }],
    inputs,
  };
});

/**
 * A[…, m, k] · B[…, k, n] with either transposed; batch dims 0–2; `sharedA`/`sharedB` make that operand rank 2
 * (shared by every batch); `self` multiplies an input by its own transpose (gradients from both operands add).
 */
const matmulArb: fc.Arbitrary<GradCase> = fc.record({
  batch: fc.array(dim(3), { maxLength: 2 }), m: dim(4), k: dim(4), n: dim(4), tA: fc.boolean(), tB: fc.boolean(),
  mode: fc.constantFrom('both', 'sharedA', 'sharedB', 'self'),
}).map((r): GradCase => {
  const a2 = r.tA ? [r.k, r.m] : [r.m, r.k];
  if (r.mode === 'self') {
    return {
      layers: [{ name: 'y', kind: 'matmul', inputs: ['a', 'a'], transposeA: r.tA, transposeB: !r.tA }],
      inputs: { a: [...r.batch, ...a2] },
    };
  }
  const b2 = r.tB ? [r.n, r.k] : [r.k, r.n];
  return {
    layers: [{ name: 'y', kind: 'matmul', inputs: ['a', 'b'], transposeA: r.tA, transposeB: r.tB }],
    inputs: { a: r.mode === 'sharedA' ? a2 : [...r.batch, ...a2], b: r.mode === 'sharedB' ? b2 : [...r.batch, ...b2] },
  };
});

const anyShape = shapeArb(1, 4);

function elementwiseArb(kind: LayerKind, values: ValueGen, attrs: Record<string, unknown> = {}): fc.Arbitrary<GradCase> {
  return anyShape.map((s) => one(kind, s, attrs, { values }));
}

const clipArb: fc.Arbitrary<GradCase> = fc.record({
  shape: anyShape,
  min: fc.option(fc.double({ min: -2, max: 1, noNaN: true }), { freq: 4 }),
  gap: fc.option(fc.oneof({ arbitrary: fc.constant(0), weight: 1 }, { arbitrary: fc.double({ min: 0.01, max: 3, noNaN: true }), weight: 6 }), { freq: 4 }),
}).map((r) => {
  const lo = r.min ?? -Infinity, hi = r.gap === null ? Infinity : (r.min ?? -1) + r.gap;
  const attrs: Record<string, unknown> = {};
  if (Number.isFinite(lo)) attrs.min = lo;
  if (Number.isFinite(hi)) attrs.max = hi;
  return one('clip', r.shape, attrs, { values: awayFrom([lo, hi].filter(Number.isFinite), -3, 4) });
});

const leakyReluArb: fc.Arbitrary<GradCase> = fc.record({
  shape: anyShape, slope: fc.oneof(fc.constant(0.01), fc.double({ min: -1, max: 2, noNaN: true })),
}).map((r) => one('leakyRelu', r.shape, { negativeSlope: r.slope }, { values: awayFrom([0]) }));

const softmaxArb: fc.Arbitrary<GradCase> = anyShape.chain((s) =>
  fc.integer({ min: -s.length, max: s.length - 1 }).map((axis) => one('softmax', s, { axis }, { values: uniformValues(-3, 3) })));

/** Flat indices of each row of d trailing elements. */
const rowsOf = (d: number) => (shape: Shape): number[][] => range(sizeOf(shape) / d).map((r) => range(d).map((i) => r * d + i));

const layerNormArb: fc.Arbitrary<GradCase> = fc.record({
  shape: anyShape, trailing: fc.constantFrom<0 | 1 | 2>(0, 1, 2), affine: fc.boolean(), eps: fc.constantFrom(1e-5, 1e-3, 0.1),
}).map((r) => {
  // 0: normalizedShape omitted (the last dim); 1 or 2: that many trailing dims, given explicitly.
  const t = Math.min(r.trailing, r.shape.length);
  const normalized = t === 0 ? [r.shape[r.shape.length - 1]] : r.shape.slice(r.shape.length - t);
  return one('layerNorm', r.shape, { ...(t === 0 ? {} : { normalizedShape: normalized }), affine: r.affine, eps: r.eps }, {
    values: spreadGroups(rowsOf(sizeOf(normalized))),
  });
});

/** Flat indices of each channel's batch-norm group in [N, C, …]. */
function channelsOf(shape: Shape): number[][] {
  const [n, c] = shape, inner = sizeOf(shape.slice(2));
  return range(c).map((ch) => range(n).flatMap((b) => range(inner).map((i) => (b * c + ch) * inner + i)));
}

function batchNormArb(training: boolean): fc.Arbitrary<GradCase> {
  return fc.record({
    shape: fc.tuple(dim(3), dim(4), fc.array(dim(7), { maxLength: 2 })).map(([n, c, sp]) => [n, c, ...sp]).filter((s) => sizeOf(s) <= MAX_ELEMENTS),
    affine: fc.boolean(), eps: fc.constantFrom(1e-5, 1e-3), momentum: fc.double({ min: 0, max: 1, noNaN: true }),
  }).map((r) => one('batchNorm', r.shape, { affine: r.affine, eps: r.eps, momentum: r.momentum }, {
    training, values: training ? spreadGroups(channelsOf) : uniformValues(),
  }));
}

function dropoutArb(training: boolean): fc.Arbitrary<GradCase> {
  return fc.record({
    shape: anyShape, p: fc.oneof(fc.constantFrom(0, 0.1, 0.5, 0.9), fc.double({ min: 0, max: 0.95, noNaN: true })), seed: seedArb,
  }).map((r) => one('dropout', r.shape, { p: r.p }, { training, dropoutSeed: r.seed }));
}

// ---------------------------------------------------------------------------------------------------------------
// Every layer kind, typed over LayerKind so a new kind does not compile until it has a gradient check.
// ---------------------------------------------------------------------------------------------------------------

interface Variant { readonly arb: fc.Arbitrary<GradCase>; readonly runs: number }

const layerChecks: { readonly [K in LayerKind]: Readonly<Record<string, Variant>> } = {
  input: { identity: { arb: anyShape.map((s) => ({ layers: [], inputs: { x: s } })), runs: 25 } },
  dense: {
    default: {
      arb: fc.record({ shape: shapeArb(1, 3, 6), units: dim(6), bias: fc.boolean() })
        .map((r) => one('dense', r.shape, { units: r.units, bias: r.bias })),
      runs: 120,
    },
  },
  conv2d: {
    general: { arb: convArb('general'), runs: 160 },
    depthwise: { arb: convArb('depthwise'), runs: 80 },
    pointwise: { arb: convArb('pointwise'), runs: 60 },
  },
  maxPool2d: { default: { arb: poolArb('maxPool2d'), runs: 160 } },
  avgPool2d: { default: { arb: poolArb('avgPool2d'), runs: 160 } },
  globalAvgPool: { default: { arb: fc.record({ shape: nchwArb, keepDims: fc.boolean() }).map((r) => one('globalAvgPool', r.shape, { keepDims: r.keepDims })), runs: 60 } },
  flatten: {
    default: {
      arb: anyShape.chain((s) => fc.integer({ min: -s.length, max: s.length - 1 }).map((startDim) => one('flatten', s, { startDim }))),
      runs: 60,
    },
  },
  reshape: { default: { arb: fc.record({ shape: anyShape, pick: seedArb }).map((r) => one('reshape', r.shape, { shape: reshapeTarget(r.shape, mulberry32(r.pick)) })), runs: 60 } },
  transpose: {
    default: {
      arb: anyShape.chain((s) => fc.shuffledSubarray(range(s.length), { minLength: s.length, maxLength: s.length }).map((perm) => one('transpose', s, { perm }))),
      runs: 80,
    },
  },
  pad: {
    default: {
      arb: fc.record({ shape: shapeArb(2, 4), padding: pad4Arb, value: fc.double({ min: -2, max: 2, noNaN: true }) })
        .map((r) => one('pad', r.shape, { padding: r.padding, value: r.value })),
      runs: 80,
    },
  },
  add: { broadcast: { arb: broadcastArb('add'), runs: 120 } },
  mul: { broadcast: { arb: broadcastArb('mul'), runs: 120 } },
  concat: { default: { arb: concatArb, runs: 100 } },
  matmul: { default: { arb: matmulArb, runs: 160 } },
  relu: { default: { arb: elementwiseArb('relu', awayFrom([0])), runs: 60 } },
  relu6: { default: { arb: elementwiseArb('relu6', awayFrom([0, 6], -2, 8)), runs: 60 } },
  clip: { default: { arb: clipArb, runs: 100 } },
  leakyRelu: { default: { arb: leakyReluArb, runs: 80 } },
  sigmoid: { default: { arb: elementwiseArb('sigmoid', uniformValues(-6, 6)), runs: 60 } },
  tanh: { default: { arb: elementwiseArb('tanh', uniformValues(-4, 4)), runs: 60 } },
  gelu: {
    'approximate none': { arb: elementwiseArb('gelu', uniformValues(-6, 6), { approximate: 'none' }), runs: 80 },
    'approximate tanh': { arb: elementwiseArb('gelu', uniformValues(-6, 6), { approximate: 'tanh' }), runs: 80 },
  },
  softmax: { default: { arb: softmaxArb, runs: 100 } },
  layerNorm: { default: { arb: layerNormArb, runs: 120 } },
  batchNorm: {
    train: { arb: batchNormArb(true), runs: 120 },
    eval: { arb: batchNormArb(false), runs: 80 },
  },
  dropout: {
    train: { arb: dropoutArb(true), runs: 80 },
    eval: { arb: dropoutArb(false), runs: 40 },
  },
};

/** Accepted (non-rejected) runs and compared elements per check, for the coverage test at the end. */
const tally = new Map<string, { runs: number; elements: number; worst: number }>();

function assertGradients(label: string, arb: fc.Arbitrary<GradCase>, numRuns: number): void {
  const t = { runs: 0, elements: 0, worst: 0 };
  tally.set(label, t);
  fc.assert(
    fc.property(arb, seedArb, (c, seed) => {
      const report = gradCheck(c, seed);
      fc.pre(!report.rejected);
      t.runs++;
      t.elements += report.checked;
      t.worst = Math.max(t.worst, report.worst);
      if (report.mismatches.length > 0) throw new Error(`data seed ${seed}: ${describeMismatches(report.mismatches)}`);
    }),
    { seed: FC_SEED, numRuns },
  );
}

describe('gradient check: every layer kind', () => {
  for (const kind of LAYER_KINDS) {
    for (const [variant, { arb, runs }] of Object.entries(layerChecks[kind])) {
      it(`${kind} (${variant})`, () => assertGradients(`${kind} (${variant})`, arb, runs));
    }
  }
});

// ---------------------------------------------------------------------------------------------------------------
// Losses
// ---------------------------------------------------------------------------------------------------------------

const binaryOrSoft = (rand: Rand, n: number, soft: boolean): Float64Array =>
  soft ? uniform(rand, n, 0, 1) : Float64Array.from({ length: n }, () => (rand() < 0.5 ? 0 : 1));

/** Prediction and target generators per loss: bce away from p ∈ {0, 1}, softmax-ce on [N, C] with integer labels. */
const lossData: Readonly<Record<LossKind, { shape: fc.Arbitrary<number[]>; pred: (rand: Rand, n: number) => Float64Array; target: LossObjective['target'] }>> = {
  mse: { shape: shapeArb(1, 3, 6), pred: (rand, n) => uniform(rand, n, -2, 2), target: (s, rand) => ({ shape: s, data: uniform(rand, sizeOf(s), -2, 2) }) },
  bce: {
    shape: shapeArb(1, 3, 6),
    pred: (rand, n) => uniform(rand, n, 0.02, 0.98),
    target: (s, rand) => ({ shape: s, data: binaryOrSoft(rand, sizeOf(s), rand() < 0.5) }),
  },
  'bce-logits': {
    shape: shapeArb(1, 3, 6),
    pred: (rand, n) => uniform(rand, n, -8, 8),
    target: (s, rand) => ({ shape: s, data: binaryOrSoft(rand, sizeOf(s), rand() < 0.5) }),
  },
  'softmax-ce': {
    shape: fc.tuple(dim(5), dim(6)),
    pred: (rand, n) => uniform(rand, n, -4, 4),
    target: (s, rand) => ({ shape: [s[0]], data: Float64Array.from({ length: s[0] }, () => Math.floor(rand() * s[1])) }),
  },
};

describe('gradient check: every loss', () => {
  for (const kind of LOSS_KINDS) {
    for (const reduction of ['mean', 'sum'] as const) {
      it(`${kind} (${reduction})`, () => {
        const gen = lossData[kind];
        fc.assert(
          fc.property(gen.shape, seedArb, (shape, seed) => {
            const rand = mulberry32(seed);
            const pred: Tensor = { shape, data: gen.pred(rand, sizeOf(shape)) };
            const target = gen.target(shape, rand);
            const { gradient } = losses[kind](pred, target, reduction);
            expect(gradient.shape).toEqual(shape);
            const numeric = numericGradient(() => losses[kind](pred, target, reduction).loss, asFloat64(pred.data));
            const bad = compareGradients(`${kind} prediction`, asFloat64(gradient.data), numeric);
            if (bad.length > 0) throw new Error(`data seed ${seed}: ${describeMismatches(bad)}`);
          }),
          { seed: FC_SEED, numRuns: 150 },
        );
      });
    }
  }
});

// ---------------------------------------------------------------------------------------------------------------
// A composite graph end to end: conv → batchNorm (train) → relu → conv + residual add → maxPool → flatten →
// dropout (train, fixed seed) → dense [→ sigmoid for bce], with a loss.
// ---------------------------------------------------------------------------------------------------------------

const KINK_MARGIN = 1e-3;

/** relu inputs (batch-norm outputs) and 2×2/stride-2 max-pool windows (of the residual sum) away from kinks and ties. */
function awayFromKinks(fwd: ForwardResult): boolean {
  if (fwd.values.bn.data.some((v) => Math.abs(v) < KINK_MARGIN)) return false;
  const { shape, data } = fwd.values.res;
  const [n, c, h, w] = shape;
  for (let plane = 0; plane < n * c; plane++) {
    for (let i = 0; i + 1 < h; i += 2) {
      for (let j = 0; j + 1 < w; j += 2) {
        const o = plane * h * w + i * w + j;
        const win = [data[o], data[o + 1], data[o + w], data[o + w + 1]].sort((a, b) => b - a);
        if (win[0] - win[1] < KINK_MARGIN) return false;
      }
    }
  }
  return true;
}

function compositeCase(loss: LossKind, reduction: Reduction, batch: number, classes: number): GradCase {
  const layers: Record<string, unknown>[] = [
    { name: 'conv1', kind: 'conv2d', inputs: ['x'], filters: 3, kernel: 3, padding: 1 },
    { name: 'bn', kind: 'batchNorm' },
    { name: 'act', kind: 'relu' },
    { name: 'conv2', kind: 'conv2d', filters: 3, kernel: 3, padding: 1, bias: false },
    { name: 'res', kind: 'add', inputs: ['conv2', 'act'] },
    { name: 'pool', kind: 'maxPool2d', kernel: 2 },
    { name: 'flat', kind: 'flatten' },
    { name: 'drop', kind: 'dropout', p: 0.25 },
    { name: 'fc', kind: 'dense', units: classes },
  ];
  if (loss === 'bce') layers.push({ name: 'prob', kind: 'sigmoid' });
  return {
    layers, inputs: { x: [batch, 2, 6, 6] }, training: true, dropoutSeed: 7, accept: awayFromKinks,
    loss: { kind: loss, reduction, target: lossData[loss].target },
  };
}

describe('gradient check: composite graph with a loss', () => {
  it('conv → batchNorm → relu → conv + residual add → maxPool → flatten → dropout → dense, every loss', () => {
    const t = { runs: 0, elements: 0, worst: 0 };
    tally.set('composite', t);
    fc.assert(
      fc.property(fc.constantFrom(...LOSS_KINDS), fc.constantFrom<Reduction>('mean', 'sum'), dim(3), fc.integer({ min: 2, max: 4 }), seedArb,
        (loss, reduction, batch, classes, seed) => {
          const report = gradCheck(compositeCase(loss, reduction, batch, classes), seed);
          fc.pre(!report.rejected);
          t.runs++;
          t.elements += report.checked;
      t.worst = Math.max(t.worst, report.worst);
          if (report.mismatches.length > 0) throw new Error(`data seed ${seed}: ${describeMismatches(report.mismatches)}`);
        }),
      { seed: FC_SEED, numRuns: 30 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The checker itself, and coverage.
// ---------------------------------------------------------------------------------------------------------------

describe('gradient checker', () => {
  it('matches a known derivative and flags an analytic gradient off by 1e-4', () => {
    const rand = mulberry32(1);
    const x = uniform(rand, 50, -3, 3), w = uniform(rand, 50, -1, 1);
    const f = (): number => x.reduce((s, v, i) => s + w[i] * Math.sin(v) * v, 0);
    const exact = x.map((v, i) => w[i] * (Math.cos(v) * v + Math.sin(v)));
    const numeric = numericGradient(f, x);
    for (let i = 0; i < x.length; i++) expect(Math.abs(numeric[i] - exact[i])).toBeLessThan(1e-8);
    expect(compareGradients('f', exact, numeric)).toEqual([]);
    const wrong = Float64Array.from(exact);
    wrong[17] += 1e-4;
    expect(compareGradients('f', wrong, numeric).map((m) => m.index)).toEqual([17]);
  });

  it('exercised every layer kind, mode and the composite with accepted samples', () => {
    const expected = [
      ...LAYER_KINDS.flatMap((k) => Object.keys(layerChecks[k]).map((v) => `${k} (${v})`)),
      'composite',
    ];
    for (const label of expected) {
      const t = tally.get(label);
      expect(t, label).toBeDefined();
      expect(t!.runs, label).toBeGreaterThan(0);
      expect(t!.elements, label).toBeGreaterThan(0);
    }
    expect(new Set(Object.keys(layerChecks))).toEqual(new Set(LAYER_KINDS));
    if (process.env.GRADCHECK_STATS) console.table(Object.fromEntries(tally));
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The float32 engine (--dtype float32) against float64, on the same cases
// ---------------------------------------------------------------------------------------------------------------

function assertFloat32(arb: fc.Arbitrary<GradCase>, numRuns: number): number {
  let accepted = 0;
  fc.assert(fc.property(arb, seedArb, (c, seed) => {
    const r = float32Check(c, seed);
    fc.pre(!r.rejected);
    accepted++;
    if (r.notFloat32.length > 0) throw new Error(`data seed ${seed}: not float32: ${r.notFloat32.join(', ')}`);
    if (r.outOfTolerance.length > 0) throw new Error(`data seed ${seed}: ${JSON.stringify(r.outOfTolerance)}`);
  }), { seed: FC_SEED, numRuns });
  return accepted;
}

describe('float32 engine: every layer kind stays float32 and within float32 rounding of float64', () => {
  for (const kind of LAYER_KINDS) {
    for (const [variant, { arb, runs }] of Object.entries(layerChecks[kind])) {
      it(`${kind} (${variant})`, () => expect(assertFloat32(arb, Math.min(runs, 25))).toBeGreaterThan(0));
    }
  }
  it('composite graph with a loss', () => expect(assertFloat32(fc.constant(compositeCase('softmax-ce', 'mean', 3, 4)), 10)).toBeGreaterThan(0));
});

describe('float32 check mutation tests: the comparison catches a wrong float32 engine', () => {
  type AnyRule = { forward: (...a: unknown[]) => { y: { shape: readonly number[]; data: Float32Array | Float64Array } } };
  const rules = floatRules as unknown as Record<string, AnyRule>;
  /** Runs the check with one layer kind's forward replaced. */
  function withPatched(kind: LayerKind, patch: (y: { shape: readonly number[]; data: Float32Array | Float64Array }) => typeof y & object): ReturnType<typeof float32Check>[] {
    const original = rules[kind].forward;
    rules[kind].forward = (...a: unknown[]) => { const out = original(...a); return { ...out, y: patch(out.y) }; };
    try {
      return range(20).map((seed) => float32Check({ layers: [{ name: 'l', kind }], inputs: { x: [2, 3, 4] }, values: awayFrom([0]) }, seed));
    } finally {
      rules[kind].forward = original;
    }
  }
  it('a layer that falls back to float64 is caught', () => {
    const reports = withPatched('tanh', (y) => withDtype(y, 'float64'));
    expect(reports.every((r) => r.notFloat32.includes('value l'))).toBe(true);
  });
  it('a float32 layer off by 1e-3 is caught', () => {
    const reports = withPatched('tanh', (y) => (y.data instanceof Float32Array ? { shape: y.shape, data: y.data.map((v) => v + 1e-3) } : y));
    expect(reports.every((r) => r.outOfTolerance.some((o) => o.tensor === 'value l'))).toBe(true);
  });
  it('the unpatched layer passes the same cases', () => {
    const reports = withPatched('tanh', (y) => y);
    expect(reports.every((r) => r.notFloat32.length === 0 && r.outOfTolerance.length === 0)).toBe(true);
  });
});

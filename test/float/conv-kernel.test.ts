/**
 * conv2dForward/Backward against the definition, written as the plainest possible nested loops
 * (no im2col, no bounds tricks). Data are small integers, so every sum is exact in float64 and the
 * kernels must agree bit for bit whatever order they sum in.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { conv2dBackward, conv2dForward, setIm2colBudget, type Conv2dGeometry } from '../../sim/float/conv.js';

/** Input index of output (i, j) and kernel tap (u, v), or -1 if it falls in the zero padding. */
function inputIndex(g: Conv2dGeometry, img: number, ch: number, i: number, j: number, u: number, v: number): number {
  const ih = i * g.strideH + u * g.dilationH - g.padTop;
  const iw = j * g.strideW + v * g.dilationW - g.padLeft;
  if (ih < 0 || ih >= g.h || iw < 0 || iw >= g.w) return -1;
  return ((img * g.c + ch) * g.h + ih) * g.w + iw;
}

/** Calls f(yIndex, wIndex, xIndex) for every multiply-accumulate of the convolution. */
function forEachMac(g: Conv2dGeometry, f: (yi: number, wi: number, xi: number) => void): void {
  const cg = g.c / g.groups, kg = g.k / g.groups;
  for (let img = 0; img < g.n; img++) {
    for (let o = 0; o < g.k; o++) {
      const grp = Math.floor(o / kg);
      for (let i = 0; i < g.p; i++) {
        for (let j = 0; j < g.q; j++) {
          const yi = ((img * g.k + o) * g.p + i) * g.q + j;
          for (let cc = 0; cc < cg; cc++) {
            for (let u = 0; u < g.r; u++) {
              for (let v = 0; v < g.s; v++) {
                const xi = inputIndex(g, img, grp * cg + cc, i, j, u, v);
                if (xi >= 0) f(yi, ((o * cg + cc) * g.r + u) * g.s + v, xi);
              }
            }
          }
        }
      }
    }
  }
}

function refForward(x: Float64Array, w: Float64Array, b: Float64Array | null, g: Conv2dGeometry): Float64Array {
  const y = new Float64Array(g.n * g.k * g.p * g.q);
  if (b) for (let yi = 0; yi < y.length; yi++) y[yi] = b[Math.floor(yi / (g.p * g.q)) % g.k];
  forEachMac(g, (yi, wi, xi) => { y[yi] += w[wi] * x[xi]; });
  return y;
}

function refBackward(x: Float64Array, w: Float64Array, dy: Float64Array, g: Conv2dGeometry) {
  const dx = new Float64Array(x.length), dWeight = new Float64Array(w.length), dBias = new Float64Array(g.k);
  for (let yi = 0; yi < dy.length; yi++) dBias[Math.floor(yi / (g.p * g.q)) % g.k] += dy[yi];
  forEachMac(g, (yi, wi, xi) => {
    dx[xi] += w[wi] * dy[yi];
    dWeight[wi] += dy[yi] * x[xi];
  });
  return { dx, dWeight, dBias };
}

const geometryArb: fc.Arbitrary<Conv2dGeometry> = fc.record({
  n: fc.integer({ min: 1, max: 3 }),
  kind: fc.constantFrom('dense', 'grouped', 'depthwise', 'depthwise-multiplier'),
  cg: fc.integer({ min: 1, max: 3 }), kg: fc.integer({ min: 1, max: 3 }),
  h: fc.integer({ min: 1, max: 11 }), w: fc.integer({ min: 1, max: 11 }),
  r: fc.integer({ min: 1, max: 5 }), s: fc.integer({ min: 1, max: 5 }),
  strideH: fc.integer({ min: 1, max: 3 }), strideW: fc.integer({ min: 1, max: 3 }),
  dilationH: fc.integer({ min: 1, max: 2 }), dilationW: fc.integer({ min: 1, max: 2 }),
  padTop: fc.integer({ min: 0, max: 2 }), padLeft: fc.integer({ min: 0, max: 2 }),
  padBottom: fc.integer({ min: 0, max: 2 }), padRight: fc.integer({ min: 0, max: 2 }),
}).map((t) => {
  const groups = t.kind === 'dense' ? 1 : t.kind === 'grouped' ? 2 : t.cg + 1;
  const cg = t.kind.startsWith('depthwise') ? 1 : t.cg;
  const kg = t.kind === 'depthwise' ? 1 : t.kg;
  // Output size as PyTorch computes it; asymmetric bottom/right padding makes windows that don't tile evenly.
  const p = Math.floor((t.h + t.padTop + t.padBottom - t.dilationH * (t.r - 1) - 1) / t.strideH) + 1;
  const q = Math.floor((t.w + t.padLeft + t.padRight - t.dilationW * (t.s - 1) - 1) / t.strideW) + 1;
  return {
    n: t.n, c: cg * groups, h: t.h, w: t.w, k: kg * groups, r: t.r, s: t.s, p, q,
    strideH: t.strideH, strideW: t.strideW, dilationH: t.dilationH, dilationW: t.dilationW,
    padTop: t.padTop, padLeft: t.padLeft, groups,
  };
}).filter((g) => g.p >= 1 && g.q >= 1);

function smallInts(length: number, seed: number): Float64Array {
  let state = (seed >>> 0) || 1;
  return Float64Array.from({ length }, () => {
    state ^= state << 13; state >>>= 0; state ^= state >>> 17; state ^= state << 5; state >>>= 0;
    return (state % 7) - 3;
  });
}

function check(g: Conv2dGeometry, seed: number, withBias: boolean, needDx: boolean): void {
  const x = smallInts(g.n * g.c * g.h * g.w, seed);
  const w = smallInts(g.k * (g.c / g.groups) * g.r * g.s, seed + 1);
  const b = withBias ? smallInts(g.k, seed + 2) : null;
  const dy = smallInts(g.n * g.k * g.p * g.q, seed + 3);
  expect(Array.from(conv2dForward(x, w, b, g))).toEqual(Array.from(refForward(x, w, b, g)));
  const got = conv2dBackward(x, w, dy, g, needDx);
  const want = refBackward(x, w, dy, g);
  expect(Array.from(got.dWeight)).toEqual(Array.from(want.dWeight));
  expect(Array.from(got.dBias)).toEqual(Array.from(want.dBias));
  if (needDx) expect(Array.from(got.dx!)).toEqual(Array.from(want.dx));
  else expect(got.dx).toBeNull();
}

function geometry(over: Partial<Conv2dGeometry> & Pick<Conv2dGeometry, 'n' | 'c' | 'h' | 'w' | 'k' | 'r' | 's'>): Conv2dGeometry {
  const base = { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padTop: 0, padLeft: 0, groups: 1, ...over };
  const p = over.p ?? Math.floor((base.h + 2 * base.padTop - base.dilationH * (base.r - 1) - 1) / base.strideH) + 1;
  const q = over.q ?? Math.floor((base.w + 2 * base.padLeft - base.dilationW * (base.s - 1) - 1) / base.strideW) + 1;
  return { ...base, p, q };
}

describe('conv2d kernels', () => {
  it('forward and backward match the direct definition on random geometries', () => {
    fc.assert(fc.property(geometryArb, fc.integer(), fc.boolean(), fc.boolean(), (g, seed, withBias, needDx) => {
      check(g, seed, withBias, needDx);
    }), { numRuns: 400 });
  });

  it('covers the 1×1 stride-1 shortcut, with and without groups', () => {
    check(geometry({ n: 2, c: 6, h: 5, w: 7, k: 4, r: 1, s: 1 }), 11, true, true);
    check(geometry({ n: 3, c: 6, h: 4, w: 3, k: 9, r: 1, s: 1, groups: 3 }), 12, false, true);
    // 1×1 but strided or padded: must not take the shortcut.
    check(geometry({ n: 1, c: 3, h: 6, w: 5, k: 2, r: 1, s: 1, strideH: 2, strideW: 2 }), 13, true, true);
    check(geometry({ n: 1, c: 3, h: 4, w: 4, k: 2, r: 1, s: 1, padTop: 1, padLeft: 1 }), 14, true, true);
    // Only bottom/right padding (output larger than input): also not the shortcut.
    check(geometry({ n: 2, c: 3, h: 4, w: 3, k: 2, r: 1, s: 1, p: 5, q: 5 }), 15, true, true);
  });

  it('covers shapes larger than one GEMM block (K·C·R·S beyond 256, P·Q beyond 96)', () => {
    check(geometry({ n: 2, c: 40, h: 12, w: 11, k: 20, r: 3, s: 3, padTop: 1, padLeft: 1 }), 21, true, true);
    check(geometry({ n: 1, c: 16, h: 14, w: 14, k: 16, r: 3, s: 3, padTop: 1, padLeft: 1, groups: 16 }), 22, true, true);
  });

  it('gives the same result when the column matrix is built in bands of output rows', () => {
    // A budget of one element forces one output row per band; 40 gives bands of a few rows with a ragged tail.
    for (const budget of [1, 40]) {
      const old = setIm2colBudget(budget);
      try {
        fc.assert(fc.property(geometryArb, fc.integer(), (g, seed) => { check(g, seed, true, true); }), { numRuns: 60 });
      } finally {
        setIm2colBudget(old);
      }
    }
  });

  it('reads cross-correlation, not convolution (kernel is not flipped)', () => {
    // 1×1×1×3 input [1,2,3], kernel [1,0,0] with no padding: y = x[0] = 1 under PyTorch's convention.
    const g = geometry({ n: 1, c: 1, h: 1, w: 3, k: 1, r: 1, s: 3 });
    expect(Array.from(conv2dForward(Float64Array.of(1, 2, 3), Float64Array.of(1, 0, 0), null, g))).toEqual([1]);
  });

  it('rejects channel counts not divisible by groups, and arrays of the wrong size', () => {
    const g = geometry({ n: 1, c: 3, h: 2, w: 2, k: 2, r: 1, s: 1, groups: 2 });
    expect(() => conv2dForward(new Float64Array(12), new Float64Array(3), null, g)).toThrow(/divisible/);
    const ok = geometry({ n: 1, c: 2, h: 3, w: 3, k: 2, r: 2, s: 2 });
    expect(() => conv2dForward(new Float64Array(17), new Float64Array(16), null, ok)).toThrow(/x has 17/);
    expect(() => conv2dForward(new Float64Array(18), new Float64Array(16), new Float64Array(3), ok)).toThrow(/bias/);
    expect(() => conv2dBackward(new Float64Array(18), new Float64Array(16), new Float64Array(7), ok, true)).toThrow(/dy/);
  });
});

/**
 * The 2×2 stride-2 average pooling fast path (pool.ts) against the general loops it shortcuts, byte for byte,
 * forward and backward, on awkward values (±0, subnormals, overflowing magnitudes) and odd sizes whose last row or
 * column no window covers. Geometries the fast path must not take (padding, other kernels or strides, ceil mode's
 * clipped last window, max pooling) go through the general loops and are compared too.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Pool2dNode } from '../../sim/ir/types.js';
import { Arena } from '../../sim/float/arena.js';
import { poolBackward, poolBackwardReference, poolForward, poolForwardReference } from '../../sim/float/pool.js';
import { awkwardValues, sameBytes, seeded } from './awkward-values.js';
import { asFloat64 } from '../../sim/float/tensor.js';

type Pick4 = [number, number, number, number];

function node(kind: Pool2dNode['kind'], kernel: number, stride: number, padding: Pick4, countIncludePad: boolean, ceilMode: boolean): Pool2dNode {
  return { name: 'p', inputs: ['x'], kind, kernel: [kernel, kernel], stride: [stride, stride], padding, ceilMode, countIncludePad };
}

/** PyTorch's output size, ceil mode dropping a window that would start in the bottom/right padding. */
function outSize(size: number, k: number, s: number, before: number, after: number, ceil: boolean): number {
  const span = size + before + after - k;
  let out = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  if (ceil && (out - 1) * s >= size + before) out--;
  return out;
}

function agrees(pool: Pool2dNode, n: number, c: number, h: number, w: number, seed: number, fill = awkwardValues(seed)): boolean {
  const [pt, pb, pl, pr] = pool.padding;
  const p = outSize(h, pool.kernel[0], pool.stride[0], pt, pb, pool.ceilMode);
  const q = outSize(w, pool.kernel[1], pool.stride[1], pl, pr, pool.ceilMode);
  if (p < 1 || q < 1) return true;
  const x = { shape: [n, c, h, w], data: Float64Array.from({ length: n * c * h * w }, fill) };
  const outShape = [n, c, p, q];
  const dy = { shape: outShape, data: Float64Array.from({ length: n * c * p * q }, fill) };
  const fast = poolForward(pool, x, outShape), ref = poolForwardReference(pool, x, outShape);
  const dxFast = poolBackward(pool, x, dy, fast.saved), dxRef = poolBackwardReference(pool, x, dy, ref.saved);
  return sameBytes(asFloat64(fast.y.data), asFloat64(ref.y.data)) && sameBytes(asFloat64(dxFast.data), asFloat64(dxRef.data));
}

describe('average pooling 2×2 stride 2', () => {
  it('equals the general loops byte for byte, forward and backward, odd sizes included', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 2, max: 13 }), fc.integer({ min: 2, max: 13 }),
      fc.boolean(), fc.integer(),
      (n, c, h, w, countIncludePad, seed) => {
        expect(agrees(node('avgPool2d', 2, 2, [0, 0, 0, 0], countIncludePad, false), n, c, h, w, seed)).toBe(true);
      }), { numRuns: 300 });
  });

  it('equals them on LeNet\'s first pooling (6 × 28×28, batch 4) of full-mantissa values, where any reordering shows', () => {
    const u = seeded(5);
    expect(agrees(node('avgPool2d', 2, 2, [0, 0, 0, 0], true, false), 4, 6, 28, 28, 0, () => (2 * u() - 1) / (1 + u()))).toBe(true);
  });

  it('leaves the cells no window covers at +0 in a reused arena buffer (odd sizes)', () => {
    const pool = node('avgPool2d', 2, 2, [0, 0, 0, 0], true, false);
    for (const [h, w] of [[5, 6], [6, 5], [7, 7], [6, 6]]) {
      const arena = new Arena();
      arena.alloc(2 * 3 * h * w).fill(7);   // stale contents, as a previous step leaves them
      arena.recycle();
      const fill = awkwardValues(h * 31 + w);
      const x = { shape: [2, 3, h, w], data: Float64Array.from({ length: 2 * 3 * h * w }, fill) };
      const dy = { shape: [2, 3, h >> 1, w >> 1], data: Float64Array.from({ length: 6 * (h >> 1) * (w >> 1) }, fill) };
      const got = poolBackward(pool, x, dy, {}, arena.alloc), want = poolBackwardReference(pool, x, dy, {});
      expect(sameBytes(asFloat64(got.data), asFloat64(want.data))).toBe(true);
    }
  });

  it('leaves the geometries it does not cover to the general loops, with the same results', () => {
    const pad = fc.constantFrom<Pick4>([0, 0, 0, 0], [1, 1, 1, 1], [0, 1, 0, 1]);
    fc.assert(fc.property(
      fc.constantFrom<Pool2dNode['kind']>('avgPool2d', 'maxPool2d'), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }),
      pad, fc.boolean(), fc.boolean(), fc.integer({ min: 3, max: 11 }), fc.integer({ min: 3, max: 11 }), fc.integer(),
      (kind, kernel, stride, padding, countIncludePad, ceilMode, h, w, seed) => {
        const pool = node(kind, kernel, stride, kernel === 1 ? [0, 0, 0, 0] : padding, countIncludePad, ceilMode);
        expect(agrees(pool, 2, 2, h, w, seed)).toBe(true);
      }), { numRuns: 300 });
  });
});

/**
 * The convolution row stationary runs for one lowered GEMM op (map/row-stationary.ts's RsLayer). A conv pass maps
 * as the convolution it is (grouped convs: one group's, C and M per group): backwardData convolves dY (M channels,
 * E×F) with the filters to give dX (a set of R × H); backwardWeight correlates X with dY (dY as the E×F "filter",
 * R×S out: a set of E × R, the images as its channels, one output per channel-filter pair). Backward passes are
 * taken at stride 1 (a strided conv's dY is dilated: not modelled). backwardWeight is not a plain convolution (its
 * ifmap depends on the pair): its ifmap row is the image's C channels' rows, as every pair of a channel needs them, and its
 * filter traffic counts dY once per pair — an approximation, said in docs/row-stationary.md. Any other GEMM C[m×n] = A[m×k]·B[k×n] is a 1×1
 * convolution of m images with k channels and n filters — exactly its arithmetic.
 */
import type { GemmOp } from '../lower/types.js';
import type { RsLayer } from './row-stationary.js';

export function rsLayerOfOp(op: Pick<GemmOp, 'm' | 'k' | 'n' | 'pass' | 'conv'>): RsLayer {
  const g = op.conv;
  if (g === undefined) return { r: 1, s: 1, e: 1, f: 1, n: op.m, c: op.k, m: op.n, u: 1, paddedW: 1, ifmapRows: 1, ifmapRowWords: 1, padTop: 0 };
  const c = g.c / g.groups, m = g.k / g.groups;
  if (op.pass === 'backwardData') return { r: g.r, s: g.s, e: g.h, f: g.w, c: m, m: c, n: g.n, u: 1, paddedW: g.w + g.s - 1, ifmapRows: g.p, ifmapRowWords: g.q, padTop: g.r - 1 };
  if (op.pass === 'backwardWeight') return { r: g.p, s: g.q, e: g.r, f: g.s, c: g.n, m: c * m, n: 1, u: 1, paddedW: g.w + g.padding[2] + g.padding[3], ifmapRows: g.h, ifmapRowWords: c * g.w, padTop: g.padding[0] };
  return { r: g.r, s: g.s, e: g.p, f: g.q, c, m, n: g.n, u: g.stride[0], paddedW: g.w + g.padding[2] + g.padding[3], ifmapRows: g.h, ifmapRowWords: g.w, padTop: g.padding[0] };
}

/**
 * conv2d with one input channel per group (depthwise, with any channel multiplier; LeNet's first layer, which has
 * one input channel, too), as direct loops in plain JS: the GEMM of im2col would have m = K/groups (often 1) and
 * k = R·S, too thin to pay for packing. These loops are the references for the WebAssembly versions, which must
 * keep each output's order of additions. y arrives seeded with the bias (or zeros).
 */
import { columnRanges, type Conv2dGeometry } from './conv-geometry.js';

export type DepthwiseForward = (x: Float64Array, weight: Float64Array, y: Float64Array, g: Conv2dGeometry) => void;
export type DepthwiseBackward = (x: Float64Array, weight: Float64Array, dy: Float64Array, dx: Float64Array | null,
  dWeight: Float64Array, g: Conv2dGeometry) => void;

/** One input channel per group: output channel o reads only input channel floor(o / (K/groups)). y is pre-seeded. */
export function depthwiseForward(x: Float64Array, weight: Float64Array, y: Float64Array, g: Conv2dGeometry): void {
  const ranges = columnRanges(g);
  for (let img = 0; img < g.n; img++) for (let o = 0; o < g.k; o++) depthwiseForwardChannel(x, weight, y, g, ranges, img, o);
}

/** Output channel o of image img; ranges = columnRanges(g). */
function depthwiseForwardChannel(x: Float64Array, weight: Float64Array, y: Float64Array, g: Conv2dGeometry,
  ranges: Int32Array, img: number, o: number): void {
  const { c, h, w, k, r, s, p, q, strideH: sh, strideW: sw, dilationH: dh, dilationW: dw, padTop, padLeft } = g;
  const kg = k / g.groups, hw = h * w, pq = p * q;
  const xOff = (img * c + Math.floor(o / kg)) * hw;
  const yOff = (img * k + o) * pq;
  for (let u = 0; u < r; u++) {
    for (let i = 0; i < p; i++) {
      const ih = i * sh + u * dh - padTop;
      if (ih < 0 || ih >= h) continue;
      const xRow = xOff + ih * w - padLeft;
      const yRow = yOff + i * q;
      for (let v = 0; v < s; v++) {
        const wt = weight[(o * r + u) * s + v];
        const j0 = ranges[2 * v], j1 = ranges[2 * v + 1];
        let src = xRow + j0 * sw + v * dw;
        for (let j = j0; j < j1; j++, src += sw) y[yRow + j] += wt * x[src];
      }
    }
  }
}

/**
 * dWeight += Σ dy·x per tap, summed over i then j from +0 and added once per image and channel; dx (when asked)
 * += w·dy in the loop order below (o, u, v, i, j), which fixes each dx element's order of additions.
 */
export function depthwiseBackward(x: Float64Array, weight: Float64Array, dy: Float64Array, dx: Float64Array | null,
  dWeight: Float64Array, g: Conv2dGeometry): void {
  const ranges = columnRanges(g);
  for (let img = 0; img < g.n; img++) {
    for (let o = 0; o < g.k; o++) depthwiseBackwardChannel(x, weight, dy, dx, dWeight, g, ranges, img, o);
  }
}

/** Output channel o of image img; a null dx or dWeight is not computed. */
export function depthwiseBackwardChannel(x: Float64Array, weight: Float64Array, dy: Float64Array, dx: Float64Array | null,
  dWeight: Float64Array | null, g: Conv2dGeometry, ranges: Int32Array, img: number, o: number): void {
  const { c, h, w, k, r, s, p, q, strideH: sh, strideW: sw, dilationH: dh, dilationW: dw, padTop, padLeft } = g;
  const kg = k / g.groups, hw = h * w, pq = p * q;
  const xOff = (img * c + Math.floor(o / kg)) * hw;
  const dyOff = (img * k + o) * pq;
  for (let u = 0; u < r; u++) {
    for (let v = 0; v < s; v++) {
      const wi = (o * r + u) * s + v;
      const wt = weight[wi];
      const j0 = ranges[2 * v], j1 = ranges[2 * v + 1];
      let dwSum = 0;
      for (let i = 0; i < p; i++) {
        const ih = i * sh + u * dh - padTop;
        if (ih < 0 || ih >= h) continue;
        const start = xOff + ih * w - padLeft + j0 * sw + v * dw;
        const dyRow = dyOff + i * q;
        let src = start;
        if (dWeight !== null) for (let j = j0; j < j1; j++, src += sw) dwSum += dy[dyRow + j] * x[src];
        if (dx !== null) {
          src = start;
          for (let j = j0; j < j1; j++, src += sw) dx[src] += wt * dy[dyRow + j];
        }
      }
      if (dWeight !== null) dWeight[wi] += dwSum;
    }
  }
}

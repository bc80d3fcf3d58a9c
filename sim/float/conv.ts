/**
 * conv2d forward and backward for the float64 reference engine, PyTorch conventions: cross-correlation,
 * NCHW activations, weights [K, C/groups, R, S], zero padding. Built on kernels (ConvKernels): the engine's
 * conv2dForward/Backward use the WebAssembly ones, conv2dReference the plain-JS ones they must equal bit for bit.
 *
 * Dense and grouped convolutions go through im2col + gemm, one image and one group at a time: the GEMM's
 * n dimension is already P·Q, which for the shapes we care about is large enough that folding the batch
 * into it buys nothing while it would cost a transposed copy of Y (NCHW puts K between N and P·Q).
 * Large images are further cut into bands of output rows so the column matrix stays a few MB.
 * Cheaper routes are taken when they apply:
 *  - 1×1, stride 1, no padding: the image itself is the column matrix, so the copy is skipped;
 *  - every window inside the image (no padding to read; LeNet's second conv): the GEMM packs the column matrix
 *    straight from the image (gemmGathered), never writing it — the same packed panels as im2col, so the same bits;
 *    and dx's product is added into dx straight from the module (gemmScatter), as col2im would add it;
 *  - one input channel per group (depthwise, with any channel multiplier): the GEMM would have m = K/groups
 *    (usually 1, padded to the kernel's 2-row tile) and k = R·S, so a direct loop (depthwise.ts) is faster.
 */
import { gemm as wasmGemm, gemmReference } from './gemm.js';
import { gemmGathered, gemmScatter, scatterFits } from './gemm-gathered.js';
import { depthwiseBackward, depthwiseForward, type DepthwiseBackward, type DepthwiseForward } from './depthwise.js';
import { validRange } from './conv-geometry.js';
import { depthwiseBackwardOn, depthwiseForwardOn } from './depthwise-wasm.js';
import { KERNELS } from './wasm/kernels-module.js';
import type { Alloc } from './arena.js';
import { biasGradient, biasGradientReference, type BiasGradient } from './bias-grad.js';
import { gemmF32 } from './gemm-f32.js';
import { type FloatData, zerosLike } from './tensor.js';

export type { Conv2dGeometry } from './conv-geometry.js';
import type { Conv2dGeometry } from './conv-geometry.js';

/** gemm.ts's Gemm, GemmGathered and GemmScatter on arrays of one element type D. */
type GemmOf<D> = (transA: boolean, transB: boolean, m: number, n: number, k: number, a: D, aOffset: number, lda: number,
  b: D, bOffset: number, ldb: number, c: D, cOffset: number, ldc: number, accumulate: boolean) => void;
type GatheredOf<D> = (m: number, n: number, k: number, a: D, aOffset: number, lda: number, x: D, xOffset: number,
  kOff: Int32Array, nOff: Int32Array, c: D, cOffset: number, ldc: number, accumulate: boolean) => void;
type ScatterOf<D> = (transA: boolean, m: number, n: number, k: number, a: D, aOffset: number, lda: number,
  b: D, bOffset: number, ldb: number, x: D, xOffset: number, kOff: Int32Array, nOff: Int32Array) => void;

/**
 * The kernels a convolution is made of, on one element type D: the float64 engine's are the WebAssembly ones, the
 * references plain JS; the float32 engine's are the float32 GEMM and the plain-JS depthwise loops.
 */
export interface ConvKernels<D extends FloatData = Float64Array> {
  readonly gemm: GemmOf<D>;
  /** Without them, windows inside the image go through im2col and col2im too (the reference route). */
  readonly gemmGathered?: GatheredOf<D>;
  readonly gemmScatter?: ScatterOf<D>;
  /** Without them, one input channel per group goes through im2col and the GEMM like any other conv. */
  readonly depthwiseForward?: DepthwiseForward<D>;
  readonly depthwiseBackward?: DepthwiseBackward<D>;
  readonly biasGradient: BiasGradient;
}

/** Outputs and gradients are allocated with `alloc` (default: fresh arrays). */
export interface Conv2d<D extends FloatData = Float64Array> {
  /** y [N,K,P,Q] */
  forward(x: D, weight: D, bias: D | null, g: Conv2dGeometry, alloc?: (length: number, overwritten?: boolean) => D): D;
  backward(x: D, weight: D, dy: D, g: Conv2dGeometry, needDx: boolean, alloc?: (length: number, overwritten?: boolean) => D):
    { dx: D | null; dWeight: D; dBias: D };
}

// Column matrices are built for a band of output rows at a time, so their scratch stays bounded
// (a 224×224×64 3×3 layer would otherwise need 230 MB per buffer). 2^19 doubles = 4 MB each,
// which measured as fast as (or a little faster than) one band for the whole image.
let colsBudget = 1 << 19;
// One pair per element type (float64, float32).
const colsScratch: [Float64Array, Float32Array] = [new Float64Array(0), new Float32Array(0)];
const dColsScratch: [Float64Array, Float32Array] = [new Float64Array(0), new Float32Array(0)];

/** Output rows per band: as many as fit the budget, at least one. */
function bandRows(crs: number, g: Conv2dGeometry): number {
  return Math.max(1, Math.min(g.p, Math.floor(colsBudget / Math.max(1, crs * g.q))));
}

/** Sets the per-buffer column budget in doubles and returns the old one; tests shrink it to force banding. */
export function setIm2colBudget(doubles: number): number {
  const old = colsBudget;
  colsBudget = Math.max(1, Math.floor(doubles));
  return old;
}

/** The scratch of `like`'s element type, at least `size` long. */
function scratch<D extends FloatData>(pair: [Float64Array, Float32Array], like: D, size: number): D {
  if (like instanceof Float32Array) {
    if (pair[1].length < size) pair[1] = new Float32Array(size);
    return pair[1] as D;
  }
  if (pair[0].length < size) pair[0] = new Float64Array(size);
  return pair[0] as D;
}

const colsBuffer = <D extends FloatData>(like: D, size: number): D => scratch(colsScratch, like, size);
const dColsBuffer = <D extends FloatData>(like: D, size: number): D => scratch(dColsScratch, like, size);

function checkGeometry(g: Conv2dGeometry, x: FloatData, weight: FloatData, other: FloatData | null, otherName: 'bias' | 'dy'): void {
  if (g.groups < 1 || g.c % g.groups !== 0 || g.k % g.groups !== 0) {
    throw new Error(`conv2d: C=${g.c} and K=${g.k} must both be divisible by groups=${g.groups}`);
  }
  // Typed arrays read out of range give undefined → NaN silently, so a wrong size must fail here instead.
  const sizes: [string, FloatData | null, number][] = [
    ['x', x, g.n * g.c * g.h * g.w],
    ['weight', weight, g.k * (g.c / g.groups) * g.r * g.s],
    [otherName, other, otherName === 'bias' ? g.k : g.n * g.k * g.p * g.q],
  ];
  for (const [name, data, size] of sizes) {
    if (data !== null && data.length !== size) throw new Error(`conv2d: ${name} has ${data.length} elements, geometry needs ${size}`);
  }
}

function isPointwise(g: Conv2dGeometry): boolean {
  return g.r === 1 && g.s === 1 && g.strideH === 1 && g.strideW === 1 && g.padTop === 0 && g.padLeft === 0
    && g.p === g.h && g.q === g.w;
}

/** Whether every window lies inside the image, so im2col only gathers (no zeros for padding). */
function windowsInside(g: Conv2dGeometry): boolean {
  return g.padTop === 0 && g.padLeft === 0
    && (g.p - 1) * g.strideH + (g.r - 1) * g.dilationH < g.h && (g.q - 1) * g.strideW + (g.s - 1) * g.dilationW < g.w;
}

/** im2col's rows as offsets into one image-group: row (c·R + u)·S + v starts at x[c, u·dh, v·dw]. */
function rowOffsets(g: Conv2dGeometry): Int32Array {
  const cg = g.c / g.groups;
  const out = new Int32Array(cg * g.r * g.s);
  let row = 0;
  for (let ch = 0; ch < cg; ch++) {
    for (let u = 0; u < g.r; u++) for (let v = 0; v < g.s; v++) out[row++] = ch * g.h * g.w + u * g.dilationH * g.w + v * g.dilationW;
  }
  return out;
}

/** im2col's columns for output rows i0 ≤ i < i1 as offsets: column (i − i0)·Q + j reads from x[i·sh, j·sw] on. */
function columnOffsets(g: Conv2dGeometry, i0: number, i1: number): Int32Array {
  const out = new Int32Array((i1 - i0) * g.q);
  for (let i = i0, col = 0; i < i1; i++) for (let j = 0; j < g.q; j++) out[col++] = i * g.strideH * g.w + j * g.strideW;
  return out;
}

/**
 * The gathered route's kernels and offsets, when it applies: rows, and columns per band; `scatter` when dx's
 * product fits it (K/groups ≤ KC deep, a band ≤ NC columns).
 */
function gatherPlan<D extends FloatData>(kernels: ConvKernels<D>, g: Conv2dGeometry, band: number):
  { gather: GatheredOf<D>; scatter: ScatterOf<D> | null; rows: Int32Array; bands: Int32Array[] } | null {
  if (kernels.gemmGathered === undefined || !windowsInside(g)) return null;
  const bands: Int32Array[] = [];
  for (let i0 = 0; i0 < g.p; i0 += band) bands.push(columnOffsets(g, i0, Math.min(g.p, i0 + band)));
  const scatter = kernels.gemmScatter !== undefined && scatterFits(band * g.q, g.k / g.groups) ? kernels.gemmScatter : null;
  return { gather: kernels.gemmGathered, scatter, rows: rowOffsets(g), bands };
}

/** conv2d built on the given kernels. */
export function convOn<D extends FloatData = Float64Array>(kernels: ConvKernels<D>): Conv2d<D> {
  return {
    forward: (x, weight, bias, g, alloc = (n) => zerosLike(x, n)) => forward(kernels, x, weight, bias, g, alloc),
    backward: (x, weight, dy, g, needDx, alloc = (n) => zerosLike(x, n)) => backward(kernels, x, weight, dy, g, needDx, alloc),
  };
}

const ENGINE_CONV = convOn({
  gemm: wasmGemm, gemmGathered, gemmScatter, depthwiseForward: depthwiseForwardOn(KERNELS), depthwiseBackward: depthwiseBackwardOn(KERNELS),
  biasGradient,
});
/**
 * The float32 engine's conv2d: im2col + the float32 GEMM for every conv, one input channel per group included (the
 * plain-JS depthwise loops on Float32Arrays took 1.5 s of a 2-epoch LeNet run, this route 0.6 s). It has none of
 * the float64 engine's WebAssembly conv kernels yet, so it is the slower of the two on convolutions.
 */
const ENGINE_CONV_F32 = convOn<Float32Array>({ gemm: gemmF32, biasGradient });
/** The plain-JS conv2d, the reference for tests and benchmarks. */
export const conv2dReference = convOn({ gemm: gemmReference, depthwiseForward, depthwiseBackward, biasGradient: biasGradientReference });

/** `d` as `like`'s element type; a mix of float64 and float32 operands is an engine bug. */
function same<D extends FloatData>(like: D, d: FloatData): D {
  if ((like instanceof Float32Array) !== (d instanceof Float32Array)) throw new Error('conv2d: float64 and float32 operands mixed: an engine bug');
  return d as D;
}

/** The caller's allocator, checked to give `like`'s element type. */
function allocAs<D extends FloatData>(like: D, alloc: Alloc | undefined): ((n: number, overwritten?: boolean) => D) | undefined {
  return alloc === undefined ? undefined : (n, overwritten) => same(like, alloc(n, overwritten));
}

/** y [N,K,P,Q], of x's element type (float64: the WebAssembly kernels; float32: ENGINE_CONV_F32). */
export function conv2dForward(x: FloatData, weight: FloatData, bias: FloatData | null, g: Conv2dGeometry,
  alloc?: Alloc): FloatData {
  if (x instanceof Float32Array) {
    return ENGINE_CONV_F32.forward(x, same(x, weight), bias === null ? null : same(x, bias), g, allocAs(x, alloc));
  }
  return ENGINE_CONV.forward(x, same(x, weight), bias === null ? null : same(x, bias), g, allocAs(x, alloc));
}

export function conv2dBackward(x: FloatData, weight: FloatData, dy: FloatData, g: Conv2dGeometry, needDx: boolean,
  alloc?: Alloc): { dx: FloatData | null; dWeight: FloatData; dBias: FloatData } {
  if (x instanceof Float32Array) return ENGINE_CONV_F32.backward(x, same(x, weight), same(x, dy), g, needDx, allocAs(x, alloc));
  return ENGINE_CONV.backward(x, same(x, weight), same(x, dy), g, needDx, allocAs(x, alloc));
}

function forward<D extends FloatData>(kernels: ConvKernels<D>, x: D, weight: D, bias: D | null, g: Conv2dGeometry,
  alloc: (length: number, overwritten?: boolean) => D): D {
  const { gemm } = kernels;
  checkGeometry(g, x, weight, bias, 'bias');
  const { n, c, h, w, k, r, s, p, q, groups } = g;
  const pq = p * q;
  const y = alloc(n * k * pq, bias !== null);   // the bias fills all of it
  if (bias !== null) {
    // Seed Y with the bias so the GEMM can accumulate onto it instead of a separate pass afterwards.
    for (let img = 0; img < n; img++) {
      for (let o = 0; o < k; o++) y.fill(bias[o], (img * k + o) * pq, (img * k + o + 1) * pq);
    }
  }
  if (c / groups === 1 && kernels.depthwiseForward !== undefined) {
    kernels.depthwiseForward(x, weight, y, g);
    return y;
  }
  const cg = c / groups, kg = k / groups, crs = cg * r * s, hw = h * w;
  if (isPointwise(g)) {
    for (let img = 0; img < n; img++) {
      for (let grp = 0; grp < groups; grp++) {
        gemm(false, false, kg, pq, crs, weight, grp * kg * crs, crs, x, (img * c + grp * cg) * hw, hw,
          y, (img * k + grp * kg) * pq, pq, bias !== null);
      }
    }
    return y;
  }
  const band = bandRows(crs, g);
  const plan = gatherPlan(kernels, g, band);
  const cols = plan === null ? colsBuffer(x, crs * band * q) : null;
  for (let img = 0; img < n; img++) {
    for (let grp = 0; grp < groups; grp++) {
      const xOff = (img * c + grp * cg) * hw;
      for (let i0 = 0; i0 < p; i0 += band) {
        const i1 = Math.min(p, i0 + band);
        const len = (i1 - i0) * q;   // columns in this band
        const yOff = (img * k + grp * kg) * pq + i0 * q;
        // Y_g[:, band] (+)= W_g · cols
        if (plan !== null) {
          plan.gather(kg, len, crs, weight, grp * kg * crs, crs, x, xOff, plan.rows, plan.bands[i0 / band], y, yOff, pq, bias !== null);
          continue;
        }
        im2col(x, xOff, cols!, g, i0, i1);
        gemm(false, false, kg, len, crs, weight, grp * kg * crs, crs, cols!, 0, len, y, yOff, pq, bias !== null);
      }
    }
  }
  return y;
}

function backward<D extends FloatData>(kernels: ConvKernels<D>, x: D, weight: D, dy: D,
  g: Conv2dGeometry, needDx: boolean, alloc: (length: number, overwritten?: boolean) => D): { dx: D | null; dWeight: D; dBias: D } {
  const { gemm } = kernels;
  checkGeometry(g, x, weight, dy, 'dy');
  const { n, c, h, w, k, r, s, p, q, groups } = g;
  const pq = p * q, hw = h * w;
  const cg = c / groups, kg = k / groups, crs = cg * r * s;
  const dx = needDx ? alloc(n * c * hw) : null;
  const dWeight = alloc(k * crs);
  const dBias = alloc(k);
  kernels.biasGradient(dy, n, k, pq, dBias);
  if (cg === 1 && kernels.depthwiseBackward !== undefined) {
    kernels.depthwiseBackward(x, weight, dy, dx, dWeight, g);
    return { dx, dWeight, dBias };
  }
  const pointwise = isPointwise(g);
  const band = pointwise ? p : bandRows(crs, g);
  const plan = pointwise ? null : gatherPlan(kernels, g, band);
  const cols = pointwise || plan !== null ? null : colsBuffer(x, crs * band * q);
  const dCols = pointwise || dx === null || plan?.scatter ? null : dColsBuffer(x, crs * band * q);
  for (let img = 0; img < n; img++) {
    for (let grp = 0; grp < groups; grp++) {
      const xOff = (img * c + grp * cg) * hw;
      const wOff = grp * kg * crs;
      for (let i0 = 0; i0 < p; i0 += band) {
        const i1 = Math.min(p, i0 + band);
        const len = (i1 - i0) * q;
        const dyOff = (img * k + grp * kg) * pq + i0 * q;
        // dW_g += dY_g[:, band] · cols[:, band]ᵀ  (in the 1×1 case the image itself is cols, row stride hw; gathered,
        // colsᵀ[col, row] = x[xOff + column offset + row offset])
        if (plan !== null) {
          plan.gather(kg, crs, len, dy, dyOff, pq, x, xOff, plan.bands[i0 / band], plan.rows, dWeight, wOff, crs, true);
        } else {
          if (cols !== null) im2col(x, xOff, cols, g, i0, i1);
          gemm(false, true, kg, crs, len, dy, dyOff, pq,
            cols ?? x, cols !== null ? 0 : xOff, cols !== null ? len : hw, dWeight, wOff, crs, true);
        }
        if (dx === null) continue;
        // dCols = W_gᵀ · dY_g, scattered back onto the input positions it was gathered from.
        if (plan?.scatter) {
          plan.scatter(true, crs, len, kg, weight, wOff, crs, dy, dyOff, pq, dx, xOff, plan.rows, plan.bands[i0 / band]);
        } else if (dCols === null) {
          gemm(true, false, crs, len, kg, weight, wOff, crs, dy, dyOff, pq, dx, xOff, hw, false);
        } else {
          gemm(true, false, crs, len, kg, weight, wOff, crs, dy, dyOff, pq, dCols, 0, len, false);
          col2im(dCols, dx, xOff, g, i0, i1);
        }
      }
    }
  }
  return { dx, dWeight, dBias };
}

/**
 * cols[(c·R + u)·S + v, (i − i0)·Q + j] = x[c, i·sh + u·dh − padTop, j·sw + v·dw − padLeft] for one
 * image-group and the output rows i0 ≤ i < i1; 0 where the window hangs over the padding.
 */
function im2col(x: FloatData, xOff: number, cols: FloatData, g: Conv2dGeometry, i0: number, i1: number): void {
  const { h, w, r, s, q, strideH: sh, strideW: sw, dilationH: dh, dilationW: dw, padTop, padLeft } = g;
  const cg = g.c / g.groups, len = (i1 - i0) * q;
  let row = 0;
  for (let ch = 0; ch < cg; ch++) {
    const chOff = xOff + ch * h * w;
    for (let u = 0; u < r; u++) {
      for (let v = 0; v < s; v++, row++) {
        const colOff = v * dw - padLeft;
        const [j0, j1] = validRange(q, sw, colOff, w);
        let dst = row * len;
        for (let i = i0; i < i1; i++, dst += q) {
          const ih = i * sh + u * dh - padTop;
          if (ih < 0 || ih >= h || j0 === j1) {
            cols.fill(0, dst, dst + q);
            continue;
          }
          for (let j = 0; j < j0; j++) cols[dst + j] = 0;
          let src = chOff + ih * w + j0 * sw + colOff;
          if (sw === 1) {
            for (let j = j0; j < j1; j++) cols[dst + j] = x[src++];
          } else {
            for (let j = j0; j < j1; j++, src += sw) cols[dst + j] = x[src];
          }
          for (let j = j1; j < q; j++) cols[dst + j] = 0;
        }
      }
    }
  }
}

/** The adjoint of im2col: dx[...] += dCols[...] over the same index map (overlapping windows add up). */
function col2im(cols: FloatData, dx: FloatData, xOff: number, g: Conv2dGeometry, i0: number, i1: number): void {
  const { h, w, r, s, q, strideH: sh, strideW: sw, dilationH: dh, dilationW: dw, padTop, padLeft } = g;
  const cg = g.c / g.groups, len = (i1 - i0) * q;
  let row = 0;
  for (let ch = 0; ch < cg; ch++) {
    const chOff = xOff + ch * h * w;
    for (let u = 0; u < r; u++) {
      for (let v = 0; v < s; v++, row++) {
        const colOff = v * dw - padLeft;
        const [j0, j1] = validRange(q, sw, colOff, w);
        if (j0 === j1) continue;
        let srcRow = row * len;
        for (let i = i0; i < i1; i++, srcRow += q) {
          const ih = i * sh + u * dh - padTop;
          if (ih < 0 || ih >= h) continue;
          let dst = chOff + ih * w + j0 * sw + colOff;
          for (let j = j0; j < j1; j++, dst += sw) dx[dst] += cols[srcRow + j];
        }
      }
    }
  }
}

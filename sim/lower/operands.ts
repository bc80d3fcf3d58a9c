/**
 * Operand matrices of the lowered GEMMs, built from the tensors an op names (NCHW activations, conv weights
 * [K, C/groups, R, S]). Independent of sim/float/conv.ts on purpose: execute.ts uses these to show that the
 * lowering's m, k, n and operand layouts compute the same values as the float engine.
 * The conv window element order along k is (row u, column v, channel c), as in docs/cycle-model.md §1 (the GEMM).
 */
import { gemm } from '../float/gemm.js';
import type { ConvDims } from './geometry.js';

/** A row-major rows×cols matrix. */
export interface Mat { readonly rows: number; readonly cols: number; readonly data: Float64Array }

export const mat = (rows: number, cols: number, data: Float64Array = new Float64Array(rows * cols)): Mat => ({ rows, cols, data });

export function transposeMat(a: Mat): Mat {
  const out = new Float64Array(a.data.length);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) out[j * a.rows + i] = a.data[i * a.cols + j];
  return mat(a.cols, a.rows, out);
}

/** Matrices one above the other (same cols). */
export function vstack(ms: readonly Mat[]): Mat {
  const out = new Float64Array(ms.reduce((s, m) => s + m.data.length, 0));
  let off = 0;
  for (const m of ms) {
    out.set(m.data, off);
    off += m.data.length;
  }
  return mat(ms.reduce((s, m) => s + m.rows, 0), ms[0].cols, out);
}

/** Matrices side by side (same rows). */
export function hstack(ms: readonly Mat[]): Mat {
  return transposeMat(vstack(ms.map(transposeMat)));
}

/** Rows [r0, r0 + rows) and columns [c0, c0 + cols) of a. */
export function block(a: Mat, r0: number, rows: number, c0: number, cols: number): Mat {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) out.set(a.data.subarray((r0 + i) * a.cols + c0, (r0 + i) * a.cols + c0 + cols), i * cols);
  return mat(rows, cols, out);
}

/** C = A·B with the engine's gemm; throws unless A is m×k and B is k×n (the op's declared shape). */
export function multiply(a: Mat, b: Mat, m: number, k: number, n: number, id: string): Mat {
  if (a.rows !== m || a.cols !== k || b.rows !== k || b.cols !== n) {
    throw new Error(`${id}: lowered as (m=${m}, k=${k}, n=${n}) but its operands are A ${a.rows}×${a.cols}, B ${b.rows}×${b.cols}`);
  }
  const c = new Float64Array(m * n);
  gemm(false, false, m, n, k, a.data, 0, k, b.data, 0, n, c, 0, n, false);
  return mat(m, n, c);
}

export interface Window {
  readonly strideH: number; readonly strideW: number; readonly dilationH: number; readonly dilationW: number;
  readonly padTop: number; readonly padLeft: number;
}

/**
 * im2col of channels [c0, c0 + cg) of an [n, cTotal, h, w] tensor: row (img, i, j) for each of the p×q windows,
 * column (u, v, c); zero where a window hangs over the padding.
 */
export function im2col(
  x: Float64Array, n: number, cTotal: number, c0: number, cg: number, h: number, w: number,
  r: number, s: number, p: number, q: number, win: Window,
): Mat {
  const cols = r * s * cg;
  const out = new Float64Array(n * p * q * cols);
  for (let img = 0; img < n; img++) {
    for (let i = 0; i < p; i++) {
      for (let j = 0; j < q; j++) {
        const row = ((img * p + i) * q + j) * cols;
        for (let u = 0; u < r; u++) {
          const ih = i * win.strideH + u * win.dilationH - win.padTop;
          if (ih < 0 || ih >= h) continue;
          for (let v = 0; v < s; v++) {
            const iw = j * win.strideW + v * win.dilationW - win.padLeft;
            if (iw < 0 || iw >= w) continue;
            for (let c = 0; c < cg; c++) out[row + (u * s + v) * cg + c] = x[((img * cTotal + c0 + c) * h + ih) * w + iw];
          }
        }
      }
    }
  }
  return mat(n * p * q, cols, out);
}

/** B of the forward conv GEMM for group g: B[(u, v, c), o] = W[g·Kg + o, c, u, v] — (R·S·Cg) × Kg. */
export function weightMatrix(weight: Float64Array, d: ConvDims, g: number): Mat {
  const out = new Float64Array(d.r * d.s * d.cg * d.kg);
  for (let o = 0; o < d.kg; o++) {
    for (let c = 0; c < d.cg; c++) {
      for (let u = 0; u < d.r; u++) {
        for (let v = 0; v < d.s; v++) out[((u * d.s + v) * d.cg + c) * d.kg + o] = weight[(((g * d.kg + o) * d.cg + c) * d.r + u) * d.s + v];
      }
    }
  }
  return mat(d.r * d.s * d.cg, d.kg, out);
}

/** B of the conv backwardData GEMM: the 180°-flipped kernel, F[(u, v, o), c] = W[g·Kg + o, c, R−1−u, S−1−v] — (R·S·Kg) × Cg. */
export function flippedWeightMatrix(weight: Float64Array, d: ConvDims, g: number): Mat {
  const out = new Float64Array(d.r * d.s * d.kg * d.cg);
  for (let o = 0; o < d.kg; o++) {
    for (let c = 0; c < d.cg; c++) {
      for (let u = 0; u < d.r; u++) {
        for (let v = 0; v < d.s; v++) {
          out[((u * d.s + v) * d.kg + o) * d.cg + c] = weight[(((g * d.kg + o) * d.cg + c) * d.r + (d.r - 1 - u)) * d.s + (d.s - 1 - v)];
        }
      }
    }
  }
  return mat(d.r * d.s * d.kg, d.cg, out);
}

/**
 * dY of group g, dilated by the stride and padded so that a stride-1 convolution with the flipped kernel (same
 * dilation) yields dX: [N, Kg, H + (R−1)·dh, W + (S−1)·dw], element (τ, σ) = dY[(τ − top)/sh, (σ − left)/sw] when
 * both divide evenly and land inside dY, else 0, with top = (R−1)·dh − padTop, left = (S−1)·dw − padLeft
 * (negative when the forward padding exceeds the dilated kernel: the leading rows of dY are then cropped).
 */
export function dilatePadGrad(dy: Float64Array, d: ConvDims, g: number, win: Window): { data: Float64Array; h: number; w: number } {
  const hp = d.h + (d.r - 1) * win.dilationH, wp = d.w + (d.s - 1) * win.dilationW;
  const top = (d.r - 1) * win.dilationH - win.padTop, left = (d.s - 1) * win.dilationW - win.padLeft;
  const out = new Float64Array(d.n * d.kg * hp * wp);
  for (let img = 0; img < d.n; img++) {
    for (let o = 0; o < d.kg; o++) {
      const src = (img * d.k + g * d.kg + o) * d.p * d.q, dst = (img * d.kg + o) * hp * wp;
      for (let i = 0; i < d.p; i++) {
        const t = i * win.strideH + top;
        if (t < 0 || t >= hp) continue;
        for (let j = 0; j < d.q; j++) {
          const sg = j * win.strideW + left;
          if (sg >= 0 && sg < wp) out[dst + t * wp + sg] = dy[src + i * d.q + j];
        }
      }
    }
  }
  return { data: out, h: hp, w: wp };
}

/** The (N·P·Q) × Kg matrix of channels [g·Kg, (g+1)·Kg) of an [N, K, P, Q] tensor (row (img, i, j), column o). */
export function channelsAsColumns(t: Float64Array, n: number, kTotal: number, k0: number, kg: number, pq: number): Mat {
  const out = new Float64Array(n * pq * kg);
  for (let img = 0; img < n; img++) {
    for (let o = 0; o < kg; o++) {
      const src = (img * kTotal + k0 + o) * pq;
      for (let i = 0; i < pq; i++) out[(img * pq + i) * kg + o] = t[src + i];
    }
  }
  return mat(n * pq, kg, out);
}

/** The inverse of channelsAsColumns: writes m's columns into channels [k0, k0 + m.cols) of t. */
export function columnsToChannels(m: Mat, t: Float64Array, n: number, kTotal: number, k0: number, pq: number): void {
  for (let img = 0; img < n; img++) {
    for (let o = 0; o < m.cols; o++) {
      const dst = (img * kTotal + k0 + o) * pq;
      for (let i = 0; i < pq; i++) t[dst + i] = m.data[(img * pq + i) * m.cols + o];
    }
  }
}

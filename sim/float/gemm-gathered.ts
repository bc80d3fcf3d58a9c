/**
 * GEMMs whose B operand, or whose product, is indexed through two offset tables instead of being stored: the
 * column matrix of a convolution whose windows all lie inside its input (conv.ts), where
 *   cols[p, j] = x[xOffset + kOff[p] + nOff[j]]   (kOff: one per (channel, tap), nOff: one per output position).
 *   - gemmGathered: C (+)= A · B with B[p, j] = x[xOffset + kOff[p] + nOff[j]] — im2col then gemm, without the
 *     column matrix: the wasm kernel gatherPanel packs each panel straight from the image, as packPanelB would have
 *     packed the stored matrix, so the kernel sees the same operands and gives the same bits.
 *   - gemmScatter: x[xOffset + kOff[i] + nOff[j]] += (op(A) · B)[i, j] — gemm then col2im, without the column
 *     matrix leaving the module: each block of the product, once final, is added into x by scatterAdd, rows in
 *     order and each row's columns in order, as the JS col2im does.
 * The image region they touch (and the tables, as byte offsets) is copied into the module per call; that is
 * O(image) against O(image · taps) for the packing it replaces.
 */
import { drive, NC, type PanelSource } from './gemm.js';
import { packPanelB } from './gemm-pack.js';
import { KC } from './gemm-reference.js';
import { KERNELS, type WasmKernels } from './wasm/kernels-module.js';

export type GemmGathered = (m: number, n: number, k: number, a: Float64Array, aOffset: number, lda: number,
  x: Float64Array, xOffset: number, kOff: Int32Array, nOff: Int32Array,
  c: Float64Array, cOffset: number, ldc: number, accumulate: boolean) => void;

/** op(A)[m×k] · B[k×n] (B stored, transB false) added into x through the tables; needs k ≤ KC and n ≤ NC. */
export type GemmScatter = (transA: boolean, m: number, n: number, k: number, a: Float64Array, aOffset: number, lda: number,
  b: Float64Array, bOffset: number, ldb: number, x: Float64Array, xOffset: number, kOff: Int32Array, nOff: Int32Array) => void;

/** Whether gemmScatter takes a product of this shape (one k slice and one column panel, so each block is final). */
export const scatterFits = (n: number, k: number): boolean => k >= 1 && k <= KC && n <= NC;

function maxOf(t: Int32Array): number {
  let m = 0;
  for (let i = 0; i < t.length; i++) if (t[i] > m) m = t[i];
  return m;
}

/** Module scratch after the GEMM's: [x region (span doubles) | kOff, nOff as i32 byte offsets]. */
function tables(kOff: Int32Array, nOff: Int32Array) {
  const span = maxOf(kOff) + maxOf(nOff) + 1;
  return { span, extra: span + Math.ceil((kOff.length + nOff.length) / 2) };
}

function loadTables(heap: Float64Array, at: number, kOff: Int32Array, nOff: Int32Array): void {
  const t = new Int32Array(heap.buffer, at * 8, kOff.length + nOff.length);
  for (let i = 0; i < kOff.length; i++) t[i] = kOff[i] * 8;
  for (let i = 0; i < nOff.length; i++) t[kOff.length + i] = nOff[i] * 8;
}

export function gemmGatheredOn(wasm: WasmKernels): GemmGathered {
  return (m, n, k, a, aOffset, lda, x, xOffset, kOff, nOff, c, cOffset, ldc, accumulate) => {
    if (m <= 0 || n <= 0) return;
    const { span, extra } = tables(kOff, nOff);
    const panels: PanelSource = {
      extra,
      load: (heap, base) => {
        heap.set(x.subarray(xOffset, xOffset + span), base);
        loadTables(heap, base + span, kOff, nOff);
      },
      pack: (pc, kc, jc, nc, _heap, bBase, base) => {
        const kBase = (base + span) * 8;
        wasm.gatherPanel(base * 8, kBase, kBase + kOff.length * 4, pc, kc, jc, nc, bBase * 8);
      },
    };
    drive(wasm, false, m, n, k, a, aOffset, lda, panels, { c, cOffset, ldc, accumulate });
  };
}

export function gemmScatterOn(wasm: WasmKernels): GemmScatter {
  return (transA, m, n, k, a, aOffset, lda, b, bOffset, ldb, x, xOffset, kOff, nOff) => {
    if (m <= 0 || n <= 0) return;
    if (!scatterFits(n, k)) throw new Error(`gemmScatter: needs 1 ≤ k ≤ ${KC} and n ≤ ${NC}, got k = ${k}, n = ${n}`);
    const { span, extra } = tables(kOff, nOff);
    let region: Float64Array | undefined;
    const panels: PanelSource = {
      extra,
      load: (heap, base) => {
        heap.set(x.subarray(xOffset, xOffset + span), base);
        loadTables(heap, base + span, kOff, nOff);
        region = heap.subarray(base, base + span);
      },
      pack: (pc, kc, jc, nc, heap, bBase) => packPanelB(false, b, bOffset, ldb, pc, kc, jc, nc, 8, heap, bBase),
    };
    drive(wasm, transA, m, n, k, a, aOffset, lda, panels, {
      consume: (_heap, cBase, ldc, ic, mc, base) => {
        const kBase = (base + span) * 8;
        wasm.scatterAdd(cBase * 8, ldc * 8, mc, n, base * 8, kBase + ic * 4, kBase + kOff.length * 4);
      },
    });
    x.set(region!, xOffset);
  };
}

export const gemmGathered: GemmGathered = gemmGatheredOn(KERNELS);
export const gemmScatter: GemmScatter = gemmScatterOn(KERNELS);

/**
 * Float64 GEMM in plain JS: the reference that the WebAssembly kernel (gemm.ts) must equal bit for bit, and the
 * engine's kernel before it. test/float/wasm-kernels.test.ts compares the two on random shapes and values.
 *
 * Structure follows the BLIS/Goto scheme, scaled down to what V8 can keep in registers:
 *  - the k dimension is cut into KC-deep slices and the m dimension into MC-row blocks so that a packed
 *    A block (MC×KC) stays in L2 and one packed B micro-panel (KC×NR) stays in L1 while it is reused;
 *  - op(A) and op(B) are packed (gemm-pack.ts);
 *  - the micro-kernel keeps a 4×4 tile of C in 16 local doubles. Wider tiles (4×8) measured no faster
 *    because V8 only uses 16 xmm registers and starts spilling; narrower ones lose reuse.
 * Every C element's sum therefore runs, per KC-deep slice, from +0 over p in order, and is then stored (first
 * slice, not accumulating) or added to C. Only the write-back of the last row/column tile is partial.
 */
import { packPanelA, packPanelB, roundUp } from './gemm-pack.js';

/** The k-slice depth: part of the summation order, so gemm.ts must use the same. */
export const KC = 256;
const MR = 4;
const NR = 4;
const MC = 96;
const NC = 2048;

// Module-level scratch, grown on demand and reused across calls (gemm is not re-entrant, and need not be:
// the engine is single-threaded and gemm calls nothing that calls gemm).
let packA = new Float64Array(0);
let packB = new Float64Array(0);
// A 4×4 tile for the partial write-back at the right/bottom edges.
const edge = new Float64Array(MR * NR);

/**
 * C[m×n] (+)= op(A)[m×k] · op(B)[k×n], all row-major Float64Array with leading dimensions (row strides) and offsets.
 * op(A) = Aᵀ when transA (A then stored k×m), likewise B. C must not overlap A or B: C is written block by
 * block while later blocks of A and B are still to be packed.
 */
export function gemmReference(transA: boolean, transB: boolean, m: number, n: number, k: number,
  a: Float64Array, aOffset: number, lda: number,
  b: Float64Array, bOffset: number, ldb: number,
  c: Float64Array, cOffset: number, ldc: number, accumulate: boolean): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate) for (let i = 0; i < m; i++) c.fill(0, cOffset + i * ldc, cOffset + i * ldc + n);
    return;
  }
  const ncMax = Math.min(NC, roundUp(n, NR));
  const kcMax = Math.min(KC, k);
  if (packB.length < kcMax * ncMax) packB = new Float64Array(kcMax * ncMax);
  const mcMax = Math.min(MC, roundUp(m, MR));
  if (packA.length < kcMax * mcMax) packA = new Float64Array(kcMax * mcMax);

  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      // The first k-slice overwrites C unless the caller asked to accumulate; later slices always add.
      const add = accumulate || pc > 0;
      packPanelB(transB, b, bOffset, ldb, pc, kc, jc, nc, NR, packB, 0);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packPanelA(transA, a, aOffset, lda, ic, mc, pc, kc, MR, packA, 0);
        macroKernel(mc, nc, kc, c, cOffset + ic * ldc + jc, ldc, add);
      }
    }
  }
}

/**
 * C block[mc×nc] (+)= packed A block · packed B panel. jr outside ir: one B micro-panel (KC×NR, 8 KB)
 * stays hot in L1 while the whole packed A block streams past it from L2.
 */
function macroKernel(mc: number, nc: number, kc: number, c: Float64Array, cOff: number, ldc: number, add: boolean): void {
  const pa = packA;
  const pb = packB;
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = Math.min(NR, nc - jr);
    for (let ir = 0; ir < mc; ir += MR) {
      const rows = Math.min(MR, mc - ir);
      let ai = ir * kc;
      let bi = jr * kc;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let p = 0; p < kc; p++) {
        const a0 = pa[ai], a1 = pa[ai + 1], a2 = pa[ai + 2], a3 = pa[ai + 3];
        const b0 = pb[bi], b1 = pb[bi + 1], b2 = pb[bi + 2], b3 = pb[bi + 3];
        c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
        c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
        c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
        c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
        ai += MR;
        bi += NR;
      }
      let ci = cOff + ir * ldc + jr;
      if (rows === MR && cols === NR) {
        if (add) {
          c[ci] += c00; c[ci + 1] += c01; c[ci + 2] += c02; c[ci + 3] += c03; ci += ldc;
          c[ci] += c10; c[ci + 1] += c11; c[ci + 2] += c12; c[ci + 3] += c13; ci += ldc;
          c[ci] += c20; c[ci + 1] += c21; c[ci + 2] += c22; c[ci + 3] += c23; ci += ldc;
          c[ci] += c30; c[ci + 1] += c31; c[ci + 2] += c32; c[ci + 3] += c33;
        } else {
          c[ci] = c00; c[ci + 1] = c01; c[ci + 2] = c02; c[ci + 3] = c03; ci += ldc;
          c[ci] = c10; c[ci + 1] = c11; c[ci + 2] = c12; c[ci + 3] = c13; ci += ldc;
          c[ci] = c20; c[ci + 1] = c21; c[ci + 2] = c22; c[ci + 3] = c23; ci += ldc;
          c[ci] = c30; c[ci + 1] = c31; c[ci + 2] = c32; c[ci + 3] = c33;
        }
      } else {
        // Edge tile: the padded rows/columns computed zeros that must not be written outside C.
        const e = edge;
        e[0] = c00; e[1] = c01; e[2] = c02; e[3] = c03; e[4] = c10; e[5] = c11; e[6] = c12; e[7] = c13;
        e[8] = c20; e[9] = c21; e[10] = c22; e[11] = c23; e[12] = c30; e[13] = c31; e[14] = c32; e[15] = c33;
        for (let i = 0; i < rows; i++, ci += ldc) {
          for (let j = 0; j < cols; j++) c[ci + j] = add ? c[ci + j] + e[i * NR + j] : e[i * NR + j];
        }
      }
    }
  }
}

/**
 * Float32 GEMM for the float32 engine (`--dtype float32`): the f32x4 WebAssembly macro-kernel (wasm/kernels-f32.wat)
 * driven BLIS-style like the float64 one in gemm.ts — KC-deep k slices, MC-row blocks of packed A, NC-column panels
 * of packed B — with a 2 × 16 register tile. Bit-identical to gemmF32Reference (the same k slices, each summed from
 * +0 in p order with a float32 rounding after every operation); not bit-compatible with the float64 engine or with
 * PyTorch float64, by design (docs/performance.md).
 */
import { KC_F32 } from './gemm-f32-reference.js';
import { type F32Kernels, f32Kernels } from './wasm/kernels-f32-module.js';

export { gemmF32Reference } from './gemm-f32-reference.js';

const MR = 2;
const NR = 16;
const MC = 96;
const NC = 2048;

export type GemmF32 = (transA: boolean, transB: boolean, m: number, n: number, k: number,
  a: Float32Array, aOffset: number, lda: number,
  b: Float32Array, bOffset: number, ldb: number,
  c: Float32Array, cOffset: number, ldc: number, accumulate: boolean) => void;

let committed: GemmF32 | undefined;

/** C[m×n] (+)= op(A)[m×k] · op(B)[k×n] in float32, arguments as gemm.ts's. Not re-entrant (one module memory). */
export const gemmF32: GemmF32 = (...args) => (committed ??= gemmF32On(f32Kernels()))(...args);

/** The driver around a given build of the kernel; tests pass mutated builds to show their checks catch them. */
export function gemmF32On(wasm: F32Kernels): GemmF32 {
  return (transA, transB, m, n, k, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc, accumulate) => {
    if (m <= 0 || n <= 0) return;
    if (k <= 0) {
      if (!accumulate) for (let i = 0; i < m; i++) c.fill(0, cOffset + i * ldc, cOffset + i * ldc + n);
      return;
    }
    const ncMax = Math.min(NC, roundUp(n, NR));
    const kcMax = Math.min(KC_F32, k);
    const mcMax = Math.min(MC, roundUp(m, MR));
    // Module memory, in floats: [packed A block | packed B panel | C block (mcMax × ncMax)].
    const bBase = kcMax * mcMax;
    const cBase = bBase + kcMax * ncMax;
    const heap = wasm.heap(cBase + mcMax * ncMax);
    for (let jc = 0; jc < n; jc += NC) {
      const nc = Math.min(NC, n - jc);
      const ncPadded = roundUp(nc, NR);
      for (let pc = 0; pc < k; pc += KC_F32) {
        const kc = Math.min(KC_F32, k - pc);
        const add = accumulate || pc > 0;
        packB(transB, b, bOffset, ldb, pc, kc, jc, nc, heap, bBase);
        for (let ic = 0; ic < m; ic += MC) {
          const mc = Math.min(MC, m - ic);
          packA(transA, a, aOffset, lda, ic, mc, pc, kc, heap);
          const cRow0 = cOffset + ic * ldc + jc;
          if (add) {
            for (let i = 0; i < mc; i++) heap.set(c.subarray(cRow0 + i * ldc, cRow0 + i * ldc + nc), cBase + i * ncPadded);
          }
          wasm.macroKernel(roundUp(mc, MR), ncPadded, kc, 0, bBase * 4, cBase * 4, ncPadded * 4, add ? 1 : 0);
          for (let i = 0; i < mc; i++) c.set(heap.subarray(cBase + i * ncPadded, cBase + i * ncPadded + nc), cRow0 + i * ldc);
        }
      }
    }
  };
}

/** op(A)[ic:ic+mc, pc:pc+kc] → heap from 0 as 2-row strips, k-major (strip[p*2 + i]), zero-padded to even rows. */
function packA(trans: boolean, a: Float32Array, off: number, lda: number, ic: number, mc: number, pc: number, kc: number,
  dst: Float32Array): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const base = ir * kc;
    for (let i = 0; i < MR; i++) {
      const row = ic + ir + i;
      if (ir + i >= mc) {
        for (let p = 0; p < kc; p++) dst[base + p * MR + i] = 0;
      } else if (trans) {
        for (let p = 0; p < kc; p++) dst[base + p * MR + i] = a[off + (pc + p) * lda + row];
      } else {
        const src = off + row * lda + pc;
        for (let p = 0; p < kc; p++) dst[base + p * MR + i] = a[src + p];
      }
    }
  }
}

/** op(B)[pc:pc+kc, jc:jc+nc] → heap from dstOff as 16-column strips, k-major (strip[p*16 + j]), zero-padded. */
function packB(trans: boolean, b: Float32Array, off: number, ldb: number, pc: number, kc: number, jc: number, nc: number,
  dst: Float32Array, dstOff: number): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const base = dstOff + jr * kc;
    const cols = Math.min(NR, nc - jr);
    if (trans) {
      for (let j = 0; j < NR; j++) {
        if (j < cols) {
          const src = off + (jc + jr + j) * ldb + pc;
          for (let p = 0; p < kc; p++) dst[base + p * NR + j] = b[src + p];
        } else {
          for (let p = 0; p < kc; p++) dst[base + p * NR + j] = 0;
        }
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const src = off + (pc + p) * ldb + jc + jr;
        const d = base + p * NR;
        if (cols === NR) {
          // Unrolled: a subarray per p (an allocation per 16 values) cost more than the kernel.
          dst[d] = b[src]; dst[d + 1] = b[src + 1]; dst[d + 2] = b[src + 2]; dst[d + 3] = b[src + 3];
          dst[d + 4] = b[src + 4]; dst[d + 5] = b[src + 5]; dst[d + 6] = b[src + 6]; dst[d + 7] = b[src + 7];
          dst[d + 8] = b[src + 8]; dst[d + 9] = b[src + 9]; dst[d + 10] = b[src + 10]; dst[d + 11] = b[src + 11];
          dst[d + 12] = b[src + 12]; dst[d + 13] = b[src + 13]; dst[d + 14] = b[src + 14]; dst[d + 15] = b[src + 15];
        } else {
          let j = 0;
          for (; j < cols; j++) dst[d + j] = b[src + j];
          for (; j < NR; j++) dst[d + j] = 0;
        }
      }
    }
  }
}

function roundUp(x: number, to: number): number {
  return Math.ceil(x / to) * to;
}

/**
 * Float64 GEMM, the hot loop of the reference engine (dense layers and conv via im2col): a WebAssembly SIMD
 * macro-kernel (wasm/kernels.wat) driven from here, bit-identical to the plain-JS kernel in gemm-reference.ts.
 *
 * The blocking is the reference's (BLIS/Goto): KC-deep k slices, MC-row blocks of packed A (L2), NC-column panels
 * of packed B. Here op(A) and op(B) are packed (gemm-pack.ts) straight into the wasm module's memory, and so is
 * the C block the kernel updates: C's rows are copied in (only when adding) and the valid part copied back out,
 * because the kernel can address nothing outside its own memory. Those copies are O(m·n) per k slice against
 * O(m·n·k) arithmetic.
 *
 * Bit-identity: a C element's value depends only on the k-slice boundaries (KC, shared with the reference) and on
 * each slice summing a·b from +0 over p in order — the kernel's tile shape (2×8 here, 4×4 there) does not enter.
 */
import { packPanelA, packPanelB, roundUp } from './gemm-pack.js';
import { KC } from './gemm-reference.js';
import { KERNELS, type WasmKernels } from './wasm/kernels-module.js';

export { gemmReference } from './gemm-reference.js';

/** The wasm kernel's register tile (see kernels.wat): 2 rows × 8 columns of C. */
const MR = 2;
export const NR = 8;
const MC = 96;
export const NC = 2048;

export type Gemm = (transA: boolean, transB: boolean, m: number, n: number, k: number,
  a: Float64Array, aOffset: number, lda: number,
  b: Float64Array, bOffset: number, ldb: number,
  c: Float64Array, cOffset: number, ldc: number, accumulate: boolean) => void;

/**
 * Where op(B) comes from: `pack` writes the panel op(B)[pc:pc+kc, jc:jc+nc] into the heap from bBase (NR-column
 * strips, gemm-pack.ts). An operand that must be in the module first (a gathered image, its offset tables) asks for
 * `extra` doubles after the C block, which `load` fills once per call.
 */
export interface PanelSource {
  readonly extra: number;
  load(heap: Float64Array, extraBase: number): void;
  pack(pc: number, kc: number, jc: number, nc: number, heap: Float64Array, bBase: number, extraBase: number): void;
}

/**
 * Where C goes: into a Float64Array (C (+)= op(A)·op(B)), or, block by block, to `consume` while still in the module
 * (rows ic..ic+mc of C, all n columns, row stride ldc doubles). A consumed block must be final when it is handed
 * over, so that route needs one k slice and one column panel (k ≤ KC, n ≤ NC), and C starts from nothing.
 */
export type ProductSink =
  | { readonly c: Float64Array; readonly cOffset: number; readonly ldc: number; readonly accumulate: boolean }
  | { consume(heap: Float64Array, cBase: number, ldc: number, ic: number, mc: number, extraBase: number): void };

const packedB = (transB: boolean, b: Float64Array, bOffset: number, ldb: number): PanelSource => ({
  extra: 0,
  load: () => {},
  pack: (pc, kc, jc, nc, heap, bBase) => packPanelB(transB, b, bOffset, ldb, pc, kc, jc, nc, NR, heap, bBase),
});

/**
 * C[m×n] (+)= op(A)[m×k] · op(B)[k×n], all row-major Float64Array with leading dimensions (row strides) and offsets.
 * op(A) = Aᵀ when transA (A then stored k×m), likewise B. C must not overlap A or B: C is written block by
 * block while later blocks of A and B are still to be packed. Not re-entrant (one module memory); the engine is
 * single-threaded and gemm calls nothing that calls gemm.
 */
export const gemm: Gemm = gemmOn(KERNELS);

/** The driver around a given build of the kernel; tests pass mutated builds to show their checks catch them. */
export function gemmOn(wasm: WasmKernels): Gemm {
  return (transA, transB, m, n, k, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc, accumulate) =>
    drive(wasm, transA, m, n, k, a, aOffset, lda, packedB(transB, b, bOffset, ldb), { c, cOffset, ldc, accumulate });
}

/** The blocked product of op(A) (packed here) and a panel source, into a sink. */
export function drive(wasm: WasmKernels, transA: boolean, m: number, n: number, k: number, a: Float64Array, aOffset: number,
  lda: number, panels: PanelSource, sink: ProductSink): void {
  if (m <= 0 || n <= 0) return;
  const accumulate = 'c' in sink && sink.accumulate;
  if (!('c' in sink) && (k < 1 || k > KC || n > NC)) throw new Error(`gemm: a consumed product needs 1 ≤ k ≤ ${KC} and n ≤ ${NC}`);
  if (k <= 0) {
    if ('c' in sink && !accumulate) for (let i = 0; i < m; i++) sink.c.fill(0, sink.cOffset + i * sink.ldc, sink.cOffset + i * sink.ldc + n);
    return;
  }
  const ncMax = Math.min(NC, roundUp(n, NR));
  const kcMax = Math.min(KC, k);
  const mcMax = Math.min(MC, roundUp(m, MR));
  // Module memory, in doubles: [packed A block | packed B panel | C block (mcMax × ncMax) | the panel source's extra].
  const bBase = kcMax * mcMax;
  const cBase = bBase + kcMax * ncMax;
  const extraBase = cBase + mcMax * ncMax;
  const heap = wasm.heap(extraBase + panels.extra);
  panels.load(heap, extraBase);

  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    const ncPadded = roundUp(nc, NR);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      // The first k-slice overwrites C unless the caller asked to accumulate; later slices always add.
      const add = accumulate || pc > 0;
      panels.pack(pc, kc, jc, nc, heap, bBase, extraBase);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packPanelA(transA, a, aOffset, lda, ic, mc, pc, kc, MR, heap, 0);
        if (!('c' in sink)) {
          wasm.macroKernel(roundUp(mc, MR), ncPadded, kc, 0, bBase * 8, cBase * 8, ncPadded * 8, 0);
          sink.consume(heap, cBase, ncPadded, ic, mc, extraBase);
          continue;
        }
        const { c, ldc } = sink;
        const cRow0 = sink.cOffset + ic * ldc + jc;
        if (add) {
          for (let i = 0; i < mc; i++) heap.set(c.subarray(cRow0 + i * ldc, cRow0 + i * ldc + nc), cBase + i * ncPadded);
        }
        wasm.macroKernel(roundUp(mc, MR), ncPadded, kc, 0, bBase * 8, cBase * 8, ncPadded * 8, add ? 1 : 0);
        for (let i = 0; i < mc; i++) c.set(heap.subarray(cBase + i * ncPadded, cBase + i * ncPadded + nc), cRow0 + i * ldc);
      }
    }
  }
}

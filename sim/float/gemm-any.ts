/**
 * The engine's GEMM on either element type: float64 (gemm.ts, the reference engine's kernel) or float32
 * (gemm-f32.ts, `train --dtype float32`). A, B and C share one type; a mix is an engine bug and says so.
 */
import { gemm } from './gemm.js';
import { gemmF32 } from './gemm-f32.js';
import type { FloatData } from './tensor.js';

/** C[m×n] (+)= op(A)[m×k] · op(B)[k×n], arguments as gemm.ts's. */
export function gemmAny(transA: boolean, transB: boolean, m: number, n: number, k: number,
  a: FloatData, aOffset: number, lda: number, b: FloatData, bOffset: number, ldb: number,
  c: FloatData, cOffset: number, ldc: number, accumulate: boolean): void {
  if (a instanceof Float64Array && b instanceof Float64Array && c instanceof Float64Array) {
    gemm(transA, transB, m, n, k, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc, accumulate);
  } else if (a instanceof Float32Array && b instanceof Float32Array && c instanceof Float32Array) {
    gemmF32(transA, transB, m, n, k, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc, accumulate);
  } else {
    throw new Error('gemm: float64 and float32 operands mixed: an engine bug');
  }
}

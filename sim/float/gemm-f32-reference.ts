/**
 * Float32 GEMM in plain JS, the contract the float32 WebAssembly kernel (gemm-f32.ts) must meet bit for bit:
 * every C element sums a·b over p in order from +0 within each KC-deep slice of k, rounding to float32 after every
 * multiply and every add (Math.fround: a float32 product is exact in a double, and rounding a double sum of two
 * floats to float32 equals float32 addition), then stores the first slice's sum (unless accumulating) and adds the
 * later ones as C + sum. A plain triple loop: it is the reference, not a kernel.
 */
export const KC_F32 = 256;

/** C[m×n] (+)= op(A)[m×k] · op(B)[k×n], row-major Float32Array with leading dimensions and offsets (as gemm.ts). */
export function gemmF32Reference(transA: boolean, transB: boolean, m: number, n: number, k: number,
  a: Float32Array, aOffset: number, lda: number,
  b: Float32Array, bOffset: number, ldb: number,
  c: Float32Array, cOffset: number, ldc: number, accumulate: boolean): void {
  const fr = Math.fround;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const ci = cOffset + i * ldc + j;
      if (k <= 0 && !accumulate) c[ci] = 0;
      for (let pc = 0; pc < k; pc += KC_F32) {
        let sum = 0;
        for (let p = pc; p < Math.min(k, pc + KC_F32); p++) {
          const av = transA ? a[aOffset + p * lda + i] : a[aOffset + i * lda + p];
          const bv = transB ? b[bOffset + j * ldb + p] : b[bOffset + p * ldb + j];
          sum = fr(sum + fr(av * bv));
        }
        c[ci] = pc === 0 && !accumulate ? sum : fr(c[ci] + sum);
      }
    }
  }
}

/**
 * Packing for the GEMM kernels (the wasm kernel in gemm.ts and the JS reference in gemm-reference.ts): op(A) and
 * op(B) are copied into contiguous scratch in exactly the order a micro-kernel reads them, which is also where the
 * four transpose cases are absorbed — the kernels never see a stride. Strips are zero-padded to the kernel's tile
 * (mr rows of A, nr columns of B), so the kernels have no edge cases; the padded rows/columns of C they compute are
 * never written back.
 */

/** Packs op(A)[ic:ic+mc, pc:pc+kc] into dst from dstOff as mr-row strips, each stored k-major: strip[p*mr + i]. */
export function packPanelA(trans: boolean, a: Float64Array, off: number, lda: number, ic: number, mc: number,
  pc: number, kc: number, mr: number, dst: Float64Array, dstOff: number): void {
  for (let ir = 0; ir < mc; ir += mr) {
    const base = dstOff + ir * kc;
    const rows = Math.min(mr, mc - ir);
    if (trans) {
      // A is stored k×m: the mr values for one p are adjacent in memory.
      for (let p = 0; p < kc; p++) {
        const src = off + (pc + p) * lda + ic + ir;
        const d = base + p * mr;
        let i = 0;
        for (; i < rows; i++) dst[d + i] = a[src + i];
        for (; i < mr; i++) dst[d + i] = 0;
      }
    } else {
      for (let i = 0; i < mr; i++) {
        if (i < rows) {
          const src = off + (ic + ir + i) * lda + pc;
          for (let p = 0; p < kc; p++) dst[base + p * mr + i] = a[src + p];
        } else {
          for (let p = 0; p < kc; p++) dst[base + p * mr + i] = 0;
        }
      }
    }
  }
}

/** Packs op(B)[pc:pc+kc, jc:jc+nc] into dst from dstOff as nr-column strips, each stored k-major: strip[p*nr + j]. */
export function packPanelB(trans: boolean, b: Float64Array, off: number, ldb: number, pc: number, kc: number,
  jc: number, nc: number, nr: number, dst: Float64Array, dstOff: number): void {
  for (let jr = 0; jr < nc; jr += nr) {
    const base = dstOff + jr * kc;
    const cols = Math.min(nr, nc - jr);
    if (trans) {
      // B is stored n×k: walk each of the nr rows contiguously.
      for (let j = 0; j < nr; j++) {
        if (j < cols) {
          const src = off + (jc + jr + j) * ldb + pc;
          for (let p = 0; p < kc; p++) dst[base + p * nr + j] = b[src + p];
        } else {
          for (let p = 0; p < kc; p++) dst[base + p * nr + j] = 0;
        }
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const src = off + (pc + p) * ldb + jc + jr;
        const d = base + p * nr;
        let j = 0;
        for (; j < cols; j++) dst[d + j] = b[src + j];
        for (; j < nr; j++) dst[d + j] = 0;
      }
    }
  }
}

export function roundUp(x: number, to: number): number {
  return Math.ceil(x / to) * to;
}

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
    if (trans && cols === 8 && nr === 8) {
      // B is stored n×k; a full 8-column strip (the wasm kernel's) reads its 8 rows side by side and writes each
      // packed row of 8 contiguously, instead of walking the rows one after another with stride-8 writes: dense
      // 8×512→1000 forward (W transposed) went from 1.36 to 1.07–1.19 ms CPU.
      const s0 = off + (jc + jr) * ldb + pc, s1 = s0 + ldb, s2 = s1 + ldb, s3 = s2 + ldb;
      const s4 = s3 + ldb, s5 = s4 + ldb, s6 = s5 + ldb, s7 = s6 + ldb;
      for (let p = 0, d = base; p < kc; p++, d += 8) {
        dst[d] = b[s0 + p]; dst[d + 1] = b[s1 + p]; dst[d + 2] = b[s2 + p]; dst[d + 3] = b[s3 + p];
        dst[d + 4] = b[s4 + p]; dst[d + 5] = b[s5 + p]; dst[d + 6] = b[s6 + p]; dst[d + 7] = b[s7 + p];
      }
    } else if (trans) {
      // B is stored n×k: walk each of the nr rows contiguously.
      for (let j = 0; j < nr; j++) {
        if (j < cols) {
          const src = off + (jc + jr + j) * ldb + pc;
          for (let p = 0; p < kc; p++) dst[base + p * nr + j] = b[src + p];
        } else {
          for (let p = 0; p < kc; p++) dst[base + p * nr + j] = 0;
        }
      }
    } else if (cols === 8 && nr === 8) {
      // A full 8-column strip of B stored k×n: 8 adjacent values per p, unrolled (dense 8×512→1000's dX = dY·W
      // went from 1.54 to 1.07 ms CPU).
      for (let p = 0, src = off + pc * ldb + jc + jr, d = base; p < kc; p++, src += ldb, d += 8) {
        dst[d] = b[src]; dst[d + 1] = b[src + 1]; dst[d + 2] = b[src + 2]; dst[d + 3] = b[src + 3];
        dst[d + 4] = b[src + 4]; dst[d + 5] = b[src + 5]; dst[d + 6] = b[src + 6]; dst[d + 7] = b[src + 7];
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

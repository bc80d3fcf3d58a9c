/**
 * GEMM test cases shared by the kernel tests (gemm.test.ts, wasm-kernels.test.ts): a shape, the four transpose
 * cases, offsets and padded leading dimensions, and the operands stored for them.
 */
import fc from 'fast-check';

export interface Case {
  transA: boolean; transB: boolean; m: number; n: number; k: number;
  aOff: number; bOff: number; cOff: number; padA: number; padB: number; padC: number; accumulate: boolean;
}

export const caseArb: fc.Arbitrary<Case> = fc.record({
  transA: fc.boolean(), transB: fc.boolean(),
  m: fc.integer({ min: 1, max: 70 }), n: fc.integer({ min: 1, max: 70 }), k: fc.integer({ min: 1, max: 70 }),
  aOff: fc.integer({ min: 0, max: 5 }), bOff: fc.integer({ min: 0, max: 5 }), cOff: fc.integer({ min: 0, max: 5 }),
  padA: fc.integer({ min: 0, max: 3 }), padB: fc.integer({ min: 0, max: 3 }), padC: fc.integer({ min: 0, max: 3 }),
  accumulate: fc.boolean(),
});

/** Stored operands for a case: A is m×k (or k×m if transposed), B k×n (or n×k); C has guard cells everywhere. */
export function operands(t: Case, fill: () => number) {
  const [aRows, aCols] = t.transA ? [t.k, t.m] : [t.m, t.k];
  const [bRows, bCols] = t.transB ? [t.n, t.k] : [t.k, t.n];
  const lda = aCols + t.padA, ldb = bCols + t.padB, ldc = t.n + t.padC;
  const a = Float64Array.from({ length: t.aOff + aRows * lda }, fill);
  const b = Float64Array.from({ length: t.bOff + bRows * ldb }, fill);
  const c = Float64Array.from({ length: t.cOff + t.m * ldc + 3 }, fill);
  return { a, b, c, lda, ldb, ldc };
}

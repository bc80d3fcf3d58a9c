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

/** Shapes that cross the KC (256-deep), MC (96-row) and NC (2048-column) blocks, every transpose and accumulate. */
const BLOCK_CROSSING: [number, number, number][] = [[130, 9, 300], [97, 40, 513], [3, 2100, 20], [193, 17, 257]];

export function blockCrossingCases(): Case[] {
  const cases: Case[] = [];
  for (const [m, n, k] of BLOCK_CROSSING) {
    for (const transA of [false, true]) for (const transB of [false, true]) for (const accumulate of [false, true]) {
      cases.push({ transA, transB, m, n, k, aOff: 1, bOff: 2, cOff: 3, padA: 1, padB: 0, padC: 2, accumulate });
    }
  }
  return cases;
}

/**
 * Dimension bookkeeping shared by the lowering (lower.ts, gemms.ts) and its executor (execute.ts): conv letters
 * (glossary: N, C, H, W, K, R, S, P, Q) and how a batched matmul is cut into GEMMs. Pure functions of shapes.
 */
import type { NodeOf } from '../ir/types.js';

export type Shape = readonly number[];

export const sizeOf = (s: Shape): number => s.reduce((a, b) => a * b, 1);

export interface ConvDims {
  readonly n: number; readonly c: number; readonly h: number; readonly w: number;
  readonly k: number; readonly r: number; readonly s: number; readonly p: number; readonly q: number;
  readonly groups: number;
  /** Channels and filters per group. */
  readonly cg: number; readonly kg: number;
}

export function convDims(node: NodeOf<'conv2d'>, x: Shape, y: Shape): ConvDims {
  const [n, c, h, w] = x;
  return {
    n, c, h, w, k: node.filters, r: node.kernel[0], s: node.kernel[1], p: y[2], q: y[3],
    groups: node.groups, cg: c / node.groups, kg: node.filters / node.groups,
  };
}

/**
 * How many of `size` input rows (or columns) some window reads: positions o·stride + u·dilation − pad inside
 * [0, size) for o < out, u < kernel. With stride > dilated kernel (e.g. a 1×1 stride-2 conv) some rows are never read,
 * so an operand's distinct elements can be fewer than its tensor's.
 */
export function touched(size: number, out: number, kernel: number, stride: number, dilation: number, pad: number): number {
  const seen = new Uint8Array(size);
  let count = 0;
  for (let o = 0; o < out; o++) {
    for (let u = 0; u < kernel; u++) {
      const i = o * stride + u * dilation - pad;
      if (i >= 0 && i < size && seen[i] === 0) {
        seen[i] = 1;
        count++;
      }
    }
  }
  return count;
}

/**
 * A batched matmul C_i = op(A_i)·op(B_i) (i < batch, op = optional transpose of the last two dims) as GEMMs:
 *  - 'perBatch': both operands batched — one GEMM per batch matrix (ids `.b${i}` when batch > 1);
 *  - 'stackA':   B shared (rank 2) — one GEMM with the op(A_i) stacked vertically: m = batch·M;
 *  - 'stackB':   A shared (rank 2) — one GEMM with the op(B_i) side by side: n = batch·N.
 * Stacking the shared operand's partner keeps the shared matrix resident (one weight-side load instead of batch)
 * and is exactly how the float engine's dense layer treats a rank-3 input. Both rank 2 is 'perBatch' with batch 1.
 */
export type MatmulPlan = 'perBatch' | 'stackA' | 'stackB';

export interface MatmulDims {
  /** Number of batch matrices (product of the batch dims). */
  readonly batch: number;
  /** op(A) is M×K, op(B) is K×N. */
  readonly m: number; readonly k: number; readonly n: number;
  readonly sharedA: boolean; readonly sharedB: boolean;
  readonly plan: MatmulPlan;
}

export function matmulDims(node: NodeOf<'matmul'>, a: Shape, b: Shape): MatmulDims {
  const ar = a.length, br = b.length;
  const m = node.transposeA ? a[ar - 1] : a[ar - 2];
  const k = node.transposeA ? a[ar - 2] : a[ar - 1];
  const n = node.transposeB ? b[br - 2] : b[br - 1];
  const batch = Math.max(sizeOf(a.slice(0, -2)), sizeOf(b.slice(0, -2)));
  const sharedA = ar === 2 && br > 2, sharedB = br === 2 && ar > 2;
  const plan: MatmulPlan = sharedB ? 'stackA' : sharedA ? 'stackB' : 'perBatch';
  return { batch, m, k, n, sharedA, sharedB, plan };
}

/** The (m, k, n) of each matmul GEMM per pass (see the module comment of lower.ts). */
export function matmulGemmShapes(d: MatmulDims): {
  count: number; forward: [number, number, number]; dA: [number, number, number]; dB: [number, number, number];
} {
  const { batch: b, m, k, n } = d;
  switch (d.plan) {
    case 'stackA': return { count: 1, forward: [b * m, k, n], dA: [b * m, n, k], dB: [k, b * m, n] };
    case 'stackB': return { count: 1, forward: [m, k, b * n], dA: [m, b * n, k], dB: [k, m, b * n] };
    case 'perBatch': return { count: b, forward: [m, k, n], dA: [m, n, k], dB: [k, m, n] };
  }
}

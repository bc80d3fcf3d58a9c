/**
 * The vector unit (activations, pooling, normalization, softmax, losses, optimizer updates): `lanes` elements per
 * cycle, pipelined. Per op kind, the work unit (the op's output elements, or the elements it reads — a pooling window,
 * the optimizer's state), the passes over it (cycles per work unit per lane) and the ALU operations per work unit the
 * energy model prices. cycles = ⌈work × cyclesPer ÷ lanes⌉. All figures are estimates (no vendor documents them);
 * they are a closed table so every kind is covered.
 */
import type { VectorOp, VectorOpKind } from '../lower/types.js';

export interface VectorRule {
  readonly per: 'output' | 'input';
  readonly cyclesPer: number;
  readonly aluOpsPer: number;
  readonly why: string;
}

export const VECTOR_RULES: Readonly<Record<VectorOpKind, VectorRule>> = {
  activation: { per: 'output', cyclesPer: 1, aluOpsPer: 1, why: 'one compare or table look-up per element' },
  activationGrad: { per: 'output', cyclesPer: 1, aluOpsPer: 1, why: 'dY masked or scaled by the stored derivative' },
  pool: { per: 'input', cyclesPer: 1, aluOpsPer: 1, why: 'one compare/add per window element read' },
  poolGrad: { per: 'input', cyclesPer: 1, aluOpsPer: 1, why: 'one route/scale per element' },
  add: { per: 'output', cyclesPer: 1, aluOpsPer: 1, why: 'one add per element' },
  mul: { per: 'output', cyclesPer: 1, aluOpsPer: 1, why: 'one multiply per element' },
  normalize: { per: 'output', cyclesPer: 1, aluOpsPer: 2, why: 'fused scale and shift per element' },
  normalizeGrad: { per: 'output', cyclesPer: 2, aluOpsPer: 5, why: 'two passes: reductions, then the per-element formula' },
  softmax: { per: 'output', cyclesPer: 3, aluOpsPer: 4, why: 'three passes: max, exp and sum, divide' },
  softmaxGrad: { per: 'output', cyclesPer: 2, aluOpsPer: 3, why: 'two passes: dot product, then scale' },
  copy: { per: 'output', cyclesPer: 1, aluOpsPer: 0, why: 'a move, no arithmetic' },
  loss: { per: 'output', cyclesPer: 2, aluOpsPer: 3, why: 'two passes: per-element term, then the reduction' },
  update: { per: 'input', cyclesPer: 1, aluOpsPer: 2, why: 'per parameter, gradient and state element read: a multiply-add' },
};

export function vectorWork(op: Pick<VectorOp, 'op' | 'elements' | 'readElements'>): number {
  return VECTOR_RULES[op.op].per === 'output' ? op.elements : Math.max(op.elements, op.readElements);
}
export function vectorCycles(op: Pick<VectorOp, 'op' | 'elements' | 'readElements'>, lanes: number): number {
  return Math.ceil((vectorWork(op) * VECTOR_RULES[op.op].cyclesPer) / lanes);
}
export function vectorAluOps(op: Pick<VectorOp, 'op' | 'elements' | 'readElements'>): number {
  return vectorWork(op) * VECTOR_RULES[op.op].aluOpsPer;
}

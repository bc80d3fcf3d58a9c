/**
 * Integer GEMM C = A·B (A m×k, B k×n, row-major integers) in an accumulator of `accumulatorBits` that saturates or
 * wraps at every accumulation step, in the array's order: each output is one chain over k = 0 … k − 1 (array/
 * numerics.ts). Two engines: `array` runs the cycle-stepped PE array (array/systolic-array.ts); `fast` (default) is
 * a plain loop over the same chain, proven bit-identical to the array by fast-check properties (test/fixed), that
 * also counts overflow events (accumulation steps whose sum left the accumulator's range and was saturated or
 * wrapped). Float formats' GEMMs (fp16/bf16/fp32 operands) use `gemmFloat`: products exact in float64, the running
 * sum rounded to float32 at every step (an fp32 accumulator).
 */
import { SimError } from '../base/errors.js';
import { accumulatorFor, type Operand } from '../array/numerics.js';
import { simulateArrayGemm } from '../array/systolic-array.js';
import type { GemmDataflow } from '../arch/types.js';

import type { OverflowRule } from './rounding.js';

export interface GemmIntOptions {
  readonly accumulatorBits?: number;
  readonly overflow?: OverflowRule;
  /** `fast` (default) or `array` (the cycle-stepped array, much slower; for small GEMMs and proofs). */
  readonly engine?: 'fast' | 'array';
  /** The array for engine `array` [default 4×4 os, d = 1]. */
  readonly array?: { readonly rows: number; readonly cols: number; readonly dataflow: GemmDataflow; readonly macPipelineCycles?: number };
}

export interface GemmIntResult {
  /** m×n accumulators, row-major. */
  readonly c: Float64Array;
  /** Accumulation steps that left the accumulator's range (fast engine only; the array engine reports −1). */
  readonly overflows: number;
}

/** The accumulators of C = A·B (row-major integer arrays). */
export function gemmInt(a: Operand | readonly number[], b: Operand | readonly number[], m: number, k: number, n: number, options: GemmIntOptions = {}): Float64Array {
  return gemmIntCounted(a, b, m, k, n, options).c;
}

const asOperand = (x: Operand | readonly number[]): Operand => (Array.isArray(x) ? Float64Array.from(x) : (x as Operand));

export function gemmIntCounted(a0: Operand | readonly number[], b0: Operand | readonly number[], m: number, k: number, n: number, options: GemmIntOptions = {}): GemmIntResult {
  const a = asOperand(a0), b = asOperand(b0);
  const bits = options.accumulatorBits ?? 32, overflow = options.overflow ?? 'saturate';
  for (const [v, p] of [[m, 'm'], [k, 'k'], [n, 'n']] as const) {
    if (!Number.isInteger(v) || v < 1) throw new SimError('must be a positive integer', { code: 'badValue', path: p, value: v });
  }
  if (a.length !== m * k) throw new SimError(`A must hold m·k = ${m * k} elements`, { code: 'shapeMismatch', path: 'a.length', value: a.length });
  if (b.length !== k * n) throw new SimError(`B must hold k·n = ${k * n} elements`, { code: 'shapeMismatch', path: 'b.length', value: b.length });
  const numerics = { kind: 'int' as const, accumulatorBits: bits, overflow };
  if (options.engine === 'array') {
    const shape = { rows: 4, cols: 4, dataflow: 'os' as GemmDataflow, macPipelineCycles: 1, ...options.array };
    return { c: simulateArrayGemm({ m, k, n, a, b }, { ...shape, macPipelineCycles: shape.macPipelineCycles ?? 1 }, numerics).c, overflows: -1 };
  }
  const { lo, hi, reduce } = accumulatorFor(numerics, a, b, k);
  // Bᵀ so the inner loop reads both operands contiguously; the chain per output is still p = 0 … k − 1.
  const bt = new Float64Array(k * n);
  for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) bt[j * k + p] = b[p * n + j];
  const c = new Float64Array(m * n);
  let overflows = 0;
  for (let i = 0; i < m; i++) {
    const ai = i * k;
    for (let j = 0; j < n; j++) {
      const bj = j * k;
      let acc = 0;
      for (let p = 0; p < k; p++) {
        let x = acc + a[ai + p] * bt[bj + p];
        if (x > hi || x < lo) {
          x = reduce(x);
          overflows++;
        }
        acc = x;
      }
      c[i * n + j] = acc;
    }
  }
  return { c, overflows };
}

/** C = A·B with an fp32 accumulator: every step acc ← fp32(acc + a·b) (the product exact in float64). */
export function gemmFloat32Acc(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const bt = new Float64Array(k * n);
  for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) bt[j * k + p] = b[p * n + j];
  const c = new Float64Array(m * n);
  const acc32 = new Float32Array(1);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      acc32[0] = 0;
      for (let p = 0; p < k; p++) acc32[0] = acc32[0] + a[i * k + p] * bt[j * k + p];
      c[i * n + j] = acc32[0];
    }
  }
  return c;
}



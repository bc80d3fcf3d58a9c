/**
 * A cycle-by-cycle trace of the systolic array for teaching: what every PE holds after each cycle — its A and B
 * operand registers (null = bubble) and its accumulator (os) or partial sum (ws/is) — plus which PEs started a MAC.
 * Only for small cases (≤ 64 PEs, ≤ 200 cycles); report/trace-text.ts prints it as a grid per cycle.
 */
import { SimError } from '../base/errors.js';
import type { ArrayShape } from '../map/mapping.js';
import type { ArrayNumerics } from './numerics.js';
import { type ArrayGemm, type ArrayRun, SystolicArray } from './systolic-array.js';

export const TRACE_MAX_PES = 64;
export const TRACE_MAX_CYCLES = 200;

/** How large a trace may be: the CLI's text view keeps to TRACE_LIMITS; the playground draws larger arrays. */
export interface TraceLimits { readonly pes: number; readonly cycles: number }
export const TRACE_LIMITS: TraceLimits = { pes: TRACE_MAX_PES, cycles: TRACE_MAX_CYCLES };

export interface CycleSnapshot {
  /** 0-based over the whole run. */
  readonly cycle: number;
  readonly fold: number;
  readonly phase: 'preload' | 'stream';
  /** 0-based within the fold (preload cycles first). */
  readonly foldCycle: number;
  /** [row][col]: the A element in the PE's operand register, null for none. */
  readonly a: (number | null)[][];
  readonly b: (number | null)[][];
  /** [row][col]: os, the accumulator; ws/is, the partial sum passing through. */
  readonly acc: number[][];
  /** [row][col]: the PE started a MAC this cycle. */
  readonly mac: boolean[][];
}

export interface GemmTrace {
  readonly shape: ArrayShape;
  readonly gemm: { readonly m: number; readonly k: number; readonly n: number };
  readonly cycles: readonly CycleSnapshot[];
  readonly run: ArrayRun;
}

function grid<T>(rows: number, cols: number, at: (p: number) => T): T[][] {
  return Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => at(i * cols + j)));
}

export function traceGemm(g: ArrayGemm, shape: ArrayShape, numerics: ArrayNumerics, limits: TraceLimits = TRACE_LIMITS): GemmTrace {
  const array = new SystolicArray(shape);
  const pes = shape.rows * shape.cols;
  if (pes > limits.pes) {
    throw new SimError(`a trace shows at most ${limits.pes} PEs`, { code: 'traceTooLarge', path: 'array', value: `${shape.rows}x${shape.cols}`, hint: 'Trace a small array, e.g. --array 2x2 or 4x4.' });
  }
  let cycles = 0;
  for (const f of array.folds(g.m, g.k, g.n)) cycles += f.preloadCycles + f.streamCycles;
  if (cycles > limits.cycles) {
    throw new SimError(`a trace shows at most ${limits.cycles} cycles; this GEMM takes ${cycles}`, { code: 'traceTooLarge', path: 'gemm', value: `${g.m}x${g.k}x${g.n}`, hint: 'Trace a smaller GEMM, e.g. 2x3x2.' });
  }
  const snaps: CycleSnapshot[] = [];
  const aIsH = array.horizontalOperand === 'a';
  const run = array.run(g, numerics, (cycle, fold, phase, foldCycle, s) => {
    const h = grid(s.rows, s.cols, (p) => (s.hValid[p] ? s.h[p] : null));
    const v = grid(s.rows, s.cols, (p) => (s.vValid[p] ? s.v[p] : null));
    snaps.push({
      cycle, fold: fold.index, phase, foldCycle, a: aIsH ? h : v, b: aIsH ? v : h,
      acc: grid(s.rows, s.cols, (p) => s.acc[p]),
      mac: grid(s.rows, s.cols, (p) => phase === 'stream' && (s.hValid[p] & s.vValid[p]) === 1),
    });
  });
  return { shape, gemm: { m: g.m, k: g.k, n: g.n }, cycles: snaps, run };
}

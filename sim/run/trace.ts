/**
 * `simulate --trace MxKxN`: one small GEMM with random operands in −3…3 (seeded) traced cycle by cycle on the
 * cycle-stepped array, checked against a plain GEMM and the fast timing model. In: the GEMM's dims, the array, the
 * seed and the accumulator width. Out: the trace and what the CLI prints with --format json.
 */
import { SimError } from '../base/errors.js';
import { checkSize } from '../base/limits.js';
import { type GemmTrace, TRACE_LIMITS, type TraceLimits, traceGemm } from '../array/trace.js';
import { createRng } from '../float/rng.js';
import type { ArrayShape } from '../map/mapping.js';
import { timeGemm } from '../timing/gemm-timing.js';

export interface TraceRun {
  readonly array: ArrayShape;
  readonly gemm: { readonly m: number; readonly k: number; readonly n: number };
  readonly seed: number;
  readonly accumulatorBits: number;
  readonly a: number[][];
  readonly b: number[][];
  readonly cycles: GemmTrace['cycles'];
  readonly c: number[][];
  readonly plainGemm: number[][];
  readonly matchesPlainGemm: boolean;
  readonly computeCycles: number;
  readonly timingModelCycles: number;
  readonly macs: number;
  readonly busyCycles: number[][];
  /** The trace itself, for the text view (not part of the JSON). */
  readonly trace: GemmTrace;
}

/** `MxKxN` → the GEMM's dims (A is M×K, B is K×N). */
export function parseGemmSpec(spec: string): { m: number; k: number; n: number } {
  const dims = /^(\d+)x(\d+)x(\d+)$/i.exec(spec.trim());
  const [m, k, n] = dims ? [Number(dims[1]), Number(dims[2]), Number(dims[3])] : [NaN, NaN, NaN];
  if (!dims || !(m >= 1 && k >= 1 && n >= 1)) {
    throw new SimError('must be MxKxN with positive integers', { code: 'badValue', path: '--trace', value: spec, hint: 'Example: --trace 2x3x2 (A is 2×3, B is 3×2).' });
  }
  for (const [dim, v] of [['M', m], ['K', k], ['N', n]] as const) checkSize(v, 'traceDim', { path: '--trace' }, dim);
  return { m, k, n };
}

const rowsOf = (x: Float64Array, cols: number) => Array.from({ length: x.length / cols }, (_, i) => Array.from(x.subarray(i * cols, (i + 1) * cols)));

export function runTrace(gemm: { m: number; k: number; n: number }, array: ArrayShape, seed: number, accumulatorBitsOfConfig: number,
  limits: TraceLimits = TRACE_LIMITS): TraceRun {
  if (!Number.isInteger(seed)) throw new SimError('must be an integer', { code: 'badValue', path: '--seed', value: seed });
  const { m, k, n } = gemm;
  const rng = createRng(seed);
  const draw = (len: number) => Float64Array.from({ length: len }, () => Math.floor(rng.uniform() * 7) - 3);
  const a = draw(m * k), b = draw(k * n);
  const accumulatorBits = Math.min(64, Math.max(2, accumulatorBitsOfConfig));
  const trace = traceGemm({ m, k, n, a, b }, array, { kind: 'int', accumulatorBits, overflow: 'saturate' }, limits);
  const plain = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) plain[i * n + j] += a[i * k + p] * b[p * n + j];
  return {
    array, gemm: { m, k, n }, seed, accumulatorBits, a: rowsOf(a, k), b: rowsOf(b, n), cycles: trace.cycles,
    c: rowsOf(trace.run.c, n), plainGemm: rowsOf(plain, n), matchesPlainGemm: trace.run.c.every((x, i) => x === plain[i]),
    computeCycles: trace.run.computeCycles, timingModelCycles: timeGemm(m, k, n, array).computeCycles, macs: trace.run.macs,
    busyCycles: rowsOf(trace.run.busyCycles, array.cols), trace,
  };
}

/** What `--trace … --format json` prints: the run without the trace object. */
export function traceJson(t: TraceRun): Omit<TraceRun, 'trace'> {
  const { trace: _trace, ...json } = t;
  return json;
}

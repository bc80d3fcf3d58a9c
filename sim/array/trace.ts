/**
 * A cycle-by-cycle trace of the systolic array for teaching: what every PE holds after each cycle — its A and B
 * operand registers (null = bubble) and its accumulator (os) or partial sum (ws/is) — plus which PEs started a MAC.
 * Only for small cases (≤ 64 PEs, ≤ 200 cycles); `formatTrace` prints it as a grid per cycle.
 */
import { SimError } from '../base/errors.js';
import { type ArrayShape, timeGemm } from '../timing/gemm-timing.js';
import type { ArrayNumerics } from './numerics.js';
import { type ArrayGemm, type ArrayRun, SystolicArray } from './systolic-array.js';

export const TRACE_MAX_PES = 64;
export const TRACE_MAX_CYCLES = 200;

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

export function traceGemm(g: ArrayGemm, shape: ArrayShape, numerics: ArrayNumerics): GemmTrace {
  const array = new SystolicArray(shape);
  const pes = shape.rows * shape.cols;
  if (pes > TRACE_MAX_PES) {
    throw new SimError(`a trace shows at most ${TRACE_MAX_PES} PEs`, { code: 'traceTooLarge', path: 'array', value: `${shape.rows}x${shape.cols}`, hint: 'Trace a small array, e.g. --array 2x2 or 4x4.' });
  }
  const cycles = timeGemm(g.m, g.k, g.n, shape).computeCycles;
  if (cycles > TRACE_MAX_CYCLES) {
    throw new SimError(`a trace shows at most ${TRACE_MAX_CYCLES} cycles; this GEMM takes ${cycles}`, { code: 'traceTooLarge', path: 'gemm', value: `${g.m}x${g.k}x${g.n}`, hint: 'Trace a smaller GEMM, e.g. 2x3x2.' });
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

const show = (x: number | null) => (x === null ? '·' : String(x));

/** One block per cycle: each PE as `a b | acc`, a `*` marking a MAC started this cycle. */
export function formatTrace(t: GemmTrace): string {
  const { rows, cols, dataflow, macPipelineCycles: d } = t.shape;
  const all = (f: (c: CycleSnapshot) => (number | null)[][]) => Math.max(...t.cycles.flatMap((c) => f(c).flat().map((x) => show(x).length)));
  const wa = all((c) => c.a), wb = all((c) => c.b), wc = all((c) => c.acc);
  const accName = dataflow === 'os' ? 'accumulator' : 'partial sum';
  const lines = [
    `${rows}×${cols} ${dataflow.toUpperCase()} array, GEMM ${t.gemm.m}×${t.gemm.k}×${t.gemm.n}, MAC pipeline ${d}: each PE shows  a b | ${accName}  after the cycle (· = no operand, * = MAC started)`,
  ];
  for (const c of t.cycles) {
    lines.push('', `cycle ${c.cycle}  fold ${c.fold + 1}/${t.run.folds} ${c.phase} ${c.foldCycle}`);
    for (let i = 0; i < rows; i++) {
      const cells = Array.from({ length: cols }, (_, j) =>
        `${c.mac[i][j] ? '*' : ' '}${show(c.a[i][j]).padStart(wa)} ${show(c.b[i][j]).padStart(wb)} | ${show(c.acc[i][j]).padStart(wc)}`);
      lines.push(`  ${cells.join('   ')}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

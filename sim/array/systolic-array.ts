/**
 * The cycle-stepped systolic array: the slow, obvious, executable definition of the fast timing model
 * (timing/gemm-timing.ts, docs/cycle-model.md). In: a GEMM C = A·B (A m×k, B k×n, row-major), the array
 * (rows R × cols C, dataflow, MAC pipeline depth d) and the numerics. Out: C, cycles, MACs and busy cycles per PE.
 * Imports only arch/types, map/ (which dims go on rows, cols and time), numerics and errors — never timing/ or compat/,
 * whose numbers it checks.
 *
 * Registers of PE (i, j), each a typed array over all R·C PEs (no per-PE objects):
 *   h, hValid — the operand that moves right one PE per cycle (enters at column 0 from the left edge)
 *   v, vValid — os: the operand that moves down one PE per cycle (enters at row 0 from the top edge);
 *               ws/is: the stationary operand (shifted down from the top edge during preload, then held)
 *   acc       — os: the output accumulator (stays); ws/is: the partial sum, which moves down one PE per cycle
 *   pipe      — the d-stage MAC pipeline: a product started at cycle c is added to acc at cycle c + d − 1
 *
 * Mapping (map/dataflow.ts): Sr dims on rows, Sc on cols, T in time. A fold covers rows r0…r0+R−1 of Sr and
 * columns c0…c0+C−1 of Sc; column folds outer, row folds inner; registers and pipeline are empty at each fold start.
 *   os: h(i) streams A[r0+i][τ], v(j) streams B[τ][c0+j], acc(i, j) = C[r0+i][c0+j], τ = 0…k−1
 *   ws: h(i) streams A[τ][r0+i], v(i, j) = B[r0+i][c0+j] stationary, psums leave column j as C[τ][c0+j], τ = 0…m−1
 *   is: h(i) streams B[r0+i][τ], v(i, j) = A[c0+j][r0+i] stationary, psums leave column j as C[c0+j][τ], τ = 0…n−1
 *
 * One cycle s of a fold's stream phase, in this order:
 *   1. h shifts right (PE (i, j) takes PE (i, j−1)'s h); the left edge feeds row i with its element τ = s − i
 *      (the skew), or a bubble if τ ∉ [0, T) or row i is unmapped.
 *   2. os: v shifts down; the top edge feeds column j with its element τ = s − j, or a bubble.
 *      ws/is: acc (the psums) shifts down; the top edge feeds column j the partial sum of output τ = s − j − (d−1)
 *      from the previous row fold (0 in the first), so every output is one chain over k in order.
 *   3. every PE holding two valid operands starts a MAC: its product enters the pipeline, busy += 1.
 *   4. every PE whose pipeline delivers a product (started d − 1 cycles ago; d = 1: this cycle's) adds it to acc,
 *      reduced to the accumulator width at this step (numerics.ts). Unmapped PEs and bubbles do nothing (no
 *      0·x MACs, so ±Infinity operands stay exact and busy cycles count real MACs only).
 *   5. ws/is: the bottom row's acc of column j leaves the array as output τ = s − (R−1) − j − (d−1).
 * So PE (i, j) starts the MAC of τ at cycle s = τ + i + j (both its operands are skewed by i + j; in ws/is the
 * psum from PE (i−1, j), which added its product at s − 1 + d − 1, arrives just as PE (i, j) adds at s + d − 1).
 *
 * Why the fold takes what the fast model says. The feeders and the drain run a static schedule sized for the whole
 * array (the skew buffers are R and C deep, as SCALE-Sim pads its operand matrices to the array), so a fold lasts as
 * long as the last PE's last MAC, mapped or not: PE (R−1, C−1) starts τ = T − 1 at s = T + R + C − 3 and retires it
 * at s + d − 1, so the stream phase is T + R + C − 2 + d − 1 cycles.
 *   os: nothing else — results are complete in the accumulators when the last MAC retires; each PE hands its
 *       result to a shadow output register that is read out while the next fold runs (in hardware the first MAC
 *       of a fold overwrites instead of adding, a zero-cost clear; here the registers are zeroed between folds),
 *       and the fast model, like SCALE-Sim, ends compute at the last MAC, so the final read-out is not counted.
 *       Fold = T + R + C − 2 + (d − 1).
 *   ws/is: before streaming, R preload cycles shift the stationary operand down from the top edge (row R−1−p
 *       enters at preload cycle p). The drain is inside the stream phase: the last psum leaves the bottom row on
 *       the cycle PE (R−1, C−1) retires it. Fold = R + T + R + C − 2 + (d − 1).
 */
import type { GemmDataflow } from '../arch/types.js';
import { SimError } from '../base/errors.js';
import { checkSize } from '../base/limits.js';
import { gemmDataflowOf, strategyOf } from '../map/dataflow.js';
import type { ArrayShape } from '../map/mapping.js';
import { type Accumulator, type ArrayNumerics, type Operand, accumulatorFor } from './numerics.js';

export interface ArrayGemm {
  readonly m: number;
  readonly k: number;
  readonly n: number;
  /** m×k, row-major. */
  readonly a: Operand;
  /** k×n, row-major. */
  readonly b: Operand;
}

export interface ArrayRun {
  /** m×n, row-major. */
  readonly c: Float64Array;
  readonly computeCycles: number;
  readonly macs: number;
  readonly folds: number;
  readonly cyclesPerFold: number;
  /** Cycles in which PE (i, j) started a MAC, at index i·cols + j. Sums to `macs`. */
  readonly busyCycles: Float64Array;
  /** The cycle (0-based, whole run) in which the last MAC retired: computeCycles − 1 when the last fold is full. */
  readonly lastMacCycle: number;
}

/** What a fold streams, where its outputs go, and how long its phases are. */
export interface Fold {
  readonly index: number;
  readonly r0: number;
  readonly c0: number;
  /** Mapped rows and columns (the rest of the array gets bubbles). */
  readonly mappedRows: number;
  readonly mappedCols: number;
  readonly preloadCycles: number;
  readonly streamCycles: number;
}

/**
 * An output leaving the PE array: os, PE (row, col)'s accumulator in the cycle its last product is added (the result
 * is final; the read-out is not counted, see above); ws/is, the partial sum leaving the bottom of column `col` (row =
 * rows − 1), once per row fold. `index` is its place in C (row-major); cycles count from 0 over the whole run.
 */
export interface OutputEvent {
  readonly cycle: number;
  readonly row: number;
  readonly col: number;
  readonly index: number;
  readonly value: number;
}

/** Called after every cycle; `array` is the live register file (read only; copy what you keep). */
export type CycleObserver = (cycle: number, fold: Fold, phase: 'preload' | 'stream', foldCycle: number, array: SystolicArray) => void;

/** Per dataflow: which element enters from the left, what the top edge carries, where an output lands in C. */
interface DataflowRule {
  /** Element entering row i from the left at time τ. */
  left(g: ArrayGemm, f: Fold, i: number, tau: number): number;
  /** os: element entering column j from the top at time τ (as `row`); ws/is: stationary element of PE (row, j). */
  top(g: ArrayGemm, f: Fold, row: number, j: number): number;
  /** Index into C of output (row, j): os, PE (row, j)'s accumulator; ws/is, time τ = row leaving column j. */
  out(g: ArrayGemm, f: Fold, row: number, j: number): number;
  /** Which GEMM operand the h registers hold (the other is in v). */
  readonly horizontal: 'a' | 'b';
}

const RULES: Readonly<Record<GemmDataflow, DataflowRule>> = {
  os: {
    left: (g, f, i, t) => g.a[(f.r0 + i) * g.k + t],
    top: (g, f, t, j) => g.b[t * g.n + f.c0 + j],
    out: (g, f, i, j) => (f.r0 + i) * g.n + f.c0 + j,
    horizontal: 'a',
  },
  ws: {
    left: (g, f, i, t) => g.a[t * g.k + f.r0 + i],
    top: (g, f, i, j) => g.b[(f.r0 + i) * g.n + f.c0 + j],
    out: (g, f, t, j) => t * g.n + f.c0 + j,
    horizontal: 'a',
  },
  is: {
    left: (g, f, i, t) => g.b[(f.r0 + i) * g.n + t],
    top: (g, f, i, j) => g.a[(f.c0 + j) * g.k + f.r0 + i],
    out: (g, f, t, j) => (f.c0 + j) * g.n + t,
    horizontal: 'b',
  },
};

function positiveInteger(v: number, path: string, hint: string): void {
  if (!Number.isInteger(v) || v < 1) throw new SimError('must be a positive integer', { code: 'badValue', path, value: v, hint });
}

export class SystolicArray {
  readonly rows: number;
  readonly cols: number;
  readonly dataflow: GemmDataflow;
  readonly macPipelineCycles: number;
  readonly h: Float64Array;
  readonly hValid: Uint8Array;
  readonly v: Float64Array;
  readonly vValid: Uint8Array;
  readonly acc: Float64Array;
  readonly busyCycles: Float64Array;
  private readonly pipe: Float64Array;
  private readonly pipeValid: Uint8Array;
  /** The cycle each PE last added a product to its accumulator in this fold (os: when its result is final). */
  private readonly lastAdd: Float64Array;
  private readonly rule: DataflowRule;
  private lastMacCycle = -1;

  constructor(shape: ArrayShape) {
    positiveInteger(shape.rows, 'array.rows', 'Example: rows: 4');
    positiveInteger(shape.cols, 'array.cols', 'Example: cols: 4');
    positiveInteger(shape.macPipelineCycles, 'array.macPipelineCycles', 'Example: macPipelineCycles: 1');
    this.dataflow = gemmDataflowOf(shape.dataflow, 'the cycle-stepped GEMM array (simulate --trace, check, rtl)');
    if (!(this.dataflow in RULES)) throw new SimError('must be os, ws or is', { code: 'badValue', path: 'array.dataflow', value: shape.dataflow });
    this.rows = shape.rows;
    this.cols = shape.cols;
    this.macPipelineCycles = shape.macPipelineCycles;
    this.rule = RULES[this.dataflow];
    const pes = this.rows * this.cols;
    // Before allocating: h, v, acc, busyCycles, lastAdd (5 float64) and 2 valid bytes per PE; 9 bytes per PE per pipeline stage.
    checkSize(pes * (5 * 8 + 2) + pes * shape.macPipelineCycles * 9, 'peArrayBytes', { path: 'array' },
      `the registers of a ${this.rows}×${this.cols} array, pipeline depth ${shape.macPipelineCycles}, in bytes,`);
    this.h = new Float64Array(pes);
    this.hValid = new Uint8Array(pes);
    this.v = new Float64Array(pes);
    this.vValid = new Uint8Array(pes);
    this.acc = new Float64Array(pes);
    this.busyCycles = new Float64Array(pes);
    this.pipe = new Float64Array(pes * shape.macPipelineCycles);
    this.pipeValid = new Uint8Array(pes * shape.macPipelineCycles);
    this.lastAdd = new Float64Array(pes);
  }

  /** Which GEMM operand the moving-right registers carry (os, ws: A; is: B). */
  get horizontalOperand(): 'a' | 'b' {
    return this.rule.horizontal;
  }

  /** The folds of a GEMM, in the order they run, with their phase lengths (derivation in the module comment). */
  folds(m: number, k: number, n: number): Fold[] {
    const map = strategyOf(this.dataflow);
    const dims = { m, k, n };
    const sr = dims[map.rows], sc = dims[map.cols], t = dims[map.time];
    const preloadCycles = map.preload ? this.rows : 0;
    const streamCycles = t + this.rows + this.cols - 2 + (this.macPipelineCycles - 1);
    const folds: Fold[] = [];
    for (let c0 = 0; c0 < sc; c0 += this.cols) {
      for (let r0 = 0; r0 < sr; r0 += this.rows) {
        folds.push({ index: folds.length, r0, c0, mappedRows: Math.min(this.rows, sr - r0), mappedCols: Math.min(this.cols, sc - c0), preloadCycles, streamCycles });
      }
    }
    return folds;
  }

  /** Runs a GEMM; with `events`, every output leaving the array is appended to it, in cycle order. */
  run(g: ArrayGemm, numerics: ArrayNumerics, observe?: CycleObserver, events?: OutputEvent[]): ArrayRun {
    positiveInteger(g.m, 'gemm.m', 'Example: m: 4');
    positiveInteger(g.k, 'gemm.k', 'Example: k: 4');
    positiveInteger(g.n, 'gemm.n', 'Example: n: 4');
    if (g.a.length !== g.m * g.k) throw new SimError(`A must hold m·k = ${g.m * g.k} elements`, { code: 'shapeMismatch', path: 'a.length', value: g.a.length });
    if (g.b.length !== g.k * g.n) throw new SimError(`B must hold k·n = ${g.k * g.n} elements`, { code: 'shapeMismatch', path: 'b.length', value: g.b.length });
    const accumulator = accumulatorFor(numerics, g.a, g.b, g.k);
    const c = new Float64Array(g.m * g.n);
    const temporal = { m: g.m, k: g.k, n: g.n }[strategyOf(this.dataflow).time];
    this.busyCycles.fill(0);
    this.lastMacCycle = -1;
    let cycle = 0;
    const folds = this.folds(g.m, g.k, g.n);
    for (const f of folds) cycle = this.runFold(g, f, temporal, c, accumulator, cycle, observe, events);
    let macs = 0;
    for (let p = 0; p < this.busyCycles.length; p++) macs += this.busyCycles[p];
    return {
      c, computeCycles: cycle, macs, folds: folds.length, cyclesPerFold: folds[0].preloadCycles + folds[0].streamCycles,
      busyCycles: Float64Array.from(this.busyCycles), lastMacCycle: this.lastMacCycle,
    };
  }

  private runFold(g: ArrayGemm, f: Fold, temporal: number, c: Float64Array, accum: Accumulator, start: number, observe?: CycleObserver, events?: OutputEvent[]): number {
    const R = this.rows, C = this.cols, P = R * C, d = this.macPipelineCycles, rule = this.rule;
    const { h, hValid, v, vValid, acc, pipe, pipeValid, lastAdd } = this;
    lastAdd.fill(-1);
    // Only an os run asked for its output events needs each PE's last-add cycle (the store costs ~15 % of the loop).
    const track = events !== undefined && !(f.preloadCycles > 0);
    h.fill(0); hValid.fill(0); v.fill(0); vValid.fill(0); acc.fill(0); pipe.fill(0); pipeValid.fill(0);
    const stationary = f.preloadCycles > 0;
    let cycle = start;
    // Preload (ws, is): the stationary operand shifts down one row per cycle; row R−1−p enters at cycle p.
    for (let p = 0; p < f.preloadCycles; p++, cycle++) {
      v.copyWithin(C, 0, P - C);
      vValid.copyWithin(C, 0, P - C);
      const row = R - 1 - p;
      for (let j = 0; j < C; j++) {
        const ok = row < f.mappedRows && j < f.mappedCols;
        v[j] = ok ? rule.top(g, f, row, j) : 0;
        vValid[j] = ok ? 1 : 0;
      }
      observe?.(cycle, f, 'preload', p, this);
    }
    const { lo, hi, reduce } = accum;
    const busy = this.busyCycles;
    for (let s = 0; s < f.streamCycles; s++, cycle++) {
      // 1. operands move right; the left edge feeds row i its element τ = s − i.
      h.copyWithin(1, 0, P - 1);
      hValid.copyWithin(1, 0, P - 1);
      for (let i = 0; i < R; i++) {
        const tau = s - i, ok = i < f.mappedRows && tau >= 0 && tau < temporal;
        h[i * C] = ok ? rule.left(g, f, i, tau) : 0;
        hValid[i * C] = ok ? 1 : 0;
      }
      // 2. os: operands move down, the top edge feeds column j its element τ = s − j.
      //    ws/is: partial sums move down, the top edge feeds the previous row fold's sum of output τ = s − j − (d − 1).
      if (!stationary) {
        v.copyWithin(C, 0, P - C);
        vValid.copyWithin(C, 0, P - C);
        for (let j = 0; j < C; j++) {
          const tau = s - j, ok = j < f.mappedCols && tau >= 0 && tau < temporal;
          v[j] = ok ? rule.top(g, f, tau, j) : 0;
          vValid[j] = ok ? 1 : 0;
        }
      } else {
        acc.copyWithin(C, 0, P - C);
        for (let j = 0; j < C; j++) {
          const tau = s - j - (d - 1);
          acc[j] = f.r0 > 0 && j < f.mappedCols && tau >= 0 && tau < temporal ? c[rule.out(g, f, tau, j)] : 0;
        }
      }
      // 3–4. every PE with two valid operands starts a MAC; the product started d − 1 cycles ago is accumulated.
      const head = (s % d) * P, tail = ((s + 1) % d) * P;
      let retired = false;
      if (d === 1) {
        // The same two steps with the product handed straight to the adder (no pipeline registers to pass through).
        for (let p = 0; p < P; p++) {
          if (hValid[p] & vValid[p]) {
            let x = acc[p] + h[p] * v[p];
            if (x > hi || x < lo) x = reduce(x);
            acc[p] = x;
            if (track) lastAdd[p] = cycle;
            busy[p]++;
            retired = true;
          }
        }
      } else for (let p = 0; p < P; p++) {
        if (hValid[p] & vValid[p]) {
          pipe[head + p] = h[p] * v[p];
          pipeValid[head + p] = 1;
          busy[p]++;
        } else {
          pipeValid[head + p] = 0;
        }
        if (pipeValid[tail + p]) {
          let x = acc[p] + pipe[tail + p];
          if (x > hi || x < lo) x = reduce(x);
          acc[p] = x;
          if (track) lastAdd[p] = cycle;
          retired = true;
        }
      }
      if (retired) this.lastMacCycle = cycle;
      // 5. ws/is: the bottom row's partial sums leave the array.
      if (stationary) {
        for (let j = 0; j < f.mappedCols; j++) {
          const tau = s - (R - 1) - j - (d - 1);
          if (tau >= 0 && tau < temporal) {
            const index = rule.out(g, f, tau, j);
            c[index] = acc[(R - 1) * C + j];
            events?.push({ cycle, row: R - 1, col: j, index, value: c[index] });
          }
        }
      }
      observe?.(cycle, f, 'stream', f.preloadCycles + s, this);
    }
    // os: the accumulators hold the fold's outputs (read out through shadow registers while the next fold runs).
    if (!stationary) {
      const done: OutputEvent[] = [];
      for (let i = 0; i < f.mappedRows; i++) {
        for (let j = 0; j < f.mappedCols; j++) {
          const index = rule.out(g, f, i, j);
          c[index] = acc[i * C + j];
          if (events) done.push({ cycle: lastAdd[i * C + j], row: i, col: j, index, value: c[index] });
        }
      }
      if (events) events.push(...done.sort((x, y) => x.cycle - y.cycle || x.row - y.row || x.col - y.col));
    }
    return cycle;
  }
}

/** Runs one GEMM on a fresh array. */
export function simulateArrayGemm(g: ArrayGemm, shape: ArrayShape, numerics: ArrayNumerics, observe?: CycleObserver, events?: OutputEvent[]): ArrayRun {
  return new SystolicArray(shape).run(g, numerics, observe, events);
}

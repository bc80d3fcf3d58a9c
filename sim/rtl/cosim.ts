/**
 * Co-simulation, the pure half: what the cycle-stepped PE array (sim/array/) says every output event is, and the
 * comparison of the RTL's log against it — value for value, cycle for cycle. eda/ runs the simulator in between.
 */
import { type OutputEvent, simulateArrayGemm } from '../array/systolic-array.js';
import { mapGemm } from '../map/mapping.js';
import { cyclesPerFold } from '../timing/gemm-timing.js';
import type { IntGemm } from './stimulus.js';
import type { RtlConfig } from './verilog.js';

export interface Expected {
  readonly events: readonly OutputEvent[];
  /** The PE array's compute cycles (= the fast model's, folds × cycles per fold). */
  readonly arrayCycles: number;
  readonly fastModelCycles: number;
  readonly c: Float64Array;
}

export function expectedRun(cfg: RtlConfig, g: IntGemm): Expected {
  const shape = { rows: cfg.rows, cols: cfg.cols, dataflow: cfg.dataflow, macPipelineCycles: cfg.macPipelineCycles };
  const events: OutputEvent[] = [];
  const run = simulateArrayGemm(g, shape, { kind: 'int', accumulatorBits: cfg.accumulatorBits, overflow: cfg.overflow }, undefined, events);
  const mp = mapGemm(g.m, g.k, g.n, shape);
  return { events, arrayCycles: run.computeCycles, fastModelCycles: mp.folds * cyclesPerFold(mp, shape), c: run.c };
}

export interface RtlEvent {
  readonly cycle: number;
  readonly row: number;
  readonly col: number;
  readonly value: number;
}

export interface RtlLog {
  readonly events: readonly RtlEvent[];
  /** Cycles the testbench ran (its last line says), or undefined when the log was cut short. */
  readonly cycles: number | undefined;
}

/** Reads the testbench's `cycle row col hexvalue` lines; values are AW-bit two's complement. */
export function parseRtlLog(text: string, accumulatorBits: number): RtlLog {
  const events: RtlEvent[] = [];
  let cycles: number | undefined;
  const modulus = 2n ** BigInt(accumulatorBits), half = modulus / 2n;
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] === 'end') { cycles = Number(f[1]); continue; }
    if (f.length !== 4) continue;
    // An X or Z in the value (an undriven net) is a mismatch, never a number.
    const raw = /^[0-9a-f]+$/i.test(f[3]) ? BigInt(`0x${f[3]}`) : undefined;
    const value = raw === undefined ? Number.NaN : Number(raw >= half ? raw - modulus : raw);
    events.push({ cycle: Number(f[0]), row: Number(f[1]), col: Number(f[2]), value });
  }
  events.sort((x, y) => x.cycle - y.cycle || x.row - y.row || x.col - y.col);
  return { events, cycles };
}

export interface Mismatch {
  /** What went wrong, in words a reader can act on. */
  readonly message: string;
  /** The output in C (row, col) the event belongs to, when known. */
  readonly output?: { readonly row: number; readonly col: number };
  readonly cycle: number;
  readonly expected?: number;
  readonly got?: number;
}

export interface Comparison {
  readonly agree: boolean;
  readonly outputEvents: number;
  readonly rtlCycles: number | undefined;
  readonly firstMismatch?: Mismatch;
}

/** Every expected event must appear in the log at the same cycle and PE with the same value, and nothing else. */
export function compareRun(exp: Expected, log: RtlLog, n: number): Comparison {
  const base = { outputEvents: exp.events.length, rtlCycles: log.cycles };
  const where = (index: number) => ({ row: Math.floor(index / n), col: index % n });
  const count = Math.max(exp.events.length, log.events.length);
  for (let i = 0; i < count; i++) {
    const e = exp.events[i], r = log.events[i];
    if (e === undefined) {
      return { ...base, agree: false, firstMismatch: { message: `an output the PE array does not produce, from PE (${r.row}, ${r.col})`, cycle: r.cycle, got: r.value } };
    }
    const output = where(e.index);
    if (r === undefined || r.cycle !== e.cycle || r.row !== e.row || r.col !== e.col) {
      const seen = r === undefined ? 'nothing more' : `PE (${r.row}, ${r.col}) at cycle ${r.cycle}`;
      return { ...base, agree: false, firstMismatch: { message: `output C[${output.row}][${output.col}] expected from PE (${e.row}, ${e.col}) at cycle ${e.cycle}; the RTL gave ${seen}`, output, cycle: e.cycle, expected: e.value, got: r?.value } };
    }
    if (r.value !== e.value) {
      return { ...base, agree: false, firstMismatch: { message: `output C[${output.row}][${output.col}] at cycle ${e.cycle}: expected ${e.value}, got ${Number.isNaN(r.value) ? 'x' : r.value}`, output, cycle: e.cycle, expected: e.value, got: r.value } };
    }
  }
  if (log.cycles !== exp.arrayCycles) {
    return { ...base, agree: false, firstMismatch: { message: `the testbench ran ${log.cycles ?? 'an unfinished number of'} cycles; the PE array takes ${exp.arrayCycles}`, cycle: log.cycles ?? -1 } };
  }
  return { ...base, agree: true };
}

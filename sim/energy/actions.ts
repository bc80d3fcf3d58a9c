/**
 * Action counts: what each op does, in countable actions, with no energy in sight (priced by price.ts). In: one
 * GEMM entry's counts (MACs, SRAM/DRAM words from timing/gemm-memory.ts or compat/scalesim/memory.ts, cycles) or
 * one vector op, and the operand widths.
 *
 * PE register traffic (the rule). One MAC per PE per cycle; every MAC reads its two operands and its partial sum
 * from PE registers (input, weight and accumulator bits). Values that travel between PEs are latched into the
 * neighbour's register once per MAC (inter-PE moves): os — the ifmap and filter values (the sum stays put); ws — the
 * ifmap value and the partial sum; is — the filter value and the partial sum. Local register writes: os — the
 * accumulator, once per MAC; ws / is — the stationary operand, once per element loaded into the array (its SRAM
 * reads). os drains every finished output through the array once (one inter-PE move per output, accumulator bits).
 */
import type { DataflowStrategy } from '../map/dataflow.js';

export interface PerOperand { readonly ifmap: number; readonly filter: number; readonly ofmap: number }

export interface ActionCounts {
  readonly macs: number;
  readonly registerReadBits: PerOperand;
  readonly registerWriteBits: PerOperand;
  readonly interPeBits: PerOperand;
  /** SRAM accesses in words of the buffer's width (ifmap: input bits, filter: weight bits, ofmap: accumulator bits). */
  readonly sramReads: PerOperand;
  readonly sramWrites: PerOperand;
  readonly dramReadBits: PerOperand;
  readonly dramWriteBits: PerOperand;
  readonly vectorAluOps: number;
  /** Vector-unit lane register traffic (operands in, results out). */
  readonly vectorReadBits: number;
  readonly vectorWriteBits: number;
  /** Cycles the op occupies the accelerator (leakage). */
  readonly cycles: number;
}

export interface Widths { readonly inputBits: number; readonly weightBits: number; readonly accumulatorBits: number }

const ZERO3: PerOperand = { ifmap: 0, filter: 0, ofmap: 0 };
export const NO_ACTIONS: ActionCounts = {
  macs: 0, registerReadBits: ZERO3, registerWriteBits: ZERO3, interPeBits: ZERO3, sramReads: ZERO3, sramWrites: ZERO3,
  dramReadBits: ZERO3, dramWriteBits: ZERO3, vectorAluOps: 0, vectorReadBits: 0, vectorWriteBits: 0, cycles: 0,
};

export interface GemmCountsIn {
  readonly macs: number;
  /** Output elements (m·n, times the groups). */
  readonly outputs: number;
  readonly totalCycles: number;
  readonly sram: { readonly ifmapReads: number; readonly ifmapWrites?: number; readonly filterReads: number; readonly filterWrites?: number; readonly ofmapReads?: number; readonly ofmapWrites: number };
  readonly dram: { readonly ifmapReads: number; readonly filterReads: number; readonly ofmapReads?: number; readonly ofmapWrites: number };
  readonly dramWriteBytes: number;
}

export function gemmActions(g: GemmCountsIn, s: DataflowStrategy, w: Widths): ActionCounts {
  const { macs } = g;
  const bits: PerOperand = { ifmap: w.inputBits, filter: w.weightBits, ofmap: w.accumulatorBits };
  const registerReadBits = { ifmap: macs * bits.ifmap, filter: macs * bits.filter, ofmap: macs * bits.ofmap };
  // Local register writes: the stationary operand — output accumulators once per MAC, an input once per element loaded.
  const loaded: PerOperand = { ifmap: g.sram.ifmapReads, filter: g.sram.filterReads, ofmap: macs };
  const written = (o: keyof PerOperand) => (s.stationary === o ? loaded[o] * bits[o] : 0);
  const registerWriteBits = { ifmap: written('ifmap'), filter: written('filter'), ofmap: written('ofmap') };
  // Inter-PE moves: each moving operand once per MAC; accumulators that stay put drain once per output.
  const moved = (o: keyof PerOperand) =>
    s.movesBetweenPes[o] ? macs * bits[o] : o === 'ofmap' && !s.partialSumsLeaveArray ? g.outputs * bits.ofmap : 0;
  const interPeBits = { ifmap: moved('ifmap'), filter: moved('filter'), ofmap: moved('ofmap') };
  return {
    macs, registerReadBits, registerWriteBits, interPeBits,
    sramReads: { ifmap: g.sram.ifmapReads, filter: g.sram.filterReads, ofmap: g.sram.ofmapReads ?? 0 },
    sramWrites: { ifmap: g.sram.ifmapWrites ?? 0, filter: g.sram.filterWrites ?? 0, ofmap: g.sram.ofmapWrites },
    dramReadBits: { ifmap: g.dram.ifmapReads * w.inputBits, filter: g.dram.filterReads * w.weightBits, ofmap: (g.dram.ofmapReads ?? 0) * w.accumulatorBits },
    dramWriteBits: { ifmap: 0, filter: 0, ofmap: g.dramWriteBytes * 8 },
    vectorAluOps: 0, vectorReadBits: 0, vectorWriteBits: 0, cycles: g.totalCycles,
  };
}

/** A vector op: ALU ops by its kind's rule (timing/vector-timing.ts), lane operands in and results out. */
export function vectorActions(aluOps: number, readElements: number, elements: number, bits: number, cycles: number): ActionCounts {
  return { ...NO_ACTIONS, vectorAluOps: aluOps, vectorReadBits: readElements * bits, vectorWriteBits: elements * bits, cycles };
}

const add3 = (a: PerOperand, b: PerOperand): PerOperand => ({ ifmap: a.ifmap + b.ifmap, filter: a.filter + b.filter, ofmap: a.ofmap + b.ofmap });

export function addActions(a: ActionCounts, b: ActionCounts): ActionCounts {
  return {
    macs: a.macs + b.macs,
    registerReadBits: add3(a.registerReadBits, b.registerReadBits), registerWriteBits: add3(a.registerWriteBits, b.registerWriteBits),
    interPeBits: add3(a.interPeBits, b.interPeBits), sramReads: add3(a.sramReads, b.sramReads), sramWrites: add3(a.sramWrites, b.sramWrites),
    dramReadBits: add3(a.dramReadBits, b.dramReadBits), dramWriteBits: add3(a.dramWriteBits, b.dramWriteBits),
    vectorAluOps: a.vectorAluOps + b.vectorAluOps, vectorReadBits: a.vectorReadBits + b.vectorReadBits,
    vectorWriteBits: a.vectorWriteBits + b.vectorWriteBits, cycles: a.cycles + b.cycles,
  };
}

/**
 * A row-stationary entry. The spads are priced as PE registers: every MAC reads a filter and an ifmap value and
 * reads and writes its partial sum; spad writes are the values loaded from the GLB (ifmap rows land in the spads of
 * every PE on their diagonal: counted once per GLB read, a lower bound) and the psum updates. Between PEs only the
 * partial sums move, up a column's adder chain (`interPePsumMoves`, accumulator bits). GLB and DRAM as for GEMMs.
 */
export function rsActions(g: GemmCountsIn, interPePsumMoves: number, w: Widths): ActionCounts {
  const base = gemmActions(g, RS_REGISTER_RULE, w);
  return {
    ...base,
    registerWriteBits: { ifmap: g.sram.ifmapReads * w.inputBits, filter: g.sram.filterReads * w.weightBits, ofmap: g.macs * w.accumulatorBits },
    interPeBits: { ifmap: 0, filter: 0, ofmap: interPePsumMoves * w.accumulatorBits },
  };
}

/** gemmActions' register-read rule is per MAC for every dataflow; RS overrides its writes and moves above. */
const RS_REGISTER_RULE: DataflowStrategy = {
  title: 'row stationary', rows: 'k', cols: 'n', time: 'm', stationary: 'filter', preload: false,
  movesBetweenPes: { ifmap: false, filter: false, ofmap: false }, partialSumsLeaveArray: true, horizontal: 'ifmap', firstFill: 'filter',
};

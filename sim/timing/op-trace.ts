/**
 * OpTrace: what a cost model says one GEMM does on the array — its timing, its SRAM and DRAM traffic and its stalls —
 * before any pricing. The default model (timing/trace-gemm.ts) and SCALE-Sim's (compat/scalesim/trace.ts) both
 * return one, so run/ composes either without knowing which.
 */
import type { Bytes, Cycles } from '../base/units.js';
import type { GemmTiming } from './gemm-timing.js';
import type { RsTraceDetail } from './rs-trace.js';

/** Per-operand access counts in words (elements); absent keys are not counted by that model. */
export interface MemoryCounts {
  readonly ifmapReads: number; readonly ifmapWrites?: number;
  readonly filterReads: number; readonly filterWrites?: number;
  readonly ofmapReads?: number; readonly ofmapWrites: number;
}

/** A per-operand rate (DRAM bandwidth needed to run without stalls). */
export interface OperandRates { readonly ifmap: number; readonly filter: number; readonly ofmap: number }

export interface OpTrace {
  readonly timing: GemmTiming;
  readonly sramWords: MemoryCounts;
  readonly dramWords: MemoryCounts;
  readonly dramReadBytes: Bytes;
  readonly dramWriteBytes: Bytes;
  readonly stallCycles: Cycles;
  /** DRAM bandwidth each operand needs, in `bandwidthUnit` (SCALE-Sim reports words per cycle). */
  readonly bandwidth: OperandRates;
  readonly bandwidthUnit: 'bytesPerCycle' | 'wordsPerCycle';
  /** Row stationary: the layer, its mapping and the fast model's per-level figures (timing/rs-trace.ts). */
  readonly rs?: RsTraceDetail;
}

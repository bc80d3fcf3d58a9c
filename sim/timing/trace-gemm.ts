/** The default cost model of one GEMM: the elapsed-cycle timing and the closed-form memory model → an OpTrace. */
import type { HwConfig } from '../arch/types.js';
import { bytes, cycles } from '../base/units.js';
import type { GemmOp } from '../lower/types.js';
import type { Mapping } from '../map/mapping.js';
import { gemmMemory } from './gemm-memory.js';
import { timeMapping } from './gemm-timing.js';
import type { OpTrace } from './op-trace.js';

export function traceGemm(op: GemmOp, mp: Mapping, hw: HwConfig): OpTrace {
  const timing = timeMapping(mp, hw.array);
  const mem = gemmMemory(op, hw, timing.computeCycles, mp);
  return {
    timing, sramWords: mem.sram, dramWords: mem.dram, dramReadBytes: bytes(mem.dramReadBytes), dramWriteBytes: bytes(mem.dramWriteBytes),
    stallCycles: cycles(mem.stallCycles), bandwidth: mem.bandwidthBytesPerCycle, bandwidthUnit: 'bytesPerCycle',
  };
}

/**
 * SCALE-Sim v2's cost model of one GEMM (`--compat scalesim`): its reported timing (timing.ts), its SRAM counts and
 * its DRAM accounting in CALC or USER bandwidth mode (memory.ts) → the same OpTrace the default model returns.
 * Counts are SCALE-Sim's words (1 byte each there), so bytes equal words and bandwidth is in words per cycle.
 */
import type { HwConfig } from '../../arch/types.js';
import { bytes, cycles } from '../../base/units.js';
import type { GemmOp } from '../../lower/types.js';
import type { Mapping } from '../../map/mapping.js';
import type { OpTrace } from '../../timing/op-trace.js';
import { scalesimCalcOfmap, scalesimCalcReads, scalesimSramCounts, scalesimUser } from './memory.js';
import type { ScalesimConv } from './streams.js';
import { scalesimTiming } from './timing.js';

/**
 * SCALE-Sim's address layout needs the conv behind a forward GEMM (batch 1, unpadded, equal strides, no dilation);
 * other GEMMs use a plain row-major layout.
 */
export function scalesimConv(op: GemmOp): ScalesimConv | undefined {
  const g = op.conv;
  if (!g || op.pass !== 'forward' || g.padding.some((p) => p !== 0)) return undefined;
  if (g.n !== 1 || g.stride[0] !== g.stride[1] || g.dilation.some((d) => d !== 1)) return undefined;
  return { h: g.h, w: g.w, c: g.c / g.groups, r: g.r, s: g.s, stride: g.stride[0], q: g.q };
}

export function scalesimTrace(op: GemmOp, mp: Mapping, hw: HwConfig): OpTrace {
  const timing = scalesimTiming(mp, hw.array);
  const { rows, cols, dataflow: df } = hw.array;
  const shape = { m: op.m, k: op.k, n: op.n };
  const geom = scalesimConv(op);
  const words = { ifmap: hw.sram.ifmapKib * 1024, filter: hw.sram.filterKib * 1024, ofmap: hw.sram.ofmapKib * 1024 };
  const sramWords = scalesimSramCounts(shape, df, rows, cols);
  if (hw.dram.bandwidthMode === 'user') {
    const u = scalesimUser(shape, df, rows, cols, words, hw.dram.bytesPerCycle, geom);
    // Ofmap DRAM writes through SCALE-Sim's write buffer (lines of `bw` words, short lines counted as full).
    const ofmapWrites = u.ofmapWrites ?? sramWords.ofmapWrites;
    const elapsed = timing.computeCycles + u.stallCycles;
    return {
      timing, sramWords, dramWords: { ifmapReads: u.ifmapReads, filterReads: u.filterReads, ofmapWrites },
      dramReadBytes: bytes(u.ifmapReads + u.filterReads), dramWriteBytes: bytes(ofmapWrites), stallCycles: cycles(u.stallCycles),
      bandwidth: { ifmap: u.ifmapReads / elapsed, filter: u.filterReads / elapsed, ofmap: ofmapWrites / elapsed }, bandwidthUnit: 'wordsPerCycle',
    };
  }
  const c = scalesimCalcReads(shape, df, rows, cols, words, geom);
  // CALC mode: the ofmap drains at cols words/cycle through the same write buffer, which fixes its write count.
  const ofmapWrites = scalesimCalcOfmap(shape, df, rows, cols, words.ofmap, geom).writes;
  return {
    timing, sramWords, dramWords: { ifmapReads: c.ifmap.reads, filterReads: c.filter.reads, ofmapWrites },
    dramReadBytes: bytes(c.ifmap.reads + c.filter.reads), dramWriteBytes: bytes(ofmapWrites), stallCycles: cycles(0),
    bandwidth: { ifmap: c.ifmap.wordsPerCycle, filter: c.filter.wordsPerCycle, ofmap: ofmapWrites / Math.max(1, timing.computeCycles) },
    bandwidthUnit: 'wordsPerCycle',
  };
}

/**
 * SCALE-Sim v2's cost model of one GEMM (`--compat scalesim`): its reported timing (timing.ts), its SRAM counts and
 * its DRAM accounting in CALC or USER bandwidth mode (memory.ts) → the same OpTrace the default model returns, plus
 * the row of SCALE-Sim's own report files. Counts are SCALE-Sim's words (1 byte each there), so bytes equal words and
 * bandwidth is in words per cycle: the DRAM bandwidth of an operand is its count ÷ its own DRAM window, as SCALE-Sim
 * reports it.
 */
import type { HwConfig } from '../../arch/types.js';
import { checkSize } from '../../base/limits.js';
import { bytes, cycles } from '../../base/units.js';
import type { GemmOp } from '../../lower/types.js';
import type { Mapping } from '../../map/mapping.js';
import type { OpTrace } from '../../timing/op-trace.js';
import { scalesimMemory } from './memory.js';
import type { ScalesimReportRow, ScalesimWindow } from './report-row.js';
import type { ScalesimConv } from './streams.js';
import { scalesimFoldAverages, scalesimTiming } from './timing.js';

/**
 * The conv behind a forward GEMM, for SCALE-Sim's address layout: the unpadded input, its window and strides, and
 * the top/left zero padding as an origin offset (addresses outside the input are "no access"). SCALE-Sim's own
 * layers have only the ceil rule's bottom/right overhang (< stride); other padding, batches and unequal strides are
 * our extension of the same rule. Dilated convs and backward GEMMs use a plain row-major layout.
 */
export function scalesimConv(op: GemmOp): ScalesimConv | undefined {
  const g = op.conv;
  if (!g || op.pass !== 'forward' || g.dilation.some((d) => d !== 1)) return undefined;
  return {
    n: g.n, h: g.h, w: g.w, c: g.c / g.groups, r: g.r, s: g.s, strideH: g.stride[0], strideW: g.stride[1],
    padTop: g.padding[0], padLeft: g.padding[2], p: g.p, q: g.q,
  };
}

const rate = (w: ScalesimWindow) => w.words / (w.stopCycle - w.startCycle + 1);

/**
 * The address-stream entries SCALE-Sim's method walks for one GEMM: every cycle of every fold, across the array's
 * rows and columns (its demand matrices). The emulation's time grows with it, so it is a limit (docs/limits.md).
 */
export function scalesimSteps(mp: Mapping, array: { readonly rows: number; readonly cols: number }): number {
  return mp.folds * mp.temporal * (array.rows + array.cols);
}

export function scalesimTrace(op: GemmOp, mp: Mapping, hw: HwConfig): OpTrace & { readonly scalesim: ScalesimReportRow } {
  checkSize(scalesimSteps(mp, hw.array), 'scalesimSteps', { path: `layer ${op.layer} (${op.pass}, GEMM ${op.m}×${op.k}×${op.n})` },
    `the ${mp.folds} folds × ${mp.temporal} cycles of --compat scalesim's address streams`);
  const timing = scalesimTiming(mp, hw.array);
  const { rows, cols } = hw.array, df = mp.dataflow;
  const words = { ifmap: hw.sram.ifmapKib * 1024, filter: hw.sram.filterKib * 1024, ofmap: hw.sram.ofmapKib * 1024 };
  const mode = hw.dram.bandwidthMode === 'user' ? 'user' : 'calc';
  const mem = scalesimMemory({ m: op.m, k: op.k, n: op.n }, df, rows, cols, { sramWords: words, mode, bw: hw.dram.bytesPerCycle }, scalesimConv(op));
  const total = timing.computeCycles + mem.stallCycles;
  const { sram, dram } = mem;
  const scalesim: ScalesimReportRow = {
    totalCycles: total, stallCycles: mem.stallCycles,
    overallUtilPct: (op.m * op.k * op.n * 100) / (total * rows * cols),
    ...scalesimFoldAverages(mp, hw.array),
    sram, dram,
  };
  return {
    timing,
    sramWords: { ifmapReads: sram.ifmap.words, filterReads: sram.filter.words, ofmapWrites: sram.ofmap.words },
    dramWords: { ifmapReads: dram.ifmap.words, filterReads: dram.filter.words, ofmapWrites: dram.ofmap.words },
    dramReadBytes: bytes(dram.ifmap.words + dram.filter.words), dramWriteBytes: bytes(dram.ofmap.words), stallCycles: cycles(mem.stallCycles),
    bandwidth: { ifmap: rate(dram.ifmap), filter: rate(dram.filter), ofmap: rate(dram.ofmap) }, bandwidthUnit: 'wordsPerCycle',
    scalesim,
  };
}

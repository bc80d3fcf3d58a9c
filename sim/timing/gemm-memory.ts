/**
 * Default-mode memory model of one GEMM: SRAM and DRAM traffic per operand and DRAM stall cycles, in closed form
 * (no per-address work). In: the GEMM (m, k, n, operands' unique elements), the array and dataflow, the HwConfig's
 * SRAM and DRAM. Out: exact integer counts in words (elements). Must not import run/, report/ or cli/.
 *
 * Buffers: the ifmap SRAM holds operand a (forward X; backwardData dY; backwardWeight Xᵀ), the filter SRAM operand b
 * (forward W; backwardData Wᵀ; backwardWeight dY), the ofmap SRAM the result c (Y, dX, dW) and its partial sums.
 *
 * Tiling rule. The array runs column folds outer, row folds inner, time innermost (docs/cycle-model.md §3). Each input
 * operand is held at the largest of three levels that fits the capacity available to it (half the SRAM when double
 * buffered, the other half prefetching): (1) the whole operand — its unique elements are read from DRAM once;
 * (2) the slice one outer pass re-streams — read once per pass (unique elements × passes); (3) nothing — every SRAM
 * read is a DRAM read. The stationary operand of ws/is is loaded tile by tile, once. Partial sums of ws/is stay in
 * the ofmap SRAM across row folds when one column fold's accumulators fit; otherwise every row fold writes them out
 * and reads them back. With sram.activationsOnChip (TPU v1's Unified Buffer), a GEMM whose input a and result both
 * fit the ifmap SRAM reads a from it and writes the result into it: neither moves through DRAM. A mapper may split the streamed dim into chunks (map/mapping.ts `chunks`): every fold then
 * runs once per chunk, one chunk's partial sums are what must fit, the stationary operand is loaded once per chunk
 * (from DRAM once if it fits its SRAM, else at every load), and a streamed operand whose chunk share fits is read once.
 *
 * Stalls (USER bandwidth mode; CALC never stalls and reports the bandwidth needed instead): DRAM moves
 * bytes ÷ bytesPerCycle cycles. Double buffered: the first tile's fill (plus the DRAM latency) and the last output
 * tile's drain are exposed, the rest overlaps compute and stalls only where it is longer than compute. Single
 * buffered: nothing overlaps.
 *
 * Split in two so that a sweep can reuse the first across bandwidths: `gemmTraffic` (what the SRAM sizes set: the
 * counts, bytes and tiling) and `dramStallCycles` (what the DRAM then costs in cycles); `gemmMemory` is both.
 */
import { type HwConfig, PRECISION_BITS } from '../arch/types.js';
import { type Mapping, type OperandMapping, mapGemm } from '../map/mapping.js';
import { SimError } from '../base/errors.js';
import type { GemmOp } from '../lower/types.js';

export interface SramCounts {
  readonly ifmapReads: number; readonly ifmapWrites: number;
  readonly filterReads: number; readonly filterWrites: number;
  readonly ofmapReads: number; readonly ofmapWrites: number;
}
export interface DramCounts {
  readonly ifmapReads: number; readonly filterReads: number; readonly ofmapReads: number; readonly ofmapWrites: number;
}
/**
 * What the SRAM sizes set (no bandwidth): the counts, the bytes, and the bytes of the exposed first fill and last drain.
 * `gemmMemory` is this plus the stalls; a sweep computes it once per SRAM size and prices the stalls per bandwidth.
 */
export interface GemmTraffic extends Omit<GemmMemory, 'stallCycles'> {
  /** Bytes of the first fold tile (exposed before compute starts) and of the last output tile (after it ends). */
  readonly firstFillBytes: number;
  readonly lastDrainBytes: number;
}

export interface GemmMemory {
  readonly sram: SramCounts;
  readonly dram: DramCounts;
  readonly dramReadBytes: number;
  readonly dramWriteBytes: number;
  /** Bytes per compute cycle each operand needs to run without stalls. */
  readonly bandwidthBytesPerCycle: { readonly ifmap: number; readonly filter: number; readonly ofmap: number };
  readonly stallCycles: number;
  /** Which level of the tiling rule each operand got (1 whole, 2 per pass, 3 streamed). */
  readonly tiling: { readonly ifmap: 1 | 2 | 3; readonly filter: 1 | 2 | 3; readonly partialSumsOnChip: boolean };
}

/** Throws when a count leaves the exact-integer range of a double (never a silently wrong number). */
export function exact(v: number, what: string): number {
  if (!Number.isSafeInteger(v) || v < 0) {
    throw new SimError(`${what} (${v}) is not an exact count: it exceeds 2^53 or is negative`, { code: 'overflow', path: what, value: v });
  }
  return v;
}

/** Bytes of `words` elements of `bits` each, packed (int4: two to a byte), a partial byte counted whole. */
export function packedBytes(words: number, bits: number): number {
  return Math.ceil((words * bits) / 8);
}

interface Level { readonly level: 1 | 2 | 3; readonly reads: number }

/**
 * DRAM reads of a streamed operand under the tiling rule. With chunks (a mapper's choice), one chunk's share of the
 * operand that fits is loaded once and serves every fold of its chunk: the operand is read once in all.
 */
function streamedReads(unique: number, passes: number, sliceWords: number, sramReads: number, capWords: number, chunks = 1): Level {
  if (unique <= capWords) return { level: 1, reads: unique };
  if (chunks > 1 && Math.ceil(unique / chunks) <= capWords) return { level: 2, reads: Math.min(unique, sramReads) };
  if (sliceWords <= capWords) return { level: 2, reads: Math.min(unique * passes, sramReads) };
  return { level: 3, reads: sramReads };
}

export function gemmMemory(op: Pick<GemmOp, 'm' | 'k' | 'n' | 'operands'>, hw: HwConfig, computeCycles: number, mp: Mapping = mapGemm(op.m, op.k, op.n, hw.array)): GemmMemory {
  const t = gemmTraffic(op, hw, computeCycles, mp);
  return {
    sram: t.sram, dram: t.dram, dramReadBytes: t.dramReadBytes, dramWriteBytes: t.dramWriteBytes, bandwidthBytesPerCycle: t.bandwidthBytesPerCycle,
    stallCycles: dramStallCycles(hw, computeCycles, t), tiling: t.tiling,
  };
}

/** The memory model without the stalls: reads the SRAM sizes (and the array, numerics, double buffering), not the DRAM. */
export function gemmTraffic(op: Pick<GemmOp, 'm' | 'k' | 'n' | 'operands'>, hw: HwConfig, computeCycles: number, mp: Mapping = mapGemm(op.m, op.k, op.n, hw.array)): GemmTraffic {
  const { m, n } = op;
  const inBits = PRECISION_BITS[hw.numerics.input], wBits = PRECISION_BITS[hw.numerics.weight], accBits = hw.numerics.accumulatorBits;
  const share = hw.sram.doubleBuffered ? 0.5 : 1;
  const cap = (kib: number, bits: number) => Math.floor((kib * 1024 * 8 * share) / bits);
  const capA = cap(hw.sram.ifmapKib, inBits), capB = cap(hw.sram.filterKib, wBits), capC = cap(hw.sram.ofmapKib, accBits);
  const uA = op.operands.a.uniqueElements, uB = op.operands.b.uniqueElements;
  const rf = mp.rowFolds;
  const { ifmap: opA, filter: opB, ofmap: opC } = mp.operands;
  const sramA = opA.sramReadsWords, sramB = opB.sramReadsWords;
  // A stationary operand is loaded tile by tile, once: from DRAM once if it fits, else every load is a DRAM read.
  const level = (o: OperandMapping, unique: number, sramReads: number, capWords: number): Level =>
    o.stationary ? (unique <= capWords ? { level: 1, reads: unique } : { level: 3, reads: sramReads })
      : streamedReads(unique, o.outerPasses, o.foldTileWords, sramReads, capWords, mp.chunks);
  const uC = op.operands.c.uniqueElements;
  // Activations on chip (sram.activationsOnChip): the input and the result both held in the ifmap SRAM.
  const actsOnChip = hw.sram.activationsOnChip === true && uA + uC <= capA;
  const a = actsOnChip ? { level: 1 as const, reads: 0 } : level(opA, uA, sramA, capA), b = level(opB, uB, sramB, capB);
  const leave = mp.strategy.partialSumsLeaveArray;
  const out = m * n;
  // Partial sums that leave the array stay in the ofmap SRAM across row folds when what is open at once fits: one
  // column fold's (column folds outer), or all of them (row folds outer: every row fold passes over every column).
  const onChip = !leave || rf === 1 || (mp.order === 'colsOuter' ? opC.foldTileWords : out) <= capC;
  const finalWrites = actsOnChip ? 0 : out; // on chip, the result goes to the ifmap SRAM for the next layer
  const ofmapWritesDram = onChip ? finalWrites : (rf - 1) * out + finalWrites;
  const ofmapReadsDram = onChip ? 0 : (rf - 1) * out;
  const sram: SramCounts = {
    ifmapReads: exact(sramA, 'sram.ifmapReads'), ifmapWrites: exact(actsOnChip ? out : a.reads, 'sram.ifmapWrites'),
    filterReads: exact(sramB, 'sram.filterReads'), filterWrites: exact(b.reads, 'sram.filterWrites'),
    // Partial sums leaving the array: each row fold adds its partial sums to the ones held (read-modify-write).
    ofmapWrites: exact(leave ? rf * out + ofmapReadsDram : out, 'sram.ofmapWrites'),
    ofmapReads: exact(leave ? (rf - 1) * out + ofmapWritesDram : out, 'sram.ofmapReads'),
  };
  const dram: DramCounts = {
    ifmapReads: exact(a.reads, 'dram.ifmapReads'), filterReads: exact(b.reads, 'dram.filterReads'),
    ofmapReads: exact(ofmapReadsDram, 'dram.ofmapReads'), ofmapWrites: exact(ofmapWritesDram, 'dram.ofmapWrites'),
  };
  // Partial sums travel at accumulator width, final outputs at the activation width.
  const ofmapWriteBytes = (onChip ? 0 : packedBytes((rf - 1) * out, accBits)) + packedBytes(finalWrites, inBits);
  const ifmapBytes = packedBytes(dram.ifmapReads, inBits), filterBytes = packedBytes(dram.filterReads, wBits), psumBytes = packedBytes(ofmapReadsDram, accBits);
  const dramReadBytes = exact(ifmapBytes + filterBytes + psumBytes, 'dramReadBytes');
  const dramWriteBytes = exact(ofmapWriteBytes, 'dramWriteBytes');
  if ((!actsOnChip && (dram.ifmapReads < uA || dram.ofmapWrites < uC)) || dram.filterReads < uB) {
    throw new SimError('DRAM traffic below the compulsory traffic (every element touched once): a memory-model bug', { code: 'internal', path: 'memory', value: dram });
  }
  const bwPer = (bytes: number) => (computeCycles > 0 ? bytes / computeCycles : 0);
  const bandwidthBytesPerCycle = { ifmap: bwPer(ifmapBytes), filter: bwPer(filterBytes), ofmap: bwPer(ofmapWriteBytes + psumBytes) };
  // Exposed first fill: the first fold tile of the operand the strategy names (map/dataflow.ts).
  const first = mp.strategy.firstFill;
  const firstBytes = Math.min(dramReadBytes, packedBytes(mp.operands[first].foldTileWords, first === 'ifmap' ? inBits : wBits));
  const lastBytes = Math.min(dramWriteBytes, packedBytes(hw.array.rows * hw.array.cols, inBits));
  return {
    sram, dram, dramReadBytes, dramWriteBytes, bandwidthBytesPerCycle,
    tiling: { ifmap: a.level, filter: b.level, partialSumsOnChip: onChip },
    firstFillBytes: firstBytes, lastDrainBytes: lastBytes,
  };
}

/** The DRAM bytes a GEMM's stalls depend on (GemmTraffic's). */
export type StallBytes = Pick<GemmTraffic, 'dramReadBytes' | 'dramWriteBytes' | 'firstFillBytes' | 'lastDrainBytes'>;

/**
 * The stall cycles of a GEMM's DRAM traffic: reads the DRAM (bandwidth, its mode, latency) and whether the SRAMs are
 * double buffered; the traffic is `gemmTraffic`'s.
 */
export function dramStallCycles(hw: { readonly dram: HwConfig['dram']; readonly sram: Pick<HwConfig['sram'], 'doubleBuffered'> }, computeCycles: number, t: StallBytes): number {
  if (hw.dram.bandwidthMode === 'calc') return 0;
  return userStallCycles(hw.dram.bytesPerCycle, hw.dram.latencyCycles ?? 0, hw.sram.doubleBuffered, computeCycles, t.dramReadBytes, t.dramWriteBytes, t.firstFillBytes, t.lastDrainBytes);
}

/** dramStallCycles in USER mode, on plain numbers (a sweep calls it per GEMM shape and point, allocating nothing). */
export function userStallCycles(
  bytesPerCycle: number, latencyCycles: number, doubleBuffered: boolean, computeCycles: number,
  readBytes: number, writeBytes: number, firstFillBytes: number, lastDrainBytes: number,
): number {
  const bw = bytesPerCycle;
  if (!Number.isFinite(bw)) return latencyCycles;
  const total = Math.ceil((readBytes + writeBytes) / bw);
  if (!doubleBuffered) return latencyCycles + total;
  const fill = Math.ceil(firstFillBytes / bw), drain = Math.ceil(lastDrainBytes / bw);
  return latencyCycles + fill + drain + Math.max(0, total - fill - drain - computeCycles);
}

/**
 * The fewest chunks of the streamed dim (map/mapping.ts `chunks`) with which one column fold's partial sums fit the
 * ofmap SRAM (1 when they already fit, when they never leave the array, or when even one row of them does not fit).
 */
export function chunksForPartialSums(mp: Mapping, hw: Pick<HwConfig, 'sram' | 'numerics'>, cols: number): number {
  if (!mp.strategy.partialSumsLeaveArray || mp.rowFolds === 1) return 1;
  const capC = Math.floor((hw.sram.ofmapKib * 1024 * 8 * (hw.sram.doubleBuffered ? 0.5 : 1)) / hw.numerics.accumulatorBits);
  const tileCols = Math.min(cols, mp.spatialCols);
  const rowsThatFit = Math.floor(capC / tileCols);
  if (rowsThatFit < 1 || rowsThatFit >= mp.temporal) return 1;
  return Math.ceil(mp.temporal / rowsThatFit);
}

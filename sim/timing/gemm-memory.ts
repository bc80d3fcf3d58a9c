/**
 * Default-mode memory model of one GEMM: SRAM and DRAM traffic per operand and DRAM stall cycles, in closed form
 * (no per-address work). In: the GEMM (m, k, n, operands' unique elements), the array and dataflow, the HwConfig's
 * SRAM and DRAM. Out: exact integer counts in words (elements). Must not import run/, report/ or cli/.
 *
 * Buffers: the ifmap SRAM holds operand a (forward X; backwardData dY; backwardWeight Xᵀ), the filter SRAM operand b
 * (forward W; backwardData Wᵀ; backwardWeight dY), the ofmap SRAM the result c (Y, dX, dW) and its partial sums.
 *
 * Tiling rule. The array runs column folds outer, row folds inner, time innermost (cycle-model.md). Each input
 * operand is held at the largest of three levels that fits the capacity available to it (half the SRAM when double
 * buffered, the other half prefetching): (1) the whole operand — its unique elements are read from DRAM once;
 * (2) the slice one outer pass re-streams — read once per pass (unique elements × passes); (3) nothing — every SRAM
 * read is a DRAM read. The stationary operand of ws/is is loaded tile by tile, once. Partial sums of ws/is stay in
 * the ofmap SRAM across row folds when one column fold's accumulators fit; otherwise every row fold writes them out
 * and reads them back.
 *
 * Stalls (USER bandwidth mode; CALC never stalls and reports the bandwidth needed instead): DRAM moves
 * bytes ÷ bytesPerCycle cycles. Double buffered: the first tile's fill (plus the DRAM latency) and the last output
 * tile's drain are exposed, the rest overlaps compute and stalls only where it is longer than compute. Single
 * buffered: nothing overlaps.
 */
import type { Dataflow, HwConfig } from '../arch/types.js';
import { PRECISION_BITS } from '../arch/types.js';
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

interface Level { readonly level: 1 | 2 | 3; readonly reads: number }

/** DRAM reads of a streamed operand under the tiling rule. */
function streamedReads(unique: number, passes: number, sliceWords: number, sramReads: number, capWords: number): Level {
  if (unique <= capWords) return { level: 1, reads: unique };
  if (sliceWords <= capWords) return { level: 2, reads: Math.min(unique * passes, sramReads) };
  return { level: 3, reads: sramReads };
}

export function gemmMemory(op: Pick<GemmOp, 'm' | 'k' | 'n' | 'operands'>, hw: HwConfig, computeCycles: number, df: Dataflow = hw.array.dataflow): GemmMemory {
  const { m, k, n } = op;
  const { rows, cols } = hw.array;
  const inBytes = PRECISION_BITS[hw.numerics.input] / 8, wBytes = PRECISION_BITS[hw.numerics.weight] / 8;
  const accBytes = hw.numerics.accumulatorBits / 8;
  const share = hw.sram.doubleBuffered ? 0.5 : 1;
  const cap = (kib: number, bytes: number) => Math.floor((kib * 1024 * share) / bytes);
  const capA = cap(hw.sram.ifmapKib, inBytes), capB = cap(hw.sram.filterKib, wBytes), capC = cap(hw.sram.ofmapKib, accBytes);
  const uA = op.operands.a.uniqueElements, uB = op.operands.b.uniqueElements;
  const rf = df === 'os' ? Math.ceil(m / rows) : Math.ceil(k / rows);
  const cf = df === 'is' ? Math.ceil(m / cols) : Math.ceil(n / cols);
  let a: Level, b: Level, sramA: number, sramB: number, psumWords = 0;
  if (df === 'os') {
    sramA = cf * m * k; sramB = rf * n * k;
    a = streamedReads(uA, cf, Math.min(rows, m) * k, sramA, capA);
    b = streamedReads(uB, 1, k * Math.min(cols, n), sramB, capB);
  } else if (df === 'ws') {
    sramA = cf * m * k; sramB = k * n;
    a = streamedReads(uA, cf, m * Math.min(rows, k), sramA, capA);
    b = { level: 1, reads: uB };
    psumWords = m * Math.min(cols, n);
  } else {
    sramA = m * k; sramB = cf * k * n;
    a = uA <= capA ? { level: 1, reads: uA } : { level: 3, reads: sramA };
    b = streamedReads(uB, cf, Math.min(rows, k) * n, sramB, capB);
    psumWords = Math.min(cols, m) * n;
  }
  const out = m * n;
  const onChip = df === 'os' || rf === 1 || psumWords <= capC;
  const ofmapWritesDram = onChip ? out : rf * out;
  const ofmapReadsDram = onChip ? 0 : (rf - 1) * out;
  const sram: SramCounts = {
    ifmapReads: exact(sramA, 'sram.ifmapReads'), ifmapWrites: exact(a.reads, 'sram.ifmapWrites'),
    filterReads: exact(sramB, 'sram.filterReads'), filterWrites: exact(b.reads, 'sram.filterWrites'),
    // ws/is: each row fold adds its partial sums to the ones held (read-modify-write); the final ones drain.
    ofmapWrites: exact(df === 'os' ? out : rf * out + ofmapReadsDram, 'sram.ofmapWrites'),
    ofmapReads: exact(df === 'os' ? out : (rf - 1) * out + ofmapWritesDram, 'sram.ofmapReads'),
  };
  const dram: DramCounts = {
    ifmapReads: exact(a.reads, 'dram.ifmapReads'), filterReads: exact(b.reads, 'dram.filterReads'),
    ofmapReads: exact(ofmapReadsDram, 'dram.ofmapReads'), ofmapWrites: exact(ofmapWritesDram, 'dram.ofmapWrites'),
  };
  // Partial sums travel at accumulator width, final outputs at the activation width.
  const ofmapWriteBytes = onChip ? out * inBytes : (rf - 1) * out * accBytes + out * inBytes;
  const dramReadBytes = exact(dram.ifmapReads * inBytes + dram.filterReads * wBytes + ofmapReadsDram * accBytes, 'dramReadBytes');
  const dramWriteBytes = exact(ofmapWriteBytes, 'dramWriteBytes');
  if (dram.ifmapReads < uA || dram.filterReads < uB || dram.ofmapWrites < op.operands.c.uniqueElements) {
    throw new SimError('DRAM traffic below the compulsory traffic (every element touched once): a memory-model bug', { code: 'internal', path: 'memory', value: dram });
  }
  const bwPer = (bytes: number) => (computeCycles > 0 ? bytes / computeCycles : 0);
  const bandwidthBytesPerCycle = { ifmap: bwPer(dram.ifmapReads * inBytes), filter: bwPer(dram.filterReads * wBytes), ofmap: bwPer(ofmapWriteBytes + ofmapReadsDram * accBytes) };
  return { sram, dram, dramReadBytes, dramWriteBytes, bandwidthBytesPerCycle, stallCycles: stallCycles(hw, computeCycles, dramReadBytes, dramWriteBytes, { rows, cols, k, n, m, df, inBytes, wBytes }), tiling: { ifmap: a.level, filter: b.level, partialSumsOnChip: onChip } };
}

function stallCycles(hw: HwConfig, computeCycles: number, readBytes: number, writeBytes: number, g: { rows: number; cols: number; m: number; k: number; n: number; df: Dataflow; inBytes: number; wBytes: number }): number {
  if (hw.dram.bandwidthMode === 'calc') return 0;
  const bw = hw.dram.bytesPerCycle, latency = hw.dram.latencyCycles ?? 0;
  if (!Number.isFinite(bw)) return latency;
  const total = Math.ceil((readBytes + writeBytes) / bw);
  if (!hw.sram.doubleBuffered) return latency + total;
  // First fill: the first fold's operands (rows of a, cols of b); last drain: the last fold's outputs.
  const t = g.df === 'os' ? g.k : g.df === 'ws' ? g.m : g.n;
  const firstBytes = Math.min(readBytes, (g.df === 'ws' ? Math.min(g.rows, g.k) * Math.min(g.cols, g.n) * g.wBytes : Math.min(g.rows, g.df === 'os' ? g.m : g.k) * t * g.inBytes));
  const lastBytes = Math.min(writeBytes, g.rows * g.cols * g.inBytes);
  const fill = Math.ceil(firstBytes / bw), drain = Math.ceil(lastBytes / bw);
  return latency + fill + drain + Math.max(0, total - fill - drain - computeCycles);
}

/**
 * `--compat scalesim`: SCALE-Sim v2's memory numbers for one GEMM (cycle-model.md, "SRAM accesses", "Memory system").
 *   - SRAM accesses per operand: its closed forms, including the os ofmap double count folds·(rows + cols).
 *   - CALC mode: DRAM reads by its set-based counting, emulated address by address over the demand stream
 *     (scalesim-streams.ts): an SRAM of S words is 100 sets of ⌊S/100⌋ words; a demanded address not in the current
 *     block of 50 sets (nor the set being filled) is a DRAM read; the bandwidth it reports is reads ÷ its active DRAM
 *     window, timed back from cycle 0 at 10 words/cycle for the first block.
 *   - USER mode: lines of `bw` words in prefetch order; the first half-buffer is fetched before cycle 0; a miss in the
 *     active window rolls it forward by a half-buffer whose fetch starts the cycle after the previous one ended; the
 *     demand row stalls until it has arrived. DRAM reads are counted in whole lines, refetches included.
 * Ofmap DRAM traffic is not emulated (SCALE-Sim's write buffer adds a few words to the SRAM count; see
 * sim/timing/README.md); ofmap write-buffer stalls are not modelled (reads dominate USER-mode stalls).
 */
import type { Dataflow } from '../arch/types.js';
import { type ConvGeometry, type GemmShape, demandPlan, forEachInRow, ifmapSpace, prefetchOrder } from './scalesim-streams.js';

export interface ScalesimSram { readonly ifmapReads: number; readonly filterReads: number; readonly ofmapWrites: number }

export function scalesimSramCounts(s: GemmShape, df: Dataflow, rows: number, cols: number): ScalesimSram {
  const { m, k, n } = s;
  if (df === 'os') {
    const rf = Math.ceil(m / rows), cf = Math.ceil(n / cols);
    return { ifmapReads: cf * m * k, filterReads: rf * n * k, ofmapWrites: m * n + rf * cf * (rows + cols) };
  }
  const rf = Math.ceil(k / rows);
  if (df === 'ws') return { ifmapReads: Math.ceil(n / cols) * m * k, filterReads: k * n, ofmapWrites: rf * m * n };
  return { ifmapReads: k * m, filterReads: Math.ceil(m / cols) * k * n, ofmapWrites: rf * m * n };
}

export interface ScalesimDramRead {
  readonly reads: number;
  /** The DRAM activity window SCALE-Sim reports (its trace's first and last cycle) and reads ÷ its length. */
  readonly startCycle: number;
  readonly stopCycle: number;
  readonly wordsPerCycle: number;
}

const SETS = 100, ACTIVE_SETS = 50, ESTIMATE_BW = 10, LATENCY = 1;

/** CALC-mode DRAM reads of ifmap and filter: SCALE-Sim's set-based counting over its demand stream. */
export function scalesimCalcReads(shape: GemmShape, df: Dataflow, rows: number, cols: number, sramWords: { ifmap: number; filter: number }, geom?: ConvGeometry): { ifmap: ScalesimDramRead; filter: ScalesimDramRead } {
  const plan = demandPlan(shape, df, rows, cols, geom);
  const mk = (op: 'ifmap' | 'filter', space: number) => {
    const perSet = Math.floor(sramWords[op] / SETS);
    return { op, perSet, last: new Int32Array(space).fill(-1), setId: 0, inSet: 0, blockStart: 0, reads: 0, firstReq: -1, boundaries: [] as number[] };
  };
  const st = [mk('ifmap', ifmapSpace(geom, shape)), mk('filter', shape.k * shape.n)];
  let cycle = 0;
  for (let fc = 0; fc < plan.colFolds; fc++) for (let fr = 0; fr < plan.rowFolds; fr++) {
    for (let t = 0; t < plan.cyclesPerFold; t++, cycle++) {
      for (const s of st) {
        const d = plan.ops[s.op];
        forEachInRow(d, fr, fc, t, (a) => {
          if (s.firstReq < 0) s.firstReq = cycle;
          if (s.last[a] >= s.blockStart) return;
          s.last[a] = s.setId;
          s.reads++;
          if (++s.inSet === s.perSet) {
            s.inSet = 0;
            s.setId++;
            if (s.setId % ACTIVE_SETS === 0) { s.blockStart = s.setId; s.boundaries.push(cycle); }
          }
        });
      }
    }
  }
  const result = (s: (typeof st)[number]): ScalesimDramRead => {
    const sets = s.setId + (s.inSet > 0 ? 1 : 0);
    let start: number, stop: number;
    if (s.boundaries.length === 0) {
      const cycles = Math.ceil((sets * s.perSet) / ESTIMATE_BW);
      stop = -1; start = -cycles;
    } else {
      const end0 = Math.max(s.firstReq, 0) - 1 - LATENCY;
      start = end0 - Math.ceil((ACTIVE_SETS * s.perSet) / ESTIMATE_BW) + 1 + LATENCY;
      stop = s.boundaries[s.boundaries.length - 1] + LATENCY;
    }
    return { reads: s.reads, startCycle: start, stopCycle: stop, wordsPerCycle: s.reads / (stop - start + 1) };
  };
  return { ifmap: result(st[0]), filter: result(st[1]) };
}

/** One read buffer in USER mode: the active window of prefetch lines and when the last prefetch completes. */
class UserReadBuffer {
  private readonly lineStart: Int32Array; // CSR: lines holding each address, ascending
  private readonly lineIds: Int32Array;
  readonly numLines: number;
  private readonly activeLines: number;
  private readonly prefetchLines: number;
  private readonly prefetchFetchLines: number;
  private s = 0;
  private e: number;
  lastPrefetchCycle: number;
  dramReads: number;

  constructor(order: Int32Array, rawEntries: number, space: number, sizeWords: number, private readonly bw: number) {
    const active = Math.ceil(sizeWords * 0.5), prefetch = sizeWords - active;
    this.numLines = Math.floor(order.length / bw) + 1;
    this.activeLines = Math.min(Math.ceil(active / bw), this.numLines);
    this.prefetchLines = Math.min(Math.ceil(prefetch / bw), this.numLines - this.activeLines);
    this.prefetchFetchLines = Math.ceil(prefetch / bw);
    this.e = this.activeLines;
    const counts = new Int32Array(space + 1);
    for (let i = 0; i < order.length; i++) counts[order[i] + 1]++;
    for (let a = 0; a < space; a++) counts[a + 1] += counts[a];
    this.lineStart = counts;
    const fill = counts.slice(0, space);
    this.lineIds = new Int32Array(order.length);
    for (let i = 0; i < order.length; i++) this.lineIds[fill[order[i]]++] = Math.floor(i / bw);
    // The first half-buffer arrives before cycle 0 (SCALE-Sim times it back from the first request).
    const firstLines = Math.min(Math.ceil(active / bw), Math.ceil(rawEntries / bw));
    this.dramReads = firstLines * bw;
    this.lastPrefetchCycle = -1;
  }

  /** The first line of the active window holding addr, or −1. */
  hit(addr: number): number {
    const lo = this.lineStart[addr], hi = this.lineStart[addr + 1];
    const first = (from: number, to: number) => {
      let a = lo, b = hi;
      while (a < b) { const mid = (a + b) >> 1; if (this.lineIds[mid] < from) a = mid + 1; else b = mid; }
      return a < hi && this.lineIds[a] < to ? this.lineIds[a] : -1;
    };
    if (this.s < this.e) return first(this.s, this.e);
    const x = first(this.s, this.numLines);
    return x >= 0 ? x : first(0, this.e);
  }

  /** Roll the window forward by a half-buffer; its fetch starts the cycle after the previous one ended. */
  prefetch(): void {
    this.s = (this.s + this.prefetchLines) % this.numLines;
    this.e = (this.s + this.activeLines) % this.numLines;
    this.lastPrefetchCycle += this.prefetchFetchLines + LATENCY;
    this.dramReads += this.prefetchFetchLines * this.bw;
  }
}

const userBuffer = (p: { order: Int32Array; rawEntries: number }, space: number, words: number, bw: number) => new UserReadBuffer(p.order, p.rawEntries, space, words, bw);

export interface ScalesimUserResult { readonly stallCycles: number; readonly ifmapReads: number; readonly filterReads: number }

/** USER mode: stall cycles and DRAM reads (whole lines) of ifmap and filter at `bw` words/cycle. */
export function scalesimUser(shape: GemmShape, df: Dataflow, rows: number, cols: number, sramWords: { ifmap: number; filter: number }, bw: number, geom?: ConvGeometry): ScalesimUserResult {
  const plan = demandPlan(shape, df, rows, cols, geom);
  const bufs = {
    ifmap: userBuffer(prefetchOrder(shape, df, 'ifmap', rows, cols, geom), ifmapSpace(geom, shape), sramWords.ifmap, bw),
    filter: userBuffer(prefetchOrder(shape, df, 'filter', rows, cols, geom), shape.k * shape.n, sramWords.filter, bw),
  };
  let stalls = 0, row = 0;
  for (let fc = 0; fc < plan.colFolds; fc++) for (let fr = 0; fr < plan.rowFolds; fr++) {
    for (let t = 0; t < plan.cyclesPerFold; t++, row++) {
      const cycle = row + stalls;
      let worst = 0;
      for (const op of ['ifmap', 'filter'] as const) {
        const b = bufs[op];
        let offset = 1;
        forEachInRow(plan.ops[op], fr, fc, t, (a) => {
          let line = b.hit(a);
          while (line < 0) {
            b.prefetch();
            const wait = b.lastPrefetchCycle - (cycle + offset);
            if (wait > 0) offset += wait;
            line = b.hit(a);
          }
        });
        worst = Math.max(worst, offset - 1);
      }
      stalls += worst;
    }
  }
  return { stallCycles: stalls, ifmapReads: bufs.ifmap.dramReads, filterReads: bufs.filter.dramReads };
}

/**
 * `--compat scalesim`: SCALE-Sim v2's memory numbers for one GEMM (docs/cycle-model.md §9).
 *   - SRAM accesses per operand: its closed forms, including the os ofmap double count folds·(rows + cols).
 *   - CALC mode: DRAM reads by its set-based counting, emulated address by address over the demand stream
 *     (streams.ts): an SRAM of S words is 100 sets of ⌊S/100⌋ words; a demanded address not in the current
 *     block of 50 sets (nor the set being filled) is a DRAM read; the bandwidth it reports is reads ÷ its active DRAM
 *     window, timed back from cycle 0 at 10 words/cycle for the first block.
 *   - USER mode (bw words/cycle, exact on the 8×16 samples: stalls and DRAM reads and writes): the prefetch order
 *     (streams.ts) is cut into sets of ⌈S/100⌉ entries; the active window is ⌈(S/2)/set⌉ sets, the first of
 *     them fetched before cycle 0; a miss in the window rolls it forward by as many sets, a new half-buffer prefetch of
 *     ⌈(S/2)/bw⌉ DRAM lines that starts the cycle after the previous one ended (+1 cycle latency), repeated until the
 *     address is in the window; the demand row waits for each prefetch not yet arrived. DRAM reads are whole lines
 *     (lines × bw), refetches included. Ofmap writes go through a write buffer of S words packed into lines of bw
 *     words: a drain of half the buffer (⌈(S/2)/bw⌉ lines, one per cycle) starts when an output arrives with no drain
 *     in flight and more than S/2 words held; the array stalls only when the buffer is full while a drain is in
 *     flight; the final drain is counted in DRAM writes but not in cycles. A row's stall is the largest of the three.
 */
import type { Dataflow } from '../../arch/types.js';
import { type ScalesimConv, type DemandPlan, type GemmShape, demandPlan, forEachInRow, ifmapSpace, prefetchOrder } from './streams.js';

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
export function scalesimCalcReads(shape: GemmShape, df: Dataflow, rows: number, cols: number, sramWords: { ifmap: number; filter: number }, geom?: ScalesimConv): { ifmap: ScalesimDramRead; filter: ScalesimDramRead } {
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

/**
 * One read buffer in USER mode: the active window of sets (⌈S/100⌉ prefetch-order entries each; called lines below)
 * and when the last prefetch completes. Time and DRAM reads go by DRAM lines of bw words, the window by sets.
 */
class UserReadBuffer {
  private readonly lineStart: Int32Array; // CSR: sets holding each address, ascending
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
    const perSet = Math.ceil(sizeWords / SETS);
    this.numLines = Math.floor(order.length / perSet) + 1;
    this.activeLines = Math.min(Math.ceil(active / perSet), this.numLines);
    this.prefetchLines = Math.min(Math.ceil(prefetch / perSet), this.numLines - this.activeLines);
    this.prefetchFetchLines = Math.ceil(prefetch / bw);
    this.e = this.activeLines;
    const counts = new Int32Array(space + 1);
    for (let i = 0; i < order.length; i++) counts[order[i] + 1]++;
    for (let a = 0; a < space; a++) counts[a + 1] += counts[a];
    this.lineStart = counts;
    const fill = counts.slice(0, space);
    this.lineIds = new Int32Array(order.length);
    for (let i = 0; i < order.length; i++) this.lineIds[fill[order[i]]++] = Math.floor(i / perSet);
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

  /**
   * Serve one demand row requested at `cycle`; returns its stall. On a miss the window rolls forward (a new
   * half-buffer prefetch each time) until the address is in it, and the row waits for each prefetch that has not
   * arrived by the time it is needed.
   */
  serve(d: DemandRow, fr: number, fc: number, t: number, cycle: number): number {
    let offset = LATENCY;
    forEachInRow(d, fr, fc, t, (a) => {
      for (let rolls = 0; this.hit(a) < 0; rolls++) {
        if (rolls > this.numLines) throw new Error(`scalesim USER emulation: address ${a} is not in the prefetch order`);
        this.prefetch();
        const wait = this.lastPrefetchCycle - (cycle + offset);
        if (wait > 0) offset += wait;
      }
    });
    return offset - LATENCY;
  }
}

/**
 * SCALE-Sim's ofmap write buffer in USER mode: S words, half of them (`drain`) written out per drain at `bw`
 * words/cycle. Outputs are packed into lines of bw words; a drain starts when an output arrives with no drain in flight
 * and more than S − drain words held — it takes the next ⌈drain/bw⌉ lines (the partial line being filled is closed
 * first, so lines can be short) and frees their slots (a short line counts as full except at a drain's end). The array
 * stalls only when an output finds the buffer full while a drain is in flight, until that drain ends. The final drain
 * (after the last demand row) is counted in DRAM writes but not in cycles.
 */
class UserWriteBuffer {
  private free: number;
  private readonly keepBelow: number;
  private readonly drainLines: number;
  private lineFill = 0;
  private readonly lines: number[] = []; // valid words of each closed line
  private drainFrom = 0;
  private drainEnd = 0;
  dramWrites = 0;

  constructor(size: number, private readonly bw: number) {
    const drain = size - Math.ceil(size * 0.5);
    this.free = size;
    this.keepBelow = size - drain;
    this.drainLines = Math.ceil(drain / bw);
  }

  private closeLine(): void {
    if (this.lineFill > 0) { this.lines.push(this.lineFill); this.lineFill = 0; }
  }

  private drainFromCycle(start: number): number {
    const to = Math.min(this.drainFrom + this.drainLines, this.lines.length), n = to - this.drainFrom;
    if (n <= 0) return start - 1;
    const words = n * this.bw - (this.bw - this.lines[to - 1]);
    this.dramWrites += words;
    this.free += words;
    this.drainFrom = to;
    return start + n - 1;
  }

  /** Serve one demand row of outputs at `cycle`; returns its stall. */
  serve(d: DemandRow, fr: number, fc: number, t: number, cycle: number): number {
    let now = cycle;
    forEachInRow(d, fr, fc, t, () => {
      this.free--;
      if (++this.lineFill === this.bw) this.closeLine();
      if (now < this.drainEnd) {
        if (this.free <= 0) now = this.drainEnd;
      } else if (this.free < this.keepBelow) {
        this.closeLine();
        this.drainEnd = this.drainFromCycle(now);
      }
    });
    return now - cycle;
  }

  /** The final drain: everything still held goes out (not timed). */
  flush(): void {
    this.closeLine();
    while (this.drainFrom < this.lines.length) this.drainFromCycle(0);
  }
}

type DemandRow = DemandPlan['ops']['ifmap'];

const userBuffer = (p: { order: Int32Array; rawEntries: number }, space: number, words: number, bw: number) => new UserReadBuffer(p.order, p.rawEntries, space, words, bw);

export interface ScalesimUserResult {
  readonly stallCycles: number; readonly ifmapReads: number; readonly filterReads: number;
  /** Ofmap DRAM writes through the write buffer (present when the ofmap SRAM size is given). */
  readonly ofmapWrites?: number;
}

/**
 * USER mode: stall cycles and DRAM traffic at `bw` words/cycle: ifmap/filter reads in whole lines (refetches
 * included), ofmap writes through the write buffer when `sramWords.ofmap` is given (otherwise no ofmap stalls).
 * Per demand row the stall is the largest of the three operands'; the next row is requested at its index plus the
 * stalls so far.
 */
export function scalesimUser(shape: GemmShape, df: Dataflow, rows: number, cols: number, sramWords: { ifmap: number; filter: number; ofmap?: number }, bw: number, geom?: ScalesimConv): ScalesimUserResult {
  const plan = demandPlan(shape, df, rows, cols, geom);
  const ifmap = userBuffer(prefetchOrder(shape, df, 'ifmap', rows, cols, geom), ifmapSpace(geom, shape), sramWords.ifmap, bw);
  const filter = userBuffer(prefetchOrder(shape, df, 'filter', rows, cols, geom), shape.k * shape.n, sramWords.filter, bw);
  const ofmap = sramWords.ofmap !== undefined ? new UserWriteBuffer(sramWords.ofmap, bw) : undefined;
  let stalls = 0, row = 0;
  for (let fc = 0; fc < plan.colFolds; fc++) for (let fr = 0; fr < plan.rowFolds; fr++) {
    for (let t = 0; t < plan.cyclesPerFold; t++, row++) {
      const cycle = row + stalls;
      const a = ifmap.serve(plan.ops.ifmap, fr, fc, t, cycle);
      const b = filter.serve(plan.ops.filter, fr, fc, t, cycle);
      const c = ofmap ? ofmap.serve(plan.ops.ofmap, fr, fc, t, cycle) : 0;
      stalls += Math.max(a, b, c, 0);
    }
  }
  ofmap?.flush();
  return { stallCycles: stalls, ifmapReads: ifmap.dramReads, filterReads: filter.dramReads, ...(ofmap ? { ofmapWrites: ofmap.dramWrites } : {}) };
}

/**
 * CALC mode's ofmap side: SCALE-Sim drains its ofmap write buffer at `cols` words/cycle there (reads never stall).
 * Returns the write-buffer stalls (none on the samples) and its DRAM ofmap writes.
 */
export function scalesimCalcOfmap(shape: GemmShape, df: Dataflow, rows: number, cols: number, ofmapWords: number, geom?: ScalesimConv): { stallCycles: number; writes: number } {
  const plan = demandPlan(shape, df, rows, cols, geom);
  const ofmap = new UserWriteBuffer(ofmapWords, cols);
  let stalls = 0, row = 0;
  for (let fc = 0; fc < plan.colFolds; fc++) for (let fr = 0; fr < plan.rowFolds; fr++) {
    for (let t = 0; t < plan.cyclesPerFold; t++, row++) stalls += ofmap.serve(plan.ops.ofmap, fr, fc, t, row + stalls);
  }
  ofmap.flush();
  return { stallCycles: stalls, writes: ofmap.dramWrites };
}

/**
 * USER-mode memory (bandwidth bw words/cycle, docs/scalesim-memory.md §3): the read buffers' rolling windows over the
 * prefetch order, the stalls they cause, and the ofmap write buffer, one pass over the demand rows.
 */
import type { ScalesimMemory, ScalesimMemoryConfig, ScalesimSram } from './memory.js';
import type { ScalesimWindow } from './report-row.js';
import { type FoldPlan, type IfmapMap, fillRow, ofmapCount, prefetchOrder } from './streams.js';
import { WriteBuffer } from './write-buffer.js';

const SETS = 100;

/**
 * One read buffer in USER mode: the prefetch order cut into sets of ⌈S/100⌉ valid entries; an active window of
 * sets [s, e) (circular); a miss rolls it forward by a half buffer (one DRAM prefetch of ⌈(S − ⌈S/2⌉)/bw⌉ lines,
 * chained after the previous one) until the address is inside.
 */
class ReadBuffer {
  private readonly start: Int32Array; // CSR: the sets holding each address, ascending
  private readonly sets: Int32Array;
  private readonly numSets: number;
  private readonly activeSets: number;
  private readonly rollSets: number;
  private readonly rollLines: number;
  private readonly firstLines: number;
  private s = 0;
  private e: number;
  rolls = 0;
  lastRollCycle = -1;

  constructor(order: Int32Array, rawEntries: number, space: number, sizeWords: number, private readonly bw: number) {
    const active = Math.ceil(sizeWords * 0.5), rest = sizeWords - active;
    const perSet = Math.ceil(sizeWords / SETS);
    this.numSets = Math.floor(order.length / perSet) + 1;
    this.activeSets = Math.min(Math.ceil(active / perSet), this.numSets);
    this.rollSets = Math.min(Math.ceil(rest / perSet), this.numSets - this.activeSets);
    this.rollLines = Math.ceil(rest / bw);
    this.firstLines = Math.min(Math.ceil(active / bw), Math.ceil(rawEntries / bw));
    this.e = this.activeSets;
    const start = new Int32Array(space + 1);
    for (let i = 0; i < order.length; i++) start[order[i] + 1]++;
    for (let a = 0; a < space; a++) start[a + 1] += start[a];
    const fill = start.slice(0, space);
    const sets = new Int32Array(order.length);
    for (let i = 0; i < order.length; i++) sets[fill[order[i]]++] = Math.floor(i / perSet);
    this.start = start; this.sets = sets;
  }

  /** Whether some occurrence of addr lies in a set of the active window. */
  hit(addr: number): boolean {
    const lo = this.start[addr], hi = this.start[addr + 1];
    if (hi - lo === 1) { const x = this.sets[lo]; return this.s < this.e ? x >= this.s && x < this.e : x >= this.s || x < this.e; }
    if (this.s < this.e) return this.firstFrom(lo, hi, this.s) < this.e;
    return this.firstFrom(lo, hi, this.s) < this.numSets || (hi > lo && this.sets[lo] < this.e);
  }

  /** The first set ≥ from holding the address (numSets if none). */
  private firstFrom(lo: number, hi: number, from: number): number {
    let a = lo, b = hi;
    while (a < b) { const mid = (a + b) >> 1; if (this.sets[mid] < from) a = mid + 1; else b = mid; }
    return a < hi ? this.sets[a] : this.numSets;
  }

  roll(): void {
    this.s = (this.s + this.rollSets) % this.numSets;
    this.e = (this.s + this.activeSets) % this.numSets;
    this.rolls++;
    this.lastRollCycle += this.rollLines + 1;
  }

  /** Serves one demand row (`len` addresses in buf) requested at `cycle`; returns its service cycle (≥ cycle + 1). */
  serve(buf: Int32Array, len: number, cycle: number): number {
    let offset = 1;
    for (let i = 0; i < len; i++) {
      const a = buf[i];
      if (this.hit(a)) continue;
      let guard = 0;
      do {
        if (guard++ > this.numSets) throw new Error(`scalesim USER emulation: address ${a} is not in the prefetch order`);
        this.roll();
      } while (!this.hit(a));
      offset = Math.max(offset, this.lastRollCycle - cycle);
    }
    return cycle + offset;
  }

  window(): ScalesimWindow {
    return { startCycle: -this.firstLines, stopCycle: this.rolls > 0 ? this.lastRollCycle : -1, words: this.bw * (this.firstLines + this.rolls * this.rollLines) };
  }
}

export function userMemory(p: FoldPlan, map: IfmapMap, cfg: ScalesimMemoryConfig, sram: ScalesimSram): ScalesimMemory {
  const { bw } = cfg;
  const fo = prefetchOrder(p, map, 'ifmap'), ffo = prefetchOrder(p, map, 'filter');
  const ifmap = new ReadBuffer(fo.order, fo.rawEntries, map.space, cfg.sramWords.ifmap, bw);
  const filter = new ReadBuffer(ffo.order, ffo.rawEntries, p.k * p.n, cfg.sramWords.filter, bw);
  const ofmap = new WriteBuffer(cfg.sramWords.ofmap, bw);
  const buf = new Int32Array(Math.max(p.rows, p.cols));
  const L = p.cyclesPerFold;
  const first = [-1, -1, -1], last = [-1, -1, -1];
  const note = (op: number, cycle: number) => { if (first[op] < 0) first[op] = cycle; last[op] = cycle; };
  let stalls = 0, row = 0, lastService = 0;
  for (let fc = 0; fc < p.colFolds; fc++) for (let fr = 0; fr < p.rowFolds; fr++) {
    for (let tau = 0; tau < L; tau++, row++) {
      const cycle = row + stalls;
      let stall = 0;
      let len = fillRow(p, map, 'ifmap', fr, fc, tau, buf);
      if (len > 0) { const at = ifmap.serve(buf, len, cycle); stall = at - cycle - 1; note(0, at); }
      len = fillRow(p, map, 'filter', fr, fc, tau, buf);
      if (len > 0) { const at = filter.serve(buf, len, cycle); stall = Math.max(stall, at - cycle - 1); note(1, at); }
      const outputs = ofmapCount(p, fr, fc, tau);
      lastService = cycle;
      if (outputs > 0) { const at = ofmap.serve(outputs, cycle); stall = Math.max(stall, at - cycle); note(2, at); lastService = at; }
      stalls += stall;
    }
  }
  ofmap.flush(lastService);
  const win = (op: number, words: number): ScalesimWindow => ({ startCycle: Math.max(0, first[op]), stopCycle: Math.max(0, last[op]), words });
  return {
    stallCycles: stalls,
    sram: { ifmap: win(0, sram.ifmapReads), filter: win(1, sram.filterReads), ofmap: win(2, sram.ofmapWrites) },
    dram: { ifmap: ifmap.window(), filter: filter.window(), ofmap: ofmap.window() },
  };
}

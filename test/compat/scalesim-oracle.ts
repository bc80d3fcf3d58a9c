/**
 * The test oracle for sim/compat/scalesim/memory.ts: SCALE-Sim v2's memory system emulated element by element, the
 * way SCALE-Sim itself runs it (docs/scalesim-memory.md) — written from that description, not from the fast methods:
 *  - the three demand matrices are materialized (one row per cycle, one column per port, −1 = nothing), per fold
 *    with column folds outer and row folds inner;
 *  - CALC mode: literal set bookkeeping — sets of ⌊S/100⌋ new addresses, a hit is looked up in the completed sets of
 *    the current group of 50 and in the set being filled; the 50th completed set discards the group;
 *  - USER mode: the prefetch matrix rolled out (row-major or anti-diagonals), cut into sets of ⌈S/100⌉ valid entries,
 *    a circular window of sets tested set by set, prefetches chained back to back, the waiting accumulated per roll;
 *  - the ofmap write buffer output by output.
 * Slow (JS Sets, one lookup per set): for small layers only.
 */
import type { ScalesimConv } from '../../sim/compat/scalesim/streams.js';

export interface OracleLayer { m: number; k: number; n: number; geom?: ScalesimConv }
export interface OracleConfig { df: 'os' | 'ws' | 'is'; rows: number; cols: number; sram: { ifmap: number; filter: number; ofmap: number }; mode: 'calc' | 'user'; bw: number }
export interface Win { startCycle: number; stopCycle: number; words: number }
export interface OracleResult {
  stallCycles: number; sram: { ifmap: Win; filter: Win; ofmap: Win }; dram: { ifmap: Win; filter: Win; ofmap: Win };
  /** CALC: the demand rows where ifmap blocks closed. */
  ifmapCloseRows: number[];
}

/** im2col entry (pixel, window element) → ifmap address or −1, straight from the conv's definition. */
function ifmapAddr(l: OracleLayer, pixel: number, win: number): number {
  const g = l.geom;
  if (!g) return pixel * l.k + win;
  const img = Math.floor(pixel / (g.p * g.q)), px = pixel % (g.p * g.q);
  const orow = Math.floor(px / g.q), ocol = px % g.q;
  const fr = Math.floor(win / (g.s * g.c)), fc = Math.floor((win % (g.s * g.c)) / g.c), ch = win % g.c;
  const r = orow * g.strideH + fr - g.padTop, c = ocol * g.strideW + fc - g.padLeft;
  if (r < 0 || r >= g.h || c < 0 || c >= g.w) return -1;
  return ((img * g.h + r) * g.w + c) * g.c + ch;
}
const filterAddr = (l: OracleLayer, win: number, f: number) => f * l.k + win;
const ofmapAddr = (l: OracleLayer, pixel: number, f: number) => pixel * l.n + f;

interface Demand { rows: number; ifmap: Int32Array[]; filter: Int32Array[]; ofmap: Int32Array[] }

function demand(l: OracleLayer, c: OracleConfig): Demand {
  const { m, k, n } = l, R = c.rows, C = c.cols;
  const out: Demand = { rows: 0, ifmap: [], filter: [], ofmap: [] };
  const row = (w: number) => new Int32Array(w).fill(-1);
  if (c.df === 'os') {
    const T = k, Lf = T + R + C - 2;
    for (let fc = 0; fc < Math.ceil(n / C); fc++) for (let fr = 0; fr < Math.ceil(m / R); fr++) {
      for (let tau = 0; tau < Lf; tau++) {
        const a = row(R), b = row(C), o = row(C);
        for (let j = 0; j < R; j++) { const t = tau - j, px = fr * R + j; if (t >= 0 && t < T && px < m) a[j] = ifmapAddr(l, px, t); }
        for (let j = 0; j < C; j++) { const t = tau - j, f = fc * C + j; if (t >= 0 && t < T && f < n) b[j] = filterAddr(l, t, f); }
        for (let j = 0; j < C; j++) {
          const u = tau - j - (T - 1), f = fc * C + j;
          if (u >= 0 && u < R) { const px = fr * R + R - 1 - u; if (px < m && f < n) o[j] = ofmapAddr(l, px, f); }
        }
        out.ifmap.push(a); out.filter.push(b); out.ofmap.push(o); out.rows++;
      }
    }
    return out;
  }
  const ws = c.df === 'ws', T = ws ? m : n, Sc = ws ? n : m, Lf = T + 2 * R + C - 2;
  for (let fc = 0; fc < Math.ceil(Sc / C); fc++) for (let fr = 0; fr < Math.ceil(k / R); fr++) {
    for (let tau = 0; tau < Lf; tau++) {
      const streamed = row(R), stationary = row(C), o = row(C);
      for (let j = 0; j < R; j++) {
        const t = tau - j - R, w = fr * R + j;
        if (t >= 0 && t < T && w < k) streamed[j] = ws ? ifmapAddr(l, t, w) : filterAddr(l, w, t);
      }
      if (tau < R) {
        const w = fr * R + R - 1 - tau;
        for (let j = 0; j < C; j++) { const x = fc * C + j; if (w < k && x < Sc) stationary[j] = ws ? filterAddr(l, w, x) : ifmapAddr(l, x, w); }
      }
      for (let j = 0; j < C; j++) {
        const t = tau - j - (2 * R - 1), x = fc * C + j;
        if (t >= 0 && t < T && x < Sc) o[j] = ws ? ofmapAddr(l, t, x) : ofmapAddr(l, x, t);
      }
      out.ifmap.push(ws ? streamed : stationary); out.filter.push(ws ? stationary : streamed); out.ofmap.push(o); out.rows++;
    }
  }
  return out;
}

/** USER mode's prefetch matrix of ifmap or filter, rolled out; returns all entries (−1 kept). */
function prefetchEntries(l: OracleLayer, c: OracleConfig, op: 'ifmap' | 'filter'): number[] {
  const { m, k, n } = l, R = c.rows, C = c.cols;
  const mat: number[][] = [];
  let diag: boolean;
  if (c.df === 'os' && op === 'ifmap') {
    diag = true;
    for (let b = 0; b < Math.ceil(m / R); b++) for (let t = 0; t < k; t++) mat.push(Array.from({ length: R }, (_, j) => (b * R + j < m ? ifmapAddr(l, b * R + j, t) : -1)));
  } else if (c.df === 'os' || (c.df === 'ws' && op === 'filter')) {
    diag = c.df === 'os';
    for (let b = 0; b < Math.ceil(n / C); b++) for (let t = 0; t < k; t++) mat.push(Array.from({ length: C }, (_, j) => (b * C + j < n ? filterAddr(l, t, b * C + j) : -1)));
  } else if (c.df === 'ws') {
    diag = true;
    for (let b = 0; b < Math.ceil(k / R); b++) for (let px = 0; px < m; px++) mat.push(Array.from({ length: R }, (_, j) => (b * R + j < k ? ifmapAddr(l, px, b * R + j) : -1)));
  } else if (op === 'ifmap') {
    diag = false;
    for (let b = 0; b < Math.ceil(m / C); b++) for (let t = 0; t < k; t++) mat.push(Array.from({ length: C }, (_, j) => (b * C + j < m ? ifmapAddr(l, b * C + j, t) : -1)));
  } else {
    diag = true;
    for (let b = 0; b < Math.ceil(k / R); b++) for (let f = 0; f < n; f++) mat.push(Array.from({ length: R }, (_, j) => (b * R + j < k ? filterAddr(l, b * R + j, f) : -1)));
  }
  const M = mat.length, N = mat[0].length, out: number[] = [];
  if (!diag) { for (const r of mat) out.push(...r); return out; }
  for (let d = 0; d < M + N - 1; d++) for (let r = Math.min(d, M - 1); r >= Math.max(0, d - N + 1); r--) out.push(mat[r][d - r]);
  return out;
}

/** CALC read buffer: literal set bookkeeping. */
class CalcReads {
  private group: Set<number>[] = [];
  private filling = new Set<number>();
  reads = 0;
  lastCloseCycle = -1;
  firstCycle = -1;
  /** The demand rows where blocks closed (for the tests' coverage checks). */
  readonly closeRows: number[] = [];
  constructor(private readonly perSet: number) {}
  serve(row: Int32Array, cycle: number, index = 0): number {
    for (const a of row) {
      if (a < 0) continue;
      if (this.firstCycle < 0) this.firstCycle = cycle;
      if (this.filling.has(a) || this.group.some((s) => s.has(a))) continue;
      this.reads++;
      this.filling.add(a);
      if (this.filling.size === this.perSet) {
        this.group.push(this.filling); this.filling = new Set();
        if (this.group.length === 50) { this.group = []; this.lastCloseCycle = cycle; this.closeRows.push(index); }
      }
    }
    return cycle + 1;
  }
  window(): Win {
    const n = this.perSet;
    if (this.lastCloseCycle < 0) return { startCycle: -Math.ceil((Math.ceil(this.reads / n) * n) / 10), stopCycle: -1, words: this.reads };
    return { startCycle: this.firstCycle - Math.ceil((50 * n) / 10), stopCycle: this.lastCloseCycle + 1, words: this.reads };
  }
}

/** USER read buffer: a circular window of sets over the prefetch order, rolled on a miss. */
class UserReads {
  private readonly sets: Set<number>[] = [];
  private s = 0; private e: number;
  private readonly act: number; private readonly pre: number; private readonly lines: number; private readonly firstLines: number;
  private rolls = 0; private done = -1;
  constructor(entries: number[], size: number, private readonly bw: number) {
    const P = Math.ceil(size / 100), valid = entries.filter((a) => a >= 0);
    const Ns = Math.floor(valid.length / P) + 1;
    for (let i = 0; i < Ns; i++) this.sets.push(new Set(valid.slice(i * P, (i + 1) * P)));
    const half = Math.ceil(size / 2);
    this.act = Math.min(Math.ceil(half / P), Ns);
    this.pre = Math.min(Math.ceil((size - half) / P), Ns - this.act);
    this.lines = Math.ceil((size - half) / bw);
    this.firstLines = Math.min(Math.ceil(half / bw), Math.ceil(entries.length / bw));
    this.e = this.act;
  }
  private inWindow(a: number): boolean {
    const Ns = this.sets.length;
    for (let i = this.s, first = true; first || i !== this.e; i = (i + 1) % Ns, first = false) {
      if (this.sets[i].has(a)) return true;
      if (this.s < this.e && i + 1 === this.e) break;
    }
    return false;
  }
  serve(row: Int32Array, cycle: number): number {
    let offset = 1;
    for (const a of row) {
      if (a < 0) continue;
      let guard = 0;
      while (!this.inWindow(a)) {
        if (guard++ > this.sets.length) throw new Error(`oracle: ${a} never found`);
        const Ns = this.sets.length;
        this.s = (this.s + this.pre) % Ns; this.e = (this.s + this.act) % Ns;
        this.rolls++;
        this.done = this.done + this.lines + 1; // chained after the previous prefetch
        const wait = this.done - (cycle + offset);
        if (wait > 0) offset += wait;
      }
    }
    return cycle + offset;
  }
  window(): Win { return { startCycle: -this.firstLines, stopCycle: this.rolls > 0 ? this.done : -1, words: this.bw * (this.firstLines + this.rolls * this.lines) }; }
}

/** The ofmap write buffer, output by output. */
class Writes {
  private free: number; private readonly active: number; private readonly drainLines: number;
  private lines: number[] = []; private fill = 0; private next = 0; private drainEnd = 0;
  private cycles: number[] = [];
  words = 0;
  constructor(size: number, private readonly bw: number) {
    this.free = size; this.active = Math.ceil(size / 2); this.drainLines = Math.ceil((size - this.active) / bw);
  }
  private close() { if (this.fill > 0) { this.lines.push(this.fill); this.fill = 0; } }
  private drain(start: number): number {
    const to = Math.min(this.next + this.drainLines, this.lines.length), count = to - this.next;
    if (count === 0) return start - 1;
    const w = count * this.bw - (this.bw - this.lines[to - 1]);
    this.words += w; this.free += w; this.next = to;
    for (let i = 0; i < count; i++) this.cycles.push(start + i);
    return start + count - 1;
  }
  serve(row: Int32Array, cycle: number): number {
    let now = cycle;
    for (const a of row) {
      if (a < 0) continue;
      this.free--;
      if (++this.fill === this.bw) this.close();
      if (now < this.drainEnd) { if (this.free <= 0) now = this.drainEnd; }
      else if (this.free < this.active) { this.close(); this.drainEnd = this.drain(now); }
    }
    return now;
  }
  flush(cycle: number) { this.close(); while (this.next < this.lines.length) cycle = this.drain(cycle) + 1; }
  /** SCALE-Sim's window: the first drain's first cycle to the last drain's last (not the latest cycle of any drain). */
  window(): Win { return { startCycle: this.cycles[0], stopCycle: this.cycles[this.cycles.length - 1], words: this.words }; }
}

export function oracle(l: OracleLayer, c: OracleConfig): OracleResult {
  const d = demand(l, c);
  const ifmap = c.mode === 'calc' ? new CalcReads(Math.floor(c.sram.ifmap / 100)) : new UserReads(prefetchEntries(l, c, 'ifmap'), c.sram.ifmap, c.bw);
  const filter = c.mode === 'calc' ? new CalcReads(Math.floor(c.sram.filter / 100)) : new UserReads(prefetchEntries(l, c, 'filter'), c.sram.filter, c.bw);
  const ofmap = new Writes(c.sram.ofmap, c.mode === 'calc' ? c.cols : c.bw);
  const served: number[][] = [[], [], []];
  let stalls = 0;
  for (let i = 0; i < d.rows; i++) {
    const t = i + stalls;
    const a = ifmap.serve(d.ifmap[i], t, i), b = filter.serve(d.filter[i], t), o = ofmap.serve(d.ofmap[i], t);
    served[0].push(a); served[1].push(b); served[2].push(o);
    stalls += Math.max(a - t - 1, b - t - 1, o - t, 0);
  }
  ofmap.flush(served[2][d.rows - 1]);
  const sramWin = (mats: Int32Array[], cyc: number[]): Win => {
    let first = -1, last = -1, words = 0;
    mats.forEach((r, i) => { const v = r.filter((a) => a >= 0).length; if (v > 0) { if (first < 0) first = cyc[i]; last = cyc[i]; words += v; } });
    return first < 0 ? { startCycle: 0, stopCycle: 0, words } : { startCycle: first, stopCycle: last, words }; // never accessed: 0, 0
  };
  return {
    stallCycles: stalls,
    // SRAM counts here are the valid accesses (the fast model reports SCALE-Sim's closed forms, which also count −1
    // entries of the ifmap: the property test compares ifmap SRAM reads only on layers without any).
    sram: { ifmap: sramWin(d.ifmap, served[0]), filter: sramWin(d.filter, served[1]), ofmap: sramWin(d.ofmap, served[2]) },
    dram: { ifmap: ifmap.window(), filter: filter.window(), ofmap: ofmap.window() },
    ifmapCloseRows: ifmap instanceof CalcReads ? ifmap.closeRows : [],
  };
}

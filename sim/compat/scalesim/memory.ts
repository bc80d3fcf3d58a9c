/**
 * `--compat scalesim`: SCALE-Sim v2's memory numbers for one GEMM (docs/cycle-model.md §9), by exact fast methods
 * (docs/scalesim-memory.md; test/compat/scalesim-oracle.ts is the address-by-address emulation they are tested against).
 *   - SRAM accesses per operand: its closed forms, including the os ofmap double count folds·(rows + cols).
 *   - CALC mode ifmap/filter DRAM reads: tumbling blocks of B = 50·⌊S/100⌋ distinct addresses over the demand stream;
 *     an access is a read iff its address has not occurred in the current block. Filters by closed forms over
 *     all-distinct segments; the ifmap by one walk per pass with a last-block table, the passes of os/ws (the same
 *     stream cf times) extrapolated once the block state at a pass start repeats.
 *   - USER mode (bw words/cycle): the prefetch order cut into sets of ⌈S/100⌉ entries, an active window of sets that
 *     rolls forward by a half buffer on a miss; roll k completes at cycle k·(⌈(S/2)/bw⌉ + 1) − 1; a demand row waits
 *     for the last roll it triggered. DRAM reads are whole lines (lines × bw), refetches included.
 *   - Ofmap writes (both modes; drained at bw words/cycle in USER, cols in CALC) through its write buffer of S words.
 *   - The cycles SCALE-Sim's detailed report gives: SRAM first/last service cycles, DRAM start/stop per operand.
 */
import type { Dataflow } from '../../arch/types.js';
import type { ScalesimOperandWindows, ScalesimWindow } from './report-row.js';
import { type FoldPlan, type GemmShape, type IfmapMap, type Operand, entriesBefore, fillRow, foldPlan, foldWidth, ifmapMap, itemHi, itemLo, ofmapCount, slotCount, slotFirst, prefetchOrder, type ScalesimConv } from './streams.js';

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

/** SRAM sizes in words (SCALE-Sim's words are bytes) and the DRAM interface. */
export interface ScalesimMemoryConfig {
  readonly sramWords: { readonly ifmap: number; readonly filter: number; readonly ofmap: number };
  /** 'calc': SCALE-Sim's estimate-bandwidth mode; 'user': `bw` words per cycle. */
  readonly mode: 'calc' | 'user';
  readonly bw: number;
}

export interface ScalesimMemory {
  /** Stall cycles (SCALE-Sim's "Stall Cycles"); the stall-inclusive total is compute + stalls. */
  readonly stallCycles: number;
  readonly sram: ScalesimOperandWindows;
  readonly dram: ScalesimOperandWindows;
}

const SETS = 100, BLOCK_SETS = 50, ESTIMATE_BW = 10;

export function scalesimMemory(shape: GemmShape, df: Dataflow, rows: number, cols: number, cfg: ScalesimMemoryConfig, geom?: ScalesimConv): ScalesimMemory {
  const plan = foldPlan(shape, df, rows, cols);
  const map = ifmapMap(shape, geom);
  const sramCounts = scalesimSramCounts(shape, df, rows, cols);
  return cfg.mode === 'user' ? userMemory(plan, map, cfg, sramCounts) : calcMemory(plan, map, cfg, sramCounts, geom);
}

// ---- the demand timeline --------------------------------------------------------------------------------------

/** The first and last demand row (global index) where an operand has a valid access. */
function firstLastRows(p: FoldPlan, map: IfmapMap, op: Operand): [number, number] {
  const L = p.cyclesPerFold, F = p.rowFolds * p.colFolds;
  const buf = new Int32Array(Math.max(p.rows, p.cols));
  const has = (fold: number, tau: number) => {
    const fc = Math.floor(fold / p.rowFolds), fr = fold % p.rowFolds;
    return op === 'ofmap' ? ofmapCount(p, fr, fc, tau) > 0 : fillRow(p, map, op, fr, fc, tau, buf) > 0;
  };
  let first = -1, last = -1;
  for (let f = 0; f < F && first < 0; f++) for (let t = 0; t < L; t++) if (has(f, t)) { first = f * L + t; break; }
  for (let f = F - 1; f >= 0 && last < 0; f--) for (let t = L - 1; t >= 0; t--) if (has(f, t)) { last = f * L + t; break; }
  return [first, last];
}

/** The global demand row of an operand's x-th valid access, for operands without −1 entries (filter). */
function rowOfAccess(p: FoldPlan, op: 'filter', x: number): number {
  const L = p.cyclesPerFold;
  let fold = 0;
  for (let fc = 0; fc < p.colFolds; fc++) for (let fr = 0; fr < p.rowFolds; fr++, fold++) {
    const size = entriesBefore(p, op, fr, fc, L);
    if (x < size) {
      let lo = 0, hi = L - 1; // the smallest τ with entriesBefore(τ + 1) > x
      while (lo < hi) { const mid = (lo + hi) >> 1; if (entriesBefore(p, op, fr, fc, mid + 1) > x) hi = mid; else lo = mid + 1; }
      return fold * L + lo;
    }
    x -= size;
  }
  throw new Error(`scalesim: filter access ${x} past the end of the stream`);
}

// ---- the ofmap write buffer -----------------------------------------------------------------------------------

/**
 * SCALE-Sim's ofmap write buffer: S words; outputs are packed into lines of bw words. A drain starts when an output
 * arrives with no drain in flight and fewer than ⌈S/2⌉ words free: the partial line is closed (so lines can be short)
 * and the next ⌈(S − ⌈S/2⌉)/bw⌉ lines go out one per cycle; their words (a short line counts as full, except the
 * drain's last) are freed at once. An output that finds the buffer full while a drain is in flight waits for it.
 * After the last row everything left drains back to back, from that row's service cycle.
 */
class WriteBuffer {
  private free: number;
  private readonly keepFree: number;
  private readonly drainLines: number;
  private lineFill = 0;
  private lines = 0;                 // closed lines so far
  private readonly shortAt: number[] = []; // closed lines with fewer than bw words: index and fill
  private readonly shortFill: number[] = [];
  private shortNext = 0;
  private drained = 0;               // lines drained so far
  private drainEnd = 0;
  writes = 0;
  startCycle = -1;
  stopCycle = -1;

  constructor(size: number, private readonly bw: number) {
    const active = Math.ceil(size * 0.5);
    this.free = size;
    this.keepFree = active;
    this.drainLines = Math.ceil((size - active) / bw);
  }

  private add(count: number): void {
    this.free -= count;
    const filled = this.lineFill + count;
    this.lines += Math.floor(filled / this.bw);
    this.lineFill = filled % this.bw;
  }

  private closeLine(): void {
    if (this.lineFill === 0) return;
    this.shortAt.push(this.lines); this.shortFill.push(this.lineFill);
    this.lines++; this.lineFill = 0;
  }

  private fillOf(line: number): number {
    while (this.shortNext < this.shortAt.length && this.shortAt[this.shortNext] < line) this.shortNext++;
    return this.shortNext < this.shortAt.length && this.shortAt[this.shortNext] === line ? this.shortFill[this.shortNext] : this.bw;
  }

  /** Drains up to drainLines lines from `start`; returns the cycle the drain ends (start − 1 if nothing to drain). */
  private drain(start: number): number {
    const to = Math.min(this.drained + this.drainLines, this.lines), count = to - this.drained;
    if (count <= 0) return start - 1;
    const words = count * this.bw - (this.bw - this.fillOf(to - 1));
    this.writes += words;
    this.free += words;
    this.drained = to;
    if (this.startCycle < 0) this.startCycle = start;
    this.stopCycle = start + count - 1; // SCALE-Sim reports the last drain's end, even if one in flight ends later
    return start + count - 1;
  }

  /** Serves `count` outputs of a demand row requested at `cycle`; returns the row's service cycle. */
  serve(count: number, cycle: number): number {
    let now = cycle;
    while (count > 0) {
      if (now < this.drainEnd) {
        if (this.free >= 1) {
          const k = Math.min(count, this.free);
          this.add(k); count -= k;
          if (this.free <= 0) now = this.drainEnd;
        } else {
          this.add(1); count--;
          now = this.drainEnd;
        }
      } else {
        const k = Math.max(1, this.free - this.keepFree + 1); // the output that leaves fewer than keepFree free
        if (k > count) { this.add(count); count = 0; break; }
        this.add(k); count -= k;
        this.closeLine();
        this.drainEnd = this.drain(now);
      }
    }
    return now;
  }

  /** The final drains after the last demand row (served at `cycle`). */
  flush(cycle: number): void {
    this.closeLine();
    let start = cycle;
    while (this.drained < this.lines) start = this.drain(start) + 1;
  }

  window(): ScalesimWindow { return { startCycle: this.startCycle, stopCycle: this.stopCycle, words: this.writes }; }
}

// ---- CALC mode ------------------------------------------------------------------------------------------------

/** The block size B = 50·⌊S/100⌋ distinct addresses (no block ever closes below 100 words). */
const calcBlock = (words: number) => { const perSet = Math.floor(words / SETS); return { perSet, block: perSet > 0 ? BLOCK_SETS * perSet : Infinity }; };

/**
 * The CALC block state of the ifmap: which addresses the open block holds (address → block id), and for an os conv
 * the same per input position, because an os fold reads every channel of every input position its R pixels'
 * windows cover. A fold is then counted by its distinct input positions instead of its R·k entries: whole when its
 * new words do not fill the block; and when they do, by each position's first and last access in the fold (its
 * channels are read on consecutive rows), which give the closing access and what the next block holds.
 * Positions are in the block fully (posMark), by a channel suffix [posSuffix, C) (posPartial: what a block opened
 * inside a fold holds), and/or channel by channel (mark, set by entry-by-entry walks; posWalked says there are some).
 */
/**
 * Address- and position-indexed tables, reused from layer to layer (allocating and zeroing them per layer cost more
 * than counting). They are never cleared: block and stamp ids only grow across layers, so an entry left by an
 * earlier layer never equals a current id and reads as "in no block". Single-threaded, synchronous use only.
 */
const tables = new Map<string, Int32Array>();
function table(name: string, size: number): Int32Array {
  let t = tables.get(name);
  if (!t || t.length < size) { t = new Int32Array(Math.max(size, (t?.length ?? 0) * 2)); tables.set(name, t); }
  return t;
}
/** The next unused block id and stamp id (0 = none; ids restart from 1 with cleared tables when they grow large). */
let nextId = 1;
function reserveIds(): number {
  if (nextId > 2 ** 30) { tables.clear(); nextId = 1; }
  return nextId;
}

class IfmapBlocks {
  block: number; inBlock = 0; reads = 0; lastCloseRow = -1;
  /** Demand slots so far (no-access taps included), and the slot after the one that closed the last block. */
  pos = 0; blockStart = 0;
  private stampId: number;
  /**
   * The first stamp of the open block: a position whose stamp is ≥ it was in a fold counted whole in this block, so
   * the block holds all its channels (cheaper than marking each position held).
   */
  private blockStamp: number;
  /** Set by countFold: the words of the fold the block does not hold. Set by findClose: the closing row/port. */
  private fresh = 0; private closeTau = 0; private closeBefore = 0; private closePort = 0;
  private readonly L: number; private readonly C: number; private readonly R: number;
  private readonly m: number; private readonly k: number;
  /** An os conv: folds are counted by input positions. */
  private readonly byPosition: boolean;
  private readonly r: number; private readonly s: number; private readonly h: number; private readonly w: number;
  private readonly strideW: number; private readonly perImage: number;
  private readonly mark: Int32Array; private readonly buf: Int32Array; private readonly ports: Int32Array;
  // Position tables (empty unless byPosition): membership, per-fold scratch.
  private readonly full: Int32Array; private readonly partial: Int32Array; private readonly suffix: Int32Array;
  private readonly walked: Int32Array; private readonly stamp: Int32Array; private readonly list: Int32Array;
  private readonly first: Int32Array; private readonly firstPort: Int32Array;
  private readonly last: Int32Array; private readonly lastPort: Int32Array;
  private readonly rowCount: Int32Array;
  private readonly cand: number[] = [];
  private keys = new Float64Array(0);

  constructor(private readonly p: FoldPlan, private readonly map: IfmapMap, private readonly B: number, g?: ScalesimConv) {
    this.block = reserveIds();
    this.stampId = this.block;
    this.blockStamp = this.stampId + 1;
    this.L = p.cyclesPerFold; this.R = p.rows; this.m = p.m; this.k = p.k;
    this.C = g ? g.c : 1;
    this.byPosition = g !== undefined && p.os;
    this.r = g ? g.r : 0; this.s = g ? g.s : 0; this.h = g ? g.h : 0; this.w = g ? g.w : 0;
    this.strideW = g ? g.strideW : 1; this.perImage = g ? g.p * g.q : 1;
    this.mark = table('mark', map.space);
    this.buf = new Int32Array(Math.max(p.rows, p.cols));
    this.ports = new Int32Array(Math.max(p.rows, p.cols));
    const n = this.byPosition && g ? g.n * g.h * g.w : 0, t = (name: string) => (n > 0 ? table(name, n) : new Int32Array(0));
    this.full = t('full'); this.partial = t('partial'); this.suffix = t('suffix'); this.walked = t('walked'); this.stamp = t('stamp');
    this.first = t('first'); this.firstPort = t('firstPort'); this.last = t('last'); this.lastPort = t('lastPort');
    this.list = new Int32Array(n > 0 ? p.rows * this.r * this.s : 0);
    this.rowCount = new Int32Array(n > 0 ? this.L + 1 : 0);
  }

  /** Hands the ids used back to the counter: the next layer starts above them. */
  done(): void { nextId = Math.max(this.block, this.stampId) + 1; }

  /** Every entry of fold (fr, fc) in demand order; rows are global from rowBase. */
  walkFold(fr: number, fc: number, rowBase: number): void {
    const { mark, buf, ports, B, C } = this;
    for (let tau = 0; tau < this.L; tau++) {
      const len = fillRow(this.p, this.map, 'ifmap', fr, fc, tau, buf, ports);
      const first = slotFirst(this.p, 'ifmap', tau);
      for (let i = 0; i < len; i++) {
        const a = buf[i];
        if (mark[a] === this.block) continue;
        if (this.byPosition) {
          const ch = a % C, q = (a - ch) / C;
          if (this.full[q] === this.block || this.stamp[q] >= this.blockStamp || (this.partial[q] === this.block && ch >= this.suffix[q])) continue;
          this.walked[q] = this.block;
        }
        mark[a] = this.block;
        this.reads++;
        if (++this.inBlock === B) {
          this.block++; this.inBlock = 0; this.lastCloseRow = rowBase + tau; this.blockStart = this.pos + ports[i] - first + 1;
          this.blockStamp = ++this.stampId;
        }
      }
      this.pos += slotCount(this.p, 'ifmap', fr, fc, tau);
    }
  }

  /**
   * os over a conv: fold fr at once, by its input positions; false (nothing changed) when the fold must be walked
   * entry by entry instead (not an os conv, or out of the packed keys' range).
   */
  foldAtOnce(fr: number, rowBase: number): boolean {
    if (!this.byPosition) return false;
    const n = this.countFold(fr);
    const slots = (Math.min(this.m, (fr + 1) * this.R) - fr * this.R) * this.k;
    if (this.inBlock + this.fresh < this.B) { // no block closes: the fold's positions join the block (by their stamp)
      this.reads += this.fresh; this.inBlock += this.fresh; this.pos += slots;
      return true;
    }
    if (!this.closeInFold(fr, rowBase, n)) { // un-stamp the fold: it will be walked, and its stamp does not mean "held"
      for (let i = 0; i < n; i++) this.stamp[this.list[i]] = 0;
      return false;
    }
    this.blockStamp = ++this.stampId; // the closing fold's stamp belongs to the closed block
    this.pos += slots;
    return true;
  }

  /**
   * The fold's distinct input positions (into list; returns how many) and how many of their words the block does
   * not hold (this.fresh). A pixel's window repeats the previous pixel's last s − strideW columns when both are in
   * the same output row: those are skipped.
   */
  private countFold(fr: number): number {
    const { map, mark, C, r, s, h, w, strideW, full, partial, suffix, walked, stamp, list } = this;
    const id = ++this.stampId, block = this.block, held = this.blockStamp, hw = h * w;
    const p0 = fr * this.R, p1 = Math.min(this.m, p0 + this.R);
    let n = 0, fresh = 0;
    for (let px = p0; px < p1; px++) {
      const r0 = map.pixRow[px], c0 = map.pixCol[px], img = Math.floor(px / this.perImage);
      const inside = map.interior[px] === 1;
      const tc0 = px > p0 && map.pixRow[px - 1] === r0 && map.pixCol[px - 1] === c0 - strideW ? Math.max(0, s - strideW) : 0;
      for (let tr = 0; tr < r; tr++) {
        const rr = r0 + tr;
        if (!inside && (rr < 0 || rr >= h)) continue;
        const base = img * hw + rr * w;
        for (let tc = tc0; tc < s; tc++) {
          const cc = c0 + tc;
          if (!inside && (cc < 0 || cc >= w)) continue;
          const q = base + cc;
          const st = stamp[q];
          if (st === id) continue;
          if (st >= held) full[q] = block; // held via an earlier whole fold: say so before re-stamping
          stamp[q] = id;
          list[n++] = q;
          if (full[q] === block) continue;
          const below = partial[q] === block ? suffix[q] : C; // channels [below, C) are held by suffix
          if (walked[q] !== block) fresh += below;
          else for (let ch = 0; ch < below; ch++) if (mark[q * C + ch] !== block) fresh++;
        }
      }
    }
    this.fresh = fresh;
    return n;
  }

  /** Channels [from, C) of position q are held by the block (0: all; C: none by full or suffix membership). */
  private heldFrom(q: number): number {
    if (this.full[q] === this.block) return 0;
    return this.partial[q] === this.block ? this.suffix[q] : this.C;
  }

  /**
   * Blocks close inside fold fr. Port j reads tap w on row j + w, and tap (tr, tc, ch) is (tr·s + tc)·C + ch, so
   * position q's channel ch is read by each covering pixel j on row b_j + ch (b_j = j + (tr·s + tc)·C). The first
   * close comes from each position's first access and the block's holdings; every later one from the first access
   * after the previous close (laterCloses); what the last block keeps from each position's last access.
   */
  private closeInFold(fr: number, rowBase: number, n: number): boolean {
    this.firstAndLast(fr, n);
    const need = this.B - this.inBlock;
    this.firstCloseRows(n);
    if (!this.findClose(need)) throw new Error('scalesim: CALC block close not found in its fold');
    this.firstClosePort(n, need);
    let reads = need, blocks = 1, rest = this.restAfter(n);
    if (rest >= this.B) {
      const more = this.laterCloses(fr, n);
      if (more < 0) return false;
      blocks += more; reads += more * this.B; rest = this.restAfter(n);
    }
    reads += rest;
    // The last block keeps every channel read after the last close.
    const next = this.block + blocks;
    for (let i = 0; i < n; i++) {
      const q = this.list[i], from = this.fromAfter(this.last[q], this.lastPort[q]);
      if (from === 0) this.full[q] = next;
      else if (from < this.C) { this.partial[q] = next; this.suffix[q] = from; }
    }
    this.reads += reads;
    this.lastCloseRow = rowBase + this.closeTau;
    this.blockStart = this.pos + entriesBefore(this.p, 'ifmap', fr, 0, this.closeTau) + this.closePort - slotFirst(this.p, 'ifmap', this.closeTau) + 1;
    this.block = next; this.inBlock = rest;
    return true;
  }

  /** Each fold position's first and last access (row, port): the smallest / largest b_j, ties by port. */
  private firstAndLast(fr: number, n: number): void {
    const { map, C, r, s, h, w, first, firstPort, last, lastPort, list } = this, hw = h * w;
    for (let i = 0; i < n; i++) { const q = list[i]; first[q] = 1 << 30; last[q] = -1; }
    const p0 = fr * this.R, p1 = Math.min(this.m, p0 + this.R);
    for (let px = p0; px < p1; px++) {
      const j = px - p0, r0 = map.pixRow[px], c0 = map.pixCol[px], img = Math.floor(px / this.perImage);
      for (let tr = 0; tr < r; tr++) {
        const rr = r0 + tr;
        if (rr < 0 || rr >= h) continue;
        for (let tc = 0; tc < s; tc++) {
          const cc = c0 + tc;
          if (cc < 0 || cc >= w) continue;
          const q = img * hw + rr * w + cc, row = j + (tr * s + tc) * C;
          if (row < first[q]) { first[q] = row; firstPort[q] = j; }
          if (row >= last[q]) { last[q] = row; lastPort[q] = j; }
        }
      }
    }
  }

  /** rowCount ← a difference array of the open block's new addresses by the row of their first access. */
  private firstCloseRows(n: number): void {
    const { rowCount, first, mark, walked, list, C } = this, block = this.block;
    for (let t = 0; t <= this.L; t++) rowCount[t] = 0;
    for (let i = 0; i < n; i++) {
      const q = list[i], below = this.heldFrom(q);
      if (below === 0) continue;
      if (walked[q] === block) { for (let ch = 0; ch < below; ch++) if (mark[q * C + ch] !== block) { rowCount[first[q] + ch]++; rowCount[first[q] + ch + 1]--; } }
      else { rowCount[first[q]]++; rowCount[first[q] + below]--; }
    }
  }

  /** The row where the new first accesses (rowCount) reach `need` (closeTau), and how many came before it. */
  private findClose(need: number): boolean {
    const rowCount = this.rowCount;
    for (let t = 0, level = 0, total = 0; t < this.L; t++) {
      level += rowCount[t];
      if (total + level >= need) { this.closeTau = t; this.closeBefore = total; return true; }
      total += level;
    }
    return false;
  }

  /** The port of the closing access: the (need − before)-th new first access of the closing row. */
  private firstClosePort(n: number, need: number): void {
    const { cand, first, firstPort, mark, walked, list, C } = this, block = this.block, tau = this.closeTau;
    cand.length = 0;
    for (let i = 0; i < n; i++) {
      const q = list[i], ch = tau - first[q];
      if (ch < 0 || ch >= this.heldFrom(q)) continue;
      if (walked[q] === block && mark[q * C + ch] === block) continue;
      cand.push(firstPort[q]);
    }
    cand.sort((a, b) => a - b);
    this.closePort = cand[need - this.closeBefore - 1];
  }

  /** The first channel of a (row b, port j) pixel pair read after the last close (C or more: none). */
  private fromAfter(b: number, j: number): number {
    return Math.max(0, this.closeTau - b + (j > this.closePort ? 0 : 1));
  }

  /** The words read after the last close, by each position's last access. */
  private restAfter(n: number): number {
    let rest = 0;
    for (let i = 0; i < n; i++) { const q = this.list[i], from = this.fromAfter(this.last[q], this.lastPort[q]); if (from < this.C) rest += this.C - from; }
    return rest;
  }

  /**
   * Closes after the first inside the fold: a fresh block fills with the channels read after the previous close;
   * channel ch of a position is first read after it by the covering pixel with the smallest b_j whose suffix of
   * channels lies after it. Returns how many more closes (closeTau/closePort the last), or −1 if out of range.
   */
  private laterCloses(fr: number, n: number): number {
    const { map, C, r, s, h, w, rowCount, cand } = this, hw = h * w, L = this.L;
    if (this.R >= 1 << 12 || L >= 1 << 20 || this.full.length >= 1 << 21) return -1; // the packed keys below
    const p0 = fr * this.R, p1 = Math.min(this.m, p0 + this.R), size = (p1 - p0) * r * s;
    if (this.keys.length < size) this.keys = new Float64Array(size);
    let pairs = 0;
    const keys = this.keys;
    for (let px = p0; px < p1; px++) {
      const j = px - p0, r0 = map.pixRow[px], c0 = map.pixCol[px], img = Math.floor(px / this.perImage);
      for (let tr = 0; tr < r; tr++) {
        const rr = r0 + tr;
        if (rr < 0 || rr >= h) continue;
        for (let tc = 0; tc < s; tc++) {
          const cc = c0 + tc;
          if (cc < 0 || cc >= w) continue;
          keys[pairs++] = ((img * hw + rr * w + cc) * 1048576 + j + (tr * s + tc) * C) * 4096 + j; // (q, b, j) packed
        }
      }
    }
    const sorted = keys.subarray(0, pairs).sort();
    let closes = 0;
    while (this.restAfter(n) >= this.B) {
      const prevTau = this.closeTau, prevPort = this.closePort;
      for (let t = 0; t <= L; t++) rowCount[t] = 0;
      this.afterRuns(sorted, pairs, -1);
      if (!this.findClose(this.B)) throw new Error('scalesim: CALC block close not found in its fold');
      const tau = this.closeTau, before = this.closeBefore;
      this.closeTau = prevTau; this.closePort = prevPort; // the runs are after the previous close
      cand.length = 0;
      this.afterRuns(sorted, pairs, tau);
      cand.sort((a, b) => a - b);
      this.closeTau = tau; this.closePort = cand[this.B - before - 1];
      closes++;
    }
    return closes;
  }

  /**
   * Per position, its pixel pairs by ascending (b, j): each covers the channels after the last close not yet
   * covered. With tau < 0 the runs go into rowCount; otherwise the ports of the runs that cover row tau into cand.
   */
  private afterRuns(sorted: Float64Array, pairs: number, tau: number): void {
    const { rowCount, cand, C } = this;
    for (let i = 0; i < pairs;) {
      const q = Math.floor(sorted[i] / 4294967296);
      let covered = C;
      for (; i < pairs && Math.floor(sorted[i] / 4294967296) === q; i++) {
        const key = sorted[i], b = Math.floor(key / 4096) % 1048576, j = key % 4096, from = this.fromAfter(b, j);
        if (from >= covered) continue;
        if (tau < 0) { rowCount[b + from]++; rowCount[b + covered]--; }
        else if (tau >= b + from && tau < b + covered) cand.push(j);
        covered = from;
      }
    }
  }
}

/** CALC reads of the ifmap: one walk per pass, extrapolated over repeated passes (os/ws). Rows are global. */
function calcIfmapReads(p: FoldPlan, map: IfmapMap, B: number, g?: ScalesimConv): { reads: number; lastCloseRow: number } {
  const st = new IfmapBlocks(p, map, B, g);
  const L = p.cyclesPerFold;
  if (!p.os && !p.ws) { // every fold reads another tile: one pass over the whole stream
    for (let fc = 0, fold = 0; fc < p.colFolds; fc++) for (let fr = 0; fr < p.rowFolds; fr++, fold++) st.walkFold(fr, fc, fold * L);
    st.done();
    return { reads: st.reads, lastCloseRow: st.lastCloseRow };
  }
  // os/ws: the ifmap stream of a pass (row folds 0..rf−1) does not depend on the column fold: cf identical passes.
  // The state at a pass start is the number of the previous accesses in the open block (≥ a pass: saturated).
  const passRows = p.rowFolds * L;
  const walkPass = (pass: number) => {
    for (let fr = 0; fr < p.rowFolds; fr++) { const rowBase = pass * passRows + fr * L; if (!st.foldAtOnce(fr, rowBase)) st.walkFold(fr, pass, rowBase); }
  };
  const seen = new Map<number, number>();
  const passReads: number[] = [], passClose: number[] = [];
  let passLength = -1;
  for (let pass = 0; pass < p.colFolds; pass++) {
    const key = st.pos - st.blockStart;
    if (passLength >= 0 && key >= passLength) break; // the open block holds every address: all later accesses hit
    const prev = seen.get(key);
    if (prev !== undefined) {
      const period = pass - prev, skipCycles = Math.floor((p.colFolds - pass) / period), shift = skipCycles * period;
      let cycleReads = 0, lastInCycle = -1;
      for (let q = prev; q < pass; q++) { cycleReads += passReads[q]; if (passClose[q] >= 0) lastInCycle = q; }
      st.reads += skipCycles * cycleReads;
      if (skipCycles > 0 && lastInCycle >= 0) st.lastCloseRow = (lastInCycle + shift) * passRows + passClose[lastInCycle];
      for (let r = pass + shift; r < p.colFolds; r++) walkPass(r); // the rest, from the same state
      break;
    }
    seen.set(key, pass);
    const readsBefore = st.reads, closeBefore = st.lastCloseRow;
    walkPass(pass);
    if (passLength < 0) passLength = st.pos;
    passReads.push(st.reads - readsBefore);
    passClose.push(st.lastCloseRow !== closeBefore ? st.lastCloseRow - pass * passRows : -1);
  }
  st.done();
  return { reads: st.reads, lastCloseRow: st.lastCloseRow };
}

/**
 * CALC reads of the filter by closed forms: its stream is a sequence of segments, each D distinct addresses repeated
 * `reps` times back to back, different segments disjoint. Returns the reads and the stream position of the last block
 * close (−1 if none).
 */
function calcFilterReads(p: FoldPlan, B: number): { reads: number; lastClosePos: number } {
  const segments: [number, number][] = [];
  if (p.os) for (let fc = 0; fc < p.colFolds; fc++) segments.push([p.k * foldWidth(p, 'filter', 0, fc), p.rowFolds]);
  else segments.push([p.k * p.n, p.ws ? 1 : p.colFolds]);
  let reads = 0, carry = 0, pos = 0, lastClosePos = -1;
  for (const [D, reps] of segments) {
    const total = D * reps;
    if (D >= B) { // a repeat lies ≥ B accesses back, so in an earlier block: every access is a read
      const first = B - carry; // the access (1-based in the segment) that closes the open block
      if (first <= total) lastClosePos = pos + first - 1 + Math.floor((total - first) / B) * B;
      reads += total;
      carry = (carry + total) % B;
    } else if (carry + D < B) { // the first repetition fits the open block; the rest hit
      reads += D; carry += D;
    } else { // the block closes inside the first repetition, after `o` accesses; the next block catches the rest
      const o = B - carry;
      lastClosePos = pos + o - 1;
      reads += D + (reps >= 2 ? o : 0);
      carry = reps >= 2 ? D : D - o;
    }
    pos += total;
  }
  return { reads, lastClosePos };
}

function calcMemory(p: FoldPlan, map: IfmapMap, cfg: ScalesimMemoryConfig, sram: ScalesimSram, g?: ScalesimConv): ScalesimMemory {
  const L = p.cyclesPerFold;
  const rowsOf = new Map<Operand, [number, number]>();
  const firstLast = (op: Operand): [number, number] => {
    let r = rowsOf.get(op);
    if (!r) { r = firstLastRows(p, map, op); rowsOf.set(op, r); }
    return r;
  };
  // The ofmap write buffer (drained at cols words/cycle) is the only source of stalls in CALC mode.
  const ofmap = new WriteBuffer(cfg.sramWords.ofmap, p.cols);
  const stallRows: number[] = [], stallSums: number[] = [];
  let stalls = 0, row = 0, lastService = 0;
  for (let fc = 0; fc < p.colFolds; fc++) for (let fr = 0; fr < p.rowFolds; fr++) {
    const base = row;
    // Outputs leave on rows wait + lo .. wait + hi − 1 + width − 1 only; row τ carries ports j with lo ≤ τ − wait − j < hi.
    const lo = itemLo(p, 'ofmap', fr), hi = itemHi(p, 'ofmap'), width = foldWidth(p, 'ofmap', fr, fc), wait = p.ofmap.wait;
    const end = Math.min(L, wait + hi + width - 1);
    for (let tau = wait + lo; tau < end; tau++) {
      const u0 = tau - wait, count = Math.min(width - 1, u0 - lo) - Math.max(0, u0 - hi + 1) + 1;
      if (count <= 0) continue;
      const cycle = base + tau + stalls, served = ofmap.serve(count, cycle);
      if (served > cycle) { stalls += served - cycle; stallRows.push(base + tau); stallSums.push(stalls); }
      lastService = served;
    }
    row += L;
  }
  const lastRow = row - 1;
  // The last row's service cycle: it may carry no output (then no stall).
  ofmap.flush(Math.max(lastService, lastRow + stalls));
  /** The cycle demand row r is requested at (its index plus the stalls of the rows before it). */
  const cycleOf = (r: number): number => {
    let lo = 0, hi = stallRows.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (stallRows[mid] < r) lo = mid + 1; else hi = mid; }
    return r + (lo > 0 ? stallSums[lo - 1] : 0);
  };
  const ownStall = (r: number): number => {
    let lo = 0, hi = stallRows.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (stallRows[mid] < r) lo = mid + 1; else hi = mid; }
    return lo < stallRows.length && stallRows[lo] === r ? stallSums[lo] - (lo > 0 ? stallSums[lo - 1] : 0) : 0;
  };
  const readWindow = (op: 'ifmap' | 'filter', reads: number, closeRow: number, perSet: number): ScalesimWindow => {
    if (closeRow < 0) {
      const sets = perSet > 0 ? Math.ceil(reads / perSet) : 0;
      return { startCycle: -Math.ceil((sets * perSet) / ESTIMATE_BW), stopCycle: -1, words: reads };
    }
    const [first] = firstLast(op);
    return { startCycle: cycleOf(first) - Math.ceil((BLOCK_SETS * perSet) / ESTIMATE_BW), stopCycle: cycleOf(closeRow) + 1, words: reads };
  };
  const ib = calcBlock(cfg.sramWords.ifmap), fb = calcBlock(cfg.sramWords.filter);
  const ifr = calcIfmapReads(p, map, ib.block, g);
  const ffr = calcFilterReads(p, fb.block);
  const sramWindow = (op: Operand, words: number): ScalesimWindow => {
    const [first, last] = firstLast(op);
    if (first < 0) return { startCycle: 0, stopCycle: 0, words }; // never accessed (all padding): SCALE-Sim's initial values
    if (op === 'ofmap') return { startCycle: cycleOf(first) + ownStall(first), stopCycle: cycleOf(last) + ownStall(last), words };
    return { startCycle: cycleOf(first) + 1, stopCycle: cycleOf(last) + 1, words };
  };
  return {
    stallCycles: stalls,
    sram: { ifmap: sramWindow('ifmap', sram.ifmapReads), filter: sramWindow('filter', sram.filterReads), ofmap: sramWindow('ofmap', sram.ofmapWrites) },
    dram: {
      ifmap: readWindow('ifmap', ifr.reads, ifr.lastCloseRow, ib.perSet),
      filter: readWindow('filter', ffr.reads, ffr.lastClosePos < 0 ? -1 : rowOfAccess(p, 'filter', ffr.lastClosePos), fb.perSet),
      ofmap: ofmap.window(),
    },
  };
}

// ---- USER mode ------------------------------------------------------------------------------------------------

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

function userMemory(p: FoldPlan, map: IfmapMap, cfg: ScalesimMemoryConfig, sram: ScalesimSram): ScalesimMemory {
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

/**
 * CALC-mode DRAM reads of the ifmap (docs/scalesim-memory.md §2): tumbling blocks of B distinct addresses over the
 * demand stream, walked per pass and extrapolated over identical passes; an os conv is counted by input positions.
 */
import { type FoldPlan, type IfmapMap, entriesBefore, fillRow, slotCount, slotFirst, type ScalesimConv } from './streams.js';

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

/**
 * The CALC block state of the ifmap: which addresses the open block holds (mark: address → block id), and for an os
 * conv the same per input position, because an os fold reads every channel of every input position its R pixels'
 * windows cover. A fold is then counted by its distinct input positions instead of its R·k entries: whole when its
 * new words do not fill the block; and when they do, by each position's first and last access in the fold (its
 * channels are read on consecutive rows), which give the closing access and what the next block holds.
 * A position is in the block fully (full, or a stamp ≥ blockStamp), by a channel suffix [suffix, C) (partial: what
 * a block opened inside a fold holds), and/or channel by channel (mark, set by entry-by-entry walks; walked says so).
 */
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
   * after the previous close (laterCloses); what the last block keeps from each position's last access. False
   * (nothing changed) if the fold is too large for the packed pair keys; it is then walked entry by entry.
   */
  private closeInFold(fr: number, rowBase: number, n: number): boolean {
    const pairs = this.pixelPairs(fr, n);
    if (pairs < 0) return false;
    const need = this.B - this.inBlock;
    this.firstCloseRows(n);
    if (!this.findClose(need)) throw new Error('scalesim: CALC block close not found in its fold');
    this.firstClosePort(n, need);
    let reads = need, blocks = 1, rest = this.restAfter(n);
    if (rest >= this.B) {
      const more = this.laterCloses(n, pairs);
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

  /**
   * The fold's (position, b_j, port j) pixel pairs, packed into `keys` in pixel order (returns how many, or −1 if a
   * value would not fit the packing), and each position's first and last access (row, port): the smallest / largest
   * b_j, ties by port. For one position, key order is (b_j, j) order.
   */
  private pixelPairs(fr: number, n: number): number {
    const { map, C, r, s, h, w, first, firstPort, last, lastPort, list } = this, hw = h * w;
    if (this.R >= 1 << 12 || this.L >= 1 << 20 || this.full.length >= 1 << 21) return -1;
    const p0 = fr * this.R, p1 = Math.min(this.m, p0 + this.R), size = (p1 - p0) * r * s;
    if (this.keys.length < size) this.keys = new Float64Array(size);
    const keys = this.keys;
    for (let i = 0; i < n; i++) { const q = list[i]; first[q] = 1 << 30; last[q] = -1; }
    let pairs = 0;
    for (let px = p0; px < p1; px++) {
      const j = px - p0, r0 = map.pixRow[px], c0 = map.pixCol[px], img = Math.floor(px / this.perImage);
      for (let tr = 0; tr < r; tr++) {
        const rr = r0 + tr;
        if (rr < 0 || rr >= h) continue;
        for (let tc = 0; tc < s; tc++) {
          const cc = c0 + tc;
          if (cc < 0 || cc >= w) continue;
          const q = img * hw + rr * w + cc, row = j + (tr * s + tc) * C;
          keys[pairs++] = (q * 1048576 + row) * 4096 + j;
          if (row < first[q]) { first[q] = row; firstPort[q] = j; }
          if (row >= last[q]) { last[q] = row; lastPort[q] = j; }
        }
      }
    }
    return pairs;
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
   * channels lies after it. Returns how many more closes (closeTau/closePort the last).
   */
  private laterCloses(n: number, pairs: number): number {
    const { rowCount, cand, keys } = this, L = this.L;
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
        // | 0: small integers stay small integers (a double in a field would change the object's shape)
        const key = sorted[i], b = (Math.floor(key / 4096) % 1048576) | 0, j = (key % 4096) | 0, from = this.fromAfter(b, j);
        if (from >= covered) continue;
        if (tau < 0) { rowCount[b + from]++; rowCount[b + covered]--; }
        else if (tau >= b + from && tau < b + covered) cand.push(j);
        covered = from;
      }
    }
  }
}

/** CALC reads of the ifmap: one walk per pass, extrapolated over repeated passes (os/ws). Rows are global. */
export function calcIfmapReads(p: FoldPlan, map: IfmapMap, B: number, g?: ScalesimConv): { reads: number; lastCloseRow: number } {
  const st = new IfmapBlocks(p, map, B, g);
  const L = p.cyclesPerFold;
  if (!p.os && !p.ws) { // every fold reads another tile: one pass over the whole stream
    for (let fc = 0, fold = 0; fc < p.colFolds; fc++) for (let fr = 0; fr < p.rowFolds; fr++, fold++) st.walkFold(fr, fc, fold * L);
    st.done();
    return { reads: st.reads, lastCloseRow: st.lastCloseRow };
  }
  // os/ws: the ifmap stream of a pass (row folds 0..rf−1) does not depend on the column fold: cf identical passes.
  // The state at a pass start is how many of the previous demand slots the open block spans (≥ a pass: saturated).
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

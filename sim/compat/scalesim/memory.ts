/**
 * `--compat scalesim`: SCALE-Sim v2's memory numbers for one GEMM (docs/cycle-model.md §9), by exact fast methods
 * (docs/scalesim-memory.md; test/compat/scalesim-oracle.ts is the address-by-address emulation they are tested against).
 * This file: the entry point, SRAM counts, CALC mode (filter closed forms here, the ifmap in calc-ifmap.ts); USER mode
 * is user.ts; the ofmap write buffer of both is write-buffer.ts.
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
import type { GemmDataflow as Dataflow } from '../../arch/types.js';
import type { ScalesimOperandWindows, ScalesimWindow } from './report-row.js';
import { calcIfmapReads } from './calc-ifmap.js';
import { type FoldPlan, type GemmShape, type IfmapMap, type Operand, entriesBefore, fillRow, foldPlan, foldWidth, ifmapMap, itemHi, itemLo, ofmapCount, type ScalesimConv } from './streams.js';
import { userMemory } from './user.js';
import { WriteBuffer } from './write-buffer.js';

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

// ---- CALC mode ------------------------------------------------------------------------------------------------

/** The block size B = 50·⌊S/100⌋ distinct addresses (no block ever closes below 100 words). */
const calcBlock = (words: number) => { const perSet = Math.floor(words / SETS); return { perSet, block: perSet > 0 ? BLOCK_SETS * perSet : Infinity }; };

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

/** The stalls of a timeline: the rows that stalled (ascending) and the running total after each. */
interface Stalls { readonly rows: number[]; readonly sums: number[]; total: number }

/** The index of the first stalled row ≥ r. */
function stallIndex(st: Stalls, r: number): number {
  let lo = 0, hi = st.rows.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (st.rows[mid] < r) lo = mid + 1; else hi = mid; }
  return lo;
}
/** The cycle demand row r is requested at: its index plus the stalls of the rows before it. */
function cycleOf(st: Stalls, r: number): number { const i = stallIndex(st, r); return r + (i > 0 ? st.sums[i - 1] : 0); }
/** Row r's own stall. */
function ownStall(st: Stalls, r: number): number {
  const i = stallIndex(st, r);
  return i < st.rows.length && st.rows[i] === r ? st.sums[i] - (i > 0 ? st.sums[i - 1] : 0) : 0;
}

/**
 * CALC mode's timeline: the ofmap write buffer (drained at cols words/cycle) is its only source of stalls. Serves
 * every row's outputs; returns the stalls. Outputs leave on fold rows wait + lo .. wait + hi + width − 2 only; row τ
 * carries the ports j with lo ≤ τ − wait − j < hi.
 */
function calcOfmap(p: FoldPlan, ofmap: WriteBuffer): Stalls {
  const L = p.cyclesPerFold, st: Stalls = { rows: [], sums: [], total: 0 };
  let row = 0, lastService = 0;
  for (let fc = 0; fc < p.colFolds; fc++) for (let fr = 0; fr < p.rowFolds; fr++, row += L) {
    const lo = itemLo(p, 'ofmap', fr), hi = itemHi(p, 'ofmap'), width = foldWidth(p, 'ofmap', fr, fc), wait = p.ofmap.wait;
    const end = Math.min(L, wait + hi + width - 1);
    for (let tau = wait + lo; tau < end; tau++) {
      const u0 = tau - wait, count = Math.min(width - 1, u0 - lo) - Math.max(0, u0 - hi + 1) + 1;
      if (count <= 0) continue;
      const cycle = row + tau + st.total, served = ofmap.serve(count, cycle);
      if (served > cycle) { st.total += served - cycle; st.rows.push(row + tau); st.sums.push(st.total); }
      lastService = served;
    }
  }
  // The final drains start at the last row's service cycle (it may carry no output, then no stall).
  ofmap.flush(Math.max(lastService, row - 1 + st.total));
  return st;
}

/** CALC DRAM window of ifmap or filter (docs/scalesim-memory.md §2). */
function calcReadWindow(st: Stalls, firstRow: number, reads: number, closeRow: number, perSet: number): ScalesimWindow {
  if (closeRow < 0) {
    const sets = perSet > 0 ? Math.ceil(reads / perSet) : 0;
    return { startCycle: -Math.ceil((sets * perSet) / ESTIMATE_BW), stopCycle: -1, words: reads };
  }
  return { startCycle: cycleOf(st, firstRow) - Math.ceil((BLOCK_SETS * perSet) / ESTIMATE_BW), stopCycle: cycleOf(st, closeRow) + 1, words: reads };
}

/** SRAM window: the service cycles of the first and last rows with an access (reads one cycle after the request). */
function calcSramWindow(st: Stalls, [first, last]: [number, number], op: Operand, words: number): ScalesimWindow {
  if (first < 0) return { startCycle: 0, stopCycle: 0, words }; // never accessed (all padding): SCALE-Sim's initial values
  if (op === 'ofmap') return { startCycle: cycleOf(st, first) + ownStall(st, first), stopCycle: cycleOf(st, last) + ownStall(st, last), words };
  return { startCycle: cycleOf(st, first) + 1, stopCycle: cycleOf(st, last) + 1, words };
}

function calcMemory(p: FoldPlan, map: IfmapMap, cfg: ScalesimMemoryConfig, sram: ScalesimSram, g?: ScalesimConv): ScalesimMemory {
  const ofmap = new WriteBuffer(cfg.sramWords.ofmap, p.cols);
  const st = calcOfmap(p, ofmap);
  const rows = { ifmap: firstLastRows(p, map, 'ifmap'), filter: firstLastRows(p, map, 'filter'), ofmap: firstLastRows(p, map, 'ofmap') };
  const ib = calcBlock(cfg.sramWords.ifmap), fb = calcBlock(cfg.sramWords.filter);
  const ifr = calcIfmapReads(p, map, ib.block, g);
  const ffr = calcFilterReads(p, fb.block);
  return {
    stallCycles: st.total,
    sram: {
      ifmap: calcSramWindow(st, rows.ifmap, 'ifmap', sram.ifmapReads), filter: calcSramWindow(st, rows.filter, 'filter', sram.filterReads),
      ofmap: calcSramWindow(st, rows.ofmap, 'ofmap', sram.ofmapWrites),
    },
    dram: {
      ifmap: calcReadWindow(st, rows.ifmap[0], ifr.reads, ifr.lastCloseRow, ib.perSet),
      filter: calcReadWindow(st, rows.filter[0], ffr.reads, ffr.lastClosePos < 0 ? -1 : rowOfAccess(p, 'filter', ffr.lastClosePos), fb.perSet),
      ofmap: ofmap.window(),
    },
  };
}

/**
 * SCALE-Sim v2's operand address streams for one GEMM, in its order (docs/cycle-model.md §9, "Address streams").
 * Folds run column folds outer, row folds inner; each fold lasts `cyclesPerFold` demand rows (one per cycle), and in
 * each row an operand's ports are served in ascending order. Addresses are 0-based per operand:
 *  - ifmap: SCALE-Sim's (row·W + col)·C + channel of the im2col window element, or −1 (no access) where the window
 *    lies outside the input — the ceil rule's overhang (SCALE-Sim), or any zero padding (our extension: SCALE-Sim
 *    itself cannot express top/left padding); a GEMM without a conv behind it uses pixel·k + window (row-major);
 *  - filter: filter·k + window;  ofmap: pixel·n + filter (only counts of outputs per row matter for DRAM).
 * Nothing is materialized: `fillRow` writes one demand row's valid addresses into a scratch array, in port order.
 */
import type { GemmDataflow } from '../../arch/types.js';

/** The conv behind a GEMM's ifmap: the unpadded input N×H×W×C (C per group), R×S window, strides, origin offset. */
export interface ScalesimConv {
  readonly n: number; readonly h: number; readonly w: number; readonly c: number;
  readonly r: number; readonly s: number;
  readonly strideH: number; readonly strideW: number;
  /** Zero padding above / left of the input: window coordinates are shifted by it (0 for SCALE-Sim's own layers). */
  readonly padTop: number; readonly padLeft: number;
  /** Output rows and columns. */
  readonly p: number; readonly q: number;
}

export interface GemmShape { readonly m: number; readonly k: number; readonly n: number }

/**
 * The ifmap's im2col → address map, precomputed per output pixel (its window's top-left input position, possibly
 * negative) and per window element (its tap offset): address = base[pixel] + offset[window] when the tap is inside.
 */
export interface IfmapMap {
  /** Number of distinct ifmap addresses (the size of an address-indexed table). */
  readonly space: number;
  readonly base: Int32Array;
  readonly offset: Int32Array;
  /** 1 where every window element of the pixel is inside the input (no check needed). */
  readonly interior: Uint8Array;
  readonly pixRow: Int32Array; readonly pixCol: Int32Array;
  readonly tapRow: Int32Array; readonly tapCol: Int32Array;
  readonly h: number; readonly w: number;
}

export function ifmapMap(shape: GemmShape, g?: ScalesimConv): IfmapMap {
  const { m, k } = shape;
  const base = new Int32Array(m), offset = new Int32Array(k), interior = new Uint8Array(m);
  const pixRow = new Int32Array(m), pixCol = new Int32Array(m), tapRow = new Int32Array(k), tapCol = new Int32Array(k);
  if (!g) {
    rowMajor(m, k, base, offset, interior);
    return { space: m * k, base, offset, interior, pixRow, pixCol, tapRow, tapCol, h: 1, w: 1 };
  }
  taps(k, g.s, g.c, g.w, offset, tapRow, tapCol);
  pixels(m, g, base, interior, pixRow, pixCol);
  return { space: g.n * g.h * g.w * g.c, base, offset, interior, pixRow, pixCol, tapRow, tapCol, h: g.h, w: g.w };
}

// The table loops live in their own small functions, so that optimizing them mid-loop leaves no untried code behind.
function rowMajor(m: number, k: number, base: Int32Array, offset: Int32Array, interior: Uint8Array): void {
  for (let i = 0; i < m; i++) { base[i] = i * k; interior[i] = 1; }
  for (let j = 0; j < k; j++) offset[j] = j;
}

function taps(k: number, s: number, c: number, w: number, offset: Int32Array, tapRow: Int32Array, tapCol: Int32Array): void {
  const sc = s * c;
  for (let j = 0; j < k; j++) {
    const fr = (j / sc) | 0, rest = j - fr * sc, fc = (rest / c) | 0;
    tapRow[j] = fr; tapCol[j] = fc; offset[j] = (fr * w + fc) * c + (rest - fc * c);
  }
}

function pixels(m: number, g: ScalesimConv, base: Int32Array, interior: Uint8Array, pixRow: Int32Array, pixCol: Int32Array): void {
  const perImage = g.p * g.q, q = g.q, sh = g.strideH, sw = g.strideW, pt = g.padTop, pl = g.padLeft;
  const h = g.h, w = g.w, c = g.c, r = g.r, s = g.s;
  for (let i = 0; i < m; i++) {
    const img = (i / perImage) | 0, px = i - img * perImage, orow = (px / q) | 0;
    const row = orow * sh - pt, col = (px - orow * q) * sw - pl;
    pixRow[i] = row; pixCol[i] = col;
    base[i] = img * h * w * c + (row * w + col) * c;
    interior[i] = row >= 0 && col >= 0 && row + r <= h && col + s <= w ? 1 : 0;
  }
}

/** The ifmap address of (pixel, window element), or −1. */
export function ifmapAddress(map: IfmapMap, pixel: number, window: number): number {
  if (map.interior[pixel] === 1) return map.base[pixel] + map.offset[window];
  const r = map.pixRow[pixel] + map.tapRow[window], c = map.pixCol[pixel] + map.tapCol[window];
  return r >= 0 && r < map.h && c >= 0 && c < map.w ? map.base[pixel] + map.offset[window] : -1;
}

export type Operand = 'ifmap' | 'filter' | 'ofmap';

/**
 * How one operand is demanded within a fold. `skewed`: port j at fold row τ carries item τ − j − wait when
 * 0 ≤ τ − j − wait < items. `stationary`: only rows τ < rows, port j carries item rows − 1 − τ (loaded bottom row
 * first). Ports beyond the fold's valid width carry nothing.
 */
export interface FoldSide { readonly skewed: boolean; readonly wait: number; readonly items: number }

/** The fold structure SCALE-Sim builds for a GEMM on a rows × cols array. */
export interface FoldPlan {
  /** The dataflow as flags (is: neither), for the hot loops: booleans, not string comparisons. */
  readonly os: boolean; readonly ws: boolean;
  readonly rows: number; readonly cols: number;
  readonly m: number; readonly k: number; readonly n: number;
  readonly rowFolds: number; readonly colFolds: number;
  readonly cyclesPerFold: number;
  /** The spatial extents: Sr (split over rows) and Sc (over cols). */
  readonly sr: number; readonly sc: number;
  readonly ifmap: FoldSide; readonly filter: FoldSide; readonly ofmap: FoldSide;
}

const DF_CODE: Readonly<Record<GemmDataflow, number>> = { os: 0, ws: 1, is: 2 };

export function foldPlan(shape: GemmShape, df: GemmDataflow, rows: number, cols: number): FoldPlan {
  const { m, k, n } = shape;
  const code = DF_CODE[df], os = code === 0, ws = code === 1;
  if (os) {
    const skew0: FoldSide = { skewed: true, wait: 0, items: k };
    return {
      os, ws, rows, cols, m, k, n, sr: m, sc: n, rowFolds: Math.ceil(m / rows), colFolds: Math.ceil(n / cols),
      cyclesPerFold: k + rows + cols - 2, ifmap: skew0, filter: skew0, ofmap: { skewed: true, wait: k - 1, items: rows },
    };
  }
  const t = ws ? m : n, sc = ws ? n : m;
  const streamed: FoldSide = { skewed: true, wait: rows, items: t }, stationary: FoldSide = { skewed: false, wait: 0, items: rows };
  return {
    os, ws, rows, cols, m, k, n, sr: k, sc, rowFolds: Math.ceil(k / rows), colFolds: Math.ceil(sc / cols),
    cyclesPerFold: t + 2 * rows + cols - 2,
    ifmap: ws ? streamed : stationary, filter: ws ? stationary : streamed,
    ofmap: { skewed: true, wait: 2 * rows - 1, items: t },
  };
}

/** Valid ports of an operand in fold (fr, fc): the array edge it enters by, cut at the GEMM's edge. */
export function foldWidth(p: FoldPlan, op: Operand, fr: number, fc: number): number {
  const rowsLeft = Math.min(p.rows, p.sr - fr * p.rows), colsLeft = Math.min(p.cols, p.sc - fc * p.cols);
  if (p.os) return op === 'ifmap' ? rowsLeft : colsLeft;
  if (op === 'ofmap') return colsLeft;
  const stationaryOp = p.ws ? 'filter' : 'ifmap';
  return op === stationaryOp ? colsLeft : rowsLeft;
}

/**
 * The item range [itemLo, itemHi) an operand has in fold fr. Stationary operands: the fold rows τ that load a window
 * row (rows − 1 − τ < k), i.e. τ ≥ rows − (window rows left). The os ofmap: output rows u with pixel
 * fr·rows + rows − 1 − u < m, i.e. u ≥ rows − (rows left). Otherwise every item exists.
 */
export function itemLo(p: FoldPlan, op: Operand, fr: number): number {
  const side = p[op];
  return !side.skewed || (p.os && op === 'ofmap') ? p.rows - Math.min(p.rows, p.sr - fr * p.rows) : 0;
}
export function itemHi(p: FoldPlan, op: Operand): number {
  const side = p[op];
  return !side.skewed || (p.os && op === 'ofmap') ? p.rows : side.items;
}

/**
 * The number of demand entries (valid ports, before any −1 of the ifmap's overhang) in fold rows [0, tau) of one
 * operand: a closed form, used to find the row of the x-th access without walking.
 */
export function entriesBefore(p: FoldPlan, op: Operand, fr: number, fc: number, tau: number): number {
  const side = p[op], width = foldWidth(p, op, fr, fc), lo = itemLo(p, op, fr), hi = itemHi(p, op);
  if (!side.skewed) return width * Math.max(0, Math.min(tau, p.rows) - lo);
  // Σ_{j<width} #{u ∈ [lo, hi) : u ≤ τ − 1 − j − wait}
  let total = 0;
  for (let j = 0; j < width; j++) {
    const top = tau - 1 - j - side.wait; // largest u available before row tau
    if (top >= lo) total += Math.min(top + 1, hi) - lo;
  }
  return total;
}

/**
 * Writes the valid addresses of fold row τ of ifmap or filter into `out` (port order); returns how many.
 * Ifmap entries outside the input are skipped; `ports`, if given, receives each ifmap address's port.
 */
export function fillRow(p: FoldPlan, map: IfmapMap, op: 'ifmap' | 'filter', fr: number, fc: number, tau: number, out: Int32Array, ports?: Int32Array): number {
  const side = op === 'ifmap' ? p.ifmap : p.filter, width = foldWidth(p, op, fr, fc), k = p.k;
  let len = 0;
  if (!side.skewed) {
    if (tau >= p.rows) return 0;
    const window = fr * p.rows + p.rows - 1 - tau;
    if (window >= k) return 0;
    const c0 = fc * p.cols;
    if (op === 'filter') { for (let j = 0; j < width; j++) out[len++] = (c0 + j) * k + window; return len; }
    for (let j = 0; j < width; j++) { const a = ifmapAddress(map, c0 + j, window); if (a >= 0) { if (ports) ports[len] = j; out[len++] = a; } }
    return len;
  }
  const u0 = tau - side.wait; // item of port 0
  const jlo = Math.max(0, u0 - side.items + 1), jhi = Math.min(width - 1, u0);
  if (op === 'filter') {
    if (p.os) { const f0 = fc * p.cols; for (let j = jlo; j <= jhi; j++) out[len++] = (f0 + j) * k + (u0 - j); } // (window u, filter f0 + j)
    else { const w0 = fr * p.rows; for (let j = jlo; j <= jhi; j++) out[len++] = (u0 - j) * k + w0 + j; } // is: (window w0 + j, filter u)
    return len;
  }
  const { base, offset, interior } = map;
  if (p.os) { // (pixel p0 + j, window u0 − j)
    const p0 = fr * p.rows;
    for (let j = jlo; j <= jhi; j++) {
      const px = p0 + j, a = interior[px] === 1 ? base[px] + offset[u0 - j] : ifmapAddress(map, px, u0 - j);
      if (a >= 0) { if (ports) ports[len] = j; out[len++] = a; }
    }
    return len;
  }
  const w0 = fr * p.rows; // ws: (pixel u0 − j, window w0 + j)
  for (let j = jlo; j <= jhi; j++) {
    const px = u0 - j, a = interior[px] === 1 ? base[px] + offset[w0 + j] : ifmapAddress(map, px, w0 + j);
    if (a >= 0) { if (ports) ports[len] = j; out[len++] = a; }
  }
  return len;
}

/**
 * The demand slots of fold row τ (ports with an item, the ifmap's no-access taps included): the first such port
 * (slotFirst) and how many (slotCount).
 */
export function slotFirst(p: FoldPlan, op: 'ifmap' | 'filter', tau: number): number {
  const side = op === 'ifmap' ? p.ifmap : p.filter;
  return side.skewed ? Math.max(0, tau - side.wait - side.items + 1) : 0;
}
export function slotCount(p: FoldPlan, op: 'ifmap' | 'filter', fr: number, fc: number, tau: number): number {
  const side = op === 'ifmap' ? p.ifmap : p.filter, width = foldWidth(p, op, fr, fc);
  if (!side.skewed) return tau < p.rows && fr * p.rows + p.rows - 1 - tau < p.k ? width : 0;
  const u0 = tau - side.wait;
  return Math.max(0, Math.min(width - 1, u0) - Math.max(0, u0 - side.items + 1) + 1);
}

/** The number of outputs (ofmap writes) of fold row τ. */
export function ofmapCount(p: FoldPlan, fr: number, fc: number, tau: number): number {
  const width = foldWidth(p, 'ofmap', fr, fc), lo = itemLo(p, 'ofmap', fr), hi = itemHi(p, 'ofmap');
  const u0 = tau - p.ofmap.wait;
  const jlo = Math.max(0, u0 - hi + 1), jhi = Math.min(width - 1, u0 - lo);
  return jhi >= jlo ? jhi - jlo + 1 : 0;
}

/**
 * The prefetch (DRAM fetch) order of ifmap or filter in SCALE-Sim's USER mode: its per-fold operand matrices stacked
 * (−1 for unmapped ports), read row-major or along anti-diagonals (within a diagonal from the highest row down).
 * Returns the valid addresses in order and the number of entries including −1.
 */
export function prefetchOrder(p: FoldPlan, map: IfmapMap, op: 'ifmap' | 'filter'): { order: Int32Array; rawEntries: number } {
  const { m, k, n, rows, cols } = p;
  // The stacked matrix: `blocks` blocks of `perBlock` rows × `width` columns; entry (block b, row r, col c).
  let blocks: number, perBlock: number, width: number, diag: boolean, kind: number;
  if (p.os && op === 'ifmap') { blocks = Math.ceil(m / rows); perBlock = k; width = rows; diag = true; kind = 0; }
  else if (p.os) { blocks = Math.ceil(n / cols); perBlock = k; width = cols; diag = true; kind = 1; }
  else if (p.ws && op === 'ifmap') { blocks = Math.ceil(k / rows); perBlock = m; width = rows; diag = true; kind = 2; }
  else if (p.ws) { blocks = Math.ceil(n / cols); perBlock = k; width = cols; diag = false; kind = 1; }
  else if (op === 'ifmap') { blocks = Math.ceil(m / cols); perBlock = k; width = cols; diag = false; kind = 0; }
  else { blocks = Math.ceil(k / rows); perBlock = n; width = rows; diag = true; kind = 3; }
  const M = blocks * perBlock;
  const at = (row: number, c: number): number => {
    const b = Math.floor(row / perBlock), r = row - b * perBlock, x = b * width + c;
    if (kind === 0) return x < m ? ifmapAddress(map, x, r) : -1;        // (pixel x, window r)
    if (kind === 1) return x < n ? x * k + r : -1;                      // (window r, filter x)
    if (kind === 2) return x < k ? ifmapAddress(map, r, x) : -1;        // (pixel r, window x)
    return x < k ? r * k + x : -1;                                      // (window x, filter r)
  };
  const out = new Int32Array(M * width);
  let len = 0;
  if (!diag) {
    for (let row = 0; row < M; row++) for (let c = 0; c < width; c++) { const a = at(row, c); if (a >= 0) out[len++] = a; }
  } else {
    for (let d = 0; d < M + width - 1; d++) {
      const hi = Math.min(d, M - 1), lo = Math.max(0, d - width + 1);
      for (let row = hi; row >= lo; row--) { const a = at(row, d - row); if (a >= 0) out[len++] = a; }
    }
  }
  return { order: out.subarray(0, len), rawEntries: M * width };
}

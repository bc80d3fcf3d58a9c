/**
 * Eyeriss' row-stationary (RS) mapping of one convolution onto a rows × cols PE array: the spatial half of it, the
 * part that decides how many PEs work (Chen, Emer, Sze, ISCA 2016; Chen, Krishna, Emer, Sze, JSSC 2017, section IV).
 *
 * A PE runs a 1-D convolution: one filter row (S weights) over one ifmap row, giving one row of partial sums. The
 * logical **PE set** of a 2-D convolution is R × E PEs: filter row i on PE row i, ofmap row j on PE column j; filter
 * rows are reused along a row, ifmap rows diagonally, and partial sums add up a column. The set is then fitted to
 * the physical array:
 * - **strips**: a set wider than the array (E > cols) is cut into ⌈E / cols⌉ strips of at most `cols` columns, which
 *   are stacked vertically, each R rows tall (AlexNet CONV2 on Eyeriss: 5 × 27 → 5 × 14 above 5 × 13);
 * - **passes**: when the strips do not all fit (R·strips > rows), the array takes ⌊rows / R⌋ strips at a time, one
 *   processing pass after another (CONV1: 11 × 55 → four passes of 11 × 14);
 * - **replication**: when the whole set fits more than once, copies run on other channels or filters: ⌊⌊rows / R⌋ /
 *   strips⌋ stacked (CONV3: 3 × 13 four times) and, for a one-strip set narrower than the array, ⌊cols / E⌋ side by
 *   side (a dense layer, as a 1 × 1 set: all 168 PEs), bounded by C·M, the channel-filter pairs there are;
 * - a filter taller than the array (R > rows, which Eyeriss' 12 rows never meet) is cut into ⌈R / rows⌉ groups of rows
 *   whose partial sums add up over time.
 * The temporal half — what each PE's spads hold (Eyeriss' p filters × q channels), the global buffer's tile and
 * the order of its loops — follows below the spatial mapping (RsTemporal).
 */

/** The convolution dimensions RS works on (Eyeriss' notation). */
export interface RsConv {
  /** Filter height and width. */
  readonly r: number;
  readonly s: number;
  /** Ofmap height and width. */
  readonly e: number;
  readonly f: number;
  /** Input channels and filters (output channels). */
  readonly c: number;
  readonly m: number;
}

export interface RsSpatialMapping {
  /** The logical PE set: R rows × E columns. */
  readonly set: { readonly rows: number; readonly cols: number };
  /** Filter-row groups: ⌈R / array rows⌉ (1 unless the filter is taller than the array). */
  readonly rowGroups: number;
  /** PE rows one strip takes: the filter rows of one group. */
  readonly stripRows: number;
  /** ⌈E / array cols⌉ strips; the last one is E − (strips − 1)·cols wide. */
  readonly strips: number;
  readonly stripWidths: readonly number[];
  /** Strips the array holds at once: ⌊rows / stripRows⌋. */
  readonly stripsAtOnce: number;
  /** Copies of the whole set, stacked and side by side (1 when the set needs passes). */
  readonly replication: number;
  /** Processing passes per (channel, filter) group of the replication: ⌈strips / stripsAtOnce⌉ × rowGroups. */
  readonly passes: number;
  /** PEs at work in each pass, in order (filter-row groups outer, strips inner). */
  readonly pesPerPass: readonly number[];
  /** PEs at work in the fullest pass (what Eyeriss' papers report per layer), and on average over the passes. */
  readonly activePes: number;
  readonly meanActivePes: number;
  /** activePes / (rows·cols). */
  readonly utilization: number;
}

/** The RS spatial mapping of `conv` on a rows × cols array. */
export function rsSpatialMapping(conv: RsConv, array: { readonly rows: number; readonly cols: number }): RsSpatialMapping {
  const dims = { r: conv.r, s: conv.s, e: conv.e, f: conv.f, c: conv.c, m: conv.m, rows: array.rows, cols: array.cols };
  for (const [k, v] of Object.entries(dims)) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`rsSpatialMapping: ${k} must be a positive integer, got ${v}`);
  }
  const rowGroups = Math.ceil(conv.r / array.rows);
  // Filter rows split as evenly as the array allows: the tallest group decides the strip height.
  const stripRows = Math.ceil(conv.r / rowGroups);
  const strips = Math.ceil(conv.e / array.cols);
  const stripWidths = Array.from({ length: strips }, (_, i) => Math.min(array.cols, conv.e - i * array.cols));
  const stripsAtOnce = Math.floor(array.rows / stripRows);
  const fits = strips <= stripsAtOnce;
  const across = strips === 1 ? Math.floor(array.cols / conv.e) : 1;
  const replication = fits ? Math.max(1, Math.min(Math.floor(stripsAtOnce / strips) * across, conv.c * conv.m)) : 1;
  const passesPerGroup = Math.ceil(strips / stripsAtOnce);
  const passes = passesPerGroup * rowGroups;
  // The PEs of each pass: its strips' widths × the rows of the filter-row group it holds.
  const groupRows = Array.from({ length: rowGroups }, (_, g) => Math.min(stripRows, conv.r - g * stripRows));
  const passPes: number[] = [];
  for (const rowsOfGroup of groupRows) {
    for (let p = 0; p < passesPerGroup; p++) {
      const widths = stripWidths.slice(p * stripsAtOnce, (p + 1) * stripsAtOnce);
      passPes.push(replication * rowsOfGroup * widths.reduce((a, b) => a + b, 0));
    }
  }
  const activePes = Math.max(...passPes);
  return {
    set: { rows: conv.r, cols: conv.e }, rowGroups, stripRows, strips, stripWidths, stripsAtOnce, replication, passes,
    pesPerPass: passPes, activePes, meanActivePes: passPes.reduce((a, b) => a + b, 0) / passPes.length, utilization: activePes / (array.rows * array.cols),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The temporal half: what each PE's scratch pads hold, what the global buffer (GLB) holds, and the GLB loop order.

/** One convolution as RS runs it: the set's dims plus the batch, the stride and the ifmap as DRAM and the GLB hold it. */
export interface RsLayer extends RsConv {
  /** Images (the batch). */
  readonly n: number;
  /** Vertical stride. */
  readonly u: number;
  /** Width of the ifmap rows the GLB sends to the array, padding included. */
  readonly paddedW: number;
  /** The ifmap as DRAM holds it, per image and channel: its rows (no padding), the words of a row, the top padding. */
  readonly ifmapRows: number;
  readonly ifmapRowWords: number;
  readonly padTop: number;
}

/** The GLB's loop dims: images (n), filters (m), channels (c), ofmap rows (e). */
export type RsGlbDim = 'n' | 'm' | 'c' | 'e';
const permutations = (xs: readonly RsGlbDim[]): string[] =>
  xs.length <= 1 ? [xs.join('')] : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => x + rest));
/** The GLB loops, outer first, e.g. `mnec`: all 24 orders of the four dims. */
export const RS_GLB_ORDERS: readonly string[] = permutations(['m', 'n', 'e', 'c']);

/**
 * Eyeriss' p and q (JSSC 2017, section IV-B) and a GLB tile. A PE holds q channels of its ifmap row window (q·S
 * values in the ifmap spad), p·q filter rows (p·q·S weights in the filter spad) and p partial sums (the psum spad):
 * each ifmap value it reads is used p times, and its psums add up q channels before they leave for the GLB. The
 * GLB holds glbN images × glbC channels of the ifmap rows that glbE ofmap rows need, glbM × glbC filters and
 * glbN × glbM × glbE ofmap rows of partial sums; its loops over the tiles run in `order`. Every factor divides the
 * next level's (p | glbM | M, q | glbC | C, glbN | N): a perfect factorization, as Timeloop's mapspaces default to.
 * glbE is a divisor of E or a whole number of strips (rsTileRows), the last tile then holding the rows left.
 */
export interface RsTemporal {
  readonly p: number;
  readonly q: number;
  readonly glbN: number;
  readonly glbM: number;
  readonly glbC: number;
  readonly glbE: number;
  readonly order: string;
}

/**
 * A layer's access counts in words (elements) at every level, all GLB tiles: what the fast model (timing/) computes
 * and the PE array (array/) counts, defined once here because neither may import the other.
 */
export interface RsCounts {
  readonly macs: number;
  /** Spad reads: a filter and an ifmap value per MAC; the psum spad is read and written once per MAC. */
  readonly spadReads: number;
  readonly spadPsumAccesses: number;
  /** GLB → spads: ifmap rows (one multicast per row per strip), filter rows (per strip, when a copy's filters change). */
  readonly glbIfmapReads: number;
  readonly glbFilterReads: number;
  /** Partial sums read back from and written to the GLB (a column's sum per p-filter group and q-channel group). */
  readonly glbPsumReads: number;
  readonly glbPsumWrites: number;
  /** DRAM → GLB and back: ifmap and filter tiles, partial sums spilled and re-read, the ofmap written. */
  readonly dramIfmapReads: number;
  readonly dramFilterReads: number;
  readonly dramPsumReads: number;
  readonly dramOfmapWrites: number;
}

/** Scratch-pad capacities per PE and GLB partition capacities, in words. */
export interface RsCapacities {
  readonly spad: { readonly ifmapWords: number; readonly filterWords: number; readonly psumWords: number };
  readonly glb: { readonly ifmapWords: number; readonly filterWords: number; readonly psumWords: number };
}

/** Which capacities a temporal mapping meets: the spads (per PE) and the GLB partitions. */
export interface RsFit { readonly spad: boolean; readonly glb: boolean }

/**
 * The real (unpadded) ifmap rows that ofmap rows [e0, e0 + rows) read, fetched as one contiguous range: from the
 * first row any of them reads to the last (ofmap row e reads padded rows e·U … e·U + R − 1).
 */
export function rsIfmapRows(l: RsLayer, e0: number, rows: number): number {
  const e1 = e0 + rows - 1;
  // The first ofmap row that reaches a real row (its last tap at or below the top padding's end), and the last one
  // that starts above the bottom padding.
  const first = Math.max(e0, Math.ceil((l.padTop - l.r + 1) / l.u)), last = Math.min(e1, Math.floor((l.ifmapRows - 1 + l.padTop) / l.u));
  if (first > last) return 0;
  const top = Math.max(0, first * l.u - l.padTop), bottom = Math.min(l.ifmapRows - 1, last * l.u - l.padTop + l.r - 1);
  return Math.max(0, bottom - top + 1);
}

/** The most ifmap words of one image-channel a GLB tile of glbE ofmap rows holds. */
const tileRowWords = (l: RsLayer, glbE: number): number => Math.min(l.ifmapRows, (glbE - 1) * l.u + l.r) * l.ifmapRowWords;

export function rsFit(l: RsLayer, t: RsTemporal, cap: RsCapacities): RsFit {
  return {
    spad: t.q * l.s <= cap.spad.ifmapWords && t.p * t.q * l.s <= cap.spad.filterWords && t.p <= cap.spad.psumWords,
    glb: t.glbN * t.glbC * tileRowWords(l, t.glbE) <= cap.glb.ifmapWords && t.glbM * t.glbC * l.r * l.s <= cap.glb.filterWords
      && t.glbN * t.glbM * t.glbE * l.f <= cap.glb.psumWords,
  };
}

/** The divisors of x, ascending. */
export function divisors(x: number): number[] {
  const lo: number[] = [], hi: number[] = [];
  for (let d = 1; d * d <= x; d++) {
    if (x % d === 0) {
      lo.push(d);
      if (d * d !== x) hi.unshift(x / d);
    }
  }
  return [...lo, ...hi];
}

const largest = (options: readonly number[], ok: (v: number) => boolean): number | undefined => {
  for (let i = options.length - 1; i >= 0; i--) if (ok(options[i])) return options[i];
  return undefined;
};

/**
 * The fixed temporal mapping (`--mapper fixed`), greedy as a designer would pick it by hand: q as large as the ifmap
 * spad allows, then p as large as the filter and psum spads allow; in the GLB, the most ofmap rows (of rsTileRows), then images,
 * filters and channels that fit; loops filters outer, then images, rows, channels inner (`mnec`: psums finish in
 * the GLB). p and q are first sought among those whose smallest GLB tile (one image, one ofmap row) fits. Where even
 * the smallest choice does not fit, the smallest is taken and rsFit says so.
 */
export function rsFixedTemporal(l: RsLayer, cap: RsCapacities, array: { readonly cols: number }): RsTemporal {
  const smallest = (p: number, q: number): RsTemporal => ({ p, q, glbN: 1, glbM: p, glbC: q, glbE: 1, order: 'mnec' });
  const fits = (t: RsTemporal) => rsFit(l, t, cap).glb;
  const qOk = (q: number) => q * l.s <= cap.spad.ifmapWords && q * l.s <= cap.spad.filterWords;
  const pOk = (p: number, q: number) => p <= cap.spad.psumWords && p * q * l.s <= cap.spad.filterWords;
  const q = largest(divisors(l.c), (q) => qOk(q) && fits(smallest(1, q))) ?? largest(divisors(l.c), qOk) ?? 1;
  const p = largest(divisors(l.m), (p) => pOk(p, q) && fits(smallest(p, q))) ?? largest(divisors(l.m), (p) => pOk(p, q)) ?? 1;
  const base = smallest(p, q);
  const glbE = largest(rsTileRows(l, array.cols), (glbE) => fits({ ...base, glbE })) ?? 1;
  const glbN = largest(divisors(l.n), (glbN) => fits({ ...base, glbE, glbN })) ?? 1;
  const glbM = largest(divisors(l.m).filter((d) => d % p === 0), (glbM) => fits({ ...base, glbE, glbN, glbM })) ?? p;
  const glbC = largest(divisors(l.c).filter((d) => d % q === 0), (glbC) => fits({ ...base, glbE, glbN, glbM, glbC })) ?? q;
  return { p, q, glbN, glbM, glbC, glbE, order: 'mnec' };
}

/** A GLB tile's sub-convolution: the set the array sees while the GLB holds one tile (of `rows` ofmap rows). */
export const rsTileConv = (l: RsLayer, t: RsTemporal, rows = t.glbE): RsConv => ({ r: l.r, s: l.s, e: rows, f: l.f, c: t.glbC, m: t.glbM });

/**
 * The ofmap rows a GLB tile may hold: E's divisors and the multiples of the array's columns below E (whole strips;
 * the last tile then holds what is left), ascending.
 */
export function rsTileRows(l: RsLayer, cols: number): number[] {
  const strips = Array.from({ length: Math.ceil(l.e / cols) - 1 }, (_, i) => (i + 1) * cols);
  return [...new Set([...divisors(l.e), ...strips])].sort((a, b) => a - b);
}

/**
 * How many times DRAM traffic repeats per operand for the GLB loop order: an operand is fetched again every
 * iteration of a loop outside its innermost relevant loop that it does not depend on (ifmap: n, c, e; filter: m, c;
 * partial sums: n, m, e — and when the channel loop is outside the innermost n/m/e loop, psums leave for DRAM and
 * come back once per channel tile after the first).
 */
export function rsDramFactors(l: RsLayer, t: RsTemporal): { ifmap: number; filter: number; psumVisits: number } {
  const tiles: Record<RsGlbDim, number> = { n: l.n / t.glbN, m: l.m / t.glbM, c: l.c / t.glbC, e: Math.ceil(l.e / t.glbE) };
  const loops = [...t.order] as RsGlbDim[];
  const factor = (relevant: readonly RsGlbDim[]): number => {
    let inner = -1;
    loops.forEach((d, i) => { if (relevant.includes(d) && tiles[d] > 1) inner = i; });
    let f = 1;
    for (let i = 0; i < inner; i++) if (!relevant.includes(loops[i])) f *= tiles[loops[i]];
    return f;
  };
  return { ifmap: factor(['n', 'c', 'e']), filter: factor(['m', 'c']), psumVisits: factor(['n', 'm', 'e']) };
}

/** DRAM words of one pass over the whole ifmap, tile by tile: the rows each ofmap-row tile reads (halos included). */
export function rsIfmapPassWords(l: RsLayer, t: RsTemporal): number {
  let rows = 0;
  for (let e0 = 0; e0 < l.e; e0 += t.glbE) rows += rsIfmapRows(l, e0, Math.min(t.glbE, l.e - e0));
  return l.n * l.c * rows * l.ifmapRowWords;
}

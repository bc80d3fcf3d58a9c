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
 * Which channels, filters and images a pass holds (Eyeriss' p, q, r, t, n), the spads and the global buffer — the
 * temporal half — are not modelled here yet.
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

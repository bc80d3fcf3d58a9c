/**
 * SCALE-Sim v2's operand address streams for one GEMM, in its order (docs/cycle-model.md §9, "Address streams"): per fold
 * (column folds outer, row folds inner) a demand matrix of `cyclesPerFold` rows per operand — one row per cycle, one
 * column per array edge port — with its skew, preload prefix and drain gaps; and the prefetch order (its operand
 * matrices stacked per fold, read along anti-diagonals where SCALE-Sim does). Addresses are 0-based per operand:
 * ifmap = SCALE-Sim's (row·W + col)·C + channel of the im2col window element (−1 where the window overhangs), filter
 * = filter·k + window index, ofmap = pixel·n + filter. Nothing is materialized: callers get each row through a
 * callback, so a ResNet-18 layer streams in milliseconds.
 */
import type { Dataflow } from '../../arch/types.js';

/** The conv behind a GEMM's ifmap (SCALE-Sim's view: H×W×C, R×S window, stride, Q output columns). */
export interface ScalesimConv {
  readonly h: number; readonly w: number; readonly c: number;
  readonly r: number; readonly s: number; readonly stride: number; readonly q: number;
}

export interface GemmShape { readonly m: number; readonly k: number; readonly n: number }

/** im2col ifmap address of (output pixel i, window index j), or −1 (padding / overhang). */
export function ifmapAddress(g: ScalesimConv | undefined, k: number): (i: number, j: number) => number {
  if (!g) return (i, j) => i * k + j;
  const sc = g.s * g.c;
  return (i, j) => {
    const row = Math.floor(i / g.q) * g.stride + Math.floor(j / sc);
    const jj = j % sc;
    const col = (i % g.q) * g.stride + Math.floor(jj / g.c);
    if (row >= g.h || col >= g.w) return -1;
    return (row * g.w + col) * g.c + (jj % g.c);
  };
}

export function ifmapSpace(g: ScalesimConv | undefined, s: GemmShape): number {
  return g ? g.h * g.w * g.c : s.m * s.k;
}

export type Operand = 'ifmap' | 'filter' | 'ofmap';

/** One operand's demand within a fold: `width` ports, `baseRows` rows before skew, elem(t, j) or −1. */
interface FoldDemand {
  readonly width: number;
  readonly skew: boolean;
  elem(fr: number, fc: number, t: number, j: number): number;
}

export interface DemandPlan {
  readonly rowFolds: number;
  readonly colFolds: number;
  readonly cyclesPerFold: number;
  readonly ops: Readonly<Record<Operand, FoldDemand>>;
}

/** The three operands' demand matrices of a GEMM on a rows × cols array, as SCALE-Sim builds them. */
export function demandPlan(shape: GemmShape, df: Dataflow, rows: number, cols: number, geom?: ScalesimConv): DemandPlan {
  const { m, k, n } = shape;
  const A = ifmapAddress(geom, k);
  const B = (i: number, j: number) => j * k + i;
  const C = (i: number, j: number) => i * n + j;
  if (df === 'os') {
    const T = k;
    return {
      rowFolds: Math.ceil(m / rows), colFolds: Math.ceil(n / cols), cyclesPerFold: T + rows + cols - 2,
      ops: {
        ifmap: { width: rows, skew: true, elem: (fr, _fc, t, j) => { const mr = fr * rows + j; return t < T && mr < m ? A(mr, t) : -1; } },
        filter: { width: cols, skew: true, elem: (_fr, fc, t, j) => { const nc = fc * cols + j; return t < T && nc < n ? B(t, nc) : -1; } },
        ofmap: {
          width: cols, skew: true,
          elem: (fr, fc, t, j) => {
            const i = t - (T - 1);
            if (i < 0 || i >= rows) return -1;
            const mr = fr * rows + rows - 1 - i, nc = fc * cols + j;
            return mr < m && nc < n ? C(mr, nc) : -1;
          },
        },
      },
    };
  }
  const T = df === 'ws' ? m : n;
  const plan = { rowFolds: Math.ceil(k / rows), colFolds: Math.ceil((df === 'ws' ? n : m) / cols), cyclesPerFold: T + 2 * rows + cols - 2 };
  // The stationary operand is loaded bottom row first (flipped), unskewed; the streamed one waits `rows` cycles.
  const stationary = (at: (kr: number, c: number) => number): FoldDemand => ({
    width: cols, skew: false,
    elem: (fr, fc, t, j) => {
      if (t >= rows) return -1;
      const kr = fr * rows + rows - 1 - t, c = fc * cols + j;
      return kr < k && c < (df === 'ws' ? n : m) ? at(kr, c) : -1;
    },
  });
  const streamed = (at: (time: number, kr: number) => number): FoldDemand => ({
    width: rows, skew: true,
    elem: (fr, _fc, t, j) => { const tt = t - rows, kr = fr * rows + j; return tt >= 0 && tt < T && kr < k ? at(tt, kr) : -1; },
  });
  const out = (at: (time: number, c: number) => number): FoldDemand => ({
    width: cols, skew: true,
    elem: (_fr, fc, t, j) => { const tt = t - (2 * rows - 1), c = fc * cols + j; return tt >= 0 && tt < T && c < (df === 'ws' ? n : m) ? at(tt, c) : -1; },
  });
  if (df === 'ws') return { ...plan, ops: { ifmap: streamed((tt, kr) => A(tt, kr)), filter: stationary((kr, c) => B(kr, c)), ofmap: out((tt, c) => C(tt, c)) } };
  return { ...plan, ops: { ifmap: stationary((kr, c) => A(c, kr)), filter: streamed((tt, kr) => B(kr, tt)), ofmap: out((tt, c) => C(c, tt)) } };
}

/** Calls visit(addr) for every valid address of demand row `t` (0-based within the fold) of one operand. */
export function forEachInRow(d: FoldDemand, fr: number, fc: number, t: number, visit: (addr: number) => void): void {
  for (let j = 0; j < d.width; j++) {
    const a = d.skew ? (t - j >= 0 ? d.elem(fr, fc, t - j, j) : -1) : d.elem(fr, fc, t, j);
    if (a >= 0) visit(a);
  }
}

/**
 * The prefetch (DRAM fetch) order of ifmap or filter in SCALE-Sim's USER mode: its per-fold operand matrices stacked
 * (−1 for unmapped ports), rolled out along anti-diagonals where its demand is skewed. Returns the valid addresses.
 */
export function prefetchOrder(shape: GemmShape, df: Dataflow, op: 'ifmap' | 'filter', rows: number, cols: number, geom?: ScalesimConv): { order: Int32Array; rawEntries: number } {
  const { m, k, n } = shape;
  const A = ifmapAddress(geom, k);
  const B = (i: number, j: number) => j * k + i;
  // [blocks, rows per block, width, elem(block, r, c), diagonal]
  let blocks: number, perBlock: number, width: number, diag: boolean, at: (b: number, r: number, c: number) => number;
  if (df === 'os' && op === 'ifmap') { blocks = Math.ceil(m / rows); perBlock = k; width = rows; diag = true; at = (b, r, c) => (b * rows + c < m ? A(b * rows + c, r) : -1); }
  else if (df === 'os') { blocks = Math.ceil(n / cols); perBlock = k; width = cols; diag = true; at = (b, r, c) => (b * cols + c < n ? B(r, b * cols + c) : -1); }
  else if (df === 'ws' && op === 'ifmap') { blocks = Math.ceil(k / rows); perBlock = m; width = rows; diag = true; at = (b, r, c) => (b * rows + c < k ? A(r, b * rows + c) : -1); }
  else if (df === 'ws') { blocks = Math.ceil(n / cols); perBlock = k; width = cols; diag = false; at = (b, r, c) => (b * cols + c < n ? B(r, b * cols + c) : -1); }
  else if (op === 'ifmap') { blocks = Math.ceil(m / cols); perBlock = k; width = cols; diag = false; at = (b, r, c) => (b * cols + c < m ? A(b * cols + c, r) : -1); }
  else { blocks = Math.ceil(k / rows); perBlock = n; width = rows; diag = true; at = (b, r, c) => (b * rows + c < k ? B(b * rows + c, r) : -1); }
  const M = blocks * perBlock, N = width;
  const out = new Int32Array(M * N);
  let len = 0;
  const get = (row: number, c: number) => at(Math.floor(row / perBlock), row % perBlock, c);
  if (!diag) {
    for (let row = 0; row < M; row++) for (let c = 0; c < N; c++) { const a = get(row, c); if (a >= 0) out[len++] = a; }
  } else {
    for (let d = 0; d < M + N - 1; d++) {
      const hi = Math.min(d, M - 1), lo = Math.max(0, d - N + 1);
      for (let row = hi; row >= lo; row--) { const a = get(row, d - row); if (a >= 0) out[len++] = a; }
    }
  }
  return { order: out.subarray(0, len), rawEntries: M * N };
}

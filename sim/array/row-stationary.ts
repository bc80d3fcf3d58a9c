/**
 * A row-stationary PE array, event by event: every MAC of every PE performed with real values, every partial sum's
 * completion cycle taken from the schedule below, every spad and GLB access counted where it happens — for one
 * convolution (N images, C channels, M filters) mapped by map/row-stationary.ts (PE sets, strips, passes, copies).
 * The independent check of timing/row-stationary.ts's closed forms; it never reads that file.
 *
 * The machine (docs/row-stationary.md):
 * - A processing pass holds some strips of the PE set (and, with copies, that many sets side by side or stacked).
 *   PE (i, j) of a strip keeps filter row i (S weights, its spad) and reads ifmap row j·U + i: rows reach PEs
 *   diagonally, one multicast from the GLB per row per strip.
 * - A PE set works through its (image, filter, channel) triples one after another: the copies split the list, each
 *   taking every copies-th triple. For each, every PE convolves its filter row with its ifmap row, F outputs of S
 *   MACs, one MAC per cycle: F·S cycles a triple.
 * - Partial sums go up the column through an adder chain of R − 1 stages: a column's sum of output x leaves the top
 *   R − 1 cycles after its PEs finish it, and is added into the ofmap in the GLB (read-modify-write after the first
 *   channel). The chain overlaps the next triple; only the pass's last triple exposes it.
 * - Passes run one after another. A filter taller than the array runs its row groups as separate passes whose sums
 *   meet in the GLB.
 * Counts are in words (elements): spad reads (filter, ifmap: one each per MAC), GLB reads (ifmap rows multicast,
 * filter rows loaded, partial sums read back) and GLB writes (partial sums).
 */
import { type RsConv, rsSpatialMapping } from '../map/row-stationary.js';

/** A convolution with its data: N×C×H×W input, M×C×R×S weights, stride U, zero padding P on every side. */
export interface RsProblem {
  readonly n: number;
  readonly c: number;
  readonly h: number;
  readonly w: number;
  readonly m: number;
  readonly r: number;
  readonly s: number;
  readonly u: number;
  readonly pad: number;
  readonly input: Float64Array;
  readonly weight: Float64Array;
}

export interface RsCounts {
  readonly macs: number;
  readonly spadReads: number;
  readonly glbIfmapReads: number;
  readonly glbFilterReads: number;
  readonly glbPsumReads: number;
  readonly glbPsumWrites: number;
}

export interface RsRun {
  /** N×M×E×F. */
  readonly output: Float64Array;
  readonly cycles: number;
  readonly passes: number;
  readonly counts: RsCounts;
}

export const rsOutputDims = (p: Pick<RsProblem, 'h' | 'w' | 'r' | 's' | 'u' | 'pad'>): { e: number; f: number } => ({
  e: Math.floor((p.h + 2 * p.pad - p.r) / p.u) + 1,
  f: Math.floor((p.w + 2 * p.pad - p.s) / p.u) + 1,
});

export const rsConvOf = (p: RsProblem): RsConv => ({ r: p.r, s: p.s, ...rsOutputDims(p), c: p.c, m: p.m });

/** Runs the convolution on a rows × cols RS array, cycle by cycle. */
export function runRowStationary(p: RsProblem, array: { readonly rows: number; readonly cols: number }): RsRun {
  const { e: E, f: F } = rsOutputDims(p);
  const map = rsSpatialMapping(rsConvOf(p), array);
  const output = new Float64Array(p.n * p.m * E * F);
  const written = new Uint8Array(output.length); // whether an output already holds a partial sum (read-modify-write)
  const counts = { macs: 0, spadReads: 0, glbIfmapReads: 0, glbFilterReads: 0, glbPsumReads: 0, glbPsumWrites: 0 };
  const x = (ni: number, ci: number, row: number, col: number): number => {
    const yy = row - p.pad, xx = col - p.pad;
    return yy < 0 || yy >= p.h || xx < 0 || xx >= p.w ? 0 : p.input[((ni * p.c + ci) * p.h + yy) * p.w + xx];
  };
  const wt = (mi: number, ci: number, i: number, s: number): number => p.weight[((mi * p.c + ci) * p.r + i) * p.s + s];
  // Every (image, filter, channel) triple, split among the copies: copy k takes triples k, k + copies, …
  const triples: [number, number, number][] = [];
  for (let ni = 0; ni < p.n; ni++) for (let mi = 0; mi < p.m; mi++) for (let ci = 0; ci < p.c; ci++) triples.push([ni, mi, ci]);
  let cycle = 0, passes = 0;
  for (let g = 0; g < map.rowGroups; g++) {
    const rowLo = g * map.stripRows, rowsOfGroup = Math.min(map.stripRows, p.r - rowLo);
    for (let first = 0; first < map.strips; first += map.stripsAtOnce) {
      passes++;
      const strips = map.stripWidths.slice(first, first + map.stripsAtOnce).map((width, k) => ({ col0: (first + k) * array.cols, width }));
      let passEnd = cycle;
      for (let copy = 0; copy < map.replication; copy++) {
        let t = cycle; // this copy's clock: its triples run back to back
        for (let ti = copy; ti < triples.length; ti += map.replication) {
          const [ni, mi, ci] = triples[ti];
          // Loads: the filter rows of the group into the spads, each strip's ifmap rows multicast once.
          counts.glbFilterReads += rowsOfGroup * p.s * strips.length;
          for (const st of strips) counts.glbIfmapReads += ((st.width - 1) * p.u + rowsOfGroup) * (p.w + 2 * p.pad);
          // Every PE of every strip, in lockstep: output ox takes cycles t + ox·S … t + ox·S + S − 1.
          for (const st of strips) {
            for (let j = 0; j < st.width; j++) {
              const eo = st.col0 + j; // the ofmap row this PE column computes
              for (let ox = 0; ox < F; ox++) {
                let column = 0;
                for (let i = 0; i < rowsOfGroup; i++) {
                  let psum = 0;
                  for (let s = 0; s < p.s; s++) {
                    psum += wt(mi, ci, rowLo + i, s) * x(ni, ci, eo * p.u + rowLo + i, ox * p.u + s);
                    counts.macs++;
                    counts.spadReads += 2;
                  }
                  column += psum; // the adder chain, bottom to top
                }
                // The column's sum leaves the chain R − 1 cycles after its last MAC, into the GLB.
                const done = t + (ox + 1) * p.s - 1 + (rowsOfGroup - 1);
                passEnd = Math.max(passEnd, done + 1);
                const o = ((ni * p.m + mi) * E + eo) * F + ox;
                if (written[o]) counts.glbPsumReads++;
                output[o] += column;
                written[o] = 1;
                counts.glbPsumWrites++;
              }
            }
          }
          t += F * p.s;
        }
      }
      cycle = passEnd;
    }
  }
  return { output, cycles: cycle, passes, counts };
}

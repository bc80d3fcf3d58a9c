/**
 * A row-stationary PE array, event by event: every MAC of every PE performed with real values, every partial sum's
 * completion cycle taken from the schedule below, every spad and GLB access counted where it happens — for one
 * convolution (N images, C channels, M filters) mapped by map/row-stationary.ts (PE sets, strips, passes, copies).
 * The independent check of timing/row-stationary.ts's closed forms; it never reads that file.
 *
 * The machine (docs/row-stationary.md):
 * - The GLB holds one tile at a time (glbN images × glbC channels of the ifmap rows glbE ofmap rows read, glbM ×
 *   glbC filters, glbN × glbM × glbE ofmap rows of partial sums); the tiles are visited in the temporal mapping's
 *   loop order, and each operand's tile comes from DRAM when the GLB holds another (ifmap rows: from the first row
 *   the tile's PEs read to the last).
 * - Within a tile, a processing pass holds some strips of the PE set (and, with copies, that many sets side by side
 *   or stacked). PE (i, j) of a strip keeps filter row i of p filters × q channels in its filter spad and reads
 *   ifmap row j·U + i of q channels: rows reach PEs diagonally, one multicast from the GLB per row per strip.
 * - The tile's work units — (p filters, q channels, one image), images innermost — are split among the copies in
 *   contiguous blocks; a copy reloads its filter spads only when the filters or channels change. A unit takes
 *   p·q·F·S cycles: per output, each of the q·S ifmap values is read once and used for p filters.
 * - Partial sums go up the column through an adder chain of R − 1 stages: a column's sum leaves the top R − 1
 *   cycles after its last MAC, and is added into the ofmap in the GLB (read-modify-write after the first channel
 *   group). The chain overlaps the next unit; only the pass's last unit exposes it.
 * - Passes run one after another. A filter taller than the array runs its row groups as separate passes whose sums
 *   meet in the GLB.
 * Counts are in words (elements): spad reads (filter, ifmap: one each per MAC; the psum spad read and written per
 * MAC), GLB reads (ifmap rows multicast, filter rows loaded, partial sums read back), GLB writes (partial sums), and
 * DRAM reads and writes of the GLB's tiles.
 */
import { type RsConv, type RsCounts, type RsLayer, type RsTemporal, rsSpatialMapping, rsTileConv } from '../map/row-stationary.js';

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
export const rsLayerOf = (p: RsProblem): RsLayer => ({ ...rsConvOf(p), n: p.n, u: p.u, paddedW: p.w + 2 * p.pad, ifmapRows: p.h, ifmapRowWords: p.w, padTop: p.pad });

/**
 * Runs the convolution on a rows × cols RS array under temporal mapping `t`, cycle by cycle. The GLB loops visit
 * the tiles in `t.order`; an operand's tile is fetched from DRAM when the tile the GLB holds is another (partial
 * sums: the one held is written out first, and read back when it was written before).
 */
export function runRowStationary(p: RsProblem, array: { readonly rows: number; readonly cols: number }, t: RsTemporal): RsRun {
  const { e: E, f: F } = rsOutputDims(p);
  const layer = rsLayerOf(p);
  const output = new Float64Array(p.n * p.m * E * F);
  const written = new Uint8Array(output.length); // whether an output already holds a partial sum (read-modify-write)
  const counts = {
    macs: 0, spadReads: 0, spadPsumAccesses: 0, glbIfmapReads: 0, glbFilterReads: 0, glbPsumReads: 0, glbPsumWrites: 0,
    dramIfmapReads: 0, dramFilterReads: 0, dramPsumReads: 0, dramOfmapWrites: 0,
  };
  const x = (ni: number, ci: number, row: number, col: number): number => {
    const yy = row - p.pad, xx = col - p.pad;
    return yy < 0 || yy >= p.h || xx < 0 || xx >= p.w ? 0 : p.input[((ni * p.c + ci) * p.h + yy) * p.w + xx];
  };
  const wt = (mi: number, ci: number, i: number, s: number): number => p.weight[((mi * p.c + ci) * p.r + i) * p.s + s];
  // The GLB: which tile of each operand it holds, and which psum tiles it has written out before.
  const held = { ifmap: '', filter: '', psum: '' };
  const spilled = new Set<string>();
  const tileCount = { n: p.n / t.glbN, m: p.m / t.glbM, c: p.c / t.glbC, e: Math.ceil(E / t.glbE) };
  let cycle = 0, passes = 0, heldPsumWords = 0;
  const runTile = (n0: number, m0: number, c0: number, e0: number): void => {
    // The last tile of ofmap rows holds what is left when glbE does not divide E.
    const rowsE = Math.min(t.glbE, E - e0);
    const map = rsSpatialMapping(rsTileConv(layer, t, rowsE), array);
    const psumTileWords = t.glbN * t.glbM * rowsE * F;
    const ifKey = `${n0},${c0},${e0}`, fKey = `${m0},${c0}`, pKey = `${n0},${m0},${e0}`;
    if (held.ifmap !== ifKey) {
      // The real rows the tile's PEs read, first to last, for its images and channels.
      let top = Infinity, bottom = -Infinity;
      for (let eo = e0; eo < e0 + rowsE; eo++) {
        for (let i = 0; i < p.r; i++) {
          const row = eo * p.u + i - p.pad;
          if (row >= 0 && row < p.h) { top = Math.min(top, row); bottom = Math.max(bottom, row); }
        }
      }
      counts.dramIfmapReads += t.glbN * t.glbC * (bottom >= top ? bottom - top + 1 : 0) * p.w;
      held.ifmap = ifKey;
    }
    if (held.filter !== fKey) { counts.dramFilterReads += t.glbM * t.glbC * p.r * p.s; held.filter = fKey; }
    if (held.psum !== pKey) {
      if (held.psum !== '') { counts.dramOfmapWrites += heldPsumWords; spilled.add(held.psum); }
      if (spilled.has(pKey)) counts.dramPsumReads += psumTileWords;
      held.psum = pKey;
      heldPsumWords = psumTileWords;
    }
    // Work units of the tile, images innermost: (filter group, channel group, image).
    const units: [number, number, number][] = [];
    for (let mg = 0; mg < t.glbM / t.p; mg++) for (let cg = 0; cg < t.glbC / t.q; cg++) for (let ni = 0; ni < t.glbN; ni++) units.push([m0 + mg * t.p, c0 + cg * t.q, n0 + ni]);
    const per = Math.ceil(units.length / Math.min(map.replication, units.length));
    for (let g = 0; g < map.rowGroups; g++) {
      const rowLo = g * map.stripRows, rowsOfGroup = Math.min(map.stripRows, p.r - rowLo);
      for (let first = 0; first < map.strips; first += map.stripsAtOnce) {
        passes++;
        const strips = map.stripWidths.slice(first, first + map.stripsAtOnce).map((width, k) => ({ col0: e0 + (first + k) * array.cols, width }));
        let passEnd = cycle;
        for (let from = 0; from < units.length; from += per) {
          let clock = cycle; // this copy's clock: its units run back to back
          let filters = ''; // the filter rows this copy's spads hold
          for (const [mLo, cLo, ni] of units.slice(from, from + per)) {
            if (filters !== `${mLo},${cLo}`) {
              counts.glbFilterReads += rowsOfGroup * p.s * t.p * t.q * strips.length;
              filters = `${mLo},${cLo}`;
            }
            for (const st of strips) counts.glbIfmapReads += t.q * ((st.width - 1) * p.u + rowsOfGroup) * (p.w + 2 * p.pad);
            // Every PE of every strip, in lockstep. Output ox takes p·q·S cycles: for each of the q channels' S
            // ifmap values, one MAC per filter (the value read once, used p times); psum fi's last MAC is at
            // ox·p·q·S + (q·S − 1)·p + fi.
            for (const st of strips) {
              for (let j = 0; j < st.width; j++) {
                const eo = st.col0 + j; // the ofmap row this PE column computes
                for (let ox = 0; ox < F; ox++) {
                  for (let fi = 0; fi < t.p; fi++) {
                    const mi = mLo + fi;
                    let column = 0;
                    for (let i = 0; i < rowsOfGroup; i++) {
                      let psum = 0;
                      for (let qi = 0; qi < t.q; qi++) {
                        for (let s = 0; s < p.s; s++) {
                          psum += wt(mi, cLo + qi, rowLo + i, s) * x(ni, cLo + qi, eo * p.u + rowLo + i, ox * p.u + s);
                          counts.macs++;
                          counts.spadReads += 2;
                          counts.spadPsumAccesses += 2;
                        }
                      }
                      column += psum; // the adder chain, bottom to top
                    }
                    const lastMac = clock + ox * t.p * t.q * p.s + (t.q * p.s - 1) * t.p + fi;
                    // The column's sum leaves the chain R − 1 cycles after its last MAC, into the GLB.
                    passEnd = Math.max(passEnd, lastMac + rowsOfGroup);
                    const o = ((ni * p.m + mi) * E + eo) * F + ox;
                    if (written[o]) counts.glbPsumReads++;
                    output[o] += column;
                    written[o] = 1;
                    counts.glbPsumWrites++;
                  }
                }
              }
            }
            clock += t.p * t.q * F * p.s;
          }
        }
        cycle = passEnd;
      }
    }
  };
  const start = { n: 0, m: 0, c: 0, e: 0 };
  const loop = (depth: number): void => {
    if (depth === 4) { runTile(start.n * t.glbN, start.m * t.glbM, start.c * t.glbC, start.e * t.glbE); return; }
    const d = t.order[depth] as 'n' | 'm' | 'c' | 'e';
    for (let i = 0; i < tileCount[d]; i++) { start[d] = i; loop(depth + 1); }
  };
  loop(0);
  counts.dramOfmapWrites += heldPsumWords; // the last psum tile leaves the GLB
  return { output, cycles: cycle, passes, counts };
}

/**
 * The row-stationary fast model of one convolution: cycles, passes and the access counts at every level — spads,
 * global buffer (GLB), DRAM — of the machine sim/array/row-stationary.ts runs event by event (docs/row-stationary.md),
 * in closed form from the spatial mapping (map/row-stationary.ts) and a temporal one (p, q, the GLB tile and its
 * loop order). The GLB tiles compute alike (a perfect factorization of n, m, c) except the last tile of ofmap rows
 * when glbE does not divide E, so one tile's figures per class times the class's tile count are the layer's; the
 * ifmap rows each tile fetches are summed tile by tile (halos, padding: rsIfmapPassWords). Within a tile the PE set's copies take contiguous blocks of its work units — (filter group of
 * p, channel group of q, image), images innermost — each unit p·q·F·S cycles; a pass ends R − 1 cycles (the adder
 * chain) after its busiest copy's last unit.
 */
import { type RsCounts, type RsLayer, type RsTemporal, rsDramFactors, rsIfmapPassWords, rsSpatialMapping, rsTileConv } from '../map/row-stationary.js';

export interface RsTiming extends RsCounts {
  readonly cycles: number;
  readonly passes: number;
  /** GLB tiles, and the copies of the PE set at work (≤ the spatial mapping's replication). */
  readonly tiles: number;
  readonly copies: number;
  /** PEs given work in the fullest pass, and PE-cycles of the PEs given work (for the utilization-loss split). */
  readonly activePes: number;
  readonly mappedPeCycles: number;
  /** Partial sums moved up a column's adder chain, between PEs (R − 1 hops per column sum). */
  readonly interPePsumMoves: number;
}

/** Contiguous runs of equal ⌊i / n⌋ in [a, b): how often a copy's filters change within its block. */
const runs = (a: number, b: number, n: number): number => (b <= a ? 0 : Math.floor((b - 1) / n) - Math.floor(a / n) + 1);

/** `layer` under temporal mapping `t` on a rows × cols RS array. */
export function rsTiming(layer: RsLayer, t: RsTemporal, array: { readonly rows: number; readonly cols: number }): RsTiming {
  // The GLB tiles along the ofmap rows: ⌊E / glbE⌋ full ones and, when glbE does not divide E, one shorter.
  const full = Math.floor(layer.e / t.glbE), rest = layer.e - full * t.glbE;
  const eClasses = [{ rows: t.glbE, count: full }, ...(rest > 0 ? [{ rows: rest, count: 1 }] : [])];
  const others = (layer.n / t.glbN) * (layer.m / t.glbM) * (layer.c / t.glbC);
  const units = (t.glbM / t.p) * (t.glbC / t.q) * t.glbN;
  const unitCycles = t.p * t.q * layer.f * layer.s;
  let cycles = 0, passes = 0, mapped = 0, glbIfmap = 0, glbFilter = 0, chain = 0, activePes = 0, copies = 0, rowGroups = 1;
  for (const cls of eClasses) {
    const map = rsSpatialMapping(rsTileConv(layer, t, cls.rows), array);
    const tiles = others * cls.count;
    rowGroups = map.rowGroups;
    const per = Math.ceil(units / Math.min(map.replication, units));
    copies = Math.max(copies, Math.ceil(units / per));
    const used = Math.ceil(units / per);
    let filterRuns = 0;
    for (let k = 0; k < used; k++) filterRuns += runs(k * per, Math.min(units, (k + 1) * per), t.glbN);
    const passesPerGroup = Math.ceil(map.strips / map.stripsAtOnce);
    const groupRows = Array.from({ length: map.rowGroups }, (_, g) => Math.min(map.stripRows, layer.r - g * map.stripRows));
    for (const rows of groupRows) {
      const passCycles = per * unitCycles + rows - 1;
      for (let b = 0; b < passesPerGroup; b++) {
        const widths = map.stripWidths.slice(b * map.stripsAtOnce, (b + 1) * map.stripsAtOnce);
        const pes = used * rows * widths.reduce((x, y) => x + y, 0);
        activePes = Math.max(activePes, pes);
        cycles += tiles * passCycles;
        passes += tiles;
        mapped += tiles * pes * passCycles;
        glbIfmap += tiles * units * t.q * widths.reduce((x, w) => x + ((w - 1) * layer.u + rows) * layer.paddedW, 0);
        glbFilter += tiles * filterRuns * rows * layer.s * t.p * t.q * widths.length;
      }
      chain += tiles * (rows - 1) * t.glbN * t.glbM * cls.rows * layer.f * (t.glbC / t.q);
    }
  }
  const macs = layer.n * layer.m * layer.c * layer.e * layer.f * layer.r * layer.s;
  const outputs = layer.n * layer.m * layer.e * layer.f;
  const psumWrites = outputs * (layer.c / t.q) * rowGroups;
  const dram = rsDramFactors(layer, t);
  return {
    cycles, passes, tiles: others * (full + (rest > 0 ? 1 : 0)), copies, activePes, mappedPeCycles: mapped,
    macs, spadReads: 2 * macs, spadPsumAccesses: 2 * macs,
    glbIfmapReads: glbIfmap, glbFilterReads: glbFilter, glbPsumReads: psumWrites - outputs, glbPsumWrites: psumWrites,
    dramIfmapReads: rsIfmapPassWords(layer, t) * dram.ifmap,
    dramFilterReads: layer.m * layer.c * layer.r * layer.s * dram.filter,
    dramPsumReads: outputs * (dram.psumVisits - 1), dramOfmapWrites: outputs * dram.psumVisits,
    interPePsumMoves: chain,
  };
}

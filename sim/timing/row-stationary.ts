/**
 * The row-stationary fast model of one convolution: cycles, passes and the access counts at every level — spads,
 * global buffer (GLB), DRAM — of the machine sim/array/row-stationary.ts runs event by event (docs/row-stationary.md),
 * in closed form from the spatial mapping (map/row-stationary.ts) and a temporal one (p, q, the GLB tile and its
 * loop order). The GLB tiles are identical (a perfect factorization), so one tile's figures times the tile count
 * are the layer's. Within a tile the PE set's copies take contiguous blocks of its work units — (filter group of
 * p, channel group of q, image), images innermost — each unit p·q·F·S cycles; a pass ends R − 1 cycles (the adder
 * chain) after its busiest copy's last unit.
 */
import { type RsLayer, type RsTemporal, rsDramFactors, rsSpatialMapping, rsTileConv } from '../map/row-stationary.js';

/** Counts in words (elements) of the layer, all GLB tiles. */
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
  const sub = rsTileConv(layer, t);
  const map = rsSpatialMapping(sub, array);
  const tiles = (layer.n / t.glbN) * (layer.m / t.glbM) * (layer.c / t.glbC);
  const units = (t.glbM / t.p) * (t.glbC / t.q) * t.glbN;
  const per = Math.ceil(units / Math.min(map.replication, units));
  const copies = Math.ceil(units / per);
  let filterRuns = 0;
  for (let k = 0; k < copies; k++) filterRuns += runs(k * per, Math.min(units, (k + 1) * per), t.glbN);
  const passesPerGroup = Math.ceil(map.strips / map.stripsAtOnce);
  const groupRows = Array.from({ length: map.rowGroups }, (_, g) => Math.min(map.stripRows, layer.r - g * map.stripRows));
  const unitCycles = t.p * t.q * layer.f * layer.s;
  let cycles = 0, mapped = 0, glbIfmap = 0, glbFilter = 0, chain = 0, activePes = 0;
  for (const rows of groupRows) {
    const passCycles = per * unitCycles + rows - 1;
    for (let b = 0; b < passesPerGroup; b++) {
      const widths = map.stripWidths.slice(b * map.stripsAtOnce, (b + 1) * map.stripsAtOnce);
      const pes = copies * rows * widths.reduce((x, y) => x + y, 0);
      activePes = Math.max(activePes, pes);
      cycles += passCycles;
      mapped += pes * passCycles;
      glbIfmap += units * t.q * widths.reduce((x, w) => x + ((w - 1) * layer.u + rows) * layer.paddedW, 0);
      glbFilter += filterRuns * rows * layer.s * t.p * t.q * widths.length;
    }
    chain += (rows - 1) * t.glbN * t.glbM * layer.e * layer.f * (t.glbC / t.q);
  }
  const macs = layer.n * layer.m * layer.c * layer.e * layer.f * layer.r * layer.s;
  const outputs = layer.n * layer.m * layer.e * layer.f;
  const psumWrites = outputs * (layer.c / t.q) * map.rowGroups;
  const dram = rsDramFactors(layer, t);
  return {
    cycles: tiles * cycles, passes: tiles * passesPerGroup * map.rowGroups, tiles, copies, activePes, mappedPeCycles: tiles * mapped,
    macs, spadReads: 2 * macs, spadPsumAccesses: 2 * macs,
    glbIfmapReads: tiles * glbIfmap, glbFilterReads: tiles * glbFilter, glbPsumReads: psumWrites - outputs, glbPsumWrites: psumWrites,
    dramIfmapReads: layer.n * layer.c * layer.ifmapPlaneWords * dram.ifmap,
    dramFilterReads: layer.m * layer.c * layer.r * layer.s * dram.filter,
    dramPsumReads: outputs * (dram.psumVisits - 1), dramOfmapWrites: outputs * dram.psumVisits,
    interPePsumMoves: tiles * chain,
  };
}

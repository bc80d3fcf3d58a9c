/**
 * What a per-layer chart draws for a real network (20–300 entries): one bar per (layer, pass) with the layer's vector
 * ops folded in (a conv's bias add and its weight update are the conv's cost, not bars of their own), then per pass
 * the `top` layers with the largest cost and one bar summing the rest. Pure: CostReport entries → rows.
 */
import type { EnergyByComponent } from '../../energy/price.js';
import type { Pass } from '../../lower/types.js';
import type { LayerCost } from '../../run/cost-report.js';

/** How many layers of each pass a per-layer chart shows; the others are summed into one bar. */
export const TOP_LAYERS_PER_PASS = 15;

export const PASS_ORDER: readonly Pass[] = ['forward', 'backwardData', 'backwardWeight', 'update'];

/** One (layer, pass): the sum of its ops. `layers` counts the layers a "the rest" row sums (1 for a layer). */
export interface LayerPassRow {
  readonly layer: string;
  readonly pass: Pass;
  /** Execution order of the layer's first op in this pass. */
  readonly order: number;
  readonly layers: number;
  readonly energy: EnergyByComponent;
  readonly totalCycles: number;
  /** GEMM PE-cycles by where they went (0 when the layer has no GEMM in this pass). */
  readonly peCycles: { readonly useful: number; readonly unmapped: number; readonly fillAndDrain: number; readonly stalls: number };
}

const ZERO_ENERGY: EnergyByComponent = { mac: 0, registers: 0, sramIfmap: 0, sramFilter: 0, sramOfmap: 0, dram: 0, vectorUnit: 0, leakage: 0 };
const ZERO_PE = { useful: 0, unmapped: 0, fillAndDrain: 0, stalls: 0 };

const addEnergy = (a: EnergyByComponent, b: EnergyByComponent): EnergyByComponent =>
  Object.fromEntries(Object.keys(a).map((k) => [k, a[k as keyof EnergyByComponent] + b[k as keyof EnergyByComponent]])) as unknown as EnergyByComponent;

const addPe = (a: LayerPassRow['peCycles'], b: LayerPassRow['peCycles']) =>
  ({ useful: a.useful + b.useful, unmapped: a.unmapped + b.unmapped, fillAndDrain: a.fillAndDrain + b.fillAndDrain, stalls: a.stalls + b.stalls });

/** A GEMM's PE-cycles (in units of array-cycles: shares × total cycles, the same PE count for every op). */
function peCyclesOf(l: LayerCost): LayerPassRow['peCycles'] {
  if (l.kind !== 'gemm') return ZERO_PE;
  const u = l.utilizationLoss, c = l.totalCycles;
  return { useful: l.overallUtilization * c, unmapped: (u?.unmappedPes ?? 0) * c, fillAndDrain: (u?.fillAndDrain ?? 0) * c, stalls: (u?.stalls ?? 0) * c };
}

/** The report's entries summed per (layer name, pass), in execution order. */
export function foldByLayer(entries: readonly LayerCost[]): LayerPassRow[] {
  const rows = new Map<string, LayerPassRow>();
  entries.forEach((l, i) => {
    const key = `${l.pass}\u0000${l.name}`;
    const seen = rows.get(key);
    const own = { energy: l.energy.byComponent, totalCycles: l.totalCycles, peCycles: peCyclesOf(l) };
    rows.set(key, seen
      ? { ...seen, energy: addEnergy(seen.energy, own.energy), totalCycles: seen.totalCycles + own.totalCycles, peCycles: addPe(seen.peCycles, own.peCycles) }
      : { layer: l.name, pass: l.pass, order: i, layers: 1, ...own });
  });
  return [...rows.values()];
}

/** The label of the bar that sums the layers outside the top: `other 42 layers`. */
export const restLabel = (n: number) => `other ${n} layers (summed)`;

export interface PassRows {
  readonly pass: Pass;
  /** Layers of this pass in the report. */
  readonly layerCount: number;
  /** The top layers by `cost`, largest first, then (when more than one is left) the rest summed. */
  readonly rows: readonly LayerPassRow[];
}

/**
 * Per pass present, in PASS_ORDER: the `top` rows with the largest cost (ties: execution order), largest first; the
 * others summed into one row labelled `restLabel(n)`. A single leftover layer is shown as itself, not as a sum.
 */
export function topPerPass(rows: readonly LayerPassRow[], cost: (r: LayerPassRow) => number, top = TOP_LAYERS_PER_PASS): PassRows[] {
  return PASS_ORDER.flatMap((pass) => {
    const mine = rows.filter((r) => r.pass === pass).sort((a, b) => cost(b) - cost(a) || a.order - b.order);
    if (mine.length === 0) return [];
    if (mine.length <= top + 1) return [{ pass, layerCount: mine.length, rows: mine }];
    const rest = mine.slice(top);
    const sum: LayerPassRow = {
      layer: restLabel(rest.length), pass, order: Number.MAX_SAFE_INTEGER, layers: rest.length,
      energy: rest.reduce((a, r) => addEnergy(a, r.energy), ZERO_ENERGY),
      totalCycles: rest.reduce((a, r) => a + r.totalCycles, 0),
      peCycles: rest.reduce((a, r) => addPe(a, r.peCycles), ZERO_PE),
    };
    return [{ pass, layerCount: mine.length, rows: [...mine.slice(0, top), sum] }];
  });
}

export const energyOf = (r: LayerPassRow): number => Object.values(r.energy).reduce((a, b) => a + b, 0);
export const gemmPeCyclesOf = (r: LayerPassRow): number => r.peCycles.useful + r.peCycles.unmapped + r.peCycles.fillAndDrain + r.peCycles.stalls;

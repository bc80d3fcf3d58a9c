/**
 * One palette for every chart, so a dataflow, an energy component or a curve has the same colour everywhere
 * (Tableau-10 hues; colour-blind-safe enough for slides, and readable in greyscale by order).
 */
import type { EnergyByComponent } from '../../energy/price.js';

/** A vega-lite `scale` with fixed domain → range. */
export interface ColorScale { readonly domain: string[]; readonly range: string[] }

const scale = (entries: readonly (readonly [string, string])[]): ColorScale => ({
  domain: entries.map(([d]) => d), range: entries.map(([, c]) => c),
});

export const DATAFLOW_COLORS = scale([['os', '#4e79a7'], ['ws', '#f28e2b'], ['is', '#59a14f'], ['rs', '#e15759']]);

/** Energy components: the labels charts show, in stacking order, with their colours. */
export const COMPONENT_LABELS: readonly (readonly [keyof EnergyByComponent, string, string])[] = [
  ['mac', 'MACs', '#4e79a7'],
  ['registers', 'PE registers', '#a0cbe8'],
  ['sramIfmap', 'SRAM ifmap', '#f28e2b'],
  ['sramFilter', 'SRAM filter', '#ffbe7d'],
  ['sramOfmap', 'SRAM ofmap', '#59a14f'],
  ['dram', 'DRAM', '#e15759'],
  ['vectorUnit', 'vector unit', '#b07aa1'],
  ['leakage', 'leakage', '#9d7660'],
];
export const COMPONENT_COLORS = scale(COMPONENT_LABELS.map(([, label, c]) => [label, c] as const));

/** Where the array's PE-cycles go. */
export const UTILIZATION_LABELS = ['useful MACs', 'unmapped PEs', 'fill and drain', 'memory stalls'] as const;
export const UTILIZATION_COLORS = scale([
  ['useful MACs', '#59a14f'], ['unmapped PEs', '#bab0ac'], ['fill and drain', '#edc948'], ['memory stalls', '#e15759'],
]);

export const PASS_COLORS = scale([
  ['forward', '#4e79a7'], ['backwardData', '#f28e2b'], ['backwardWeight', '#e15759'], ['update', '#76b7b2'],
]);
export const PARETO_COLORS = scale([['Pareto-optimal', '#e15759'], ['dominated', '#bab0ac']]);
/** Sequential scheme for heat maps (utilization 0–1). */
export const HEAT_SCHEME = 'viridis';
/** The accent colour of single-series marks and reference lines. */
export const ACCENT = '#4e79a7';
export const REFERENCE = '#e15759';

/** Shared config block: fonts the PNG renderer has (DejaVu Sans), sizes that read on a slide. */
export const CHART_CONFIG = {
  font: 'DejaVu Sans',
  title: { fontSize: 14, anchor: 'start' },
  axis: { labelFontSize: 11, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  view: { stroke: null },
};

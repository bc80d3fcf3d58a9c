/**
 * Charts of one CostReport (`simulate`): per-layer utilization and energy (layer-charts.ts), energy by component and
 * the roofline with every GEMM placed. Pure: data → specs.
 */
import { chooseScale, energyUnits, formatQuantity, inScale } from '../../base/display-units.js';
import type { CostReport, GemmCost, LayerCost } from '../../run/cost-report.js';
import { energyPerLayerChart, utilizationChart } from './layer-charts.js';
import { CHART_CONFIG, COMPONENT_COLORS, COMPONENT_LABELS, PASS_COLORS, REFERENCE } from './palette.js';
import { type Chart, VL_SCHEMA, type VlSpec } from './types.js';

const base = (title: string, subtitle?: string | string[]): VlSpec => ({
  $schema: VL_SCHEMA, title: subtitle ? { text: title, subtitle } : title, config: CHART_CONFIG,
});

export function energyByComponentChart(r: CostReport): Chart {
  const units = energyUnits(r.totals.energy.unit);
  const by = r.totals.energy.byComponent;
  const total = r.totals.energy.total || 1;
  const scale = chooseScale(Object.values(by), units);
  const unit = scale.unit;
  const values = COMPONENT_LABELS.map(([key, label]) => ({ component: label, energy: inScale(by[key], scale), share: by[key] / total }));
  return {
    name: 'energy-by-component',
    title: 'Energy of the whole run, by component',
    spec: {
      ...base('Energy of the whole run, by component', `${r.model} · total ${formatQuantity(r.totals.energy.total, units)}`),
      width: 420, height: 240,
      data: { values },
      mark: { type: 'bar' },
      encoding: {
        y: { field: 'component', type: 'nominal', sort: COMPONENT_LABELS.map(([, l]) => l), title: 'component' },
        x: { field: 'energy', type: 'quantitative', title: `energy (${unit})` },
        color: { field: 'component', type: 'nominal', scale: COMPONENT_COLORS, legend: null },
        tooltip: [
          { field: 'component', type: 'nominal' }, { field: 'energy', type: 'quantitative', title: `energy (${unit})`, format: ',.4~r' },
          { field: 'share', type: 'quantitative', format: '.1%' },
        ],
      },
    },
  };
}

/** A palette scale cut to the values present (so a legend lists only what the chart shows), colours kept. */
function presentOnly(s: { domain: string[]; range: string[] }, present: readonly string[]) {
  const keep = s.domain.map((d, i) => [d, s.range[i]] as const).filter(([d]) => present.includes(d));
  return keep.length ? { domain: keep.map(([d]) => d), range: keep.map(([, c]) => c) } : s;
}

const isGemm = (l: LayerCost): l is GemmCost => l.kind === 'gemm';

/** Roofline: MACs/cycle vs arithmetic intensity (MACs per DRAM byte), log-log, with the roof and every GEMM. */
export function rooflineChart(r: CostReport): Chart {
  const points = r.layers.filter(isGemm)
    .map((l) => ({ op: l.id, layer: l.name, pass: l.pass, ai: l.roofline.arithmeticIntensityMacsPerByte, achieved: l.roofline.achievedMacsPerCycle, bound: l.roofline.bound }))
    .filter((p) => p.ai > 0 && p.achieved > 0 && Number.isFinite(p.ai));
  const peak = r.totals.roofline.peakMacsPerCycle;
  const bw = r.hw.dram.bytesPerCycle;
  const ais = points.map((p) => p.ai);
  const ridge = peak / bw;
  const lo = Math.min(ridge, ...ais) / 4, hi = Math.max(ridge, ...ais) * 4;
  const roof = Array.from({ length: 41 }, (_, i) => {
    const ai = lo * (hi / lo) ** (i / 40);
    return { ai, roof: Math.min(peak, ai * bw) };
  });
  roof.push({ ai: ridge, roof: peak });
  roof.sort((a, b) => a.ai - b.ai);
  const x = { field: 'ai', type: 'quantitative', scale: { type: 'log' }, title: 'arithmetic intensity (MACs per DRAM byte)' };
  return {
    name: 'roofline',
    title: 'Roofline, with every GEMM placed',
    spec: {
      ...base('Roofline, with every GEMM placed', [
        `peak ${peak} MACs/cycle, DRAM ${bw} bytes/cycle, ridge at ${ridge.toPrecision(3)} MACs/byte`,
        ...(r.hw.dram.bandwidthMode === 'calc' ? ['CALC bandwidth mode: DRAM bandwidth is not enforced, so layers can sit above the roof'] : []),
      ]),
      width: 520, height: 340,
      layer: [
        {
          data: { values: roof },
          mark: { type: 'line', color: REFERENCE, strokeWidth: 2 },
          encoding: { x, y: { field: 'roof', type: 'quantitative', scale: { type: 'log' }, title: 'performance (MACs per cycle)' } },
        },
        {
          data: { values: points },
          mark: { type: 'point', filled: true, size: 60, opacity: 0.8 },
          encoding: {
            x, y: { field: 'achieved', type: 'quantitative', scale: { type: 'log' } },
            color: { field: 'pass', type: 'nominal', title: 'pass', scale: presentOnly(PASS_COLORS, points.map((p) => p.pass)) },
            tooltip: [
              { field: 'layer', type: 'nominal' }, { field: 'pass', type: 'nominal' }, { field: 'bound', type: 'nominal' },
              { field: 'ai', type: 'quantitative', title: 'MACs/byte', format: '.3~g' },
              { field: 'achieved', type: 'quantitative', title: 'MACs/cycle', format: '.3~g' },
            ],
          },
        },
      ],
    },
  };
}

export function simulateCharts(r: CostReport): Chart[] {
  return [utilizationChart(r), energyPerLayerChart(r), energyByComponentChart(r), rooflineChart(r)];
}

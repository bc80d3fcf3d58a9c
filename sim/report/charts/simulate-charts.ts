/**
 * Charts of one CostReport (`simulate`): energy per layer stacked by component, energy by component, the roofline
 * with every GEMM placed, and per-layer utilization with where the rest of the PE-cycles went. Pure: data → specs.
 */
import type { CostReport, GemmCost, LayerCost } from '../../run/cost-report.js';
import {
  CHART_CONFIG, COMPONENT_COLORS, COMPONENT_LABELS, PASS_COLORS, REFERENCE, UTILIZATION_COLORS, UTILIZATION_LABELS,
} from './palette.js';
import { type Chart, VL_SCHEMA, type VlSpec } from './types.js';
import { pct } from '../format.js';

const base = (title: string, subtitle?: string | string[]): VlSpec => ({
  $schema: VL_SCHEMA, title: subtitle ? { text: title, subtitle } : title, config: CHART_CONFIG,
});

/** The energy unit label of a report (pJ, or "normalized (MAC = 1)"). */
export function energyUnit(r: CostReport): string {
  return r.energyTable.unit === 'pJ' ? 'pJ' : 'MAC energies';
}

/** Label a bar by the op id (unique), in execution order. */
const opOrder = (r: CostReport) => r.layers.map((l) => l.id);

export function energyPerLayerChart(r: CostReport): Chart {
  const unit = energyUnit(r);
  const values = r.layers.flatMap((l, i) => COMPONENT_LABELS
    .map(([key, label]) => ({ op: l.id, layer: l.name, pass: l.pass, order: i, component: label, energy: l.energy.byComponent[key] }))
    .filter((v) => v.energy > 0));
  const stackOrder = Object.fromEntries(COMPONENT_LABELS.map(([, label], i) => [label, i]));
  return {
    name: 'energy-per-layer',
    title: 'Energy per layer, by component',
    spec: {
      ...base('Energy per layer, by component', `${r.model} · ${r.hw.array.rows}×${r.hw.array.cols} ${r.hw.array.dataflow} · ${r.mode}`),
      width: Math.min(1400, Math.max(320, 22 * r.layers.length)), height: 300,
      data: { values: values.map((v) => ({ ...v, stack: stackOrder[v.component] })) },
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'op', type: 'nominal', sort: opOrder(r), title: 'layer · pass (execution order)', axis: { labelAngle: -60, labelLimit: 200 } },
        y: { field: 'energy', type: 'quantitative', aggregate: 'sum', title: `energy (${unit})` },
        color: { field: 'component', type: 'nominal', title: 'component', scale: COMPONENT_COLORS },
        order: { field: 'stack', type: 'quantitative' },
        tooltip: [
          { field: 'layer', type: 'nominal' }, { field: 'pass', type: 'nominal' }, { field: 'component', type: 'nominal' },
          { field: 'energy', type: 'quantitative', aggregate: 'sum', title: `energy (${unit})`, format: '.4~s' },
        ],
      },
    },
  };
}

export function energyByComponentChart(r: CostReport): Chart {
  const unit = energyUnit(r);
  const by = r.totals.energy.byComponent;
  const total = r.totals.energy.total || 1;
  const values = COMPONENT_LABELS.map(([key, label]) => ({ component: label, energy: by[key], share: by[key] / total }));
  return {
    name: 'energy-by-component',
    title: 'Energy of the whole run, by component',
    spec: {
      ...base('Energy of the whole run, by component', `${r.model} · total ${r.totals.energy.total.toPrecision(4)} ${unit}`),
      width: 420, height: 240,
      data: { values },
      mark: { type: 'bar' },
      encoding: {
        y: { field: 'component', type: 'nominal', sort: COMPONENT_LABELS.map(([, l]) => l), title: 'component' },
        x: { field: 'energy', type: 'quantitative', title: `energy (${unit})` },
        color: { field: 'component', type: 'nominal', scale: COMPONENT_COLORS, legend: null },
        tooltip: [
          { field: 'component', type: 'nominal' }, { field: 'energy', type: 'quantitative', title: `energy (${unit})`, format: '.4~s' },
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

/** Per GEMM: the share of PE-cycles doing useful MACs, and where the rest went (unmapped PEs, fill/drain, stalls). */
export function utilizationChart(r: CostReport): Chart {
  const gemms = r.layers.filter((l) => l.kind === 'gemm');
  const values = gemms.flatMap((l) => {
    const loss = l.utilizationLoss;
    const parts = [l.overallUtilization, loss?.unmappedPes ?? 0, loss?.fillAndDrain ?? 0, loss?.stalls ?? 0];
    return UTILIZATION_LABELS.map((cause, i) => ({ op: l.id, layer: l.name, pass: l.pass, cause, share: parts[i], stack: i }));
  });
  return {
    name: 'utilization',
    title: 'Utilization per layer and its loss causes',
    spec: {
      ...base('Utilization per layer and where the rest of the PE-cycles went', `${r.model} · overall ${pct(r.totals.overallUtilization)}`),
      width: Math.min(1400, Math.max(320, 22 * gemms.length)), height: 280,
      data: { values },
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'op', type: 'nominal', sort: gemms.map((l) => l.id), title: 'layer · pass (execution order)', axis: { labelAngle: -60, labelLimit: 200 } },
        y: { field: 'share', type: 'quantitative', stack: 'normalize', title: 'share of PE-cycles (%)', axis: { format: '%' } },
        color: { field: 'cause', type: 'nominal', title: 'PE-cycles', scale: UTILIZATION_COLORS, sort: [...UTILIZATION_LABELS] },
        order: { field: 'stack', type: 'quantitative' },
        tooltip: [
          { field: 'layer', type: 'nominal' }, { field: 'pass', type: 'nominal' }, { field: 'cause', type: 'nominal' },
          { field: 'share', type: 'quantitative', format: '.1%' },
        ],
      },
    },
  };
}

export function simulateCharts(r: CostReport): Chart[] {
  return [utilizationChart(r), energyPerLayerChart(r), energyByComponentChart(r), rooflineChart(r)];
}

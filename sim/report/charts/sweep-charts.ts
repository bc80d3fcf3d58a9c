/**
 * Charts of a sweep's records (results.jsonl): cycles vs array size per dataflow, a utilization heat map over
 * rows × cols, and the energy–latency scatter with the Pareto front. Pure: records → specs. With several models or
 * modes in one sweep, each chart is faceted by "model · mode"; points that differ in other swept parameters (SRAM,
 * bandwidth…) are summarized by the best value (fewest cycles, highest utilization) and say so in the subtitle.
 */
import { type Objective, type SweepRecord, groups, objectivesOf, paretoIds } from '../../sweep/record.js';

const OBJECTIVE_NAMES: Record<Objective, string> = { seconds: 'latency', energyPj: 'energy', areaMm2: 'area' };
import { CHART_CONFIG, DATAFLOW_COLORS, HEAT_SCHEME, PARETO_COLORS } from './palette.js';
import { type Chart, VL_SCHEMA, type VlSpec } from './types.js';

const groupOf = (r: SweepRecord) => `${r.params.model} · ${r.params.mode}`;

function rows(records: readonly SweepRecord[]) {
  const front = paretoIds(records);
  return records.map((r) => ({
    id: r.id, group: groupOf(r), model: r.params.model, mode: r.params.mode, dataflow: r.params.dataflow,
    rows: r.params.rows, cols: r.params.cols, pes: r.params.rows * r.params.cols, array: `${r.params.rows}×${r.params.cols}`,
    sram: `${r.params.ifmapKib}/${r.params.filterKib}/${r.params.ofmapKib} KiB`, precision: r.params.precision,
    cycles: r.totals.cycles, latencyMs: r.totals.seconds * 1e3, utilization: r.totals.utilization,
    ...(r.totals.energyPj !== undefined ? { energyUj: r.totals.energyPj / 1e6 } : {}),
    pareto: front.has(r.id) ? 'Pareto-optimal' : 'dominated',
  }));
}

/** Other parameters that vary across the set (besides model, mode, rows, cols, dataflow). */
function otherVarying(records: readonly SweepRecord[]): string[] {
  const keys = ['ifmapKib', 'filterKib', 'ofmapKib', 'dramBytesPerCycle', 'precision', 'clockMhz', 'hw'] as const;
  return keys.filter((k) => new Set(records.map((r) => String(r.params[k]))).size > 1);
}

/** Wraps a single-view spec in a facet by group when the set holds several model · mode groups. */
function facetIfNeeded(records: readonly SweepRecord[], title: unknown, data: unknown[], inner: VlSpec, extra: VlSpec = {}): VlSpec {
  const groups = new Set(records.map(groupOf));
  const head = { $schema: VL_SCHEMA, title, config: CHART_CONFIG, data: { values: data } };
  if (groups.size <= 1) return { ...head, ...extra, ...inner };
  return { ...head, ...extra, facet: { field: 'group', type: 'nominal', title: 'model · mode' }, columns: 2, spec: inner, resolve: { scale: { x: 'independent', y: 'independent' } } };
}

const summarizedBy = (records: readonly SweepRecord[], what: string) => {
  const other = otherVarying(records);
  return other.length ? `${what} over ${other.join(', ')}` : undefined;
};

export function cyclesVsArrayChart(records: readonly SweepRecord[]): Chart {
  const data = rows(records);
  const order = [...new Map(data.slice().sort((a, b) => a.pes - b.pes || a.rows - b.rows).map((d) => [d.array, d])).keys()];
  const note = summarizedBy(records, 'fewest cycles');
  const inner: VlSpec = {
    width: Math.max(260, 50 * order.length), height: 260,
    mark: { type: 'line', point: { filled: true, size: 50 } },
    encoding: {
      x: { field: 'array', type: 'ordinal', sort: order, title: 'array size (rows × cols, by PE count)', axis: { labelAngle: 0 } },
      y: { field: 'cycles', type: 'quantitative', aggregate: 'min', scale: { type: 'log' }, title: 'latency (cycles, log scale)' },
      color: { field: 'dataflow', type: 'nominal', title: 'dataflow', scale: DATAFLOW_COLORS },
      tooltip: [
        { field: 'array', type: 'ordinal' }, { field: 'dataflow', type: 'nominal' },
        { field: 'cycles', type: 'quantitative', aggregate: 'min', title: 'cycles', format: ',' },
        { field: 'latencyMs', type: 'quantitative', aggregate: 'min', title: 'latency (ms)', format: '.4~g' },
      ],
    },
  };
  return {
    name: 'cycles-vs-array',
    title: 'Latency vs array size, per dataflow',
    spec: facetIfNeeded(records, note ? { text: 'Latency vs array size, per dataflow', subtitle: note } : 'Latency vs array size, per dataflow', data, inner),
  };
}

export function utilizationHeatmapChart(records: readonly SweepRecord[]): Chart {
  const data = rows(records);
  const note = summarizedBy(records, 'best utilization');
  const groups = new Set(data.map((d) => d.group));
  const layers = [
    {
      mark: { type: 'rect' },
      encoding: {
        color: { field: 'utilization', type: 'quantitative', aggregate: 'max', title: 'utilization (%)', scale: { scheme: HEAT_SCHEME, domain: [0, 1] }, legend: { format: '%' } },
        tooltip: [
          { field: 'array', type: 'ordinal' }, { field: 'dataflow', type: 'nominal' },
          { field: 'utilization', type: 'quantitative', aggregate: 'max', format: '.1%' },
        ],
      },
    },
    {
      mark: { type: 'text', fontSize: 10 },
      encoding: {
        text: { field: 'utilization', type: 'quantitative', aggregate: 'max', format: '.0%' },
        color: { condition: { test: 'datum.max_utilization > 0.6', value: 'black' }, value: 'white' },
      },
    },
  ];
  const enc = {
    x: { field: 'cols', type: 'ordinal', title: 'array columns' },
    y: { field: 'rows', type: 'ordinal', title: 'array rows', sort: 'descending' },
  };
  const inner: VlSpec = { width: 36 * new Set(data.map((d) => d.cols)).size + 40, height: 30 * new Set(data.map((d) => d.rows)).size + 30, encoding: enc, layer: layers };
  const title = { text: 'Utilization over array rows × columns', subtitle: [groups.size > 1 ? 'rows of panels: model · mode; columns: dataflow' : `columns: dataflow${groups.size === 1 ? ` · ${[...groups][0]}` : ''}`, ...(note ? [note] : [])] };
  return {
    name: 'utilization-heatmap',
    title: 'Utilization heat map over rows × cols',
    spec: {
      $schema: VL_SCHEMA, title, config: CHART_CONFIG, data: { values: data },
      facet: {
        column: { field: 'dataflow', type: 'nominal', title: 'dataflow', sort: ['os', 'ws', 'is'] },
        ...(groups.size > 1 ? { row: { field: 'group', type: 'nominal', title: 'model · mode' } } : {}),
      },
      spec: inner,
    },
  };
}

/** Energy vs latency, every point; the Pareto front (per model · mode, on latency × energy × area) highlighted. */
export function paretoChart(records: readonly SweepRecord[]): Chart | undefined {
  const data = rows(records).filter((d) => d.energyUj !== undefined && d.energyUj > 0 && d.latencyMs > 0);
  if (data.length === 0) return undefined;
  const inner: VlSpec = {
    width: 420, height: 300,
    mark: { type: 'point', filled: true, size: 70 },
    encoding: {
      x: { field: 'latencyMs', type: 'quantitative', scale: { type: 'log' }, title: 'latency (ms, log scale)' },
      y: { field: 'energyUj', type: 'quantitative', scale: { type: 'log' }, title: 'energy (µJ, log scale)' },
      color: { field: 'dataflow', type: 'nominal', title: 'dataflow', scale: DATAFLOW_COLORS },
      shape: { field: 'pareto', type: 'nominal', title: 'point', scale: { domain: PARETO_COLORS.domain, range: ['diamond', 'circle'] } },
      opacity: { condition: { test: "datum.pareto === 'Pareto-optimal'", value: 1 }, value: 0.35 },
      tooltip: [
        { field: 'array', type: 'ordinal' }, { field: 'dataflow', type: 'nominal' }, { field: 'sram', type: 'nominal', title: 'SRAM ifmap/filter/ofmap' },
        { field: 'precision', type: 'nominal' }, { field: 'pareto', type: 'nominal' },
        { field: 'latencyMs', type: 'quantitative', title: 'latency (ms)', format: '.4~g' },
        { field: 'energyUj', type: 'quantitative', title: 'energy (µJ)', format: '.4~g' },
      ],
    },
  };
  return {
    name: 'pareto',
    title: 'Energy vs latency, Pareto front',
    spec: facetIfNeeded(records, { text: 'Energy vs latency', subtitle: `diamonds: Pareto-optimal (over ${[...new Set(groups(records).flatMap((g) => objectivesOf(g.records)))].map((o) => OBJECTIVE_NAMES[o]).join(', ')}, per model · mode)` }, data, inner),
  };
}

export function sweepCharts(records: readonly SweepRecord[]): Chart[] {
  if (records.length === 0) return [];
  const p = paretoChart(records);
  return [cyclesVsArrayChart(records), utilizationHeatmapChart(records), ...(p ? [p] : [])];
}

/**
 * Charts of a sweep's records (results.jsonl): cycles vs array size per dataflow, a utilization heat map over
 * rows × cols, latency against each other swept parameter (SRAM, DRAM bandwidth, precision, clock, base config), and
 * the energy–latency scatter with the Pareto front labelled. Pure: records → specs. Every swept parameter is on an
 * axis, a colour or a facet of some chart. With several models or modes in one sweep, each chart is faceted by
 * "model · mode"; where a chart does not show a swept parameter it plots the best value over it and says so.
 *
 * Size: a chart inlines what it draws, not every point. The line and heat-map charts get one row per mark (the best
 * value over the parameters they do not show, taken here rather than by vega's `aggregate`, which stays and is then
 * the identity); the energy–latency chart every Pareto point and at most PARETO_CHART_DOMINATED dominated points per
 * model · mode, evenly spaced by latency, and says so in its subtitle. So a 20,000-point sweep's charts, and the HTML
 * that inlines them, stay small.
 */
import { DATAFLOWS } from '../../arch/types.js';
import { ENERGY_PJ, TIME_NS, chooseScale, inScale } from '../../base/display-units.js';
import { OBJECTIVE_NAMES, type SweepRecord, groups, objectivesOf, paretoIds } from '../../sweep/record.js';
import { estimateTextPx } from './layout.js';
import { CHART_CONFIG, DATAFLOW_COLORS, HEAT_SCHEME, PARETO_COLORS } from './palette.js';
import { type Chart, VL_SCHEMA, type VlSpec } from './types.js';

const groupOf = (r: SweepRecord) => `${r.params.model} · ${r.params.mode}`;

/** The swept parameters that only some charts show, as people name them; `field` is the rows() field plotted. */
const OTHER_AXES = [
  { name: 'sram', title: 'SRAM ifmap/filter/ofmap (KiB)', field: 'sramKibs', keys: ['ifmapKib', 'filterKib', 'ofmapKib'] },
  { name: 'dram-bandwidth', title: 'DRAM bandwidth (bytes/cycle)', field: 'dramBytesPerCycle', keys: ['dramBytesPerCycle'] },
  { name: 'precision', title: 'precision', field: 'precision', keys: ['precision'] },
  { name: 'clock', title: 'clock (MHz)', field: 'clockMhz', keys: ['clockMhz'] },
  { name: 'hw', title: 'base hardware config', field: 'hw', keys: ['hw'] },
] as const;
type OtherAxis = (typeof OTHER_AXES)[number];

/** The other parameters that vary across the set (besides model, mode, rows, cols, dataflow). */
const otherVarying = (records: readonly SweepRecord[]): OtherAxis[] =>
  OTHER_AXES.filter((a) => a.keys.some((k) => new Set(records.map((r) => String(r.params[k]))).size > 1));

/** A point's values on the varying other axes, for labels: `64/64/64 KiB, 16 B/cycle`. */
const otherValues = (d: ReturnType<typeof rows>[number], axes: readonly OtherAxis[]) =>
  axes.map((a) => (a.name === 'sram' ? d.sram : a.name === 'dram-bandwidth' ? `${d.dramBytesPerCycle} B/cycle` : a.name === 'clock' ? `${d.clockMhz} MHz` : String(d[a.field]))).join(', ');

type Row = ReturnType<typeof makeRows>[number];
/** The rows of a record set, made once per set (every chart of a sweep reads them). */
const rowCache = new WeakMap<readonly SweepRecord[], Row[]>();
function rows(records: readonly SweepRecord[], front?: ReadonlySet<string>): Row[] {
  let r = rowCache.get(records);
  if (!r) rowCache.set(records, (r = makeRows(records, front)));
  return r;
}

/** One row per distinct `key`, holding the first row's fields and, per `fields`, the min or max over the rows. */
function bestOf<T extends Record<string, unknown>>(data: readonly T[], key: (d: T) => string, fields: Readonly<Partial<Record<keyof T, 'min' | 'max'>>>): T[] {
  const out = new Map<string, Record<string, unknown>>();
  for (const d of data) {
    const k = key(d);
    const o = out.get(k);
    if (!o) { out.set(k, { ...d }); continue; }
    for (const [f, how] of Object.entries(fields) as [string, 'min' | 'max'][]) {
      const v = d[f] as number, w = o[f] as number;
      if (how === 'min' ? v < w : v > w) o[f] = v;
    }
  }
  return [...out.values()] as T[];
}

function makeRows(records: readonly SweepRecord[], front: ReadonlySet<string> = paretoIds(records)) {
  return records.map((r) => ({
    id: r.id, group: groupOf(r), model: r.params.model, mode: r.params.mode, dataflow: r.params.dataflow,
    rows: r.params.rows, cols: r.params.cols, pes: r.params.rows * r.params.cols, array: `${r.params.rows}×${r.params.cols}`,
    sram: `${r.params.ifmapKib}/${r.params.filterKib}/${r.params.ofmapKib} KiB`, sramKibs: `${r.params.ifmapKib}/${r.params.filterKib}/${r.params.ofmapKib}`,
    sramKib: r.params.ifmapKib + r.params.filterKib + r.params.ofmapKib,
    precision: r.params.precision, dramBytesPerCycle: r.params.dramBytesPerCycle, clockMhz: r.params.clockMhz, hw: r.params.hw,
    cycles: r.totals.cycles, latencyMs: r.totals.seconds * 1e3, utilization: r.totals.utilization,
    ...(r.totals.energyPj !== undefined ? { energyPj: r.totals.energyPj } : {}),
    pareto: front.has(r.id) ? 'Pareto-optimal' : 'dominated',
  }));
}


/** Wraps a single-view spec in a facet by group when the set holds several model · mode groups. */
function facetIfNeeded(records: readonly SweepRecord[], title: unknown, data: unknown[], inner: VlSpec, extra: VlSpec = {}): VlSpec {
  const groups = new Set(records.map(groupOf));
  const head = { $schema: VL_SCHEMA, title, config: CHART_CONFIG, data: { values: data } };
  if (groups.size <= 1) return { ...head, ...extra, ...inner };
  return { ...head, ...extra, facet: { field: 'group', type: 'nominal', title: 'model · mode' }, columns: 2, spec: inner, resolve: { scale: { x: 'independent', y: 'independent' } } };
}

/** The subtitle line of a chart that takes the best over the other swept parameters, or undefined. */
const summarizedBy = (records: readonly SweepRecord[], what: string, shown?: OtherAxis) => {
  const other = otherVarying(records).filter((a) => a !== shown);
  return other.length ? `${what} over ${other.map((a) => a.title.replace(/ \(.*\)$/, '')).join(', ')}${shown ? '' : other.length > 1 ? ' (each has its own chart)' : ' (it has its own chart)'}` : undefined;
};

/** More array sizes than this on one axis and their labels stand upright. */
const CROWDED_ARRAYS = 16;

export function cyclesVsArrayChart(records: readonly SweepRecord[]): Chart {
  const data = bestOf(rows(records), (d) => `${d.group}\u0000${d.array}\u0000${d.dataflow}`, { cycles: 'min', latencyMs: 'min' })
    .map(({ group, array, dataflow, pes, rows: r, cycles, latencyMs }) => ({ group, array, dataflow, pes, rows: r, cycles, latencyMs }));
  const order = [...new Map(data.slice().sort((a, b) => a.pes - b.pes || a.rows - b.rows).map((d) => [d.array, d])).keys()];
  const note = summarizedBy(records, 'fewest cycles');
  // 50 px per array size with level labels; many sizes (a 100-shape sweep) get 14 px each and upright labels, so the
  // chart is not 10,000 px wide.
  const crowded = order.length > CROWDED_ARRAYS;
  const inner: VlSpec = {
    width: Math.max(260, (crowded ? 14 : 50) * order.length), height: 260,
    mark: { type: 'line', point: { filled: true, size: 50 } },
    encoding: {
      x: { field: 'array', type: 'ordinal', sort: order, title: 'array size (rows × cols, by PE count)', axis: { labelAngle: crowded ? -90 : 0 } },
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
  const data = bestOf(rows(records), (d) => `${d.group}\u0000${d.dataflow}\u0000${d.rows}\u0000${d.cols}`, { utilization: 'max' })
    .map(({ group, array, dataflow, rows: r, cols, utilization }) => ({ group, array, dataflow, rows: r, cols, utilization }));
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
        column: { field: 'dataflow', type: 'nominal', title: 'dataflow', sort: [...DATAFLOWS] },
        ...(groups.size > 1 ? { row: { field: 'group', type: 'nominal', title: 'model · mode' } } : {}),
      },
      spec: inner,
    },
  };
}

/** Latency against one other swept parameter: a line per array size, a panel per dataflow (and per model · mode). */
export function latencyVsAxisChart(records: readonly SweepRecord[], axis: OtherAxis): Chart {
  const data = rows(records);
  const arrays = [...new Map(data.slice().sort((a, b) => a.pes - b.pes || a.rows - b.rows).map((d) => [d.array, d])).keys()];
  const values = [...new Map(data.map((d) => [String(d[axis.field]), d])).values()]
    .sort((a, b) => (axis.name === 'sram' ? a.sramKib - b.sramKib : 0) || (typeof a[axis.field] === 'number' ? (a[axis.field] as number) - (b[axis.field] as number) : String(a[axis.field]) < String(b[axis.field]) ? -1 : 1))
    .map((d) => d[axis.field]);
  const groupCount = new Set(data.map((d) => d.group)).size;
  const note = summarizedBy(records, 'lowest latency', axis);
  const time = chooseScale(data.map((d) => d.latencyMs * 1e6), TIME_NS);
  const plotted = bestOf(data, (d) => `${d.group}\u0000${d.dataflow}\u0000${d.array}\u0000${String(d[axis.field])}`, { latencyMs: 'min' })
    .map((d) => ({ group: d.group, dataflow: d.dataflow, array: d.array, [axis.field]: d[axis.field], latency: inScale(d.latencyMs * 1e6, time) }));
  const title = `Latency vs ${axis.title.replace(/ \(.*\)$/, '')}, per array size and dataflow`;
  return {
    name: `latency-vs-${axis.name}`,
    title,
    spec: {
      $schema: VL_SCHEMA, config: CHART_CONFIG, data: { values: plotted },
      title: { text: title, subtitle: [`panels: dataflow${groupCount > 1 ? '; rows of panels: model · mode' : ''}`, ...(note ? [note] : [])] },
      facet: {
        column: { field: 'dataflow', type: 'nominal', title: 'dataflow', sort: [...DATAFLOWS] },
        ...(groupCount > 1 ? { row: { field: 'group', type: 'nominal', title: 'model · mode' } } : {}),
      },
      spec: {
        // Room for every x label side by side (vega's estimate of their width), at least 40 px each.
        width: Math.max(160, values.length * Math.max(40, 10 + Math.max(...values.map((v) => estimateTextPx(String(v), CHART_CONFIG.axis.labelFontSize))))), height: 200,
        mark: { type: 'line', point: { filled: true, size: 40 } },
        encoding: {
          x: { field: axis.field, type: 'ordinal', sort: values, title: axis.title, axis: { labelAngle: 0 } },
          y: { field: 'latency', type: 'quantitative', aggregate: 'min', scale: { type: 'log' }, title: `latency (${time.unit}, log scale)` },
          color: { field: 'array', type: 'ordinal', sort: arrays, title: 'array', scale: { scheme: 'viridis' } },
          tooltip: [
            { field: 'array', type: 'ordinal' }, { field: 'dataflow', type: 'nominal' }, { field: axis.field, type: 'ordinal', title: axis.title },
            { field: 'latency', type: 'quantitative', aggregate: 'min', title: `latency (${time.unit})`, format: '.4~g' },
          ],
        },
      },
      resolve: { scale: { y: 'independent' } },
    },
  };
}

/** At most this many Pareto points are named in the chart's subtitle (all are numbered on the plot). */
const PARETO_KEY_LINES = 12;
/** At most this many dominated points per model · mode are drawn (all Pareto points are). */
export const PARETO_CHART_DOMINATED = 2000;

/** Every Pareto row, and at most PARETO_CHART_DOMINATED dominated rows per group, evenly spaced in latency order. */
function paretoRows<T extends { group: string; pareto: string; latencyMs: number; id: string }>(all: readonly T[]): { shown: T[]; dropped: number } {
  const dominated = new Map<string, T[]>();
  for (const d of all) {
    if (d.pareto === 'Pareto-optimal') continue;
    const ds = dominated.get(d.group);
    if (ds) ds.push(d);
    else dominated.set(d.group, [d]);
  }
  const keep = new Set<T>(all.filter((d) => d.pareto === 'Pareto-optimal'));
  let dropped = 0;
  for (const ds of dominated.values()) {
    if (ds.length <= PARETO_CHART_DOMINATED) { for (const d of ds) keep.add(d); continue; }
    ds.sort((a, b) => a.latencyMs - b.latencyMs || (a.id < b.id ? -1 : 1));
    for (let i = 0; i < PARETO_CHART_DOMINATED; i++) keep.add(ds[Math.floor((i * ds.length) / PARETO_CHART_DOMINATED)]);
    dropped += ds.length - PARETO_CHART_DOMINATED;
  }
  return { shown: all.filter((d) => keep.has(d)), dropped };
}

/** Energy vs latency, every point; the Pareto front (per model · mode, on latency × energy × area) highlighted and labelled. */
export function paretoChart(records: readonly SweepRecord[]): Chart | undefined {
  const other = otherVarying(records);
  const all = rows(records).filter((d) => d.energyPj !== undefined && d.energyPj > 0 && d.latencyMs > 0);
  if (all.length === 0) return undefined;
  const scale = chooseScale(all.map((d) => d.energyPj!), ENERGY_PJ);
  const time = chooseScale(all.map((d) => d.latencyMs * 1e6), TIME_NS);
  // Pareto points are numbered by latency within their model · mode; the subtitle says which design each number is.
  const front = all.filter((d) => d.pareto === 'Pareto-optimal').sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0) || a.latencyMs - b.latencyMs || (a.id < b.id ? -1 : 1));
  const numbers = new Map<string, number>(), perGroup = new Map<string, number>();
  for (const d of front) {
    const n = (perGroup.get(d.group) ?? 0) + 1;
    perGroup.set(d.group, n);
    numbers.set(d.id, n);
  }
  const describePoint = (d: (typeof all)[number]) => [`${d.array} ${d.dataflow}`, ...(other.length ? [otherValues(d, other)] : [])].join(', ');
  const multi = new Set(all.map((d) => d.group)).size > 1;
  const shownKeys = front.slice(0, PARETO_KEY_LINES).map((d) => `${multi ? `${d.group} ` : ''}#${numbers.get(d.id)}: ${describePoint(d)}`);
  const key = front.length > PARETO_KEY_LINES ? [...shownKeys, `… ${front.length - PARETO_KEY_LINES} more Pareto points in results.csv (pareto = 1)`] : shownKeys;
  // Pareto points drawn on (nearly) the same spot, equal to 2 significant figures in latency and energy, share one label.
  const spot = (d: (typeof all)[number]) => `${d.group}\u0000${d.latencyMs.toPrecision(2)}\u0000${d.energyPj!.toPrecision(2)}`;
  const bySpot = new Map<string, string[]>();
  for (const d of front) bySpot.set(spot(d), [...(bySpot.get(spot(d)) ?? []), `#${numbers.get(d.id)}`]);
  const label = (d: (typeof all)[number]) => (numbers.has(d.id) && bySpot.get(spot(d))![0] === `#${numbers.get(d.id)}` ? bySpot.get(spot(d))!.join(', ') : '');
  const { shown, dropped } = paretoRows(all);
  const thinned = dropped > 0 ? [`${(all.length - dropped).toLocaleString('en-US')} of ${all.length.toLocaleString('en-US')} points drawn: every Pareto point, at most ${PARETO_CHART_DOMINATED.toLocaleString('en-US')} dominated ones per model · mode (evenly spaced in latency); all are in results.csv`] : [];
  const data = shown.map((d) => ({
    group: d.group, array: d.array, dataflow: d.dataflow, sram: d.sram, precision: d.precision, pareto: d.pareto,
    energy: inScale(d.energyPj!, scale), latency: inScale(d.latencyMs * 1e6, time), label: label(d),
  }));
  const x = { field: 'latency', type: 'quantitative', scale: { type: 'log', nice: false, padding: 16 }, title: `latency (${time.unit}, log scale)` };
  const y = { field: 'energy', type: 'quantitative', scale: { type: 'log', nice: false, padding: 16 }, title: `energy (${scale.unit}, log scale)` };
  const inner: VlSpec = {
    width: 420, height: 300,
    layer: [
      {
        mark: { type: 'point', filled: true, size: 70 },
        encoding: {
          x, y,
          color: { field: 'dataflow', type: 'nominal', title: 'dataflow', scale: DATAFLOW_COLORS },
          shape: { field: 'pareto', type: 'nominal', title: 'point', scale: { domain: PARETO_COLORS.domain, range: ['diamond', 'circle'] } },
          opacity: { condition: { test: "datum.pareto === 'Pareto-optimal'", value: 1 }, value: 0.35 },
          tooltip: [
            { field: 'array', type: 'ordinal' }, { field: 'dataflow', type: 'nominal' }, { field: 'sram', type: 'nominal', title: 'SRAM ifmap/filter/ofmap' },
            { field: 'precision', type: 'nominal' }, { field: 'pareto', type: 'nominal' },
            { field: 'latency', type: 'quantitative', title: `latency (${time.unit})`, format: '.4~g' },
            { field: 'energy', type: 'quantitative', title: `energy (${scale.unit})`, format: '.4~g' },
            { field: 'label', type: 'nominal', title: 'Pareto point' },
          ],
        },
      },
      {
        transform: [{ filter: "datum.pareto === 'Pareto-optimal'" }],
        mark: { type: 'text', align: 'left', dx: 7, dy: -7, fontSize: 11 },
        encoding: { x, y, text: { field: 'label', type: 'nominal' } },
      },
    ],
  };
  return {
    name: 'pareto',
    title: 'Energy vs latency, Pareto front',
    spec: facetIfNeeded(records, { text: 'Energy vs latency', subtitle: [`diamonds, numbered by latency: Pareto-optimal (over ${[...new Set(groups(records).flatMap((g) => objectivesOf(g.records)))].map((o) => OBJECTIVE_NAMES[o]).join(', ')}, per model · mode)`, ...thinned, ...key] }, data, inner),
  };
}

/** Every chart of a sweep's records (`front`: their paretoIds, when the caller has them). */
export function sweepCharts(records: readonly SweepRecord[], front?: ReadonlySet<string>): Chart[] {
  if (records.length === 0) return [];
  rows(records, front);
  const p = paretoChart(records);
  return [cyclesVsArrayChart(records), utilizationHeatmapChart(records), ...otherVarying(records).map((a) => latencyVsAxisChart(records, a)), ...(p ? [p] : [])];
}

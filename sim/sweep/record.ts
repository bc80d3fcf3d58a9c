/**
 * Sweep records: one point's parameters, id and totals. `recordLine` is the exact line `results.jsonl` holds: the
 * same point gives the same bytes (fixed key order, no timestamps or run times). Energy and area come from the
 * run's totals when the simulator reports them (`totals.energy` in pJ, `totals.areaMm2`); EDP = energy × seconds (pJ·s).
 * Also the tables made from a finished set: CSV, Pareto fronts and the summary.
 */
import type { HwConfig } from '../arch/types.js';
import { withOverrides } from '../arch/parse.js';
import { EDP_PJ_S, ENERGY_PJ, TIME_NS, formatQuantity } from '../base/display-units.js';
import type { PointTotals } from '../run/totals-at.js';
import { PARAM_KEYS, type Point, type PointParams } from './spec.js';

export interface SweepTotals {
  readonly cycles: number;
  readonly seconds: number;
  readonly macs: number;
  /** MACs ÷ (total cycles × PEs). */
  readonly utilization: number;
  readonly computeUtilization: number;
  readonly mappingEfficiency: number;
  readonly stallCycles: number;
  readonly dramReadBytes: number;
  readonly dramWriteBytes: number;
  readonly dramBytes: number;
  /** Present when the simulator reports energy / area. */
  readonly energyPj?: number;
  readonly areaMm2?: number;
  /** Energy-delay product, pJ·s (energyPj × seconds). */
  readonly edpPjS?: number;
}

export interface SweepRecord {
  readonly id: string;
  readonly params: PointParams;
  readonly totals: SweepTotals;
}

/** The point's hardware: the base config with the point's values, applied as `simulate` applies its flags. */
export function pointHw(base: HwConfig, p: PointParams): HwConfig {
  return withOverrides(base, {
    array: { rows: p.rows, cols: p.cols }, dataflow: p.dataflow, ...(p.precision.includes('/') ? {} : { precision: p.precision }),
    ifmapKib: p.ifmapKib, filterKib: p.filterKib, ofmapKib: p.ofmapKib, dramBytesPerCycle: p.dramBytesPerCycle, bandwidthMode: p.bandwidthMode,
    clockMhz: p.clockMhz,
  });
}

const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** A record from a run's totals: a CostReport's, or the totals-only path's (sweep/totals-only.ts). */
export function toRecord(point: Point, report: { readonly totals: PointTotals }): SweepRecord {
  const t = report.totals as PointTotals & { readonly areaMm2?: unknown };
  // A record's energy is in pJ; a run priced with a normalized table has none.
  const energyPj = t.energy.unit === 'pJ' && finite(t.energy.total) ? t.energy.total : undefined;
  const areaMm2 = finite(t.areaMm2) ? t.areaMm2 : undefined;
  const params = Object.fromEntries(PARAM_KEYS.map((k) => [k, point.params[k]])) as unknown as PointParams;
  return {
    id: point.id,
    params,
    totals: {
      cycles: t.totalCycles, seconds: t.seconds, macs: t.macs, utilization: t.overallUtilization,
      computeUtilization: t.computeUtilization, mappingEfficiency: t.mappingEfficiency, stallCycles: t.stallCycles,
      dramReadBytes: t.dramReadBytes, dramWriteBytes: t.dramWriteBytes, dramBytes: t.dramReadBytes + t.dramWriteBytes,
      ...(energyPj !== undefined ? { energyPj } : {}),
      ...(areaMm2 !== undefined ? { areaMm2 } : {}),
      ...(energyPj !== undefined ? { edpPjS: energyPj * t.seconds } : {}),
    },
  };
}

/** The line results.jsonl holds for a record (without the newline). */
export function recordLine(r: SweepRecord): string {
  return JSON.stringify(r);
}

/** The totals every record has (finite numbers ≥ 0), and those present only when the simulator reports them. */
const REQUIRED_TOTALS: readonly (keyof SweepTotals)[] = [
  'cycles', 'seconds', 'macs', 'utilization', 'computeUtilization', 'mappingEfficiency', 'stallCycles', 'dramReadBytes', 'dramWriteBytes', 'dramBytes',
];
const OPTIONAL_TOTALS: readonly (keyof SweepTotals)[] = ['energyPj', 'areaMm2', 'edpPjS'];
/** Totals that are counts: exact integers below 2^53, as every count the simulator writes. */
const COUNT_TOTALS: ReadonlySet<keyof SweepTotals> = new Set(['cycles', 'macs', 'stallCycles', 'dramReadBytes', 'dramWriteBytes', 'dramBytes']);
const NUMBER_PARAMS: ReadonlySet<keyof PointParams> = new Set(['rows', 'cols', 'ifmapKib', 'filterKib', 'ofmapKib', 'dramBytesPerCycle', 'clockMhz']);

const isRecordObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * What is wrong with one results.jsonl line (the first problem, naming the key), or undefined for a valid record: an
 * `id` string, every parameter (numbers finite), every required total a finite number ≥ 0, optional totals absent or
 * finite ≥ 0. The reason never quotes the line (a results file may be anything).
 */
export function recordLineProblem(line: string): string | undefined {
  return readRecordLine(line).problem;
}

/** One results.jsonl line, parsed once: the record, or what is wrong with it (recordLineProblem). */
export function readRecordLine(line: string): { record: SweepRecord; problem?: undefined } | { record?: undefined; problem: string } {
  let r: unknown;
  try {
    r = JSON.parse(line);
  } catch {
    return { problem: 'is not JSON' };
  }
  const problem = recordProblem(r);
  return problem === undefined ? { record: r as SweepRecord } : { problem };
}

function recordProblem(r: unknown): string | undefined {
  if (!isRecordObject(r)) return 'is not a JSON object';
  if (typeof r.id !== 'string' || r.id === '') return 'has no string `id`';
  if (!isRecordObject(r.params)) return 'has no `params` object';
  if (!isRecordObject(r.totals)) return 'has no `totals` object';
  for (const k of PARAM_KEYS) {
    const v = r.params[k];
    if (NUMBER_PARAMS.has(k) ? !finite(v) : typeof v !== 'string') return `has no valid params.${k} (${NUMBER_PARAMS.has(k) ? 'a finite number' : 'a string'})`;
  }
  for (const k of [...REQUIRED_TOTALS, ...OPTIONAL_TOTALS]) {
    const v = r.totals[k];
    if (v === undefined && OPTIONAL_TOTALS.includes(k)) continue;
    if (!finite(v) || v < 0) return `has no valid totals.${k} (a finite number ≥ 0)`;
    if (COUNT_TOTALS.has(k) && !Number.isSafeInteger(v)) return `has no valid totals.${k} (a count: an exact integer below 2^53)`;
  }
  return undefined;
}

/** Parses one results.jsonl line; undefined when it is not a valid record (recordLineProblem says why). */
export function parseRecordLine(line: string): SweepRecord | undefined {
  return readRecordLine(line).record;
}

// ---------------------------------------------------------------------------------------------------------------
// Finished sets: order, Pareto fronts, CSV, summary

/** A human order for tables: by the parameters (models and modes first), then id. */
export function sortRecords(records: readonly SweepRecord[]): SweepRecord[] {
  return [...records].sort(compareRecords);
}

/** The canonical order of a result set (results.jsonl once a sweep completes, merge, results.csv): by parameters, then id. */
export function compareRecords(a: SweepRecord, b: SweepRecord): number {
  for (const k of PARAM_KEYS) {
    const x = a.params[k], y = b.params[k];
    if (x !== y) return typeof x === 'number' && typeof y === 'number' ? x - y : String(x) < String(y) ? -1 : 1;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Lines and their records (same index) in the canonical order, as results.jsonl text. */
export function canonicalLines(lines: readonly string[], records: readonly SweepRecord[]): string {
  const order = records.map((_, i) => i).sort((i, j) => compareRecords(records[i], records[j]));
  return order.length ? `${order.map((i) => lines[i]).join('\n')}\n` : '';
}

export type Objective = 'seconds' | 'energyPj' | 'areaMm2';

/** What text and charts call the objectives (the keys stay in summary.json and results.csv). */
export const OBJECTIVE_NAMES: Record<Objective, string> = { seconds: 'latency', energyPj: 'energy', areaMm2: 'area' };

/** The objectives every record of the set has (latency always; energy and area when reported). */
export function objectivesOf(records: readonly SweepRecord[]): Objective[] {
  const out: Objective[] = ['seconds'];
  if (records.length > 0 && records.every((r) => finite(r.totals.energyPj))) out.push('energyPj');
  if (records.length > 0 && records.every((r) => finite(r.totals.areaMm2))) out.push('areaMm2');
  return out;
}

/**
 * Ids of the Pareto-optimal records (all objectives minimized; a record is dominated when another is no worse in
 * every objective and better in one; records with equal values all stay). O(n log n) for up to three objectives:
 * in lexicographic order a dominating record comes first, so a record is dominated exactly when an earlier record
 * with other values has objective 2 ≤ and objective 3 ≤ its own: a prefix minimum of objective 3 over the ranks of
 * objective 2 (a Fenwick tree), queried before a run of equal records is inserted.
 */
export function paretoFront(records: readonly SweepRecord[], objectives: readonly Objective[]): Set<string> {
  if (objectives.length > 3) throw new Error(`paretoFront takes at most 3 objectives (got ${objectives.length})`);
  const value = (r: SweepRecord, i: number) => (i < objectives.length ? (r.totals[objectives[i]] as number) : 0);
  const sorted = records.map((r) => ({ id: r.id, v: [value(r, 0), value(r, 1), value(r, 2)] as const })).sort((a, b) => a.v[0] - b.v[0] || a.v[1] - b.v[1] || a.v[2] - b.v[2]);
  const ranks = [...new Set(sorted.map((c) => c.v[1]))].sort((a, b) => a - b);
  const rankOf = new Map(ranks.map((x, i) => [x, i + 1]));
  const tree = new Float64Array(ranks.length + 1).fill(Infinity); // tree[i]: min objective 3 over a range of ranks ending at i
  const prefixMin = (rank: number) => {
    let m = Infinity;
    for (let i = rank; i > 0; i -= i & -i) m = Math.min(m, tree[i]);
    return m;
  };
  const insert = (rank: number, v: number) => {
    for (let i = rank; i <= ranks.length; i += i & -i) tree[i] = Math.min(tree[i], v);
  };
  const front = new Set<string>();
  for (let i = 0; i < sorted.length;) {
    let j = i;
    const same = (c: (typeof sorted)[number]) => c.v[0] === sorted[i].v[0] && c.v[1] === sorted[i].v[1] && c.v[2] === sorted[i].v[2];
    while (j < sorted.length && same(sorted[j])) j++;
    const rank = rankOf.get(sorted[i].v[1])!;
    if (prefixMin(rank) > sorted[i].v[2]) for (let k = i; k < j; k++) front.add(sorted[k].id);
    insert(rank, sorted[i].v[2]);
    i = j;
  }
  return front;
}

/** Records grouped by (model, mode): designs are compared within a workload only. */
export function groups(records: readonly SweepRecord[]): { model: string; mode: string; records: SweepRecord[] }[] {
  const map = new Map<string, { model: string; mode: string; records: SweepRecord[] }>();
  for (const r of sortRecords(records)) {
    const key = `${r.params.model}\u0000${r.params.mode}`;
    if (!map.has(key)) map.set(key, { model: r.params.model, mode: r.params.mode, records: [] });
    map.get(key)!.records.push(r);
  }
  return [...map.values()];
}

/** Every Pareto-optimal id, per (model, mode) group. */
export function paretoIds(records: readonly SweepRecord[]): Set<string> {
  const out = new Set<string>();
  for (const g of groups(records)) for (const id of paretoFront(g.records, objectivesOf(g.records))) out.add(id);
  return out;
}

const TOTAL_KEYS: readonly (keyof SweepTotals)[] = [
  'cycles', 'seconds', 'macs', 'utilization', 'computeUtilization', 'mappingEfficiency', 'stallCycles',
  'dramReadBytes', 'dramWriteBytes', 'dramBytes', 'energyPj', 'areaMm2', 'edpPjS',
];

const csvCell = (v: unknown): string => {
  // A number's text never holds a quote, comma or newline.
  if (typeof v === 'number') return String(v);
  const s = v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** results.csv: one row per record in `sortRecords` order; `pareto` is 1 on its (model, mode) group's front (`front`: paretoIds(records)). */
export function recordsToCsv(records: readonly SweepRecord[], front: ReadonlySet<string> = paretoIds(records)): string {
  const sorted = sortRecords(records);
  const totals = TOTAL_KEYS.filter((k) => sorted.some((r) => r.totals[k] !== undefined));
  const head = ['id', ...PARAM_KEYS, ...totals, 'pareto'];
  const rows = sorted.map((r) => [r.id, ...PARAM_KEYS.map((k) => r.params[k]), ...totals.map((k) => r.totals[k]), front.has(r.id) ? 1 : 0].map(csvCell).join(','));
  return `${[head.join(','), ...rows].join('\n')}\n`;
}

/**
 * The best-of entries of a summary: summary.json's key → the total minimized, what text calls it, and the value with
 * its unit (energies and EDPs in engineering units).
 */
const BEST_OF: Record<string, { key: keyof SweepTotals; label: string; value: (t: SweepTotals) => string }> = {
  latency: { key: 'seconds', label: 'lowest latency', value: (t) => `${formatQuantity(t.seconds * 1e9, TIME_NS)} (${t.cycles.toLocaleString('en-US')} cycles)` },
  energy: { key: 'energyPj', label: 'lowest energy', value: (t) => formatQuantity(t.energyPj!, ENERGY_PJ) },
  edp: { key: 'edpPjS', label: 'lowest energy×delay', value: (t) => formatQuantity(t.edpPjS!, EDP_PJ_S) },
  area: { key: 'areaMm2', label: 'smallest area', value: (t) => `${fmt(t.areaMm2!)} mm²` },
  dramTraffic: { key: 'dramBytes', label: 'least DRAM traffic', value: (t) => `${t.dramBytes.toLocaleString('en-US')} bytes` },
};

/** What text calls a best-of entry of summary.json (`dramTraffic` → `least DRAM traffic`). */
export const bestLabel = (name: string): string => BEST_OF[name]?.label ?? name;

export interface SweepSummary {
  readonly points: number;
  readonly groups: readonly {
    readonly model: string;
    readonly mode: string;
    readonly points: number;
    /** The objectives the Pareto front is over. */
    readonly objectives: readonly Objective[];
    readonly best: Readonly<Record<string, SweepRecord>>;
    readonly pareto: readonly SweepRecord[];
  }[];
}

/** The Pareto-optimal ids of a summary's groups: paretoIds of the records summarized. */
export function frontOf(s: SweepSummary): Set<string> {
  return new Set(s.groups.flatMap((g) => g.pareto.map((r) => r.id)));
}

export function summarize(records: readonly SweepRecord[]): SweepSummary {
  return {
    points: records.length,
    groups: groups(records).map((g) => {
      const objectives = objectivesOf(g.records);
      const front = paretoFront(g.records, objectives);
      const min = (key: keyof SweepTotals) => {
        let best: SweepRecord | undefined;
        for (const r of g.records) {
          const v = r.totals[key];
          if (finite(v) && (best === undefined || v < (best.totals[key] as number))) best = r;
        }
        return best;
      };
      const best: Record<string, SweepRecord> = {};
      for (const [name, { key }] of Object.entries(BEST_OF)) {
        const r = min(key);
        if (r) best[name] = r;
      }
      return { model: g.model, mode: g.mode, points: g.records.length, objectives, best, pareto: g.records.filter((r) => front.has(r.id)).sort((x, y) => x.totals.seconds - y.totals.seconds || (x.id < y.id ? -1 : 1)) };
    }),
  };
}

const describe = (p: PointParams) =>
  `${p.rows}×${p.cols} ${p.dataflow}, SRAM ifmap/filter/ofmap ${p.ifmapKib}/${p.filterKib}/${p.ofmapKib} KiB, DRAM ${p.dramBytesPerCycle} B/cycle ${p.bandwidthMode}, ${p.precision}, ${p.clockMhz} MHz`;

/** 4 significant figures, no exponent: 0.001234, 12.35, 123,457. */
const fmt = (x: number) => x.toLocaleString('en-US', { maximumSignificantDigits: 4 });

/** The summary as text: per (model, mode), the best point per objective and the Pareto front (at most 10 shown). */
export function summaryText(s: SweepSummary): string {
  const lines: string[] = [`${s.points} point(s)`];
  for (const g of s.groups) {
    lines.push('', `${g.model}, ${g.mode}: ${g.points} point(s)`);
    for (const [name, r] of Object.entries(g.best)) {
      lines.push(`  ${bestLabel(name).padEnd(20)} ${BEST_OF[name].value(r.totals).padEnd(28)} ${describe(r.params)}  [${r.id}]`);
    }
    lines.push(`  Pareto front over ${g.objectives.map((o) => OBJECTIVE_NAMES[o]).join(', ')}: ${g.pareto.length} point(s), fastest first`);
    for (const r of g.pareto.slice(0, 10)) {
      const t = r.totals;
      const values = [BEST_OF.latency.value(t), ...(t.energyPj !== undefined ? [BEST_OF.energy.value(t)] : []), ...(t.areaMm2 !== undefined ? [BEST_OF.area.value(t)] : [])];
      lines.push(`    ${values.join(', ')}  ${describe(r.params)}  [${r.id}]`);
    }
    if (g.pareto.length > 10) lines.push(`    … ${g.pareto.length - 10} more in results.csv (pareto = 1)`);
  }
  return `${lines.join('\n')}\n`;
}

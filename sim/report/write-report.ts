/**
 * Output folders → charts + index.html. `writeSimulateReport`, `writeSweepReport`, `writeCheckReport` and
 * `writeTrainReport` are what `simulate --out`, `sweep`, `check --out` and `report DIR` call; `regenerateReport(DIR)`
 * reads what is there (results.jsonl, cost-report.json, numerics-report.json, history.json) without re-simulating.
 * The command that made a folder is kept in DIR/command.txt (sweeps: run.json's argv).
 */
import { parseJsonText } from '../base/documents.js';
import { writeFileAtomic } from '../base/files.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EDP_PJ_S, ENERGY_PJ, chooseScale, energyUnits, formatIn, formatQuantity } from '../base/display-units.js';
import { peAreaSource } from '../energy/price.js';
import { pct, sig } from './format.js';
import { SimError } from '../base/errors.js';
import type { CostReport } from '../run/cost-report.js';
import type { NumericsReport } from '../run/check.js';
import { checkLine } from './check-text.js';
import { precisionComparisonChart, precisionComparisonHtml } from './check-compare.js';
import { OBJECTIVE_NAMES, type SweepRecord, type SweepSummary, bestLabel, frontOf, sortRecords, summarize } from '../sweep/record.js';
import { effectiveStatus } from '../sweep/lock.js';
import { PARAM_KEYS } from '../sweep/spec.js';
import { readResultsFile } from '../sweep/results-file.js';

import { simulateCharts } from './charts/simulate-charts.js';
import { sweepCharts } from './charts/sweep-charts.js';
import { checkCharts, gradientErrorChart, isLossHistory } from './charts/numerics-charts.js';
import { type TrainHistory, isTrainHistory, trainingCurvesChart } from './train-charts.js';
import { trainHtml } from './train-report.js';
import { type Chart, VL_SCHEMA } from './charts/types.js';
import type { ValidationResult, ValidationRow } from '../api/validate.js';
import { CHART_TEXT_CHARS, chartData } from './charts/layout.js';
import { type HtmlReport, renderHtml } from './html.js';
import { reviveReportJson } from './report-json.js';
import { browserLibraries, writeCharts } from './render.js';

/** argv → one shell-safe command line (`systolab simulate --model 'my net.yaml'`). */
export function commandLine(argv: readonly string[]): string {
  const q = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return ['systolab', ...argv.map(q)].join(' ');
}

const num = sig;

export interface WrittenReport { readonly html: string; readonly charts: readonly string[] }

async function write(dir: string, charts: readonly Chart[], html: Omit<HtmlReport, 'charts'>, command?: string): Promise<WrittenReport> {
  if (command !== undefined) writeFileAtomic(join(dir, 'command.txt'), `${command}\n`);
  // The page is made while the charts draw (it inlines their specs, not their files: on a chart thread, render.ts,
  // that overlaps), and written once they are.
  const drawing = writeCharts(dir, charts);
  drawing.catch(() => undefined); // awaited below; a failure is not unhandled while the page is made
  const page = renderHtml({ ...html, charts, ...(command !== undefined ? { command } : {}) }, browserLibraries());
  const written = await drawing;
  const file = join(dir, 'index.html');
  writeFileAtomic(file, page);
  return { html: file, charts: written.flatMap((w) => w.files) };
}

const readCommand = (dir: string): string | undefined => {
  const f = join(dir, 'command.txt');
  return existsSync(f) ? readFileSync(f, 'utf8').trim() : undefined;
};

export function simulateHtml(r: CostReport): Omit<HtmlReport, 'charts'> {
  const t = r.totals, units = energyUnits(t.energy.unit);
  // The layer table's energy column: one unit for every row, chosen by the largest.
  const column = chooseScale(r.layers.map((l) => l.energy.total), units);
  return {
    title: `Systolab simulate: ${r.model}`,
    subtitle: `${r.hw.name}: ${r.hw.array.rows}×${r.hw.array.cols} ${r.hw.array.dataflow}, ${r.mode}${r.compat !== 'none' ? `, --compat ${r.compat}` : ''} · systolab ${r.tool.version}`,
    summary: [
      ['model', r.model], ['hardware', `${r.hw.name} (${r.hw.array.rows}×${r.hw.array.cols}, ${r.hw.array.dataflow}, ${r.hw.clockHz / 1e6} MHz)`],
      ['mode', r.mode], ['total cycles', t.totalCycles.toLocaleString('en-US')], ['latency', `${num(t.seconds * 1e3)} ms`],
      ['MACs', t.macs.toLocaleString('en-US')], ['utilization (overall)', pct(t.overallUtilization)],
      ['mapping efficiency', pct(t.mappingEfficiency)], ['stall cycles', t.stallCycles.toLocaleString('en-US')],
      ['DRAM traffic', `${(t.dramReadBytes + t.dramWriteBytes).toLocaleString('en-US')} bytes`],
      ['energy', formatQuantity(t.energy.total, units)],
      ...(t.edpJs !== undefined ? [['energy-delay product', formatQuantity(t.edpJs * 1e12, EDP_PJ_S)] as [string, string]] : []),
      ...(t.energy.topsPerWatt !== undefined ? [['TOPS/W', num(t.energy.topsPerWatt)] as [string, string]] : []),
      ['area', `${num(t.areaMm2)} mm² (${peAreaSource(r.hw, t.areaMm2ByComponent.array)})`], ['roofline', `${t.roofline.bound}-bound, ${num(t.roofline.arithmeticIntensityMacsPerByte)} MACs/byte`],
      ['energy table', `${r.energyTable.name} (${r.energyTable.unit})`], ...r.warnings.map((w) => ['warning', w] as [string, string]),
    ],
    tables: [{
      title: 'Layers',
      header: ['op', 'layer kind', 'pass', 'M×K×N', 'MACs', 'cycles', 'stall cycles', 'utilization', `energy (${column.unit})`, 'bound'],
      numeric: new Set([4, 5, 6, 7, 8]),
      rows: r.layers.map((l) => (l.kind === 'gemm'
        ? [l.id, l.layerKind, l.pass, `${l.m}×${l.k}×${l.n}${l.groups && l.groups > 1 ? ` ×${l.groups}` : ''}`, l.macs, l.totalCycles, l.stallCycles,
          pct(l.overallUtilization), formatIn(l.energy.total, column), l.roofline.bound]
        : [l.id, l.layerKind, l.pass, `${l.elements.toLocaleString('en-US')} el.`, 0, l.totalCycles, l.stallCycles, pct(0), formatIn(l.energy.total, column), 'vector (est.)'])),
    }],
    config: { title: 'Hardware config', value: r.hw },
    files: ['cost-report.json', 'layers.csv'],
  };
}

export function writeSimulateReport(dir: string, r: CostReport, command?: string): Promise<WrittenReport> {
  return write(dir, simulateCharts(chartData(r)), simulateHtml(r), command);
}

/** At most this many design points are listed in a sweep's index.html (results.csv has them all). */
export const SWEEP_TABLE_ROWS = 500;

/** The sweep's index.html (`s`: summarize(records), when the caller has it). */
export function sweepHtml(records: readonly SweepRecord[], s: SweepSummary = summarize(records)): Omit<HtmlReport, 'charts'> {
  const front = frontOf(s);
  const ordered = sortRecords(records);
  // Capped: the Pareto-optimal points first, then the others, each in parameter order.
  const listed = records.length <= SWEEP_TABLE_ROWS ? ordered
    : [...ordered.filter((r) => front.has(r.id)), ...ordered.filter((r) => !front.has(r.id))].slice(0, SWEEP_TABLE_ROWS);
  const models = [...new Set(records.map((r) => r.params.model))];
  // The energy column: one unit for every row, chosen by the largest.
  const energy = chooseScale(records.map((r) => r.totals.energyPj ?? 0), ENERGY_PJ);
  return {
    title: `Systolab sweep: ${models.join(', ')}`,
    subtitle: `${records.length} design point(s)`,
    summary: s.groups.flatMap((g) => [
      [`${g.model} · ${g.mode}`, `${g.points} point(s); ${g.pareto.length} on the Pareto front over ${g.objectives.map((o) => OBJECTIVE_NAMES[o]).join(', ')}`] as [string, string],
      ...Object.entries(g.best).map(([name, r]) => [`  ${bestLabel(name)}`, `${r.params.rows}×${r.params.cols} ${r.params.dataflow}, SRAM ifmap/filter/ofmap ${r.params.ifmapKib}/${r.params.filterKib}/${r.params.ofmapKib} KiB: ${r.totals.cycles.toLocaleString('en-US')} cycles${r.totals.energyPj !== undefined ? `, ${formatQuantity(r.totals.energyPj, ENERGY_PJ)}` : ''} [${r.id}]`] as [string, string]),
    ]),
    tables: [{
      title: listed.length < records.length
        ? `Design points: ${listed.length.toLocaleString('en-US')} of ${records.length.toLocaleString('en-US')} (at most ${SWEEP_TABLE_ROWS.toLocaleString('en-US')}: the Pareto-optimal first, then in parameter order; every point is in results.csv)`
        : 'Design points',
      header: ['id', 'model', 'mode', 'array', 'dataflow', 'SRAM ifmap/filter/ofmap (KiB)', 'DRAM (bytes/cycle)', 'precision', 'clock (MHz)', 'cycles', 'latency (ms)', 'utilization', `energy (${energy.unit})`, 'area (mm²)'],
      numeric: new Set([6, 8, 9, 10, 11, 12, 13]),
      rows: listed.map((r) => {
        const p = r.params, t = r.totals;
        return [r.id, p.model, p.mode, `${p.rows}×${p.cols}`, p.dataflow, `${p.ifmapKib}/${p.filterKib}/${p.ofmapKib}`, p.dramBytesPerCycle, p.precision, p.clockMhz,
          t.cycles, num(t.seconds * 1e3), pct(t.utilization), t.energyPj !== undefined ? formatIn(t.energyPj, energy) : '-', t.areaMm2 !== undefined ? num(t.areaMm2) : '-'];
      }),
    }],
    files: ['results.jsonl', 'results.csv', 'summary.json', 'summary.txt', 'run.json'],
  };
}

/** Reads DIR/results.jsonl (complete lines only); a line that is not a valid record is an error naming file and line. */
export function readSweepRecords(dir: string): SweepRecord[] {
  return readResultsFile(join(dir, 'results.jsonl')).records;
}

/** A sweep folder's run status as it stands ("running" with no live sweep holding the folder counts as interrupted). */
export function sweepStatus(dir: string): { status: string; note?: string } {
  try {
    return effectiveStatus(dir, (JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as { status?: unknown }).status);
  } catch {
    return { status: 'unknown' };
  }
}

function sweepCommandOf(dir: string): string | undefined {
  try {
    const meta = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as { argv?: unknown };
    if (Array.isArray(meta.argv) && meta.argv.every((a) => typeof a === 'string')) return commandLine(meta.argv as string[]);
  } catch {
    // no run.json (a merged folder): no command
  }
  return readCommand(dir);
}

/** Whether a record holds a string that charts shorten (chartText): a sweep's usually has none, and needs no copy. */
const hasLongText = (r: SweepRecord): boolean => r.id.length > CHART_TEXT_CHARS || PARAM_KEYS.some((k) => String(r.params[k]).length > CHART_TEXT_CHARS);

/** A sweep folder's charts and index.html (`summary`: summarize(records), when the caller has it). */
export function writeSweepReport(dir: string, records: readonly SweepRecord[], command?: string, summary: SweepSummary = summarize(records)): Promise<WrittenReport> {
  // Shortened copies have shortened ids: their front is found again.
  const long = records.some(hasLongText);
  return write(dir, long ? sweepCharts(chartData(records)) : sweepCharts(records, frontOf(summary)), sweepHtml(records, summary), command);
}

const isReportList = (r: NumericsReport | readonly NumericsReport[]): r is readonly NumericsReport[] => Array.isArray(r);

export function checkHtml(r: NumericsReport): Omit<HtmlReport, 'charts'> {
  const s = r.summary;
  const p = (v: number | null) => (v === null ? '-' : pct(v));
  return {
    title: `Systolab check: ${r.model}`,
    subtitle: `${r.precision}, ${r.accumulatorBits}-bit accumulator (${r.overflow}), requantization ${r.rounding}, calibration ${r.calibration} · vs the float64 engine`,
    summary: [
      ['model', r.model], ['dataset', `${r.dataset} (${r.samples.evaluated} samples of the ${r.evaluated.on} evaluated, ${r.samples.calibration} for calibration)`],
      ...(r.evaluated.note ? [['note', r.evaluated.note] as [string, string]] : []),
      ['precision', r.precision], [`agreement with float (${s.decision ?? 'regression: none'})`, p(s.agreement)], ['accuracy float / fixed', `${p(s.floatAccuracy)} / ${p(s.fixedAccuracy)}`],
      ...(s.regression ? [['RMSE float / fixed', `${num(s.regression.float.rmseTargetUnits)} / ${num(s.regression.fixed.rmseTargetUnits)} (target range ${num(s.regression.targetRange)})`] as [string, string]] : []),
      ['output SQNR', `${num(s.outputSqnrDb)} dB (ideal ${num(r.idealSqnrDb)} dB)`], ['worst SQNR drop', `${num(s.worstSqnrDropDb)} dB at ${s.worstLayer}`],
      ['accumulator overflows / clamps', `${s.accumulatorOverflows} / ${s.clamps}`],
      ...r.checks.map((c) => [`rule ${c.flag}`, checkLine(c)] as [string, string]),
      ['result', r.passed ? 'pass' : `FAIL: ${r.failures.join('; ')}`],
    ],
    tables: [{
      title: 'Layers',
      header: ['layer', 'kind', 'max |err|', 'mean |err|', 'SQNR dB', 'drop dB', 'cosine', 'acc overflows', 'clamps'],
      numeric: new Set([2, 3, 4, 5, 6, 7, 8]),
      rows: r.layers.map((l) => [l.name, l.kind, num(l.maxAbsError, 3), num(l.meanAbsError, 3), num(l.sqnrDb), num(l.sqnrDropDb), num(l.cosine, 6), l.accumulatorOverflows, l.clamps]),
    }],
    files: ['numerics-report.json'],
  };
}

/** One report, or several precisions compared (check --precision int8,int6,int4). */
export function writeCheckReport(dir: string, r: NumericsReport | readonly NumericsReport[], command?: string): Promise<WrittenReport> {
  if (isReportList(r)) return write(dir, [precisionComparisonChart(chartData(r))], precisionComparisonHtml(r), command);
  return write(dir, checkCharts(chartData(r)), checkHtml(r), command);
}

export function writeTrainReport(dir: string, h: TrainHistory, command?: string): Promise<WrittenReport> {
  const c = chartData(h);
  const gradients = isLossHistory(c) ? gradientErrorChart(c) : undefined;
  return write(dir, gradients ? [trainingCurvesChart(c), gradients] : [trainingCurvesChart(c)], trainHtml(h), command);
}

/** `systolab report DIR`: charts and index.html again from the data files already in DIR. */
export async function regenerateReport(dir: string): Promise<{ kind: string; written: WrittenReport; note?: string }> {
  // parseJsonText names the line and column of a syntax error; V8's message would quote the file.
  const json = (f: string): unknown => parseJsonText(readFileSync(join(dir, f), 'utf8'), join(dir, f));
  if (existsSync(join(dir, 'results.jsonl'))) {
    const records = readSweepRecords(dir);
    if (records.length === 0) throw new SimError('holds no complete sweep record', { code: 'malformed', file: join(dir, 'results.jsonl') });
    const { note } = sweepStatus(dir);
    return { kind: 'sweep', written: await writeSweepReport(dir, records, sweepCommandOf(dir)), ...(note ? { note } : {}) };
  }
  if (existsSync(join(dir, 'cost-report.json'))) {
    const r = json('cost-report.json') as CostReport;
    if (r?.schemaVersion !== 2 || !Array.isArray(r.layers)) throw new SimError('is not a CostReport (schemaVersion 2)', { code: 'malformed', file: join(dir, 'cost-report.json') });
    return { kind: 'simulate', written: await writeSimulateReport(dir, r, readCommand(dir)) };
  }
  if (existsSync(join(dir, 'numerics-report.json'))) {
    const r = reviveReportJson(json('numerics-report.json')) as NumericsReport | NumericsReport[];
    const ok = (x: NumericsReport) => x?.schemaVersion === 2 && Array.isArray(x.layers);
    if (!(isReportList(r) ? r.length > 0 && r.every(ok) : ok(r))) {
      throw new SimError('is not a check report of schema 2', { code: 'malformed', file: join(dir, 'numerics-report.json'), hint: 'Run check --out DIR again.' });
    }
    return { kind: 'check', written: await writeCheckReport(dir, r, readCommand(dir)) };
  }
  if (existsSync(join(dir, 'history.json'))) {
    const h = reviveReportJson(json('history.json'));
    if (isTrainHistory(h)) return { kind: 'train', written: await writeTrainReport(dir, h, readCommand(dir)) };
    throw new SimError('is not a train history (no epochs, nor float and fixed-point epochs)', { code: 'malformed', file: join(dir, 'history.json') });
  }
  throw new SimError('holds none of results.jsonl, cost-report.json, numerics-report.json, history.json', {
    code: 'badValue', path: 'DIR', value: dir, hint: 'Point it at a folder written by simulate --out, sweep, check --out or train.',
  });
}

/** `validate --out DIR`: validation.json, a chart of every numeric row's error against its tolerance, index.html. */
export function writeValidationReport(dir: string, v: ValidationResult, cells: (r: ValidationRow) => string[], header: readonly string[], command?: string): Promise<WrittenReport> {
  writeFileAtomic(join(dir, 'validation.json'), `${JSON.stringify(v, null, 2)}\n`);
  const values = v.rows.filter((r) => r.error !== undefined && r.tolerance.kind === 'relative').map((r) => ({
    row: `${r.machine} · ${r.workload} · ${r.figure}`, errorPct: r.error! * 100, tolerancePct: (r.tolerance as { value: number }).value * 100,
    belowPct: -(r.tolerance as { value: number }).value * 100, status: r.status,
  }));
  const chart: Chart = {
    name: 'validation-errors', title: 'Error of each figure against its published value',
    spec: {
      $schema: VL_SCHEMA, width: 520, height: { step: 16 }, data: { values },
      title: { text: 'Systolab vs published figures', subtitle: 'error in % of the published value; ticks: ± the tolerance (rows with a relative tolerance)' },
      layer: [
        { mark: 'bar', encoding: {
          y: { field: 'row', type: 'nominal', sort: null, title: null, axis: { labelLimit: 560 } },
          x: { field: 'errorPct', type: 'quantitative', title: 'error (%)' },
          color: { field: 'status', type: 'nominal', title: 'status', scale: { domain: ['pass', 'known-gap', 'not-modelled', 'fail'], range: ['#59a14f', '#f28e2b', '#bab0ac', '#e15759'] } },
          tooltip: [{ field: 'row', type: 'nominal' }, { field: 'errorPct', type: 'quantitative', format: '.1f' }, { field: 'tolerancePct', type: 'quantitative' }, { field: 'status', type: 'nominal' }],
        } },
        { mark: { type: 'tick', color: '#333' }, encoding: { y: { field: 'row', type: 'nominal', sort: null }, x: { field: 'tolerancePct', type: 'quantitative' } } },
        { mark: { type: 'tick', color: '#333' }, encoding: { y: { field: 'row', type: 'nominal', sort: null }, x: { field: 'belowPct', type: 'quantitative' } } },
        { mark: { type: 'tick', color: '#333' }, encoding: { y: { field: 'row', type: 'nominal', sort: null }, x: { datum: 0 } } },
      ],
    } as unknown as Chart['spec'],
  };
  const c = v.counts;
  return write(dir, [chart], {
    title: 'Validation: published figures beside Systolab\'s', subtitle: `systolab ${v.version}`,
    summary: [['rows', String(v.rows.length)], ['pass', String(c.pass)], ['known gaps', String(c['known-gap'])], ['not modelled', String(c['not-modelled'])], ['unexplained misses', String(c.fail)]],
    tables: [{ title: 'Every row', header, rows: v.rows.map(cells) }],
    files: ['validation.json'],
  }, command);
}

/**
 * CostReport → the tables `systolab simulate` prints: one row per (layer, pass) with units in the headers and the
 * main reason utilization is lost, then totals; and the same rows as CSV.
 */
import type { CostReport, LayerCost, MemoryCounts } from '../run/cost-report.js';
import { table } from './run-report.js';

const pct = (f: number) => `${(100 * f).toFixed(1)}`;
const int = (v: number) => v.toLocaleString('en-US');

/** The largest cause of idle PE-cycles, in words a student can act on. */
export function mainLoss(l: LayerCost): string {
  if (l.kind === 'vector') return 'vector unit (estimate)';
  const u = l.utilizationLoss;
  if (!u) return '-';
  const causes: [number, string][] = [
    [u.unmappedPes, 'array not filled'],
    [u.fillAndDrain, 'fill/drain'],
    [u.stalls, 'memory stalls'],
  ];
  const [share, why] = causes.sort((a, b) => b[0] - a[0])[0];
  return share < 0.005 ? '-' : `${why} (${pct(share)} %)`;
}

const HEADER = ['layer', 'pass', 'GEMM m×k×n', 'MACs', 'folds r×c', 'cycles', 'stall cycles', 'util %', 'mapping %', 'SRAM rd/wr (words)', 'DRAM rd/wr (bytes)', 'DRAM need (B/cycle)', 'main loss (share of PE-cycles)'];

const sramRd = (c: MemoryCounts) => c.ifmapReads + c.filterReads + (c.ofmapReads ?? 0);
const sramWr = (c: MemoryCounts) => (c.ifmapWrites ?? 0) + (c.filterWrites ?? 0) + c.ofmapWrites;
const bwNeed = (l: LayerCost) => (l.bandwidthBytesPerCycle ? (l.bandwidthBytesPerCycle.ifmap + l.bandwidthBytesPerCycle.filter + l.bandwidthBytesPerCycle.ofmap).toFixed(2) : '-');

function row(l: LayerCost): string[] {
  const shape = l.kind === 'gemm' ? `${l.m}×${l.k}×${l.n}${l.groups ? ` ×${l.groups}g` : ''}` : `${l.layerKind} ${int(l.elements ?? 0)} el`;
  return [
    l.name, l.pass, shape, int(l.macs), l.kind === 'gemm' ? `${l.rowFolds}×${l.colFolds}` : '-', int(l.totalCycles), int(l.stallCycles),
    l.kind === 'gemm' ? pct(l.overallUtilization) : '-', l.kind === 'gemm' ? pct(l.mappingEfficiency) : '-',
    l.sram ? `${int(sramRd(l.sram))} / ${int(sramWr(l.sram))}` : '-',
    l.dramReadBytes !== undefined ? `${int(l.dramReadBytes)} / ${int(l.dramWriteBytes ?? 0)}` : '-', bwNeed(l), mainLoss(l),
  ];
}

export function costToText(r: CostReport): string {
  const a = r.hw.array;
  const t = r.totals;
  const rows = r.layers.map(row);
  rows.push(['total', r.mode, '', int(t.macs), '', int(t.totalCycles), int(t.stallCycles), pct(t.overallUtilization), pct(t.mappingEfficiency),
    `${int(sramRd(t.sram))} / ${int(sramWr(t.sram))}`, `${int(t.dramReadBytes)} / ${int(t.dramWriteBytes)}`, '', '']);
  const lines = [
    `${r.model} on ${r.hw.name}: ${a.rows}×${a.cols} ${a.dataflow.toUpperCase()} array, ${r.hw.clockHz / 1e6} MHz, ${r.mode}${r.compat === 'scalesim' ? ', SCALE-Sim v2 compatible numbers' : ''}`,
    '',
    table(HEADER, rows, new Set([3, 5, 6, 7, 8, 9, 10, 11])),
    '',
    `Total ${int(t.totalCycles)} cycles = ${(t.seconds * 1e3).toPrecision(4)} ms at ${r.hw.clockHz / 1e6} MHz; ${int(t.macs)} MACs; ` +
      `utilization ${pct(t.overallUtilization)} % (array ${int(t.gemmCycles)} cycles, vector unit ${int(t.vectorCycles)} cycles, estimated).`,
    'util % = MACs ÷ (cycles × PEs); mapping % = PEs given work ÷ PEs, over folds; folds r×c = row × column folds.',
    `DRAM ${int(t.dramReadBytes)} bytes read, ${int(t.dramWriteBytes)} bytes written; DRAM need = bandwidth for stall-free running (${r.hw.dram.bandwidthMode === 'calc' ? 'CALC mode: never stalls' : `USER mode: ${r.hw.dram.bytesPerCycle} B/cycle enforced`}).`,
    ...(r.training ? [`Training keeps ${int(r.training.activationBytes)} B of activations + ${int(r.training.optimizerStateBytes)} B of optimizer state vs ${int(r.training.onChipBytes)} B of SRAM: ${int(r.training.spillBytes)} B spill (written and read back).`] : []),
    ...(r.compat === 'scalesim' ? ['Compat mode: cycles are SCALE-Sim\'s (one less than elapse); compute utilization uses its fold length.'] : []),
    ...r.warnings.map((w) => `warning: ${w}`),
  ];
  return `${lines.join('\n')}\n`;
}

const CSV_COLUMNS = [
  'name', 'id', 'pass', 'kind', 'layerKind', 'm', 'k', 'n', 'groups', 'elements', 'macs', 'rowFolds', 'colFolds', 'computeCycles',
  'stallCycles', 'totalCycles', 'mappingEfficiency', 'computeUtilization', 'overallUtilization',
  'sram.ifmapReads', 'sram.ifmapWrites', 'sram.filterReads', 'sram.filterWrites', 'sram.ofmapReads', 'sram.ofmapWrites',
  'dram.ifmapReads', 'dram.filterReads', 'dram.ofmapReads', 'dram.ofmapWrites', 'dramReadBytes', 'dramWriteBytes',
  'bandwidthBytesPerCycle.ifmap', 'bandwidthBytesPerCycle.filter', 'bandwidthBytesPerCycle.ofmap',
] as const;

/** A CSV column's value: `a.b` reads a nested field. */
function field(l: LayerCost, column: string): unknown {
  let v: unknown = l;
  for (const key of column.split('.')) v = v === undefined ? undefined : (v as Record<string, unknown>)[key];
  return v;
}

function csvCell(v: unknown): string {
  if (v === undefined) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function costToCsv(r: CostReport): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const l of r.layers) lines.push(CSV_COLUMNS.map((c) => csvCell(field(l, c))).join(','));
  return `${lines.join('\n')}\n`;
}

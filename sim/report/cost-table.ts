/**
 * CostReport → the tables `systolab simulate` prints: one row per (layer, pass) with units in the headers and the
 * main reason utilization is lost, then totals; and the same rows as CSV.
 */
import type { CostReport, GemmCost, LayerCost } from '../run/cost-report.js';
import { strategyOf } from '../map/dataflow.js';
import type { MemoryCounts } from '../timing/op-trace.js';
import { type DisplayScale, EDP_PJ_S, ENERGY_MAC, chooseScale, energyUnits, formatIn, formatQuantity } from '../base/display-units.js';
import { peAreaSource } from '../energy/price.js';
import { int, percent } from './format.js';
import { table } from './run-report.js';

/** Cells under a `%` header: the number without the sign. */
const pct = (f: number) => percent(f);

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

const HEADER = ['layer', 'pass', 'GEMM m×k×n', 'MACs', 'folds r×c', 'cycles', 'stall cycles', 'util %', 'mapping %', 'SRAM rd/wr (words)', 'DRAM rd/wr (bytes)', 'DRAM need (B/cycle)', 'energy', 'main loss (share of PE-cycles)'];

const sramRd = (c: MemoryCounts) => c.ifmapReads + c.filterReads + (c.ofmapReads ?? 0);
const sramWr = (c: MemoryCounts) => (c.ifmapWrites ?? 0) + (c.filterWrites ?? 0) + c.ofmapWrites;
/** The DRAM bandwidth a GEMM needs: bytes per cycle, or SCALE-Sim's words per cycle (1-byte words). */
const bwNeed = (l: LayerCost) => {
  const b = l.kind === 'gemm' ? l.bandwidthBytesPerCycle ?? l.bandwidthWordsPerCycle : undefined;
  return b ? (b.ifmap + b.filter + b.ofmap).toFixed(2) : '-';
};

function row(l: LayerCost, energy: DisplayScale): string[] {
  const tail = [bwNeed(l), formatIn(l.energy.total, energy), mainLoss(l)];
  if (l.kind === 'vector') {
    return [l.name, l.pass, `${l.layerKind} ${int(l.elements)} el`, '0', '-', int(l.totalCycles), int(l.stallCycles), '-', '-', '-', '-', ...tail];
  }
  return [
    l.name, l.pass, `${l.m}×${l.k}×${l.n}${l.groups ? ` ×${l.groups}g` : ''}`, int(l.macs), `${l.rowFolds}×${l.colFolds}`, int(l.totalCycles),
    int(l.stallCycles), pct(l.overallUtilization), pct(l.mappingEfficiency), `${int(sramRd(l.sramWords))} / ${int(sramWr(l.sramWords))}`,
    `${int(l.dramReadBytes)} / ${int(l.dramWriteBytes)}`, ...tail,
  ];
}

/** What a training spill costs in time: stall cycles in USER mode, none in CALC (which never stalls). */
function spillTime(r: CostReport): string {
  const t = r.training;
  if (!t || t.spillBytes <= 0) return '';
  if (r.hw.dram.bandwidthMode === 'calc') return '; CALC mode: that traffic costs energy, not cycles';
  const s = t.spillStallCycles;
  return `; at ${r.hw.dram.bytesPerCycle} B/cycle that adds ${int(s.forward + s.backward)} stall cycles (forward ${int(s.forward)}, backward ${int(s.backward)}) where DRAM has no idle time left, counted in the total but in no layer or by-pass row`;
}

/**
 * `--mapper search`: each GEMM entry's loop nest as the mapper chose it, outer loop first: the folds of the dims on
 * the array's columns and rows, then the streamed dim.
 */
function mapperLines(r: CostReport): string[] {
  if (r.hw.array.dataflow === 'rs') return rsLines(r);
  const gemms = r.layers.filter((l): l is GemmCost => l.kind === 'gemm' && l.mapping !== undefined);
  if (gemms.length === 0) return [];
  const s = strategyOf(r.hw.array.dataflow);
  const size = (l: GemmCost, d: 'm' | 'k' | 'n'): number => l[d];
  const swapped = gemms.filter((l) => l.mapping!.foldOrder === 'rowsOuter').length;
  const chunked = gemms.filter((l) => (l.mapping!.chunks ?? 1) > 1).length;
  const width = Math.max(...gemms.map((l) => l.id.length));
  return [
    `Mapper (--mapper search, objective ${gemms[0].mapping!.objective}): of up to 3 candidates per entry (two fold loop orders; chunks of the streamed dim that keep partial sums in the ofmap SRAM), ${swapped} of ${gemms.length} GEMM entries run row folds outer and ${chunked} run in chunks (the fixed mapping: column folds outer, no chunks). Loop nests, outer first:`,
    ...gemms.map((l) => {
      const cols = `${l.colFolds} column fold${l.colFolds === 1 ? '' : 's'} of ${s.cols} ${size(l, s.cols)}`;
      const rows = `${l.rowFolds} row fold${l.rowFolds === 1 ? '' : 's'} of ${s.rows} ${size(l, s.rows)}`;
      const [outer, inner] = l.mapping!.foldOrder === 'colsOuter' ? [cols, rows] : [rows, cols];
      const c = l.mapping!.chunks ?? 1, t = size(l, s.time);
      const nest = `for ${outer} { for ${inner} { stream ${s.time} ${c > 1 ? Math.ceil(t / c) : t} } }`;
      return `  ${l.id.padEnd(width)}  ${c > 1 ? `for ${c} chunks of ${s.time} ${t} { ${nest} }` : nest}`;
    }),
  ];
}

/**
 * Row stationary: every conv entry's mapping as a loop nest, outer first — the GLB loops over tiles (in their
 * order), then the array's passes and the PE's spad loops — with its DRAM accesses per MAC, and the layers no
 * mapping fits.
 */
function rsLines(r: CostReport): string[] {
  const gemms = r.layers.filter((l): l is GemmCost => l.kind === 'gemm' && l.rs !== undefined);
  if (gemms.length === 0) return [];
  const width = Math.max(...gemms.map((l) => l.id.length));
  const how = gemms[0].mapping ? `chosen by the mapper (--mapper search, objective ${gemms[0].mapping.objective})` : 'the fixed mapping (--mapper search looks for a better one)';
  const tile = { n: 'glbN', m: 'glbM', c: 'glbC', e: 'glbE' } as const, whole = { n: 'n', m: 'm', c: 'c', e: 'e' } as const;
  const unfit = gemms.filter((l) => !l.rs!.fit.spad || !l.rs!.fit.glb);
  return [
    `Row-stationary mappings, ${how}; loop nests outer first (GLB tiles of images n, filters m, ofmap rows e, channels c; a PE holds p filters × q channels; DRAM accesses per MAC):`,
    ...gemms.map((l) => {
      const { conv, temporal: t, spatial } = l.rs!;
      const loops = [...t.order].map((d) => `for ${d} ${conv[whole[d as keyof typeof whole]]}÷${t[tile[d as keyof typeof tile]]}`).join(' { ');
      const dram = (l.rs!.counts.dramIfmapReads + l.rs!.counts.dramFilterReads + l.rs!.counts.dramPsumReads + l.rs!.counts.dramOfmapWrites) / l.macs;
      return `  ${l.id.padEnd(width)}  ${loops} { ${spatial.passes} pass(es) over ${spatial.tiles} GLB tile(s) × ${spatial.copies} cop${spatial.copies === 1 ? 'y' : 'ies'} of the ${conv.r}×${t.glbE} set, ≤ ${spatial.activePes} PEs { p ${t.p} × q ${t.q} } } } } }  DRAM ${dram.toPrecision(3)}/MAC`;
    }),
    ...(unfit.length ? [`warning: no mapping fits the scratch pads or the GLB for ${unfit.map((l) => l.id).join(', ')}; they are priced as if the smallest one fitted.`] : []),
  ];
}

/**
 * The fixed mapping of ws/is writes partial sums out and reads them back when one column fold's sums do not fit the
 * ofmap SRAM: say so, with the DRAM bytes it costs, and what runs them on chip (the mapper's chunks).
 */
function spillLines(r: CostReport): string[] {
  if (r.compat !== 'none' || r.hw.array.dataflow === 'rs') return [];
  const spilled = r.layers.filter((l): l is GemmCost => l.kind === 'gemm' && (l.dramWords.ofmapReads ?? 0) > 0 && (l.mapping?.chunks ?? 1) === 1);
  if (spilled.length === 0) return [];
  const words = spilled.reduce((a, l) => a + (l.dramWords.ofmapReads ?? 0), 0);
  const hint = r.layers.some((l) => l.kind === 'gemm' && l.mapping !== undefined) ? '' : ' --mapper search runs such layers in chunks of the streamed dim that keep their sums on chip (docs/mapper.md).';
  return [`Partial sums spill: ${spilled.length} GEMM entr${spilled.length === 1 ? 'y' : 'ies'} (e.g. ${spilled[0].id}) write their partial sums to DRAM and read ${int(words)} words of them back, because one column fold's sums do not fit the ${r.hw.sram.ofmapKib} KiB ofmap SRAM${r.hw.sram.doubleBuffered ? ' (half of it, double buffered)' : ''}.${hint}`];
}

export function costToText(r: CostReport): string {
  const a = r.hw.array;
  const t = r.totals;
  const units = energyUnits(t.energy.unit);
  // One scale for the whole energy column, chosen by its largest cell (the total).
  const column = chooseScale([t.energy.total, ...r.layers.map((l) => l.energy.total)], units);
  const rows = r.layers.map((l) => row(l, column));
  rows.push(['total', r.mode, '', int(t.macs), '', int(t.totalCycles), int(t.stallCycles), pct(t.overallUtilization), pct(t.mappingEfficiency),
    `${int(sramRd(t.sramWords))} / ${int(sramWr(t.sramWords))}`, `${int(t.dramReadBytes)} / ${int(t.dramWriteBytes)}`, '', formatIn(t.energy.total, column), '']);
  const header = HEADER.map((h) => (h === 'energy' ? `energy (${column.unit})` : h));
  const e = t.energy, u = e.unit;
  const q = (v: number) => formatQuantity(v, units);
  // The three operands' energies share one unit, so they compare at a glance.
  const ops = chooseScale([e.byOperand.ifmap, e.byOperand.filter, e.byOperand.ofmap], units);
  const passes = t.byPass ? Object.entries(t.byPass) : [];
  const share = (v: number) => (e.total > 0 ? `${pct(v / e.total)} %` : '-');
  const bc = e.byComponent;
  const rl = t.roofline;
  const loss = t.utilizationLoss;
  const lines = [
    `${r.model} on ${r.hw.name}: ${a.rows}×${a.cols} ${a.dataflow.toUpperCase()} array, ${r.hw.clockHz / 1e6} MHz, ${r.mode}${r.compat === 'scalesim' ? ', SCALE-Sim v2 compatible numbers' : ''}`,
    '',
    table(header, rows, new Set([3, 5, 6, 7, 8, 9, 10, 11, 12])),
    '',
    `Total ${int(t.totalCycles)} cycles = ${(t.seconds * 1e3).toPrecision(4)} ms at ${r.hw.clockHz / 1e6} MHz; ${int(t.macs)} MACs; ` +
      `utilization ${pct(t.overallUtilization)} % (array ${int(t.gemmCycles)} cycles, vector unit ${int(t.vectorCycles)} cycles, estimated).`,
    'util % = MACs ÷ (cycles × PEs); mapping % = PEs given work ÷ PEs, over folds; folds r×c = row × column folds.',
    `DRAM ${int(t.dramReadBytes)} bytes read, ${int(t.dramWriteBytes)} bytes written; DRAM need = bandwidth for stall-free running (${r.hw.dram.bandwidthMode === 'calc' ? 'CALC mode: never stalls' : `USER mode: ${r.hw.dram.bytesPerCycle} B/cycle enforced`}).`,
    ...(r.training ? [`Training keeps ${int(r.training.activationBytes)} B of activations + ${int(r.training.optimizerStateBytes)} B of optimizer state vs ${int(r.training.onChipBytes)} B of SRAM: ${int(r.training.spillBytes)} B spill (written and read back)${spillTime(r)}.`] : []),
    `Energy ${q(e.total)} (table ${r.energyTable.name}, SRAM ${r.energyTable.leakage}): MACs ${share(bc.mac)}, PE registers ${share(bc.registers)}, ` +
      `SRAM ifmap/filter/ofmap ${share(bc.sramIfmap)} / ${share(bc.sramFilter)} / ${share(bc.sramOfmap)}, DRAM ${share(bc.dram)}, vector unit ${share(bc.vectorUnit)}, leakage ${share(bc.leakage)}.`,
    `By operand (registers + SRAM + DRAM): ifmap ${formatIn(e.byOperand.ifmap, ops)}, filter ${formatIn(e.byOperand.filter, ops)}, ofmap ${formatIn(e.byOperand.ofmap, ops)} ${ops.unit}.`,
    (u === 'pJ' ? `${(e.perMac ?? 0).toPrecision(3)} pJ/MAC; ${(e.topsPerWatt ?? 0).toPrecision(3)} TOPS/W (1 MAC = 2 ops); ${(e.averagePowerW ?? 0).toPrecision(3)} W at ${r.hw.clockHz / 1e6} MHz; EDP ${formatQuantity((t.edpJs ?? 0) * 1e12, EDP_PJ_S, 3)}. `
      : `${(e.perMac ?? 0).toPrecision(3)} per MAC; EDP ${formatQuantity(e.edpUnitSeconds, ENERGY_MAC, 3)}·s. `) +
      `Energy floor (MACs × E_mac + compulsory DRAM traffic) ${q(e.floor)}: ${e.floorRatio ? `${e.floorRatio.toFixed(2)}×` : '-'} of it.`,
    `Area ${t.areaMm2.toPrecision(4)} mm²: PE array ${t.areaMm2ByComponent.array.toPrecision(3)}, vector unit ${t.areaMm2ByComponent.vectorUnit.toPrecision(3)}, SRAM ifmap/filter/ofmap ${t.areaMm2ByComponent.sramIfmap.toPrecision(3)} / ${t.areaMm2ByComponent.sramFilter.toPrecision(3)} / ${t.areaMm2ByComponent.sramOfmap.toPrecision(3)}; ${peAreaSource(r.hw, t.areaMm2ByComponent.array)}.`,
    `Roofline: ${rl.arithmeticIntensityMacsPerByte.toPrecision(3)} MACs/DRAM byte; attainable ${rl.attainableMacsPerCycle.toPrecision(4)} of ${rl.peakMacsPerCycle} MACs/cycle (${rl.bound}-bound), achieved ${rl.achievedMacsPerCycle.toPrecision(4)}${rl.achievedMacsPerCycle <= rl.attainableMacsPerCycle ? '' : r.hw.dram.bandwidthMode === 'calc' ? ' — above the roof because CALC mode does not enforce the DRAM bandwidth (--bandwidth-mode user enforces it)' : ' — above the roof because SCALE-Sim\'s USER mode stalls only on late prefetches, not for every DRAM byte (the default model enforces the bandwidth)'}.`,
    ...(loss ? [`Lost PE-cycles: array not filled ${pct(loss.unmappedPes)} %, fill/drain ${pct(loss.fillAndDrain)} %, memory stalls ${pct(loss.stalls)} %, vector-unit time ${pct(loss.vectorUnit)} %.`] : []),
    ...(passes.length ? [`By pass: ${passes.map(([p, v]) => `${p} ${int(v!.totalCycles)} cycles, ${q(v!.energy.total)}`).join('; ')}.`] : []),
    ...(r.compat === 'scalesim' ? ['Compat mode: cycles are SCALE-Sim\'s (one less than elapse); compute utilization uses its fold length.'] : []),
    ...spillLines(r),
    ...mapperLines(r),
    ...r.warnings.map((w) => `warning: ${w}`),
  ];
  return `${lines.join('\n')}\n`;
}

const CSV_COLUMNS = [
  'name', 'id', 'pass', 'kind', 'layerKind', 'op', 'm', 'k', 'n', 'groups', 'elements', 'macs', 'rowFolds', 'colFolds', 'computeCycles',
  'stallCycles', 'totalCycles', 'mappingEfficiency', 'computeUtilization', 'overallUtilization',
  'sramWords.ifmapReads', 'sramWords.ifmapWrites', 'sramWords.filterReads', 'sramWords.filterWrites', 'sramWords.ofmapReads', 'sramWords.ofmapWrites',
  'dramWords.ifmapReads', 'dramWords.filterReads', 'dramWords.ofmapReads', 'dramWords.ofmapWrites', 'dramReadBytes', 'dramWriteBytes',
  'bandwidthBytesPerCycle.ifmap', 'bandwidthBytesPerCycle.filter', 'bandwidthBytesPerCycle.ofmap',
  'bandwidthWordsPerCycle.ifmap', 'bandwidthWordsPerCycle.filter', 'bandwidthWordsPerCycle.ofmap',
  'energy.unit', 'energy.total', 'energy.byComponent.mac', 'energy.byComponent.registers', 'energy.byComponent.sramIfmap',
  'energy.byComponent.sramFilter', 'energy.byComponent.sramOfmap', 'energy.byComponent.dram', 'energy.byComponent.vectorUnit',
  'energy.byComponent.leakage', 'energy.byOperand.ifmap', 'energy.byOperand.filter', 'energy.byOperand.ofmap', 'energy.perMac',
  'energy.floor', 'energy.floorRatio', 'energy.edpUnitSeconds', 'energy.topsPerWatt',
  'roofline.arithmeticIntensityMacsPerByte', 'roofline.peakMacsPerCycle', 'roofline.attainableMacsPerCycle',
  'roofline.achievedMacsPerCycle', 'roofline.bound', 'areaMm2',
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
  // The last row: the totals (area is a property of the whole config, so only this row has it).
  const total = { ...r.totals, name: 'total', id: 'total', pass: r.mode, kind: 'total' } as unknown as LayerCost;
  lines.push(CSV_COLUMNS.map((c) => csvCell(field(total, c))).join(','));
  return `${lines.join('\n')}\n`;
}

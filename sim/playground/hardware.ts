/**
 * The accelerator panel: the page's hardware (a shipped preset with the panel's overrides, as `--hw PRESET --array …`
 * gives the CLI), its energy table parsed from the copy the build put in the page, and one training step of the
 * current network through run/pipeline.ts' simulateGraph — the function `systolab simulate --mode training` calls.
 * What the panel shows is read off that CostReport (`trainingStepView`), so it is the CLI's numbers for the
 * exported model and config. Also the PE-array panel's traces (array/trace.ts through run/trace.ts for `seeded`).
 */
import { SimError } from '../base/errors.js';
import { HW_DEFAULTS, parseHwConfig, withOverrides } from '../arch/parse.js';
import type { HwConfig } from '../arch/types.js';
import { type GemmTrace, type TraceLimits, traceGemm } from '../array/trace.js';
import { type EnergyTable, parseCactiCsv, parseEnergyTable } from '../energy/table.js';
import type { LayerGraph } from '../ir/types.js';
import type { Pass } from '../lower/types.js';
import type { CostReport, GemmCost } from '../run/cost-report.js';
import type { Machine } from '../run/energy-context.js';
import { simulateGraph } from '../run/pipeline.js';
import { type TraceRun, runTrace } from '../run/trace.js';
import type { EmbeddedData } from './data.js';
import type { PlaygroundState } from './state.js';

/** The panel draws arrays up to 32×32 and GEMM tiles up to 2,000 cycles. */
export const PAGE_TRACE_LIMITS: TraceLimits = { pes: 1024, cycles: 2000 };

const presetFile = (name: string) => `hw-configs/${name}.yaml`;
const tableFile = (name: string) => `hw-configs/tech/${name}.yaml`;

/** The preset as the CLI loads it (`source: hw-configs/NAME.yaml`). */
export function presetConfig(name: string, embedded: EmbeddedData): HwConfig {
  if (!Object.hasOwn(embedded.presets, name)) throw new SimError('is not a preset in this page', { code: 'unknownPreset', path: 'preset', value: name });
  return parseHwConfig(embedded.presets[name], presetFile(name));
}

/** The page's hardware: the preset, then the panel's fields as the CLI's flags override it. */
export function hwConfigOf(s: PlaygroundState, embedded: EmbeddedData): HwConfig {
  const hw = withOverrides(presetConfig(s.preset, embedded), {
    rows: s.rows, cols: s.cols, dataflow: s.dataflow, precision: s.precision,
    ifmapKib: s.ifmapKib, filterKib: s.filterKib, ofmapKib: s.ofmapKib, clockMhz: s.clockMhz,
  });
  return s.energyTable === 'preset' ? hw : { ...hw, energy: { leakage: hw.energy?.leakage ?? HW_DEFAULTS.leakage, table: s.energyTable } };
}

/** The hardware as a config file `systolab simulate --hw FILE` reads (a report's `hw` block is one: arch/parse.ts). */
export function configDocument(hw: HwConfig): Record<string, unknown> {
  const { source: _source, ...doc } = hw as HwConfig & { source?: string };
  return doc as unknown as Record<string, unknown>;
}

/** A shipped energy table by name, from the page's copy (CACTI CSVs and area tables included). */
export function energyTableOf(name: string, embedded: EmbeddedData): EnergyTable {
  const bare = name.replace(/\.ya?ml$/, '');
  if (!Object.hasOwn(embedded.tables, bare)) throw new SimError('is not an energy table in this page', { code: 'unknownPreset', path: 'energy.table', value: name });
  return parseEnergyTable(embedded.tables[bare], tableFile(bare), {
    cactiRows: (csv) => {
      const file = csv.slice(csv.lastIndexOf('/') + 1);
      if (!Object.hasOwn(embedded.cacti, file)) throw new SimError('is not in this page', { code: 'missingFile', path: 'sram.cactiCsv', value: csv });
      return parseCactiCsv(embedded.cacti[file], csv);
    },
    table: (other) => energyTableOf(other, embedded),
  });
}

export function machineOf(hw: HwConfig, embedded: EmbeddedData): Machine {
  const table = hw.energy?.table ?? HW_DEFAULTS.energyTable;
  return { hw, energyTable: energyTableOf(table, embedded), energyTableFile: tableFile(table.replace(/\.ya?ml$/, '')) };
}

/** One training step (forward, backward and the optimizer update) of `graph` at `batch`, as `simulate --mode training` runs it. */
export function simulateTrainingStep(graph: LayerGraph, machine: Machine, batch: number, version: string): CostReport {
  return simulateGraph(graph, machine, { mode: 'training', compat: 'none', batch, version });
}

export interface PassRow { readonly pass: Pass; readonly cycles: number; readonly macs: number; readonly energy: number }
export interface GemmRow {
  readonly id: string; readonly pass: Pass; readonly m: number; readonly k: number; readonly n: number;
  readonly cycles: number; readonly utilization: number; readonly bound: 'compute' | 'memory'; readonly energy: number;
}

/** What the panel shows, read off the report. */
export interface TrainingStepView {
  readonly totalCycles: number;
  readonly seconds: number;
  readonly macs: number;
  readonly computeUtilization: number;
  readonly overallUtilization: number;
  readonly loss?: CostReport['totals']['utilizationLoss'];
  readonly energyUnit: string;
  readonly energyTotal: number;
  readonly energyByComponent: Readonly<Record<string, number>>;
  readonly perMac?: number;
  readonly roofline: CostReport['totals']['roofline'];
  readonly dramBytesPerCycle: number;
  readonly byPass: readonly PassRow[];
  readonly gemms: readonly GemmRow[];
  readonly warnings: readonly string[];
}

const PASSES: readonly Pass[] = ['forward', 'backwardData', 'backwardWeight', 'update'];

export function trainingStepView(r: CostReport): TrainingStepView {
  const t = r.totals;
  const byPass = PASSES.flatMap((pass) => {
    const p = t.byPass?.[pass];
    return p ? [{ pass, cycles: p.totalCycles, macs: p.macs, energy: p.energy.total }] : [];
  });
  const gemms = r.layers.filter((l): l is GemmCost => l.kind === 'gemm').map((g) => ({
    id: g.id, pass: g.pass, m: g.m, k: g.k, n: g.n, cycles: g.totalCycles, utilization: g.overallUtilization, bound: g.roofline.bound, energy: g.energy.total,
  }));
  return {
    totalCycles: t.totalCycles, seconds: t.seconds, macs: t.macs, computeUtilization: t.computeUtilization,
    overallUtilization: t.overallUtilization, loss: t.utilizationLoss, energyUnit: r.energyTable.unit, energyTotal: t.energy.total,
    energyByComponent: t.energy.byComponent as unknown as Record<string, number>, perMac: t.energy.perMac, roofline: t.roofline,
    dramBytesPerCycle: r.hw.dram.bytesPerCycle, byPass, gemms, warnings: r.warnings,
  };
}

/** `simulate --trace MxKxN --seed S` on the page's array: the same operands and snapshots as the CLI prints. */
export function seededTrace(s: PlaygroundState, hw: HwConfig): TraceRun {
  return runTrace({ m: s.traceM, k: s.traceK, n: s.traceN }, arrayShapeOf(hw), s.traceSeed, hw.numerics.accumulatorBits, PAGE_TRACE_LIMITS);
}

function arrayShapeOf(hw: HwConfig) {
  if (hw.array.dataflow === 'rs') {
    throw new SimError('the PE-array panel steps the os, ws and is arrays; row stationary\'s is not drawn', { code: 'badValue', path: 'array.dataflow', value: 'rs' });
  }
  return { rows: hw.array.rows, cols: hw.array.cols, dataflow: hw.array.dataflow, macPipelineCycles: hw.array.macPipelineCycles };
}

/** Symmetric int8 codes of a tensor (one scale): what an int8 array multiplies. */
export function int8Codes(x: Float64Array): { codes: Float64Array; scale: number } {
  let maxAbs = 0;
  for (const v of x) maxAbs = Math.max(maxAbs, Math.abs(v));
  const scale = maxAbs > 0 ? maxAbs / 127 : 1;
  return { codes: Float64Array.from(x, (v) => Math.max(-127, Math.min(127, Math.round(v / scale)))), scale };
}

/**
 * A tile of a dense layer's forward GEMM on the page's array: the first rows × cols outputs over the first `kMax`
 * of the reduction, operands as int8 codes (the array's integer arithmetic; scales shown beside).
 */
export function layerTileTrace(op: { m: number; k: number; n: number; a: Float64Array; b: Float64Array }, hw: HwConfig, kMax: number): { trace: GemmTrace; m: number; k: number; n: number; scaleA: number; scaleB: number } {
  const shape = arrayShapeOf(hw);
  const m = Math.min(op.m, shape.rows), n = Math.min(op.n, shape.cols), k = Math.min(op.k, kMax);
  const a = new Float64Array(m * k), b = new Float64Array(k * n);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) a[i * k + p] = op.a[i * op.k + p];
  for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) b[p * n + j] = op.b[p * op.n + j];
  const qa = int8Codes(a), qb = int8Codes(b);
  const trace = traceGemm({ m, k, n, a: qa.codes, b: qb.codes }, shape, { kind: 'int', accumulatorBits: hw.numerics.accumulatorBits, overflow: 'saturate' }, PAGE_TRACE_LIMITS);
  return { trace, m, k, n, scaleA: qa.scale, scaleB: qb.scale };
}

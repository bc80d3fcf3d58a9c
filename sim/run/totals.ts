/**
 * Run totals: the entries of a simulation added up — cycles, MACs, utilization and its losses, memory traffic,
 * energy (with a training spill's DRAM traffic), area, the roofline of the whole run and, for training, each pass.
 */
import type { HwConfig } from '../arch/types.js';
import { SimError } from '../base/errors.js';
import { analyze, type Roofline, roofline } from '../energy/analysis.js';
import { areaOf, type PricedEnergy } from '../energy/price.js';
import type { Pass } from '../lower/types.js';
import { exact } from '../timing/gemm-memory.js';
import type { MemoryCounts } from '../timing/op-trace.js';
import type { CostModel } from './cost-model.js';
import type { CostReport, LayerCost, PassTotals, SpillStallCycles, TotalUtilizationLoss, TrainingMemory } from './cost-report.js';
import type { EnergyContext, Machine } from './energy-context.js';
import { addCounts } from './entries.js';

function sumEnergy(layers: readonly LayerCost[], extraDram: number, extraLeakage: number): PricedEnergy {
  const c = { mac: 0, registers: 0, sramIfmap: 0, sramFilter: 0, sramOfmap: 0, dram: extraDram, vectorUnit: 0, leakage: extraLeakage };
  const o = { ifmap: extraDram, filter: 0, ofmap: 0 };
  let total = extraDram + extraLeakage;
  for (const l of layers) {
    const b = l.energy.byComponent;
    c.mac += b.mac; c.registers += b.registers; c.sramIfmap += b.sramIfmap; c.sramFilter += b.sramFilter; c.sramOfmap += b.sramOfmap;
    c.dram += b.dram; c.vectorUnit += b.vectorUnit; c.leakage += b.leakage;
    o.ifmap += l.energy.byOperand.ifmap; o.filter += l.energy.byOperand.filter; o.ofmap += l.energy.byOperand.ofmap;
    total += l.energy.total;
  }
  return { total, byComponent: c, byOperand: o };
}

/** The cycle-weighted utilization losses of the entries, and the vector unit's share of the run. */
function totalLoss(layers: readonly LayerCost[], totalCycles: number, vectorCycles: number, spillCycles: number): TotalUtilizationLoss {
  let unmappedPes = 0, fillAndDrain = 0, stalls = spillCycles / totalCycles;
  for (const l of layers) {
    if (l.kind !== 'gemm' || !l.utilizationLoss) continue;
    const u = l.utilizationLoss, w = l.totalCycles / totalCycles;
    unmappedPes += u.unmappedPes * w; fillAndDrain += u.fillAndDrain * w; stalls += u.stalls * w;
  }
  return { unmappedPes, fillAndDrain, stalls, vectorUnit: vectorCycles / totalCycles };
}

function byPass(layers: readonly LayerCost[], ctx: EnergyContext): Partial<Record<Pass, PassTotals>> {
  const acc: Partial<Record<Pass, { totalCycles: number; macs: number; energy: { unit: typeof ctx.table.unit; total: number } }>> = {};
  for (const l of layers) {
    const t = (acc[l.pass] ??= { totalCycles: 0, macs: 0, energy: { unit: ctx.table.unit, total: 0 } });
    t.totalCycles += l.totalCycles; t.macs += l.kind === 'gemm' ? l.macs : 0; t.energy.total += l.energy.total;
  }
  return acc;
}

/** The passes a spill moves in: written while the forward pass runs, read back while the backward passes run. */
export const SPILL_WINDOWS: Readonly<Record<keyof SpillStallCycles, readonly Pass[]>> = { forward: ['forward'], backward: ['backwardData', 'backwardWeight'] };

/**
 * The cycles a training spill adds (docs/cycle-model.md §7). CALC mode never stalls. USER mode: the spill's bytes move
 * at dram.bytesPerCycle in their window (the forward pass writes them, the backward passes read them back). Double
 * buffered, they fill the DRAM's idle time in the window, and only what does not fit stalls:
 * max(0, ⌈(window's DRAM bytes + spill bytes) ÷ bytesPerCycle⌉ − window's cycles). Single buffered, nothing overlaps:
 * ⌈spill bytes ÷ bytesPerCycle⌉ per window.
 */
export function spillStallCycles(layers: readonly LayerCost[], spillBytes: number, hw: HwConfig): SpillStallCycles {
  const stall = (passes: readonly Pass[]): number => {
    let cycles = 0, bytes = 0;
    for (const l of layers) {
      if (!passes.includes(l.pass)) continue;
      cycles += l.totalCycles;
      if (l.kind === 'gemm') bytes += l.dramReadBytes + l.dramWriteBytes;
    }
    return windowSpillStallCycles(cycles, bytes, spillBytes, hw);
  };
  return { forward: stall(SPILL_WINDOWS.forward), backward: stall(SPILL_WINDOWS.backward) };
}

/** One window's spill stall (see spillStallCycles), from the window's cycles and GEMM DRAM bytes. */
export function windowSpillStallCycles(windowCycles: number, windowDramBytes: number, spillBytes: number, hw: HwConfig): number {
  const bw = hw.dram.bytesPerCycle;
  if (hw.dram.bandwidthMode === 'calc' || spillBytes <= 0 || !Number.isFinite(bw)) return 0;
  if (!hw.sram.doubleBuffered) return Math.ceil(spillBytes / bw);
  return Math.max(0, Math.ceil((windowDramBytes + spillBytes) / bw) - windowCycles);
}

/** Relative slack of the roofline check (floating-point rounding of the two divisions). */
const ROOF_SLACK = 1e-9;

/**
 * Invariant: with the DRAM bandwidth enforced (USER mode), no entry and no run does more MACs per cycle than the
 * roofline allows. A breach means some DRAM traffic took no time: a cost-model bug, thrown as an internal error.
 */
export function checkRoofline(r: Pick<CostReport, 'hw' | 'layers' | 'totals'>): void {
  if (r.hw.dram.bandwidthMode !== 'user') return;
  const check = (rl: Roofline, where: string) => {
    if (rl.achievedMacsPerCycle > rl.attainableMacsPerCycle * (1 + ROOF_SLACK)) {
      throw new SimError(`achieved ${rl.achievedMacsPerCycle} MACs/cycle exceeds the attainable ${rl.attainableMacsPerCycle} with the DRAM bandwidth enforced (USER mode): some DRAM traffic costs no time, a cost-model bug`, {
        code: 'internal', path: where, value: rl,
      });
    }
  };
  for (const l of r.layers) if (l.kind === 'gemm') check(l.roofline, `layers[${l.id}].roofline`);
  check(r.totals.roofline, 'totals.roofline');
}

export interface TotalsIn {
  readonly layers: readonly LayerCost[];
  readonly machine: Machine;
  readonly ctx: EnergyContext;
  readonly model: CostModel;
  /** What training keeps for backprop (spill stalls not yet priced: totalsOf prices them). */
  readonly training?: Omit<TrainingMemory, 'spillStallCycles'>;
  readonly perPass: boolean;
}

/** The run's MACs and mapping efficiency (mapped PE-folds ÷ PE-folds): the GEMM entries' only, in order. */
export function mappingTotals(layers: readonly LayerCost[], pes: number): { macs: number; mappingEfficiency: number } {
  let macs = 0, spatialPeFolds = 0, mapped = 0;
  for (const l of layers) {
    if (l.kind !== 'gemm') continue;
    macs += l.macs;
    const folds = (l.groups ?? 1) * l.rowFolds * l.colFolds;
    spatialPeFolds += folds * pes;
    mapped += l.mappingEfficiency * folds * pes;
  }
  return { macs, mappingEfficiency: spatialPeFolds ? mapped / spatialPeFolds : 0 };
}

export function totalsOf({ layers, machine: { hw }, ctx, model, training: kept, perPass }: TotalsIn): { totals: CostReport['totals']; training?: TrainingMemory; notes: string[] } {
  let totalCycles = 0, computeCycles = 0, stallCycles = 0, gemmCycles = 0, vectorCycles = 0;
  let floor = 0, dramReadBytes = 0, dramWriteBytes = 0;
  const zero = { ifmapReads: 0, ifmapWrites: 0, filterReads: 0, filterWrites: 0, ofmapReads: 0, ofmapWrites: 0 };
  let sramWords: MemoryCounts = zero, dramWords: MemoryCounts = zero;
  const pes = ctx.pes;
  for (const l of layers) {
    totalCycles += l.totalCycles; computeCycles += l.computeCycles; stallCycles += l.stallCycles; floor += l.energy.floor;
    if (l.kind === 'gemm') {
      gemmCycles += l.totalCycles;
      sramWords = addCounts(sramWords, l.sramWords);
      dramWords = addCounts(dramWords, l.dramWords);
      dramReadBytes += l.dramReadBytes;
      dramWriteBytes += l.dramWriteBytes;
    } else vectorCycles += l.totalCycles;
  }
  const { macs, mappingEfficiency } = mappingTotals(layers, pes);
  const training: TrainingMemory | undefined = kept && { ...kept, spillStallCycles: spillStallCycles(layers, kept.spillBytes, hw) };
  const spillCycles = training ? training.spillStallCycles.forward + training.spillStallCycles.backward : 0;
  if (training) {
    dramReadBytes += training.spillBytes;
    dramWriteBytes += training.spillBytes;
    totalCycles += spillCycles;
    stallCycles += spillCycles;
  }
  // A training spill is DRAM traffic of activations, priced as ifmap DRAM energy; the chip leaks while it stalls.
  const sum = sumEnergy(layers, training ? training.spillDramBytes * 8 * ctx.prices.dramPerBit : 0, spillCycles * ctx.prices.leakagePerCycle);
  const seconds = totalCycles / hw.clockHz;
  const area = areaOf(ctx.table, hw, ctx.flavour);
  const totals: CostReport['totals'] = {
    totalCycles, computeCycles, stallCycles, gemmCycles, vectorCycles, seconds, macs,
    mappingEfficiency,
    computeUtilization: gemmCycles ? macs / (gemmCycles * pes) : 0,
    overallUtilization: totalCycles ? macs / (totalCycles * pes) : 0,
    sramWords: sramWords as Required<MemoryCounts>, dramWords: dramWords as Required<MemoryCounts>,
    dramReadBytes: exact(dramReadBytes, 'totals.dramReadBytes'), dramWriteBytes: exact(dramWriteBytes, 'totals.dramWriteBytes'),
    energy: analyze(sum, macs, floor, seconds, ctx.table.unit),
    ...(ctx.table.unit === 'pJ' ? { edpJs: sum.total * 1e-12 * seconds } : {}),
    areaMm2: area.total, areaMm2ByComponent: area.byComponent,
    roofline: roofline(macs, dramReadBytes + dramWriteBytes, totalCycles, pes, hw.dram.bytesPerCycle),
    ...(model.utilizationLoss && totalCycles > 0 ? { utilizationLoss: totalLoss(layers, totalCycles, vectorCycles, spillCycles) } : {}),
    ...(perPass ? { byPass: byPass(layers, ctx) } : {}),
  };
  return { totals, ...(training ? { training } : {}), notes: area.notes };
}

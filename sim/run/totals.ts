/**
 * Run totals: the entries of a simulation added up — cycles, MACs, utilization and its losses, memory traffic,
 * energy (with a training spill's DRAM traffic), area, the roofline of the whole run and, for training, each pass.
 */
import { analyze, roofline } from '../energy/analysis.js';
import { areaOf, type PricedEnergy } from '../energy/price.js';
import type { Pass } from '../lower/types.js';
import { exact } from '../timing/gemm-memory.js';
import type { MemoryCounts } from '../timing/op-trace.js';
import type { CostModel } from './cost-model.js';
import type { CostReport, LayerCost, PassTotals, TotalUtilizationLoss, TrainingMemory } from './cost-report.js';
import type { EnergyContext, Machine } from './energy-context.js';
import { addCounts } from './entries.js';

function sumEnergy(layers: readonly LayerCost[], extraDram: number): PricedEnergy {
  const c = { mac: 0, registers: 0, sramIfmap: 0, sramFilter: 0, sramOfmap: 0, dram: extraDram, vectorUnit: 0, leakage: 0 };
  const o = { ifmap: extraDram, filter: 0, ofmap: 0 };
  let total = extraDram;
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
function totalLoss(layers: readonly LayerCost[], totalCycles: number, vectorCycles: number): TotalUtilizationLoss {
  let unmappedPes = 0, fillAndDrain = 0, stalls = 0;
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

export interface TotalsIn {
  readonly layers: readonly LayerCost[];
  readonly machine: Machine;
  readonly ctx: EnergyContext;
  readonly model: CostModel;
  readonly training?: TrainingMemory;
  readonly perPass: boolean;
}

export function totalsOf({ layers, machine: { hw }, ctx, model, training, perPass }: TotalsIn): { totals: CostReport['totals']; notes: string[] } {
  let totalCycles = 0, computeCycles = 0, stallCycles = 0, gemmCycles = 0, vectorCycles = 0, macs = 0, spatialPeFolds = 0, mapped = 0;
  let floor = 0, dramReadBytes = 0, dramWriteBytes = 0;
  const zero = { ifmapReads: 0, ifmapWrites: 0, filterReads: 0, filterWrites: 0, ofmapReads: 0, ofmapWrites: 0 };
  let sramWords: MemoryCounts = zero, dramWords: MemoryCounts = zero;
  const pes = ctx.pes;
  for (const l of layers) {
    totalCycles += l.totalCycles; computeCycles += l.computeCycles; stallCycles += l.stallCycles; floor += l.energy.floor;
    if (l.kind === 'gemm') {
      macs += l.macs;
      gemmCycles += l.totalCycles;
      const folds = (l.groups ?? 1) * l.rowFolds * l.colFolds;
      spatialPeFolds += folds * pes;
      mapped += l.mappingEfficiency * folds * pes;
      sramWords = addCounts(sramWords, l.sramWords);
      dramWords = addCounts(dramWords, l.dramWords);
      dramReadBytes += l.dramReadBytes;
      dramWriteBytes += l.dramWriteBytes;
    } else vectorCycles += l.totalCycles;
  }
  if (training) {
    dramReadBytes += training.spillBytes;
    dramWriteBytes += training.spillBytes;
  }
  // A training spill is DRAM traffic of activations, priced as ifmap DRAM energy.
  const sum = sumEnergy(layers, training ? training.spillDramBytes * 8 * ctx.prices.dramPerBit : 0);
  const seconds = totalCycles / hw.clockHz;
  const area = areaOf(ctx.table, hw, ctx.flavour);
  const totals: CostReport['totals'] = {
    totalCycles, computeCycles, stallCycles, gemmCycles, vectorCycles, seconds, macs,
    mappingEfficiency: spatialPeFolds ? mapped / spatialPeFolds : 0,
    computeUtilization: gemmCycles ? macs / (gemmCycles * pes) : 0,
    overallUtilization: totalCycles ? macs / (totalCycles * pes) : 0,
    sramWords: sramWords as Required<MemoryCounts>, dramWords: dramWords as Required<MemoryCounts>,
    dramReadBytes: exact(dramReadBytes, 'totals.dramReadBytes'), dramWriteBytes: exact(dramWriteBytes, 'totals.dramWriteBytes'),
    energy: analyze(sum, macs, floor, seconds, ctx.table.unit),
    ...(ctx.table.unit === 'pJ' ? { edpJs: sum.total * 1e-12 * seconds } : {}),
    areaMm2: area.total, areaMm2ByComponent: area.byComponent,
    roofline: roofline(macs, dramReadBytes + dramWriteBytes, totalCycles, pes, hw.dram.bytesPerCycle),
    ...(model.utilizationLoss && totalCycles > 0 ? { utilizationLoss: totalLoss(layers, totalCycles, vectorCycles) } : {}),
    ...(perPass ? { byPass: byPass(layers, ctx) } : {}),
  };
  return { totals, notes: area.notes };
}

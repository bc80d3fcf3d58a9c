/**
 * A totals plan (totals-plan.ts) evaluated at one hardware point that differs from the plan's only in SRAM sizes,
 * DRAM bandwidth and bandwidth mode, and clock: the closed-form memory model once per GEMM shape (the SRAM sizes set
 * the DRAM counts, the bandwidth the USER-mode stalls), then the action counts priced (the clock and SRAM sizes set
 * the unit prices). Out: exactly the run totals a sweep record holds, equal to `simulateGraph`'s to the last bit —
 * no per-layer objects are built.
 *
 * Bit-exact because every floating-point figure is the full path's expression in the full path's order:
 *   - an entry's energy is energy/price.ts `priceActions`' total, mac + registers + SRAM ifmap + filter + ofmap + DRAM
 *     (+ a GEMM's vector unit, 0) + leakage, with the counts energy/actions.ts `gemmActions` derives;
 *   - the run's energy starts at the training spill's DRAM and leakage energy and adds the entries in execution order
 *     (run/totals.ts `sumEnergy`); counts are integers below 2^53, exact in any order.
 * test/sweep/totals-only.test.ts compares the record lines with the full path's, byte for byte.
 */
import { PRECISION_BITS, type HwConfig } from '../arch/types.js';
import { areaOf, type UnitPrices } from '../energy/price.js';
import type { EnergyUnit } from '../energy/table.js';
import { exact, gemmMemory } from '../timing/gemm-memory.js';
import type { CostReport } from './cost-report.js';
import { energyContext } from './energy-context.js';
import { windowSpillStallCycles } from './totals.js';
import type { TotalsPlan } from './totals-plan.js';
import { trainingSpill } from './training-memory.js';

/** What a point may change relative to its plan's hardware. */
export interface HwPoint {
  readonly ifmapKib: number;
  readonly filterKib: number;
  readonly ofmapKib: number;
  readonly dramBytesPerCycle: number;
  readonly bandwidthMode: HwConfig['dram']['bandwidthMode'];
  readonly clockHz: number;
}

/** The totals a sweep record holds, named as in CostReport.totals. */
export type PointTotals = Pick<CostReport['totals'],
  'totalCycles' | 'stallCycles' | 'seconds' | 'macs' | 'mappingEfficiency' | 'computeUtilization' | 'overallUtilization' | 'dramReadBytes' | 'dramWriteBytes' | 'areaMm2'>
  & { readonly energy: { readonly unit: EnergyUnit; readonly total: number } };

/** What pricing a point needs: the unit prices and the chip area (both depend on the SRAM sizes; prices on the clock). */
export interface PointPrices {
  readonly prices: UnitPrices;
  readonly areaMm2: number;
}

export function hwAt(plan: TotalsPlan, at: HwPoint): HwConfig {
  const hw = plan.hw;
  return {
    ...hw, clockHz: at.clockHz,
    sram: { ...hw.sram, ifmapKib: at.ifmapKib, filterKib: at.filterKib, ofmapKib: at.ofmapKib },
    dram: { ...hw.dram, bytesPerCycle: at.dramBytesPerCycle, bandwidthMode: at.bandwidthMode },
  };
}

export function pricesAt(plan: TotalsPlan, hw: HwConfig): PointPrices {
  const ctx = energyContext({ ...plan.machine, hw });
  return { prices: ctx.prices, areaMm2: areaOf(ctx.table, hw, ctx.flavour).total };
}

export function totalsAt(plan: TotalsPlan, at: HwPoint, priced: PointPrices = pricesAt(plan, hwAt(plan, at))): PointTotals {
  const hw = hwAt(plan, at);
  const p = priced.prices;
  const pes = hw.array.rows * hw.array.cols;
  const inBits = PRECISION_BITS[hw.numerics.input], wBits = PRECISION_BITS[hw.numerics.weight], accBits = hw.numerics.accumulatorBits;
  const memory = plan.shapes.map((s) => gemmMemory(s.op, hw, s.computeCycles, s.mapping));
  const energies = new Float64Array(plan.entries.length);
  let totalCycles = 0, stallCycles = 0, gemmCycles = 0, dramReadBytes = 0, dramWriteBytes = 0, sramWords = 0, dramWords = 0;
  const window = { forward: { cycles: 0, bytes: 0 }, backward: { cycles: 0, bytes: 0 } };
  for (let i = 0; i < plan.entries.length; i++) {
    const e = plan.entries[i];
    const w = e.window && window[e.window];
    if (e.kind === 'vector') {
      totalCycles += e.cycles;
      if (w) w.cycles += e.cycles;
      energies[i] = e.vectorUnitEnergy + e.cycles * p.leakagePerCycle;
      continue;
    }
    let stall = 0, readBytes = 0, writeBytes = 0, sIR = 0, sIW = 0, sFR = 0, sFW = 0, sOR = 0, sOW = 0, dIR = 0, dFR = 0, dOR = 0, dOW = 0;
    for (const s of e.shapes) {
      const m = memory[s];
      stall += m.stallCycles; readBytes += m.dramReadBytes; writeBytes += m.dramWriteBytes;
      sIR += m.sram.ifmapReads; sIW += m.sram.ifmapWrites; sFR += m.sram.filterReads; sFW += m.sram.filterWrites; sOR += m.sram.ofmapReads; sOW += m.sram.ofmapWrites;
      dIR += m.dram.ifmapReads; dFR += m.dram.filterReads; dOR += m.dram.ofmapReads; dOW += m.dram.ofmapWrites;
    }
    const cycles = e.computeCycles + stall;
    totalCycles += cycles; stallCycles += stall; gemmCycles += cycles;
    dramReadBytes += readBytes; dramWriteBytes += writeBytes;
    sramWords += sIR + sIW + sFR + sFW + sOR + sOW; dramWords += dIR + dFR + dOR + dOW;
    if (w) { w.cycles += cycles; w.bytes += readBytes + writeBytes; }
    // priceActions(gemmActions(…)): a GEMM entry's vector-unit energy is 0, and x + 0 = x.
    const sramIfmap = sIR * p.sramRead.ifmap + sIW * p.sramWrite.ifmap;
    const sramFilter = sFR * p.sramRead.filter + sFW * p.sramWrite.filter;
    const sramOfmap = sOR * p.sramRead.ofmap + sOW * p.sramWrite.ofmap;
    const dram = dIR * inBits * p.dramPerBit + dFR * wBits * p.dramPerBit + (dOR * accBits + writeBytes * 8) * p.dramPerBit;
    energies[i] = e.macEnergy + e.registerEnergy + sramIfmap + sramFilter + sramOfmap + dram + cycles * p.leakagePerCycle;
  }
  // The full path checks every summed count (run/entries.ts addCounts, run/totals.ts); a sum at or above 2^53 means
  // some count is too, and the caller's fallback to the full path reports it.
  exact(sramWords, 'totals.sramWords'); exact(dramWords, 'totals.dramWords');
  let spillCycles = 0, extraDram = 0;
  if (plan.keptBytes) {
    const spill = trainingSpill(plan.keptBytes.activationBytes, plan.keptBytes.optimizerStateBytes, hw);
    spillCycles = windowSpillStallCycles(window.forward.cycles, window.forward.bytes, spill.spillBytes, hw)
      + windowSpillStallCycles(window.backward.cycles, window.backward.bytes, spill.spillBytes, hw);
    dramReadBytes += spill.spillBytes; dramWriteBytes += spill.spillBytes;
    totalCycles += spillCycles; stallCycles += spillCycles;
    extraDram = spill.spillDramBytes * 8 * p.dramPerBit;
  }
  let energy = extraDram + spillCycles * p.leakagePerCycle;
  for (const e of energies) energy += e;
  const macs = plan.macs;
  return {
    totalCycles, stallCycles, seconds: totalCycles / hw.clockHz, macs, mappingEfficiency: plan.mappingEfficiency,
    computeUtilization: gemmCycles ? macs / (gemmCycles * pes) : 0, overallUtilization: totalCycles ? macs / (totalCycles * pes) : 0,
    dramReadBytes: exact(dramReadBytes, 'totals.dramReadBytes'), dramWriteBytes: exact(dramWriteBytes, 'totals.dramWriteBytes'),
    energy: { unit: plan.machine.energyTable.unit, total: energy }, areaMm2: priced.areaMm2,
  };
}

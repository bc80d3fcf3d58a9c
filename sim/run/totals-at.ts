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
 *
 * Two stages, so that a sweep's bandwidths share the rest: `sramStage` (per plan, SRAM sizes and clock: the memory
 * model's traffic per GEMM shape, gemm-memory.ts `gemmTraffic`, and each entry's energy before leakage, in typed
 * arrays) and `totalsAtStage` (per point: the stalls per shape, `userStallCycles`, then cycles, leakage and the sums).
 * An entry's energy is `(mac + registers + SRAM + DRAM) + cycles × leakage`, the same left-to-right sum as before the
 * split: the first stage keeps the parenthesized prefix, the second adds the leakage term.
 */
import { PRECISION_BITS, type HwConfig } from '../arch/types.js';
import { areaOf, type UnitPrices } from '../energy/price.js';
import type { EnergyUnit } from '../energy/table.js';
import { exact, gemmTraffic, userStallCycles } from '../timing/gemm-memory.js';
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

const NO_WINDOW = 0, FORWARD = 1, BACKWARD = 2;

/** A totals plan at one set of SRAM sizes and clock: everything of its totals but what the DRAM bandwidth moves. */
export interface SramStage {
  readonly plan: TotalsPlan;
  readonly ifmapKib: number;
  readonly filterKib: number;
  readonly ofmapKib: number;
  readonly clockHz: number;
  readonly priced: PointPrices;
  /** Per GEMM shape (plan.shapes): what its stalls read (gemm-memory.ts StallBytes) and its compute cycles. */
  readonly shapeReadBytes: Float64Array;
  readonly shapeWriteBytes: Float64Array;
  readonly shapeFirstFillBytes: Float64Array;
  readonly shapeLastDrainBytes: Float64Array;
  readonly shapeComputeCycles: Float64Array;
  /** Per entry: its shapes are entryShapes[entryShapeStart[i] … entryShapeStart[i + 1]) (none for a vector op). */
  readonly entryShapeStart: Int32Array;
  readonly entryShapes: Int32Array;
  /** Per entry: 1 for a GEMM entry; cycles before stalls (a vector op's all), energy before leakage, spill window (0 none, 1 forward, 2 backward). */
  readonly entryGemm: Uint8Array;
  readonly entryCycles: Float64Array;
  readonly entryEnergy: Float64Array;
  readonly entryWindow: Uint8Array;
  /** GEMM DRAM bytes of the forward and backward spill windows. */
  readonly windowBytes: readonly [number, number];
  /** The run's DRAM bytes, a training spill's included. */
  readonly dramReadBytes: number;
  readonly dramWriteBytes: number;
  /** A training spill's bytes each way (0 for inference), and its DRAM energy. */
  readonly spillBytes: number;
  readonly spillEnergy: number;
  /** Scratch space for totalsAtStage: per shape its stalls, per entry its cycles (the stage is used on one thread). */
  readonly shapeStalls: Float64Array;
  readonly cycles: Float64Array;
}

/** The first stage: the plan at `at`'s SRAM sizes and clock (its bandwidth is not read). */
export function sramStage(plan: TotalsPlan, at: HwPoint, priced: PointPrices = pricesAt(plan, hwAt(plan, at))): SramStage {
  const hw = hwAt(plan, at);
  const p = priced.prices;
  const inBits = PRECISION_BITS[hw.numerics.input], wBits = PRECISION_BITS[hw.numerics.weight], accBits = hw.numerics.accumulatorBits;
  const shapes = plan.shapes.length, entries = plan.entries.length;
  const memory = plan.shapes.map((s) => gemmTraffic(s.op, hw, s.computeCycles, s.mapping));
  const shapeReadBytes = new Float64Array(shapes), shapeWriteBytes = new Float64Array(shapes);
  const shapeFirstFillBytes = new Float64Array(shapes), shapeLastDrainBytes = new Float64Array(shapes), shapeComputeCycles = new Float64Array(shapes);
  for (let s = 0; s < shapes; s++) {
    const m = memory[s];
    shapeReadBytes[s] = m.dramReadBytes; shapeWriteBytes[s] = m.dramWriteBytes;
    shapeFirstFillBytes[s] = m.firstFillBytes; shapeLastDrainBytes[s] = m.lastDrainBytes; shapeComputeCycles[s] = plan.shapes[s].computeCycles;
  }
  const entryShapeStart = new Int32Array(entries + 1);
  for (let i = 0; i < entries; i++) {
    const e = plan.entries[i];
    entryShapeStart[i + 1] = entryShapeStart[i] + (e.kind === 'gemm' ? e.shapes.length : 0);
  }
  const entryShapes = new Int32Array(entryShapeStart[entries]);
  const entryGemm = new Uint8Array(entries), entryCycles = new Float64Array(entries), entryEnergy = new Float64Array(entries), entryWindow = new Uint8Array(entries);
  let dramReadBytes = 0, dramWriteBytes = 0, sramWords = 0, dramWords = 0, forwardBytes = 0, backwardBytes = 0;
  for (let i = 0; i < entries; i++) {
    const e = plan.entries[i];
    const w = e.window === 'forward' ? FORWARD : e.window === 'backward' ? BACKWARD : NO_WINDOW;
    entryWindow[i] = w;
    if (e.kind === 'vector') {
      entryCycles[i] = e.cycles;
      entryEnergy[i] = e.vectorUnitEnergy;
      continue;
    }
    let readBytes = 0, writeBytes = 0, sIR = 0, sIW = 0, sFR = 0, sFW = 0, sOR = 0, sOW = 0, dIR = 0, dFR = 0, dOR = 0, dOW = 0;
    let j = entryShapeStart[i];
    for (const s of e.shapes) {
      entryShapes[j++] = s;
      const m = memory[s];
      readBytes += m.dramReadBytes; writeBytes += m.dramWriteBytes;
      sIR += m.sram.ifmapReads; sIW += m.sram.ifmapWrites; sFR += m.sram.filterReads; sFW += m.sram.filterWrites; sOR += m.sram.ofmapReads; sOW += m.sram.ofmapWrites;
      dIR += m.dram.ifmapReads; dFR += m.dram.filterReads; dOR += m.dram.ofmapReads; dOW += m.dram.ofmapWrites;
    }
    dramReadBytes += readBytes; dramWriteBytes += writeBytes;
    sramWords += sIR + sIW + sFR + sFW + sOR + sOW; dramWords += dIR + dFR + dOR + dOW;
    if (w === FORWARD) forwardBytes += readBytes + writeBytes;
    else if (w === BACKWARD) backwardBytes += readBytes + writeBytes;
    // priceActions(gemmActions(…)) but the leakage, which the cycles set: a GEMM entry's vector-unit energy is 0, and x + 0 = x.
    const sramIfmap = sIR * p.sramRead.ifmap + sIW * p.sramWrite.ifmap;
    const sramFilter = sFR * p.sramRead.filter + sFW * p.sramWrite.filter;
    const sramOfmap = sOR * p.sramRead.ofmap + sOW * p.sramWrite.ofmap;
    const dram = dIR * inBits * p.dramPerBit + dFR * wBits * p.dramPerBit + (dOR * accBits + writeBytes * 8) * p.dramPerBit;
    entryGemm[i] = 1;
    entryCycles[i] = e.computeCycles;
    entryEnergy[i] = e.macEnergy + e.registerEnergy + sramIfmap + sramFilter + sramOfmap + dram;
  }
  // The full path checks every summed count (run/entries.ts addCounts, run/totals.ts); a sum at or above 2^53 means
  // some count is too, and the caller's fallback to the full path reports it.
  exact(sramWords, 'totals.sramWords'); exact(dramWords, 'totals.dramWords');
  let spillBytes = 0, spillEnergy = 0;
  if (plan.keptBytes) {
    const spill = trainingSpill(plan.keptBytes.activationBytes, plan.keptBytes.optimizerStateBytes, hw);
    spillBytes = spill.spillBytes;
    dramReadBytes += spill.spillBytes; dramWriteBytes += spill.spillBytes;
    spillEnergy = spill.spillDramBytes * 8 * p.dramPerBit;
  }
  return {
    plan, ifmapKib: at.ifmapKib, filterKib: at.filterKib, ofmapKib: at.ofmapKib, clockHz: at.clockHz, priced,
    shapeReadBytes, shapeWriteBytes, shapeFirstFillBytes, shapeLastDrainBytes, shapeComputeCycles,
    entryShapeStart, entryShapes, entryGemm, entryCycles, entryEnergy, entryWindow, windowBytes: [forwardBytes, backwardBytes],
    dramReadBytes: exact(dramReadBytes, 'totals.dramReadBytes'), dramWriteBytes: exact(dramWriteBytes, 'totals.dramWriteBytes'),
    spillBytes, spillEnergy, shapeStalls: new Float64Array(shapes), cycles: new Float64Array(entries),
  };
}

/** The second stage: the totals at `at`, whose SRAM sizes and clock must be the stage's (its bandwidth and mode are read here). */
export function totalsAtStage(st: SramStage, at: HwPoint): PointTotals {
  if (at.ifmapKib !== st.ifmapKib || at.filterKib !== st.filterKib || at.ofmapKib !== st.ofmapKib || at.clockHz !== st.clockHz) {
    throw new Error('totalsAtStage: the point\'s SRAM sizes or clock are not the stage\'s');
  }
  const plan = st.plan;
  const hw = hwAt(plan, at);
  const leakage = st.priced.prices.leakagePerCycle;
  const pes = hw.array.rows * hw.array.cols;
  const stalls = st.shapeStalls, cycles = st.cycles, start = st.entryShapeStart, shapes = st.entryShapes, window = st.entryWindow;
  if (hw.dram.bandwidthMode === 'calc') stalls.fill(0);
  else {
    const bw = hw.dram.bytesPerCycle, latency = hw.dram.latencyCycles ?? 0, doubleBuffered = hw.sram.doubleBuffered;
    for (let s = 0; s < stalls.length; s++) {
      stalls[s] = userStallCycles(bw, latency, doubleBuffered, st.shapeComputeCycles[s], st.shapeReadBytes[s], st.shapeWriteBytes[s], st.shapeFirstFillBytes[s], st.shapeLastDrainBytes[s]);
    }
  }
  let totalCycles = 0, stallCycles = 0, gemmCycles = 0, forwardCycles = 0, backwardCycles = 0;
  for (let i = 0; i < cycles.length; i++) {
    let c = st.entryCycles[i];
    if (st.entryGemm[i] === 1) {
      const j1 = start[i + 1];
      let stall = 0;
      for (let j = start[i]; j < j1; j++) stall += stalls[shapes[j]];
      c += stall;
      stallCycles += stall; gemmCycles += c;
    }
    cycles[i] = c;
    totalCycles += c;
    if (window[i] === FORWARD) forwardCycles += c;
    else if (window[i] === BACKWARD) backwardCycles += c;
  }
  let spillCycles = 0;
  if (plan.keptBytes) {
    spillCycles = windowSpillStallCycles(forwardCycles, st.windowBytes[0], st.spillBytes, hw) + windowSpillStallCycles(backwardCycles, st.windowBytes[1], st.spillBytes, hw);
    totalCycles += spillCycles; stallCycles += spillCycles;
  }
  let energy = st.spillEnergy + spillCycles * leakage;
  for (let i = 0; i < cycles.length; i++) energy += st.entryEnergy[i] + cycles[i] * leakage;
  const macs = plan.macs;
  return {
    totalCycles, stallCycles, seconds: totalCycles / hw.clockHz, macs, mappingEfficiency: plan.mappingEfficiency,
    computeUtilization: gemmCycles ? macs / (gemmCycles * pes) : 0, overallUtilization: totalCycles ? macs / (totalCycles * pes) : 0,
    dramReadBytes: st.dramReadBytes, dramWriteBytes: st.dramWriteBytes,
    energy: { unit: plan.machine.energyTable.unit, total: energy }, areaMm2: st.priced.areaMm2,
  };
}

/** Both stages at one point. */
export function totalsAt(plan: TotalsPlan, at: HwPoint, priced: PointPrices = pricesAt(plan, hwAt(plan, at))): PointTotals {
  return totalsAtStage(sramStage(plan, at, priced), at);
}

/**
 * What a designer reads off the priced energy: per-MAC energy, TOPS/W, energy-delay product, the roofline and the
 * energy floor. Pure arithmetic on numbers the report already has.
 *  - Roofline: peak = rows × cols MACs/cycle; arithmetic intensity = MACs ÷ DRAM bytes moved; attainable =
 *    min(peak, dram.bytesPerCycle × intensity); `bound` names the smaller; achieved = MACs ÷ total cycles.
 *  - Energy floor: MACs × E_mac + compulsory DRAM bits (every element an op touches, read or written once, at its
 *    operand width) × E_dram/bit — what no schedule can beat on this hardware; `floorRatio` = energy ÷ floor.
 *  - TOPS/W (pJ tables): 1 MAC = 2 ops; TOPS/W = 2·MACs ÷ energyPj, the same at any clock; the power and throughput
 *    behind it use the configured clock.
 */
import type { PerOperand } from './actions.js';
import type { EnergyByComponent, PricedEnergy, UnitPrices } from './price.js';
import type { EnergyUnit } from './table.js';

export interface Roofline {
  readonly arithmeticIntensityMacsPerByte: number;
  readonly peakMacsPerCycle: number;
  readonly attainableMacsPerCycle: number;
  readonly achievedMacsPerCycle: number;
  readonly bound: 'compute' | 'memory';
}

export interface EnergyAnalysis {
  /** Unit of every energy below: pJ, or normalized (a MAC = 1); EDP in that unit × seconds. */
  readonly unit: EnergyUnit;
  readonly total: number;
  readonly byComponent: EnergyByComponent;
  /** Registers + SRAM + DRAM energy of each operand's buffer (MACs, vector unit and leakage are not per operand). */
  readonly byOperand: PerOperand;
  /** Energy per MAC (absent when the op has no MACs). */
  readonly perMac?: number;
  readonly floor: number;
  /** energy ÷ floor (absent when the floor is 0: vector ops). */
  readonly floorRatio?: number;
  readonly edpUnitSeconds: number;
  /** pJ tables only. */
  readonly topsPerWatt?: number;
  readonly averagePowerW?: number;
}

export function roofline(macs: number, dramBytes: number, totalCycles: number, peakMacsPerCycle: number, bytesPerCycle: number): Roofline {
  const intensity = dramBytes > 0 ? macs / dramBytes : Infinity;
  const memoryCeiling = bytesPerCycle * intensity;
  return {
    arithmeticIntensityMacsPerByte: Number.isFinite(intensity) ? intensity : Number.MAX_VALUE,
    peakMacsPerCycle,
    attainableMacsPerCycle: Math.min(peakMacsPerCycle, memoryCeiling),
    achievedMacsPerCycle: totalCycles > 0 ? macs / totalCycles : 0,
    bound: memoryCeiling < peakMacsPerCycle ? 'memory' : 'compute',
  };
}

export function energyFloor(macs: number, compulsoryDramBits: number, p: UnitPrices): number {
  return macs * p.mac + compulsoryDramBits * p.dramPerBit;
}

export function analyze(e: PricedEnergy, macs: number, floor: number, seconds: number, unit: EnergyUnit): EnergyAnalysis {
  return {
    unit, total: e.total, byComponent: e.byComponent, byOperand: e.byOperand,
    ...(macs > 0 ? { perMac: e.total / macs } : {}),
    floor, ...(floor > 0 ? { floorRatio: e.total / floor } : {}),
    edpUnitSeconds: e.total * seconds,
    ...(unit === 'pJ' && e.total > 0 ? { topsPerWatt: (2 * macs) / e.total, ...(seconds > 0 ? { averagePowerW: (e.total * 1e-12) / seconds } : {}) } : {}),
  };
}

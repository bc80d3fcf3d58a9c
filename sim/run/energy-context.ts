/** What pricing needs for one hardware configuration: the energy table, its unit prices and the operand widths. */
import { type HwConfig, PRECISION_BITS } from '../arch/types.js';
import { type Flavour, type UnitPrices, unitPrices } from '../energy/price.js';
import type { EnergyTable } from '../energy/table.js';

/** A hardware configuration with its energy table resolved (load/hw.ts does the reading). */
export interface Machine {
  readonly hw: HwConfig;
  readonly energyTable: EnergyTable;
  /** The table's file as reports name it (relative to the package for a shipped table). */
  readonly energyTableFile: string;
}

export interface EnergyContext {
  readonly table: EnergyTable;
  readonly flavour: Flavour;
  readonly prices: UnitPrices;
  readonly inBits: number;
  readonly wBits: number;
  readonly widths: { readonly inputBits: number; readonly weightBits: number; readonly accumulatorBits: number };
  readonly pes: number;
  readonly bytesPerCycle: number;
  readonly clockHz: number;
}

/** The SRAM / leakage flavour when a config names none (hw-configs/README.md). */
export const DEFAULT_LEAKAGE: Flavour = 'lstp';

export function energyContext(m: Machine): EnergyContext {
  const { hw, energyTable: table } = m;
  const flavour = hw.energy?.leakage ?? DEFAULT_LEAKAGE;
  const inBits = PRECISION_BITS[hw.numerics.input], wBits = PRECISION_BITS[hw.numerics.weight];
  return {
    table, flavour, prices: unitPrices(table, hw, flavour), inBits, wBits,
    widths: { inputBits: inBits, weightBits: wBits, accumulatorBits: hw.numerics.accumulatorBits },
    pes: hw.array.rows * hw.array.cols, bytesPerCycle: hw.dram.bytesPerCycle, clockHz: hw.clockHz,
  };
}

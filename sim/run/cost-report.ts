/**
 * The CostReport: what `systolab simulate` prints with --format json (schemaVersion 1). One entry per (layer, pass)
 * in execution order — per conv group in `--compat scalesim` mode, as SCALE-Sim reports depthwise layers — and totals.
 * Fractions are 0–1; cycles are clock cycles of the array; every figure is computed, none estimated, except vector-op
 * cycles (marked `estimated`). Energies are priced from the config's energy table (sim/energy/, hw-configs/README.md).
 */
import type { HwConfig } from '../arch/types.js';
import type { Mode, Pass } from '../lower/types.js';
import type { Compat } from '../timing/gemm-timing.js';
import type { EnergyAnalysis, Roofline } from '../energy/analysis.js';
import type { AreaMm2ByComponent } from '../energy/price.js';

export interface UtilizationLoss {
  /** Fractions of all PE-cycles (they add up to 1 − overallUtilization). */
  /** PEs left without work because the GEMM does not fill the array in every fold. */
  readonly unmappedPes: number;
  /** Mapped PEs idle while operands skew in and results drain (fill/drain of every fold). */
  readonly fillAndDrain: number;
  /** Every PE idle during memory stalls. */
  readonly stalls: number;
}

export interface LayerCost {
  /** The layer's name in the model; `id` names the op (`conv1.forward`, `dw.forward.g3`). */
  readonly name: string;
  readonly id: string;
  readonly pass: Pass;
  readonly kind: 'gemm' | 'vector';
  readonly layerKind: string;
  /** GEMM dims of one GEMM (per group); `groups` GEMMs of this shape when aggregated. */
  readonly m?: number;
  readonly k?: number;
  readonly n?: number;
  readonly groups?: number;
  /** Vector ops: elements produced. */
  readonly elements?: number;
  readonly macs: number;
  readonly rowFolds: number;
  readonly colFolds: number;
  readonly computeCycles: number;
  readonly stallCycles: number;
  readonly totalCycles: number;
  readonly mappingEfficiency: number;
  readonly computeUtilization: number;
  readonly overallUtilization: number;
  readonly utilizationLoss?: UtilizationLoss;
  /** GEMMs: SRAM accesses per operand in words (elements); `--compat scalesim`: SCALE-Sim's counts. */
  readonly sram?: MemoryCounts;
  /** GEMMs: DRAM accesses per operand in words (ifmapReads, filterReads, ofmapReads, ofmapWrites). */
  readonly dram?: MemoryCounts;
  readonly dramReadBytes?: number;
  readonly dramWriteBytes?: number;
  /** DRAM bandwidth each operand needs to run without stalls, bytes per cycle (compat CALC: SCALE-Sim's words/cycle). */
  readonly bandwidthBytesPerCycle?: { readonly ifmap: number; readonly filter: number; readonly ofmap: number };
  /** True when the cycles are an estimate (vector ops: the vector unit's cycles-per-kind table, timing/vector-timing.ts). */
  readonly estimated?: boolean;
  /** Total energy of the op in pJ — or, with a normalized table (a MAC = 1), `energyNormalized` instead. */
  readonly energyPj?: number;
  readonly energyNormalized?: number;
  /** Energy by component and operand, per MAC, floor, EDP, TOPS/W (sim/energy/analysis.ts). */
  readonly energy: EnergyAnalysis;
  /** GEMMs: where the op sits on the roofline. */
  readonly roofline?: Roofline;
}

/** Utilization loss over the whole run: fractions of all PE-cycles, adding up to 1 − overallUtilization. */
export interface TotalUtilizationLoss extends UtilizationLoss {
  /** The array idle while the vector unit works. */
  readonly vectorUnit: number;
}

/** Training: one pass's share of the run. */
export interface PassTotals {
  readonly totalCycles: number;
  readonly macs: number;
  readonly energy: number;
}

/** Per-operand access counts in words; absent keys are not counted in that mode. */
export interface MemoryCounts {
  readonly ifmapReads: number; readonly ifmapWrites?: number;
  readonly filterReads: number; readonly filterWrites?: number;
  readonly ofmapReads?: number; readonly ofmapWrites: number;
}

/** Training: what a step keeps for backprop vs the on-chip capacity; the excess spills to DRAM and back. */
export interface TrainingMemory {
  readonly activationBytes: number;
  readonly optimizerStateBytes: number;
  readonly onChipBytes: number;
  readonly spillBytes: number;
  /** DRAM traffic the spill adds: written in the forward pass, read back in the backward pass. */
  readonly spillDramBytes: number;
}

export interface CostReport {
  readonly schemaVersion: 1;
  readonly tool: { readonly name: 'systolab'; readonly version: string };
  readonly model: string;
  readonly hw: HwConfig;
  readonly mode: Mode;
  readonly compat: Compat;
  readonly layers: readonly LayerCost[];
  readonly totals: {
    readonly totalCycles: number;
    readonly computeCycles: number;
    readonly stallCycles: number;
    readonly gemmCycles: number;
    readonly vectorCycles: number;
    readonly seconds: number;
    readonly macs: number;
    readonly mappingEfficiency: number;
    readonly computeUtilization: number;
    readonly overallUtilization: number;
    readonly sram: Required<MemoryCounts>;
    readonly dram: Required<MemoryCounts>;
    /** DRAM bytes, training spills included. */
    readonly dramReadBytes: number;
    readonly dramWriteBytes: number;
    /** Total energy in pJ (or `energyNormalized` with a normalized table); sweeps read this field. */
    readonly energyPj?: number;
    readonly energyNormalized?: number;
    readonly energy: EnergyAnalysis;
    /** Energy-delay product in J·s (pJ tables). */
    readonly edpJs?: number;
    /** Chip area in mm²: the PE array, the vector unit and the SRAM banks. */
    readonly areaMm2: number;
    readonly areaMm2ByComponent: AreaMm2ByComponent;
    readonly roofline: Roofline;
    readonly utilizationLoss?: TotalUtilizationLoss;
    /** Training: cycles, MACs and energy (in `energy.unit`) per pass. */
    readonly byPass?: Readonly<Partial<Record<Pass, PassTotals>>>;
  };
  /** The energy table that priced the run and the SRAM transistor flavour. */
  readonly energyTable: { readonly name: string; readonly file: string; readonly unit: 'pJ' | 'normalized'; readonly leakage: 'hp' | 'lstp' };
  readonly training?: TrainingMemory;
  readonly warnings: readonly string[];
}

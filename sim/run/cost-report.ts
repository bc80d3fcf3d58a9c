/**
 * The CostReport: what `systolab simulate` prints with --format json (schemaVersion 2; docs/cost-report.md). One entry per (layer, pass)
 * in execution order — per conv group in `--compat scalesim` mode, as SCALE-Sim reports depthwise layers — and totals.
 * Fractions are 0–1; cycles are clock cycles of the array; every figure is computed, none estimated, except vector-op
 * cycles (marked `estimated`). Energies are priced from the config's energy table (sim/energy/, hw-configs/README.md).
 */
import type { HwConfig } from '../arch/types.js';
import type { LayerKind } from '../ir/types.js';
import type { Mode, Pass, VectorOpKind } from '../lower/types.js';
import type { EnergyUnit } from '../energy/table.js';
import type { Compat } from './cost-model.js';
import type { EnergyAnalysis, Roofline } from '../energy/analysis.js';
import type { AreaMm2ByComponent } from '../energy/price.js';
import type { ScalesimReportRow } from '../compat/scalesim/report-row.js';
import type { FoldOrder } from '../map/mapping.js';
import type { RsCounts, RsFit, RsLayer, RsTemporal } from '../map/row-stationary.js';

export interface UtilizationLoss {
  /** Fractions of all PE-cycles (they add up to 1 − overallUtilization). */
  /** PEs left without work because the GEMM does not fill the array in every fold. */
  readonly unmappedPes: number;
  /** Mapped PEs idle while operands skew in and results drain (fill/drain of every fold). */
  readonly fillAndDrain: number;
  /** Every PE idle during memory stalls. */
  readonly stalls: number;
}

/** What every entry has: which op it is, its cycles and its energy. */
interface CostBase {
  /** The layer's name in the model; `id` names the op (`conv1.forward`, `dw.forward.g3`). */
  readonly name: string;
  readonly id: string;
  readonly pass: Pass;
  readonly layerKind: LayerKind;
  readonly computeCycles: number;
  readonly stallCycles: number;
  readonly totalCycles: number;
  /** Energy by component and operand, per MAC, floor, EDP, TOPS/W, every figure in `energy.unit` (sim/energy/analysis.ts). */
  readonly energy: EnergyAnalysis;
}

/** DRAM bandwidth each operand needs to run without stalls. */
export interface OperandRates { readonly ifmap: number; readonly filter: number; readonly ofmap: number }

/** The GEMMs of one (layer, pass) on the systolic array. */
export interface GemmCost extends CostBase {
  readonly kind: 'gemm';
  /** GEMM dims of one GEMM (per group); `groups` GEMMs of this shape when aggregated. */
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly groups?: number;
  readonly macs: number;
  readonly rowFolds: number;
  readonly colFolds: number;
  readonly mappingEfficiency: number;
  readonly computeUtilization: number;
  readonly overallUtilization: number;
  /** Why utilization is lost (default mode; SCALE-Sim reports no such breakdown). */
  readonly utilizationLoss?: UtilizationLoss;
  /** SRAM accesses per operand in words (elements); `--compat scalesim`: SCALE-Sim's counts. */
  readonly sramWords: MemoryCounts;
  /** DRAM accesses per operand in words (ifmapReads, filterReads, ofmapReads, ofmapWrites). */
  readonly dramWords: MemoryCounts;
  readonly dramReadBytes: number;
  readonly dramWriteBytes: number;
  /** Default mode: bytes per cycle each operand needs. */
  readonly bandwidthBytesPerCycle?: OperandRates;
  /** `--compat scalesim`: SCALE-Sim's words per cycle (its BANDWIDTH_REPORT). */
  readonly bandwidthWordsPerCycle?: OperandRates;
  /** Where the op sits on the roofline. */
  readonly roofline: Roofline;
  /** `--compat scalesim` only: this layer's row of SCALE-Sim's own report files (`--format scalesim`). */
  readonly scalesim?: ScalesimReportRow;
  /**
   * `--mapper search` only: what the mapper chose for this entry (GEMM dataflows: the fold loop order; row stationary:
   * the temporal mapping in `rs`), for which objective, of how many valid candidates.
   */
  readonly mapping?: { readonly foldOrder?: FoldOrder; readonly chunks?: number; readonly objective: MapperObjective; readonly candidates: number };
  /** Row stationary only: the convolution as RS ran it, its mapping, and the access counts per level in words. */
  readonly rs?: RsEntry;
}

export interface RsEntry {
  readonly conv: RsLayer;
  readonly temporal: RsTemporal;
  /** Whether the mapping fits the spads and the GLB partitions (a layer no mapping fits is priced as if it did). */
  readonly fit: RsFit;
  readonly spatial: { readonly passes: number; readonly tiles: number; readonly copies: number; readonly activePes: number };
  readonly counts: Omit<RsCounts, 'macs'>;
}

/** What `--mapper search` minimizes per entry. */
export type MapperObjective = 'latency' | 'energy' | 'edp';
export const MAPPER_OBJECTIVES: readonly MapperObjective[] = ['latency', 'energy', 'edp'];

/** One op of the vector unit (activations, pooling, normalization, optimizer updates…). */
export interface VectorCost extends CostBase {
  readonly kind: 'vector';
  /** The vector op (lower/types.ts VectorOpKind). */
  readonly op: VectorOpKind;
  /** Elements produced. */
  readonly elements: number;
  /** Always true: vector-op cycles come from the vector unit's cycles-per-kind table (timing/vector-timing.ts). */
  readonly estimated: true;
}

export type LayerCost = GemmCost | VectorCost;

/** Utilization loss over the whole run: fractions of all PE-cycles, adding up to 1 − overallUtilization. */
export interface TotalUtilizationLoss extends UtilizationLoss {
  /** The array idle while the vector unit works. */
  readonly vectorUnit: number;
}

/** Training: one pass's share of the run. */
export interface PassTotals {
  readonly totalCycles: number;
  readonly macs: number;
  /** In the report's energy unit (`energyTable.unit`). */
  readonly energy: { readonly unit: EnergyUnit; readonly total: number };
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
  /** Stall cycles the spill adds (USER mode; 0 in CALC), in the totals but in no entry and no `byPass` figure. */
  readonly spillStallCycles: SpillStallCycles;
}

/** Where a spill's stall cycles fall: while the forward pass writes it, while the backward passes read it back. */
export interface SpillStallCycles { readonly forward: number; readonly backward: number }

export interface CostReport {
  readonly schemaVersion: 2;
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
    readonly sramWords: Required<MemoryCounts>;
    readonly dramWords: Required<MemoryCounts>;
    /** DRAM bytes, training spills included (`totalCycles` and `stallCycles` include the spill's stalls too). */
    readonly dramReadBytes: number;
    readonly dramWriteBytes: number;
    /** Every energy figure of the run, in `energy.unit`. */
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
  readonly energyTable: { readonly name: string; readonly file: string; readonly unit: EnergyUnit; readonly leakage: 'hp' | 'lstp' };
  readonly training?: TrainingMemory;
  readonly warnings: readonly string[];
}

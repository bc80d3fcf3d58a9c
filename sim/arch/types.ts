/**
 * The hardware configuration: plain data, units in key names. Loaded from hw-configs/*.yaml (or a SCALE-Sim .cfg)
 * and validated as raw data before use (arch/parse.ts; load/hw.ts reads the files). Later issues extend it (energy tables, memory detail).
 */
export const DATAFLOWS = ['os', 'ws', 'is'] as const;
export type Dataflow = (typeof DATAFLOWS)[number];

/** Operand formats by name: the names `--precision` uses everywhere. */
export const PRECISIONS = ['int8', 'int16', 'int32', 'fp16', 'bf16', 'fp32'] as const;
export type Precision = (typeof PRECISIONS)[number];
export const PRECISION_BITS: Readonly<Record<Precision, number>> = { int8: 8, int16: 16, int32: 32, fp16: 16, bf16: 16, fp32: 32 };

export interface HwConfig {
  readonly schemaVersion: 1;
  readonly name: string;
  readonly description?: string;
  readonly clockHz: number;
  readonly array: {
    readonly rows: number;
    readonly cols: number;
    readonly dataflow: Dataflow;
    /** MAC pipeline depth d ≥ 1: d − 1 extra cycles per fold (1 = SCALE-Sim's single-cycle MAC). */
    readonly macPipelineCycles: number;
  };
  readonly numerics: {
    /** Operand formats of activations (ifmap) and weights (filter). */
    readonly input: Precision;
    readonly weight: Precision;
    readonly accumulatorBits: number;
    /** Requantization rounding of GEMM outputs (sim/fixed/README.md) [default gemmlowp]. */
    readonly rounding?: 'nearestEven' | 'nearestAway' | 'towardZero' | 'stochastic' | 'gemmlowp';
    /** What the accumulator does when a sum leaves its range, at every step [default saturate]. */
    readonly overflow?: 'saturate' | 'wrap';
  };
  readonly sram: { readonly ifmapKib: number; readonly filterKib: number; readonly ofmapKib: number; readonly doubleBuffered: boolean };
  readonly dram: {
    /** DRAM interface bandwidth; SCALE-Sim's `Bandwidth` (words/cycle, word = 1 byte there). */
    readonly bytesPerCycle: number;
    /** SCALE-Sim's InterfaceBandwidth: CALC (no stalls; report the bandwidth needed) or USER (bytesPerCycle enforced). */
    readonly bandwidthMode: 'calc' | 'user';
    readonly type: string;
    /** Cycles from a DRAM request to its first word (default 0: SCALE-Sim's model); exposed once per op at the first fill. */
    readonly latencyCycles?: number;
  };
  readonly vectorUnit: { readonly lanes: number };
  /**
   * The energy table (hw-configs/tech/NAME.yaml, or a file path resolved against the config's folder) and the SRAM /
   * leakage transistor flavour (CACTI's A_hp = `hp`, B_lstp = `lstp`). Absent: 45nm, lstp (sim/energy/).
   */
  readonly energy?: { readonly table: string; readonly leakage: 'hp' | 'lstp' };
  /** Where it was loaded from (file), for reports. */
  readonly source?: string;
}

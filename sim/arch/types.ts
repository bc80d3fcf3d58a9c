/**
 * The hardware configuration: plain data, units in key names. Loaded from hw-configs/*.yaml (or a SCALE-Sim .cfg)
 * and validated as raw data before use (arch/parse.ts; load/hw.ts reads the files). Later issues extend it (energy tables, memory detail).
 */
/** The GEMM dataflows of a rectangular systolic array (map/dataflow.ts), and Eyeriss' row stationary (map/row-stationary.ts). */
export const GEMM_DATAFLOWS = ['os', 'ws', 'is'] as const;
export type GemmDataflow = (typeof GEMM_DATAFLOWS)[number];
export const DATAFLOWS = [...GEMM_DATAFLOWS, 'rs'] as const;
export type Dataflow = (typeof DATAFLOWS)[number];
export const isGemmDataflow = (d: Dataflow): d is GemmDataflow => d !== 'rs';
export const BANDWIDTH_MODES = ['calc', 'user'] as const;

/**
 * Operand formats by name: the one list `--precision` takes in every command (simulate, sweep, check, train and the
 * configs' `numerics`): signed integers of 2 to 32 bits and the three float formats, as sim/fixed/format.ts names them.
 * (`check` and `train` also take uintN and qM.N: the same integer hardware with another scale.)
 */
export const INT_PRECISION_BITS = { min: 2, max: 32 } as const;
type IntBits = 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15 | 16 | 17 | 18 | 19 | 20 | 21 | 22 | 23 | 24 | 25 | 26 | 27 | 28 | 29 | 30 | 31 | 32;
export type Precision = `int${IntBits}` | 'fp16' | 'bf16' | 'fp32';
const FLOAT_BITS = { fp16: 16, bf16: 16, fp32: 32 } as const;
const intNames = Array.from({ length: INT_PRECISION_BITS.max - INT_PRECISION_BITS.min + 1 }, (_, i) => `int${i + INT_PRECISION_BITS.min}` as Precision);
export const PRECISIONS: readonly Precision[] = [...intNames, ...(Object.keys(FLOAT_BITS) as Precision[])];
export const PRECISION_BITS: Readonly<Record<Precision, number>> = Object.fromEntries(
  PRECISIONS.map((p) => [p, p in FLOAT_BITS ? FLOAT_BITS[p as keyof typeof FLOAT_BITS] : Number(p.slice(3))]),
) as Record<Precision, number>;
export const isFloatPrecision = (p: Precision): boolean => p in FLOAT_BITS;
/** The list as help texts print it. */
export const precisionList = (): string => `int${INT_PRECISION_BITS.min} … int${INT_PRECISION_BITS.max}, ${Object.keys(FLOAT_BITS).join(', ')}`;

export interface RsSpad { readonly ifmapWords: number; readonly filterWords: number; readonly psumWords: number }
/** Eyeriss v1's scratch pads (Chen et al., JSSC 2017, Table II: 12 × 16 b ifmap, 224 × 16 b filter, 24 × 16 b psum). */
export const RS_DEFAULT_SPAD: RsSpad = { ifmapWords: 12, filterWords: 224, psumWords: 24 };

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
    /**
     * Row stationary only: each PE's scratch pads, in words (ifmap: input bits, filter: weight bits, psum: accumulator
     * bits). Absent: Eyeriss v1's (RS_DEFAULT_SPAD).
     */
    readonly spad?: RsSpad;
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
  readonly sram: {
    readonly ifmapKib: number; readonly filterKib: number; readonly ofmapKib: number; readonly doubleBuffered: boolean;
    /**
     * Activations live on chip (TPU v1's Unified Buffer): a GEMM's input a and its result stay in the ifmap SRAM
     * when both fit there, so neither moves through DRAM; only weights (and spilled partial sums) do [default false].
     */
    readonly activationsOnChip?: boolean;
  };
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
  /**
   * Where the PE's area comes from: `table` (default: the energy table's multiplier + adder + register bits) or
   * `yosys` (the generated PE synthesized: its logic's transistors × the table's areaUm2.perTransistor, plus its
   * flip-flops × areaUm2.registerPerBit, as Yosys' transistor estimate leaves flip-flops out). `synthesized` is filled
   * in by the edge that runs Yosys (eda/pe-area.ts) and kept in reports; a file that gives it skips the synthesis.
   */
  readonly area?: { readonly pe: 'table' | 'yosys'; readonly synthesized?: { readonly transistors: number; readonly flipFlops: number; readonly tool: string } };
  /** Where it was loaded from (file), for reports. */
  readonly source?: string;
}

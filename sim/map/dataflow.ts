/**
 * How each dataflow maps a GEMM C[m×n] = A[m×k]·B[k×n] onto a rows × cols systolic array: the one table every stage
 * reads (timing, memory, energy, the PE array, SCALE-Sim compat). A new dataflow is a new row here; `Record<Dataflow,
 * …>` makes the compiler reject a Dataflow without one. docs/cycle-model.md explains the rows.
 */
import { type Dataflow, type GemmDataflow, isGemmDataflow } from '../arch/types.js';
import { SimError } from '../base/errors.js';

/** A GEMM dimension (glossary: m rows of A and C, k the reduction, n columns of B and C). */
export type GemmDim = 'm' | 'k' | 'n';
/** The three operands by buffer: ifmap = A (streamed input), filter = B (weight side), ofmap = C (the result). */
export type OperandRole = 'ifmap' | 'filter' | 'ofmap';

export interface DataflowStrategy {
  /** Its name in words, for reports and traces. */
  readonly title: string;
  /** The GEMM dimension laid along the array's rows, along its columns, and streamed in time. */
  readonly rows: GemmDim;
  readonly cols: GemmDim;
  readonly time: GemmDim;
  /** The operand that stays in the PEs for a whole fold (os: the output accumulators). */
  readonly stationary: OperandRole;
  /** Whether the stationary operand is shifted into the array (rows cycles) before each fold streams. */
  readonly preload: boolean;
  /** Operands latched from PE to PE at every MAC. */
  readonly movesBetweenPes: Readonly<Record<OperandRole, boolean>>;
  /** Whether partial sums leave the array at the bottom edge (and so may need the ofmap SRAM across row folds). */
  readonly partialSumsLeaveArray: boolean;
  /** Which input operand enters at the left edge (row i of the array) and moves right. */
  readonly horizontal: 'ifmap' | 'filter';
  /**
   * The input operand whose first fold tile the double-buffered memory model exposes before compute starts (the
   * rest of the traffic overlaps compute): os and is the operand streamed along the rows, ws its stationary weights.
   */
  readonly firstFill: 'ifmap' | 'filter';
}

export const DATAFLOW_STRATEGIES = {
  os: {
    title: 'output stationary', rows: 'm', cols: 'n', time: 'k', stationary: 'ofmap', preload: false,
    movesBetweenPes: { ifmap: true, filter: true, ofmap: false }, partialSumsLeaveArray: false, horizontal: 'ifmap', firstFill: 'ifmap',
  },
  ws: {
    title: 'weight stationary', rows: 'k', cols: 'n', time: 'm', stationary: 'filter', preload: true,
    movesBetweenPes: { ifmap: true, filter: false, ofmap: true }, partialSumsLeaveArray: true, horizontal: 'ifmap',
    firstFill: 'filter',
  },
  is: {
    title: 'input stationary', rows: 'k', cols: 'm', time: 'n', stationary: 'ifmap', preload: true,
    movesBetweenPes: { ifmap: false, filter: true, ofmap: true }, partialSumsLeaveArray: true, horizontal: 'filter',
    firstFill: 'filter',
  },
} as const satisfies Record<GemmDataflow, DataflowStrategy>;

export function strategyOf(dataflow: GemmDataflow): DataflowStrategy {
  return DATAFLOW_STRATEGIES[dataflow];
}

/**
 * `dataflow` when it is a GEMM dataflow; for row stationary a SimError naming what covers only os, ws and is (the
 * RTL twin, SCALE-Sim compat, the fixed-point check on the array, the cycle trace, and mapGemm, which
 * run/pipeline.ts never calls with rs).
 */
export function gemmDataflowOf(dataflow: Dataflow, what: string, path = 'array.dataflow'): GemmDataflow {
  if (isGemmDataflow(dataflow)) return dataflow;
  throw new SimError(`is rs (row stationary), but ${what} covers the systolic GEMM dataflows only`, {
    code: 'badValue', path, value: dataflow, hint: `Use --dataflow os, ws or is (or a config with one) here; rs runs in simulate, sweep and map (docs/row-stationary.md).`,
  });
}

/**
 * mapGemm: one GEMM on one array → its Mapping — the folds, the tile each fold holds, how long a fold streams, and
 * per operand how often the array reads it. In: m, k, n and the array (rows, cols, dataflow). Out: plain numbers that
 * timing/, compat/, energy/ and array/ take instead of re-deriving the dataflow's rules. Pure arithmetic.
 *
 * Folds run column folds outer, row folds inner, time innermost (docs/cycle-model.md): the fixed mapping, and what
 * the PE array and the RTL run. `order: 'rowsOuter'` swaps the two fold loops, the one other loop order the memory
 * model prices (a mapper's choice, `simulate --mapper search`; cycles do not change, DRAM traffic may). For an input
 * operand X:
 *   - stationary: every element is read from SRAM once, when its fold's tile is loaded;
 *   - streamed: X is streamed once per fold of each spatial dimension X does not span (os: A once per column fold,
 *     B once per row fold);
 *   - its fold tile is X with the spatial dimensions clipped to the array; it changes between outer passes when X
 *     spans the inner loop's dimension but not the outer one (then `outerPasses` = the outer folds), else it stays
 *     for a pass.
 */
import type { Dataflow, GemmDataflow } from '../arch/types.js';
import { type Cycles, type Words, ceilDiv, cycles, words } from '../base/units.js';
import { type DataflowStrategy, type GemmDim, type OperandRole, gemmDataflowOf, strategyOf } from './dataflow.js';

export interface ArrayShape {
  readonly rows: number;
  readonly cols: number;
  /** rs never reaches mapGemm (run/pipeline.ts routes it to timing/row-stationary.ts); mapGemm rejects it. */
  readonly dataflow: Dataflow;
  readonly macPipelineCycles: number;
}

export interface OperandMapping {
  readonly stationary: boolean;
  readonly movesBetweenPes: boolean;
  /** Elements of this operand one fold holds or streams (spatial dims clipped to the array). */
  readonly foldTileWords: Words;
  /** SRAM reads the array makes of this operand over the whole GEMM (inputs; for ofmap: m·n). */
  readonly sramReadsWords: Words;
  /** How many times the outer loop re-streams the whole operand (1 when its tile is reused across a pass). */
  readonly outerPasses: number;
}

/** Which fold loop is outer: column folds (the fixed mapping) or row folds. */
export type FoldOrder = 'colsOuter' | 'rowsOuter';
export const FOLD_ORDERS: readonly FoldOrder[] = ['colsOuter', 'rowsOuter'];

export interface Mapping {
  readonly dataflow: GemmDataflow;
  readonly order: FoldOrder;
  /**
   * Chunks of the streamed dim (ws: m, is: n; 1 = none, the fixed mapping): a mapper's choice that runs every fold
   * once per chunk, chunks outermost, so that one chunk's partial sums fit the ofmap SRAM. The stationary operand is
   * then loaded once per chunk. Only where partial sums leave the array, and only with column folds outer.
   */
  readonly chunks: number;
  /** The streamed dim's length in the longest chunk: ⌈temporal / chunks⌉. */
  readonly chunkTemporal: number;
  readonly strategy: DataflowStrategy;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly macs: number;
  /** Sizes of the dims on rows (Sr), on cols (Sc) and in time (T). */
  readonly spatialRows: number;
  readonly spatialCols: number;
  readonly temporal: number;
  readonly rowFolds: number;
  readonly colFolds: number;
  readonly folds: number;
  /** Preload cycles of each fold (rows for ws/is, 0 for os). */
  readonly preloadCycles: Cycles;
  /** Mapped PEs over all PEs, averaged over folds: Sr·Sc / (folds·rows·cols). */
  readonly mappingEfficiency: number;
  readonly operands: Readonly<Record<OperandRole, OperandMapping>>;
}

/** The GEMM dimension each operand does not span. */
const MISSING_DIM: Readonly<Record<OperandRole, GemmDim>> = { ifmap: 'n', filter: 'm', ofmap: 'k' };

export function mapGemm(m: number, k: number, n: number, a: Pick<ArrayShape, 'rows' | 'cols' | 'dataflow'>, order: FoldOrder = 'colsOuter', chunks = 1): Mapping {
  const dataflow = gemmDataflowOf(a.dataflow, 'the systolic GEMM model');
  return mapWithStrategy(strategyOf(dataflow), m, k, n, { ...a, dataflow }, order, chunks);
}

/** mapGemm with the strategy given (tests map with altered strategies to show the checks catch them). */
export function mapWithStrategy(s: DataflowStrategy, m: number, k: number, n: number, a: { readonly rows: number; readonly cols: number; readonly dataflow: GemmDataflow }, order: FoldOrder = 'colsOuter', chunks = 1): Mapping {
  const size: Record<GemmDim, number> = { m, k, n };
  const spatialRows = size[s.rows], spatialCols = size[s.cols], temporal = size[s.time];
  if (!Number.isInteger(chunks) || chunks < 1 || chunks > temporal || (chunks > 1 && (!s.partialSumsLeaveArray || order !== 'colsOuter'))) {
    throw new RangeError(`mapGemm: ${chunks} chunks of ${temporal} (chunks need partial sums that leave the array and column folds outer)`);
  }
  const chunkTemporal = Math.ceil(temporal / chunks);
  const rowFolds = ceilDiv(spatialRows, a.rows), colFolds = ceilDiv(spatialCols, a.cols);
  const tileRows = Math.min(a.rows, spatialRows), tileCols = Math.min(a.cols, spatialCols);
  // An operand spans two of the three dims; which one it lacks decides how it meets the folds.
  const operand = (role: OperandRole): OperandMapping => {
    const lacks = MISSING_DIM[role];
    const elements = lacks === 'n' ? m * k : lacks === 'm' ? k * n : m * n;
    const stationary = s.stationary === role;
    // Lacks the time dim: spans rows and cols. Lacks the rows dim: re-streamed once per row fold; column folds outer,
    // its tile is kept for a pass; row folds outer, a new tile every column fold, reloaded every pass. Lacks the cols
    // dim: the same with rows and columns swapped.
    const colsOuter = order === 'colsOuter';
    // With chunks, a fold holds one chunk of the streamed dim, and the stationary operand is loaded once per chunk.
    const [tile, restreams, outerPasses] = lacks === s.time ? [tileRows * tileCols, 1, 1]
      : lacks === s.rows ? [tileCols * chunkTemporal, rowFolds, colsOuter ? 1 : rowFolds] : [tileRows * chunkTemporal, colFolds, colsOuter ? colFolds : 1];
    return {
      stationary, movesBetweenPes: s.movesBetweenPes[role], foldTileWords: words(tile),
      sramReadsWords: words(role === 'ofmap' ? elements : stationary ? elements * chunks : elements * restreams), outerPasses,
    };
  };
  const folds = rowFolds * colFolds;
  return {
    dataflow: a.dataflow, order, chunks, chunkTemporal, strategy: s, m, k, n, macs: m * k * n, spatialRows, spatialCols, temporal,
    rowFolds, colFolds, folds, preloadCycles: cycles(s.preload ? a.rows : 0),
    mappingEfficiency: (spatialRows * spatialCols) / (folds * a.rows * a.cols),
    operands: { ifmap: operand('ifmap'), filter: operand('filter'), ofmap: operand('ofmap') },
  };
}

/**
 * The fast timing model of one GEMM on a rows × cols systolic array (cycle-model.md). Each dataflow is a small
 * strategy record: which GEMM dimension goes on the array's rows, which on its columns, which streams in time.
 *   folds = ceil(Sr/rows)·ceil(Sc/cols), processed one after another (column folds outer, row folds inner)
 *   cycles per fold = T + rows + cols − 2 (os)  or  T + 2·rows + cols − 2 (ws, is: rows cycles preload the
 *                     stationary operand)  + (d − 1) for a d-stage MAC pipeline
 * Default mode counts what elapses. `scalesim` mode reproduces SCALE-Sim v2's reported numbers: total cycles one less
 * (it prints the 0-based index of the last cycle; its issue #125) and, for ws/is, a compute-utilization denominator of
 * T + 2·rows + 2·cols − 3 per fold (cols − 1 longer than the fold). Pure arithmetic: no allocation on the hot path.
 */
import type { Dataflow } from '../arch/types.js';

export type Compat = 'none' | 'scalesim';

export interface ArrayShape {
  readonly rows: number;
  readonly cols: number;
  readonly dataflow: Dataflow;
  readonly macPipelineCycles: number;
}

export interface GemmTiming {
  readonly macs: number;
  /** The GEMM dims on rows, on cols and streamed in time. */
  readonly spatialRows: number;
  readonly spatialCols: number;
  readonly temporal: number;
  readonly rowFolds: number;
  readonly colFolds: number;
  readonly cyclesPerFold: number;
  readonly computeCycles: number;
  /** Mapped PEs over all PEs, averaged over folds: Sr·Sc / (folds·rows·cols). */
  readonly mappingEfficiency: number;
  /** MACs / (computeCycles·rows·cols) — SCALE-Sim's own definition in `scalesim` mode. */
  readonly computeUtilization: number;
}

/** Which GEMM dimension each dataflow places on rows, on columns and in time (cycle-model.md, table 1). */
export const DATAFLOW_MAPPING: Readonly<Record<Dataflow, { readonly rows: 'm' | 'k'; readonly cols: 'n' | 'm'; readonly time: 'k' | 'm' | 'n'; readonly preload: boolean }>> = {
  os: { rows: 'm', cols: 'n', time: 'k', preload: false },
  ws: { rows: 'k', cols: 'n', time: 'm', preload: true },
  is: { rows: 'k', cols: 'm', time: 'n', preload: true },
};

export function timeGemm(m: number, k: number, n: number, a: ArrayShape, compat: Compat = 'none'): GemmTiming {
  const map = DATAFLOW_MAPPING[a.dataflow];
  const dims = { m, k, n };
  const sr = dims[map.rows], sc = dims[map.cols], t = dims[map.time];
  const rowFolds = Math.ceil(sr / a.rows), colFolds = Math.ceil(sc / a.cols);
  const folds = rowFolds * colFolds;
  const cyclesPerFold = t + (map.preload ? 2 * a.rows : a.rows) + a.cols - 2 + (a.macPipelineCycles - 1);
  const elapsed = folds * cyclesPerFold;
  const macs = m * k * n;
  const pes = a.rows * a.cols;
  const mappingEfficiency = (sr * sc) / (folds * pes);
  if (compat === 'scalesim') {
    const reportedFold = map.preload ? t + 2 * a.rows + 2 * a.cols - 3 : cyclesPerFold;
    return {
      macs, spatialRows: sr, spatialCols: sc, temporal: t, rowFolds, colFolds, cyclesPerFold,
      computeCycles: elapsed - 1,
      mappingEfficiency,
      computeUtilization: (mappingEfficiency * t) / reportedFold,
    };
  }
  return {
    macs, spatialRows: sr, spatialCols: sc, temporal: t, rowFolds, colFolds, cyclesPerFold,
    computeCycles: elapsed, mappingEfficiency, computeUtilization: macs / (elapsed * pes),
  };
}

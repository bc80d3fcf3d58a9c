/**
 * The fast timing model of one mapped GEMM on a rows × cols systolic array (docs/cycle-model.md). In: a Mapping
 * (map/) and the MAC pipeline depth d. Out: compute cycles and utilization.
 *   folds = rowFolds · colFolds, processed one after another (column folds outer, row folds inner)
 *   cycles per fold = preload + T + rows + cols − 2 + (d − 1)   (preload = rows for ws/is, 0 for os)
 * This counts the cycles that elapse; SCALE-Sim's reported figures are compat/scalesim/timing.ts.
 * Pure arithmetic: no allocation on the hot path.
 */
import { type Cycles, cycles } from '../base/units.js';
import { type ArrayShape, type Mapping, mapGemm } from '../map/mapping.js';

export type { ArrayShape } from '../map/mapping.js';

/** The mapping's shape figures (folds, dims, mapping efficiency) and the cycles they take. */
export interface GemmTiming extends Pick<Mapping, 'macs' | 'spatialRows' | 'spatialCols' | 'temporal' | 'rowFolds' | 'colFolds' | 'mappingEfficiency'> {
  readonly cyclesPerFold: Cycles;
  readonly computeCycles: Cycles;
  /** MACs / (computeCycles·rows·cols) — SCALE-Sim's own definition in compat mode. */
  readonly computeUtilization: number;
  /** PE-cycles of the PEs given work, when the fold rule (Sr·Sc PEs for a whole fold) does not say it (row stationary). */
  readonly mappedPeCycles?: number;
}

/** Cycles one fold lasts, from its first preload cycle to its last MAC retiring. */
export function cyclesPerFold(mp: Mapping, a: ArrayShape): Cycles {
  return cycles(mp.preloadCycles + mp.temporal + a.rows + a.cols - 2 + (a.macPipelineCycles - 1));
}

export function timeMapping(mp: Mapping, a: ArrayShape): GemmTiming {
  // Chunks (a mapper's choice): every fold runs once per chunk, each paying the fold's fixed cycles, and the chunks
  // stream the temporal dim between them once: folds · (chunks · (preload + rows + cols − 2 + d − 1) + T).
  const perFold = mp.chunks === 1 ? cyclesPerFold(mp, a) : cycles((mp.chunks * (cyclesPerFold(mp, a) - mp.temporal) + mp.temporal));
  const elapsed = cycles(mp.folds * perFold);
  return {
    macs: mp.macs, spatialRows: mp.spatialRows, spatialCols: mp.spatialCols, temporal: mp.temporal,
    rowFolds: mp.rowFolds, colFolds: mp.colFolds, cyclesPerFold: perFold, computeCycles: elapsed,
    mappingEfficiency: mp.mappingEfficiency, computeUtilization: mp.macs / (elapsed * a.rows * a.cols),
  };
}

/** mapGemm then timeMapping: the elapsed cycles of C[m×n] = A[m×k]·B[k×n]. */
export function timeGemm(m: number, k: number, n: number, a: ArrayShape): GemmTiming {
  return timeMapping(mapGemm(m, k, n, a), a);
}

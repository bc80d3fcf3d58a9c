/**
 * SCALE-Sim v2's reported timing of one mapped GEMM: total cycles one less than the cycles that elapse (it prints the
 * 0-based index of the last cycle; its issue #125) and, for dataflows that preload, a compute-utilization denominator
 * of T + 2·rows + 2·cols − 3 per fold (cols − 1 longer than the fold). In: a Mapping and the array. Pure arithmetic.
 */
import { cycles } from '../../base/units.js';
import type { ArrayShape, Mapping } from '../../map/mapping.js';
import { type GemmTiming, timeMapping } from '../../timing/gemm-timing.js';

export function scalesimTiming(mp: Mapping, a: ArrayShape): GemmTiming {
  const t = timeMapping(mp, a);
  const reportedFold = mp.strategy.preload ? mp.temporal + 2 * a.rows + 2 * a.cols - 3 : t.cyclesPerFold;
  return { ...t, computeCycles: cycles(t.computeCycles - 1), computeUtilization: (mp.mappingEfficiency * mp.temporal) / reportedFold };
}

/**
 * Mapping Efficiency % and Compute Util % as SCALE-Sim prints them: per fold (column folds outer, row folds inner)
 * mapped PEs ÷ PEs and mapped PEs · T ÷ (PEs · its fold length), summed in that order and divided by the folds,
 * then × 100 — the same floating-point operations, so the same last digits.
 */
export function scalesimFoldAverages(mp: Mapping, a: ArrayShape): { mappingEfficiencyPct: number; computeUtilPct: number } {
  const pes = a.rows * a.cols, T = mp.temporal;
  const foldLength = mp.strategy.preload ? T + 2 * a.rows + 2 * a.cols - 3 : timeMapping(mp, a).cyclesPerFold;
  let mapping = 0, util = 0, folds = 0;
  for (let fc = 0; fc < mp.colFolds; fc++) {
    const cols = Math.min(a.cols, mp.spatialCols - fc * a.cols);
    for (let fr = 0; fr < mp.rowFolds; fr++, folds++) {
      const used = Math.min(a.rows, mp.spatialRows - fr * a.rows) * cols;
      mapping += used / pes;
      util += (used * T) / (pes * foldLength);
    }
  }
  return { mappingEfficiencyPct: (mapping / folds) * 100, computeUtilPct: (util / folds) * 100 };
}

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

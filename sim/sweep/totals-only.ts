/**
 * The sweep's totals-only evaluation: a record needs the run totals only, so points that share (model, mode, base
 * config, array, dataflow, precision) share one totals plan (run/totals-plan.ts: GEMM timings and the action counts
 * and energies that do not move), and each point evaluates it at its SRAM sizes, DRAM bandwidth and mode, and clock
 * (run/totals-at.ts: the memory model per GEMM shape and a pricing dot product). What the SRAM sizes and clock set
 * (the memory model's traffic, the unit prices and area, which need CACTI look-ups, each entry's energy before
 * leakage: totals-at.ts `sramStage`) is kept per (plan, SRAM sizes, clock): bandwidths share it, and a point adds
 * only its stalls and leakage (`totalsAtStage`).
 *
 * Fallbacks to the full path (`simulateGraph`, what `simulate` runs), which then gives the line or the error:
 *   - any error while planning or evaluating a point (a count beyond 2^53, a missing energy-table entry…): the full
 *     path raises the error `simulate` would, with its message;
 *   - `evaluation: 'full'` (SweepOptions; SYSTOLAB_SWEEP_EVALUATION=full from the CLI), to time or cross-check the two.
 * The sweep runs the default cost model only (no `--compat`), which the plan covers in full: vector ops, merged conv
 * groups and training spills included. The full path's USER-mode roofline check (run/totals.ts `checkRoofline`) catches
 * cost-model bugs, not bad input; test/sweep/totals-only.test.ts compares the two paths instead.
 */
import type { HwConfig } from '../arch/types.js';
import type { LoweredProgram } from '../lower/types.js';
import type { Machine } from '../run/energy-context.js';
import { type HwPoint, type PointTotals, type SramStage, sramStage, totalsAtStage } from '../run/totals-at.js';
import { type TotalsPlan, VectorEntries, planTotals } from '../run/totals-plan.js';
import { PARAM_KEYS, type Point, type PointParams } from './spec.js';

export const EVALUATIONS = ['totals-only', 'full'] as const;
export type Evaluation = (typeof EVALUATIONS)[number];

/** The parameters a point may vary within one plan (run/totals-at.ts HwPoint). */
const POINT_KEYS: ReadonlySet<keyof PointParams> = new Set(['ifmapKib', 'filterKib', 'ofmapKib', 'dramBytesPerCycle', 'bandwidthMode', 'clockMhz']);
const PLAN_KEYS = PARAM_KEYS.filter((k) => !POINT_KEYS.has(k));

/** The points that share a plan share this key: every parameter but the ones a point varies. */
export const planKey = (p: PointParams): string => PLAN_KEYS.map((k) => String(p[k])).join('\u0000');

/**
 * The points in evaluation order: grouped by plan (groups in order of first appearance, the given order within each).
 * A plan evaluated while it is in the CPU's caches: a 20,000-point sweep's 400 plans, alternating point by point in
 * canonical order, made the evaluation three times slower.
 */
export function groupedByPlan<T extends { readonly params: PointParams }>(points: readonly T[]): T[] {
  const groups = new Map<string, T[]>();
  for (const p of points) {
    const key = planKey(p.params);
    const g = groups.get(key);
    if (g) g.push(p);
    else groups.set(key, [p]);
  }
  return [...groups.values()].flat();
}

const hwPointOf = (hw: HwConfig): HwPoint => ({
  ifmapKib: hw.sram.ifmapKib, filterKib: hw.sram.filterKib, ofmapKib: hw.sram.ofmapKib,
  dramBytesPerCycle: hw.dram.bytesPerCycle, bandwidthMode: hw.dram.bandwidthMode, clockHz: hw.clockHz,
});

/** Plans and SRAM stages of one sweep's points, cached as they are first needed. */
export class TotalsOnly {
  private readonly plans = new Map<string, TotalsPlan>();
  private readonly stages = new Map<TotalsPlan, Map<string, SramStage>>();
  private readonly vectors = new VectorEntries();

  /**
   * The point's totals (`machine`: its hardware and energy table; `program`: its model lowered for its mode), or
   * undefined when the fast path cannot give them (the caller runs the full path).
   */
  totals(point: Point, machine: Machine, program: LoweredProgram): PointTotals | undefined {
    // Row stationary has no GEMM fold plan to share: its points take the full path.
    if (machine.hw.array.dataflow === 'rs') return undefined;
    try {
      const key = planKey(point.params);
      let plan = this.plans.get(key);
      if (!plan) this.plans.set(key, (plan = planTotals(program, machine, point.params.mode, this.vectors)));
      const at = hwPointOf(machine.hw);
      let byStage = this.stages.get(plan);
      if (!byStage) this.stages.set(plan, (byStage = new Map()));
      const stageKey = `${at.ifmapKib}/${at.filterKib}/${at.ofmapKib}/${at.clockHz}`;
      let stage = byStage.get(stageKey);
      if (!stage) byStage.set(stageKey, (stage = sramStage(plan, at)));
      return totalsAtStage(stage, at);
    } catch {
      return undefined;
    }
  }
}

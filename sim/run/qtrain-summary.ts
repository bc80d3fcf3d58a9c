/** Quantized training: the per-layer step diagnostics summarized, and the `simulate` command that times the run. */
import type { LayerStepDiag } from '../fixed/qtrain.js';
import type { QTrainRun } from './qtrain-run.js';

export interface LayerSummary {
  readonly layer: string;
  readonly meanGradUnderflow: number;
  readonly maxGradUnderflow: number;
  readonly meanErrorUnderflow: number;
  readonly saturated: number;
  readonly accumulatorOverflows: number;
  readonly meanGradSqnrDb: number | null;
  readonly minGradSqnrDb: number | null;
  readonly meanUpdateLost: number;
  readonly meanUpdatesStalled: number;
}

/** Per-layer means/extremes of the step diagnostics over the steps of `epochs` (all when undefined). */
export function summarizeLayers(run: QTrainRun, epoch?: number): LayerSummary[] {
  const by = new Map<string, LayerStepDiag[]>();
  for (const s of run.fixed.steps) {
    if (epoch !== undefined && s.epoch !== epoch) continue;
    for (const l of s.layers) (by.get(l.layer) ?? by.set(l.layer, []).get(l.layer)!).push(l);
  }
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  return [...by.entries()].map(([layer, ds]) => {
    const sq = ds.map((d) => d.gradSqnrDb).filter((v): v is number => v !== null && Number.isFinite(v));
    return {
      layer,
      meanGradUnderflow: mean(ds.map((d) => d.gradUnderflow)), maxGradUnderflow: Math.max(...ds.map((d) => d.gradUnderflow)),
      meanErrorUnderflow: mean(ds.map((d) => d.errorUnderflow)),
      saturated: ds.reduce((a, d) => a + d.saturated, 0), accumulatorOverflows: ds.reduce((a, d) => a + d.accumulatorOverflows, 0),
      meanGradSqnrDb: sq.length ? mean(sq) : null, minGradSqnrDb: sq.length ? Math.min(...sq) : null,
      meanUpdateLost: mean(ds.map((d) => d.updateLost)), meanUpdatesStalled: mean(ds.map((d) => d.updatesStalled)),
    };
  });
}

export function simulateCommandFor(run: QTrainRun, model: string, batch: number): string {
  return `systolab simulate --model ${model} --mode training --precision ${run.simulatePrecision} --batch ${batch}`;
}


/**
 * The sweep's worker-thread entry (piscina): a task is a batch of points and the base hardware config; the result is
 * their results.jsonl lines (the main thread alone writes files). Bundled as dist/sweep-worker.mjs.
 */
import type { HwConfig } from '../arch/types.js';
import { Evaluator, type PointError } from './evaluate.js';
import type { Point } from './spec.js';
import type { Evaluation } from './totals-only.js';

export interface SweepTask {
  readonly version: string;
  readonly base: HwConfig;
  readonly points: readonly Point[];
  readonly evaluation: Evaluation;
}
export interface SweepTaskResult {
  readonly lines: string[];
  readonly error?: PointError;
}

let evaluator: Evaluator | undefined;

export default function runTask(task: SweepTask): SweepTaskResult {
  evaluator ??= new Evaluator(task.version, undefined, task.evaluation);
  return evaluator.lines(task.points, task.base);
}

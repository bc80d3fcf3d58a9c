/** `systolab train` as text: a line per epoch, and the closing summary with the final metrics and the files written. */
import { join } from 'node:path';
import type { EpochRecord } from '../float/train.js';
import type { TrainDivergence, TrainOutcome } from '../api/train.js';
import type { TrainRun } from '../run/train-run.js';
import { pct } from './format.js';
import { quantText } from './qtrain-text.js';
import { table } from './run-report.js';

const num = (v: number) => v.toPrecision(6);

export function epochLine(e: EpochRecord): string {
  const part = (name: string, m?: { loss: number; accuracy: number | null }) =>
    m ? `  ${name} loss ${num(m.loss)}${m.accuracy === null ? '' : ` acc ${pct(m.accuracy)}`}` : '';
  return `epoch ${String(e.epoch).padStart(4)}  lr ${num(e.lr)}${part('train', e.train)}${part('val', e.validation)}${part('test', e.test)}`;
}

function finalTable(run: TrainRun): string {
  if (!run.final) return '';
  const final = run.final;
  const rows = (['train', 'validation', 'test'] as const)
    .filter((s) => final[s] !== undefined)
    .map((s) => [s, String(run.sizes[s]), num(final[s]!.loss), pct(final[s]!.accuracy)]);
  return table(['split', 'samples', `loss (${run.loss})`, 'accuracy'], rows, new Set([1, 2, 3]));
}

/** The one stderr line of a diverged run (the CLI exits 1 after it). */
export function divergedLine(d: TrainDivergence): string {
  return `train: diverged: ${d.run === 'fixed-point' ? 'the fixed-point run: ' : ''}${d.message}; no model saved, no files written`;
}

/** The summary of a diverged run: where it stopped, why, what was (not) written, and what to try. */
export function divergedText(t: TrainOutcome, o: { lr: number }, outDir: string): string {
  const d = t.diverged!;
  const growth = (t.quantized ? t.quantized.run.float.result : t.float!.result).lossGrowth;
  const firstWarning = d.run === 'fixed-point' ? t.quantized!.run.fixed.warnings.find((w) => w.kind !== 'nan') : undefined;
  const lines = [
    '',
    `Training ${t.graph.name} on ${t.dataset.name} diverged${t.quantized ? ` (the ${d.run} run)` : ''}: ${d.message}.`,
    ...(firstWarning ? [`The fixed-point run warned first, at step ${firstWarning.step}: ${firstWarning.message}.`] : []),
    ...(growth ? [`It was warned about at step ${growth.step}: the loss had grown to ${(growth.loss / growth.firstLoss).toPrecision(3)}× its first value.`] : []),
    `Training stopped at step ${d.step}. No model was saved and nothing was written to ${outDir} (any files there are from an earlier run).`,
    d.run === 'fixed-point'
      ? 'The float run did not diverge: try a lower --loss-scale, a wider --error-format/--gradient-format or --master-format; systolab train --format json prints the steps and warnings up to the failure.'
      : `Try a lower --lr (this run: ${o.lr}), --optimizer adam, or standardized features; systolab train --format json prints the steps up to the failure.`,
  ];
  return `${lines.join('\n')}\n`;
}

/** The summary after training: what ran, the final metrics (float) or both curves (quantized), the files written. */
export function trainText(t: TrainOutcome, o: { lr: number; batch: number; earlyStopPatience?: number; model?: string }, outDir: string): string {
  const { graph, dataset, optimizer } = t;
  if (t.quantized) {
    const { run, options } = t.quantized;
    const head = `Trained ${graph.name} on ${dataset.name}, loss ${run.float.loss}, ${optimizer} lr ${o.lr}, ${run.float.result.steps.length} steps of batch ${o.batch}, twice.`;
    return quantText(run, options, [head, ...t.defaults].join('\n'), o.model ?? graph.name, o.batch, outDir);
  }
  const run = t.float!;
  const { result } = run;
  const lines = [
    '',
    `Trained ${graph.name} on ${dataset.name} (${dataset.task}), loss ${run.loss}, ${optimizer} lr ${o.lr}, ${result.steps.length} steps of batch ${o.batch}.`,
    ...(run.dtype === 'float32'
      ? ['Engine: float32 (--dtype float32): float32 parameters, activations and GEMM kernel; not bit-compatible with the float64 reference or PyTorch float64 (docs/performance.md).']
      : []),
    ...t.defaults,
    ...run.notes.map((n) => `note: ${n}`),
    ...(result.earlyStop
      ? [result.earlyStop.stoppedAtEpoch !== null
        ? `Early stopping: no lower validation loss for ${o.earlyStopPatience} epochs, stopped after epoch ${result.earlyStop.stoppedAtEpoch}; restored the weights of epoch ${result.earlyStop.bestEpoch} (validation loss ${num(result.earlyStop.bestValidationLoss)}).`
        : `Early stopping did not trigger; restored the weights of the best epoch ${result.earlyStop.bestEpoch}.`]
      : []),
    '',
    `Final metrics of the saved model${result.earlyStop ? ' (the restored best weights)' : ''}:`,
    finalTable(run),
    '',
    `Wrote ${join(outDir, 'history.json')} (every step and epoch), ${join(outDir, 'model.json')} (the trained model: systolab check --model ${join(outDir, 'model.json')}) and ${join(outDir, 'training.json')} (its data and split, which check reuses).`,
  ];
  return `${lines.join('\n')}\n`;
}

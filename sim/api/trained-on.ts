/**
 * training.json: what `train` writes beside model.json so that `check --model DIR/model.json` scores the model on
 * the data it was trained on, split the same way (dataset spec, CSV label and task, seed, validation and test
 * fractions). Plain data; the CLI writes it and api/check.ts reads it.
 */
import { SimError } from '../base/errors.js';
import { parseJsonText } from '../base/documents.js';
import type { ParsedCsv } from '../datasets/csv.js';
import type { Task } from '../datasets/types.js';
import type { LossKind } from '../float/losses.js';

export const TRAINED_ON_FILE = 'training.json';
/** The trained model `train` writes into its output folder. */
export const TRAINED_MODEL_FILE = 'model.json';

export interface TrainedOn {
  readonly schemaVersion: 1;
  /** The model file it describes (its name in the same folder). */
  readonly model: string;
  /** The dataset spec as `train --dataset` was given it (NAME:key=value… or FILE.csv). */
  readonly dataset: string;
  readonly label?: string;
  readonly task: Task;
  readonly seed: number;
  readonly valSplit: number;
  readonly testSplit: number;
}

const TASKS: readonly Task[] = ['binary', 'multiclass', 'regression'];

export function parseTrainedOn(text: string, file: string): TrainedOn {
  // parseJsonText names the line and column of a syntax error; V8's message would quote the file.
  const doc = (parseJsonText(text, file) ?? {}) as Partial<TrainedOn>;
  const bad = (field: string, want: string): never => {
    throw new SimError(`must be ${want}`, { code: 'badValue', file, path: field, value: (doc as Record<string, unknown>)[field] });
  };
  if (doc.schemaVersion !== 1) bad('schemaVersion', '1');
  if (typeof doc.model !== 'string') bad('model', 'a file name');
  if (typeof doc.dataset !== 'string') bad('dataset', 'a dataset spec');
  if (doc.label !== undefined && typeof doc.label !== 'string') bad('label', 'a column name');
  if (!TASKS.includes(doc.task as Task)) bad('task', TASKS.join(' | '));
  if (!Number.isInteger(doc.seed)) bad('seed', 'an integer');
  for (const k of ['valSplit', 'testSplit'] as const) if (!(typeof doc[k] === 'number' && doc[k] >= 0 && doc[k] < 1)) bad(k, 'a fraction in [0, 1)');
  return doc as TrainedOn;
}

/** The CSV's task: from the loss when given, else from its labels and the model's output width. */
export function csvTask(csv: ParsedCsv, loss: LossKind | undefined, outWidth: number): Task {
  if (loss) return loss === 'softmax-ce' ? 'multiclass' : loss === 'mse' ? 'regression' : 'binary';
  if (csv.label.kind === 'strings' || outWidth > 1) return 'multiclass';
  return csv.label.distinct.every((v) => v === 0 || v === 1) ? 'binary' : 'regression';
}

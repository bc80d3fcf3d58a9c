/**
 * `check` as a library call: the request names what the CLI's flags name, with the same defaults, and the result is
 * what `systolab check --format json` prints: one NumericsReport per precision (`checkPrecisions`), or the one
 * report of a single precision (`check`).
 */
import { dirname, join } from 'node:path';
import { SimError } from '../base/errors.js';
import { readTextFile } from '../base/files.js';
import { csvToDataset } from '../datasets/csv.js';
import type { Dataset } from '../datasets/types.js';
import { parseFormat } from '../fixed/format.js';
import type { OverflowRule, Rounding } from '../fixed/rounding.js';
import type { LayerGraph } from '../ir/types.js';
import { loadDataset } from '../load/datasets/registry.js';
import { loadHwConfig } from '../load/hw.js';
import { PACKAGE_ROOT, loadAnyModel, resolveModel } from '../load/model.js';
import { type NumericsReport, runChecks } from '../run/check.js';
import { DEFAULT_PASS_RULE } from '../run/check-rule.js';
import { DEFAULT_HW } from './simulate.js';
import { TRAINED_ON_FILE, type TrainedOn, csvTask, parseTrainedOn } from './trained-on.js';

export const DEFAULT_CHECK_MODEL = 'models/trained/lenet-digits.json';
export const DEFAULT_CHECK_TEST_SPLIT = 0.2;

export interface CheckOptions {
  /** A model file or built-in name [default: models/trained/lenet-digits.json]. */
  readonly model?: string;
  /** The hardware whose numerics (and array) run the check [default: scalesim-32x32]. */
  readonly hw?: string;
  /** Number format, or several comma-separated (int8,int6,int4) [default: the config's numerics.input]. */
  readonly precision?: string;
  readonly rounding?: Rounding;
  readonly overflow?: OverflowRule;
  readonly accumulatorBits?: number;
  /** `iris`, `digits:n=…` or a CSV file [default: the one `train` recorded in training.json beside the model, else the course model's, else random inputs]. */
  readonly dataset?: string;
  /** CSV: the label column [default: the recorded one, else the last]. */
  readonly label?: string;
  /** The fractions and seed `train` used [default: the recorded ones, else val 0, test 0.2 and the model's seed]. */
  readonly valSplit?: number;
  readonly testSplit?: number;
  readonly seed?: number;
  /** Without a dataset: random inputs to score [default: ≤ 32, fewer for big models]. */
  readonly randomSamples?: number;
  /** `max` or `percentile:P` [default max]. */
  readonly calibration?: string;
  /** [default 500] */
  readonly calibrationSamples?: number;
  /** Pass rule [defaults: DEFAULT_PASS_RULE]; a threshold left undefined takes its default, null turns it off. */
  readonly maxAccuracyDrop?: number | null;
  readonly maxErrorIncrease?: number | null;
  readonly maxSqnrDrop?: number | null;
  readonly minAgreement?: number | null;
  /** [default fast] */
  readonly engine?: 'fast' | 'array';
}

/** What `train` recorded beside a model file (training.json), if anything. */
function recordedTraining(modelFile: string): TrainedOn | undefined {
  const file = join(dirname(modelFile), TRAINED_ON_FILE);
  let text: string;
  try {
    text = readTextFile(file);
  } catch (e) {
    if (e instanceof SimError && e.code === 'missingFile') return undefined;
    throw e;
  }
  const rec = parseTrainedOn(text, file);
  return rec.model === modelFile.replace(/^.*[\\/]/, '') ? rec : undefined;
}

/** Default dataset of the shipped course models (trained before training.json existed). */
function courseDataset(modelFile: string): string | undefined {
  const model = modelFile.replace(/^.*[\\/]/, '');
  if (/iris/.test(model)) return 'iris';
  if (/lenet|digits/.test(model)) return 'digits:n=1000';
  return undefined;
}

function parseCalibration(spec: string): { method: 'max' } | { method: 'percentile'; percentile: number } {
  if (spec === 'max') return { method: 'max' };
  const m = /^percentile:(\d+(?:\.\d+)?)$/.exec(spec);
  const p = m ? Number(m[1]) : NaN;
  if (!(p > 50 && p <= 100)) {
    throw new SimError('must be max or percentile:P with 50 < P ≤ 100', { code: 'badValue', path: '--calibration', value: spec, hint: 'Example: --calibration percentile:99.99' });
  }
  return { method: 'percentile', percentile: p };
}

function loadCheckDataset(spec: string, label: string | undefined, graph: LayerGraph, recorded?: TrainedOn): Dataset {
  const full = label !== undefined && spec.toLowerCase().endsWith('.csv') ? `${spec}:label=${label}` : spec;
  const loaded = loadDataset(full, readTextFile);
  if (loaded.kind === 'dataset') return loaded.dataset;
  const out = graph.shapes[graph.output];
  return csvToDataset(loaded.csv, recorded?.task ?? csvTask(loaded.csv, undefined, out[out.length - 1]));
}

const inRange = (flag: string, lo: number, hi: number, v: number | null | undefined, hiOpen = false) => {
  if (v === undefined || v === null) return;
  if (!(v >= lo && (hiOpen ? v < hi : v <= hi))) {
    throw new SimError(`must be a number in [${lo}, ${hi}${hiOpen ? ')' : ']'}`, { code: 'badValue', path: flag, value: v });
  }
};

export function checkPrecisions(o: CheckOptions = {}): NumericsReport[] {
  const modelSpec = resolveModel(o.model ?? join(PACKAGE_ROOT, DEFAULT_CHECK_MODEL));
  const graph = loadAnyModel(modelSpec);
  const hw = loadHwConfig(o.hw ?? DEFAULT_HW);
  const precisions = (o.precision ?? hw.numerics.input).split(',').map((p) => p.trim());
  for (const p of precisions) parseFormat(p);   // a bad name fails here, before any work
  if (new Set(precisions).size !== precisions.length) throw new SimError('names a precision twice', { code: 'badValue', path: '--precision', value: o.precision });
  inRange('--min-agreement', 0, 1, o.minAgreement);
  inRange('--max-accuracy-drop', 0, 100, o.maxAccuracyDrop);
  inRange('--max-error-increase', 0, 100, o.maxErrorIncrease);
  inRange('--val-split', 0, 1, o.valSplit, true);
  inRange('--test-split', 0, 1, o.testSplit, true);
  if (o.randomSamples !== undefined && !(Number.isInteger(o.randomSamples) && o.randomSamples >= 1)) {
    throw new SimError('must be an integer ≥ 1', { code: 'badValue', path: '--random-samples', value: o.randomSamples });
  }
  const recorded = o.dataset === undefined ? recordedTraining(modelSpec) : undefined;
  const dsSpec = o.dataset ?? recorded?.dataset ?? courseDataset(modelSpec);
  const dataset = dsSpec === undefined ? undefined : loadCheckDataset(dsSpec, o.label ?? recorded?.label, graph, recorded);
  if (dataset === undefined && (o.testSplit !== undefined || o.valSplit !== undefined)) {
    throw new SimError('needs a dataset to split', { code: 'badValue', path: o.testSplit !== undefined ? '--test-split' : '--val-split', hint: 'Give --dataset NAME|FILE.csv.' });
  }
  if (dataset !== undefined && o.randomSamples !== undefined) {
    throw new SimError('only applies without a dataset (random inputs)', { code: 'badValue', path: '--random-samples', value: o.randomSamples });
  }
  const rule = (v: number | null | undefined, d: number | null) => (v === undefined ? d : v);
  return runChecks({
    graph, dataset, hw, rounding: o.rounding, overflow: o.overflow, accumulatorBits: o.accumulatorBits,
    calibration: parseCalibration(o.calibration ?? 'max'), calibrationSamples: o.calibrationSamples ?? 500,
    valSplit: o.valSplit ?? recorded?.valSplit ?? 0, testSplit: o.testSplit ?? recorded?.testSplit ?? DEFAULT_CHECK_TEST_SPLIT,
    seed: o.seed ?? recorded?.seed, randomSamples: o.randomSamples, engine: o.engine ?? 'fast',
    rule: {
      maxAccuracyDropPp: rule(o.maxAccuracyDrop, DEFAULT_PASS_RULE.maxAccuracyDropPp), maxErrorIncreasePp: rule(o.maxErrorIncrease, DEFAULT_PASS_RULE.maxErrorIncreasePp),
      minAgreement: rule(o.minAgreement, DEFAULT_PASS_RULE.minAgreement), maxSqnrDropDb: rule(o.maxSqnrDrop, DEFAULT_PASS_RULE.maxSqnrDropDb),
    },
  }, precisions);
}

/** `check` of one precision: what `systolab check --format json` prints for it. */
export function check(o: CheckOptions = {}): NumericsReport {
  const reports = checkPrecisions(o);
  if (reports.length !== 1) throw new SimError('names several precisions: use checkPrecisions', { code: 'badValue', path: '--precision', value: o.precision });
  return reports[0];
}

/**
 * `check` as a library call: the request names what the CLI's flags name, with the same defaults, and the result is
 * the NumericsReport `systolab check --format json` prints.
 */
import { SimError } from '../base/errors.js';
import { readTextFile } from '../base/files.js';
import { csvToDataset } from '../datasets/csv.js';
import { parseFormat } from '../fixed/format.js';
import type { OverflowRule, Rounding } from '../fixed/rounding.js';
import { loadDataset } from '../load/datasets/registry.js';
import { loadHwConfig } from '../load/hw.js';
import { loadAnyModel, resolveModel } from '../load/model.js';
import { type NumericsReport, runCheck } from '../run/check.js';
import { DEFAULT_HW } from './simulate.js';

export const DEFAULT_CHECK_MODEL = 'models/trained/lenet-digits.json';

export interface CheckOptions {
  /** A model file or built-in name [default: models/trained/lenet-digits.json]. */
  readonly model?: string;
  /** The hardware whose numerics (and array) run the check [default: scalesim-32x32]. */
  readonly hw?: string;
  /** Number format [default: the config's numerics.input]. */
  readonly precision?: string;
  readonly rounding?: Rounding;
  readonly overflow?: OverflowRule;
  readonly accumulatorBits?: number;
  /** `iris`, `digits:n=…` or a CSV file [default: the course model's dataset]. */
  readonly dataset?: string;
  /** CSV: the label column [default: the last]. */
  readonly label?: string;
  /** The test fraction `train` used [default 0.2]. */
  readonly testSplit?: number;
  readonly seed?: number;
  /** `max` or `percentile:P` [default max]. */
  readonly calibration?: string;
  /** [default 500] */
  readonly calibrationSamples?: number;
  readonly maxSqnrDrop?: number;
  readonly minAgreement?: number;
  /** [default fast] */
  readonly engine?: 'fast' | 'array';
}

/** Default dataset of the course models. */
function defaultDataset(model: string): string {
  if (/iris/.test(model)) return 'iris';
  if (/lenet|digits/.test(model)) return 'digits:n=1000';
  throw new SimError('has no default dataset', { code: 'badValue', path: '--dataset', value: model, hint: 'Give one, e.g. --dataset digits:n=1000 or --dataset data.csv --label y.' });
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

export function check(o: CheckOptions = {}): NumericsReport {
  const modelSpec = o.model ?? DEFAULT_CHECK_MODEL;
  const graph = loadAnyModel(resolveModel(modelSpec));
  const hw = loadHwConfig(o.hw ?? DEFAULT_HW);
  const precision = o.precision ?? hw.numerics.input;
  parseFormat(precision);   // a bad name fails here, before any work
  const dsSpec = o.dataset ?? defaultDataset(modelSpec);
  const spec = o.label !== undefined && dsSpec.toLowerCase().endsWith('.csv') ? `${dsSpec}:label=${o.label}` : dsSpec;
  const loaded = loadDataset(spec, readTextFile);
  const dataset = loaded.kind === 'dataset' ? loaded.dataset : csvToDataset(loaded.csv, 'multiclass');
  if (o.minAgreement !== undefined && !(o.minAgreement >= 0 && o.minAgreement <= 1)) {
    throw new SimError('must be a fraction in [0, 1]', { code: 'badValue', path: '--min-agreement', value: o.minAgreement });
  }
  const testSplit = o.testSplit ?? 0.2;
  if (!(testSplit >= 0 && testSplit < 1)) throw new SimError('must be a fraction in [0, 1)', { code: 'badValue', path: '--test-split', value: testSplit });
  return runCheck({
    graph, dataset, hw, precision, rounding: o.rounding, overflow: o.overflow, accumulatorBits: o.accumulatorBits,
    calibration: parseCalibration(o.calibration ?? 'max'), calibrationSamples: o.calibrationSamples ?? 500, testSplit,
    seed: o.seed, maxSqnrDropDb: o.maxSqnrDrop, minAgreement: o.minAgreement, engine: o.engine ?? 'fast',
  });
}

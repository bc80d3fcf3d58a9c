/**
 * Every dataset by name, with its parameters, and the parser of the `--data` spec the CLI accepts:
 *   NAME                          e.g. spiral
 *   NAME:key=value[:key=value…]   e.g. spiral:n=300:noise=0.2:seed=4   (colons, never commas: specs sit in lists)
 *   PATH.csv[:label=COLUMN]       the user's own data, returned parsed for the caller to finish with csvToDataset
 */
import { SimError } from '../../base/errors.js';
import { parseCsv, toNumber, type ParsedCsv } from '../../datasets/csv.js';
import { circle, gaussians, house, passFail, spiral, xor, type GeneratorOptions } from '../../datasets/generators.js';
import { digits, iris } from './real.js';
import type { Dataset } from '../../datasets/types.js';

export interface ParamSpec {
  readonly name: string;
  readonly default: number;
  readonly meaning: string;
  /** Whether the value must be an integer; every parameter is ≥ min. */
  readonly integer: boolean;
  readonly min: number;
}

export interface DatasetEntry {
  readonly description: string;
  readonly params: readonly ParamSpec[];
  /** Missing parameters take their defaults. */
  make(params: Readonly<Record<string, number>>): Dataset;
}

const SEED: ParamSpec = { name: 'seed', default: 0, meaning: 'random seed: same seed, same data', integer: true, min: 0 };
const n = (d: number): ParamSpec => ({ name: 'n', default: d, meaning: 'number of samples', integer: true, min: 1 });
const noise = (d: number, meaning: string): ParamSpec => ({ name: 'noise', default: d, meaning, integer: false, min: 0 });

const PLAYGROUND_LABEL_NOISE = 'labels decided at the point moved by U(−5,5)·noise per axis (Playground 0–50 % = 0–0.5)';

function generator(description: string, params: readonly ParamSpec[], gen: (o: GeneratorOptions) => Dataset): DatasetEntry {
  return { description, params, make: (p) => gen({ n: p.n, noise: p.noise, seed: p.seed }) };
}

export const DATASETS = {
  house: generator('House price vs size, linear regression (price = 1.5·size + 0.5 + noise).', [
    n(200), noise(0.05, 'standard deviation of the price noise ($100k)'), SEED,
  ], house),
  'pass-fail': generator('Pass/fail from lectures attended and project hours; linearly separable with a margin at noise 0.', [
    n(100), noise(0, 'labels decided at the point moved by U(±half range)·noise per feature'), SEED,
  ], passFail),
  circle: generator('TensorFlow Playground circle: a disc (1) inside a ring (0).', [n(500), noise(0, PLAYGROUND_LABEL_NOISE), SEED], circle),
  xor: generator('TensorFlow Playground XOR: label 1 iff x·y ≥ 0.', [n(500), noise(0, PLAYGROUND_LABEL_NOISE), SEED], xor),
  gaussians: generator('TensorFlow Playground: two Gaussian blobs at (2, 2) (1) and (−2, −2) (0).', [
    n(500), noise(0, 'spread: variance 0.5 + 7·noise per axis'), SEED,
  ], gaussians),
  spiral: generator('TensorFlow Playground: two interleaved spiral arms.', [
    n(500), noise(0, 'U(−1,1)·noise added to each coordinate'), SEED,
  ], spiral),
  iris: {
    description: 'Fisher’s iris (1936): 150 flowers, 4 measurements, 3 species.',
    params: [],
    make: () => iris(),
  },
  digits: {
    description: 'MNIST handwritten digits, 1×28×28, a seeded class-balanced subset.',
    params: [n(1000), SEED],
    make: (p) => digits({ n: p.n, seed: p.seed }),
  },
} as const satisfies Readonly<Record<string, DatasetEntry>>;

export type DatasetName = keyof typeof DATASETS;
export const DATASET_NAMES = Object.keys(DATASETS) as DatasetName[];

/** A built-in dataset, or a parsed CSV that still needs a task (csvToDataset). */
export type LoadedData =
  | { readonly kind: 'dataset'; readonly dataset: Dataset }
  | { readonly kind: 'csv'; readonly csv: ParsedCsv };

const EXAMPLE = 'Example: spiral:n=300:noise=0.2:seed=4';

/** `a.csv`, `dir/a.csv:label=species`; the path may itself hold colons (C:\data\a.csv). */
const CSV_SPEC = /^(.+?\.csv)((?::[^:]*)*)$/i;

export function loadDataset(spec: string, readText: (file: string) => string): LoadedData {
  const csv = CSV_SPEC.exec(spec);
  if (csv) {
    const [, file, rest] = csv;
    const pairs = keyValues(file, rest.split(':').slice(1), ['label']);
    let text: string;
    try {
      text = readText(file);
    } catch (e) {
      if (e instanceof SimError) throw e.inFile(file);
      throw new SimError('cannot be read', { code: 'missingFile', file, hint: e instanceof Error ? e.message : String(e) });
    }
    return { kind: 'csv', csv: parseCsv(text, file, { label: pairs.get('label') }) };
  }
  return { kind: 'dataset', dataset: loadNamedDataset(spec) };
}

/** A built-in dataset from `NAME` or `NAME:key=value:…` (no files involved). */
export function loadNamedDataset(spec: string): Dataset {
  const [name, ...parts] = spec.split(':');
  if (!Object.hasOwn(DATASETS, name)) {
    throw new SimError('is not a dataset', {
      code: 'unknownDataset', path: 'dataset', value: name, hint: `Use one of ${DATASET_NAMES.join(', ')}, or a .csv file.`,
    });
  }
  const entry: DatasetEntry = DATASETS[name as DatasetName];
  const allowed = entry.params.map((p) => p.name);
  const values: Record<string, number> = {};
  for (const [key, text] of keyValues(name, parts, allowed)) {
    const p = entry.params.find((q) => q.name === key)!;
    const v = toNumber(text);
    const kind = p.integer ? `an integer ≥ ${p.min}` : `a number ≥ ${p.min}`;
    if (v === undefined || v < p.min || (p.integer && !Number.isInteger(v))) {
      throw new SimError(`must be ${kind} (${p.meaning})`, {
        code: 'badValue', path: `${name}:${key}`, value: text, hint: `Parameters of ${name}: ${describeParams(entry)}.`,
      });
    }
    values[key] = v;
  }
  return entry.make(values);
}

/** Splits `key=value` parts, rejecting unknown and repeated keys; `owner` is the dataset name or CSV path. */
function keyValues(owner: string, parts: readonly string[], allowed: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const hint = allowed.length === 0 ? `${owner} takes no parameters.` : `Allowed: ${allowed.join(', ')}. ${EXAMPLE}`;
  for (const part of parts) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    if (!allowed.includes(key)) {
      throw new SimError(`is not a parameter of ${owner}`, { code: 'unknownField', path: `${owner}:${key}`, value: part, hint });
    }
    if (eq < 0 || value === '') {
      throw new SimError('needs a value, as key=value', { code: 'badValue', path: `${owner}:${key}`, value: part, hint });
    }
    if (out.has(key)) throw new SimError('is given twice', { code: 'badValue', path: `${owner}:${key}`, value: part, hint });
    out.set(key, value);
  }
  return out;
}

/** `n (default 500): number of samples; noise (default 0): ...` — for --help and error hints. */
export function describeParams(entry: DatasetEntry): string {
  return entry.params.length === 0 ? 'none' : entry.params.map((p) => `${p.name} (default ${p.default}): ${p.meaning}`).join('; ');
}

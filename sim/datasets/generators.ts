/**
 * Seeded synthetic datasets: the intro-to-DNN course's two worked examples (house prices, pass/fail) and the four
 * classification sets of the TensorFlow Playground (Smilkov & Carter, playground.tensorflow.org, src/dataset.ts),
 * reimplemented from their rules with labels 0/1 instead of −1/+1 and our seeded Rng instead of Math.random().
 *
 * Every generator draws its random numbers in a fixed order, so the same { n, noise, seed } gives identical data.
 * Where the Playground draws noise, we draw it even at noise 0 (as it does): changing only `noise` keeps every point
 * where it was and changes only what the noise touches.
 */
import { type At, fail, integer, number } from '../base/fields.js';
import { cos, sin } from '../float/fdlibm.js';
import { createRng, type Rng } from '../float/rng.js';
import type { Dataset } from './types.js';

export interface GeneratorOptions {
  /** Number of samples. */
  readonly n?: number;
  /** Noise level; what it does is stated per generator (the Playground's slider 0–50 % is noise 0–0.5). */
  readonly noise?: number;
  readonly seed?: number;
}

/** The house-price line the regression should recover: price ($100k) = HOUSE_SLOPE · size (1000 sq ft) + HOUSE_INTERCEPT. */
export const HOUSE_SLOPE = 1.5;
export const HOUSE_INTERCEPT = 0.5;

/**
 * Pass iff LECTURES·lectures + PROJECT_HOURS·projectHours ≥ THRESHOLD (2·lectures + hours ≥ 40: attending all 20
 * lectures, or 40 project hours, each suffices alone). Samples whose clean score lies within MARGIN of the threshold are
 * dropped, so at noise 0 the classes are linearly separable with a gap and a 2-feature MLP can reach 100 %.
 */
export const PASS_FAIL_RULE = { lectures: 2, projectHours: 1, threshold: 40, margin: 4 } as const;

const MAX_N = 1_000_000;

interface Resolved {
  readonly n: number;
  readonly noise: number;
  readonly seed: number;
}

/** Fills in defaults and checks the options (SimError naming e.g. `spiral.n`), so direct callers get the same checks. */
export function resolveOptions(name: string, o: GeneratorOptions, defaults: Resolved): Resolved {
  const at = (key: string): At => ({ path: `${name}.${key}` });
  const n = integer(o.n ?? defaults.n, at('n'), 1);
  if (n > MAX_N) fail(at('n'), `must be at most ${MAX_N}`, n);
  const noise = number(o.noise ?? defaults.noise, at('noise'));
  if (noise < 0) fail(at('noise'), 'must be ≥ 0', noise);
  const seed = integer(o.seed ?? defaults.seed, at('seed'), 0);
  return { n, noise, seed };
}

const uniform = (rng: Rng, a: number, b: number): number => a + (b - a) * rng.uniform();

// ---------------------------------------------------------------------------------------------------------------
// The course's examples
// ---------------------------------------------------------------------------------------------------------------

/** House price vs size, for linear regression: size ~ U[0.5, 3.5] (1000 sq ft), price = 1.5·size + 0.5 + N(0, noise²). */
export function house(options: GeneratorOptions = {}): Dataset {
  const { n, noise, seed } = resolveOptions('house', options, { n: 200, noise: 0.05, seed: 0 });
  const rng = createRng(seed);
  const size = new Float64Array(n);
  const price = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    size[i] = uniform(rng, 0.5, 3.5);
    price[i] = HOUSE_SLOPE * size[i] + HOUSE_INTERCEPT + noise * rng.normal();
  }
  return {
    name: 'house',
    task: 'regression',
    features: { shape: [n, 1], data: size },
    targets: { shape: [n, 1], data: price },
    featureNames: ['size'],
    description:
      `House price ($100k) vs size (1000 sq ft, uniform 0.5–3.5): price = ${HOUSE_SLOPE}·size + ${HOUSE_INTERCEPT} + ` +
      `N(0, ${noise}²); the intro course's linear-regression example (seeded generator).`,
  };
}

/**
 * "Will I pass this class?": lectures attended (integer 0–20) and hours on the final project (0–40), labelled by
 * PASS_FAIL_RULE. Noise follows the Playground's convention: the label is decided at the point moved by
 * uniform(−½ range, +½ range)·noise per feature (so some students get lucky or unlucky); the stored point is unmoved.
 */
export function passFail(options: GeneratorOptions = {}): Dataset {
  const { n, noise, seed } = resolveOptions('pass-fail', options, { n: 100, noise: 0, seed: 0 });
  const rng = createRng(seed);
  const r = PASS_FAIL_RULE;
  const x = new Float64Array(2 * n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; ) {
    const lectures = Math.floor(rng.uniform() * 21);
    const hours = uniform(rng, 0, 40);
    // Rejection sampling keeps the margin; about 20 % of draws land in the band, so this ends quickly.
    if (Math.abs(r.lectures * lectures + r.projectHours * hours - r.threshold) < r.margin) continue;
    const nl = uniform(rng, -10, 10) * noise;
    const nh = uniform(rng, -20, 20) * noise;
    x[2 * i] = lectures;
    x[2 * i + 1] = hours;
    y[i] = r.lectures * (lectures + nl) + r.projectHours * (hours + nh) >= r.threshold ? 1 : 0;
    i++;
  }
  return {
    name: 'pass-fail',
    task: 'binary',
    features: { shape: [n, 2], data: x },
    targets: { shape: [n, 1], data: y },
    featureNames: ['lectures', 'projectHours'],
    description:
      'Will I pass? lectures attended (0–20) and final-project hours (0–40); pass iff 2·lectures + projectHours ≥ 40, ' +
      `samples within ${r.margin} of the boundary dropped (separable at noise 0); the intro course's classification example.`,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// TensorFlow Playground (src/dataset.ts: classifyCircleData, classifyXORData, classifyTwoGaussData, classifySpiralData)
// ---------------------------------------------------------------------------------------------------------------

const PLAYGROUND = 'TensorFlow Playground (Smilkov & Carter, playground.tensorflow.org, src/dataset.ts)';
const PLAYGROUND_DEFAULTS: Resolved = { n: 500, noise: 0, seed: 0 };

/** Points generated class by class, shuffled with the same Rng (the Playground also shuffles before its train/test split). */
function binary2d(name: string, xs: number[], ys: number[], labels: number[], rng: Rng, description: string): Dataset {
  const n = labels.length;
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const x = new Float64Array(2 * n);
  const y = new Float64Array(n);
  order.forEach((k, i) => {
    x[2 * i] = xs[k];
    x[2 * i + 1] = ys[k];
    y[i] = labels[k];
  });
  return {
    name,
    task: 'binary',
    features: { shape: [n, 2], data: x },
    targets: { shape: [n, 1], data: y },
    featureNames: ['x', 'y'],
    description,
  };
}

/** Half the points (rounded up) with label 1 first, then the rest with label 0. */
const halves = (n: number): [number, number] => [Math.ceil(n / 2), Math.floor(n / 2)];

/**
 * Circle: half the points at radius U[0, 2.5], half at U[3.5, 5], angle U[0, 2π). As in the Playground, the label is
 * 1 iff the point moved by uniform(−5, 5)·noise per axis lies within radius 2.5; the stored point is not moved, so noise
 * flips labels near the boundary rather than blurring positions.
 */
export function circle(options: GeneratorOptions = {}): Dataset {
  const { n, noise, seed } = resolveOptions('circle', options, PLAYGROUND_DEFAULTS);
  const rng = createRng(seed);
  const xs: number[] = [], ys: number[] = [], labels: number[] = [];
  const [inner, outer] = halves(n);
  const add = (count: number, rMin: number, rMax: number): void => {
    for (let i = 0; i < count; i++) {
      const r = uniform(rng, rMin, rMax);
      const angle = uniform(rng, 0, 2 * Math.PI);
      const x = r * sin(angle), y = r * cos(angle);
      const nx = uniform(rng, -5, 5) * noise, ny = uniform(rng, -5, 5) * noise;
      xs.push(x);
      ys.push(y);
      labels.push(Math.hypot(x + nx, y + ny) < 2.5 ? 1 : 0);
    }
  };
  add(inner, 0, 2.5);
  add(outer, 3.5, 5);
  return binary2d('circle', xs, ys, labels, rng,
    `${PLAYGROUND} "circle": label 1 inside radius 2.5 (points r∈[0,2.5]), 0 in the ring r∈[3.5,5]; noise ${noise} ` +
    'flips labels (decided at the point moved by U(−5,5)·noise).');
}

/**
 * XOR: x, y ~ U[−5, 5], each pushed 0.3 away from its axis; label 1 iff x·y ≥ 0, decided (as in the Playground) at the
 * point moved by uniform(−5, 5)·noise per axis, while the stored point stays put.
 */
export function xor(options: GeneratorOptions = {}): Dataset {
  const { n, noise, seed } = resolveOptions('xor', options, PLAYGROUND_DEFAULTS);
  const rng = createRng(seed);
  const xs: number[] = [], ys: number[] = [], labels: number[] = [];
  const padded = (v: number): number => v + (v > 0 ? 0.3 : -0.3);
  for (let i = 0; i < n; i++) {
    const x = padded(uniform(rng, -5, 5));
    const y = padded(uniform(rng, -5, 5));
    const nx = uniform(rng, -5, 5) * noise, ny = uniform(rng, -5, 5) * noise;
    xs.push(x);
    ys.push(y);
    labels.push((x + nx) * (y + ny) >= 0 ? 1 : 0);
  }
  return binary2d('xor', xs, ys, labels, rng,
    `${PLAYGROUND} "xor": x, y ~ U[−5,5] pushed 0.3 off the axes, label 1 iff x·y ≥ 0; noise ${noise} flips labels ` +
    '(decided at the point moved by U(−5,5)·noise).');
}

/**
 * The Playground's variance for the two-Gaussian set: d3.scale.linear().domain([0, 0.5]).range([0.5, 4]) — unclamped,
 * so noise > 0.5 extrapolates. It is passed to normalRandom(mean, variance), which scales by √variance: the standard
 * deviation is √(0.5 + 7·noise), from ≈0.71 at noise 0 to 2 at noise 0.5.
 */
export const gaussianVariance = (noise: number): number => 0.5 + (noise / 0.5) * (4 - 0.5);

/** Two Gaussians: centre (2, 2) label 1 and (−2, −2) label 0, variance gaussianVariance(noise) on each axis. */
export function gaussians(options: GeneratorOptions = {}): Dataset {
  const { n, noise, seed } = resolveOptions('gaussians', options, PLAYGROUND_DEFAULTS);
  const rng = createRng(seed);
  const sd = Math.sqrt(gaussianVariance(noise));
  const xs: number[] = [], ys: number[] = [], labels: number[] = [];
  const [pos, neg] = halves(n);
  const add = (count: number, c: number, label: number): void => {
    for (let i = 0; i < count; i++) {
      xs.push(c + sd * rng.normal());
      ys.push(c + sd * rng.normal());
      labels.push(label);
    }
  };
  add(pos, 2, 1);
  add(neg, -2, 0);
  return binary2d('gaussians', xs, ys, labels, rng,
    `${PLAYGROUND} "gaussians": N((2,2), σ²I) label 1 and N((−2,−2), σ²I) label 0, σ² = 0.5 + 7·noise ` +
    `= ${gaussianVariance(noise)}.`);
}

/**
 * Spiral: two arms of m points each (m = n/2; the label-1 arm gets the extra point when n is odd): r = i/m·5,
 * t = 1.75·(i/m)·2π + Δ, Δ = 0 (label 1) or π (label 0), point (r·sin t, r·cos t) + uniform(−1, 1)·noise per axis.
 */
export function spiral(options: GeneratorOptions = {}): Dataset {
  const { n, noise, seed } = resolveOptions('spiral', options, PLAYGROUND_DEFAULTS);
  const rng = createRng(seed);
  const xs: number[] = [], ys: number[] = [], labels: number[] = [];
  const [pos, neg] = halves(n);
  const arm = (m: number, delta: number, label: number): void => {
    for (let i = 0; i < m; i++) {
      const r = (i / m) * 5;
      const t = ((1.75 * i) / m) * 2 * Math.PI + delta;
      xs.push(r * sin(t) + uniform(rng, -1, 1) * noise);
      ys.push(r * cos(t) + uniform(rng, -1, 1) * noise);
      labels.push(label);
    }
  };
  arm(pos, 0, 1);
  arm(neg, Math.PI, 0);
  return binary2d('spiral', xs, ys, labels, rng,
    `${PLAYGROUND} "spiral": two arms r = i/m·5, t = 3.5π·i/m + Δ (Δ = 0 label 1, π label 0), ` +
    `plus U(−1,1)·${noise} per axis.`);
}

/**
 * Finite-difference gradient checking of the float engine.
 *
 * A case is a small model (input layers + the layers under test). Its parameters are randomized (runningVar kept
 * positive), its inputs filled by a seeded generator, and a scalar objective is fixed:
 *   - by default L = Σ output ⊙ R for a random R, so the upstream gradient dL/d(output) is exactly R;
 *   - or a loss from sim/float/losses.ts, L = loss(output, target), with upstream = its gradient.
 * The analytic gradient (engine backward) is compared, element by element, with central differences
 *   num = (L(θ + h) − L(θ − h)) / (2h)
 * over EVERY element of every input and every trainable parameter; forward is re-run for each evaluation with the
 * same options, so batch statistics (batch norm in training) are recomputed and dropout masks (same seed) are fixed.
 *
 * Tolerance |num − ana| ≤ 1e-6·(1 + |num|), with h = 1e-6 and values of order 1:
 *   - truncation of the central difference is h²/6·|L'''| ≈ 1.7e-13·|L'''|, negligible unless L''' ≳ 1e5
 *     (generators keep inputs ≥ 1e-3 from kinks, which a ±h step then never crosses, and normalization groups
 *     away from zero variance, where L''' grows like 1/σ³);
 *   - rounding: each evaluation of L carries an error of a few ulps of the terms it sums (Σ|outputᵢ·Rᵢ| ≲ 100
 *     here), ≈ 1e-14, which the division by 2h amplifies to ≈ 1e-8.
 * So a correct gradient should land ~100× inside the tolerance (measured: single layers use ≤ 0.3% of it, the
 * composite graph with a summed loss ≈ 1%, and that part grows ∝ 1/h when h shrinks: rounding, not a bias), while
 * a real bug (a wrong factor, index or missing term) is off by the size of a gradient term, ≳ 1e-3.
 */
import { buildGraph } from '../../sim/ir/graph.js';
import { parseModel } from '../../sim/ir/parse.js';
import type { LayerGraph } from '../../sim/ir/types.js';
import { type ForwardResult, backward, forward } from '../../sim/float/engine.js';
import { type Params, initParams } from '../../sim/float/init.js';
import { copyParams } from '../../sim/float/train.js';
import { type LossKind, type Reduction, losses } from '../../sim/float/losses.js';
import { type Tensor, asFloat64, withDtype } from '../../sim/float/tensor.js';

export const STEP = 1e-6;
export const ATOL = 1e-6;
export const RTOL = 1e-6;

/** Uniform [0, 1) generator (mulberry32): data come from a seed so fast-check shrinks shapes, not 200 numbers. */
export type Rand = () => number;
export function mulberry32(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function uniform(rand: Rand, n: number, lo: number, hi: number): Float64Array {
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = lo + (hi - lo) * rand();
  return d;
}

/** Fills an input tensor: (input name, shape, random source) → data. */
export type ValueGen = (name: string, shape: readonly number[], rand: Rand) => Float64Array;

export const uniformValues = (lo = -2, hi = 2): ValueGen => (_n, shape, rand) => uniform(rand, sizeOf(shape), lo, hi);

/** Uniform values, redrawn until every one is at least `margin` from every kink (relu at 0, clip at its bounds…). */
export function awayFrom(kinks: readonly number[], lo = -3, hi = 3, margin = 1e-3): ValueGen {
  return (_n, shape, rand) => {
    const d = new Float64Array(sizeOf(shape));
    for (let i = 0; i < d.length; i++) {
      let v: number;
      do v = lo + (hi - lo) * rand();
      while (kinks.some((k) => Math.abs(v - k) < margin));
      d[i] = v;
    }
    return d;
  };
}

/** All values distinct, at least 0.01 apart (a shuffled grid plus a little jitter): max pool never has a tie. */
export const distinctValues: ValueGen = (_n, shape, rand) => {
  const n = sizeOf(shape);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return Float64Array.from(order, (k) => (k - n / 2) * 0.02 + 0.005 * rand());
};

/**
 * Uniform values, then every normalization group (given by the flat indices of its members) whose spread is too
 * small gets rescaled about its mean to variance ≥ minVar: near-zero variance would make L''' explode (1/σ³).
 */
export function spreadGroups(groups: (shape: readonly number[]) => number[][], minVar = 0.25): ValueGen {
  return (_n, shape, rand) => {
    const d = uniform(rand, sizeOf(shape), -2, 2);
    for (const g of groups(shape)) {
      if (g.length < 2) continue;
      const mean = g.reduce((s, i) => s + d[i], 0) / g.length;
      const v = g.reduce((s, i) => s + (d[i] - mean) ** 2, 0) / g.length;
      if (v >= minVar) continue;
      const scale = v > 0 ? Math.sqrt(minVar / v) : 0;
      g.forEach((i, j) => (d[i] = scale > 0 ? mean + (d[i] - mean) * scale : mean + (j % 2 ? 1 : -1)));
    }
    return d;
  };
}

export interface LossObjective {
  readonly kind: LossKind;
  readonly reduction: Reduction;
  /** Target for a given output shape (labels [N] for softmax-ce). */
  readonly target: (outShape: readonly number[], rand: Rand) => Tensor;
}

export interface GradCase {
  /** Model layers after the input layers (documents as in models/README.md). */
  readonly layers: readonly Record<string, unknown>[];
  /** Input layer name → shape. */
  readonly inputs: Readonly<Record<string, readonly number[]>>;
  readonly training?: boolean;
  /** Seed of the dropout masks, the same for every evaluation. */
  readonly dropoutSeed?: number;
  readonly values?: ValueGen;
  /** Default: L = Σ output ⊙ R. */
  readonly loss?: LossObjective;
  /**
   * Checked on the unperturbed forward pass: false rejects the sample (e.g. a relu input inside the kink margin of
   * a composite graph, where the generator cannot control intermediate values).
   */
  readonly accept?: (fwd: ForwardResult) => boolean;
}

export interface Mismatch {
  readonly tensor: string;
  readonly index: number;
  readonly analytic: number;
  readonly numeric: number;
}

export function withinTolerance(analytic: number, numeric: number): boolean {
  return Math.abs(numeric - analytic) <= ATOL + RTOL * Math.abs(numeric);
}

/** Central differences of f over every element of `data` (perturbed in place and restored). */
export function numericGradient(f: () => number, data: Float64Array, h = STEP): Float64Array {
  const g = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    const up = x + h, down = x - h;
    data[i] = up;
    const fUp = f();
    data[i] = down;
    const fDown = f();
    data[i] = x;
    g[i] = (fUp - fDown) / (up - down); // the actual (rounded) step
  }
  return g;
}

export function compareGradients(tensor: string, analytic: Float64Array, numeric: Float64Array): Mismatch[] {
  if (analytic.length !== numeric.length) {
    return [{ tensor: `${tensor} (length ${analytic.length} ≠ ${numeric.length})`, index: -1, analytic: NaN, numeric: NaN }];
  }
  const out: Mismatch[] = [];
  for (let i = 0; i < numeric.length; i++) {
    if (!withinTolerance(analytic[i], numeric[i])) out.push({ tensor, index: i, analytic: analytic[i], numeric: numeric[i] });
  }
  return out;
}

/** max |num − ana| / (ATOL + RTOL·|num|) over the elements (≤ 1 passes). */
export function toleranceUsed(analytic: Float64Array, numeric: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < numeric.length; i++) {
    worst = Math.max(worst, Math.abs(numeric[i] - analytic[i]) / (ATOL + RTOL * Math.abs(numeric[i])));
  }
  return worst;
}

/** Σ a·b with Neumaier-compensated summation (keeps the objective's own rounding out of the differences). */
function dot(a: Float64Array, b: Float64Array): number {
  let s = 0, c = 0;
  for (let i = 0; i < a.length; i++) {
    const t = a[i] * b[i];
    const u = s + t;
    c += Math.abs(s) >= Math.abs(t) ? s - u + t : t - u + s;
    s = u;
  }
  return s + c;
}

export function buildCase(c: GradCase, seed: number): LayerGraph {
  const inputLayers = Object.entries(c.inputs).map(([name, shape]) => ({ name, kind: 'input', shape: [...shape] }));
  return buildGraph(parseModel({ name: 'gradcheck', seed, layers: [...inputLayers, ...c.layers] }));
}

/**
 * Random parameters. Weights and biases keep their default init (PyTorch's U(±1/√fanIn), drawn from the case's seed),
 * so activations stay of order 1 through a deep graph; the parameters whose default is a constant are randomized:
 * γ uniform in ±[0.5, 1.5], β and runningMean in [−1, 1], runningVar in [0.3, 2].
 */
export function randomParams(graph: LayerGraph, rand: Rand): Params {
  const params = initParams(graph);
  for (const [layer, specs] of Object.entries(graph.paramSpecs)) {
    for (const [name, spec] of Object.entries(specs)) {
      if (spec.role === 'weight' || spec.role === 'bias') continue;
      const d = params[`${layer}.${name}`].data;
      for (let i = 0; i < d.length; i++) {
        const u = 2 * rand() - 1; // uniform in [−1, 1)
        if (name === 'runningVar') d[i] = 1.15 + 0.85 * u;
        else if (spec.init === 'ones') d[i] = Math.sign(u) * (0.5 + Math.abs(u));
        else d[i] = u;
      }
    }
  }
  return params;
}

export interface CheckReport {
  readonly rejected: boolean;
  /** Elements compared (inputs + trainable parameters). */
  readonly checked: number;
  /** Largest |num − ana| / (ATOL + RTOL·|num|) seen: how much of the tolerance a passing check used. */
  readonly worst: number;
  readonly mismatches: readonly Mismatch[];
}

/** Runs one gradient check; see the file comment. Throws on any structural problem (missing gradient, wrong shape). */
export function gradCheck(c: GradCase, seed: number): CheckReport {
  const rand = mulberry32(seed);
  const graph = buildCase(c, seed);
  const params = randomParams(graph, rand);
  const gen = c.values ?? uniformValues();
  const inputs: Record<string, Tensor> = {};
  for (const [name, shape] of Object.entries(c.inputs)) inputs[name] = { shape: [...shape], data: gen(name, shape, rand) };
  const options = { training: c.training ?? false, seed: c.dropoutSeed ?? 12345 };

  const base = forward(graph, params, inputs, options);
  if (c.accept && !c.accept(base)) return { rejected: true, checked: 0, worst: 0, mismatches: [] };
  const outShape = base.output.shape;
  let objective: (out: Tensor) => number;
  let upstream: Tensor;
  if (c.loss) {
    const { kind, reduction } = c.loss;
    const target = c.loss.target(outShape, rand);
    objective = (out) => losses[kind](out, target, reduction).loss;
    upstream = losses[kind](base.output, target, reduction).gradient;
  } else {
    const r = uniform(rand, sizeOf(outShape), -1, 1);
    objective = (out) => dot(asFloat64(out.data), r);
    upstream = { shape: [...outShape], data: r };
  }
  const grads = backward(base.tape, params, upstream);
  const f = (): number => objective(forward(graph, params, inputs, options).output);

  const trainable = Object.entries(graph.paramSpecs).flatMap(([layer, specs]) =>
    Object.entries(specs).filter(([, s]) => s.trainable).map(([p]) => `${layer}.${p}`));
  const sorted = (xs: readonly string[]): string => [...xs].sort().join(',');
  if (sorted(Object.keys(grads.params)) !== sorted(trainable)) {
    throw new Error(`param gradients for [${Object.keys(grads.params)}], trainable params are [${trainable}]`);
  }
  if (sorted(Object.keys(grads.inputs)) !== sorted(Object.keys(inputs))) {
    throw new Error(`input gradients for [${Object.keys(grads.inputs)}], inputs are [${Object.keys(inputs)}]`);
  }

  const mismatches: Mismatch[] = [];
  let checked = 0, worst = 0;
  const check = (label: string, value: Tensor, grad: Tensor): void => {
    if (grad.shape.join() !== value.shape.join()) throw new Error(`gradient of ${label} has shape [${grad.shape}], value [${value.shape}]`);
    const numeric = numericGradient(f, asFloat64(value.data));
    mismatches.push(...compareGradients(label, asFloat64(grad.data), numeric));
    worst = Math.max(worst, toleranceUsed(asFloat64(grad.data), numeric));
    checked += value.data.length;
  };
  for (const [name, t] of Object.entries(inputs)) check(`input ${name}`, t, grads.inputs[name]);
  for (const key of trainable) check(`param ${key}`, params[key], grads.params[key]);
  return { rejected: false, checked, worst, mismatches };
}

export function describeMismatches(m: readonly Mismatch[], max = 6): string {
  const lines = m.slice(0, max).map((x) =>
    `  ${x.tensor}[${x.index}]: analytic ${x.analytic.toPrecision(10)}, numeric ${x.numeric.toPrecision(10)} (diff ${(x.analytic - x.numeric).toExponential(2)})`);
  return `${m.length} gradient element(s) out of tolerance:\n${lines.join('\n')}${m.length > max ? '\n  …' : ''}`;
}

/**
 * The float32 engine against the float64 one on a gradient-check case: the same parameters and inputs (rounded to
 * float32), the same upstream gradient. Every value, gradient and parameter gradient of the float32 pass must be a
 * Float32Array (a layer that silently fell back to float64 fails here) and lie within float32 rounding of the
 * float64 result: |f32 − f64| ≤ 2e-4 · max(1, max|f64| of that tensor) — one float32 rounding is 6e-8 relative, and
 * these one- or few-layer cases compound a few hundred at most.
 */
export interface Float32Report {
  readonly rejected: boolean;
  /** Tensors that are not Float32Array, by name. */
  readonly notFloat32: readonly string[];
  /** Tensors out of tolerance: name, worst |difference| and the allowed one. */
  readonly outOfTolerance: readonly { readonly tensor: string; readonly diff: number; readonly allowed: number }[];
}

export function float32Check(c: GradCase, seed: number): Float32Report {
  const rand = mulberry32(seed);
  const graph = buildCase(c, seed);
  // Values exactly representable in float32, so both engines start from the same numbers.
  const params = Object.fromEntries(Object.entries(randomParams(graph, rand)).map(([k, t]) => [k, { shape: t.shape, data: Float64Array.from(Float32Array.from(t.data)) }]));
  const gen = c.values ?? uniformValues();
  const inputs: Record<string, Tensor> = {};
  for (const [name, shape] of Object.entries(c.inputs)) inputs[name] = { shape: [...shape], data: Float64Array.from(Float32Array.from(gen(name, shape, rand))) };
  const options = { training: c.training ?? false, seed: c.dropoutSeed ?? 12345 };
  const base = forward(graph, params, inputs, options);
  if (c.accept && !c.accept(base)) return { rejected: true, notFloat32: [], outOfTolerance: [] };
  const upstream: Tensor = { shape: base.output.shape, data: Float64Array.from(Float32Array.from(uniform(rand, sizeOf(base.output.shape), -1, 1))) };
  const grads64 = backward(base.tape, params, upstream);

  const params32 = copyParams(params, 'float32');
  const inputs32 = Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, withDtype(t, 'float32')]));
  const fwd32 = forward(graph, params32, inputs32, options);
  const grads32 = backward(fwd32.tape, params32, upstream);

  const notFloat32: string[] = [];
  const outOfTolerance: { tensor: string; diff: number; allowed: number }[] = [];
  const compare = (name: string, t32: Tensor | undefined, t64: Tensor | undefined): void => {
    if (t32 === undefined || t64 === undefined) throw new Error(`${name}: missing in one engine`);
    if (!(t32.data instanceof Float32Array)) notFloat32.push(name);
    let scale = 1, diff = 0;
    for (let i = 0; i < t64.data.length; i++) scale = Math.max(scale, Math.abs(t64.data[i]));
    for (let i = 0; i < t64.data.length; i++) diff = Math.max(diff, Math.abs(t32.data[i] - t64.data[i]));
    const allowed = 2e-4 * scale;
    if (!(diff <= allowed)) outOfTolerance.push({ tensor: name, diff, allowed });
  };
  for (const name of Object.keys(base.values)) if (!(name in inputs)) compare(`value ${name}`, fwd32.values[name], base.values[name]);
  for (const [name, t] of Object.entries(grads64.inputs)) compare(`input gradient ${name}`, grads32.inputs[name], t);
  for (const [key, t] of Object.entries(grads64.params)) compare(`gradient ${key}`, grads32.params[key], t);
  for (const [key, t] of Object.entries(base.state)) compare(`state ${key}`, fwd32.state[key], t);
  return { rejected: false, notFloat32, outOfTolerance };
}

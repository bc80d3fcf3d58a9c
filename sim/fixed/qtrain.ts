/**
 * Quantized training on the array: the training loop of float/train.ts (same shuffling, mini-batches, optimizer and
 * recorded losses), but every step runs the *lowered training program* (lower/execute.ts) with its GEMM hook, so the
 * forward, backwardData and backwardWeight GEMMs are exactly those `simulate --mode training` times, in these formats:
 *
 *   GEMM                 A operand            B operand
 *   forward              activation (X)       weight (W)         (matmul: activation × activation)
 *   backwardData         error (dY)           weight (W)         (matmul dA: error × activation)
 *   backwardWeight       activation (Xᵀ)      error (dY)         (matmul dB: activation × error)
 *   then every parameter gradient → the gradient format; the optimizer's new weights → the master format.
 *
 * Formats (names of format.ts):
 *  - `intB`: dynamic fixed point — B-bit signed integers with one power-of-two scale per tensor (per GEMM operand),
 *    2^⌈log2(max|x| / (2^(B−1) − 1))⌉, so nothing saturates; small values underflow to 0.
 *  - `qM.N`: fixed point, scale 2^−N: values beyond ±2^(M−1) saturate, |x| < 2^−(N+1) underflows (nearest).
 *  - `fp16`, `bf16`, `fp32`: rounded to the format (fp16 overflows to ±∞ at 65520, underflows below 2^−25).
 *  - master only, also `fp64`: the float64 weights, no rounding.
 * Integer × integer GEMMs run in `gemmIntCounted` (the array's accumulation order) with a saturating accumulator of
 * `accumulatorBits` (default min(53, 2·B + 16)); otherwise operands are rounded to their formats and accumulated in
 * fp32 (`gemmFloat32Acc`). The accumulators are scaled back exactly (sA·sB); vector ops (bias, activations, pools,
 * the loss) run in float64, as the vector unit is not what this checks.
 * Rounding: nearest-even everywhere, or with `stochastic` the error, gradient and master-weight roundings of integer
 * formats are stochastic (⌊x⌋ + 1 with probability x − ⌊x⌋) from one xoshiro128** stream seeded by the run's seed;
 * forward operands always round to nearest. Same seed ⇒ identical curves.
 * Loss scaling: dL/d(output) × S enters the backward pass; parameter gradients are quantized scaled and divided by S
 * (in float64) before the optimizer. The optimizer state (momentum, Adam moments) stays float64.
 *
 * Diagnostics per GEMM layer and step (`LayerStepDiag`): the fraction of nonzero gradients (and errors) that quantize
 * to 0; values saturated (or overflowed to ±∞) in any of the layer's quantizations; accumulator overflows; the
 * gradient's SQNR against the float64 gradient of the same program at the same weights and batch; the fraction of the
 * optimizer's intended |Δw| lost to the master format's rounding, and of weights whose update was lost entirely.
 * Warnings (`QTrainWarning`) come before a NaN: non-finite gradients or errors (fp16 overflow), saturating gradients or
 * errors, most of a layer's gradients underflowing, a loss ten times its minimum. A loss or master weight that is NaN
 * or ±Infinity stops the run (`diverged`, float/divergence.ts: the step and the layer).
 * Dropout masks: the lowered executor draws them from graph.seed (the same masks every step).
 */
import type { LayerGraph, LayerNode } from '../ir/types.js';
import { splitKey } from '../ir/graph.js';
import type { Params } from '../float/init.js';
import { type Divergence, lossDivergence, paramDivergence } from '../float/divergence.js';
import { losses } from '../float/losses.js';
import { createOptimizerState, optimizerStep, regularize } from '../float/optimizers.js';
import { createRng } from '../float/rng.js';
import { type Tensor, asFloat64 } from '../float/tensor.js';
import {
  type EpochRecord, type Splits, type StepRecord, type TrainConfig, copyParams, correct, epochPlan, evaluate,
} from '../float/train.js';
import { type ExecuteHooks, executeProgram } from '../lower/execute.js';
import { lowerGraph } from '../lower/lower.js';
import { type Mat, mat } from '../lower/operands.js';
import type { GemmOp, LoweredProgram } from '../lower/types.js';
import { SimError } from '../base/errors.js';
import { type QStats, type QTrainFormats, type Quantizer, newStats, quantizeTensor, quantizer } from './quantizer.js';
import { gemmFloat32Acc, gemmIntCounted } from './gemm-int.js';

export interface QTrainOptions {
  readonly formats: QTrainFormats;
  /** Stochastic rounding of errors, gradients and master weights (integer formats). */
  readonly stochastic: boolean;
  /** Static loss scale S (default 1). */
  readonly lossScale?: number;
  /** Accumulator width of integer GEMMs [default min(53, 2·B + 16), B the wider operand]. */
  readonly accumulatorBits?: number;
  /** Compute the float64 reference gradient every step for the gradient SQNR [default true]. */
  readonly reference?: boolean;
}

export interface LayerStepDiag {
  readonly layer: string;
  /** Nonzero parameter gradients that quantized to 0, as a fraction of the nonzero ones. */
  readonly gradUnderflow: number;
  /** Nonzero errors (dY operands) that quantized to 0, as a fraction. */
  readonly errorUnderflow: number;
  /** Values saturated or overflowed to ±∞ in the layer's quantizations (operands, gradients, master weights). */
  readonly saturated: number;
  readonly accumulatorOverflows: number;
  /** 10·log10(Σg² / Σ(ĝ − g)²) against the float64 gradient; null without a reference (Infinity when exact). */
  readonly gradSqnrDb: number | null;
  /** Σ|Δw_intended − Δw_applied| / Σ|Δw_intended| over the layer's parameters. */
  readonly updateLost: number;
  /** Parameters whose nonzero intended update rounded away entirely, as a fraction of all the layer's parameters. */
  readonly updatesStalled: number;
}

export interface QStepRecord extends StepRecord { readonly layers: readonly LayerStepDiag[] }

export interface QTrainWarning {
  readonly step: number;
  readonly kind: 'nonFinite' | 'saturation' | 'underflow' | 'divergence' | 'nan';
  readonly layer?: string;
  readonly message: string;
}

export interface QTrainResult {
  readonly steps: readonly QStepRecord[];
  readonly epochs: readonly EpochRecord[];
  readonly params: Params;
  readonly warnings: readonly QTrainWarning[];
  /** The step whose loss was NaN (training stopped there), else null. */
  readonly nanAtStep: number | null;
  /** Why and where the run stopped on a non-finite loss or master weight (a NaN loss also sets nanAtStep). */
  readonly diverged?: Divergence;
}

// ---------------------------------------------------------------------------------------------------------------
// The loop

interface LayerTally { act: QStats; weight: QStats; error: QStats; grad: QStats; master: QStats; accOverflows: number }
const newTally = (): LayerTally => ({ act: newStats(), weight: newStats(), error: newStats(), grad: newStats(), master: newStats(), accOverflows: 0 });

type Role = 'activation' | 'weight' | 'error';

/** The roles of a GEMM's A and B operands (see the module comment). */
function roles(op: GemmOp, node: LayerNode): [Role, Role] {
  const wOrAct: Role = node.kind === 'matmul' ? 'activation' : 'weight';
  if (op.pass === 'forward') return ['activation', wOrAct];
  if (node.kind === 'matmul') return op.gradientOf === 'inputA' ? ['error', 'activation'] : ['activation', 'error'];
  return op.pass === 'backwardData' ? ['error', 'weight'] : ['activation', 'error'];
}

const isFinite64 = (a: ArrayLike<number>): boolean => {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
};

/**
 * The quantized loop one epoch at a time (as float/train.ts' trainEpochs): yields every epoch's record with the
 * master weights as they now are (live: copy to keep), returns the result. `trainQuantized` drains it.
 */
export function* trainQuantizedEpochs(graph: LayerGraph, initial: Params, data: Splits, cfg: TrainConfig, opts: QTrainOptions): Generator<{ record: EpochRecord; params: Params }, QTrainResult, void> {
  const F = opts.formats;
  const qw = quantizer(F.weight, 'weight format'), qa = quantizer(F.activation, 'activation format');
  const qe = quantizer(F.error, 'error format'), qg = quantizer(F.gradient, 'gradient format'), qm = quantizer(F.master, 'master format');
  for (const q of [qw, qa, qe, qg]) if (q.kind === 'none') throw new SimError('fp64 is for the master weights only', { code: 'badValue', path: 'format', value: q.name });
  const S = opts.lossScale ?? 1;
  if (!(S > 0) || !Number.isFinite(S)) throw new SimError('must be a positive number', { code: 'badValue', path: '--loss-scale', value: S });
  const byRole: Record<Role, Quantizer> = { activation: qa, weight: qw, error: qe };
  const master = copyParams(initial);
  // The master format's grid from the start.
  const trainable = Object.keys(master).filter((k) => { const [layer, param] = splitKey(k); return graph.paramSpecs[layer]?.[param]?.trainable; });
  for (const k of trainable) quantizeTensor(qm, asFloat64(master[k].data, k), asFloat64(master[k].data, k), undefined, newStats());

  const input = graph.order.find((name) => graph.layers.some((l) => l.name === name && l.kind === 'input'))!;
  const programs = new Map<number, LoweredProgram>();
  const programFor = (batch: number): LoweredProgram => {
    let p = programs.get(batch);
    if (!p) programs.set(batch, (p = lowerGraph(graph, { mode: 'training', batch })));
    return p;
  };
  const srng = opts.stochastic ? createRng((cfg.seed ^ 0x51ab) >>> 0) : undefined;
  const state = createOptimizerState();
  const steps: QStepRecord[] = [];
  const epochs: EpochRecord[] = [];
  const warnings: QTrainWarning[] = [];
  const warned = new Set<string>();
  const warn = (step: number, kind: QTrainWarning['kind'], message: string, layer?: string): void => {
    const key = `${kind}:${layer ?? ''}`;
    if (warned.has(key)) return;
    warned.add(key);
    warnings.push({ step, kind, message, ...(layer ? { layer } : {}) });
  };
  let minLoss = Infinity;
  let nanAtStep: number | null = null;
  let diverged: Divergence | undefined;
  const stop = (d: Divergence): void => {
    diverged = d;
    const first = warnings[0];
    warnings.push({ step: d.step, kind: 'nan', layer: d.layer, message: `${d.message}; training stopped${first ? ` (first warning at step ${first.step}: ${first.message})` : ' (no earlier warning)'}` });
  };
  const intBits = [qw, qa, qe].filter((q) => q.kind !== 'float').map((q) => q.bits);
  const accBits = opts.accumulatorBits ?? Math.min(53, 2 * Math.max(...intBits, 8) + 16);

  outer: for (const { epoch, lr, batches } of epochPlan(data.train, cfg)) {
    let lossSum = 0, hits = 0, seen = 0;
    for (const { step: stepNo, x, y, size } of batches) {
      const program = programFor(size);
      const tallies = new Map<string, LayerTally>();
      const tally = (layer: string): LayerTally => {
        let t = tallies.get(layer);
        if (!t) tallies.set(layer, (t = newTally()));
        return t;
      };
      const statsOf = (t: LayerTally, r: Role): QStats => (r === 'activation' ? t.act : r === 'weight' ? t.weight : t.error);
      const multiply = (op: GemmOp, node: LayerNode, a: Mat, bm: Mat): Mat => {
        const [ra, rb] = roles(op, node);
        const t = tally(node.name);
        const qA = byRole[ra], qB = byRole[rb];
        const va = new Float64Array(a.data.length), vb = new Float64Array(bm.data.length);
        const sa = quantizeTensor(qA, a.data, va, ra === 'error' ? srng : undefined, statsOf(t, ra));
        const sb = quantizeTensor(qB, bm.data, vb, rb === 'error' ? srng : undefined, statsOf(t, rb));
        if (sa !== null && sb !== null && isFinite64(va) && isFinite64(vb)) {
          for (let i = 0; i < va.length; i++) va[i] /= sa;
          for (let i = 0; i < vb.length; i++) vb[i] /= sb;
          const r = gemmIntCounted(va, vb, op.m, op.k, op.n, { accumulatorBits: accBits, overflow: 'saturate' });
          t.accOverflows += r.overflows;
          const c = r.c, k = sa * sb;
          for (let i = 0; i < c.length; i++) c[i] *= k;
          return mat(op.m, op.n, c);
        }
        return mat(op.m, op.n, gemmFloat32Acc(va, vb, op.m, op.k, op.n));
      };
      // One pass of the training program: the loss op reads dL/d(output) lazily, from the program's own forward output.
      const tr = runStep(program, graph, master, input, x, y, cfg.loss, S, { multiply });
      const loss = tr.loss;
      lossSum += loss * size;
      if (cfg.accuracy !== 'none') hits += correct(cfg.accuracy, tr.output, y);
      seen += size;
      const lossBad = lossDivergence(graph, stepNo, epoch, loss, cfg.loss, tr.values);
      if (lossBad) {
        if (Number.isNaN(loss)) nanAtStep = stepNo;
        stop(lossBad);
        steps.push({ epoch, step: stepNo, loss, layers: [] });
        break outer;
      }
      const ref = opts.reference === false ? undefined : runStep(program, graph, master, input, x, y, cfg.loss, 1, {}).grads;
      steps.push({ epoch, step: stepNo, loss, layers: [] });
      minLoss = Math.min(minLoss, loss);
      if (stepNo > 10 && loss > 10 * minLoss) warn(stepNo, 'divergence', `step ${stepNo}: the loss ${loss.toPrecision(4)} is more than 10× its minimum ${minLoss.toPrecision(4)}: training is diverging (NaN may follow)`);

      // Gradients → the gradient format (scaled), then unscaled for the optimizer.
      const grads: Record<string, Float64Array> = {};
      const sq = new Map<string, { s: number; e: number }>();
      for (const [key, g] of Object.entries(tr.grads)) {
        const [layer] = splitKey(key);
        const t = tally(layer);
        const out = new Float64Array(g.data.length);
        quantizeTensor(qg, g.data, out, srng, t.grad);
        for (let i = 0; i < out.length; i++) out[i] /= S;
        grads[key] = out;
        if (ref) {
          const r = ref[key].data;
          const acc = sq.get(layer) ?? { s: 0, e: 0 };
          for (let i = 0; i < r.length; i++) {
            acc.s += r[i] * r[i];
            acc.e += (out[i] - r[i]) ** 2;
          }
          sq.set(layer, acc);
        }
      }
      // Optimizer in float64 on a copy, then the master format.
      const next: Params = { ...master };
      for (const k of Object.keys(grads)) next[k] = { shape: master[k].shape, data: Float64Array.from(master[k].data) };
      const regularized = Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, regularize(k, next[k].data, g, cfg.reg)]));
      optimizerStep(cfg.optimizer, state, lr, next, regularized);
      const upd = new Map<string, { intended: number; lost: number; stalled: number; count: number }>();
      for (const k of Object.keys(grads)) {
        const [layer] = splitKey(k);
        const t = tally(layer);
        const old = master[k].data, want = next[k].data;
        const got = new Float64Array(want.length);
        quantizeTensor(qm, want, got, qm.kind === 'none' || qm.kind === 'float' ? undefined : srng, t.master);
        const u = upd.get(layer) ?? { intended: 0, lost: 0, stalled: 0, count: 0 };
        for (let i = 0; i < got.length; i++) {
          const d = want[i] - old[i], applied = got[i] - old[i];
          u.intended += Math.abs(d);
          u.lost += Math.abs(d - applied);
          if (d !== 0 && applied === 0) u.stalled++;
        }
        u.count += got.length;
        upd.set(layer, u);
        master[k] = { shape: master[k].shape, data: got };
      }
      // Per-layer diagnostics (layers with GEMMs or parameters, in graph order) and warnings.
      const layers: LayerStepDiag[] = [];
      for (const name of graph.order) {
        const t = tallies.get(name);
        if (!t) continue;
        const u = upd.get(name);
        const s = sq.get(name);
        const saturated = t.act.saturated + t.weight.saturated + t.error.saturated + t.grad.saturated + t.master.saturated;
        const d: LayerStepDiag = {
          layer: name,
          gradUnderflow: t.grad.nonzero ? t.grad.underflow / t.grad.nonzero : 0,
          errorUnderflow: t.error.nonzero ? t.error.underflow / t.error.nonzero : 0,
          saturated,
          accumulatorOverflows: t.accOverflows,
          gradSqnrDb: s ? (s.e === 0 ? Infinity : 10 * Math.log10(s.s / s.e)) : null,
          updateLost: u && u.intended > 0 ? u.lost / u.intended : 0,
          updatesStalled: u && u.count ? u.stalled / u.count : 0,
        };
        layers.push(d);
        const nf = t.error.nonFinite + t.grad.nonFinite + t.act.nonFinite + t.master.nonFinite;
        if (nf > 0 || (qe.kind === 'float' && t.error.saturated + t.grad.saturated > 0)) {
          warn(stepNo, 'nonFinite', `step ${stepNo}, ${name}: ${nf + t.error.saturated + t.grad.saturated} errors/gradients overflowed to ±∞ or NaN — the loss will turn NaN (lower --loss-scale or use a wider format)`, name);
        }
        const satFrac = (t.error.saturated + t.grad.saturated) / Math.max(1, t.error.nonzero + t.grad.nonzero);
        if (satFrac > 0.01 && qe.kind !== 'float') {
          warn(stepNo, 'saturation', `step ${stepNo}, ${name}: ${(100 * satFrac).toFixed(1)} % of errors/gradients saturate — gradients are clipped; lower --loss-scale or use more integer bits`, name);
        }
        if (d.gradUnderflow > 0.5) {
          warn(stepNo, 'underflow', `step ${stepNo}, ${name}: ${(100 * d.gradUnderflow).toFixed(1)} % of the nonzero gradients quantize to 0 — updates vanish; raise --loss-scale, use --stochastic-rounding or a wider gradient format`, name);
        }
      }
      steps[steps.length - 1] = { epoch, step: stepNo, loss, layers };
      const paramBad = paramDivergence(graph, stepNo, epoch, master);
      if (paramBad) {
        stop(paramBad);
        break outer;
      }
    }
    const record: EpochRecord = {
      epoch, lr, steps: steps.length,
      train: { loss: lossSum / seen, accuracy: cfg.accuracy === 'none' ? null : hits / seen },
      ...(data.validation ? { validation: evaluate(graph, master, data.validation, cfg.loss, cfg.accuracy) } : {}),
      ...(data.test ? { test: evaluate(graph, master, data.test, cfg.loss, cfg.accuracy) } : {}),
    };
    epochs.push(record);
    yield { record, params: master };
  }
  return { steps, epochs, params: master, warnings, nanAtStep, ...(diverged ? { diverged } : {}) };
}

export function trainQuantized(graph: LayerGraph, initial: Params, data: Splits, cfg: TrainConfig, opts: QTrainOptions, onEpoch?: (e: EpochRecord) => void): QTrainResult {
  const run = trainQuantizedEpochs(graph, initial, data, cfg, opts);
  for (;;) {
    const next = run.next();
    if (next.done) return next.value;
    onEpoch?.(next.value.record);
  }
}

/** Forward + backward of the lowered training program; dL/d(output)·scale is computed when the loss op asks for it. */
function runStep(
  program: LoweredProgram, graph: LayerGraph, params: Params, input: string, x: Tensor, y: Tensor, loss: TrainConfig['loss'], scale: number,
  hooks: ExecuteHooks,
): { output: Tensor; loss: number; grads: Readonly<Record<string, Tensor>>; values: Readonly<Record<string, Tensor>> } {
  let live: Record<string, Tensor> | undefined;
  let lossValue = NaN;
  const out = (): Tensor => {
    const t = live?.[graph.output];
    if (!t) throw new Error(`the loss op ran before "${graph.output}" was computed`);
    return t;
  };
  const upstream = {
    get shape() { return out().shape; },
    get data() {
      const r = losses[loss](out(), y);
      lossValue = r.loss;
      return scale === 1 ? r.gradient.data : Float64Array.from(r.gradient.data, (v) => v * scale);
    },
  } as Tensor;
  const res = executeProgram(program, graph, params, { [input]: x }, upstream, {
    ...hooks,
    afterOp: (op, node, values) => {
      live = values;
      hooks.afterOp?.(op, node, values);
    },
  });
  return { output: res.output, loss: lossValue, grads: res.gradients!.params, values: res.values };
}

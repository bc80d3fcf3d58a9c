/**
 * Runs an inference LoweredProgram in the hardware's number format, reusing lower/execute.ts's operand construction
 * (im2col etc.) through its hooks. Every layer output is held on its format's grid; values travel dequantized
 * (exact multiples of the scale), and GEMM inputs are re-encoded to the same integers.
 *
 * Integer formats (intN / uintN / Qm.n), per GEMM (dense, conv2d, matmul):
 *   A: qa = clamp(round_even(x / sA) + zA) − zA (activations: symmetric, or affine for unsigned formats; per tensor)
 *   B: weights: symmetric signed of the same width, per output channel (column of B): sB[j] = max|B[:, j]| / qmax;
 *      Qm.n: the same Qm.n (scale 2^−n). matmul's B is an activation tensor like A.
 *   C: acc = gemmInt(qa, qb) in accumulatorBits with saturate/wrap at every step (the array's order);
 *      bias: round_even(bias / (sA·sB[j])) added to acc with the same overflow rule (integer bias);
 *      accumulators wider than 32 bits are clamped to int32 before requantization;
 *      out = clamp(requantize(acc; quantizeMultiplier(sA·sB[j] / sOut), rounding) + zOut, qmin, qmax).
 * Vector ops (relu, pools, softmax, norms, add…): dequantize → the float engine's rule in float64 → requantize to the
 *   layer's format with round-to-nearest-even (exact for relu and max pool, which keep values on the grid).
 * Float formats (fp16/bf16/fp32): GEMM operands rounded to the format, an fp32 accumulator (gemmFloat32Acc), every
 *   layer output rounded to the format (after the bias add when the layer has a bias).
 */
import type { LayerGraph, LayerNode } from '../ir/types.js';
import type { Params } from '../float/init.js';
import type { Tensor } from '../float/tensor.js';
import { executeProgram } from '../lower/execute.js';
import { type Mat, mat } from '../lower/operands.js';
import type { GemmOp, LoweredProgram } from '../lower/types.js';
import type { GemmDataflow } from '../arch/types.js';
import type { Range } from './calibrate.js';
import { roundToBf16, roundToFp16, roundToFp32 } from './float16.js';
import { type NumberFormat, type IntFormat, affineParams, intRange, symmetricScale } from './format.js';
import { gemmFloat32Acc, gemmIntCounted } from './gemm-int.js';
import { quantizeMultiplier, requantizer } from './requantize.js';
import { type OverflowRule, type Rounding, overflowInto, roundHalfEven } from './rounding.js';

export interface FixedConfig {
  readonly format: NumberFormat;
  readonly accumulatorBits: number;
  readonly overflow: OverflowRule;
  /** Requantization rounding of GEMM outputs. */
  readonly rounding: Rounding;
  /** Calibrated range of every layer output (integer formats other than Qm.n). */
  readonly ranges: Readonly<Record<string, Range>>;
  readonly engine?: 'fast' | 'array';
  readonly array?: { readonly rows: number; readonly cols: number; readonly dataflow: GemmDataflow; readonly macPipelineCycles: number };
}

export interface LayerTally {
  /** Accumulation steps (products and bias adds) that left the accumulator's range. */
  accumulatorOverflows: number;
  /** Values clamped to the format's range when quantized or requantized. */
  clamps: number;
}

export interface FixedRun {
  readonly values: Readonly<Record<string, Tensor>>;
  readonly output: Tensor;
  readonly tallies: Readonly<Record<string, LayerTally>>;
}

interface QParams { readonly scale: number; readonly zeroPoint: number }

const TWO31 = 2 ** 31;

/** The activation scale and zero point of a layer output. */
export function activationParams(f: IntFormat, range: Range | undefined): QParams {
  if (f.fractionBits !== undefined) return { scale: 2 ** -f.fractionBits, zeroPoint: 0 };
  const r = range ?? { lo: -1, hi: 1, maxAbs: 1 };
  return f.signed ? { scale: symmetricScale(r.maxAbs, f.bits), zeroPoint: 0 } : affineParams(r.lo, r.hi, f);
}

export function executeFixed(program: LoweredProgram, graph: LayerGraph, params: Params, inputs: Readonly<Record<string, Tensor>>, cfg: FixedConfig): FixedRun {
  const f = cfg.format;
  const tallies: Record<string, LayerTally> = {};
  const tally = (layer: string): LayerTally => (tallies[layer] ??= { accumulatorOverflows: 0, clamps: 0 });
  const byName = new Map(graph.layers.map((l) => [l.name, l]));

  if (f.kind === 'float') {
    const round = f.name === 'fp16' ? roundToFp16 : f.name === 'bf16' ? roundToBf16 : roundToFp32;
    const onGrid = (t: Tensor): Tensor => ({ shape: t.shape, data: Float64Array.from(t.data, round) });
    const qInputs = Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, onGrid(t)]));
    const hasBias = (node: LayerNode) => (node.kind === 'dense' || node.kind === 'conv2d') && node.bias;
    const res = executeProgram(program, graph, params, qInputs, undefined, {
      multiply: (op, _node, a, b) => mat(op.m, op.n, gemmFloat32Acc(a.data.map(round), b.data.map(round), op.m, op.k, op.n)),
      afterOp: (op, node, values) => {
        if (op.kind === 'vector' && op.op === 'loss') return;
        if (op.kind === 'gemm' && hasBias(node)) return;   // rounded after the bias op
        values[node.name] = onGrid(values[node.name]);
        tally(node.name);
      },
    });
    return { values: res.values, output: res.output, tallies };
  }

  const act = new Map<string, QParams>();
  const actOf = (layer: string): QParams => {
    let p = act.get(layer);
    if (!p) act.set(layer, (p = activationParams(f, cfg.ranges[layer])));
    return p;
  };
  const { qmin, qmax } = intRange(f);
  const weightFormat: IntFormat = { ...f, signed: true, zeroPoint: 0 };
  const wq = intRange(weightFormat);
  const accBits = cfg.accumulatorBits;
  const accLo = -(2 ** (accBits - 1)), accHi = 2 ** (accBits - 1) - 1;

  /** x → the integer code (clamped, counted) of a layer's grid. */
  const code = (x: number, p: QParams, layer: string): number => {
    const q = roundHalfEven(x / p.scale) + p.zeroPoint;
    if (q < qmin || q > qmax) {
      tally(layer).clamps++;
      return q < qmin ? qmin : qmax;
    }
    return q;
  };
  const onGrid = (t: Tensor, layer: string): Tensor => {
    const p = actOf(layer);
    const out = new Float64Array(t.data.length);
    for (let i = 0; i < out.length; i++) out[i] = (code(t.data[i], p, layer) - p.zeroPoint) * p.scale;
    return { shape: t.shape, data: out };
  };

  const multiply = (op: GemmOp, node: LayerNode, a: Mat, b: Mat): Mat => {
    const pa = actOf(node.inputs[0]);
    const qa = new Float64Array(a.data.length);
    for (let i = 0; i < qa.length; i++) qa[i] = code(a.data[i], pa, node.inputs[0]) - pa.zeroPoint;
    const { m, k, n } = op;
    const sB = new Float64Array(n);
    const qb = new Float64Array(b.data.length);
    if (node.kind === 'matmul') {
      const pb = actOf(node.inputs[1]);
      sB.fill(pb.scale);
      for (let i = 0; i < qb.length; i++) qb[i] = code(b.data[i], pb, node.inputs[1]) - pb.zeroPoint;
    } else {
      for (let j = 0; j < n; j++) {
        let mx = 0;
        for (let p = 0; p < k; p++) mx = Math.max(mx, Math.abs(b.data[p * n + j]));
        sB[j] = f.fractionBits !== undefined ? 2 ** -f.fractionBits : symmetricScale(mx, f.bits);
      }
      for (let p = 0; p < k; p++) {
        for (let j = 0; j < n; j++) {
          const q = roundHalfEven(b.data[p * n + j] / sB[j]);
          if (q < wq.qmin || q > wq.qmax) tally(node.name).clamps++;
          qb[p * n + j] = q < wq.qmin ? wq.qmin : q > wq.qmax ? wq.qmax : q;
        }
      }
    }
    const run = gemmIntCounted(qa, qb, m, k, n, { accumulatorBits: accBits, overflow: cfg.overflow, engine: cfg.engine, array: cfg.array });
    const acc = run.c;
    const t = tally(node.name);
    t.accumulatorOverflows += Math.max(0, run.overflows);
    const bias = (node.kind === 'dense' || node.kind === 'conv2d') && node.bias ? params[`${node.name}.bias`].data : undefined;
    const po = actOf(node.name);
    const out = new Float64Array(m * n);
    for (let j = 0; j < n; j++) {
      const { multiplier, shift } = quantizeMultiplier((pa.scale * sB[j]) / po.scale);
      const rq = requantizer({ multiplier, shift, rounding: cfg.rounding, zeroPoint: po.zeroPoint });
      const qbias = bias ? overflowInto(roundHalfEven(bias[op.group * n + j] / (pa.scale * sB[j])), accLo, accHi, 'saturate') : 0;
      for (let i = 0; i < m; i++) {
        let x = acc[i * n + j];
        if (qbias !== 0) {
          const y = x + qbias;
          x = overflowInto(y, accLo, accHi, cfg.overflow);
          if (x !== y) t.accumulatorOverflows++;
        }
        if (x >= TWO31 || x < -TWO31) x = x < 0 ? -TWO31 : TWO31 - 1;
        let q = rq(x);
        if (q < qmin || q > qmax) {
          t.clamps++;
          q = q < qmin ? qmin : qmax;
        }
        out[i * n + j] = (q - po.zeroPoint) * po.scale;
      }
    }
    return mat(m, n, out);
  };

  const qInputs = Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, onGrid(t, k)]));
  const res = executeProgram(program, graph, params, qInputs, undefined, {
    multiply,
    skipVector: (op, node) => op.id === `${node.name}.forward.bias`,
    afterOp: (op, node, values) => {
      if (op.kind === 'gemm' || op.op === 'loss') return;
      values[node.name] = onGrid(values[node.name], node.name);
    },
  });
  for (const l of graph.layers) if (byName.has(l.name) && res.values[l.name] && !tallies[l.name] && l.kind !== 'input') tally(l.name);
  return { values: res.values, output: res.output, tallies };
}

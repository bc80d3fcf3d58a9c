/**
 * Runs a LoweredProgram in float64, op by op in program order, to prove the lowering computes what the float engine
 * (sim/float/engine.ts) computes:
 *  - every GEMM is materialized as its A (m×k) and B (k×n) operand matrices from the tensors it names (im2col for
 *    conv forward and backwardWeight, the dilated-padded dY and flipped kernel for conv backwardData, stacked
 *    matrices for shared-operand matmuls) and multiplied with `gemm`; a size that disagrees with the op's m, k, n
 *    throws (execute-gemms.ts);
 *  - bias adds and bias gradients are computed here; every other vector op reuses the float engine's rule for its
 *    layer kind (`floatRules`), the vector unit's arithmetic not being what this file checks;
 *  - layers with no op (input, flatten, reshape, identity dropout) only re-view data: values flow through them when
 *    read, gradients when delivered;
 *  - `.backwardData.sum` ops are the accumulation `deliver` already does; `update` ops are not applied (the result is
 *    the gradients; the optimizer step is sim/float/optimizers.ts's).
 * Dropout masks come from graph.seed drawn in topological order, as in `forward`, so training runs match it.
 * In training, `upstream` = dL/d(output) (default all ones, i.e. L = Σ output). Input gradients are reported only
 * for inputs the program computes a gradient for (see lower.ts on `inputGradients`); an input that `standsFor` a
 * layer passes its gradient on to that layer instead (same element count required: its values are taken as given).
 */
import { inferShapes } from '../ir/graph.js';
import type { LayerGraph, LayerKind, LayerNode } from '../ir/types.js';
import type { Gradients } from '../float/engine.js';
import type { Params } from '../float/init.js';
import { type FloatRule, floatRules } from '../float/layers.js';
import { createRng } from '../float/rng.js';
import { type FloatData, type Tensor, type Tensor64, addInto, asFloat64, asTensor64, reshaped } from '../float/tensor.js';
import { type GemmEnv, gemmExecutors, isGemmKind } from './execute-gemms.js';
import { sizeOf } from './geometry.js';
import type { Mat } from './operands.js';
import type { GemmOp, LoweredOp, LoweredProgram, VectorOp } from './types.js';

export interface ExecuteResult {
  /** Output of every layer (inputs included). */
  readonly values: Readonly<Record<string, Tensor>>;
  readonly output: Tensor;
  /** Training programs only. */
  readonly gradients?: Gradients;
  /** Op ids run (all but `update` ops, which are skipped). */
  readonly executed: readonly string[];
}

/** How sim/fixed/ runs the same program in another arithmetic (all optional; absent = float64). */
export interface ExecuteHooks {
  /** Multiplies a GEMM's materialized operands A (m×k) and B (k×n). */
  readonly multiply?: (op: GemmOp, node: LayerNode, a: Mat, b: Mat) => Mat;
  /** Called before a vector op; returning true skips the op (e.g. a bias the GEMM hook already added). */
  readonly skipVector?: (op: VectorOp, node: LayerNode) => boolean;
  /** Called after every executed op with the live values; may replace values[op.layer] (e.g. requantize it). */
  readonly afterOp?: (op: LoweredOp, node: LayerNode, values: Record<string, Tensor>) => void;
}

function floatRule(node: LayerNode): FloatRule<LayerKind> {
  return floatRules[node.kind] as FloatRule<LayerKind>;
}

export function executeProgram(
  program: LoweredProgram, graph: LayerGraph, params: Params, inputs: Readonly<Record<string, Tensor>>, upstream?: Tensor,
  hooks: ExecuteHooks = {},
): ExecuteResult {
  const training = program.mode === 'training';
  const byName = new Map(graph.layers.map((l) => [l.name, l]));
  const shapes = inferShapes(graph.layers, graph.order, Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, t.shape])));
  const rng = createRng(graph.seed);
  const values: Record<string, Tensor> = { ...inputs };
  const saved: Record<string, unknown> = {};
  const grads = new Map<string, Float64Array>();
  const paramGrads: Record<string, Float64Array> = {};
  const executed: string[] = [];

  // Layers the lowering gives no op: they re-view their single input.
  const passThrough = (node: LayerNode): boolean =>
    node.kind === 'flatten' || node.kind === 'reshape' || (node.kind === 'dropout' && (!training || node.p === 0));
  const layerParams = (name: string): Record<string, Tensor> =>
    Object.fromEntries(Object.keys(graph.paramSpecs[name] ?? {}).map((p) => [p, params[`${name}.${p}`]]));

  // The executor is float64 throughout (it proves the lowering against the float64 engine): values are checked so.
  const value = (name: string): Tensor64 => {
    const have = values[name];
    if (have !== undefined) return asTensor64(have, `the value of "${name}"`);
    const node = byName.get(name)!;
    if (!passThrough(node)) throw new Error(`the program reads "${name}" before any op computes it`);
    return asTensor64(values[name] = reshaped(value(node.inputs[0]), shapes[name]));
  };
  const deliver = (name: string, data: FloatData): void => {
    const node = byName.get(name)!;
    if (passThrough(node)) return deliver(node.inputs[0], data);
    if (node.kind === 'input' && node.standsFor !== undefined) {
      // The stand-in's gradient is the output gradient of the layer it stands for (lower.ts), value for value.
      const target = sizeOf(shapes[node.standsFor]);
      if (data.length !== target) {
        throw new Error(`input "${name}" stands for "${node.standsFor}" but has ${data.length} elements, not ${target}: no values flow between them`);
      }
      return deliver(node.standsFor, data);
    }
    const have = grads.get(name);
    if (have) addInto(have, data);
    else grads.set(name, asFloat64(data, `the gradient of "${name}"`).slice());
  };
  const env: GemmEnv = {
    value,
    shape: (layer) => shapes[layer],
    param: (layer, p) => asTensor64(params[`${layer}.${p}`], `parameter ${layer}.${p}`),
    grad: (layer) => {
      const g = grads.get(layer);
      if (g === undefined) throw new Error(`the program needs dL/d("${layer}") before any op computes it`);
      return g;
    },
    deliver,
    paramGrad: (layer, p) => (paramGrads[`${layer}.${p}`] ??= new Float64Array(params[`${layer}.${p}`].data.length)),
    output: (layer) => asFloat64((values[layer] ??= { shape: shapes[layer], data: new Float64Array(sizeOf(shapes[layer])) }).data),
    ...(hooks.multiply ? { multiply: (op: GemmOp, a: Mat, b: Mat) => hooks.multiply!(op, byName.get(op.layer)!, a, b) } : {}),
  };

  const vector = (op: VectorOp, node: LayerNode): void => {
    if (op.op === 'update') return;   // gradients are the result; see the module comment
    executed.push(op.id);
    if (op.op === 'loss') {
      const out = value(graph.output);
      deliver(graph.output, upstream ? upstream.data : new Float64Array(out.data.length).fill(1));
      return;
    }
    if (op.id === `${node.name}.backwardData.sum`) return;   // deliver accumulates
    if (op.id === `${node.name}.forward.bias`) {
      const y = values[node.name].data, b = params[`${node.name}.bias`].data;
      const inner = biasStride(node, shapes[node.name]);
      for (let i = 0; i < y.length; i++) y[i] += b[Math.floor(i / inner) % b.length];
      return;
    }
    if (op.id === `${node.name}.backwardWeight.bias`) {
      const dy = env.grad(node.name), db = env.paramGrad(node.name, 'bias');
      const inner = biasStride(node, shapes[node.name]);
      for (let i = 0; i < dy.length; i++) db[Math.floor(i / inner) % db.length] += dy[i];
      return;
    }
    const xs = node.inputs.map(value);
    if (op.pass === 'forward') {
      const out = floatRule(node).forward(node, xs, layerParams(node.name), shapes[node.name], { training, rng });
      values[node.name] = out.y;
      saved[node.name] = out.saved;
      return;
    }
    const y = value(node.name);
    const dy = { shape: y.shape, data: env.grad(node.name) };
    const res = floatRule(node).backward(node, dy, xs, y, layerParams(node.name), saved[node.name]);
    res.dxs.forEach((dx, j) => deliver(node.inputs[j], dx.data));
    for (const [p, t] of Object.entries(res.dparams ?? {})) paramGrads[`${node.name}.${p}`] = Float64Array.from(t.data);
  };

  for (const op of program.ops) {
    const node = byName.get(op.layer);
    if (node === undefined) throw new Error(`op ${op.id} names a layer "${op.layer}" the graph does not have`);
    if (op.kind === 'vector') {
      if (hooks.skipVector?.(op, node)) continue;
      vector(op, node);
      hooks.afterOp?.(op, node, values);
      continue;
    }
    if (!isGemmKind(node.kind)) throw new Error(`op ${op.id}: ${node.kind} layers do not lower to GEMMs`);
    (gemmExecutors[node.kind] as (o: typeof op, n: LayerNode, e: GemmEnv) => void)(op, node, env);
    executed.push(op.id);
    hooks.afterOp?.(op, node, values);
  }
  for (const name of graph.order) value(name);   // views nobody read, and a check that every layer was computed

  const result = { values, output: values[graph.output], executed };
  if (!training) return result;
  const paramOut: Record<string, Tensor> = {};
  for (const layer of graph.layers) {
    for (const [p, spec] of Object.entries(graph.paramSpecs[layer.name] ?? {})) {
      const key = `${layer.name}.${p}`;
      if (spec.trainable) paramOut[key] = { shape: spec.shape, data: paramGrads[key] ?? new Float64Array(sizeOf(spec.shape)) };
    }
  }
  const inputOut: Record<string, Tensor> = {};
  for (const layer of graph.layers) {
    const g = grads.get(layer.name);
    if (layer.kind === 'input' && g !== undefined) inputOut[layer.name] = { shape: values[layer.name].shape, data: g };
  }
  return { ...result, gradients: { inputs: inputOut, params: paramOut } };
}

/** Elements per bias value in the output's flat layout: dense biases the last dim, conv the channel dim (NCHW). */
function biasStride(node: LayerNode, out: readonly number[]): number {
  return node.kind === 'conv2d' ? out[2] * out[3] : 1;
}

/**
 * LayerGraph → LoweredProgram: the GEMMs the systolic array runs and the vector ops the vector unit runs, in
 * execution order. Glossary letters (docs/glossary.md): C[m×n] = A[m×k]·B[k×n]; conv N, C, H, W, K, R, S, P, Q;
 * Cg = C/groups, Kg = K/groups. MACs = m·k·n per GEMM.
 *
 * Forward (topological order):
 *   dense   (x [..., in] with rows = product of all but the last dim, W [units, in])
 *           forward         m = rows,   k = in,      n = units           Y = X·Wᵀ
 *   conv2d  one GEMM per group g (id suffix `.g${g}` when groups > 1; depthwise = C groups with Cg = 1)
 *           forward         m = N·P·Q,  k = Cg·R·S,  n = Kg              Y_g = im2col(X_g)·W_gᵀ
 *   matmul  C_i = op(A_i)·op(B_i), op(A) M×K, op(B) K×N, `batch` matrices (product of the batch dims):
 *           both batched → one GEMM per batch matrix (m = M, k = K, n = N; id suffix `.b${i}` when batch > 1);
 *           B shared (rank 2) → one GEMM with the A_i stacked: m = batch·M; A shared → n = batch·N.
 *   Bias adds, activations, pools, add, mul, norms, softmax and dropout (training, p > 0) are vector ops; transpose,
 *   pad and concat are `copy` vector ops; input, flatten and reshape only re-view data and produce no op.
 *
 * Training adds a `loss` op on the output (id `${output}.loss`, pass backwardData: it writes dL/dy), then, in reverse
 * topological order, per layer:
 * a `.backwardData.sum` op when its output's gradient arrives from several consumers, its gradient vector ops,
 * the backwardData GEMM(s), then the backwardWeight GEMM(s) and bias-gradient op; finally one `update` op per
 * trainable parameter (id `${layer}.update.${param}`).
 *   dense   backwardData    m = rows,   k = units,   n = in              dX = dY·W
 *           backwardWeight  m = in,     k = rows,    n = units           dWᵀ = Xᵀ·dY  (reduction over the batch)
 *   conv2d  per group:
 *           backwardData    m = N·H·W,  k = Kg·R·S,  n = Cg              dX_g = im2col(D_g)·F_g, where D_g is dY_g
 *             dilated by the stride (stride−1 zeros between elements) and padded by (R−1)·dilation − padTop on top
 *             (likewise left; negative = cropped) to H + (R−1)·dilation rows, im2col'd with stride 1 and the
 *             layer's dilation, and F_g[(u,v,o), c] = W[g·Kg + o, c, R−1−u, S−1−v] is the 180°-flipped kernel
 *           backwardWeight  m = Cg·R·S, k = N·P·Q,   n = Kg              dW_gᵀ = im2col(X_g)ᵀ·dY_g (over batch × pixels)
 *   matmul  both gradients are backwardData (neither operand is a weight), ids `.dA` / `.dB` (+ `.b${i}`):
 *           dA: d op(A) = dC·op(B)ᵀ   per batch m = M, k = N, n = K; B shared m = batch·M; A shared k = batch·N
 *           dB: d op(B) = op(A)ᵀ·dC   per batch m = K, k = M, n = N; B shared k = batch·M; A shared n = batch·N
 *           (an operand stored transposed gets the transposed result).
 * For stride-1 'same' convs (odd kernel, padding (R−1)/2, dilation 1) and for dense, each backward GEMM has exactly
 * the forward MACs (test/lower/lower.test.ts).
 *
 * Which gradients are lowered: dL/d(value) is needed only when some parameter upstream of it trains, i.e. for a
 * value whose layer has a trainable parameter or reads a value that needs one. Graph inputs need none (no one
 * consumes dX there), so a dense/conv/matmul fed by an input — directly or through activations and views — gets no
 * backwardData GEMM and the layers between it and the input get no gradient ops. `inputGradients: true` keeps them
 * (for input-gradient uses such as saliency maps, and so tests can check every dX). Layers that do not feed the
 * output get no backward ops, as in the float engine.
 *
 * An input that stands for another layer's output (`standsFor`, ir/types.ts; the ifmap of every SCALE-Sim topology
 * row but the first) is treated as that layer's consumer: it needs dX when the layer it stands for does, the
 * backward pass goes on from it into that layer, and its dX counts as one gradient arrival there. So a file of
 * independent rows trains as the chain they describe, each row's dY coming from the next row's dX. When the two
 * shapes differ (SCALE-Sim rows do not chain exactly: unpadded convs, pools and shortcuts between rows), each layer
 * still lowers with its own shapes and the program carries one note saying so (`LoweredProgram.notes`).
 */
import { SimError } from '../base/errors.js';
import { inferShapes, predecessors } from '../ir/graph.js';
import type { InputNode, LayerGraph, LayerKind, LayerNode } from '../ir/types.js';
import { type Shape, sizeOf } from './geometry.js';
import { type LowerRule, type RuleCtx, lowerRules } from './rules.js';
import type { LoweredOp, LoweredProgram, Mode, VectorOp } from './types.js';

export type Optimizer = 'sgd' | 'momentum' | 'adam' | 'rmsprop';

export interface LowerOptions {
  readonly mode: Mode;
  /** Overrides the batch (first) dimension of every input layer. */
  readonly batch?: number;
  /** Decides the optimizer state each update reads (default sgd). */
  readonly optimizer?: Optimizer;
  /** Also lower the gradients that only reach graph inputs (default false; see the module comment). */
  readonly inputGradients?: boolean;
}

/** Optimizer state per parameter element, in multiples of the parameter size (velocity; m and v; square average). */
export const OPTIMIZER_STATE: Readonly<Record<Optimizer, number>> = { sgd: 0, momentum: 1, adam: 2, rmsprop: 1 };

function rule(node: LayerNode): LowerRule<LayerKind> {
  return lowerRules[node.kind] as LowerRule<LayerKind>;
}

/** Layer output shapes at the requested batch. */
export function loweringShapes(graph: LayerGraph, batch?: number): Readonly<Record<string, Shape>> {
  if (batch === undefined) return graph.shapes;
  if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`batch must be a positive integer, got ${batch}`);
  const inputShapes: Record<string, Shape> = {};
  for (const l of graph.layers) if (l.kind === 'input') inputShapes[l.name] = [batch, ...l.shape.slice(1)];
  return inferShapes(graph.layers, graph.order, inputShapes);
}

/** Whether dL/d(value) is needed, per layer (see the module comment). */
export function gradientNeeds(graph: LayerGraph, inputGradients = false): ReadonlyMap<string, boolean> {
  const byName = new Map(graph.layers.map((l) => [l.name, l]));
  const want = new Map<string, boolean>();
  for (const name of graph.order) {
    const node = byName.get(name)!;
    const trains = Object.values(graph.paramSpecs[name] ?? {}).some((p) => p.trainable);
    want.set(name, node.kind === 'input'
      ? inputGradients || (node.standsFor !== undefined && (want.get(node.standsFor) ?? false))
      : trains || node.inputs.some((u) => want.get(u)));
  }
  return want;
}

/** The layers the output depends on (itself included; through `standsFor` too): the only ones a backward pass visits. */
export function ancestorsOfOutput(graph: LayerGraph): ReadonlySet<string> {
  const byName = new Map(graph.layers.map((l) => [l.name, l]));
  const seen = new Set<string>();
  const stack = [graph.output];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    stack.push(...predecessors(byName.get(name)!));
  }
  return seen;
}

export function lowerGraph(graph: LayerGraph, options: LowerOptions): LoweredProgram {
  try {
    return lowerAtBatch(graph, options);
  } catch (e) {
    // A size limit passed only because of the batch override: say so, or the message blames the model file alone.
    throw options.batch !== undefined && e instanceof SimError ? e.under(`at batch ${options.batch}`) : e;
  }
}

function lowerAtBatch(graph: LayerGraph, options: LowerOptions): LoweredProgram {
  const training = options.mode === 'training';
  const shapes = loweringShapes(graph, options.batch);
  const byName = new Map(graph.layers.map((l) => [l.name, l]));
  const want = gradientNeeds(graph, options.inputGradients ?? false);
  const ctxOf = (node: LayerNode): RuleCtx => ({
    inShapes: node.inputs.map((u) => shapes[u]),
    out: shapes[node.name],
    params: graph.paramSpecs[node.name] ?? {},
    training,
    wantDx: node.inputs.map((u) => want.get(u) ?? false),
  });
  const ops: LoweredOp[] = [];
  for (const name of graph.order) {
    const node = byName.get(name)!;
    ops.push(...rule(node).forward(node, ctxOf(node)));
  }
  if (!training) return { model: graph.name, mode: options.mode, ops };

  const outSize = sizeOf(shapes[graph.output]);
  // The loss reads the prediction and the target and writes dL/dy.
  ops.push(vectorOp(graph.output, byName.get(graph.output)!.kind, `${graph.output}.loss`, 'backwardData', 'loss', outSize, 2 * outSize));
  const reach = ancestorsOfOutput(graph);
  const active = (name: string) => reach.has(name) && (want.get(name) ?? false);
  for (let i = graph.order.length - 1; i >= 0; i--) {
    const name = graph.order[i];
    const node = byName.get(name)!;
    if (!active(name) || node.kind === 'input') continue;
    // Gradient contributions to this value: the upstream one, plus one per consuming input slot that sends dX.
    let arrivals = name === graph.output ? 1 : 0;
    for (const l of graph.layers) if (active(l.name)) arrivals += predecessors(l).filter((u) => u === name).length;
    const size = sizeOf(shapes[name]);
    if (arrivals > 1) ops.push(vectorOp(name, node.kind, `${name}.backwardData.sum`, 'backwardData', 'add', size, arrivals * size));
    ops.push(...rule(node).backward(node, ctxOf(node)));
  }
  const stateFactor = OPTIMIZER_STATE[options.optimizer ?? 'sgd'];
  for (const layer of graph.layers) {
    for (const [p, spec] of Object.entries(graph.paramSpecs[layer.name] ?? {})) {
      if (!spec.trainable) continue;
      const size = sizeOf(spec.shape);
      // Reads W, dW and the optimizer state; writes W (the state writes ride along with it).
      ops.push(vectorOp(layer.name, layer.kind, `${layer.name}.update.${p}`, 'update', 'update', size, (2 + stateFactor) * size));
    }
  }
  const notes = standInNotes(graph, shapes, active);
  return { model: graph.name, mode: options.mode, ops, ...(notes.length > 0 ? { notes } : {}) };
}

/** One note when some input stands for an output of another shape: then its dX is that layer's dY in name only. */
function standInNotes(graph: LayerGraph, shapes: Readonly<Record<string, Shape>>, active: (name: string) => boolean): string[] {
  const show = (s: Shape) => `[${s.join(', ')}]`;
  const differ = graph.layers.filter((l): l is InputNode & { standsFor: string } =>
    l.kind === 'input' && l.standsFor !== undefined && active(l.name) && show(shapes[l.name]) !== show(shapes[l.standsFor]));
  if (differ.length === 0) return [];
  const [first] = differ, many = differ.length > 1;
  return [`${differ.length} layer input${many ? 's stand' : ' stands'} for the output of a layer of another shape `
    + `(e.g. ${first.name} ${show(shapes[first.name])} stands for ${first.standsFor} ${show(shapes[first.standsFor])}): `
    + 'the file lists its layers one by one, as SCALE-Sim topologies do, so in training each such dX is lowered at '
    + 'the input\'s own shape and handed on as the upstream layer\'s output gradient, whose backward GEMMs keep that '
    + 'layer\'s own output shape'];
}

function vectorOp(
  layer: string, layerKind: LayerKind, id: string, pass: VectorOp['pass'], op: VectorOp['op'], elements: number, readElements: number,
): VectorOp {
  return { kind: 'vector', id, layer, layerKind, pass, op, elements, readElements };
}

/**
 * The reference float engine over a LayerGraph: forward in topological order, keeping what each layer's backward
 * needs (the tape); backward in reverse order, summing the gradients of values consumed more than once.
 *   forward(graph, params, inputs, { training, seed, arena, keepValues }) → outputs of every layer, updated state, tape
 *   backward(tape, params, upstream, { inputGradients, alloc })         → dL/d(inputs), dL/d(trainable params)
 * With an arena (arena.ts) the large outputs and gradients come from reused buffers; the caller recycles them.
 */
import { SimError } from '../base/errors.js';
import { checkSize } from '../base/limits.js';
import { type Alloc, type Arena, freshLike } from './arena.js';
import { inferShapes } from '../ir/graph.js';
import type { LayerGraph, LayerKind, LayerNode } from '../ir/types.js';
import { type FloatRule, floatRules } from './layers.js';
import type { Params } from './init.js';
import { createRng } from './rng.js';
import {
  type Dtype, type FloatData, type Tensor, addInto, dtypeOf, floatsFor, sameShape, showShape, withDtype, zerosLike,
} from './tensor.js';

export interface ForwardOptions {
  /** Training mode: batch norm uses batch statistics and updates running ones; dropout drops. */
  readonly training?: boolean;
  /** Seed of the dropout masks. */
  readonly seed?: number;
  /** Where the layers' outputs go; the caller recycles the arena once it is done with the result. */
  readonly arena?: Arena;
  /**
   * false: each value goes back to the arena as soon as its last consumer has run (an evaluation needs only the
   * output), and `values` keeps only the values still live at the end — the tape cannot be back-propagated.
   */
  readonly keepValues?: boolean;
}

export interface Tape {
  readonly graph: LayerGraph;
  readonly values: Readonly<Record<string, Tensor>>;
  readonly saved: Readonly<Record<string, unknown>>;
}

export interface ForwardResult {
  /** Output of every layer (inputs included), by layer name. */
  readonly values: Readonly<Record<string, Tensor>>;
  /** The model's output (the graph's `output` layer). */
  readonly output: Tensor;
  /** Non-trainable parameters changed by this pass (batch-norm running statistics in training), keyed `layer.param`. */
  readonly state: Readonly<Record<string, Tensor>>;
  readonly tape: Tape;
}

export interface BackwardOptions {
  /** Whether dL/d(input) is wanted (default true); training does not need it, and a first conv's dx is costly. */
  readonly inputGradients?: boolean;
  /** Where the gradients go (default: fresh arrays); parameter gradients must be used before it is recycled. */
  readonly alloc?: Alloc;
}

export interface Gradients {
  /** dL/d(input) per input layer; none when `inputGradients` is false. */
  readonly inputs: Readonly<Record<string, Tensor>>;
  /** dL/d(param) per trainable parameter, keyed `layer.param`. */
  readonly params: Readonly<Record<string, Tensor>>;
}

function rule(node: LayerNode): FloatRule<LayerKind> {
  return floatRules[node.kind] as FloatRule<LayerKind>;
}

function paramsOf(graph: LayerGraph, params: Params, layer: string): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const name of Object.keys(graph.paramSpecs[layer] ?? {})) out[name] = params[`${layer}.${name}`];
  return out;
}

/** Checks fed inputs against the declared input layers: every one present, same rank and same non-batch dims. */
function checkInputs(graph: LayerGraph, inputs: Readonly<Record<string, Tensor>>): void {
  const declared = graph.layers.filter((l): l is Extract<LayerNode, { kind: 'input' }> => l.kind === 'input');
  for (const key of Object.keys(inputs)) {
    if (!declared.some((l) => l.name === key)) {
      throw new SimError('is not an input layer of the model', {
        code: 'unknownInput', path: `inputs.${key}`, hint: `Inputs: ${declared.map((l) => l.name).join(', ')}.`,
      });
    }
  }
  for (const layer of declared) {
    const t = inputs[layer.name];
    if (t === undefined) {
      throw new SimError(`no value given for input layer "${layer.name}"`, {
        code: 'missingInput', path: `inputs.${layer.name}`, hint: `Give a tensor of shape ${showShape(layer.shape)}.`,
      });
    }
    if (t.shape.length !== layer.shape.length || !sameShape(t.shape.slice(1), layer.shape.slice(1))) {
      throw new SimError(`has shape ${showShape(t.shape)} but input layer "${layer.name}" declares ${showShape(layer.shape)}`, {
        code: 'shapeMismatch', path: `inputs.${layer.name}`, hint: 'Only the batch (first) dimension may differ.',
      });
    }
  }
}

/** The float engine's memory limits, checked before a pass allocates: every output, and all of them (the tape keeps them). */
function checkForwardMemory(graph: LayerGraph, shapes: Readonly<Record<string, readonly number[]>>): void {
  let total = 0;
  for (const name of graph.order) {
    const what = `the output of layer "${name}"`;
    total += floatsFor(shapes[name], what);
    checkSize(total, 'floatPassElements', { path: what }, `the activations of one pass, ${total} values up to it,`);
  }
}

interface Releaser {
  /** Whether the node's one input dies with it and nothing else holds its buffer, so the node may write over it. */
  overwritable(node: LayerNode): boolean;
  /** After the node ran: its inputs that it read last leave `values`, their buffers back to the arena when unheld. */
  after(node: LayerNode): void;
}

/**
 * For a forward that keeps no values: after each layer, the inputs it was the last reader of leave `values`, and a
 * buffer goes back to the arena once no live value holds it (a flatten's output is its input's buffer).
 */
function releaser(graph: LayerGraph, values: Record<string, Tensor>, arena: Arena): Releaser {
  const readers = new Map<string, number>();
  for (const layer of graph.layers) for (const s of layer.inputs) readers.set(s, (readers.get(s) ?? 0) + 1);
  const holders = new Map<FloatData, number>();
  const hold = (buffer: FloatData, by: number): number => {
    const n = (holders.get(buffer) ?? 0) + by;
    holders.set(buffer, n);
    return n;
  };
  const overwritable = (node: LayerNode): boolean => {
    if (node.inputs.length !== 1) return false;
    const s = node.inputs[0], buffer = values[s].data;
    return readers.get(s) === 1 && s !== graph.output && holders.get(buffer) === 1 && arena.owns(buffer);
  };
  const after = (node: LayerNode): void => {
    hold(values[node.name].data, 1);
    for (const s of node.inputs) {
      const left = readers.get(s)! - 1;
      readers.set(s, left);
      if (left > 0 || s === graph.output) continue;
      if (hold(values[s].data, -1) === 0) arena.release(values[s].data);
      delete values[s];
    }
  };
  return { overwritable, after };
}

/** The element type of a model's parameters (`otherwise` when it has none). */
export function paramsDtype(params: Params, otherwise: Dtype = 'float64'): Dtype {
  for (const t of Object.values(params)) return dtypeOf(t.data);
  return otherwise;
}

export function forward(
  graph: LayerGraph, params: Params, given: Readonly<Record<string, Tensor>>, options: ForwardOptions = {},
): ForwardResult {
  checkInputs(graph, given);
  // A pass runs in its parameters' element type (a model without any: its first input's), the inputs converted.
  const first = Object.values(given)[0];
  const dtype = paramsDtype(params, first === undefined ? 'float64' : dtypeOf(first.data));
  const inputs = Object.fromEntries(Object.entries(given).map(([k, t]) => [k, withDtype(t, dtype)]));
  const shapes = inferShapes(graph.layers, graph.order, Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, t.shape])), undefined, false);
  checkForwardMemory(graph, shapes);
  const { arena } = options;
  const ctx = { training: options.training ?? false, rng: createRng(options.seed ?? graph.seed), alloc: arena?.alloc };
  const byName = new Map(graph.layers.map((l) => [l.name, l]));
  const values: Record<string, Tensor> = {};
  const release = arena !== undefined && options.keepValues === false ? releaser(graph, values, arena) : undefined;
  const saved: Record<string, unknown> = {};
  const state: Record<string, Tensor> = {};
  for (const name of graph.order) {
    const node = byName.get(name)!;
    if (node.kind === 'input') {
      values[name] = inputs[name];
      continue;
    }
    const nodeCtx = release?.overwritable(node) ? { ...ctx, overwriteInput: true } : ctx;
    const out = rule(node).forward(node, node.inputs.map((s) => values[s]), paramsOf(graph, params, name), shapes[name], nodeCtx);
    values[name] = out.y;
    saved[name] = out.saved;
    for (const [p, t] of Object.entries(out.state ?? {})) state[`${name}.${p}`] = t;
    release?.after(node);
  }
  return { values, output: values[graph.output], state, tape: { graph, values, saved } };
}

/**
 * Whose gradient someone consumes: an input layer's when input gradients are wanted, the output of a layer with
 * trainable parameters (their gradients come from it), and the output of a layer one of whose inputs is wanted.
 */
function wantedGradients(graph: LayerGraph, byName: ReadonlyMap<string, LayerNode>, inputGradients: boolean): Set<string> {
  const wanted = new Set<string>();
  for (const name of graph.order) {
    const node = byName.get(name)!;
    const trainable = Object.values(graph.paramSpecs[name] ?? {}).some((spec) => spec.trainable);
    if (node.kind === 'input' ? inputGradients : trainable || node.inputs.some((s) => wanted.has(s))) wanted.add(name);
  }
  return wanted;
}

/** Back-propagates `upstream` = dL/d(output of the graph's output layer). */
export function backward(tape: Tape, params: Params, upstream: Tensor, options: BackwardOptions = {}): Gradients {
  const { graph, values, saved } = tape;
  const out = values[graph.output];
  if (!sameShape(upstream.shape, out.shape)) {
    throw new SimError(`has shape ${showShape(upstream.shape)} but the output "${graph.output}" has shape ${showShape(out.shape)}`, {
      code: 'shapeMismatch', path: 'upstream', hint: 'The upstream gradient dL/dy has the shape of the final output.',
    });
  }
  const byName = new Map(graph.layers.map((l) => [l.name, l]));
  const inputGradients = options.inputGradients ?? true;
  const alloc = options.alloc ?? freshLike(out.data);
  const wanted = wantedGradients(graph, byName, inputGradients);
  const up = withDtype(upstream, dtypeOf(out.data));
  const grads = new Map<string, FloatData>([[graph.output, up === upstream ? upstream.data.slice() : up.data]]);
  // A rule's gradient is kept as it is (rules allocate their dx, or pass dy through as a view), and copied only
  // when a second one must be added into it — so a passed-through dy is never written to, and a value consumed
  // once costs no copy.
  const summed = new Set<string>();
  const accumulate = (name: string, g: Tensor): void => {
    const have = grads.get(name);
    if (have === undefined) {
      grads.set(name, g.data);
    } else if (summed.has(name)) {
      addInto(have, g.data);
    } else {
      const sum = alloc(have.length, true);
      sum.set(have);
      addInto(sum, g.data);
      grads.set(name, sum);
      summed.add(name);
    }
  };
  const paramGrads: Record<string, Tensor> = {};
  const inputGrads: Record<string, Tensor> = {};
  for (let i = graph.order.length - 1; i >= 0; i--) {
    const name = graph.order[i];
    const node = byName.get(name)!;
    const g = grads.get(name);
    if (node.kind === 'input') {
      if (inputGradients) inputGrads[name] = { shape: values[name].shape, data: g ?? zerosLike(values[name].data, values[name].data.length) };
      continue;
    }
    if (g === undefined || !wanted.has(name)) continue; // does not feed the output, or no one needs what it gives
    const xs = node.inputs.map((s) => values[s]);
    const needDx = node.inputs.map((s) => wanted.has(s));
    const res = rule(node).backward(node, { shape: values[name].shape, data: g }, xs, values[name], paramsOf(graph, params, name),
      saved[name], { needDx, alloc });
    res.dxs.forEach((dx, j) => { if (needDx[j]) accumulate(node.inputs[j], dx); });
    for (const [p, t] of Object.entries(res.dparams ?? {})) paramGrads[`${name}.${p}`] = t;
  }
  // Every trainable parameter is reported, in file order; those of layers that do not feed the output get zeros.
  const ordered: Record<string, Tensor> = {};
  for (const layer of graph.layers) {
    for (const [p, spec] of Object.entries(graph.paramSpecs[layer.name] ?? {})) {
      const key = `${layer.name}.${p}`;
      if (spec.trainable) ordered[key] = paramGrads[key] ?? { shape: spec.shape, data: zerosLike(params[key].data, params[key].data.length) };
    }
  }
  const inputs = inputGradients
    ? Object.fromEntries(graph.layers.filter((l) => l.kind === 'input').map((l) => [l.name, inputGrads[l.name]]))
    : {};
  return { inputs, params: ordered };
}

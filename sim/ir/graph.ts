/**
 * ParsedModel → validated LayerGraph: every input names an existing layer, the graph has no cycle, every shape
 * is inferred and every given parameter has the shape its layer needs, and every size is within docs/limits.md's
 * limits. Errors name the file, layer and field.
 */
import { SimError } from '../base/errors.js';
import { type At, child } from '../base/fields.js';
import { checkProduct, checkSize } from '../base/limits.js';
import type { ParsedModel } from './parse.js';
import { type Shape, ShapeProblem, arityOf, inferShape, paramSpecsOf } from './shapes.js';
import type { LayerGraph, LayerNode, ParamSpec, ParamTensor } from './types.js';

const show = (s: Shape): string => `[${s.join(', ')}]`;

function layerAt(file: string | undefined, index: number): At {
  return { file, path: `layers[${index}]` };
}

/**
 * What a layer must come after, and where its output gradient goes on to: its inputs or, for an input that stands for
 * another layer's output, that layer (so the backward pass, in reverse order, reaches the stand-in before the layer
 * it hands the gradient to).
 */
export function predecessors(node: LayerNode): readonly string[] {
  return node.kind === 'input' && node.standsFor !== undefined ? [node.standsFor] : node.inputs;
}

/** Topological order (Kahn's algorithm, ties broken by file order so the result is deterministic). */
function topoOrder(layers: readonly LayerNode[], file?: string): string[] {
  const index = new Map(layers.map((l, i) => [l.name, i]));
  const pending = layers.map((l) => new Set(predecessors(l)).size);
  const consumers = layers.map(() => [] as number[]);
  layers.forEach((l, i) => {
    for (const src of new Set(predecessors(l))) consumers[index.get(src)!].push(i);
  });
  const ready = layers.map((_, i) => i).filter((i) => pending[i] === 0);
  const order: string[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => a - b);
    const i = ready.shift()!;
    order.push(layers[i].name);
    for (const j of consumers[i]) if (--pending[j] === 0) ready.push(j);
  }
  if (order.length < layers.length) {
    const stuck = layers.filter((_, i) => pending[i] > 0).map((l) => l.name);
    throw new SimError('the layers form a cycle', {
      code: 'cycle', file, path: 'layers', value: stuck,
      hint: 'A layer cannot depend, directly or through others, on its own output.',
    });
  }
  return order;
}

/**
 * Shapes of every layer for the given input shapes (keyed by input layer name), in topological order, each within the
 * `dim` and `tensorElements` limits. `limitGemms` also holds the GEMMs of one pass to `gemmsPerPass` (the lowering
 * traces each one, at any `--batch`) and their MACs to `macsPerPass`; the float engine, which runs a layer as one
 * batched kernel and has its own memory limits, passes false.
 */
export function inferShapes(
  layers: readonly LayerNode[], order: readonly string[], inputShapes: Readonly<Record<string, Shape>>, file?: string, limitGemms = true,
): Record<string, Shape> {
  const index = new Map(layers.map((l, i) => [l.name, i]));
  const shapes: Record<string, Shape> = {};
  let gemms = 0, macs = 0;
  for (const name of order) {
    const i = index.get(name)!;
    const node = layers[i];
    const ins = node.inputs.map((src) => shapes[src]);
    try {
      shapes[name] = node.kind === 'input' ? inputShapes[name] ?? node.shape : inferShape(node, ins);
    } catch (e) {
      if (!(e instanceof ShapeProblem)) throw e;
      const at = layerAt(file, i);
      const fieldAt = e.field ? child(at, e.field) : at;
      throw new SimError(`(${node.kind} "${name}") ${e.message}`, {
        code: 'shapeMismatch', file, path: fieldAt.path, ...(e.value !== undefined ? { value: e.value } : {}),
        hint: `Input shapes: ${node.inputs.map((s, j) => `${s} ${show(ins[j])}`).join(', ') || 'none'}.`,
      });
    }
    checkShape(shapes[name], `the output ${show(shapes[name])} of ${node.kind} "${name}"`, layerAt(file, i));
    gemms += gemmsOf(node, ins);
    macs += macsOf(node, ins, shapes[name]);
    if (limitGemms) {
      checkSize(gemms, 'gemmsPerPass', layerAt(file, i), `the GEMM count of one pass (counted up to ${node.kind} "${name}")`);
      checkSize(macs, 'macsPerPass', layerAt(file, i), `the MAC count of one forward pass (counted up to ${node.kind} "${name}")`);
    }
  }
  return shapes;
}

/** Every dimension within the `dim` limit and the element count within `tensorElements` (docs/limits.md). */
function checkShape(shape: Shape, what: string, at: At): void {
  for (const d of shape) checkSize(d, 'dim', at, `a dimension of ${what}`);
  checkProduct(shape, 'tensorElements', at, `the element count of ${what}`);
}

/** GEMMs a layer lowers to in one pass (sim/lower/lower.ts): one per group of a conv, one per batch matrix of a matmul of two batched operands. */
function gemmsOf(node: LayerNode, ins: readonly Shape[]): number {
  const batch = (s: Shape) => s.slice(0, -2).reduce((p, d) => p * d, 1);
  switch (node.kind) {
    case 'conv2d': return node.groups;
    case 'dense': return 1;
    case 'matmul': return ins[0].length > 2 && ins[1].length > 2 ? Math.max(batch(ins[0]), batch(ins[1])) : 1;
    default: return 0;
  }
}

/** MACs of a layer's GEMMs in one forward pass: each output element costs one MAC per element of its dot product. */
function macsOf(node: LayerNode, ins: readonly Shape[], out: Shape): number {
  const elements = out.reduce((p, d) => p * d, 1);
  switch (node.kind) {
    case 'conv2d': return elements * (ins[0][1] / node.groups) * node.kernel[0] * node.kernel[1];
    case 'dense': return elements * ins[0][ins[0].length - 1];
    case 'matmul': return elements * ins[0][ins[0].length - (node.transposeA ? 2 : 1)];
    default: return 0;
  }
}

/** Every parameter tensor within the `dim` and `tensorElements` limits (docs/limits.md). */
function checkParamSizes(layers: readonly LayerNode[], specs: Readonly<Record<string, Record<string, ParamSpec>>>, file?: string): void {
  layers.forEach((node, i) => {
    for (const [p, spec] of Object.entries(specs[node.name] ?? {})) checkShape(spec.shape, `the ${p} ${show(spec.shape)} of ${node.kind} "${node.name}"`, layerAt(file, i));
  });
}

export function buildGraph(model: ParsedModel, file?: string): LayerGraph {
  const { layers } = model;
  const names = new Set(layers.map((l) => l.name));
  layers.forEach((node, i) => {
    const at = layerAt(file, i);
    const [min, max] = arityOf(node.kind);
    if (node.inputs.length < min || node.inputs.length > max) {
      const want = min === max ? `exactly ${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
      throw new SimError(`${node.kind} "${node.name}" takes ${want} input${max === 1 ? '' : 's'}`, {
        code: 'arity', file, path: child(at, 'inputs').path, value: node.inputs,
      });
    }
    node.inputs.forEach((src, j) => {
      if (!names.has(src)) {
        throw new SimError(`names a layer that does not exist`, {
          code: 'danglingInput', file, path: child(child(at, 'inputs'), j).path, value: src,
          hint: `Layers: ${[...names].slice(0, 12).join(', ')}${names.size > 12 ? ', …' : ''}.`,
        });
      }
      if (src === node.name) {
        throw new SimError('a layer cannot read its own output', { code: 'cycle', file, path: child(at, 'inputs').path, value: src });
      }
    });
    if (node.kind === 'input' && node.standsFor !== undefined) checkStandsFor(node.standsFor, node.name, names, child(at, 'standsFor'));
  });
  const order = topoOrder(layers, file);
  const shapes = inferShapes(layers, order, {}, file);
  const paramSpecs: Record<string, Record<string, ParamSpec>> = {};
  layers.forEach((node) => {
    const specs = paramSpecsOf(node, node.inputs.map((s) => shapes[s]));
    if (Object.keys(specs).length > 0) paramSpecs[node.name] = specs;
  });
  checkParamSizes(layers, paramSpecs, file);
  const output = model.output ?? layers[layers.length - 1].name;
  if (!names.has(output)) {
    throw new SimError('names a layer that does not exist', { code: 'danglingInput', file, path: 'output', value: output });
  }
  const givenParams: Record<string, ParamTensor> = {};
  for (const [key, { tensor, at }] of Object.entries(model.params)) {
    const [layer, param] = splitKey(key);
    const specs = paramSpecs[layer] ?? {};
    const spec = specs[param];
    if (spec === undefined) {
      const allowed = Object.keys(specs);
      throw new SimError(`is not a parameter of layer "${layer}"`, {
        code: 'unknownParam', file: at.file, path: at.path, value: param,
        hint: allowed.length ? `Allowed: ${allowed.join(', ')}.` : 'This layer has no parameters.',
      });
    }
    if (show(spec.shape) !== show(tensor.shape)) {
      throw new SimError(`has shape ${show(tensor.shape)} but layer "${layer}" needs ${show(spec.shape)}`, {
        code: 'shapeMismatch', file: at.file, path: at.path,
        hint: paramLayoutHint(layers.find((l) => l.name === layer)!, param),
      });
    }
    givenParams[key] = tensor;
  }
  return { name: model.name, layers, order, output, shapes, paramSpecs, givenParams, seed: model.seed, init: model.init };
}

function checkStandsFor(target: string, self: string, names: ReadonlySet<string>, at: At): void {
  if (target === self) throw new SimError('an input cannot stand for itself', { code: 'cycle', file: at.file, path: at.path, value: target });
  if (!names.has(target)) {
    throw new SimError('names a layer that does not exist', {
      code: 'danglingInput', file: at.file, path: at.path, value: target,
      hint: `standsFor names the layer whose output this input stands for. Layers: ${[...names].slice(0, 12).join(', ')}${names.size > 12 ? ', …' : ''}.`,
    });
  }
}

export function splitKey(key: string): [string, string] {
  const dot = key.lastIndexOf('.');
  return [key.slice(0, dot), key.slice(dot + 1)];
}

function paramLayoutHint(node: LayerNode, param: string): string {
  if (node.kind === 'conv2d' && param === 'weight') return 'Conv weights are [filters, inChannels/groups, kernelH, kernelW].';
  if (node.kind === 'dense' && param === 'weight') return 'Dense weights are [units, inFeatures] (y = x·Wᵀ + b).';
  return 'See models/README.md for parameter layouts.';
}

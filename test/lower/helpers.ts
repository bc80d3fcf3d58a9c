/**
 * Small graphs for the lowering tests: model documents → LayerGraph through the real parser, seeded parameters and
 * inputs, and an rtol/atol comparison of tensors.
 */
import fc from 'fast-check';
import { buildGraph } from '../../sim/ir/graph.js';
import { parseModel } from '../../sim/ir/parse.js';
import type { LayerGraph } from '../../sim/ir/types.js';
import { type Params, initParams } from '../../sim/float/init.js';
import type { Tensor } from '../../sim/float/tensor.js';
import { mulberry32 } from '../helpers/gradcheck.js';

export type Doc = Record<string, unknown>;

/** A graph from input shapes and layer documents (models/README.md format); output defaults to the last layer. */
export function graphOf(inputs: Record<string, readonly number[]>, layers: readonly Doc[], output?: string, seed = 7): LayerGraph {
  const inputLayers = Object.entries(inputs).map(([name, shape]) => ({ name, kind: 'input', shape: [...shape] }));
  return buildGraph(parseModel({ name: 'case', seed, layers: [...inputLayers, ...layers], ...(output ? { output } : {}) }));
}

/** Parameters from the model seed; biases and norm affine params also randomized so every term is exercised. */
export function paramsOf(graph: LayerGraph, seed: number): Params {
  const params = initParams(graph, seed);
  const rand = mulberry32(seed ^ 0x5bd1e995);
  for (const [key, t] of Object.entries(params)) {
    if (key.endsWith('.runningVar')) continue;
    for (let i = 0; i < t.data.length; i++) t.data[i] = 2 * rand() - 1;
  }
  return params;
}

export function randomTensor(shape: readonly number[], rand: () => number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape: [...shape], data: Float64Array.from({ length: n }, () => 2 * rand() - 1) };
}

/** Random inputs of the declared shapes, or with the batch (first) dimension replaced. */
export function inputsOf(graph: LayerGraph, seed: number, batch?: number): Record<string, Tensor> {
  const rand = mulberry32(seed);
  const out: Record<string, Tensor> = {};
  for (const l of graph.layers) {
    if (l.kind === 'input') out[l.name] = randomTensor(batch === undefined ? l.shape : [batch, ...l.shape.slice(1)], rand);
  }
  return out;
}

export const RTOL = 1e-9;
export const ATOL = 1e-12;

/** null when every element satisfies |a − e| ≤ ATOL + RTOL·|e|, else a description of the worst one. */
export function mismatch(what: string, actual: Tensor | undefined, expected: Tensor): string | null {
  if (actual === undefined) return `${what}: missing`;
  if (actual.shape.join() !== expected.shape.join()) return `${what}: shape [${actual.shape}] ≠ [${expected.shape}]`;
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i], e = expected.data[i];
    if (!(Math.abs(a - e) <= ATOL + RTOL * Math.abs(e))) return `${what}[${i}]: ${a} ≠ ${e}`;
  }
  return null;
}

/** A random conv layer (any stride, dilation, asymmetric padding, groups incl. depthwise) on a fitting input. */
export const convCase = fc.record({
  n: fc.integer({ min: 1, max: 3 }), groups: fc.integer({ min: 1, max: 3 }), cg: fc.integer({ min: 1, max: 3 }), kg: fc.integer({ min: 1, max: 3 }),
  r: fc.integer({ min: 1, max: 3 }), s: fc.integer({ min: 1, max: 3 }), stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
  dilation: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
  padding: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })),
  extraH: fc.integer({ min: 0, max: 4 }), extraW: fc.integer({ min: 0, max: 4 }),
});

export type ConvCase = typeof convCase extends fc.Arbitrary<infer T> ? T : never;

export function convDoc(c: ConvCase): { shape: number[]; layer: Doc } {
  const h = c.dilation[0] * (c.r - 1) + 1 + c.extraH, w = c.dilation[1] * (c.s - 1) + 1 + c.extraW;
  return {
    shape: [c.n, c.cg * c.groups, h, w],
    layer: { name: 'c', kind: 'conv2d', filters: c.kg * c.groups, kernel: [c.r, c.s], stride: c.stride, dilation: c.dilation, padding: c.padding, groups: c.groups },
  };
}


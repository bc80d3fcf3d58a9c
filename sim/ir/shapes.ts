/**
 * Shape inference and parameter shapes, one rule per layer kind. Pure: input shapes in, output shape out.
 * A rule that finds a problem throws ShapeProblem naming the offending field and shapes; `ir/graph.ts` adds the
 * file and layer to it.
 */
import type { LayerKind, LayerNode, NodeOf, ParamSpec, Pool2dNode } from './types.js';

export type Shape = readonly number[];

export class ShapeProblem extends Error {
  constructor(message: string, readonly field?: string, readonly value?: unknown) {
    super(message);
  }
}

const show = (s: Shape): string => `[${s.join(', ')}]`;

interface ShapeRule<K extends LayerKind> {
  /** How many inputs the kind takes: exact count, or [min, max]. */
  readonly arity: number | readonly [number, number];
  readonly shape: (node: NodeOf<K>, inputs: readonly Shape[]) => Shape;
  readonly params?: (node: NodeOf<K>, inputs: readonly Shape[]) => Record<string, ParamSpec>;
}

function requireRank(node: LayerNode, s: Shape, ranks: readonly number[], what = 'input'): void {
  if (!ranks.includes(s.length)) {
    throw new ShapeProblem(
      `${node.kind} needs a rank-${ranks.join(' or ')} ${what} (${ranks.includes(4) ? 'N, C, H, W' : 'with a batch dimension'}), got ${show(s)} from "${node.inputs[0]}"`,
      'inputs',
    );
  }
}

/** One spatial output size: floor((in + pads − dilation·(kernel − 1) − 1) / stride) + 1, or ceil for ceil mode. */
export function outputSize(
  inSize: number, padBefore: number, padAfter: number, kernel: number, stride: number, dilation: number, ceilMode: boolean,
): number {
  const span = inSize + padBefore + padAfter - dilation * (kernel - 1) - 1;
  if (span < 0) return 0;
  let out = (ceilMode ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  // PyTorch: in ceil mode the last window must start inside the input or the left padding.
  if (ceilMode && (out - 1) * stride >= inSize + padBefore) out -= 1;
  return out;
}

function poolShape(node: Pool2dNode, [x]: readonly Shape[]): Shape {
  requireRank(node, x, [4]);
  const [kh, kw] = node.kernel;
  const [pt, pb, pl, pr] = node.padding;
  if (Math.max(pt, pb) > kh / 2 || Math.max(pl, pr) > kw / 2) {
    throw new ShapeProblem(`padding must be at most half the kernel ${show(node.kernel)}`, 'padding', node.padding);
  }
  const p = outputSize(x[2], pt, pb, kh, node.stride[0], 1, node.ceilMode);
  const q = outputSize(x[3], pl, pr, kw, node.stride[1], 1, node.ceilMode);
  if (p < 1 || q < 1) {
    throw new ShapeProblem(`kernel ${show(node.kernel)} is larger than the padded input ${show(x)}`, 'kernel', node.kernel);
  }
  return [x[0], x[1], p, q];
}

const same = (_n: LayerNode, [x]: readonly Shape[]): Shape => x;

/** NumPy broadcasting of any number of shapes; throws naming both shapes when two dims differ and neither is 1. */
export function broadcastShapes(shapes: readonly Shape[], names: readonly string[] = []): Shape {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  const from = new Array<number>(rank).fill(-1);
  shapes.forEach((s, i) => {
    for (let d = 0; d < s.length; d++) {
      const od = rank - s.length + d;
      if (s[d] === out[od] || s[d] === 1) continue;
      if (out[od] !== 1) {
        const a = from[od];
        throw new ShapeProblem(
          `shapes ${show(shapes[a])} of "${names[a] ?? a}" and ${show(s)} of "${names[i] ?? i}" cannot be broadcast together`,
          'inputs',
        );
      }
      out[od] = s[d];
      from[od] = i;
    }
    for (let d = 0; d < s.length; d++) if (from[rank - s.length + d] === -1) from[rank - s.length + d] = i;
  });
  return out;
}

function normAxis(axis: number, rank: number, field: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) {
    throw new ShapeProblem(`${field} must be in [${-rank}, ${rank - 1}] for a rank-${rank} input`, field, axis);
  }
  return a;
}

/** Resolves −1 and 0 in a reshape target against the input shape. */
export function resolveReshape(target: Shape, input: Shape): Shape {
  const size = input.reduce((a, b) => a * b, 1);
  const out = target.map((d, i) => (d === 0 ? input[i] : d));
  const minus = out.filter((d) => d === -1).length;
  if (minus > 1) throw new ShapeProblem('only one dimension may be -1', 'shape', target);
  const known = out.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  if (minus === 1 && known > 0 && size % known === 0) return out.map((d) => (d === -1 ? size / known : d));
  if (minus === 0 && known === size) return out;
  throw new ShapeProblem(`cannot reshape ${show(input)} (${size} elements) to ${show(target)}`, 'shape', target);
}

const linear = (role: 'weight' | 'bias', shape: readonly number[], fanIn: number, fanOut: number): ParamSpec => ({
  shape, role, trainable: true, init: 'zeros', fanIn, fanOut,
});

export const shapeRules: { readonly [K in LayerKind]: ShapeRule<K> } = {
  input: { arity: 0, shape: (node) => node.shape },
  dense: {
    arity: 1,
    shape: (node, [x]) => {
      if (x.length < 1) throw new ShapeProblem(`dense needs an input with a feature dimension, got ${show(x)}`, 'inputs');
      return [...x.slice(0, -1), node.units];
    },
    params: (node, [x]) => {
      const inF = x[x.length - 1];
      const p: Record<string, ParamSpec> = { weight: linear('weight', [node.units, inF], inF, node.units) };
      if (node.bias) p.bias = linear('bias', [node.units], inF, node.units);
      return p;
    },
  },
  conv2d: {
    arity: 1,
    shape: (node, [x]) => {
      requireRank(node, x, [4]);
      const [n, c, h, w] = x;
      if (c % node.groups !== 0) {
        throw new ShapeProblem(`groups ${node.groups} must divide the input channels ${c} of ${show(x)}`, 'groups', node.groups);
      }
      if (node.filters % node.groups !== 0) {
        throw new ShapeProblem(`groups ${node.groups} must divide filters ${node.filters}`, 'groups', node.groups);
      }
      const [pt, pb, pl, pr] = node.padding;
      const p = outputSize(h, pt, pb, node.kernel[0], node.stride[0], node.dilation[0], false);
      const q = outputSize(w, pl, pr, node.kernel[1], node.stride[1], node.dilation[1], false);
      if (p < 1 || q < 1) {
        throw new ShapeProblem(
          `kernel ${show(node.kernel)} (dilation ${show(node.dilation)}) is larger than the padded input ${show(x)}`,
          'kernel', node.kernel,
        );
      }
      return [n, node.filters, p, q];
    },
    params: (node, [x]) => {
      const cg = x[1] / node.groups;
      const field = node.kernel[0] * node.kernel[1];
      const [fin, fout] = [cg * field, node.filters * field];
      const p: Record<string, ParamSpec> = { weight: linear('weight', [node.filters, cg, ...node.kernel], fin, fout) };
      if (node.bias) p.bias = linear('bias', [node.filters], fin, fout);
      return p;
    },
  },
  maxPool2d: { arity: 1, shape: poolShape },
  avgPool2d: { arity: 1, shape: poolShape },
  globalAvgPool: {
    arity: 1,
    shape: (node, [x]) => {
      requireRank(node, x, [4]);
      return node.keepDims ? [x[0], x[1], 1, 1] : [x[0], x[1]];
    },
  },
  flatten: {
    arity: 1,
    shape: (node, [x]) => {
      const start = normAxis(node.startDim, x.length, 'startDim');
      return [...x.slice(0, start), x.slice(start).reduce((a, b) => a * b, 1)];
    },
  },
  reshape: { arity: 1, shape: (node, [x]) => resolveReshape(node.shape, x) },
  transpose: {
    arity: 1,
    shape: (node, [x]) => {
      const ok = node.perm.length === x.length && [...node.perm].sort((a, b) => a - b).every((v, i) => v === i);
      if (!ok) throw new ShapeProblem(`perm must be a permutation of 0..${x.length - 1} for input ${show(x)}`, 'perm', node.perm);
      return node.perm.map((p) => x[p]);
    },
  },
  pad: {
    arity: 1,
    shape: (node, [x]) => {
      if (x.length < 2) throw new ShapeProblem(`pad needs rank ≥ 2, got ${show(x)}`, 'inputs');
      const [pt, pb, pl, pr] = node.padding;
      return [...x.slice(0, -2), x[x.length - 2] + pt + pb, x[x.length - 1] + pl + pr];
    },
  },
  add: { arity: [1, Infinity], shape: (node, xs) => broadcastShapes(xs, node.inputs) },
  mul: { arity: [1, Infinity], shape: (node, xs) => broadcastShapes(xs, node.inputs) },
  concat: {
    arity: [1, Infinity],
    shape: (node, xs) => {
      const first = xs[0];
      const axis = normAxis(node.axis, first.length, 'axis');
      xs.forEach((s, i) => {
        if (s.length !== first.length || s.some((d, j) => j !== axis && d !== first[j])) {
          throw new ShapeProblem(
            `inputs "${node.inputs[0]}" ${show(first)} and "${node.inputs[i]}" ${show(s)} must match on every axis but ${axis}`,
            'inputs',
          );
        }
      });
      return first.map((d, j) => (j === axis ? xs.reduce((a, s) => a + s[axis], 0) : d));
    },
  },
  matmul: {
    arity: 2,
    shape: (node, [a, b]) => {
      if (a.length < 2 || b.length < 2) {
        throw new ShapeProblem(`matmul needs rank ≥ 2 inputs, got ${show(a)} and ${show(b)}`, 'inputs');
      }
      const [m, ka] = node.transposeA ? [a[a.length - 1], a[a.length - 2]] : [a[a.length - 2], a[a.length - 1]];
      const [kb, n] = node.transposeB ? [b[b.length - 1], b[b.length - 2]] : [b[b.length - 2], b[b.length - 1]];
      const batchA = a.slice(0, -2), batchB = b.slice(0, -2);
      const batchOk = batchA.length === 0 || batchB.length === 0 || show(batchA) === show(batchB);
      if (ka !== kb || !batchOk) {
        throw new ShapeProblem(
          `cannot multiply "${node.inputs[0]}" ${show(a)} by "${node.inputs[1]}" ${show(b)}` +
            (ka !== kb ? ` (inner dimensions ${ka} and ${kb} differ)` : ' (batch dimensions differ)'),
          'inputs',
        );
      }
      return [...(batchA.length ? batchA : batchB), m, n];
    },
  },
  relu: { arity: 1, shape: same },
  relu6: { arity: 1, shape: same },
  clip: { arity: 1, shape: same },
  leakyRelu: { arity: 1, shape: same },
  sigmoid: { arity: 1, shape: same },
  tanh: { arity: 1, shape: same },
  gelu: { arity: 1, shape: same },
  softmax: {
    arity: 1,
    shape: (node, [x]) => {
      normAxis(node.axis, x.length, 'axis');
      return x;
    },
  },
  layerNorm: {
    arity: 1,
    shape: (node, [x]) => {
      const ns = node.normalizedShape;
      if (ns !== null && (ns.length > x.length || show(x.slice(x.length - ns.length)) !== show(ns))) {
        throw new ShapeProblem(`normalizedShape must equal the trailing dimensions of the input ${show(x)}`, 'normalizedShape', ns);
      }
      return x;
    },
    params: (node, [x]): Record<string, ParamSpec> => {
      if (!node.affine) return {};
      const shape = node.normalizedShape ?? [x[x.length - 1]];
      return { weight: { shape, role: 'scale', trainable: true, init: 'ones' }, bias: { shape, role: 'shift', trainable: true, init: 'zeros' } };
    },
  },
  batchNorm: {
    arity: 1,
    shape: (node, [x]) => {
      requireRank(node, x, [2, 3, 4]);
      return x;
    },
    params: (node, [x]) => {
      const c = [x[1]];
      const stats: Record<string, ParamSpec> = {
        runningMean: { shape: c, role: 'stat', trainable: false, init: 'zeros' },
        runningVar: { shape: c, role: 'stat', trainable: false, init: 'ones' },
      };
      return node.affine
        ? { weight: { shape: c, role: 'scale', trainable: true, init: 'ones' }, bias: { shape: c, role: 'shift', trainable: true, init: 'zeros' }, ...stats }
        : stats;
    },
  },
  dropout: { arity: 1, shape: same },
};

/** The output shape of one node given its input shapes (dispatch through the typed table). */
export function inferShape(node: LayerNode, inputs: readonly Shape[]): Shape {
  const rule = shapeRules[node.kind] as ShapeRule<LayerKind>;
  return rule.shape(node as never, inputs);
}

export function paramSpecsOf(node: LayerNode, inputs: readonly Shape[]): Record<string, ParamSpec> {
  const rule = shapeRules[node.kind] as ShapeRule<LayerKind>;
  return rule.params ? rule.params(node as never, inputs) : {};
}

export function arityOf(kind: LayerKind): readonly [number, number] {
  const a = shapeRules[kind].arity;
  return typeof a === 'number' ? [a, a] : a;
}

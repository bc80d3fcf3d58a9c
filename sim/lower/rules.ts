/**
 * Per-kind lowering: what each layer kind puts on the array (GEMMs) and on the vector unit (VectorOps), forward and
 * backward. A Record over LayerKind, so a new kind fails to compile until it says how it lowers.
 *
 * Vector-op accounting: `elements` = elements produced, `readElements` = elements read (inputs, saved activations,
 * parameters). Backward vector ops are on the data path (pass 'backwardData') except the bias gradient, a
 * reduction of dY that produces a parameter gradient (pass 'backwardWeight').
 */
import type { LayerKind, LayerNode, NodeOf, ParamSpec } from '../ir/types.js';
import { type Shape, sizeOf } from './geometry.js';
import { convGemms, denseGemms, matmulGemms } from './gemms.js';
import type { LoweredOp, Pass, VectorOp, VectorOpKind } from './types.js';

export interface RuleCtx {
  readonly inShapes: readonly Shape[];
  readonly out: Shape;
  readonly params: Readonly<Record<string, ParamSpec>>;
  readonly training: boolean;
  /** Per input: whether dL/d(input) is needed (lower.ts decides; see its module comment). */
  readonly wantDx: readonly boolean[];
}

export interface LowerRule<K extends LayerKind> {
  forward(node: NodeOf<K>, c: RuleCtx): LoweredOp[];
  /** Called in training only, for layers on a path to the output whose output gradient is needed. */
  backward(node: NodeOf<K>, c: RuleCtx): LoweredOp[];
}

export function vec(node: LayerNode, pass: Pass, op: VectorOpKind, elements: number, readElements: number, suffix = ''): VectorOp {
  return { kind: 'vector', id: `${node.name}.${pass}${suffix}`, layer: node.name, layerKind: node.kind, pass, op, elements, readElements };
}

const inSize = (c: RuleCtx, i = 0): number => sizeOf(c.inShapes[i]);
const outSize = (c: RuleCtx): number => sizeOf(c.out);
/** Total size of the inputs whose gradient is wanted. */
const wantedSize = (c: RuleCtx): number => c.inShapes.reduce((s, sh, i) => s + (c.wantDx[i] ? sizeOf(sh) : 0), 0);
const paramSize = (c: RuleCtx): number =>
  Object.values(c.params).reduce((s, p) => s + sizeOf(p.shape), 0);

/** Elementwise activation: reads x, writes y; gradient reads dY and x (or y). */
function activation<K extends LayerKind>(): LowerRule<K> {
  return {
    forward: (node, c) => [vec(node, 'forward', 'activation', outSize(c), inSize(c))],
    backward: (node, c) => (c.wantDx[0] ? [vec(node, 'backwardData', 'activationGrad', inSize(c), 2 * outSize(c))] : []),
  };
}

/** Pure data movement that still copies (transpose, pad, concat): a 'copy' each way. */
function copy<K extends LayerKind>(): LowerRule<K> {
  return {
    forward: (node, c) => [vec(node, 'forward', 'copy', outSize(c), c.inShapes.reduce((s, sh) => s + sizeOf(sh), 0))],
    backward: (node, c) => (wantedSize(c) > 0 ? [vec(node, 'backwardData', 'copy', wantedSize(c), wantedSize(c))] : []),
  };
}

/** Layers that only re-view the data (input, flatten, reshape): no op either way. */
function none<K extends LayerKind>(): LowerRule<K> {
  return { forward: () => [], backward: () => [] };
}

/** Bias add after the GEMM and its gradient (sum of dY over every row / pixel). */
function biasOps(node: LayerNode, c: RuleCtx, pass: 'forward' | 'backwardWeight'): VectorOp[] {
  const b = c.params.bias;
  if (b === undefined) return [];
  const nb = sizeOf(b.shape);
  return pass === 'forward'
    ? [vec(node, 'forward', 'add', outSize(c), outSize(c) + nb, '.bias')]
    : [vec(node, 'backwardWeight', 'add', nb, outSize(c), '.bias')];
}

function pool<K extends 'maxPool2d' | 'avgPool2d' | 'globalAvgPool'>(): LowerRule<K> {
  return {
    forward: (node, c) => [vec(node, 'forward', 'pool', outSize(c), inSize(c))],
    // Max pool's gradient needs x (or the argmax) to route dY; average pool spreads dY alone.
    backward: (node, c) => (c.wantDx[0]
      ? [vec(node, 'backwardData', 'poolGrad', inSize(c), outSize(c) + ((node as LayerNode).kind === 'maxPool2d' ? inSize(c) : 0))]
      : []),
  };
}

function norm<K extends 'layerNorm' | 'batchNorm'>(): LowerRule<K> {
  return {
    forward: (node, c) => [vec(node, 'forward', 'normalize', outSize(c), inSize(c) + paramSize(c))],
    // One pass produces dX and, if affine, dγ and dβ; it reads dY, x and the parameters. Emitted even when dX is
    // not wanted if γ/β need their gradients.
    backward: (node, c) => {
      const trainable = Object.values(c.params).filter((p) => p.trainable).reduce((s, p) => s + sizeOf(p.shape), 0);
      const produced = (c.wantDx[0] ? inSize(c) : 0) + trainable;
      return produced > 0 ? [vec(node, 'backwardData', 'normalizeGrad', produced, 2 * inSize(c) + paramSize(c))] : [];
    },
  };
}

export const lowerRules: { readonly [K in LayerKind]: LowerRule<K> } = {
  input: none(),
  dense: {
    forward: (node, c) => [...denseGemms(node, c.inShapes[0], 'forward'), ...biasOps(node, c, 'forward')],
    backward: (node, c) => [...denseGemms(node, c.inShapes[0], 'backwardData', { dx: c.wantDx }), ...biasOps(node, c, 'backwardWeight')],
  },
  conv2d: {
    forward: (node, c) => [...convGemms(node, c.inShapes[0], c.out, 'forward'), ...biasOps(node, c, 'forward')],
    backward: (node, c) => [...convGemms(node, c.inShapes[0], c.out, 'backwardData', { dx: c.wantDx }), ...biasOps(node, c, 'backwardWeight')],
  },
  maxPool2d: pool(),
  avgPool2d: pool(),
  globalAvgPool: pool(),
  flatten: none(),
  reshape: none(),
  transpose: copy(),
  pad: copy(),
  concat: copy(),
  add: {
    forward: (node, c) => [vec(node, 'forward', 'add', outSize(c), c.inShapes.reduce((s, sh) => s + sizeOf(sh), 0))],
    // dX_i = dY summed over the dims input i was broadcast along (a plain copy when it was not).
    backward: (node, c) => (wantedSize(c) > 0 ? [vec(node, 'backwardData', 'add', wantedSize(c), outSize(c))] : []),
  },
  mul: {
    forward: (node, c) => [vec(node, 'forward', 'mul', outSize(c), c.inShapes.reduce((s, sh) => s + sizeOf(sh), 0))],
    // dX_i = dY ⊙ Π_{j≠i} x_j (then reduced like add): reads dY and every input.
    backward: (node, c) => (wantedSize(c) > 0
      ? [vec(node, 'backwardData', 'mul', wantedSize(c), outSize(c) + c.inShapes.reduce((s, sh) => s + sizeOf(sh), 0))]
      : []),
  },
  matmul: {
    forward: (node, c) => matmulGemms(node, c.inShapes[0], c.inShapes[1], 'forward'),
    backward: (node, c) => matmulGemms(node, c.inShapes[0], c.inShapes[1], 'backwardData', { dx: c.wantDx }),
  },
  relu: activation(),
  relu6: activation(),
  clip: activation(),
  leakyRelu: activation(),
  sigmoid: activation(),
  tanh: activation(),
  gelu: activation(),
  softmax: {
    forward: (node, c) => [vec(node, 'forward', 'softmax', outSize(c), inSize(c))],
    // dX = y ⊙ (dY − Σ dY ⊙ y): reads y and dY.
    backward: (node, c) => (c.wantDx[0] ? [vec(node, 'backwardData', 'softmaxGrad', inSize(c), 2 * outSize(c))] : []),
  },
  layerNorm: norm(),
  batchNorm: norm(),
  dropout: {
    // Inverted dropout multiplies by a mask in training; at inference (and with p = 0) it is the identity and moves
    // nothing, as in the float engine.
    forward: (node, c) => (c.training && node.p > 0 ? [vec(node, 'forward', 'mul', outSize(c), inSize(c))] : []),
    backward: (node, c) => (c.wantDx[0] && node.p > 0 ? [vec(node, 'backwardData', 'mul', inSize(c), 2 * outSize(c))] : []),
  },
};

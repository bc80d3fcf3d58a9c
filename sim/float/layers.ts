/**
 * The float engine's rules, one per layer kind: forward, and backward (gradients w.r.t. inputs and parameters).
 * A Record over LayerKind, so a new kind fails to compile until it has both rules. Rules are pure: the forward
 * returns what its backward needs (`saved`) and any updated state (batch norm's running statistics).
 */
import type { LayerKind, NodeOf } from '../ir/types.js';
import * as act from './activations.js';
import type { Alloc } from './arena.js';
import { addBackward, addForward, mulBackward, mulForward } from './broadcast.js';
import { type Conv2dGeometry, conv2dBackward, conv2dForward } from './conv.js';
import { denseBackward, denseForward, matmulBackward, matmulForward } from './linear.js';
import { batchNormBackward, batchNormForward, layerNormBackward, layerNormForward, type NormSaved } from './norm.js';
import { globalAvgPoolBackward, globalAvgPoolForward, poolBackward, poolForward, type PoolSaved } from './pool.js';
import { concat, crop2d, inversePerm, pad2d, splitConcatGrad, transpose } from './reshape-ops.js';
import type { Rng } from './rng.js';
import { normalizeAxis, softmaxBackward, softmaxForward } from './softmax.js';
import { type FloatData, type Tensor, reshaped, zerosLike } from './tensor.js';

export interface ForwardContext {
  readonly training: boolean;
  readonly rng: Rng;
  /** Where the large layers (conv, dense, pooling, activations) put their outputs; default: fresh arrays. */
  readonly alloc?: Alloc;
  /**
   * The one input is read by nobody after this layer (an evaluation keeping no values), so an elementwise layer
   * writes its output over it: one activation-sized buffer fewer to fault in.
   */
  readonly overwriteInput?: boolean;
}

export interface BackwardContext {
  /** `needDx[j]` false: nobody consumes input j's gradient, so a rule may skip computing it. */
  readonly needDx: readonly boolean[];
  /** Where the large layers put their gradients. */
  readonly alloc: Alloc;
}

export interface ForwardOut {
  readonly y: Tensor;
  readonly saved?: unknown;
  /** New values of non-trainable parameters (batch norm running statistics in training). */
  readonly state?: Readonly<Record<string, Tensor>>;
}

export interface BackwardOut {
  /** Gradient per input, in input order; may stop short of inputs whose gradient the caller said it does not need. */
  readonly dxs: readonly Tensor[];
  /** Gradient per trainable parameter name. */
  readonly dparams?: Readonly<Record<string, Tensor>>;
}

export interface FloatRule<K extends LayerKind> {
  forward(node: NodeOf<K>, xs: readonly Tensor[], p: Readonly<Record<string, Tensor>>, outShape: readonly number[], ctx: ForwardContext): ForwardOut;
  /** Without a context every gradient is computed, into fresh arrays. */
  backward(node: NodeOf<K>, dy: Tensor, xs: readonly Tensor[], y: Tensor, p: Readonly<Record<string, Tensor>>, saved: unknown,
    ctx?: BackwardContext): BackwardOut;
}

function elementwise<K extends LayerKind>(pick: (node: NodeOf<K>) => act.Activation): FloatRule<K> {
  return {
    forward: (node, [x], _p, _s, ctx) => ({ y: act.applyForward(pick(node), x, ctx.alloc, ctx.overwriteInput === true) }),
    backward: (node, dy, [x], y, _p, _saved, ctx) => ({ dxs: [act.applyBackward(pick(node), x, y, dy, ctx?.alloc)] }),
  };
}

/** Layers that only re-view the data (flatten, reshape): the gradient is dy re-viewed as the input shape. */
function view<K extends 'flatten' | 'reshape'>(): FloatRule<K> {
  return {
    forward: (_n, [x], _p, outShape) => ({ y: reshaped(x, outShape) }),
    backward: (_n, dy, [x]) => ({ dxs: [reshaped(dy, x.shape)] }),
  };
}

function convGeometry(node: NodeOf<'conv2d'>, x: Tensor, outShape: readonly number[]): Conv2dGeometry {
  const [n, c, h, w] = x.shape;
  return {
    n, c, h, w, k: node.filters, r: node.kernel[0], s: node.kernel[1], p: outShape[2], q: outShape[3],
    strideH: node.stride[0], strideW: node.stride[1], dilationH: node.dilation[0], dilationW: node.dilation[1],
    padTop: node.padding[0], padLeft: node.padding[2], groups: node.groups,
  };
}

function pool<K extends 'maxPool2d' | 'avgPool2d'>(): FloatRule<K> {
  return {
    forward: (node, [x], _p, outShape, ctx) => poolForward(node, x, outShape, ctx.alloc),
    backward: (node, dy, [x], _y, _p, saved, ctx) => ({ dxs: [poolBackward(node, x, dy, saved as PoolSaved, ctx?.alloc)] }),
  };
}

function affineGrads(p: Readonly<Record<string, Tensor>>, g: { dWeight: FloatData; dBias: FloatData }): Record<string, Tensor> {
  return { weight: { shape: p.weight.shape, data: g.dWeight }, bias: { shape: p.bias.shape, data: g.dBias } };
}

export const floatRules: { readonly [K in LayerKind]: FloatRule<K> } = {
  input: {
    forward: () => {
      throw new Error('input layers are fed, not computed');
    },
    backward: () => ({ dxs: [] }),
  },
  dense: {
    forward: (_n, [x], p, _s, ctx) => ({ y: denseForward(x, p.weight, p.bias, ctx.alloc) }),
    backward: (node, dy, [x], _y, p, _saved, ctx) => {
      const g = denseBackward(x, p.weight, dy, node.bias, ctx?.alloc);
      const dparams: Record<string, Tensor> = { weight: { shape: p.weight.shape, data: g.dWeight } };
      if (g.dBias) dparams.bias = { shape: p.bias.shape, data: g.dBias };
      return { dxs: [g.dx], dparams };
    },
  },
  conv2d: {
    forward: (node, [x], p, outShape, ctx) => ({
      y: { shape: outShape, data: conv2dForward(x.data, p.weight.data, p.bias?.data ?? null, convGeometry(node, x, outShape), ctx.alloc) },
    }),
    backward: (node, dy, [x], _y, p, _saved, ctx) => {
      // A first layer's dx (the data's gradient) is as costly as its dW and usually thrown away.
      const wantDx = ctx?.needDx[0] ?? true;
      const g = conv2dBackward(x.data, p.weight.data, dy.data, convGeometry(node, x, dy.shape), wantDx, ctx?.alloc);
      const dparams: Record<string, Tensor> = { weight: { shape: p.weight.shape, data: g.dWeight } };
      if (node.bias) dparams.bias = { shape: p.bias.shape, data: g.dBias };
      return { dxs: g.dx === null ? [] : [{ shape: x.shape, data: g.dx }], dparams };
    },
  },
  maxPool2d: pool(),
  avgPool2d: pool(),
  globalAvgPool: {
    forward: (_n, [x], _p, outShape) => ({ y: globalAvgPoolForward(x, outShape) }),
    backward: (_n, dy, [x]) => ({ dxs: [globalAvgPoolBackward(x, dy)] }),
  },
  flatten: view(),
  reshape: view(),
  transpose: {
    forward: (node, [x]) => ({ y: transpose(x, node.perm) }),
    backward: (node, dy) => ({ dxs: [transpose(dy, inversePerm(node.perm))] }),
  },
  pad: {
    forward: (node, [x]) => ({ y: pad2d(x, node.padding, node.value) }),
    backward: (node, dy, [x]) => ({ dxs: [crop2d(dy, node.padding, x.shape)] }),
  },
  add: { forward: (_n, xs) => ({ y: addForward(xs) }), backward: (_n, dy, xs) => ({ dxs: addBackward(xs, dy) }) },
  mul: { forward: (_n, xs) => ({ y: mulForward(xs) }), backward: (_n, dy, xs) => ({ dxs: mulBackward(xs, dy) }) },
  concat: {
    forward: (node, xs, _p, outShape) => ({ y: concat(xs, normalizeAxis(node.axis, outShape.length), outShape) }),
    backward: (node, dy, xs) => ({ dxs: splitConcatGrad(dy, xs, normalizeAxis(node.axis, dy.shape.length)) }),
  },
  matmul: {
    forward: (node, [a, b], _p, outShape) => ({ y: matmulForward(a, b, node.transposeA, node.transposeB, outShape) }),
    backward: (node, dy, [a, b]) => ({ dxs: matmulBackward(a, b, dy, node.transposeA, node.transposeB) }),
  },
  relu: elementwise(() => act.relu),
  relu6: elementwise(() => act.clip(0, 6)),
  clip: elementwise((node) => act.clip(node.min, node.max)),
  leakyRelu: elementwise((node) => act.leakyRelu(node.negativeSlope)),
  sigmoid: elementwise(() => act.sigmoidAct),
  tanh: elementwise(() => act.tanhAct),
  gelu: elementwise((node) => (node.approximate === 'tanh' ? act.geluTanh : act.geluExact)),
  softmax: {
    forward: (node, [x]) => ({ y: softmaxForward(x, node.axis) }),
    backward: (node, dy, _xs, y) => ({ dxs: [softmaxBackward(y, dy, node.axis)] }),
  },
  layerNorm: {
    forward: (node, [x], p) => {
      const d = (node.normalizedShape ?? [x.shape[x.shape.length - 1]]).reduce((a, b) => a * b, 1);
      return layerNormForward(x, d, node.eps, p.weight, p.bias);
    },
    backward: (node, dy, [x], _y, p, saved) => {
      const d = (node.normalizedShape ?? [x.shape[x.shape.length - 1]]).reduce((a, b) => a * b, 1);
      const g = layerNormBackward(dy, d, saved as NormSaved, p.weight);
      return {
        dxs: [g.dx],
        dparams: node.affine ? affineGrads(p, g) : {},
      };
    },
  },
  batchNorm: {
    forward: (node, [x], p, _s, ctx) => batchNormForward(x, p, node.eps, node.momentum, ctx.training),
    backward: (node, dy, _xs, _y, p, saved) => {
      const g = batchNormBackward(dy, p, saved as NormSaved);
      return {
        dxs: [g.dx],
        dparams: node.affine ? affineGrads(p, g) : {},
      };
    },
  },
  dropout: {
    forward: (node, [x], _p, _s, ctx) => {
      if (!ctx.training || node.p === 0) return { y: x };
      // Inverted dropout: survivors are scaled by 1/(1 − p) so eval needs no rescaling.
      const keep = 1 / (1 - node.p);
      const mask = zerosLike(x.data, x.data.length);
      for (let i = 0; i < mask.length; i++) mask[i] = ctx.rng.uniform() < node.p ? 0 : keep;
      return { y: { shape: x.shape, data: x.data.map((v, i) => v * mask[i]) }, saved: mask };
    },
    backward: (_n, dy, _xs, _y, _p, saved) => {
      const mask = saved as FloatData | undefined;
      return { dxs: [mask ? { shape: dy.shape, data: dy.data.map((g, i) => g * mask[i]) } : dy] };
    },
  },
};

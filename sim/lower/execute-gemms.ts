/**
 * How execute.ts runs one lowered GEMM of each array kind: materialize A (m×k) and B (k×n) from the tensors the op
 * names, multiply (operands.ts `multiply` checks the sizes against the op's m, k, n), and scatter C back into the
 * output, a gradient, or a parameter gradient. Nothing here calls the float engine's dense/conv/matmul rules.
 */
import type { LayerKind, NodeOf } from '../ir/types.js';
import type { Tensor, Tensor64 } from '../float/tensor.js';
import { convDims, matmulDims, sizeOf } from './geometry.js';
import {
  type Mat, type Window, block, channelsAsColumns, columnsToChannels, dilatePadGrad, flippedWeightMatrix, hstack, im2col, mat,
  multiply, transposeMat, vstack, weightMatrix,
} from './operands.js';
import type { GemmOp } from './types.js';

/** What a GEMM executor may read and write. */
export interface GemmEnv {
  value(layer: string): Tensor64;
  /** Output shape of a layer (at the executed batch). */
  shape(layer: string): readonly number[];
  param(layer: string, name: string): Tensor64;
  /** dL/d(output of layer); throws if the program has not produced it. */
  grad(layer: string): Float64Array;
  /** Adds a gradient contribution to the value of `layer`. */
  deliver(layer: string, data: Float64Array): void;
  /** The (zero-initialized, accumulating) gradient buffer of a parameter. */
  paramGrad(layer: string, name: string): Float64Array;
  /** The output buffer of a layer (allocated zero on first use). */
  output(layer: string): Float64Array;
  /** Multiplies the materialized operands (default: float64 `multiply`); sim/fixed/ swaps in fixed point here. */
  readonly multiply?: (op: GemmOp, a: Mat, b: Mat) => Mat;
}

type GemmKind = 'dense' | 'conv2d' | 'matmul';
type Exec<K extends GemmKind> = (op: GemmOp, node: NodeOf<K>, env: GemmEnv) => void;

const run = (env: GemmEnv, op: GemmOp, a: Mat, b: Mat): Mat => {
  if (env.multiply === undefined) return multiply(a, b, op.m, op.k, op.n, op.id);
  if (a.rows !== op.m || a.cols !== op.k || b.rows !== op.k || b.cols !== op.n) {
    throw new Error(`${op.id}: lowered as (m=${op.m}, k=${op.k}, n=${op.n}) but its operands are A ${a.rows}×${a.cols}, B ${b.rows}×${b.cols}`);
  }
  return env.multiply(op, a, b);
};

const dense: Exec<'dense'> = (op, node, env) => {
  const x = env.value(node.inputs[0]);
  const w = env.param(node.name, 'weight');
  const inF = x.shape[x.shape.length - 1], units = node.units, rows = sizeOf(x.shape) / inF;
  const W = mat(units, inF, w.data);
  if (op.pass === 'forward') {
    env.output(node.name).set(run(env, op, mat(rows, inF, x.data), transposeMat(W)).data);
  } else if (op.pass === 'backwardData') {
    env.deliver(node.inputs[0], run(env, op, mat(rows, units, env.grad(node.name)), W).data);
  } else {
    // dWᵀ = Xᵀ·dY (in × units), stored back as W's [units, in].
    env.paramGrad(node.name, 'weight').set(transposeMat(run(env, op, transposeMat(mat(rows, inF, x.data)), mat(rows, units, env.grad(node.name)))).data);
  }
};

const conv2d: Exec<'conv2d'> = (op, node, env) => {
  const x = env.value(node.inputs[0]);
  const d = convDims(node, x.shape, env.shape(node.name));
  const w = env.param(node.name, 'weight').data;
  const win: Window = {
    strideH: node.stride[0], strideW: node.stride[1], dilationH: node.dilation[0], dilationW: node.dilation[1],
    padTop: node.padding[0], padLeft: node.padding[2],
  };
  const g = op.group, pq = d.p * d.q;
  const cols = () => im2col(x.data, d.n, d.c, g * d.cg, d.cg, d.h, d.w, d.r, d.s, d.p, d.q, win);
  if (op.pass === 'forward') {
    columnsToChannels(run(env, op, cols(), weightMatrix(w, d, g)), env.output(node.name), d.n, d.k, g * d.kg, pq);
  } else if (op.pass === 'backwardData') {
    // Stride-1 correlation of the dilated, padded dY with the flipped kernel, at the layer's dilation.
    const dp = dilatePadGrad(env.grad(node.name), d, g, win);
    const unit: Window = { strideH: 1, strideW: 1, dilationH: win.dilationH, dilationW: win.dilationW, padTop: 0, padLeft: 0 };
    const a = im2col(dp.data, d.n, d.kg, 0, d.kg, dp.h, dp.w, d.r, d.s, d.h, d.w, unit);
    const dx = new Float64Array(sizeOf(x.shape));
    columnsToChannels(run(env, op, a, flippedWeightMatrix(w, d, g)), dx, d.n, d.c, g * d.cg, d.h * d.w);
    env.deliver(node.inputs[0], dx);
  } else {
    const dy = channelsAsColumns(env.grad(node.name), d.n, d.k, g * d.kg, d.kg, pq);
    const c = run(env, op, transposeMat(cols()), dy);   // dW_gᵀ = im2col(X)ᵀ·dY: (R·S·Cg) × Kg, rows (u, v, c)
    const dW = env.paramGrad(node.name, 'weight');
    for (let o = 0; o < d.kg; o++) {
      for (let ch = 0; ch < d.cg; ch++) {
        for (let u = 0; u < d.r; u++) {
          for (let v = 0; v < d.s; v++) dW[(((g * d.kg + o) * d.cg + ch) * d.r + u) * d.s + v] = c.data[((u * d.s + v) * d.cg + ch) * c.cols + o];
        }
      }
    }
  }
};

/** `.dA` / `.dB` and the batch index `.b${i}` from the op id (lower.ts's id scheme). */
function matmulIdParts(op: GemmOp): { grad?: 'dA' | 'dB'; index: number } {
  const parts = op.id.slice(`${op.layer}.${op.pass}`.length).split('.').filter((p) => p.length > 0);
  const grad = parts.find((p) => p === 'dA' || p === 'dB') as 'dA' | 'dB' | undefined;
  const b = parts.find((p) => /^b\d+$/.test(p));
  return { grad, index: b === undefined ? 0 : Number(b.slice(1)) };
}

const matmul: Exec<'matmul'> = (op, node, env) => {
  const a = env.value(node.inputs[0]), b = env.value(node.inputs[1]);
  const d = matmulDims(node, a.shape, b.shape);
  const { m: M, k: K, n: N } = d;
  // op(A_i) (M×K) and op(B_i) (K×N) for every stored matrix (one when shared).
  const ops = (t: Tensor64, rows: number, cols: number, trans: boolean, count: number): Mat[] =>
    Array.from({ length: count }, (_, i) => {
      const stored = trans ? mat(cols, rows, t.data.subarray(i * rows * cols, (i + 1) * rows * cols))
        : mat(rows, cols, t.data.subarray(i * rows * cols, (i + 1) * rows * cols));
      return trans ? transposeMat(stored) : stored;
    });
  const As = ops(a, M, K, node.transposeA, d.sharedA ? 1 : d.batch);
  const Bs = ops(b, K, N, node.transposeB, d.sharedB ? 1 : d.batch);
  const { grad, index: i } = matmulIdParts(op);
  if (op.pass === 'forward') {
    const y = env.output(node.name);
    if (d.plan === 'stackA') y.set(run(env, op, vstack(As), Bs[0]).data);
    else if (d.plan === 'stackB') {
      const c = run(env, op, As[0], hstack(Bs));
      for (let j = 0; j < d.batch; j++) y.set(block(c, 0, M, j * N, N).data, j * M * N);
    } else y.set(run(env, op, As[i], Bs[i]).data, i * M * N);
    return;
  }
  const dy = env.grad(node.name);
  const dCs = Array.from({ length: d.batch }, (_, j) => mat(M, N, dy.subarray(j * M * N, (j + 1) * M * N)));
  const T = (ms: Mat[]) => ms.map(transposeMat);
  // d op(X) pieces → the stored layout (transposed back when X is stored transposed) at their batch slots.
  const scatter = (input: string, t: Tensor, pieces: { at: number; m: Mat }[], trans: boolean): void => {
    const out = new Float64Array(t.data.length);
    for (const { at, m } of pieces) out.set((trans ? transposeMat(m) : m).data, at * m.rows * m.cols);
    env.deliver(input, out);
  };
  if (grad === 'dA') {
    const pieces = d.plan === 'stackA' ? split(run(env, op, vstack(dCs), transposeMat(Bs[0])), d.batch, M)
      : d.plan === 'stackB' ? [{ at: 0, m: run(env, op, hstack(dCs), vstack(T(Bs))) }]
        : [{ at: i, m: run(env, op, dCs[i], transposeMat(Bs[i])) }];
    scatter(node.inputs[0], a, pieces, node.transposeA);
  } else {
    const pieces = d.plan === 'stackA' ? [{ at: 0, m: run(env, op, hstack(T(As)), vstack(dCs)) }]
      : d.plan === 'stackB' ? splitCols(run(env, op, transposeMat(As[0]), hstack(dCs)), d.batch, N)
        : [{ at: i, m: run(env, op, transposeMat(As[i]), dCs[i]) }];
    scatter(node.inputs[1], b, pieces, node.transposeB);
  }
};

const split = (c: Mat, count: number, rows: number) =>
  Array.from({ length: count }, (_, j) => ({ at: j, m: block(c, j * rows, rows, 0, c.cols) }));
const splitCols = (c: Mat, count: number, cols: number) =>
  Array.from({ length: count }, (_, j) => ({ at: j, m: block(c, 0, c.rows, j * cols, cols) }));

export const gemmExecutors: { readonly [K in GemmKind]: Exec<K> } = { dense, conv2d, matmul };

export function isGemmKind(kind: LayerKind): kind is GemmKind {
  return kind in gemmExecutors;
}

/**
 * Dense (y = x·Wᵀ + b over the last dim, PyTorch nn.Linear) and batched matmul of two activations, on the GEMM
 * kernel. Gradients: for C = op(A)·op(B), d op(A) = dC·op(B)ᵀ and d op(B) = op(A)ᵀ·dC, transposed back when the
 * operand was stored transposed.
 */
import { gemmAny as gemm } from './gemm-any.js';
import { type Alloc, freshLike } from './arena.js';
import { type FloatData, type Tensor, zerosLike } from './tensor.js';

export function denseForward(x: Tensor, weight: Tensor, bias: Tensor | undefined, alloc: Alloc = freshLike(x.data)): Tensor {
  const [out, inF] = weight.shape;
  const rows = x.data.length / inF;
  const y = alloc(rows * out, true);   // the bias rows, or a GEMM that does not accumulate
  if (bias) for (let r = 0; r < rows; r++) y.set(bias.data, r * out);
  gemm(false, true, rows, out, inF, x.data, 0, inF, weight.data, 0, inF, y, 0, out, bias !== undefined);
  return { shape: [...x.shape.slice(0, -1), out], data: y };
}

export function denseBackward(
  x: Tensor, weight: Tensor, dy: Tensor, hasBias: boolean, alloc: Alloc = freshLike(x.data),
): { dx: Tensor; dWeight: FloatData; dBias?: FloatData } {
  const [out, inF] = weight.shape;
  const rows = x.data.length / inF;
  const dx = alloc(x.data.length, true);
  gemm(false, false, rows, inF, out, dy.data, 0, out, weight.data, 0, inF, dx, 0, inF, false);
  const dWeight = alloc(out * inF, true);
  gemm(true, false, out, inF, rows, dy.data, 0, out, x.data, 0, inF, dWeight, 0, inF, false);
  let dBias: FloatData | undefined;
  if (hasBias) {
    dBias = alloc(out);
    for (let r = 0; r < rows; r++) for (let o = 0; o < out; o++) dBias[o] += dy.data[r * out + o];
  }
  return { dx: { shape: x.shape, data: dx }, dWeight, dBias };
}

interface MatmulDims {
  readonly batch: number; readonly m: number; readonly k: number; readonly n: number;
  readonly aStep: number; readonly bStep: number;
}

function dims(a: Tensor, b: Tensor, transA: boolean, transB: boolean): MatmulDims {
  const ar = a.shape.length, br = b.shape.length;
  const m = transA ? a.shape[ar - 1] : a.shape[ar - 2];
  const k = transA ? a.shape[ar - 2] : a.shape[ar - 1];
  const n = transB ? b.shape[br - 2] : b.shape[br - 1];
  const batch = Math.max(a.data.length / (m * k), b.data.length / (k * n));
  // A rank-2 operand is shared by every batch (step 0).
  return { batch, m, k, n, aStep: ar === 2 ? 0 : m * k, bStep: br === 2 ? 0 : k * n };
}

export function matmulForward(a: Tensor, b: Tensor, transA: boolean, transB: boolean, outShape: readonly number[]): Tensor {
  const { batch, m, k, n, aStep, bStep } = dims(a, b, transA, transB);
  const y = zerosLike(a.data, batch * m * n);
  const lda = transA ? m : k, ldb = transB ? k : n;
  for (let i = 0; i < batch; i++) {
    gemm(transA, transB, m, n, k, a.data, i * aStep, lda, b.data, i * bStep, ldb, y, i * m * n, n, false);
  }
  return { shape: outShape, data: y };
}

export function matmulBackward(a: Tensor, b: Tensor, dy: Tensor, transA: boolean, transB: boolean): [Tensor, Tensor] {
  const { batch, m, k, n, aStep, bStep } = dims(a, b, transA, transB);
  const da = zerosLike(a.data, a.data.length), db = zerosLike(b.data, b.data.length);
  const lda = transA ? m : k, ldb = transB ? k : n;
  for (let i = 0; i < batch; i++) {
    const dc = i * m * n;
    // A shared (rank-2) operand accumulates its gradient over the batch.
    const accA = aStep === 0 && i > 0, accB = bStep === 0 && i > 0;
    if (!transA) gemm(false, !transB, m, k, n, dy.data, dc, n, b.data, i * bStep, ldb, da, i * aStep, lda, accA);
    else gemm(transB, true, k, m, n, b.data, i * bStep, ldb, dy.data, dc, n, da, i * aStep, lda, accA);
    if (!transB) gemm(!transA, false, k, n, m, a.data, i * aStep, lda, dy.data, dc, n, db, i * bStep, ldb, accB);
    else gemm(true, transA, n, k, m, dy.data, dc, n, a.data, i * aStep, lda, db, i * bStep, ldb, accB);
  }
  return [{ shape: a.shape, data: da }, { shape: b.shape, data: db }];
}

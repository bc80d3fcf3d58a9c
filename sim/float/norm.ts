/**
 * Batch norm (over channel axis 1 of [N, C, …]) and layer norm (over trailing dims), PyTorch's definitions:
 * normalize with the biased variance and eps inside the square root; in training, batch norm updates
 * running_mean ← (1 − m)·running_mean + m·mean and running_var ← (1 − m)·running_var + m·var·n/(n − 1) (unbiased).
 * Backward of a normalization over groups of n values, with x̂ = (x − μ)·invStd and g = dy·γ:
 *   dx = invStd/n · (n·g − Σg − x̂·Σ(g·x̂))      (train mode: μ and σ depend on x)
 *   dx = invStd · g                              (eval mode: running statistics are constants)
 */
import { type FloatData, type Tensor, zerosLike } from './tensor.js';

export interface NormSaved {
  readonly xhat: FloatData;
  /** 1/√(var + eps) per channel (batch norm) or per row (layer norm). */
  readonly invStd: Float64Array;
  /** Whether the statistics came from the batch (so the backward pass differentiates through them). */
  readonly batchStats: boolean;
}

/** View [N, C, …] as N × C × inner. */
function dims(shape: readonly number[]): [number, number, number] {
  const inner = shape.slice(2).reduce((a, b) => a * b, 1);
  return [shape[0], shape[1], inner];
}

export function batchNormForward(
  x: Tensor, p: Readonly<Record<string, Tensor>>, eps: number, momentum: number, training: boolean,
): { y: Tensor; saved: NormSaved; state?: Record<string, Tensor> } {
  const [n, c, inner] = dims(x.shape);
  const count = n * inner;
  const mean = new Float64Array(c), variance = new Float64Array(c);
  if (training) {
    for (let ch = 0; ch < c; ch++) {
      let s = 0;
      for (let b = 0; b < n; b++) for (let i = 0, o = (b * c + ch) * inner; i < inner; i++) s += x.data[o + i];
      const mu = s / count;
      let v = 0;
      for (let b = 0; b < n; b++) {
        for (let i = 0, o = (b * c + ch) * inner; i < inner; i++) {
          const d = x.data[o + i] - mu;
          v += d * d;
        }
      }
      mean[ch] = mu;
      variance[ch] = v / count;
    }
  } else {
    mean.set(p.runningMean.data);
    variance.set(p.runningVar.data);
  }
  const invStd = variance.map((v) => 1 / Math.sqrt(v + eps));
  const xhat = zerosLike(x.data, x.data.length);
  const y = zerosLike(x.data, x.data.length);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const gamma = p.weight ? p.weight.data[ch] : 1, beta = p.bias ? p.bias.data[ch] : 0;
      for (let i = 0, o = (b * c + ch) * inner; i < inner; i++) {
        const h = (x.data[o + i] - mean[ch]) * invStd[ch];
        xhat[o + i] = h;
        y[o + i] = gamma * h + beta;
      }
    }
  }
  const saved = { xhat, invStd, batchStats: training };
  if (!training) return { y: { shape: x.shape, data: y }, saved };
  const unbias = count > 1 ? count / (count - 1) : 1;
  const runningMean = p.runningMean.data.map((r, ch) => (1 - momentum) * r + momentum * mean[ch]);
  const runningVar = p.runningVar.data.map((r, ch) => (1 - momentum) * r + momentum * variance[ch] * unbias);
  return {
    y: { shape: x.shape, data: y }, saved,
    state: { runningMean: { shape: [c], data: runningMean }, runningVar: { shape: [c], data: runningVar } },
  };
}

export function batchNormBackward(
  dy: Tensor, p: Readonly<Record<string, Tensor>>, saved: NormSaved,
): { dx: Tensor; dWeight: FloatData; dBias: FloatData } {
  const [n, c, inner] = dims(dy.shape);
  const count = n * inner;
  const { xhat, invStd } = saved;
  const dx = zerosLike(dy.data, dy.data.length);
  const dWeight = zerosLike(dy.data, c), dBias = zerosLike(dy.data, c);
  for (let ch = 0; ch < c; ch++) {
    let sdy = 0, sdyx = 0;
    for (let b = 0; b < n; b++) {
      for (let i = 0, o = (b * c + ch) * inner; i < inner; i++) {
        sdy += dy.data[o + i];
        sdyx += dy.data[o + i] * xhat[o + i];
      }
    }
    dWeight[ch] = sdyx;
    dBias[ch] = sdy;
    const gamma = p.weight ? p.weight.data[ch] : 1;
    const k = gamma * invStd[ch];
    for (let b = 0; b < n; b++) {
      for (let i = 0, o = (b * c + ch) * inner; i < inner; i++) {
        dx[o + i] = saved.batchStats
          ? (k / count) * (count * dy.data[o + i] - sdy - xhat[o + i] * sdyx)
          : k * dy.data[o + i];
      }
    }
  }
  return { dx: { shape: dy.shape, data: dx }, dWeight, dBias };
}

/** Layer norm over the last `d` elements of each row; γ, β of length d (or none). */
export function layerNormForward(
  x: Tensor, d: number, eps: number, weight?: Tensor, bias?: Tensor,
): { y: Tensor; saved: NormSaved } {
  const rows = x.data.length / d;
  const xhat = zerosLike(x.data, x.data.length), y = zerosLike(x.data, x.data.length);
  const invStd = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const o = r * d;
    let s = 0;
    for (let i = 0; i < d; i++) s += x.data[o + i];
    const mu = s / d;
    let v = 0;
    for (let i = 0; i < d; i++) v += (x.data[o + i] - mu) ** 2;
    const is = 1 / Math.sqrt(v / d + eps);
    invStd[r] = is;
    for (let i = 0; i < d; i++) {
      const h = (x.data[o + i] - mu) * is;
      xhat[o + i] = h;
      y[o + i] = (weight ? weight.data[i] : 1) * h + (bias ? bias.data[i] : 0);
    }
  }
  return { y: { shape: x.shape, data: y }, saved: { xhat, invStd, batchStats: true } };
}

export function layerNormBackward(
  dy: Tensor, d: number, saved: NormSaved, weight?: Tensor,
): { dx: Tensor; dWeight: FloatData; dBias: FloatData } {
  const rows = dy.data.length / d;
  const { xhat, invStd } = saved;
  const dx = zerosLike(dy.data, dy.data.length);
  const dWeight = zerosLike(dy.data, d), dBias = zerosLike(dy.data, d);
  const g = new Float64Array(d);
  for (let r = 0; r < rows; r++) {
    const o = r * d;
    let sg = 0, sgx = 0;
    for (let i = 0; i < d; i++) {
      const gy = dy.data[o + i];
      dWeight[i] += gy * xhat[o + i];
      dBias[i] += gy;
      g[i] = gy * (weight ? weight.data[i] : 1);
      sg += g[i];
      sgx += g[i] * xhat[o + i];
    }
    const k = invStd[r] / d;
    for (let i = 0; i < d; i++) dx[o + i] = k * (d * g[i] - sg - xhat[o + i] * sgx);
  }
  return { dx: { shape: dy.shape, data: dx }, dWeight, dBias };
}

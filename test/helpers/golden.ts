/**
 * Turns a reference case (the golden-public JSON format: op, attrs, inputs, outputs, upstream_grad, grads) into a
 * Systolab model file with explicit parameters plus input/upstream/target files, so a test can check the engine
 * exactly as a user would reach it: through `systolab run`.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface JsonTensor { shape: number[]; data: (number | string)[] }
export interface GoldenCase {
  name: string;
  op: string;
  attrs: Record<string, unknown>;
  inputs: Record<string, JsonTensor>;
  outputs: Record<string, JsonTensor | number>;
  upstream_grad?: { dy: JsonTensor };
  grads: Record<string, JsonTensor>;
}

const LAYER_KIND: Record<string, string> = {
  relu: 'relu', sigmoid: 'sigmoid', tanh: 'tanh', leaky_relu: 'leakyRelu', softmax: 'softmax', gelu: 'gelu',
  conv2d: 'conv2d', dense: 'dense', maxpool2d: 'maxPool2d', avgpool2d: 'avgPool2d', global_avgpool: 'globalAvgPool',
};
export const LOSS_OF: Record<string, { loss: string; pred: string; target: string }> = {
  mse: { loss: 'mse', pred: 'pred', target: 'target' },
  bce: { loss: 'bce', pred: 'prob', target: 'target' },
  bce_with_logits: { loss: 'bce-logits', pred: 'logits', target: 'target' },
  softmax_cross_entropy: { loss: 'softmax-ce', pred: 'logits', target: 'labels' },
};

/** The layer for a layer case, with parameters inline. */
function layerFor(c: GoldenCase): Record<string, unknown> {
  const a = c.attrs;
  const layer: Record<string, unknown> = { name: 'layer', kind: LAYER_KIND[c.op] };
  switch (c.op) {
    case 'leaky_relu': layer.negativeSlope = a.negative_slope; break;
    case 'softmax': layer.axis = a.axis; break;
    case 'gelu': if (a.approximate) layer.approximate = a.approximate; break;
    case 'conv2d':
      Object.assign(layer, { filters: a.out_channels, kernel: a.kernel, stride: a.stride, padding: a.padding, dilation: a.dilation, groups: a.groups, bias: 'b' in c.inputs });
      break;
    case 'dense': Object.assign(layer, { units: a.out_features, bias: 'b' in c.inputs }); break;
    case 'maxpool2d':
    case 'avgpool2d':
      Object.assign(layer, { kernel: a.kernel, stride: a.stride ?? a.kernel, padding: a.padding ?? [0, 0], ceilMode: a.ceil_mode ?? false });
      if (c.op === 'avgpool2d' && 'count_include_pad' in a) layer.countIncludePad = a.count_include_pad;
      break;
  }
  const params: Record<string, JsonTensor> = {};
  if (c.inputs.w) params.weight = c.inputs.w;
  if (c.inputs.b) params.bias = c.inputs.b;
  if (Object.keys(params).length) layer.params = params;
  return layer;
}

export interface CaseFiles {
  dir: string;
  model: string;
  input: string;
  upstream?: string;
  target?: string;
  loss?: string;
  reduction?: string;
}

/** Writes the model and tensor files for one case into a fresh temp directory. */
export function writeCaseFiles(c: GoldenCase): CaseFiles {
  const dir = mkdtempSync(join(tmpdir(), 'systolab-golden-'));
  const w = (name: string, doc: unknown) => {
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify(doc));
    return file;
  };
  const lossSpec = LOSS_OF[c.op];
  if (lossSpec) {
    const pred = c.inputs[lossSpec.pred];
    return {
      dir,
      model: w('model.json', { name: c.name, layers: [{ name: 'x', kind: 'input', shape: pred.shape }] }),
      input: w('input.json', pred),
      target: w('target.json', c.inputs[lossSpec.target]),
      loss: lossSpec.loss,
      reduction: String(c.attrs.reduction ?? 'mean'),
    };
  }
  const x = c.inputs.x;
  return {
    dir,
    model: w('model.json', { name: c.name, layers: [{ name: 'x', kind: 'input', shape: x.shape }, layerFor(c)] }),
    input: w('input.json', x),
    upstream: c.upstream_grad ? w('upstream.json', c.upstream_grad.dy) : undefined,
  };
}

/** Largest violation of |a − e| ≤ atol + rtol·|e| (0 when all pass), and where. */
export function closeness(actual: ArrayLike<number | string>, expected: ArrayLike<number | string>, rtol: number, atol: number): { worst: number; at: number } {
  let worst = 0, at = -1;
  const num = (v: number | string) => (typeof v === 'string' ? Number(v) : v);
  if (actual.length !== expected.length) return { worst: Infinity, at: -1 };
  for (let i = 0; i < expected.length; i++) {
    const a = num(actual[i]), e = num(expected[i]);
    if (Number.isNaN(a) && Number.isNaN(e)) continue;
    if (a === e) continue;
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (!(excess <= 0) && !(excess < worst)) {
      worst = Number.isNaN(excess) ? Infinity : excess;
      at = i;
    }
  }
  return { worst, at };
}

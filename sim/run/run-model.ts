/**
 * `run`: one forward pass of a model (eval mode unless training), optionally a loss on its output and a backward
 * pass from that loss's gradient or from a given upstream gradient. Plain data in, plain data out. NaN/±Infinity
 * parameters are refused, and so is a result that overflows float64 (sim/run/finite.ts): it never prints NaN.
 */
import { SimError } from '../base/errors.js';
import type { LayerGraph } from '../ir/types.js';
import { type Gradients, backward, forward } from '../float/engine.js';
import { initParams } from '../float/init.js';
import { type LossKind, type Reduction, losses } from '../float/losses.js';
import { createRng } from '../float/rng.js';
import type { Tensor } from '../float/tensor.js';
import { assertFiniteParams, assertFiniteResults } from './finite.js';

export interface RunRequest {
  readonly graph: LayerGraph;
  /** Tensors by input layer name; inputs not given are drawn N(0, 1) from `seed` (and reported as such). */
  readonly inputs: Readonly<Record<string, Tensor>>;
  readonly training: boolean;
  readonly seed: number;
  readonly upstream?: Tensor;
  readonly loss?: { readonly kind: LossKind; readonly target: Tensor; readonly reduction: Reduction };
}

export interface RunResult {
  readonly model: string;
  readonly mode: 'eval' | 'train';
  /** Input layers whose values were drawn at random rather than given. */
  readonly randomInputs: readonly string[];
  readonly order: readonly string[];
  readonly kinds: Readonly<Record<string, string>>;
  readonly outputs: Readonly<Record<string, Tensor>>;
  readonly output: string;
  readonly loss?: { readonly kind: LossKind; readonly reduction: Reduction; readonly value: number; readonly gradient: Tensor };
  readonly gradients?: Gradients;
  /** Non-trainable parameters updated by a training-mode pass (batch-norm running statistics), keyed `layer.param`. */
  readonly state: Readonly<Record<string, Tensor>>;
}

export function runModel(req: RunRequest): RunResult {
  const { graph } = req;
  const rng = createRng(req.seed);
  const inputs: Record<string, Tensor> = { ...req.inputs };
  const randomInputs: string[] = [];
  for (const layer of graph.layers) {
    if (layer.kind !== 'input' || layer.name in inputs) continue;
    const data = new Float64Array(layer.shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = rng.normal();
    inputs[layer.name] = { shape: layer.shape, data };
    randomInputs.push(layer.name);
  }
  if (req.upstream && req.loss) {
    throw new SimError('give either an upstream gradient or a loss with a target, not both', { code: 'badValue', path: '--upstream' });
  }
  const params = initParams(graph);
  assertFiniteParams(params, 'to run');
  const fwd = forward(graph, params, inputs, { training: req.training, seed: req.seed });
  assertFiniteResults([
    ...graph.order.map((name) => [`layer ${name}'s output`, fwd.values[name]] as const),
    ...Object.entries(fwd.state).map(([key, t]) => [`the running statistic ${key}`, t] as const),
  ]);
  let loss: RunResult['loss'];
  let upstream = req.upstream;
  if (req.loss) {
    const res = losses[req.loss.kind](fwd.output, req.loss.target, req.loss.reduction);
    loss = { kind: req.loss.kind, reduction: req.loss.reduction, value: res.loss, gradient: res.gradient };
    assertFiniteResults([[`the ${req.loss.kind} loss`, { shape: [], data: Float64Array.of(res.loss) }], [`the ${req.loss.kind} loss's gradient`, res.gradient]]);
    upstream = res.gradient;
  }
  const gradients = upstream ? backward(fwd.tape, params, upstream) : undefined;
  if (gradients) {
    assertFiniteResults([
      ...Object.entries(gradients.params).map(([key, t]) => [`the gradient of parameter ${key}`, t] as const),
      ...Object.entries(gradients.inputs).map(([name, t]) => [`the gradient of input ${name}`, t] as const),
    ]);
  }
  return {
    model: graph.name,
    mode: req.training ? 'train' : 'eval',
    randomInputs,
    order: graph.order,
    kinds: Object.fromEntries(graph.layers.map((l) => [l.name, l.kind])),
    outputs: fwd.values,
    output: graph.output,
    loss,
    gradients,
    state: fwd.state,
  };
}

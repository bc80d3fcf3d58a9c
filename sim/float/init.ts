/**
 * Parameter values for a graph: those the model file gives, and the rest drawn from one RNG seeded with the
 * model's seed, layer by layer in file order, parameter by parameter in spec order (so a value never depends on
 * which other parameters were given). Default init is PyTorch's for Linear/Conv: U(−1/√fanIn, 1/√fanIn) for
 * weight and bias; norms start at γ = 1, β = 0, running mean 0, running variance 1.
 */
import type { LayerGraph, ParamSpec } from '../ir/types.js';
import { createRng, type Rng } from './rng.js';
import { type Tensor, sizeOf } from './tensor.js';

export type Params = Record<string, Tensor>;

function fill(spec: ParamSpec, rng: Rng): Float64Array {
  const data = new Float64Array(sizeOf(spec.shape));
  switch (spec.init) {
    case 'zeros':
      return data;
    case 'ones':
      return data.fill(1);
    case 'fanInUniform': {
      const bound = 1 / Math.sqrt(spec.fanIn ?? 1);
      for (let i = 0; i < data.length; i++) data[i] = (2 * rng.uniform() - 1) * bound;
      return data;
    }
  }
}

/** All parameters keyed `layer.param`. Given values are copied, so callers may update the result in place. */
export function initParams(graph: LayerGraph, seed: number = graph.seed): Params {
  const rng = createRng(seed);
  const params: Params = {};
  for (const layer of graph.layers) {
    for (const [name, spec] of Object.entries(graph.paramSpecs[layer.name] ?? {})) {
      const key = `${layer.name}.${name}`;
      const drawn = fill(spec, rng);
      const given = graph.givenParams[key];
      params[key] = { shape: [...spec.shape], data: given ? Float64Array.from(given.data) : drawn };
    }
  }
  return params;
}

/** The parameters of one layer, keyed by parameter name. */
export function layerParams(params: Params, layer: string, names: readonly string[]): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const n of names) out[n] = params[`${layer}.${n}`];
  return out;
}

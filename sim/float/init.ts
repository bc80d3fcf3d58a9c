/**
 * Parameter values for a graph: those the model file gives, and the rest drawn from one RNG seeded with the
 * model's seed, layer by layer in file order, parameter by parameter in spec order (every parameter draws its values
 * even when the file gives them, so a value never depends on which other parameters were given).
 * Schemes (ir/types.ts INIT_SCHEMES) apply to dense/conv weights; under `pytorch` biases are U(±1/√fanIn), under the
 * others 0. Norms start at γ = 1, β = 0, running mean 0, running variance 1.
 */
import { type InitConfig, type LayerGraph, type ParamSpec } from '../ir/types.js';
import { createRng, type Rng } from './rng.js';
import { type Tensor, floatsFor, sizeOf } from './tensor.js';

export type Params = Record<string, Tensor>;

function uniform(data: Float64Array, bound: number, rng: Rng): Float64Array {
  for (let i = 0; i < data.length; i++) data[i] = (2 * rng.uniform() - 1) * bound;
  return data;
}
function normal(data: Float64Array, std: number, rng: Rng): Float64Array {
  for (let i = 0; i < data.length; i++) data[i] = std * rng.normal();
  return data;
}

function fill(spec: ParamSpec, init: InitConfig, rng: Rng): Float64Array {
  const data = new Float64Array(sizeOf(spec.shape));
  const fanIn = spec.fanIn ?? 1, fanOut = spec.fanOut ?? 1;
  if (spec.role === 'weight') {
    switch (init.scheme) {
      case 'pytorch': return uniform(data, 1 / Math.sqrt(fanIn), rng);
      case 'normal': return normal(data, init.std, rng);
      case 'xavier': return uniform(data, Math.sqrt(6 / (fanIn + fanOut)), rng);
      case 'xavier-normal': return normal(data, Math.sqrt(2 / (fanIn + fanOut)), rng);
      case 'he': return normal(data, Math.sqrt(2 / fanIn), rng);
      case 'he-uniform': return uniform(data, Math.sqrt(6 / fanIn), rng);
    }
  }
  if (spec.role === 'bias') return init.scheme === 'pytorch' ? uniform(data, 1 / Math.sqrt(fanIn), rng) : data;
  return spec.init === 'ones' ? data.fill(1) : data;
}

/** All parameters keyed `layer.param`. Given values are copied, so callers may update the result in place. */
export function initParams(graph: LayerGraph, seed: number = graph.seed, init: InitConfig = graph.init): Params {
  const rng = createRng(seed);
  const params: Params = {};
  for (const layer of graph.layers) {
    for (const [name, spec] of Object.entries(graph.paramSpecs[layer.name] ?? {})) {
      const key = `${layer.name}.${name}`;
      floatsFor(spec.shape, `parameter ${key}`); // the memory limit, before fill allocates
      const drawn = fill(spec, init, rng);
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

/** Systolab as a library: the same plain objects the CLI prints. */
export { SimError } from './errors.js';
export type { LayerGraph, LayerKind, LayerNode } from './ir/types.js';
export { LAYER_KINDS } from './ir/types.js';
export { loadModel } from './ir/load.js';
export { parseModel } from './ir/parse.js';
export { buildGraph } from './ir/graph.js';
export type { Tensor } from './float/tensor.js';
export { forward, backward, type ForwardResult, type Gradients } from './float/engine.js';
export { initParams, type Params } from './float/init.js';
export { losses, LOSS_KINDS, type LossKind } from './float/losses.js';
export { runModel, type RunRequest, type RunResult } from './run/run-model.js';

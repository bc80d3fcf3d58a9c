/**
 * LayerGraph (+ parameter values) → a model document in the file format of models/README.md, every attribute
 * written in its full form, so that parse(serialize(g)) rebuilds g. Used to save trained models.
 */
import { tensorToJson } from './tensor-json.js';
import type { LayerGraph, LayerNode, TensorValues } from './types.js';

function layerDoc(node: LayerNode): Record<string, unknown> {
  const { kind, name, inputs, ...attrs } = node;
  const doc: Record<string, unknown> = { name, kind };
  if (kind !== 'input') doc.inputs = [...inputs];
  for (const [key, value] of Object.entries(attrs)) {
    // Unbounded clip limits are the defaults and have no JSON form; max pools have no countIncludePad field.
    if (value === null || value === Infinity || value === -Infinity) continue;
    if (kind === 'maxPool2d' && key === 'countIncludePad') continue;
    doc[key] = Array.isArray(value) ? [...value] : value;
  }
  return doc;
}

export function graphToDocument(graph: LayerGraph, params: Readonly<Record<string, TensorValues>>, description?: string): Record<string, unknown> {
  const layers = graph.layers.map((node) => {
    const doc = layerDoc(node);
    const own = Object.keys(graph.paramSpecs[node.name] ?? {});
    if (own.length) doc.params = Object.fromEntries(own.map((p) => [p, tensorToJson(params[`${node.name}.${p}`])]));
    return doc;
  });
  return {
    version: 1,
    name: graph.name,
    ...(description ? { description } : {}),
    seed: graph.seed,
    init: graph.init.scheme,
    initStd: graph.init.std,
    output: graph.output,
    layers,
  };
}

/**
 * What `systolab models` prints of a graph: per layer its shapes, forward MACs (Σ m·k·n over the forward GEMMs
 * `lowerGraph` emits for it; vector ops count 0) and trainable parameters (batch-norm running statistics excluded,
 * as torchvision and Keras count them).
 */
import type { LayerGraph } from '../ir/types.js';
import { lowerGraph } from './lower.js';

export interface LayerRow {
  readonly name: string;
  readonly kind: string;
  readonly inputShapes: readonly (readonly number[])[];
  readonly outputShape: readonly number[];
  readonly macs: number;
  readonly parameters: number;
}
export interface ModelSummary {
  readonly model: string;
  readonly layers: readonly LayerRow[];
  readonly totals: { readonly macs: number; readonly parameters: number };
}

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** Per-layer shapes, forward MACs and trainable parameters of a graph, in evaluation order. */
export function summarize(graph: LayerGraph): ModelSummary {
  const macs = new Map<string, number>();
  for (const op of lowerGraph(graph, { mode: 'inference' }).ops) {
    if (op.kind === 'gemm' && op.pass === 'forward') macs.set(op.layer, (macs.get(op.layer) ?? 0) + op.m * op.k * op.n);
  }
  const byName = new Map(graph.layers.map((l) => [l.name, l]));
  const layers = graph.order.map((name): LayerRow => {
    const node = byName.get(name)!;
    const parameters = Object.values(graph.paramSpecs[name] ?? {}).filter((p) => p.trainable).reduce((s, p) => s + size(p.shape), 0);
    return { name, kind: node.kind, inputShapes: node.inputs.map((u) => graph.shapes[u]), outputShape: graph.shapes[name], macs: macs.get(name) ?? 0, parameters };
  });
  return {
    model: graph.name,
    layers,
    totals: { macs: layers.reduce((s, l) => s + l.macs, 0), parameters: layers.reduce((s, l) => s + l.parameters, 0) },
  };
}


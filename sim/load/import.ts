/**
 * `systolab import`: an ONNX model or a SCALE-Sim topology CSV → a Systolab model document (what the command writes)
 * and its graph, with a note on what was drawn or assumed.
 */
import { SimError } from '../base/errors.js';
import { readTextFile } from '../base/files.js';
import { buildGraph } from '../ir/graph.js';
import type { LayerGraph } from '../ir/types.js';
import { onnxToDocument, parseInputShapes } from './onnx/index.js';
import { parseScaleSimTopology } from './scalesim-topology.js';

export interface ImportOptions {
  /** ONNX: fix the input dimensions (`DIMS` or `NAME=DIMS` per input). */
  readonly inputShape?: readonly string[];
  /** ONNX: seed of the parameters the file leaves out [default 0]. */
  readonly seed?: number;
}

/** A graph's layers as a model document without parameter values (they are drawn from the seed). */
function documentWithoutParams(graph: LayerGraph): Record<string, unknown> {
  return {
    version: 1, name: graph.name, seed: graph.seed, output: graph.output,
    layers: graph.layers.map(({ kind, name, inputs, ...attrs }) => ({ name, kind, ...(kind === 'input' ? {} : { inputs: [...inputs] }), ...attrs })),
  };
}

export function importModelFile(file: string, o: ImportOptions = {}): { document: Record<string, unknown>; graph: LayerGraph; note: string } {
  const args = { file, inputShape: o.inputShape, seed: o.seed ?? 0 };
  const lower = args.file.toLowerCase();
  let doc: Record<string, unknown>;
  let graph: LayerGraph;
  let note = '';
  if (lower.endsWith('.onnx')) {
    if (!Number.isInteger(args.seed)) throw new SimError('must be an integer', { code: 'badValue', path: '--seed', value: args.seed });
    const r = onnxToDocument(args.file, { inputShapes: parseInputShapes([...(args.inputShape ?? [])]), seed: args.seed });
    doc = r.document;
    graph = r.graph;
    if (r.drawn.length) note = `; ${r.drawn.length} parameter tensors not in the file are drawn from seed ${args.seed}`;
  } else if (lower.endsWith('.csv')) {
    if (args.inputShape?.length) throw new SimError('applies to ONNX files only', { code: 'badValue', path: '--input-shape', value: args.inputShape.join(' ') });
    graph = buildGraph(parseScaleSimTopology(readTextFile(args.file), args.file), args.file);
    doc = documentWithoutParams(graph);
    note = '; each topology row is an independent layer with its own input, as SCALE-Sim simulates them';
  } else {
    throw new SimError('is neither an ONNX model (.onnx) nor a SCALE-Sim topology (.csv)', { code: 'badValue', file: args.file });
  }
  return { document: doc, graph, note };
}

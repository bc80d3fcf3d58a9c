/**
 * Any model the simulator accepts: Systolab YAML/JSON, a SCALE-Sim topology CSV as-is, an ONNX file (.onnx), or a built-in model
 * (`NAME` or `NAME:key=value:key=value`, the registry in models/zoo/index.ts). An existing file always wins; an
 * argument shaped like a built-in reference (no path separator, no extension before the first colon) is looked up
 * in the registry, and an unknown name is reported with the list of built-ins.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SimError } from '../base/errors.js';
import { packageRoot } from '../base/package-root.js';
import { isBuiltinSpec, resolveBuiltin } from '../../models/zoo/index.js';
import { buildGraph } from '../ir/graph.js';
import { loadModel } from './model-file.js';
import { parseModel } from '../ir/parse.js';
import { parseScaleSimTopology } from './scalesim-topology.js';
import { loadOnnxModel } from './onnx/index.js';
import type { LayerGraph } from '../ir/types.js';

export function loadAnyModel(spec: string): LayerGraph {
  if (!existsSync(spec) && isBuiltinSpec(spec)) return loadBuiltinModel(spec);
  return loadModelFile(spec);
}

/** A built-in model by `NAME[:key=value…]`; the graph is named by the canonical spec (non-default parameters). */
export function loadBuiltinModel(spec: string): LayerGraph {
  const { entry, params, canonical } = resolveBuiltin(spec);
  if (entry.source === 'file') return loadModelFile(join(packageRoot(), entry.file));
  const doc = { ...entry.build(params), name: canonical };
  return buildGraph(parseModel(doc, canonical), canonical);
}

function loadModelFile(file: string): LayerGraph {
  if (file.toLowerCase().endsWith('.onnx')) return loadOnnxModel(file);
  if (!file.toLowerCase().endsWith('.csv')) return loadModel(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new SimError('file not found', { code: 'missingFile', file });
  }
  return buildGraph(parseScaleSimTopology(text, file), file);
}

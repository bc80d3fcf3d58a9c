/**
 * Any model the simulator accepts: Systolab YAML/JSON, a SCALE-Sim topology CSV as-is, an ONNX file (.onnx), or a built-in model
 * (`NAME` or `NAME:key=value:key=value`, the registry in models/zoo/index.ts). An existing file always wins; an
 * argument shaped like a built-in reference (no path separator, no extension before the first colon) is looked up
 * in the registry, and an unknown name is reported with the list of built-ins. The one resolver of model arguments:
 * every command and the library go through `resolveModel` then `loadAnyModel`.
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

export const PACKAGE_ROOT = packageRoot();
export const DEFAULT_MODEL = 'models/tiny-cnn.yaml';

/** Folders searched for a built-in model NAME (NAME.yaml), in order. */
const MODEL_DIRS = ['models', 'models/course'];

/**
 * A model argument: an existing file as given; else a built-in NAME from models/ or models/course/; absent, the
 * default model. Built-ins are found in the package, wherever it is installed. Anything else (e.g. a zoo reference
 * `resnet50` or `mobilenet-v2:width=0.5`, models/zoo/index.ts) is returned as given: `loadAnyModel` resolves it and
 * reports an unknown name with the list of built-ins.
 */
export function resolveModel(model: string | undefined): string {
  if (model === undefined) return existsSync(DEFAULT_MODEL) ? DEFAULT_MODEL : join(PACKAGE_ROOT, DEFAULT_MODEL);
  if (existsSync(model) || /[\\/.]/.test(model)) return model;
  for (const dir of MODEL_DIRS) {
    const file = join(PACKAGE_ROOT, dir, `${model}.yaml`);
    if (existsSync(file)) return file;
  }
  return model; // the loader reports it as a missing file
}

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

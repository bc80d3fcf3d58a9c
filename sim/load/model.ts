/**
 * Any model the simulator accepts: Systolab YAML/JSON, a SCALE-Sim topology CSV as-is, an ONNX file (.onnx), or a built-in model
 * (`NAME` or `NAME:key=value:key=value`, the registry in models/zoo/index.ts). An existing file always wins; an
 * argument shaped like a built-in reference (no path separator, no extension before the first colon) is looked up
 * in the registry, and an unknown name is reported with the list of built-ins. The one resolver of model arguments:
 * every command and the library go through `resolveModel` then `loadAnyModel`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SimError } from '../base/errors.js';
import { packageRoot, resolveShippedPath } from '../base/package-root.js';
import { ZOO, isBuiltinSpec, resolveBuiltin } from '../../models/zoo/index.js';
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
  if (model === undefined) return resolveShippedPath(DEFAULT_MODEL);
  if (existsSync(model) || /[\\/.]/.test(model)) return resolveShippedPath(model);
  for (const dir of MODEL_DIRS) {
    const file = join(PACKAGE_ROOT, dir, `${model}.yaml`);
    if (existsSync(file)) return file;
  }
  return model; // the loader reports it as a missing file
}

export function loadAnyModel(spec: string): LayerGraph {
  if (!existsSync(spec) && isBuiltinSpec(spec)) return loadBuiltinModel(spec);
  const graph = loadModelFile(spec);
  const builtin = builtinNameOfFile(spec);
  return builtin === undefined ? graph : { ...graph, name: builtin };
}

/**
 * The built-in name of a file shipped as a zoo entry (`models/scalesim/resnet18.csv` is `scalesim-resnet18`), so one
 * model has one name — in reports and output folders — however it was named on the command line, and SCALE-Sim's
 * ResNet-18 topology is never confused with the zoo's torchvision `resnet18`.
 */
function builtinNameOfFile(file: string): string | undefined {
  const path = resolve(file);
  for (const entry of ZOO.values()) {
    if (entry.source === 'file' && resolve(packageRoot(), entry.file) === path) return entry.name;
  }
  return undefined;
}

/** A built-in model by `NAME[:key=value…]`; the graph is named by the canonical spec (non-default parameters). */
export function loadBuiltinModel(spec: string): LayerGraph {
  const { entry, params, canonical } = resolveBuiltin(spec);
  if (entry.source === 'file') return { ...loadModelFile(join(packageRoot(), entry.file)), name: canonical };
  const doc = { ...entry.build(params), name: canonical };
  return buildGraph(parseModel(doc, canonical), canonical);
}

function loadModelFile(file: string): LayerGraph {
  if (file.toLowerCase().endsWith('.onnx')) return loadOnnxModel(file);
  if (!file.toLowerCase().endsWith('.csv')) return loadModel(file);
  let text: string;
  try {
    text = readFileSync(resolveShippedPath(file), 'utf8');
  } catch {
    throw new SimError('file not found', { code: 'missingFile', file });
  }
  return buildGraph(parseScaleSimTopology(text, file), file);
}

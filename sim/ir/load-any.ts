/** Any model file the simulator accepts: Systolab YAML/JSON, or a SCALE-Sim topology CSV as-is. */
import { readFileSync } from 'node:fs';
import { SimError } from '../errors.js';
import { buildGraph } from './graph.js';
import { loadModel } from './load.js';
import { parseScaleSimTopology } from './scalesim-topology.js';
import type { LayerGraph } from './types.js';

export function loadAnyModel(file: string): LayerGraph {
  if (!file.toLowerCase().endsWith('.csv')) return loadModel(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new SimError('file not found', { code: 'missingFile', file });
  }
  return buildGraph(parseScaleSimTopology(text, file), file);
}

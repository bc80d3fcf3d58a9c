/**
 * The loader of model files: reads YAML or JSON from disk, then parse → build. The only place in ir/ that
 * touches the file system. A sidecar parameter file (`paramsFile:`) is JSON or YAML mapping `layer.param` to tensors.
 */
import { shownKey, SimError } from '../base/errors.js';
import { namedFile, readDocument } from '../base/files.js';
import { child, object } from '../base/fields.js';
import { buildGraph } from '../ir/graph.js';
import { parseModel } from '../ir/parse.js';
import { parseTensor } from '../ir/tensor-json.js';
import type { LayerGraph } from '../ir/types.js';

export function loadModel(file: string): LayerGraph {
  const model = parseModel(readDocument(file), file);
  let params = model.params;
  if (model.paramsFile !== undefined) {
    // Beside the model file (or below it, or in the package's data), unless --allow-paths: docs/files.md.
    const sidecar = namedFile(model.paramsFile, file, 'paramsFile');
    const doc = object(readDocument(sidecar), { file: sidecar, path: '(top level)' }, 'must map "layer.param" keys to tensors');
    const extra: Record<string, (typeof params)[string]> = {};
    for (const [key, raw] of Object.entries(doc)) {
      const at = child({ file: sidecar, path: '' }, key);
      if (!key.includes('.')) {
        throw new SimError('is not a "layer.param" key', { code: 'badValue', file: sidecar, path: shownKey(key), hint: 'Example: "conv1.weight".' });
      }
      extra[key] = { tensor: parseTensor(raw, at), at };
    }
    params = { ...extra, ...params };
  }
  return buildGraph({ ...model, params }, file);
}

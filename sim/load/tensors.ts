/** Tensor files a user passes (inputs, targets, gradients): JSON or YAML → Tensors, errors naming the file. */
import { SimError } from '../base/errors.js';
import { isObject } from '../base/fields.js';
import { readDocument } from '../base/files.js';
import { parseTensor } from '../ir/tensor-json.js';
import type { Tensor } from '../float/tensor.js';

export function readTensorFile(file: string): Tensor {
  return parseTensor(readDocument(file), { file, path: '' });
}

/** One tensor (for a single-input model) or an object mapping input names to tensors. */
export function readInputsFile(file: string, inputNames: readonly string[]): Record<string, Tensor> {
  const doc = readDocument(file);
  const isTensor = Array.isArray(doc) || (isObject(doc) && 'shape' in doc && 'data' in doc);
  if (isTensor) {
    if (inputNames.length !== 1) {
      throw new SimError(`holds one tensor but the model has ${inputNames.length} inputs`, {
        code: 'badValue', file, hint: `Map each input name to a tensor: { ${inputNames.map((n) => `"${n}": {…}`).join(', ')} }.`,
      });
    }
    return { [inputNames[0]]: parseTensor(doc, { file, path: '' }) };
  }
  if (!isObject(doc)) {
    throw new SimError('must be a tensor { "shape": [...], "data": [...] } or an object mapping input names to tensors', { code: 'malformed', file });
  }
  return Object.fromEntries(Object.entries(doc).map(([name, raw]) => [name, parseTensor(raw, { file, path: name })]));
}

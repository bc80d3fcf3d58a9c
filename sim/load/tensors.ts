/**
 * Tensor files a user passes (inputs, targets, gradients): JSON or YAML → Tensors, errors naming the file. Their values
 * must be finite: a tensor holding NaN or ±Infinity ("NaN", 1e999, YAML .nan) is refused once, with the count and the
 * first position, because every output computed from it would be NaN too.
 */
import { SimError } from '../base/errors.js';
import { isObject } from '../base/fields.js';
import { readDocument } from '../base/files.js';
import { parseTensor } from '../ir/tensor-json.js';
import { nonFinite } from '../float/divergence.js';
import type { Tensor } from '../float/tensor.js';

/** The row-major index of flat position i in a tensor of this shape, e.g. [1, 2]. */
function position(i: number, shape: readonly number[]): number[] {
  const out: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    out.unshift(i % shape[d]);
    i = Math.floor(i / shape[d]);
  }
  return out;
}

/** The tensor, if every value is finite; else one error naming the file, the input and the first bad value. */
export function finiteTensor(t: Tensor, file: string, path = ''): Tensor {
  const bad = nonFinite(t.data);
  if (!bad) return t;
  throw new SimError(
    `must hold finite numbers, but ${bad.count} of ${t.data.length} values are NaN or ±Infinity; the first at index [${position(bad.index, t.shape).join(', ')}] (flat ${bad.index}) of shape [${t.shape.join(', ')}]`,
    { code: 'notNumber', file, path, value: String(bad.value) },
  );
}

export function readTensorFile(file: string): Tensor {
  return finiteTensor(parseTensor(readDocument(file), { file, path: '' }), file);
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
    return { [inputNames[0]]: finiteTensor(parseTensor(doc, { file, path: '' }), file) };
  }
  if (!isObject(doc)) {
    throw new SimError('must be a tensor { "shape": [...], "data": [...] } or an object mapping input names to tensors', { code: 'malformed', file });
  }
  return Object.fromEntries(Object.entries(doc).map(([name, raw]) => [name, finiteTensor(parseTensor(raw, { file, path: name }), file, name)]));
}

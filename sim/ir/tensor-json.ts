/**
 * Tensors in files: `{ "shape": [...], "data": [...] }` with data flat and row-major, or a nested list of numbers
 * (its shape read from the nesting). The strings "NaN", "Infinity" and "-Infinity" stand for those values.
 */
import { SimError } from '../base/errors.js';
import { type At, child, fail, isObject } from '../base/fields.js';
import type { ParamTensor, TensorValues } from './types.js';

const special: Readonly<Record<string, number>> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

function element(v: unknown, at: At): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v in special) return special[v];
  return fail(at, 'must be a number', v);
}

export function parseTensor(raw: unknown, at: At): ParamTensor {
  if (Array.isArray(raw)) return fromNested(raw, at);
  if (!isObject(raw) || !('shape' in raw) || !('data' in raw)) {
    fail(at, 'must be a tensor { shape: [...], data: [...] } or a nested list of numbers', raw);
  }
  const shapeAt = child(at, 'shape');
  const shape = raw.shape;
  if (!Array.isArray(shape) || shape.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d < 0)) {
    fail(shapeAt, 'must be a list of non-negative integers', shape);
  }
  const data = raw.data;
  const dataAt = child(at, 'data');
  if (!Array.isArray(data)) fail(dataAt, 'must be a flat list of numbers', data);
  const size = (shape as number[]).reduce((a, b) => a * b, 1);
  if (data.length !== size) {
    throw new SimError(`has ${data.length} values but shape [${(shape as number[]).join(', ')}] needs ${size}`, {
      code: 'dataLength', file: dataAt.file, path: dataAt.path, hint: 'data is flat and row-major: its length must be the product of the shape.',
    });
  }
  const out = new Float64Array(size);
  for (let i = 0; i < size; i++) out[i] = element(data[i], child(dataAt, i));
  return { shape: [...(shape as number[])], data: out };
}

function fromNested(raw: unknown[], at: At): ParamTensor {
  const shape: number[] = [];
  for (let v: unknown = raw; Array.isArray(v); v = v[0]) shape.push(v.length);
  const values: number[] = [];
  const walk = (v: unknown, depth: number, vAt: At): void => {
    if (depth === shape.length) {
      values.push(element(v, vAt));
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      fail(vAt, `must be a list of ${shape[depth]} (a nested tensor must be rectangular)`, v);
    }
    v.forEach((x, i) => walk(x, depth + 1, child(vAt, i)));
  };
  walk(raw, 0, at);
  return { shape, data: Float64Array.from(values) };
}

/** JSON form of a tensor: numbers in shortest round-trip form; non-finite values as strings. */
export function tensorToJson(t: TensorValues): { shape: number[]; data: (number | string)[] } {
  return {
    shape: [...t.shape],
    data: Array.from(t.data, (v) => (Number.isFinite(v) ? (Object.is(v, -0) ? 0 : v) : String(v))),
  };
}

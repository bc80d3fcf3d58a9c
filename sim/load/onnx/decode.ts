/**
 * ONNX protobuf → a plain, validated description of the graph (nodes, tensors as Float64Arrays, input shapes).
 * Decoding uses onnx-proto (protobufjs). Anything that is not a well-formed ONNX model — truncated bytes, a text file,
 * a protobuf without a graph or an opset — is a SimError (exit 2), never a crash.
 */
import { createRequire } from 'node:module';
import type onnxProto from 'onnx-proto';
import { SimError } from '../../base/errors.js';
import { checkProduct } from '../../base/limits.js';

/**
 * onnx-proto (with protobufjs, ~120 KB) is required on the first ONNX file rather than imported: a static import
 * would put it in every command's start-up, though only ONNX files need it. It stays out of the bundle and loads
 * from the package's dependencies.
 */
let loaded: typeof onnxProto.onnx | undefined;
function onnxSchema(): typeof onnxProto.onnx {
  return (loaded ??= (createRequire(import.meta.url)('onnx-proto') as typeof onnxProto).onnx);
}

/** The default-domain opsets this importer maps (operators' semantics from the ONNX operator changelog). */
export const MIN_OPSET = 7;
export const MAX_OPSET = 17;

/** A constant tensor (initializer, Constant node or folded value). Integers are exact up to 2⁵³. */
export interface Tensor { readonly dims: readonly number[]; readonly data: Float64Array; readonly int?: boolean }

export type AttrValue = number | string | readonly number[] | Tensor | readonly string[];
export interface OnnxNode {
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: ReadonlyMap<string, AttrValue>;
}
/** A graph input: its dims (null where the file leaves a dimension symbolic) and the symbolic names. */
export interface OnnxInput { readonly name: string; readonly dims: readonly (number | null)[]; readonly dimNames: readonly (string | null)[]; readonly hasShape: boolean }
export interface OnnxGraph {
  readonly opset: number;
  readonly producer: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: ReadonlyMap<string, Tensor>;
  /** Graph inputs that are not initializers. */
  readonly inputs: readonly OnnxInput[];
  readonly outputs: readonly string[];
}

type LongLike = number | { toNumber(): number } | { low: number; high: number };
export function toNum(v: LongLike | null | undefined): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  if ('toNumber' in v) return v.toNumber();
  return v.high * 2 ** 32 + (v.low >>> 0);
}

const DTYPE_NAMES: Record<number, string> = {
  1: 'float', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool', 10: 'float16',
  11: 'double', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128', 16: 'bfloat16',
};

const INT_DTYPES = new Set([2, 3, 4, 5, 6, 7, 9, 12, 13]);

function half(bits: number): number {
  const s = bits & 0x8000 ? -1 : 1, e = (bits >> 10) & 0x1f, f = bits & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** TensorProto → Tensor (raw_data or the typed fields); external data is an error naming the tensor. */
export function decodeTensor(t: onnxProto.onnx.ITensorProto, file: string): Tensor {
  const name = t.name ?? '';
  const dims = (t.dims ?? []).map((d) => toNum(d as LongLike));
  const size = dims.reduce((a, b) => a * b, 1);
  const dtype = t.dataType ?? 0;
  if (t.dataLocation === 1 || (t.externalData ?? []).length > 0) {
    throw new SimError(`tensor "${name}" keeps its data in an external file, which the importer does not read`, {
      code: 'unsupported', file, hint: 'Re-export with the weights inside the .onnx file (onnx.save(model, f, save_as_external_data=False)).',
    });
  }
  checkProduct(dims, 'floatElements', { file, path: `tensor "${name}"` }, `the element count of shape [${dims.join(', ')}]`);
  const out = new Float64Array(size);
  const raw = t.rawData;
  if (raw && raw.length > 0) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const width: Record<number, number> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8 };
    const w = width[dtype];
    if (w === undefined) throw new SimError(`tensor "${name}" has data type ${DTYPE_NAMES[dtype] ?? dtype}, which the importer does not read`, { code: 'unsupported', file });
    if (raw.byteLength < size * w) {
      throw new SimError(`tensor "${name}" holds ${raw.byteLength} bytes but its shape [${dims.join(', ')}] needs ${size * w}`, { code: 'malformed', file, hint: 'The file is probably truncated or corrupt.' });
    }
    for (let i = 0; i < size; i++) {
      const o = i * w;
      switch (dtype) {
        case 1: out[i] = view.getFloat32(o, true); break;
        case 2: case 9: out[i] = view.getUint8(o); break;
        case 3: out[i] = view.getInt8(o); break;
        case 4: out[i] = view.getUint16(o, true); break;
        case 5: out[i] = view.getInt16(o, true); break;
        case 6: out[i] = view.getInt32(o, true); break;
        case 12: out[i] = view.getUint32(o, true); break;
        case 7: out[i] = Number(view.getBigInt64(o, true)); break;
        case 13: out[i] = Number(view.getBigUint64(o, true)); break;
        case 10: out[i] = half(view.getUint16(o, true)); break;
        case 11: out[i] = view.getFloat64(o, true); break;
      }
    }
    return { dims, data: out, int: INT_DTYPES.has(dtype) };
  }
  const src: readonly LongLike[] | undefined =
    dtype === 1 || dtype === 14 ? t.floatData ?? undefined
      : dtype === 11 || dtype === 15 ? t.doubleData ?? undefined
        : dtype === 7 ? (t.int64Data as LongLike[] | null) ?? undefined
          : dtype === 12 || dtype === 13 ? (t.uint64Data as LongLike[] | null) ?? undefined
            : dtype === 10 ? (t.int32Data ?? []).map((b) => half(b))
              : t.int32Data ?? undefined;
  if (dtype === 8) throw new SimError(`tensor "${name}" holds strings`, { code: 'unsupported', file });
  const values = src ?? [];
  if (values.length !== size) {
    throw new SimError(`tensor "${name}" holds ${values.length} values but its shape [${dims.join(', ')}] needs ${size}`, { code: 'malformed', file, hint: 'The file is probably truncated or corrupt.' });
  }
  for (let i = 0; i < size; i++) out[i] = toNum(values[i]);
  return { dims, data: out, int: INT_DTYPES.has(dtype) };
}

function decodeAttr(a: onnxProto.onnx.IAttributeProto, file: string): AttrValue | undefined {
  const T = onnxSchema().AttributeProto.AttributeType;
  switch (a.type) {
    case T.FLOAT: return a.f ?? 0;
    case T.INT: return toNum(a.i as LongLike);
    case T.STRING: return new TextDecoder().decode(a.s ?? new Uint8Array());
    case T.TENSOR: return a.t ? decodeTensor(a.t, file) : undefined;
    case T.FLOATS: return [...(a.floats ?? [])];
    case T.INTS: return (a.ints ?? []).map((v) => toNum(v as LongLike));
    case T.STRINGS: return (a.strings ?? []).map((s) => new TextDecoder().decode(s));
    default: return undefined; // graphs, sparse tensors, type protos: no operator we map reads them
  }
}

/** Decodes and validates an ONNX model file's bytes. */
export function decodeOnnx(bytes: Uint8Array, file: string): OnnxGraph {
  const notOnnx = (why: string): never => {
    throw new SimError(`is not an ONNX model (${why})`, {
      code: 'malformed', file, hint: 'Expected a binary ModelProto as written by torch.onnx.export or onnx.save; the file may be truncated.',
    });
  };
  if (bytes.length === 0) notOnnx('the file is empty');
  let model: onnxProto.onnx.ModelProto;
  try {
    model = onnxSchema().ModelProto.decode(bytes);
  } catch (e) {
    return notOnnx(`protobuf decoding failed: ${(e as Error).message}`);
  }
  const g = model.graph;
  if (!g || (g.node ?? []).length === 0) notOnnx('it has no graph nodes');
  const opsets = model.opsetImport ?? [];
  const main = opsets.find((o) => !o.domain || o.domain === 'ai.onnx');
  if (!main) notOnnx('it declares no default-domain opset');
  const opset = toNum(main!.version as LongLike);
  if (!(opset >= MIN_OPSET && opset <= MAX_OPSET)) {
    throw new SimError(`declares ONNX opset ${opset}, which the importer does not know`, {
      code: 'unsupportedOpset', file, hint: `Supported: opsets ${MIN_OPSET}–${MAX_OPSET}; re-export with e.g. torch.onnx.export(..., opset_version=13).`,
    });
  }
  const initializers = new Map<string, Tensor>();
  for (const t of g!.initializer ?? []) initializers.set(t.name ?? '', decodeTensor(t, file));
  const nodes = (g!.node ?? []).map((n, i): OnnxNode => {
    if (!n.opType) notOnnx(`node ${i} has no operator type`);
    const attrs = new Map<string, AttrValue>();
    for (const a of n.attribute ?? []) {
      const v = decodeAttr(a, file);
      if (v !== undefined && a.name) attrs.set(a.name, v);
    }
    return {
      name: n.name || `${n.opType}_${i}`, opType: n.opType!, domain: n.domain ?? '',
      inputs: [...(n.input ?? [])], outputs: [...(n.output ?? [])], attrs,
    };
  });
  const inputs = (g!.input ?? []).filter((v) => !initializers.has(v.name ?? '')).map((v): OnnxInput => {
    const shape = v.type?.tensorType?.shape;
    const dims = (shape?.dim ?? []).map((d) => {
      const value = d.dimValue !== null && d.dimValue !== undefined ? toNum(d.dimValue as LongLike) : 0;
      return value > 0 ? value : null;
    });
    return { name: v.name ?? '', dims, dimNames: (shape?.dim ?? []).map((d) => d.dimParam || null), hasShape: !!shape };
  });
  return { opset, producer: `${model.producerName ?? ''} ${model.producerVersion ?? ''}`.trim(), nodes, initializers, inputs, outputs: (g!.output ?? []).map((o) => o.name ?? '') };
}

/**
 * ONNX → Systolab model document → LayerGraph. `loadOnnxModel(file)` is what `--model net.onnx` uses;
 * `onnxToDocument` gives the model file `systolab import` writes (parameters inline).
 *
 * How operators map (opsets 7–17; nodes are visited in the file's topological order, see importer.ts):
 *  - values are constants (initializers, Constant nodes, anything computed only from them — folded, see fold.ts),
 *    parameter placeholders (graph inputs without an initializer that feed weight positions: the exporter left the
 *    weights out; their values are drawn from the model's seed) or activations (a layer's output, with its shape);
 *  - Shape of an activation is a constant (shapes are static once every input dimension is known), so PyTorch's
 *    Shape → Gather → Unsqueeze → Concat → Reshape chains fold into a Reshape with a constant shape;
 *  - Conv → conv2d (group, dilations, strides, pads, auto_pad); Gemm / MatMul with a constant (or placeholder) B →
 *    dense (W = op(B)ᵀ·alpha, bias = beta·C), with an activation B → matmul;
 *  - Add / Sub / Mul / Div with a constant operand fold into the dense/conv that produces the other operand when that
 *    layer has no other consumer and the constant is a per-output-channel vector (or a scalar): Add/Sub into the bias,
 *    Mul/Div into weight and bias. Anything else with a constant operand is an error naming the node (the IR has no
 *    constant tensors);
 *  - x·0.5·(1 + erf(x/√2)) (PyTorch's GELU export, any operand order) → gelu (gelu.ts); Gelu (com.microsoft / opset 20) → gelu;
 *  - the rest one to one (see RULES in ops.ts, one row per operator). Identity and eval-mode Dropout of constants are aliases.
 * Operators outside these: one error listing every one with its node name and the opset.
 * Layers are named by their PyTorch module path, once (`features.12.expand1x1`; names.ts has the rules).
 */
import { readFileSync } from 'node:fs';
import { SimError } from '../../base/errors.js';
import { buildGraph, splitKey } from '../../ir/graph.js';
import { tensorToJson } from '../../ir/tensor-json.js';
import type { LayerGraph } from '../../ir/types.js';
import { decodeOnnx } from './decode.js';
import { type ImportedOnnx, Importer, type OnnxImportOptions } from './importer.js';

export type { ImportedOnnx, OnnxImportOptions };

/** `1x3x224x224` or `name=1x3x224x224`, one or more (the CLI's --input-shape). */
export function parseInputShapes(specs: readonly string[]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const spec of specs) {
    const m = /^(?:(.+)=)?(\d+(?:x\d+)*)$/i.exec(spec.trim());
    const dims = m ? m[2].toLowerCase().split('x').map(Number) : [];
    if (!m || dims.some((d) => d < 1)) {
      throw new SimError('must be DIMS or NAME=DIMS with positive integers joined by x', {
        code: 'badValue', path: '--input-shape', value: spec, hint: 'Example: --input-shape 1x3x224x224 or --input-shape input=1x3x224x224.',
      });
    }
    out[m[1] ?? ''] = dims;
  }
  return out;
}

/** ONNX bytes → model document + parameters + ParsedModel. `file` names the model and appears in errors. */
export function importOnnx(bytes: Uint8Array, file: string, options: OnnxImportOptions = {}): ImportedOnnx {
  try {
    return new Importer(decodeOnnx(bytes, file), file, options).run();
  } catch (e) {
    throw e instanceof SimError ? e.inFile(file) : e; // the constant folder's size limit names no file
  }
}

function readBytes(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SimError(code === 'ENOENT' ? 'file not found' : `cannot read the file (${code ?? String(e)})`, { code: 'missingFile', file });
  }
}

/** An .onnx file → LayerGraph (what `--model net.onnx` does). */
export function loadOnnxModel(file: string, options: OnnxImportOptions = {}): LayerGraph {
  return buildGraph(importOnnx(readBytes(file), file, options).parsed, file);
}

/** An .onnx file → a model document with every parameter inline (what `systolab import` writes), and its graph. */
export function onnxToDocument(file: string, options: OnnxImportOptions = {}): { document: Record<string, unknown>; graph: LayerGraph; drawn: readonly string[] } {
  const imported = importOnnx(readBytes(file), file, options);
  const graph = buildGraph(imported.parsed, file);
  const layers = imported.document.layers.map((l) => {
    const name = l.name as string;
    const own = Object.keys(imported.params).filter((k) => splitKey(k)[0] === name);
    return own.length ? { ...l, params: Object.fromEntries(own.map((k) => [splitKey(k)[1], tensorToJson(imported.params[k])])) } : l;
  });
  return { document: { ...imported.document, layers }, graph, drawn: imported.drawn };
}

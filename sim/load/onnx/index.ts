/**
 * ONNX → Systolab model document → LayerGraph. `loadOnnxModel(file)` is what `--model net.onnx` uses;
 * `onnxToDocument` gives the model file `systolab import` writes (parameters inline).
 *
 * How operators map (opsets 7–17; nodes are visited in the file's topological order):
 *  - values are constants (initializers, Constant nodes, anything computed only from them — folded, see onnx-fold.ts),
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
 *  - x·0.5·(1 + erf(x/√2)) (PyTorch's GELU export, any operand order) → gelu; Gelu (com.microsoft / opset 20) → gelu;
 *  - the rest one to one (see OPS below). Identity and eval-mode Dropout of constants are aliases.
 * Operators outside these: one error listing every one with its node name and the opset.
 */
import { readFileSync } from 'node:fs';
import { SimError } from '../../base/errors.js';
import { buildGraph } from '../../ir/graph.js';
import { parseModel, type ParsedModel } from '../../ir/parse.js';
import { inferShape, ShapeProblem } from '../../ir/shapes.js';
import { tensorToJson } from '../../ir/tensor-json.js';
import type { LayerGraph, LayerNode, ParamTensor } from '../../ir/types.js';
import { type AttrValue, decodeOnnx, type OnnxGraph, type OnnxNode } from './decode.js';
import { FOLDABLE, fold, type FoldTensor, ints, reshapeDims, transposeTensor } from './fold.js';

export interface OnnxImportOptions {
  /** Dims for graph inputs: `{ '': [1, 3, 224, 224] }` for the only input, or by input name. */
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
  readonly seed?: number;
}

type Val =
  | { readonly t: 'const'; readonly x: FoldTensor }
  | { readonly t: 'param'; readonly dims: readonly number[]; readonly source: string }
  | { readonly t: 'act'; readonly layer: string; readonly shape: readonly number[] };

/** A weight: values, or only a shape (drawn from the seed). */
type Weight = { readonly dims: readonly number[]; readonly data: Float64Array | null };

interface Layer { node: Record<string, unknown> & { name: string; kind: string; inputs: string[] }; params: Record<string, Weight> }

/** Operators mapped to layers (besides the constant folder's). */
const OPS = new Set(['Conv', 'Gemm', 'MatMul', 'Add', 'Sub', 'Mul', 'Div', 'Relu', 'Clip', 'Sigmoid', 'Tanh', 'LeakyRelu', 'Softmax',
  'MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'BatchNormalization', 'Flatten', 'Reshape', 'Transpose', 'Concat',
  'Dropout', 'Identity', 'Pad', 'LayerNormalization', 'Gelu', 'Shape', 'Unsqueeze', 'Squeeze', 'Constant', 'Cast', 'Gather',
  'ConstantOfShape', 'Slice', 'Erf', 'Range', 'Equal', 'Where', 'Pow', 'Neg', 'Sqrt', 'ReduceMean']);
/** Of OPS, those that only work on constants (Erf only inside the GELU pattern). */
const CONST_ONLY = new Set(['Cast', 'Gather', 'ConstantOfShape', 'Slice', 'Erf', 'Range', 'Equal', 'Where', 'Pow', 'Neg', 'Sqrt', 'Constant']);

const size = (d: readonly number[]) => d.reduce((a, b) => a * b, 1);
const show = (d: readonly number[]) => `[${d.join(', ')}]`;

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

/** A layer name from an ONNX node name: `/layer1/conv/Conv` → `layer1.conv.Conv`. */
function layerName(raw: string): string {
  return raw.replace(/^\/+/, '').replace(/[/:]+/g, '.').replace(/\s+/g, '_') || 'node';
}

/** Finds x·0.5·(1 + erf(x/√2)) subgraphs and replaces each with one Gelu node at the position of its last node. */
function fuseGelu(nodes: readonly OnnxNode[], constant: (name: string) => FoldTensor | null, uses: ReadonlyMap<string, number>): OnnxNode[] {
  const producer = new Map<string, OnnxNode>();
  const consumers = new Map<string, OnnxNode[]>();
  for (const n of nodes) {
    for (const o of n.outputs) producer.set(o, n);
    for (const i of n.inputs) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  }
  const scalar = (name: string, v: number) => {
    const c = constant(name);
    return c !== null && c.data.length === 1 && Math.abs(c.data[0] - v) <= 1e-6 * Math.abs(v);
  };
  const only = (value: string): OnnxNode | null => {
    const c = consumers.get(value) ?? [];
    return c.length === 1 && (uses.get(value) ?? 0) === 1 ? c[0] : null;
  };
  /** For a binary node with one input equal to `value`, the other input. */
  const other = (n: OnnxNode, value: string) => (n.inputs[0] === value ? n.inputs[1] : n.inputs[1] === value ? n.inputs[0] : null);
  const drop = new Set<OnnxNode>();
  const replace = new Map<OnnxNode, OnnxNode>();
  for (const erf of nodes) {
    if (erf.opType !== 'Erf') continue;
    const scale = producer.get(erf.inputs[0]);
    if (!scale || only(erf.inputs[0]) !== erf) continue;
    let x: string | null = null;
    if (scale.opType === 'Div' && scalar(scale.inputs[1], Math.SQRT2)) x = scale.inputs[0];
    if (scale.opType === 'Mul') {
      for (const [a, b] of [[0, 1], [1, 0]]) if (scalar(scale.inputs[b], Math.SQRT1_2)) x = scale.inputs[a];
    }
    if (x === null) continue;
    const plus = only(erf.outputs[0]);
    if (!plus || plus.opType !== 'Add' || !scalar(other(plus, erf.outputs[0]) ?? '', 1)) continue;
    const times = only(plus.outputs[0]);
    if (!times || times.opType !== 'Mul') continue;
    const partner = other(times, plus.outputs[0])!;
    const chain = [scale, erf, plus, times];
    let last: OnnxNode;
    if (partner === x) {
      // x·(1 + erf) then ·0.5
      const half = only(times.outputs[0]);
      if (!half || half.opType !== 'Mul' || !scalar(other(half, times.outputs[0]) ?? '', 0.5)) continue;
      chain.push(half);
      last = half;
    } else {
      // (x·0.5)·(1 + erf)
      const halfNode = producer.get(partner);
      if (!halfNode || halfNode.opType !== 'Mul' || only(partner) !== times) continue;
      const xin = other(halfNode, x);
      if (xin === null || !scalar(xin, 0.5)) continue;
      chain.push(halfNode);
      last = times;
    }
    for (const n of chain) drop.add(n);
    replace.set(last, { name: `${erf.name}.gelu`, opType: 'Gelu', domain: '', inputs: [x], outputs: [last.outputs[0]], attrs: new Map() });
  }
  return nodes.flatMap((n) => (replace.has(n) ? [replace.get(n)!] : drop.has(n) ? [] : [n]));
}

export interface ImportedOnnx {
  readonly parsed: ParsedModel;
  /** The model document without parameters (the params are in `params`, keyed `layer.param`). */
  readonly document: Record<string, unknown> & { layers: Record<string, unknown>[] };
  readonly params: Readonly<Record<string, ParamTensor>>;
  readonly opset: number;
  /** Parameters whose values the file did not hold (drawn from the seed). */
  readonly drawn: readonly string[];
}

/** ONNX bytes → model document + parameters + ParsedModel. `file` names the model and appears in errors. */
export function importOnnx(bytes: Uint8Array, file: string, options: OnnxImportOptions = {}): ImportedOnnx {
  const g = decodeOnnx(bytes, file);
  return new Importer(g, file, options).run();
}

class Importer {
  private readonly vals = new Map<string, Val>();
  private readonly layers: Layer[] = [];
  private readonly byName = new Map<string, Layer>();
  private readonly usedNames = new Set<string>();
  private readonly uses = new Map<string, number>();
  private readonly opset: number;

  constructor(private readonly g: OnnxGraph, private readonly file: string, private readonly options: OnnxImportOptions) {
    this.opset = g.opset;
  }

  private fail(node: OnnxNode | null, problem: string, hint?: string): never {
    throw new SimError(node ? `node "${node.name}" (${node.opType}): ${problem}` : problem, { code: 'onnx', file: this.file, hint });
  }

  private unique(raw: string): string {
    let name = layerName(raw);
    for (let i = 2; this.usedNames.has(name); i++) name = `${layerName(raw)}_${i}`;
    this.usedNames.add(name);
    return name;
  }

  private emit(onnxNode: OnnxNode | null, raw: string, kind: string, inputs: readonly Val[], attrs: Record<string, unknown>, params: Record<string, Weight> = {}): Val {
    const name = this.unique(raw);
    const layerInputs = inputs.map((v) => (v as { layer: string }).layer);
    const node = { name, kind, inputs: layerInputs, ...attrs };
    const shapes = inputs.map((v) => (v as { shape: readonly number[] }).shape);
    const distinct = [...new Map(layerInputs.map((l, i) => [l, shapes[i]])).entries()];
    let shape: readonly number[];
    try {
      const full = parseModel({ layers: [...distinct.map(([l, s]) => ({ name: l, kind: 'input', shape: s.length ? s : [1] })), node] }, this.file)
        .layers.find((l) => l.name === name)!;
      shape = inferShape(full as LayerNode, shapes);
    } catch (e) {
      if (e instanceof ShapeProblem || e instanceof SimError) this.fail(onnxNode, `cannot be expressed as a ${kind} layer: ${e.message.replace(/\.$/, '')}`);
      throw e;
    }
    const layer: Layer = { node, params };
    this.layers.push(layer);
    this.byName.set(name, layer);
    return { t: 'act', layer: name, shape };
  }

  private val(node: OnnxNode, i: number): Val | null {
    const name = node.inputs[i];
    if (name === undefined || name === '') return null;
    const v = this.vals.get(name);
    if (!v) this.fail(node, `reads "${name}", which no node, initializer or graph input defines`);
    return v!;
  }
  private act(node: OnnxNode, i: number): Val & { t: 'act' } {
    const v = this.val(node, i);
    if (!v || v.t !== 'act') this.fail(node, `input ${i} ("${node.inputs[i]}") must be an activation, not a ${v ? (v.t === 'const' ? 'constant' : 'weight') : 'missing input'}`);
    return v as Val & { t: 'act' };
  }
  private constant(node: OnnxNode, i: number, what: string): FoldTensor | null {
    const v = this.val(node, i);
    if (v === null) return null;
    if (v.t !== 'const') this.fail(node, `${what} (input ${i}, "${node.inputs[i]}") must be a constant`);
    return (v as { x: FoldTensor }).x;
  }
  /** A weight operand: a constant or a placeholder. */
  private weight(node: OnnxNode, i: number, what: string): Weight | null {
    const v = this.val(node, i);
    if (v === null) return null;
    if (v.t === 'const') return { dims: v.x.dims, data: v.x.data };
    if (v.t === 'param') return { dims: v.dims, data: null };
    return this.fail(node, `${what} (input ${i}, "${node.inputs[i]}") must be a constant or a weight, not an activation`);
  }

  private attr(node: OnnxNode, key: string, dflt: number): number;
  private attr(node: OnnxNode, key: string, dflt: string): string;
  private attr<T extends AttrValue>(node: OnnxNode, key: string, dflt: T): T;
  private attr(node: OnnxNode, key: string, dflt: AttrValue): AttrValue {
    return node.attrs.has(key) ? node.attrs.get(key)! : dflt;
  }

  /** Graph inputs: activations, or weight placeholders when every use of them is a weight position. */
  private inputs(nodes: readonly OnnxNode[]): void {
    const weightPos: Record<string, readonly number[]> = {
      Conv: [1, 2], Gemm: [1, 2], MatMul: [1], BatchNormalization: [1, 2, 3, 4], LayerNormalization: [1, 2], Add: [0, 1], Identity: [0], Transpose: [0],
    };
    const given = this.options.inputShapes ?? {};
    const acts: string[] = [];
    const isWeight = (name: string, seen = new Set<string>()): boolean => {
      if (seen.has(name)) return false;
      seen.add(name);
      const users = nodes.flatMap((n) => n.inputs.map((v, i) => [n, i, v] as const).filter(([, , v]) => v === name));
      return users.length > 0 && users.every(([n, i]) => {
        if (!(weightPos[n.opType] ?? []).includes(i)) return false;
        if (n.opType === 'Identity' || n.opType === 'Transpose') return n.outputs.every((o) => isWeight(o, seen));
        if (n.opType === 'Add') return nodes.some((p) => p.opType === 'MatMul' && p.outputs[0] === n.inputs[1 - i]);
        return true;
      });
    };
    for (const input of this.g.inputs) {
      if (input.dims.length > 0 && !given[input.name] && isWeight(input.name) && input.dims.every((d) => d !== null)) {
        this.vals.set(input.name, { t: 'param', dims: input.dims as number[], source: input.name });
        continue;
      }
      acts.push(input.name);
    }
    for (const key of Object.keys(given)) {
      if (key !== '' && !acts.includes(key)) {
        this.fail(null, `--input-shape names "${key}", which is not an input of the model`, `Its inputs: ${acts.map((a) => `"${a}"`).join(', ')}.`);
      }
    }
    if ('' in given && acts.length !== 1) {
      this.fail(null, `the model has ${acts.length} inputs, so --input-shape needs NAME=DIMS`, `Its inputs: ${acts.map((a) => `"${a}"`).join(', ')}.`);
    }
    for (const name of acts) {
      const input = this.g.inputs.find((i) => i.name === name)!;
      const dims = given[name] ?? given[''];
      let shape: number[];
      if (dims) {
        if (input.hasShape && input.dims.length !== dims.length) {
          this.fail(null, `--input-shape gives ${dims.length} dims for input "${name}", whose rank is ${input.dims.length}`);
        }
        shape = [...dims];
      } else {
        const dynamic = input.dims.map((d, i) => (d === null ? `${input.dimNames[i] ?? '?'} (axis ${i})` : null)).filter((d) => d !== null);
        if (!input.hasShape || dynamic.length > 0) {
          const known = input.dims.map((d) => (d === null ? 'N' : String(d))).join('x');
          throw new SimError(`input "${name}" has ${input.hasShape ? `dynamic dimensions: ${dynamic.join(', ')}` : 'no declared shape'}`, {
            code: 'dynamicShape', file: this.file, hint: `Fix them with \`systolab import FILE --input-shape DIMS\`, e.g. --input-shape ${input.hasShape ? known.replace(/N/g, '1') : '1x3x224x224'}${acts.length > 1 ? ` (NAME=DIMS per input: ${acts.join(', ')})` : ''}.`,
          });
        }
        shape = input.dims as number[];
      }
      const layer = this.unique(name);
      this.layers.push({ node: { name: layer, kind: 'input', inputs: [], shape }, params: {} });
      this.vals.set(name, { t: 'act', layer, shape });
    }
  }

  run(): ImportedOnnx {
    const g = this.g;
    for (const [name, t] of g.initializers) this.vals.set(name, { t: 'const', x: t });
    for (const n of g.nodes) for (const i of n.inputs) if (i) this.uses.set(i, (this.uses.get(i) ?? 0) + 1);
    for (const o of g.outputs) this.uses.set(o, (this.uses.get(o) ?? 0) + 1);

    // Constants known before the walk (initializers and Constant nodes), for pattern matching.
    const early = new Map<string, FoldTensor>(g.initializers);
    for (const n of g.nodes) if (n.opType === 'Constant') { const r = fold('Constant', [], n.attrs, this.opset); if (r) early.set(n.outputs[0], r[0]); }
    const nodes = fuseGelu(g.nodes, (name) => early.get(name) ?? null, this.uses);

    const unsupported = nodes.filter((n) => (n.domain !== '' && n.domain !== 'ai.onnx' && !(n.domain === 'com.microsoft' && n.opType === 'Gelu')) || !OPS.has(n.opType));
    if (unsupported.length > 0) {
      const list = unsupported.map((n) => `${n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.` : ''}${n.opType} (node "${n.name}")`).join(', ');
      throw new SimError(`has ${unsupported.length} node${unsupported.length === 1 ? '' : 's'} with operators the importer does not map, at opset ${this.opset}: ${list}`, {
        code: 'unsupportedOperator', file: this.file, hint: 'Supported: Conv, Gemm, MatMul, Add, Sub, Mul, Div, Relu, Clip, Sigmoid, Tanh, LeakyRelu, Softmax, MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool, BatchNormalization, LayerNormalization, Flatten, Reshape, Squeeze, Unsqueeze, Transpose, Concat, Dropout, Identity, Pad, ReduceMean (spatial), the GELU/Erf pattern and shape arithmetic on constants.',
      });
    }
    this.inputs(nodes);
    for (const node of nodes) this.visit(node);

    if (g.outputs.length === 0) this.fail(null, 'the graph declares no outputs');
    const out = this.vals.get(g.outputs[0]);
    if (!out || out.t !== 'act') this.fail(null, `the graph output "${g.outputs[0]}" is not computed from the inputs`);
    const outputLayer = (out as { layer: string }).layer;

    const modelName = this.file.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '');
    const document = {
      version: 1, name: modelName, description: `imported from ONNX (opset ${this.opset}${g.producer ? `, ${g.producer}` : ''})`,
      seed: this.options.seed ?? 0, output: outputLayer,
      layers: this.layers.map((l) => l.node as Record<string, unknown>),
    };
    const params: Record<string, ParamTensor> = {};
    const drawn: string[] = [];
    for (const l of this.layers) {
      for (const [p, w] of Object.entries(l.params)) {
        if (w.data) params[`${l.node.name}.${p}`] = { shape: [...w.dims], data: w.data };
        else drawn.push(`${l.node.name}.${p}`);
      }
    }
    const parsedNoParams = parseModel(document, this.file);
    const parsed: ParsedModel = {
      ...parsedNoParams,
      params: Object.fromEntries(Object.entries(params).map(([k, tensor]) => [k, { tensor, at: { file: this.file, path: k } }])),
    };
    return { parsed, document, params, opset: this.opset, drawn };
  }

  private define(node: OnnxNode, v: Val, index = 0): void {
    this.vals.set(node.outputs[index], v);
  }

  private visit(node: OnnxNode): void {
    const inVals = node.inputs.map((_, i) => this.val(node, i));
    // Constant folding: every input constant (and the operator one the folder knows).
    const present = inVals.filter((v) => v !== null);
    if (node.opType === 'Shape') {
      const v = inVals[0]!;
      const dims = v.t === 'const' ? v.x.dims : v.t === 'param' ? v.dims : v.shape;
      const rank = dims.length;
      const norm = (a: number) => Math.min(Math.max(a < 0 ? a + rank : a, 0), rank);
      const s = dims.slice(norm(this.attr(node, 'start', 0)), norm(this.attr(node, 'end', rank)));
      return this.define(node, { t: 'const', x: { dims: [s.length], data: Float64Array.from(s), int: true } });
    }
    if (FOLDABLE.has(node.opType) && present.every((v) => v.t === 'const')) {
      const r = fold(node.opType, inVals.map((v) => (v ? (v as { x: FoldTensor }).x : null)), node.attrs, this.opset);
      if (r) { r.forEach((t, i) => this.define(node, { t: 'const', x: t }, i)); return; }
    }
    // Views of weights the exporter left out.
    if (present.length > 0 && present[0].t === 'param') {
      const p = present[0];
      if (node.opType === 'Identity') return this.define(node, p);
      if (node.opType === 'Transpose') {
        const perm = this.attr<number[]>(node, 'perm', p.dims.map((_, i) => p.dims.length - 1 - i));
        return this.define(node, { t: 'param', dims: perm.map((i) => p.dims[i]), source: p.source });
      }
    }
    if (CONST_ONLY.has(node.opType)) this.fail(node, 'is only supported on constants (its input here is computed from the model input)');
    this.map(node);
  }

  private map(node: OnnxNode): void {
    const op = node.opType;
    const A = () => this.act(node, 0);
    const one = (kind: string, attrs: Record<string, unknown> = {}) => this.define(node, this.emit(node, node.name, kind, [A()], attrs));
    switch (op) {
      case 'Identity': return this.define(node, this.val(node, 0)!);
      case 'Relu': return one('relu');
      case 'Sigmoid': return one('sigmoid');
      case 'Tanh': return one('tanh');
      case 'LeakyRelu': return one('leakyRelu', { negativeSlope: this.attr(node, 'alpha', 0.01) });
      case 'Gelu': return one('gelu', { approximate: this.attr(node, 'approximate', 'none') === 'tanh' ? 'tanh' : 'none' });
      case 'Clip': {
        const lo = this.opset >= 11 ? this.constant(node, 1, 'min')?.data[0] : this.attr<number>(node, 'min', -Infinity);
        const hi = this.opset >= 11 ? this.constant(node, 2, 'max')?.data[0] : this.attr<number>(node, 'max', Infinity);
        const attrs: Record<string, unknown> = {};
        if (lo !== undefined && lo !== -Infinity) attrs.min = lo;
        if (hi !== undefined && hi !== Infinity) attrs.max = hi;
        return one('clip', attrs);
      }
      case 'Softmax': {
        const x = A();
        const rank = x.shape.length;
        const dflt = this.opset >= 13 ? -1 : 1;
        let axis = this.attr(node, 'axis', dflt);
        if (axis < 0) axis += rank;
        if (this.opset < 13 && axis !== rank - 1) {
          this.fail(node, `at opset ${this.opset} Softmax normalizes over all dims from axis ${axis} together; only the last axis maps to a softmax layer`);
        }
        return one('softmax', { axis });
      }
      case 'Dropout': {
        if (node.outputs.length > 1 && node.outputs[1] !== '' && this.uses.has(node.outputs[1])) this.fail(node, 'its mask output is used');
        const ratio = this.opset >= 12 ? this.constant(node, 1, 'ratio')?.data[0] ?? 0.5 : this.attr(node, 'ratio', 0.5);
        return one('dropout', { p: ratio });
      }
      case 'Conv': return this.conv(node);
      case 'Gemm': return this.gemm(node);
      case 'MatMul': return this.matmul(node);
      case 'Add': case 'Sub': case 'Mul': case 'Div': return this.binary(node);
      case 'MaxPool': case 'AveragePool': return this.pool(node);
      case 'GlobalAveragePool': return one('globalAvgPool', { keepDims: true });
      case 'GlobalMaxPool': {
        const x = A();
        if (x.shape.length !== 4) this.fail(node, `needs a rank-4 input, got ${show(x.shape)}`);
        return one('maxPool2d', { kernel: [x.shape[2], x.shape[3]], stride: 1 });
      }
      case 'ReduceMean': {
        const x = A();
        const axes = (this.opset >= 18 ? ints(this.constant(node, 1, 'axes')) : this.attr<number[]>(node, 'axes', [])).map((a) => (a < 0 ? a + x.shape.length : a)).sort();
        if (x.shape.length !== 4 || axes.join() !== '2,3') this.fail(node, `maps only as the mean over H and W of a rank-4 input (axes [2, 3]), got axes ${show(axes)} of ${show(x.shape)}`);
        return one('globalAvgPool', { keepDims: this.attr(node, 'keepdims', 1) === 1 });
      }
      case 'BatchNormalization': {
        if (this.attr(node, 'training_mode', 0) === 1) this.fail(node, 'is in training mode (training_mode=1)', 'Export the model in eval mode.');
        const params: Record<string, Weight> = {};
        ['weight', 'bias', 'runningMean', 'runningVar'].forEach((p, i) => { params[p] = this.weight(node, i + 1, p)!; });
        return this.define(node, this.emit(node, node.name, 'batchNorm', [A()], {
          eps: this.attr(node, 'epsilon', 1e-5), momentum: 1 - this.attr(node, 'momentum', 0.9),
        }, params));
      }
      case 'LayerNormalization': {
        const x = A();
        let axis = this.attr(node, 'axis', -1);
        if (axis < 0) axis += x.shape.length;
        const normalizedShape = x.shape.slice(axis);
        const weight = this.weight(node, 1, 'scale')!;
        const bias = this.weight(node, 2, 'B') ?? { dims: normalizedShape, data: new Float64Array(size(normalizedShape)) };
        return this.define(node, this.emit(node, node.name, 'layerNorm', [x], { normalizedShape, eps: this.attr(node, 'epsilon', 1e-5) }, { weight, bias }));
      }
      case 'Flatten': {
        const x = A();
        let axis = this.attr(node, 'axis', 1);
        if (axis < 0) axis += x.shape.length;
        if (axis === 1) return one('flatten', { startDim: 1 });
        return one('reshape', { shape: [size(x.shape.slice(0, axis)), size(x.shape.slice(axis))] });
      }
      case 'Reshape': {
        const x = A();
        const target = ints(this.constant(node, 1, 'shape'));
        const allowZero = this.attr(node, 'allowzero', 0) === 1;
        return one('reshape', { shape: allowZero || target.filter((d) => d === -1).length > 1 ? reshapeDims(x.shape, target, allowZero) : target });
      }
      case 'Squeeze': case 'Unsqueeze': {
        const x = A();
        const axesT = this.opset >= 13 ? this.constant(node, 1, 'axes') : null;
        const axesAttr = node.attrs.get('axes') as number[] | undefined;
        const r = fold(op, [{ dims: x.shape, data: new Float64Array(0) }, axesT], new Map(axesAttr ? [['axes', axesAttr]] : []), this.opset)!;
        return one('reshape', { shape: r[0].dims });
      }
      case 'Transpose': {
        const x = A();
        return one('transpose', { perm: this.attr<number[]>(node, 'perm', x.shape.map((_, i) => x.shape.length - 1 - i)) });
      }
      case 'Concat': {
        const inputs = node.inputs.map((_, i) => this.act(node, i));
        return this.define(node, this.emit(node, node.name, 'concat', inputs, { axis: this.attr(node, 'axis', 1) }));
      }
      case 'Pad': return this.pad(node);
      default: this.fail(node, 'is not supported here');
    }
  }

  private conv(node: OnnxNode): void {
    const x = this.act(node, 0);
    const w = this.weight(node, 1, 'W')!;
    const b = this.weight(node, 2, 'B');
    if (w.dims.length !== 4 || x.shape.length !== 4) this.fail(node, `only 2-D convolutions map (kernel ${show(w.dims)}, input ${show(x.shape)})`);
    const [k, , r, s] = w.dims;
    const strides = this.attr<number[]>(node, 'strides', [1, 1]);
    const dilations = this.attr<number[]>(node, 'dilations', [1, 1]);
    const pads = this.spatialPads(node, x.shape, [r, s], strides, dilations);
    const params: Record<string, Weight> = { weight: w };
    if (b) params.bias = b;
    this.define(node, this.emit(node, node.name, 'conv2d', [x], {
      filters: k, kernel: [r, s], stride: strides, dilation: dilations, padding: pads, groups: this.attr(node, 'group', 1), bias: !!b,
    }, params));
  }

  /** ONNX pads [hBegin, wBegin, hEnd, wEnd] or auto_pad → [top, bottom, left, right]. */
  private spatialPads(node: OnnxNode, shape: readonly number[], kernel: readonly number[], strides: readonly number[], dilations: readonly number[]): number[] {
    const auto = this.attr(node, 'auto_pad', 'NOTSET');
    if (auto === 'NOTSET') {
      const p = this.attr<number[]>(node, 'pads', [0, 0, 0, 0]);
      if (p.length !== 4) this.fail(node, `pads must have 4 values for a 2-D operator, got ${show(p)}`);
      return [p[0], p[2], p[1], p[3]];
    }
    if (auto === 'VALID') return [0, 0, 0, 0];
    if (auto !== 'SAME_UPPER' && auto !== 'SAME_LOWER') this.fail(node, `auto_pad ${auto} is not an ONNX value`);
    const out: number[] = [];
    for (let i = 0; i < 2; i++) {
      const inSize = shape[2 + i];
      const total = Math.max(0, (Math.ceil(inSize / strides[i]) - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - inSize);
      const small = Math.floor(total / 2), big = total - small;
      out.push(...(auto === 'SAME_UPPER' ? [small, big] : [big, small]));
    }
    return out;
  }

  private pool(node: OnnxNode): void {
    const x = this.act(node, 0);
    const kernel = this.attr<number[]>(node, 'kernel_shape', []);
    if (kernel.length !== 2 || x.shape.length !== 4) this.fail(node, `only 2-D pooling maps (kernel_shape ${show(kernel)}, input ${show(x.shape)})`);
    const dil = this.attr<number[]>(node, 'dilations', [1, 1]);
    if (dil.some((d) => d !== 1)) this.fail(node, `dilated pooling (dilations ${show(dil)}) has no layer kind`);
    if (node.outputs.length > 1 && this.uses.has(node.outputs[1])) this.fail(node, 'its Indices output is used');
    const strides = this.attr<number[]>(node, 'strides', [1, 1]);
    const attrs: Record<string, unknown> = {
      kernel, stride: strides, padding: this.spatialPads(node, x.shape, kernel, strides, [1, 1]), ceilMode: this.attr(node, 'ceil_mode', 0) === 1,
    };
    if (node.opType === 'AveragePool') attrs.countIncludePad = this.attr(node, 'count_include_pad', 0) === 1;
    this.define(node, this.emit(node, node.name, node.opType === 'MaxPool' ? 'maxPool2d' : 'avgPool2d', [x], attrs));
  }

  private pad(node: OnnxNode): void {
    const x = this.act(node, 0);
    const mode = this.attr(node, 'mode', 'constant');
    if (mode !== 'constant') this.fail(node, `mode "${mode}" is not supported (only constant padding maps)`);
    const pads = this.opset >= 11 ? ints(this.constant(node, 1, 'pads')) : this.attr<number[]>(node, 'pads', []);
    const value = this.opset >= 11 ? this.constant(node, 2, 'constant_value')?.data[0] ?? 0 : this.attr(node, 'value', 0);
    if (this.opset >= 18 && node.inputs[3]) this.fail(node, 'the axes input is not supported');
    const rank = x.shape.length;
    if (rank !== 4 || pads.length !== 8 || [0, 1, 4, 5].some((i) => pads[i] !== 0) || pads.some((p) => p < 0)) {
      this.fail(node, `only non-negative padding of H and W of a rank-4 input maps (pads ${show(pads)}, input ${show(x.shape)})`);
    }
    this.define(node, this.emit(node, node.name, 'pad', [x], { padding: [pads[2], pads[6], pads[3], pads[7]], value }));
  }

  private gemm(node: OnnxNode): void {
    const alpha = this.attr(node, 'alpha', 1), beta = this.attr(node, 'beta', 1);
    const transA = this.attr(node, 'transA', 0) === 1, transB = this.attr(node, 'transB', 0) === 1;
    let a: Val = this.act(node, 0);
    const bv = this.val(node, 1)!;
    if (bv.t === 'act') {
      if (node.inputs[2] || alpha !== 1) this.fail(node, 'a Gemm of two activations maps to matmul only without C and with alpha = 1');
      return this.define(node, this.emit(node, node.name, 'matmul', [a, bv], { transposeA: transA, transposeB: transB }));
    }
    if (transA) a = this.emit(node, `${node.name}.transA`, 'transpose', [a], { perm: [1, 0] });
    const b = this.weight(node, 1, 'B')!;
    const c = this.weight(node, 2, 'C');
    const [kDim, nDim] = transB ? [b.dims[1], b.dims[0]] : b.dims;
    let w: Weight = transB ? b : { dims: [nDim, kDim], data: b.data ? transposeTensor({ dims: b.dims, data: b.data }, [1, 0]).data : null };
    if (alpha !== 1 && w.data) w = { dims: w.dims, data: w.data.map((v) => v * alpha) };
    const params: Record<string, Weight> = { weight: w };
    if (c && beta !== 0) {
      const bias = this.perChannel(node, c, nDim, 'C');
      params.bias = bias.data && beta !== 1 ? { dims: bias.dims, data: bias.data.map((v) => v * beta) } : bias;
    }
    this.define(node, this.emit(node, node.name, 'dense', [a], { units: nDim, bias: !!params.bias }, params));
  }

  /** A bias operand broadcast over rows: scalar, [n], [1, n], … → [n]; anything else is an error. */
  private perChannel(node: OnnxNode, c: Weight, n: number, what: string, channelAxisFromEnd = 1): Weight {
    const d = c.dims;
    const nonOne = d.map((x, i) => [x, d.length - i] as const).filter(([x]) => x !== 1);
    if (nonOne.length === 0) return { dims: [n], data: c.data ? new Float64Array(n).fill(c.data[0]) : null };
    if (nonOne.length === 1 && nonOne[0][0] === n && nonOne[0][1] === channelAxisFromEnd) return { dims: [n], data: c.data };
    return this.fail(node, `${what} of shape ${show(d)} is not a per-channel vector of ${n} (the IR has no constant tensors to add otherwise)`);
  }

  private matmul(node: OnnxNode): void {
    const av = this.val(node, 0)!, bv = this.val(node, 1)!;
    if (av.t !== 'act') this.fail(node, 'a constant first operand is not supported (only x·W and x·y map)');
    if (bv.t === 'act') return this.define(node, this.emit(node, node.name, 'matmul', [av, bv], { transposeA: false, transposeB: false }));
    const b = this.weight(node, 1, 'B')!;
    if (b.dims.length !== 2) this.fail(node, `a constant B must be 2-D to map to dense, got ${show(b.dims)}`);
    const w: Weight = { dims: [b.dims[1], b.dims[0]], data: b.data ? transposeTensor({ dims: b.dims, data: b.data }, [1, 0]).data : null };
    this.define(node, this.emit(node, node.name, 'dense', [av], { units: b.dims[1], bias: false }, { weight: w }));
  }

  private binary(node: OnnxNode): void {
    const op = node.opType;
    const a = this.val(node, 0)!, b = this.val(node, 1)!;
    if (a.t === 'act' && b.t === 'act') {
      if (op === 'Add' || op === 'Mul') return this.define(node, this.emit(node, node.name, op === 'Add' ? 'add' : 'mul', [a, b], {}));
      this.fail(node, `${op} of two activations has no layer kind (only Add and Mul do)`);
    }
    const actIndex = a.t === 'act' ? 0 : b.t === 'act' ? 1 : -1;
    if (actIndex < 0) this.fail(node, 'neither operand is an activation');
    const x = (actIndex === 0 ? a : b) as Val & { t: 'act' };
    const cv = actIndex === 0 ? b : a;
    if ((op === 'Sub' || op === 'Div') && actIndex === 1) this.fail(node, `constant ${op === 'Sub' ? '−' : '÷'} activation cannot be folded`);
    const c: Weight = cv.t === 'const' ? { dims: cv.x.dims, data: cv.x.data } : { dims: (cv as { dims: readonly number[] }).dims, data: null };
    const producer = this.byName.get(x.layer);
    const why = (reason: string): never => this.fail(node, `${op} with a constant operand ${show(c.dims)} cannot be folded: ${reason}`,
      'The IR has no constant tensors: a constant is folded into the dense/conv layer right before it (per-channel bias, scale).');
    if (!producer || (producer.node.kind !== 'dense' && producer.node.kind !== 'conv2d')) return why(`its other operand does not come from a dense or conv layer`);
    if ((this.uses.get(node.inputs[actIndex]) ?? 0) !== 1) return why('the layer it would fold into has other consumers');
    const isConv = producer.node.kind === 'conv2d';
    const n = isConv ? producer.node.filters as number : producer.node.units as number;
    const channelAxisFromEnd = isConv ? 3 : 1;
    if (isConv && c.dims.length === 4 && c.dims[0] !== 1) why('it is not per-channel');
    if (c.dims.length > x.shape.length) why('it has more dims than the activation');
    const vec = this.perChannel(node, c, n, 'the constant', channelAxisFromEnd);
    const params = producer.params;
    if (op === 'Add' || op === 'Sub') {
      const sign = op === 'Sub' ? -1 : 1;
      const old = params.bias;
      if (!old) {
        params.bias = vec.data ? { dims: [n], data: vec.data.map((v) => sign * v) } : vec;
      } else if (old.data && vec.data) {
        params.bias = { dims: [n], data: old.data.map((v, i) => v + sign * vec.data![i]) };
      } else {
        why('one of the biases to add has no values in the file');
      }
      producer.node.bias = true;
    } else {
      if (!vec.data) why('the scale has no values in the file');
      const s = op === 'Div' ? vec.data!.map((v) => 1 / v) : vec.data!;
      const w = params.weight;
      if (w.data) {
        const per = w.data.length / n;
        params.weight = { dims: w.dims, data: w.data.map((v, i) => v * s[Math.floor(i / per)]) };
      }
      const bias = params.bias;
      if (bias?.data) params.bias = { dims: bias.dims, data: bias.data.map((v, i) => v * s[i]) };
    }
    // The producer's output now is this node's output.
    this.define(node, x);
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
    const own = Object.keys(imported.params).filter((k) => k.slice(0, k.lastIndexOf('.')) === name);
    return own.length ? { ...l, params: Object.fromEntries(own.map((k) => [k.slice(k.lastIndexOf('.') + 1), tensorToJson(imported.params[k])])) } : l;
  });
  return { document: { ...imported.document, layers }, graph, drawn: imported.drawn };
}

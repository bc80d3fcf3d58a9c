/**
 * The import walk: classifies graph inputs (activations or weight placeholders), visits the nodes in the file's
 * topological order — folding constants, then converting each node by its row of the operator table (ops.ts) — and
 * assembles the model document and its parameters.
 */
import { SimError } from '../../base/errors.js';
import { checkProduct, checkSize } from '../../base/limits.js';
import { parseModel, type ParsedModel } from '../../ir/parse.js';
import { inferShape, ShapeProblem } from '../../ir/shapes.js';
import type { LayerNode, ParamTensor } from '../../ir/types.js';
import type { OnnxGraph, OnnxNode } from './decode.js';
import { FOLDABLE, fold, type FoldTensor } from './fold.js';
import type { ActVal, Cx, Layer, Val, Weight } from './context.js';
import { fuseGelu } from './gelu.js';
import { LayerNamer } from './names.js';
import { checkSupported, type OnnxOp, RULES } from './ops.js';

export interface OnnxImportOptions {
  /** Dims for graph inputs: `{ '': [1, 3, 224, 224] }` for the only input, or by input name. */
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
  readonly seed?: number;
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

export class Importer implements Cx {
  readonly opset: number;
  readonly uses = new Map<string, number>();
  private readonly vals = new Map<string, Val>();
  private readonly layers: Layer[] = [];
  private readonly byName = new Map<string, Layer>();
  private readonly namer: LayerNamer;

  constructor(private readonly g: OnnxGraph, private readonly file: string, private readonly options: OnnxImportOptions) {
    this.opset = g.opset;
    this.namer = new LayerNamer(g.nodes.map((n) => n.name));
  }

  fail(node: OnnxNode | null, problem: string, hint?: string): never {
    throw new SimError(node ? `node "${node.name}" (${node.opType}): ${problem}` : problem, { code: 'onnx', file: this.file, hint });
  }

  layer(name: string): Layer | undefined {
    return this.byName.get(name);
  }

  emit(onnxNode: OnnxNode, raw: string, kind: string, inputs: readonly ActVal[], attrs: Record<string, unknown>, params: Record<string, Weight> = {}): ActVal {
    const name = this.namer.name(raw, kind, raw !== onnxNode.name);
    const layerInputs = inputs.map((v) => v.layer);
    const node = { name, kind, inputs: layerInputs, ...attrs };
    const shapes = inputs.map((v) => v.shape);
    // The layer's shape: parse it behind one input layer per distinct input, then infer.
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

  val(node: OnnxNode, i: number): Val | null {
    const name = node.inputs[i];
    if (name === undefined || name === '') return null;
    const v = this.vals.get(name);
    if (!v) this.fail(node, `reads "${name}", which no node, initializer or graph input defines`);
    return v!;
  }
  act(node: OnnxNode, i: number): ActVal {
    const v = this.val(node, i);
    if (!v || v.t !== 'act') this.fail(node, `input ${i} ("${node.inputs[i]}") must be an activation, not a ${v ? (v.t === 'const' ? 'constant' : 'weight') : 'missing input'}`);
    return v as ActVal;
  }
  constant(node: OnnxNode, i: number, what: string): FoldTensor | null {
    const v = this.val(node, i);
    if (v === null) return null;
    if (v.t !== 'const') this.fail(node, `${what} (input ${i}, "${node.inputs[i]}") must be a constant`);
    return (v as { x: FoldTensor }).x;
  }
  /** A weight operand: a constant or a placeholder. */
  weight(node: OnnxNode, i: number, what: string): Weight | null {
    const v = this.val(node, i);
    if (v === null) return null;
    if (v.t === 'const') return { dims: v.x.dims, data: v.x.data };
    if (v.t === 'param') return { dims: v.dims, data: null };
    return this.fail(node, `${what} (input ${i}, "${node.inputs[i]}") must be a constant or a weight, not an activation`);
  }

  /** Graph inputs: activations, or weight placeholders when every use of them is a weight position. */
  private inputs(nodes: readonly OnnxNode[]): void {
    const given = this.options.inputShapes ?? {};
    const acts: string[] = [];
    const isWeight = (name: string, seen = new Set<string>()): boolean => {
      if (seen.has(name)) return false;
      seen.add(name);
      const users = nodes.flatMap((n) => n.inputs.map((v, i) => [n, i, v] as const).filter(([, , v]) => v === name));
      return users.length > 0 && users.every(([n, i]) => {
        const rule = RULES[n.opType as OnnxOp];
        if (!(rule.weights ?? []).includes(i)) return false;
        // A view of a placeholder (Identity, Transpose) is one too, if it is used as a weight in turn.
        if (rule.viewParam) return n.outputs.every((o) => isWeight(o, seen));
        // Add takes a placeholder only as a MatMul's bias.
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
      const at = { file: this.file, path: `input "${name}"` };
      for (const d of shape) checkSize(d, 'dim', at, `a dimension of [${shape.join(', ')}]`);
      checkProduct(shape, 'tensorElements', at, `the element count of [${shape.join(', ')}]`);
      const layer = this.namer.name(name, 'input');
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

    checkSupported(nodes, this.opset, this.file);
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
    const present = inVals.filter((v) => v !== null);
    // Constant folding: every input constant (and the operator one the folder knows).
    if (FOLDABLE.has(node.opType) && present.every((v) => v.t === 'const')) {
      const r = fold(node.opType, inVals.map((v) => (v ? (v as { x: FoldTensor }).x : null)), node.attrs, this.opset);
      if (r) { r.forEach((t, i) => this.define(node, { t: 'const', x: t }, i)); return; }
    }
    const rule = RULES[node.opType as OnnxOp]; // checkSupported let only the table's operators through
    // Views of weights the exporter left out.
    if (present.length > 0 && present[0].t === 'param' && rule.viewParam) return this.define(node, rule.viewParam(node, present[0]));
    this.define(node, rule.convert(this, node));
  }
}

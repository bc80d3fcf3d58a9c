/**
 * The operator table: one row per ONNX operator the importer maps. Adding an operator is adding it to `OnnxOp` and a
 * row to `RULES` (the compiler insists on both). A rule runs once constant folding did not apply (fold.ts: not every
 * input constant, or an operator the folder does not evaluate), after the importer's generic steps (see `visit` in
 * importer.ts).
 */
import { SimError } from '../../base/errors.js';
import type { OnnxNode } from './decode.js';
import { fold, ints, reshapeDims } from './fold.js';
import { type ActVal, attr, type Cx, type ParamVal, show, size, type Val, type Weight } from './context.js';
import { binary, gemm, matmul } from './dense.js';
import { conv, pad, pool } from './spatial.js';

export type OnnxOp =
  | 'Conv' | 'Gemm' | 'MatMul' | 'Add' | 'Sub' | 'Mul' | 'Div' | 'Relu' | 'Clip' | 'Sigmoid' | 'Tanh' | 'LeakyRelu' | 'Softmax'
  | 'MaxPool' | 'AveragePool' | 'GlobalAveragePool' | 'GlobalMaxPool' | 'BatchNormalization' | 'LayerNormalization' | 'Flatten'
  | 'Reshape' | 'Squeeze' | 'Unsqueeze' | 'Transpose' | 'Concat' | 'Dropout' | 'Identity' | 'Pad' | 'ReduceMean'
  | 'Gelu' | 'Shape' | 'Constant' | 'Cast' | 'Gather' | 'ConstantOfShape' | 'Slice' | 'Erf' | 'Range' | 'Equal' | 'Where' | 'Pow'
  | 'Neg' | 'Sqrt';

export interface Rule {
  /** The node → the value of its (first) output, emitting layers through `cx`. */
  readonly convert: (cx: Cx, node: OnnxNode) => Val;
  /** For a node whose first present input is a weight placeholder: the placeholder its output is (a view of a weight). */
  readonly viewParam?: (node: OnnxNode, p: ParamVal) => ParamVal;
  /** Input positions where a graph input without an initializer counts as a weight placeholder. */
  readonly weights?: readonly number[];
  /** How the "Supported: …" hint names the operator (default: the name); false: it is covered by the hint's ending. */
  readonly hint?: string | false;
}

/** `kind` on input 0. The caller evaluates `attrs` first, so an error about another operand comes before input 0's. */
const one = (cx: Cx, node: OnnxNode, kind: string, attrs: Record<string, unknown> = {}): ActVal =>
  cx.emit(node, node.name, kind, [cx.act(node, 0)], attrs);
const unary = (kind: string) => (cx: Cx, node: OnnxNode) => one(cx, node, kind);

/** An axis attribute made non-negative for input `x`. */
const axisOf = (node: OnnxNode, x: ActVal, dflt: number) => {
  const axis = attr(node, 'axis', dflt);
  return axis < 0 ? axis + x.shape.length : axis;
};

/** Operators only evaluated on constants (by fold.ts; Erf only inside the GELU pattern): reaching the rule is an error. */
const CONST_ONLY: Rule = { hint: false, convert: (cx, node) => cx.fail(node, 'is only supported on constants (its input here is computed from the model input)') };

function clip(cx: Cx, node: OnnxNode): ActVal {
  // Opset 11 moved the bounds from attributes to inputs.
  const lo = cx.opset >= 11 ? cx.constant(node, 1, 'min')?.data[0] : attr<number>(node, 'min', -Infinity);
  const hi = cx.opset >= 11 ? cx.constant(node, 2, 'max')?.data[0] : attr<number>(node, 'max', Infinity);
  const attrs: Record<string, unknown> = {};
  if (lo !== undefined && lo !== -Infinity) attrs.min = lo;
  if (hi !== undefined && hi !== Infinity) attrs.max = hi;
  return one(cx, node, 'clip', attrs);
}

function softmax(cx: Cx, node: OnnxNode): ActVal {
  const x = cx.act(node, 0);
  const axis = axisOf(node, x, cx.opset >= 13 ? -1 : 1);
  if (cx.opset < 13 && axis !== x.shape.length - 1) {
    cx.fail(node, `at opset ${cx.opset} Softmax normalizes over all dims from axis ${axis} together; only the last axis maps to a softmax layer`);
  }
  return one(cx, node, 'softmax', { axis });
}

function dropout(cx: Cx, node: OnnxNode): ActVal {
  if (node.outputs.length > 1 && node.outputs[1] !== '' && cx.uses.has(node.outputs[1])) cx.fail(node, 'its mask output is used');
  const ratio = cx.opset >= 12 ? cx.constant(node, 1, 'ratio')?.data[0] ?? 0.5 : attr(node, 'ratio', 0.5);
  return one(cx, node, 'dropout', { p: ratio });
}

function globalMaxPool(cx: Cx, node: OnnxNode): ActVal {
  const x = cx.act(node, 0);
  if (x.shape.length !== 4) cx.fail(node, `needs a rank-4 input, got ${show(x.shape)}`);
  return one(cx, node, 'maxPool2d', { kernel: [x.shape[2], x.shape[3]], stride: 1 });
}

function reduceMean(cx: Cx, node: OnnxNode): ActVal {
  const x = cx.act(node, 0);
  const axes = (cx.opset >= 18 ? ints(cx.constant(node, 1, 'axes')) : attr<number[]>(node, 'axes', [])).map((a) => (a < 0 ? a + x.shape.length : a)).sort();
  if (x.shape.length !== 4 || axes.join() !== '2,3') cx.fail(node, `maps only as the mean over H and W of a rank-4 input (axes [2, 3]), got axes ${show(axes)} of ${show(x.shape)}`);
  return one(cx, node, 'globalAvgPool', { keepDims: attr(node, 'keepdims', 1) === 1 });
}

function batchNorm(cx: Cx, node: OnnxNode): ActVal {
  if (attr(node, 'training_mode', 0) === 1) cx.fail(node, 'is in training mode (training_mode=1)', 'Export the model in eval mode.');
  const params: Record<string, Weight> = {};
  ['weight', 'bias', 'runningMean', 'runningVar'].forEach((p, i) => { params[p] = cx.weight(node, i + 1, p)!; });
  return cx.emit(node, node.name, 'batchNorm', [cx.act(node, 0)], {
    eps: attr(node, 'epsilon', 1e-5), momentum: 1 - attr(node, 'momentum', 0.9),
  }, params);
}

function layerNorm(cx: Cx, node: OnnxNode): ActVal {
  const x = cx.act(node, 0);
  const normalizedShape = x.shape.slice(axisOf(node, x, -1));
  const weight = cx.weight(node, 1, 'scale')!;
  const bias = cx.weight(node, 2, 'B') ?? { dims: normalizedShape, data: new Float64Array(size(normalizedShape)) };
  return cx.emit(node, node.name, 'layerNorm', [x], { normalizedShape, eps: attr(node, 'epsilon', 1e-5) }, { weight, bias });
}

function flatten(cx: Cx, node: OnnxNode): ActVal {
  const x = cx.act(node, 0);
  const axis = axisOf(node, x, 1);
  if (axis === 1) return one(cx, node, 'flatten', { startDim: 1 });
  return one(cx, node, 'reshape', { shape: [size(x.shape.slice(0, axis)), size(x.shape.slice(axis))] });
}

function reshape(cx: Cx, node: OnnxNode): ActVal {
  const x = cx.act(node, 0);
  const target = ints(cx.constant(node, 1, 'shape'));
  const allowZero = attr(node, 'allowzero', 0) === 1;
  // The reshape layer resolves 0 and one −1 itself; anything else is resolved here.
  return one(cx, node, 'reshape', { shape: allowZero || target.filter((d) => d === -1).length > 1 ? reshapeDims(x.shape, target, allowZero) : target });
}

/** Squeeze and Unsqueeze: the folder computes the new dims (axes: an attribute before opset 13, an input since). */
function squeeze(cx: Cx, node: OnnxNode): ActVal {
  const x = cx.act(node, 0);
  const axesT = cx.opset >= 13 ? cx.constant(node, 1, 'axes') : null;
  const axesAttr = node.attrs.get('axes') as number[] | undefined;
  const r = fold(node.opType, [{ dims: x.shape, data: new Float64Array(0) }, axesT], new Map(axesAttr ? [['axes', axesAttr]] : []), cx.opset)!;
  return one(cx, node, 'reshape', { shape: r[0].dims });
}

/** ONNX Transpose's default perm reverses the dims. */
const perm = (node: OnnxNode, dims: readonly number[]) => attr<number[]>(node, 'perm', dims.map((_, i) => dims.length - 1 - i));

/** Shape of anything is a constant: every shape is static once the inputs' are. */
function shape(cx: Cx, node: OnnxNode): Val {
  const v = cx.val(node, 0)!;
  const dims = v.t === 'const' ? v.x.dims : v.t === 'param' ? v.dims : v.shape;
  const rank = dims.length;
  const norm = (a: number) => Math.min(Math.max(a < 0 ? a + rank : a, 0), rank);
  const s = dims.slice(norm(attr(node, 'start', 0)), norm(attr(node, 'end', rank)));
  return { t: 'const', x: { dims: [s.length], data: Float64Array.from(s), int: true } };
}

/** Row order is the order of the "Supported: …" hint. */
export const RULES: Record<OnnxOp, Rule> = {
  Conv: { convert: conv, weights: [1, 2] },
  Gemm: { convert: gemm, weights: [1, 2] },
  MatMul: { convert: matmul, weights: [1] },
  Add: { convert: binary, weights: [0, 1] },
  Sub: { convert: binary },
  Mul: { convert: binary },
  Div: { convert: binary },
  Relu: { convert: unary('relu') },
  Clip: { convert: clip },
  Sigmoid: { convert: unary('sigmoid') },
  Tanh: { convert: unary('tanh') },
  LeakyRelu: { convert: (cx, node) => one(cx, node, 'leakyRelu', { negativeSlope: attr(node, 'alpha', 0.01) }) },
  Softmax: { convert: softmax },
  MaxPool: { convert: pool },
  AveragePool: { convert: pool },
  GlobalAveragePool: { convert: (cx, node) => one(cx, node, 'globalAvgPool', { keepDims: true }) },
  GlobalMaxPool: { convert: globalMaxPool },
  BatchNormalization: { convert: batchNorm, weights: [1, 2, 3, 4] },
  LayerNormalization: { convert: layerNorm, weights: [1, 2] },
  Flatten: { convert: flatten },
  Reshape: { convert: reshape },
  Squeeze: { convert: squeeze },
  Unsqueeze: { convert: squeeze },
  Transpose: {
    convert: (cx, node) => one(cx, node, 'transpose', { perm: perm(node, cx.act(node, 0).shape) }),
    viewParam: (node, p) => ({ t: 'param', dims: perm(node, p.dims).map((i) => p.dims[i]), source: p.source }),
    weights: [0],
  },
  Concat: { convert: (cx, node) => cx.emit(node, node.name, 'concat', node.inputs.map((_, i) => cx.act(node, i)), { axis: attr(node, 'axis', 1) }) },
  Dropout: { convert: dropout },
  Identity: { convert: (cx, node) => cx.val(node, 0)!, viewParam: (_node, p) => p, weights: [0] },
  Pad: { convert: pad },
  ReduceMean: { convert: reduceMean, hint: 'ReduceMean (spatial)' },
  // The rest are covered by the hint's "the GELU/Erf pattern and shape arithmetic on constants".
  Gelu: { convert: (cx, node) => one(cx, node, 'gelu', { approximate: attr(node, 'approximate', 'none') === 'tanh' ? 'tanh' : 'none' }), hint: false },
  Shape: { convert: shape, hint: false },
  Constant: CONST_ONLY,
  Cast: CONST_ONLY,
  Gather: CONST_ONLY,
  ConstantOfShape: CONST_ONLY,
  Slice: CONST_ONLY,
  Erf: CONST_ONLY, // outside the GELU pattern (fused before the walk)
  Range: CONST_ONLY,
  Equal: CONST_ONLY,
  Where: CONST_ONLY,
  Pow: CONST_ONLY,
  Neg: CONST_ONLY,
  Sqrt: CONST_ONLY,
};

const SUPPORTED = Object.entries(RULES).flatMap(([op, r]) => (r.hint === false ? [] : [r.hint ?? op]));

/** Throws one error listing every node the table does not map (a default-domain operator, or com.microsoft's Gelu). */
export function checkSupported(nodes: readonly OnnxNode[], opset: number, file: string): void {
  const known = (n: OnnxNode) => (n.domain === '' || n.domain === 'ai.onnx' || (n.domain === 'com.microsoft' && n.opType === 'Gelu')) && Object.hasOwn(RULES, n.opType);
  const unsupported = nodes.filter((n) => !known(n));
  if (unsupported.length === 0) return;
  const list = unsupported.map((n) => `${n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.` : ''}${n.opType} (node "${n.name}")`).join(', ');
  throw new SimError(`has ${unsupported.length} node${unsupported.length === 1 ? '' : 's'} with operators the importer does not map, at opset ${opset}: ${list}`, {
    code: 'unsupportedOperator', file, hint: `Supported: ${SUPPORTED.join(', ')}, the GELU/Erf pattern and shape arithmetic on constants.`,
  });
}

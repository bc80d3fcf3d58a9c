/**
 * Rules for the matrix and elementwise-arithmetic operators: Gemm / MatMul → dense (constant or placeholder B) or
 * matmul (activation B); Add / Sub / Mul / Div → add / mul of two activations, or a constant operand folded into the
 * dense/conv layer that produces the other one (the IR has no constant tensors).
 */
import type { OnnxNode } from './decode.js';
import { transposeTensor } from './fold.js';
import { type ActVal, attr, type Cx, show, type Val, type Weight } from './context.js';

export function gemm(cx: Cx, node: OnnxNode): ActVal {
  const alpha = attr(node, 'alpha', 1), beta = attr(node, 'beta', 1);
  const transA = attr(node, 'transA', 0) === 1, transB = attr(node, 'transB', 0) === 1;
  let a = cx.act(node, 0);
  const bv = cx.val(node, 1)!;
  if (bv.t === 'act') {
    if (node.inputs[2] || alpha !== 1) cx.fail(node, 'a Gemm of two activations maps to matmul only without C and with alpha = 1');
    return cx.emit(node, node.name, 'matmul', [a, bv], { transposeA: transA, transposeB: transB });
  }
  if (transA) a = cx.emit(node, `${node.name}.transA`, 'transpose', [a], { perm: [1, 0] });
  const b = cx.weight(node, 1, 'B')!;
  const c = cx.weight(node, 2, 'C');
  const [kDim, nDim] = transB ? [b.dims[1], b.dims[0]] : b.dims;
  // dense keeps W as [units, in], which is Gemm's B with transB = 1.
  let w: Weight = transB ? b : { dims: [nDim, kDim], data: b.data ? transposeTensor({ dims: b.dims, data: b.data }, [1, 0]).data : null };
  if (alpha !== 1 && w.data) w = { dims: w.dims, data: w.data.map((v) => v * alpha) };
  const params: Record<string, Weight> = { weight: w };
  if (c && beta !== 0) {
    const bias = perChannel(cx, node, c, nDim, 'C');
    params.bias = bias.data && beta !== 1 ? { dims: bias.dims, data: bias.data.map((v) => v * beta) } : bias;
  }
  return cx.emit(node, node.name, 'dense', [a], { units: nDim, bias: !!params.bias }, params);
}

/** A bias operand broadcast over rows: scalar, [n], [1, n], … → [n]; anything else is an error. */
function perChannel(cx: Cx, node: OnnxNode, c: Weight, n: number, what: string, channelAxisFromEnd = 1): Weight {
  const d = c.dims;
  const nonOne = d.map((x, i) => [x, d.length - i] as const).filter(([x]) => x !== 1);
  if (nonOne.length === 0) return { dims: [n], data: c.data ? new Float64Array(n).fill(c.data[0]) : null };
  if (nonOne.length === 1 && nonOne[0][0] === n && nonOne[0][1] === channelAxisFromEnd) return { dims: [n], data: c.data };
  return cx.fail(node, `${what} of shape ${show(d)} is not a per-channel vector of ${n} (the IR has no constant tensors to add otherwise)`);
}

export function matmul(cx: Cx, node: OnnxNode): ActVal {
  const av = cx.val(node, 0)!, bv = cx.val(node, 1)!;
  if (av.t !== 'act') return cx.fail(node, 'a constant first operand is not supported (only x·W and x·y map)');
  if (bv.t === 'act') return cx.emit(node, node.name, 'matmul', [av, bv], { transposeA: false, transposeB: false });
  const b = cx.weight(node, 1, 'B')!;
  if (b.dims.length !== 2) cx.fail(node, `a constant B must be 2-D to map to dense, got ${show(b.dims)}`);
  const w: Weight = { dims: [b.dims[1], b.dims[0]], data: b.data ? transposeTensor({ dims: b.dims, data: b.data }, [1, 0]).data : null };
  return cx.emit(node, node.name, 'dense', [av], { units: b.dims[1], bias: false }, { weight: w });
}

/** Add, Sub, Mul and Div. Folding a constant rewrites the producer's parameters; the node's output is the producer's. */
export function binary(cx: Cx, node: OnnxNode): Val {
  const op = node.opType;
  const a = cx.val(node, 0)!, b = cx.val(node, 1)!;
  if (a.t === 'act' && b.t === 'act') {
    if (op === 'Add' || op === 'Mul') return cx.emit(node, node.name, op === 'Add' ? 'add' : 'mul', [a, b], {});
    cx.fail(node, `${op} of two activations has no layer kind (only Add and Mul do)`);
  }
  const actIndex = a.t === 'act' ? 0 : b.t === 'act' ? 1 : -1;
  if (actIndex < 0) cx.fail(node, 'neither operand is an activation');
  const x = (actIndex === 0 ? a : b) as ActVal;
  const cv = actIndex === 0 ? b : a;
  if ((op === 'Sub' || op === 'Div') && actIndex === 1) cx.fail(node, `constant ${op === 'Sub' ? '−' : '÷'} activation cannot be folded`);
  const c: Weight = cv.t === 'const' ? { dims: cv.x.dims, data: cv.x.data } : { dims: (cv as { dims: readonly number[] }).dims, data: null };
  const producer = cx.layer(x.layer);
  const why = (reason: string): never => cx.fail(node, `${op} with a constant operand ${show(c.dims)} cannot be folded: ${reason}`,
    'The IR has no constant tensors: a constant is folded into the dense/conv layer right before it (per-channel bias, scale).');
  if (!producer || (producer.node.kind !== 'dense' && producer.node.kind !== 'conv2d')) return why(`its other operand does not come from a dense or conv layer`);
  if ((cx.uses.get(node.inputs[actIndex]) ?? 0) !== 1) return why('the layer it would fold into has other consumers');
  const isConv = producer.node.kind === 'conv2d';
  const n = isConv ? producer.node.filters as number : producer.node.units as number;
  // A conv's channels are axis −3 of NCHW ([C, 1, 1] or [1, C, 1, 1]); a dense layer's the last axis.
  const channelAxisFromEnd = isConv ? 3 : 1;
  if (isConv && c.dims.length === 4 && c.dims[0] !== 1) why('it is not per-channel');
  if (c.dims.length > x.shape.length) why('it has more dims than the activation');
  const vec = perChannel(cx, node, c, n, 'the constant', channelAxisFromEnd);
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
  return x;
}

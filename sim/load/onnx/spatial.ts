/** Rules for the 2-D operators: Conv → conv2d, MaxPool / AveragePool → maxPool2d / avgPool2d, Pad → pad. */
import type { OnnxNode } from './decode.js';
import { ints } from './fold.js';
import { type ActVal, attr, type Cx, show, type Weight } from './context.js';

export function conv(cx: Cx, node: OnnxNode): ActVal {
  const x = cx.act(node, 0);
  const w = cx.weight(node, 1, 'W')!;
  const b = cx.weight(node, 2, 'B');
  if (w.dims.length !== 4 || x.shape.length !== 4) cx.fail(node, `only 2-D convolutions map (kernel ${show(w.dims)}, input ${show(x.shape)})`);
  const [k, , r, s] = w.dims;
  const strides = attr<number[]>(node, 'strides', [1, 1]);
  const dilations = attr<number[]>(node, 'dilations', [1, 1]);
  const pads = spatialPads(cx, node, x.shape, [r, s], strides, dilations);
  const params: Record<string, Weight> = { weight: w };
  if (b) params.bias = b;
  return cx.emit(node, node.name, 'conv2d', [x], {
    filters: k, kernel: [r, s], stride: strides, dilation: dilations, padding: pads, groups: attr(node, 'group', 1), bias: !!b,
  }, params);
}

/** ONNX pads [hBegin, wBegin, hEnd, wEnd] or auto_pad → [top, bottom, left, right]. */
function spatialPads(cx: Cx, node: OnnxNode, shape: readonly number[], kernel: readonly number[], strides: readonly number[], dilations: readonly number[]): number[] {
  const auto = attr(node, 'auto_pad', 'NOTSET');
  if (auto === 'NOTSET') {
    const p = attr<number[]>(node, 'pads', [0, 0, 0, 0]);
    if (p.length !== 4) cx.fail(node, `pads must have 4 values for a 2-D operator, got ${show(p)}`);
    return [p[0], p[2], p[1], p[3]];
  }
  if (auto === 'VALID') return [0, 0, 0, 0];
  if (auto !== 'SAME_UPPER' && auto !== 'SAME_LOWER') cx.fail(node, `auto_pad ${auto} is not an ONNX value`);
  const out: number[] = [];
  for (let i = 0; i < 2; i++) {
    const inSize = shape[2 + i];
    const total = Math.max(0, (Math.ceil(inSize / strides[i]) - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - inSize);
    const small = Math.floor(total / 2), big = total - small;
    out.push(...(auto === 'SAME_UPPER' ? [small, big] : [big, small]));
  }
  return out;
}

/** MaxPool and AveragePool. */
export function pool(cx: Cx, node: OnnxNode): ActVal {
  const x = cx.act(node, 0);
  const kernel = attr<number[]>(node, 'kernel_shape', []);
  if (kernel.length !== 2 || x.shape.length !== 4) cx.fail(node, `only 2-D pooling maps (kernel_shape ${show(kernel)}, input ${show(x.shape)})`);
  const dil = attr<number[]>(node, 'dilations', [1, 1]);
  if (dil.some((d) => d !== 1)) cx.fail(node, `dilated pooling (dilations ${show(dil)}) has no layer kind`);
  if (node.outputs.length > 1 && cx.uses.has(node.outputs[1])) cx.fail(node, 'its Indices output is used');
  const strides = attr<number[]>(node, 'strides', [1, 1]);
  const attrs: Record<string, unknown> = {
    kernel, stride: strides, padding: spatialPads(cx, node, x.shape, kernel, strides, [1, 1]), ceilMode: attr(node, 'ceil_mode', 0) === 1,
  };
  if (node.opType === 'AveragePool') attrs.countIncludePad = attr(node, 'count_include_pad', 0) === 1;
  return cx.emit(node, node.name, node.opType === 'MaxPool' ? 'maxPool2d' : 'avgPool2d', [x], attrs);
}

export function pad(cx: Cx, node: OnnxNode): ActVal {
  const x = cx.act(node, 0);
  const mode = attr(node, 'mode', 'constant');
  if (mode !== 'constant') cx.fail(node, `mode "${mode}" is not supported (only constant padding maps)`);
  // Opset 11 moved pads and the value from attributes to inputs.
  const pads = cx.opset >= 11 ? ints(cx.constant(node, 1, 'pads')) : attr<number[]>(node, 'pads', []);
  const value = cx.opset >= 11 ? cx.constant(node, 2, 'constant_value')?.data[0] ?? 0 : attr(node, 'value', 0);
  if (cx.opset >= 18 && node.inputs[3]) cx.fail(node, 'the axes input is not supported');
  const rank = x.shape.length;
  if (rank !== 4 || pads.length !== 8 || [0, 1, 4, 5].some((i) => pads[i] !== 0) || pads.some((p) => p < 0)) {
    cx.fail(node, `only non-negative padding of H and W of a rank-4 input maps (pads ${show(pads)}, input ${show(x.shape)})`);
  }
  return cx.emit(node, node.name, 'pad', [x], { padding: [pads[2], pads[6], pads[3], pads[7]], value });
}

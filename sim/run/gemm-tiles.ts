/**
 * The real operands of one layer's GEMM in one pass: the model's training step (forward and backward, upstream
 * gradient all ones, inputs N(0, 1) from the seed, parameters from the model's initializer) runs in the float engine
 * through the lowering, and the GEMM's materialized A and B are kept — the tiles `rtl sim --model --layer --pass`
 * plays into the RTL. Then both are quantized to signed integers of the operand width (one symmetric scale per
 * operand, max |x| ↦ 2^(bits−1) − 1, rounded to nearest, ties away from zero), as an int datapath would receive them.
 */
import { SimError } from '../base/errors.js';
import { initParams } from '../float/init.js';
import { createRng } from '../float/rng.js';
import type { Tensor } from '../float/tensor.js';
import type { LayerGraph } from '../ir/types.js';
import { executeProgram } from '../lower/execute.js';
import { lowerGraph } from '../lower/lower.js';
import type { Mat } from '../lower/operands.js';
import type { GemmOp, Pass } from '../lower/types.js';

export interface LayerGemm {
  readonly op: GemmOp;
  readonly a: Mat;
  readonly b: Mat;
}

function multiply(a: Mat, b: Mat): Mat {
  const c = new Float64Array(a.rows * b.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let p = 0; p < a.cols; p++) {
      const x = a.data[i * a.cols + p];
      for (let j = 0; j < b.cols; j++) c[i * b.cols + j] += x * b.data[p * b.cols + j];
    }
  }
  return { rows: a.rows, cols: b.cols, data: c };
}

/** The first GEMM (group 0) of `layer` in `pass`, with the operands the training step materialized. */
export function layerGemm(graph: LayerGraph, layer: string, pass: Exclude<Pass, 'update'>, seed: number): LayerGemm {
  const program = lowerGraph(graph, { mode: 'training' });
  const ops = program.ops.filter((o): o is GemmOp => o.kind === 'gemm' && o.layer === layer);
  if (ops.length === 0) {
    const layers = [...new Set(program.ops.filter((o) => o.kind === 'gemm').map((o) => (o as GemmOp).layer))];
    throw new SimError('names no layer that lowers to a GEMM', { code: 'badValue', path: '--layer', value: layer, hint: `One of: ${layers.join(', ')}.` });
  }
  if (!ops.some((o) => o.pass === pass)) {
    throw new SimError(`layer ${layer} has no ${pass} GEMM`, { code: 'badValue', path: '--pass', value: pass, hint: `It has: ${[...new Set(ops.map((o) => o.pass))].join(', ')}.` });
  }
  const rng = createRng(seed);
  const inputs: Record<string, Tensor> = {};
  for (const l of graph.layers) {
    if (l.kind !== 'input') continue;
    inputs[l.name] = { shape: l.shape, data: Float64Array.from({ length: l.shape.reduce((x, y) => x * y, 1) }, () => rng.normal()) };
  }
  let found: LayerGemm | undefined;
  executeProgram(program, graph, initParams(graph), inputs, undefined, {
    multiply: (op, _node, a, b) => {
      if (found === undefined && op.layer === layer && op.pass === pass) found = { op, a, b };
      return multiply(a, b);
    },
  });
  if (found === undefined) throw new SimError(`the ${pass} GEMM of ${layer} did not run`, { code: 'internal', path: '--layer' });
  return found;
}

/** Symmetric quantization to `bits`-bit signed integers (all zeros stay zeros). */
export function quantizeSymmetric(x: Float64Array, bits: number): Int32Array {
  let max = 0;
  for (const v of x) max = Math.max(max, Math.abs(v));
  const top = 2 ** (bits - 1) - 1;
  if (max === 0) return new Int32Array(x.length);
  // |v| / max first: top / max overflows to Infinity when max is subnormal.
  return Int32Array.from(x, (v) => Math.max(-top, Math.min(top, Math.sign(v) * Math.round((Math.abs(v) / max) * top))));
}

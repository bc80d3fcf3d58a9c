/**
 * executeProgram (every GEMM materialized from its operands and multiplied) equals the float engine's forward and
 * backward, to rtol 1e-9: outputs of every layer, gradients of every trainable parameter, and of the inputs the
 * program computes a gradient for (all of them with `inputGradients`).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { LayerGraph } from '../../sim/ir/types.js';
import { backward, forward } from '../../sim/float/engine.js';
import { executeProgram } from '../../sim/lower/execute.js';
import { lowerGraph } from '../../sim/lower/lower.js';
import { mulberry32 } from '../helpers/gradcheck.js';
import { type Doc, convCase, convDoc, graphOf, inputsOf, mismatch, paramsOf, randomTensor } from './helpers.js';

interface RunOptions {
  readonly mode?: 'inference' | 'training';
  readonly inputGradients?: boolean;
  readonly seed: number;
  readonly batch?: number;
}

/** Every disagreement between executeProgram and the engine (empty when they agree). */
function compareWithEngine(g: LayerGraph, o: RunOptions): string[] {
  const training = (o.mode ?? 'training') === 'training';
  const params = paramsOf(g, o.seed);
  const inputs = inputsOf(g, o.seed + 1, o.batch);
  const program = lowerGraph(g, { mode: o.mode ?? 'training', batch: o.batch, inputGradients: o.inputGradients });
  const fw = forward(g, params, inputs, { training });
  const upstream = randomTensor(fw.output.shape, mulberry32(o.seed + 2));
  const ex = executeProgram(program, g, params, inputs, upstream);
  const errors: string[] = [];
  const push = (e: string | null) => e !== null && errors.push(e);
  for (const name of g.order) push(mismatch(`value ${name}`, ex.values[name], fw.values[name]));
  const notUpdates = program.ops.filter((op) => op.pass !== 'update').map((op) => op.id);
  if (ex.executed.join() !== notUpdates.join()) errors.push('executed ops differ from the program');
  if (!training) return errors;
  const bw = backward(fw.tape, params, upstream);
  for (const [key, t] of Object.entries(bw.params)) push(mismatch(`d ${key}`, ex.gradients!.params[key], t));
  for (const [key, t] of Object.entries(bw.inputs)) {
    if (o.inputGradients || ex.gradients!.inputs[key] !== undefined) push(mismatch(`d ${key}`, ex.gradients!.inputs[key], t));
  }
  return errors;
}

const RUNS = { numRuns: 60 };

describe('executeProgram equals the float engine', () => {
  test('dense, rank-2 and rank-3 inputs, with and without bias', () => {
    const c = fc.record({
      lead: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 2 }), inF: fc.integer({ min: 1, max: 7 }),
      units: fc.integer({ min: 1, max: 7 }), bias: fc.boolean(), inputGradients: fc.boolean(), seed: fc.nat(1000),
    });
    fc.assert(fc.property(c, (c) => {
      const g = graphOf({ x: [...c.lead, c.inF] }, [{ name: 'd', kind: 'dense', units: c.units, bias: c.bias }]);
      expect(compareWithEngine(g, c)).toEqual([]);
    }), { seed: 21, ...RUNS });
  });

  test('conv2d: stride 1–3, dilation 1–2, asymmetric padding, groups incl. depthwise (dX through the flipped kernel)', () => {
    fc.assert(fc.property(convCase, fc.boolean(), fc.boolean(), fc.nat(1000), (c, bias, inputGradients, seed) => {
      const { shape, layer } = convDoc(c);
      const g = graphOf({ x: shape }, [{ ...layer, bias }]);
      expect(compareWithEngine(g, { inputGradients, seed })).toEqual([]);
    }), { seed: 22, numRuns: 150 });
  });

  test('conv2d with padding wider than the dilated kernel (the padded dY is cropped)', () => {
    const g = graphOf({ x: [1, 2, 3, 4] }, [{ name: 'c', kind: 'conv2d', filters: 2, kernel: [1, 2], stride: [2, 1], padding: [3, 2, 2, 3] }]);
    expect(compareWithEngine(g, { inputGradients: true, seed: 5 })).toEqual([]);
  });

  test('matmul: per batch, shared A, shared B, transposes, batch rank 1–2', () => {
    const c = fc.record({
      plan: fc.constantFrom('perBatch', 'sharedA', 'sharedB', 'rank2'), batch: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 2 }),
      m: fc.integer({ min: 1, max: 4 }), k: fc.integer({ min: 1, max: 4 }), n: fc.integer({ min: 1, max: 4 }),
      transposeA: fc.boolean(), transposeB: fc.boolean(), seed: fc.nat(1000),
    });
    fc.assert(fc.property(c, (c) => {
      const aMat = c.transposeA ? [c.k, c.m] : [c.m, c.k], bMat = c.transposeB ? [c.n, c.k] : [c.k, c.n];
      const batched = (mat: number[], shared: boolean) => (shared || c.plan === 'rank2' ? mat : [...c.batch, ...mat]);
      const g = graphOf({ a: batched(aMat, c.plan === 'sharedA'), b: batched(bMat, c.plan === 'sharedB') }, [
        { name: 'mm', kind: 'matmul', inputs: ['a', 'b'], transposeA: c.transposeA, transposeB: c.transposeB },
      ]);
      expect(compareWithEngine(g, { inputGradients: true, seed: c.seed })).toEqual([]);
    }), { seed: 23, ...RUNS });
  });

  // Every vector kind between GEMM layers, with fan-out, views and a dropout, at a random batch, in both modes.
  const composite: Doc[] = [
    { name: 'c1', kind: 'conv2d', filters: 4, kernel: 3, padding: 1, stride: 1 },
    { name: 'bn', kind: 'batchNorm' },
    { name: 'lr', kind: 'leakyRelu', negativeSlope: 0.1 },
    { name: 'mp', kind: 'maxPool2d', kernel: 2 },
    { name: 'pd', kind: 'pad', padding: [1, 0, 0, 1] },
    { name: 'dw', kind: 'conv2d', filters: 8, kernel: 3, padding: 1, groups: 4 },
    { name: 'sg', kind: 'sigmoid', inputs: ['dw'] },
    { name: 'th', kind: 'tanh', inputs: ['dw'] },
    { name: 'ml', kind: 'mul', inputs: ['sg', 'th'] },
    { name: 'ad', kind: 'add', inputs: ['ml', 'dw'] },
    { name: 'ap', kind: 'avgPool2d', kernel: 2 },
    { name: 'cat', kind: 'concat', inputs: ['ap', 'ap'], axis: 1 },
    { name: 'rs', kind: 'reshape', shape: [0, 8, 8] },
    { name: 'tr', kind: 'transpose', perm: [0, 2, 1] },
    { name: 'mm', kind: 'matmul', inputs: ['tr', 'rs'] },
    { name: 'ln', kind: 'layerNorm' },
    { name: 'ge', kind: 'gelu' },
    { name: 'd1', kind: 'dense', units: 5 },
    { name: 'sm', kind: 'softmax', axis: -1 },
    { name: 'fl', kind: 'flatten' },
    { name: 'do', kind: 'dropout', p: 0.3 },
    { name: 'r6', kind: 'relu6' },
    { name: 'cl', kind: 'clip', min: -0.5, max: 0.5, inputs: ['fl'] },
    { name: 'sum', kind: 'add', inputs: ['r6', 'cl'] },
    { name: 'gap', kind: 'globalAvgPool', inputs: ['c1'] },
    { name: 'd2', kind: 'dense', units: 3, inputs: ['sum'] },
  ];

  test('composite graph with the vector kinds, training and inference, random batch', () => {
    const g = graphOf({ x: [2, 3, 6, 6] }, composite, 'd2');
    fc.assert(fc.property(fc.integer({ min: 1, max: 3 }), fc.boolean(), fc.boolean(), fc.nat(1000), (batch, training, inputGradients, seed) => {
      expect(compareWithEngine(g, { batch, mode: training ? 'training' : 'inference', inputGradients, seed })).toEqual([]);
    }), { seed: 24, numRuns: 20 });
  });

  test('a program lowered for another batch fails loudly instead of computing garbage', () => {
    const g = graphOf({ x: [2, 3] }, [{ name: 'd', kind: 'dense', units: 2 }]);
    const program = lowerGraph(g, { mode: 'inference', batch: 4 });
    expect(() => executeProgram(program, g, paramsOf(g, 1), inputsOf(g, 2))).toThrow(/d\.forward: lowered as \(m=4, k=3, n=2\) but its operands are A 2×3/);
  });
});

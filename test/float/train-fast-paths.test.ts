/**
 * The training loop's shortcuts against the plain engine, bit for bit: train() skips gradients nobody consumes
 * (the data's, and a first conv's dx) and takes its activations and gradients from a recycled arena; evaluate()
 * hands each activation back as soon as it is read. Every step loss, trained parameter and metric must equal what
 * the plain loop makes — written out here over forward and backward, fresh arrays, every gradient computed.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../sim/ir/graph.js';
import { parseModel } from '../../sim/ir/parse.js';
import type { LayerGraph } from '../../sim/ir/types.js';
import { loadModel } from '../../sim/load/model-file.js';
import { backward, forward } from '../../sim/float/engine.js';
import { initParams, type Params } from '../../sim/float/init.js';
import { losses } from '../../sim/float/losses.js';
import { OPTIMIZER_DEFAULTS, createOptimizerState, optimizerStep } from '../../sim/float/optimizers.js';
import { Arena } from '../../sim/float/arena.js';
import { copyParams, correct, epochPlan, evaluate, train, type TrainConfig } from '../../sim/float/train.js';
import type { Tensor } from '../../sim/float/tensor.js';
import { mulberry32, uniform } from '../helpers/gradcheck.js';

const lenet = loadModel(join(import.meta.dirname, '..', '..', 'models', 'course', 'lenet-digits.yaml'));

/** A conv fed through a parameter-free layer: neither the relu's nor the input's gradient is needed in training. */
const reluFirst = buildGraph(parseModel({
  name: 'relu-first', seed: 3,
  layers: [
    { name: 'x', kind: 'input', shape: [1, 2, 9, 9] },
    { name: 'r0', kind: 'relu' },
    { name: 'c', kind: 'conv2d', filters: 3, kernel: 3, padding: 1 },
    { name: 'flat', kind: 'flatten' },
    { name: 'out', kind: 'dense', units: 4 },
  ],
}));

/**
 * A value read twice (a, by the relu and the residual add) and a view (flatten) of an arena buffer: evaluate() must
 * neither free them early nor let the relu write over a.
 */
const residual = buildGraph(parseModel({
  name: 'residual', seed: 4,
  layers: [
    { name: 'x', kind: 'input', shape: [1, 1, 8, 8] },
    { name: 'a', kind: 'conv2d', filters: 4, kernel: 3, padding: 1 },
    { name: 'r', kind: 'relu' },
    { name: 'b', kind: 'conv2d', filters: 4, kernel: 3, padding: 1 },
    { name: 's', kind: 'add', inputs: ['a', 'b'] },
    { name: 'p', kind: 'avgPool2d', kernel: 2 },
    { name: 'flat', kind: 'flatten' },
    { name: 'out', kind: 'dense', units: 4 },
  ],
}));

function images(n: number, shape: readonly number[], seed: number): { features: Tensor; targets: Tensor } {
  const rand = mulberry32(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return {
    features: { shape: [n, ...shape], data: uniform(rand, n * size, -0.5, 1) },
    targets: { shape: [n], data: Float64Array.from({ length: n }, (_, i) => i % 4) },
  };
}

const cfg = (batch: number): TrainConfig => ({
  loss: 'softmax-ce', accuracy: 'argmax', optimizer: { kind: 'adam', ...OPTIMIZER_DEFAULTS }, lr: 0.01,
  schedule: { kind: 'constant', gamma: 1, stepEpochs: 1 }, batch, epochs: 2, shuffle: true, seed: 5,
  reg: { l1: 0, l2: 0, applies: () => false },
});

/** train()'s steps written out over the plain engine: full backward, input gradients included. */
function referenceTrain(graph: LayerGraph, initial: Params, data: { features: Tensor; targets: Tensor }, c: TrainConfig):
  { params: Params; stepLosses: number[] } {
  const params = copyParams(initial);
  const state = createOptimizerState();
  const stepLosses: number[] = [];
  for (const { lr, batches } of epochPlan(data, c)) {
    for (const { step, x, y } of batches) {
      const fwd = forward(graph, params, { [graph.order[0]]: x }, { training: true, seed: (Math.imul(c.seed, 0x9e3779b1) + step) >>> 0 });
      const res = losses[c.loss](fwd.output, y);
      stepLosses.push(res.loss);
      const grads = backward(fwd.tape, params, res.gradient).params;
      optimizerStep(c.optimizer, state, lr, params, Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, g.data])));
    }
  }
  return { params, stepLosses };
}

/** evaluate() written out over the plain forward, chunks of 512 as there. */
function referenceEvaluate(graph: LayerGraph, params: Params, data: { features: Tensor; targets: Tensor }): [number, number] {
  const n = data.features.shape[0], size = data.features.data.length / n;
  let lossSum = 0, hits = 0;
  for (let from = 0; from < n; from += 512) {
    const to = Math.min(n, from + 512);
    const x = { shape: [to - from, ...data.features.shape.slice(1)], data: data.features.data.slice(from * size, to * size) };
    const y = { shape: [to - from], data: data.targets.data.slice(from, to) };
    const out = forward(graph, params, { [graph.order[0]]: x }).output;
    lossSum += losses['softmax-ce'](out, y).loss * (to - from);
    hits += correct('argmax', out, y);
  }
  return [lossSum / n, hits / n];
}

const bytes = (p: Params) => Object.fromEntries(Object.entries(p).map(([k, t]) => [k, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('hex')]));

describe('train() skips unneeded gradients without changing a bit', () => {
  for (const [name, graph, shape] of [['lenet-digits', lenet, [1, 28, 28]], ['relu-first', reluFirst, [2, 9, 9]]] as const) {
    it(`${name}: step losses and trained parameters equal the full-backward loop`, () => {
      const data = images(21, shape, 11);   // batch 8: two full batches and a partial one per epoch
      const initial = initParams(graph);
      const got = train(graph, initial, { train: data }, cfg(8));
      const want = referenceTrain(graph, initial, data, cfg(8));
      expect(got.steps.map((s) => s.loss)).toEqual(want.stepLosses);
      expect(bytes(got.params)).toEqual(bytes(want.params));
    });

    it(`${name}: backward without input gradients gives the same parameter gradients and no input gradients`, () => {
      const params = initParams(graph);
      const { features } = images(3, shape, 12);
      const fwd = forward(graph, params, { [graph.order[0]]: features }, { training: true });
      const upstream = { shape: fwd.output.shape, data: uniform(mulberry32(13), fwd.output.data.length, -1, 1) };
      const full = backward(fwd.tape, params, upstream);
      const lean = backward(fwd.tape, params, upstream, { inputGradients: false });
      expect(lean.inputs).toEqual({});
      expect(Object.keys(full.inputs)).toEqual([graph.order[0]]);
      expect(bytes(lean.params)).toEqual(bytes(full.params));
    });
  }
});

describe('evaluate() with activations handed back early', () => {
  for (const [name, graph, shape] of [['lenet-digits', lenet, [1, 28, 28]], ['residual', residual, [1, 8, 8]]] as const) {
    it(`${name}: loss and accuracy equal the plain forward's, chunk after chunk, with a reused arena`, () => {
      const data = images(700, shape, 14);   // a full chunk of 512 and a partial one
      const params = initParams(graph);
      const want = referenceEvaluate(graph, params, data);
      const arena = new Arena();
      for (let round = 0; round < 2; round++) {
        const got = evaluate(graph, params, data, 'softmax-ce', 'argmax', arena);
        expect([got.loss, got.accuracy]).toEqual(want);
      }
    });
  }
});

describe('Arena', () => {
  it('gives zeros like new Float64Array, reusing the shortest free buffer that fits', () => {
    const arena = new Arena();
    const big = arena.alloc(100), small = arena.alloc(10);
    big.fill(7); small.fill(7);
    arena.recycle();
    const again = arena.alloc(8);
    expect(again.buffer).toBe(small.buffer);
    expect([...again]).toEqual(new Array(8).fill(0));
    const prefix = arena.alloc(60);
    expect(prefix.buffer).toBe(big.buffer);
    expect(prefix.length).toBe(60);
    expect([...prefix]).toEqual(new Array(60).fill(0));
    expect(arena.alloc(10).buffer).not.toBe(big.buffer);
  });

  it('skips the zero-fill only for a caller that overwrites everything', () => {
    const arena = new Arena();
    arena.alloc(6).fill(7);
    arena.recycle();
    expect([...arena.alloc(4, true)]).toEqual([7, 7, 7, 7]);
    arena.recycle();
    expect([...arena.alloc(4)]).toEqual([0, 0, 0, 0]);
    expect([...arena.alloc(3, true)]).toEqual([0, 0, 0]);   // a fresh buffer is zeros anyway
  });

  it('takes back one buffer, and ignores buffers it did not give out', () => {
    const arena = new Arena();
    const mine = arena.alloc(5);
    arena.release(new Float64Array(5));
    expect(arena.alloc(5).buffer).not.toBe(mine.buffer);
    arena.release(mine);
    expect(arena.alloc(5).buffer).toBe(mine.buffer);
  });
});

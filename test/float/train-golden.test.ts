/**
 * The training loop against PyTorch (test/fixtures/golden-public/optimizers_mlp.json): a 2-3-1 sigmoid MLP with
 * BCE, 5 full-batch steps of SGD, momentum, L2 and L1 on all parameters or weights only. Every step's data loss
 * and the parameters after every step, to rtol 1e-9.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../sim/ir/graph.js';
import { parseModel } from '../../sim/ir/parse.js';
import { initParams } from '../../sim/float/init.js';
import { OPTIMIZER_DEFAULTS } from '../../sim/float/optimizers.js';
import { train } from '../../sim/float/train.js';
import { closeness, type JsonTensor } from '../helpers/golden.js';

const doc = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'golden-public', 'optimizers_mlp.json'), 'utf8'));
const P: Record<string, string> = { W1: 'hidden.weight', b1: 'hidden.bias', W2: 'out.weight', b2: 'out.bias' };
const t = (j: JsonTensor) => ({ shape: j.shape, data: Float64Array.from(j.data as number[]) });

const graph = buildGraph(parseModel({
  name: 'mlp-2-3-1',
  layers: [
    { name: 'x', kind: 'input', shape: [4, 2] },
    { name: 'hidden', kind: 'dense', units: 3, params: { weight: doc.initial_params.W1, bias: doc.initial_params.b1 } },
    { name: 'h', kind: 'sigmoid' },
    { name: 'out', kind: 'dense', units: 1, params: { weight: doc.initial_params.W2, bias: doc.initial_params.b2 } },
    { name: 'p', kind: 'sigmoid' },
  ],
}));

describe('optimizers_mlp.json', () => {
  for (const run of doc.runs) {
    it(run.name, () => {
      const h = run.hyperparams;
      const regularized = new Set((h.regularized_params as string[]).map((p) => P[p]));
      const result = train(graph, initParams(graph), {
        train: { features: t(doc.X), targets: { shape: [4, 1], data: Float64Array.from(doc.y.data) } },
      }, {
        loss: 'bce', accuracy: 'threshold-probability',
        optimizer: { ...OPTIMIZER_DEFAULTS, kind: h.momentum > 0 ? 'momentum' : 'sgd', momentum: h.momentum },
        lr: h.lr, schedule: { kind: 'constant', gamma: 1, stepEpochs: 1 }, batch: 4, steps: run.steps.length,
        reg: { l1: h.l1_lambda, l2: h.weight_decay_l2, applies: (k) => regularized.has(k) }, shuffle: false, seed: 0,
      });
      expect(result.steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5]);
      run.steps.forEach((s: { data_loss_before_step: number }, i: number) => {
        const got = result.steps[i].loss, want = s.data_loss_before_step;
        expect(Math.abs(got - want), `step ${i + 1} loss ${got} vs ${want}`).toBeLessThanOrEqual(1e-12 + 1e-9 * Math.abs(want));
      });
      const last = run.steps[run.steps.length - 1].params_after_step;
      for (const [name, key] of Object.entries(P)) {
        const { worst, at } = closeness(result.params[key].data, last[name].data, 1e-9, 1e-12);
        expect(worst, `${key}[${at}]`).toBe(0);
      }
    });
  }
});

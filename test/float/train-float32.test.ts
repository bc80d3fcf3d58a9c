/**
 * `train --dtype float32` end to end: the float32 training loop follows the float64 one within float32 rounding
 * step by step (the same seed, batches and initial weights), keeps every parameter float32, and is deterministic;
 * the CLI says which engine ran and refuses what it cannot do. Layer by layer: gradcheck.test.ts ("float32 engine").
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../sim/load/model-file.js';
import { loadNamedDataset } from '../../sim/load/datasets/registry.js';
import { OPTIMIZER_DEFAULTS } from '../../sim/float/optimizers.js';
import type { Dtype } from '../../sim/float/tensor.js';
import { runTraining } from '../../sim/run/train-run.js';
import { ROOT, systolab } from '../helpers/cli.js';

function run(model: string, dataset: string, steps: number, dtype: Dtype) {
  return runTraining({
    graph: loadModel(join(ROOT, 'models', 'course', `${model}.yaml`)), dataset: loadNamedDataset(dataset), valSplit: 0.25, testSplit: 0,
    config: {
      optimizer: { kind: 'adam', ...OPTIMIZER_DEFAULTS }, lr: 0.01, schedule: { kind: 'constant', gamma: 1, stepEpochs: 1 },
      batch: 16, steps, shuffle: true, seed: 3, reg: { l1: 0, l2: 1e-4, applies: () => true }, dtype,
    },
  });
}

describe.each([
  ['playground-mlp', 'spiral', 40],
  ['lenet-digits', 'digits:n=96', 8],
])('float32 training of %s on %s', (model, dataset, steps) => {
  const f64 = run(model, dataset, steps, 'float64');
  const f32 = run(model, dataset, steps, 'float32');

  it('follows the float64 run step by step within float32 rounding', () => {
    expect(f32.result.steps.length).toBe(steps);
    f32.result.steps.forEach((s, i) => expect(Math.abs(s.loss - f64.result.steps[i].loss)).toBeLessThan(1e-4 * Math.max(1, f64.result.steps[i].loss)));
    expect(Math.abs(f32.final!.validation!.loss - f64.final!.validation!.loss)).toBeLessThan(1e-4 * Math.max(1, f64.final!.validation!.loss));
  });

  it('keeps every parameter float32, and the float64 run float64', () => {
    for (const t of Object.values(f32.result.params)) expect(t.data).toBeInstanceOf(Float32Array);
    for (const t of Object.values(f64.result.params)) expect(t.data).toBeInstanceOf(Float64Array);
    expect([f32.dtype, f64.dtype]).toEqual(['float32', 'float64']);
  });

  it('is deterministic: a second float32 run gives the same bytes', () => {
    const again = run(model, dataset, steps, 'float32');
    expect(JSON.stringify(again.result.steps)).toBe(JSON.stringify(f32.result.steps));
    for (const [k, t] of Object.entries(f32.result.params)) expect(Buffer.from(again.result.params[k].data.buffer).equals(Buffer.from(t.data.buffer))).toBe(true);
  });
});

describe('systolab train --dtype', () => {
  const out = () => mkdtempSync(join(tmpdir(), 'systolab-train-f32-'));
  const base = ['train', '--model', 'playground-mlp', '--dataset', 'spiral', '--epochs', '2'];

  it('float32: the JSON history says so, and the table says what it means', () => {
    const json = systolab([...base, '--dtype', 'float32', '--format', 'json', '--out', out()]);
    expect(json.code, json.err).toBe(0);
    expect(JSON.parse(json.out).dtype).toBe('float32');
    const table = systolab([...base, '--dtype', 'float32', '--out', out()]);
    expect(table.code, table.err).toBe(0);
    expect(table.out).toContain('not bit-compatible');
  });

  it('float64 (the default) histories do not change: no dtype field', () => {
    const r = systolab([...base, '--format', 'json', '--out', out()]);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out).dtype).toBeUndefined();
  });

  it('refuses an unknown type and quantized training, in one line with exit 2', () => {
    for (const args of [['--dtype', 'float16'], ['--dtype', 'float32', '--precision', 'int8']]) {
      const r = systolab([...base, ...args, '--out', out()]);
      expect(r.code, r.err).toBe(2);
      expect(r.err).toContain('--dtype');
      expect(r.err.trim().split('\n')).toHaveLength(1);
    }
  });
});

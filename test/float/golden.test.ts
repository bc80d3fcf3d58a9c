/**
 * The engine against PyTorch reference values (test/fixtures/golden-public, PyTorch's own outputs; produced by
 * PyTorch 1.13 in float64), reached the way a user reaches it: model files with explicit parameters, run through
 * `systolab run --format json`. Tolerance as the fixtures' README states: rtol 1e-9, atol 1e-12.
 */
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand, type RunArgs } from '../../sim/cli/run-command.js';
import { type GoldenCase, type JsonTensor, LOSS_OF, closeness, writeCaseFiles } from '../helpers/golden.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'golden-public');
const RTOL = 1e-9, ATOL = 1e-12;

function run(files: ReturnType<typeof writeCaseFiles>): any {
  const args: RunArgs = {
    model: files.model, input: files.input, upstream: files.upstream, target: files.target,
    loss: files.loss as RunArgs['loss'], reduction: (files.reduction ?? 'mean') as RunArgs['reduction'],
    trainMode: false, seed: 0, format: 'json', full: false,
  };
  return JSON.parse(runCommand(args));
}

function expectClose(what: string, actual: JsonTensor, expected: JsonTensor): void {
  expect(actual.shape, `${what} shape`).toEqual(expected.shape);
  const { worst, at } = closeness(actual.data, expected.data, RTOL, ATOL);
  expect(worst, `${what}[${at}] = ${actual.data[at]}, expected ${expected.data[at]}`).toBe(0);
}

const files = readdirSync(DIR).filter((f) => f.endsWith('.json') && f !== 'optimizers_mlp.json');

for (const file of files) {
  const doc = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as { cases: GoldenCase[] };
  describe(file, () => {
    for (const c of doc.cases) {
      it(c.name, () => {
        const f = writeCaseFiles(c);
        try {
          const out = run(f);
          const lossSpec = LOSS_OF[c.op];
          if (lossSpec) {
            const expectedLoss = c.outputs.loss as number;
            expect(Math.abs(out.loss - expectedLoss)).toBeLessThanOrEqual(ATOL + RTOL * Math.abs(expectedLoss));
            expectClose('dL/dpred', out.gradients.inputs.x, c.grads[`d${lossSpec.pred}`]);
            expectClose('lossGradient', out.lossGradient, c.grads[`d${lossSpec.pred}`]);
            return;
          }
          expectClose('y', out.outputs.layer, c.outputs.y as JsonTensor);
          expectClose('dx', out.gradients.inputs.x, c.grads.dx);
          if (c.grads.dw) expectClose('dweight', out.gradients.parameters['layer.weight'], c.grads.dw);
          if (c.grads.db) expectClose('dbias', out.gradients.parameters['layer.bias'], c.grads.db);
        } finally {
          rmSync(f.dir, { recursive: true, force: true });
        }
      });
    }
  });
}

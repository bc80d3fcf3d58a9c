/**
 * `systolab train` against independent PyTorch 1.13 float64 training runs (test/fixtures/train-refs/runs.json, made
 * by make_runs.py there with torch.optim and torch.optim.lr_scheduler, and cross-checked by a plain-Python replay):
 * 5 full-batch steps of SGD, momentum, Adam and RMSprop × no regularizer, L2 and L1 on all parameters or weights
 * only (BCE, sigmoid MLP); 50 mini-batch steps with partial batches at the epoch ends (momentum + MSE, Adam +
 * bce-logits with --label on the first column); a --steps run that stops inside an epoch; softmax-ce with Adam on
 * a relu MLP; step and exponential lr schedules over 3 epochs. Each run is the built CLI as a user runs it — a CSV,
 * a model file with explicit initial parameters, the flags — and every step's loss, every epoch's lr and every
 * final parameter is compared at rtol 1e-9, atol 1e-12.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type JsonTensor, closeness } from '../helpers/golden.js';
import { WORKSPACE } from '../helpers/cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'systolab.cjs') // the bundled bin users run;
const FILE = join(import.meta.dirname, '..', 'fixtures', 'train-refs', 'runs.json');
const RTOL = 1e-9, ATOL = 1e-12;

interface StepRecord { epoch: number; step: number; loss: number }
interface EpochRecord { epoch: number; lr: number }
interface RefRun {
  name: string;
  description: string;
  dataset: string;
  model: string;
  args: string[];
  expect: { steps: StepRecord[]; epochs: EpochRecord[]; parameters: Record<string, JsonTensor> };
}
interface TrainJson {
  steps: StepRecord[];
  epochs: EpochRecord[];
  parameters: Record<string, JsonTensor>;
}

const doc = JSON.parse(readFileSync(FILE, 'utf8')) as {
  torch: string;
  datasets: Record<string, string>;
  models: Record<string, unknown>;
  runs: RefRun[];
};

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'systolab-train-refs-'));
  for (const [name, csv] of Object.entries(doc.datasets)) writeFileSync(join(dir, `${name}.csv`), csv);
  for (const [name, model] of Object.entries(doc.models)) writeFileSync(join(dir, `${name}.json`), JSON.stringify(model));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function train(run: RefRun, index: number): TrainJson {
  const out = join(dir, `out-${index}`);
  const args = [CLI, 'train', '--model', join(dir, `${run.model}.json`), '--dataset', join(dir, `${run.dataset}.csv`),
    ...run.args, '--format', 'json', '--out', out];
  const r = spawnSync(process.execPath, args, { cwd: WORKSPACE, encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`systolab train exited with ${r.status}: ${r.stderr.trim() || r.stdout.slice(0, 500)}\n  args: ${args.slice(1).join(' ')}`);
  }
  return JSON.parse(r.stdout) as TrainJson;
}

/** |a − e| ≤ atol + rtol·|e| for one number, with the values in the message when it fails. */
function checkNumber(what: string, actual: number | undefined, expected: number): void {
  const { worst } = closeness([actual ?? NaN], [expected], RTOL, ATOL);
  const rel = actual === undefined ? NaN : Math.abs(actual - expected) / Math.abs(expected);
  expect.soft(worst, `${what}: got ${actual}, want ${expected} (relative difference ${rel.toExponential(3)})`).toBe(0);
}

describe(`systolab train vs PyTorch ${doc.torch} (torch.optim, float64)`, () => {
  doc.runs.forEach((run, index) => {
    it(run.name, () => {
      const got = train(run, index);
      const want = run.expect;

      expect(got.steps.length, 'number of steps').toBe(want.steps.length);
      want.steps.forEach((s, i) => {
        const g = got.steps[i];
        if (g === undefined) return;
        expect.soft([g.epoch, g.step], `step ${i + 1}: epoch and step numbers`).toEqual([s.epoch, s.step]);
        checkNumber(`step ${s.step} (epoch ${s.epoch}) loss`, g.loss, s.loss);
      });

      expect(got.epochs.length, 'number of epochs').toBe(want.epochs.length);
      want.epochs.forEach((e, i) => {
        const g = got.epochs[i];
        if (g === undefined) return;
        expect.soft(g.epoch, `epoch ${i + 1} number`).toBe(e.epoch);
        checkNumber(`epoch ${e.epoch} lr`, g.lr, e.lr);
      });

      expect(Object.keys(got.parameters).sort(), 'trained parameters').toEqual(Object.keys(want.parameters).sort());
      for (const [key, w] of Object.entries(want.parameters)) {
        const g = got.parameters[key];
        if (g === undefined) continue;
        expect.soft(g.shape, `${key} shape`).toEqual(w.shape);
        const { worst, at } = closeness(g.data, w.data, RTOL, ATOL);
        if (worst === 0) continue;
        const a = Number(g.data[at]), e = Number(w.data[at]);
        expect.soft(worst, `final ${key}[${at}]: got ${a}, want ${e} (relative difference ${(Math.abs(a - e) / Math.abs(e)).toExponential(3)})`).toBe(0);
      }
    });
  });
});

/**
 * `check` as the first evening meets it, through the bundled CLI in temp folders: a sigmoid output is thresholded and
 * int4 fails the default rule (exit 1) with every threshold printed; regression gets MAE/RMSE; a model trained by
 * `train` is checked on its own data and split (training.json), and says when that is the training data; several
 * precisions in one run with one chart; a zoo model without a dataset runs on seeded random inputs.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, systolab } from '../helpers/cli.js';
import { DATASET_NAMES } from '../../sim/load/datasets/registry.js';

const temp = (tag: string) => mkdtempSync(join(tmpdir(), `systolab-check-${tag}-`));

/** `train … --out DIR` in a temp folder; the folder. */
function trained(args: string[]): string {
  const dir = temp('train');
  const out = join(dir, 'run');
  const r = systolab(['train', ...args, '--out', out], dir);
  expect(r.code, r.err).toBe(0);
  return out;
}

const json = (args: string[], cwd: string, code = 0) => {
  const r = systolab(['check', ...args, '--format', 'json'], cwd);
  expect(r.code, r.err).toBe(code);
  return JSON.parse(r.out);
};

describe('one sigmoid output (pass-fail-mlp), trained without a split', () => {
  const out = trained(['--model', 'pass-fail-mlp', '--dataset', 'pass-fail', '--epochs', '200', '--optimizer', 'adam', '--lr', '0.05']);
  const model = join(out, 'model.json');

  it('int4: thresholded agreement and accuracy fall, the default rule fails (exit 1), each threshold printed', () => {
    const r = systolab(['check', '--model', model, '--precision', 'int4'], out);
    expect(r.code, r.err).toBe(1);
    expect(r.out).toMatch(/agreement with float \(threshold 0\.5 on the probability\): (\d+\.\d+) %/);
    expect(Number(/agreement with float [^:]*: (\d+\.\d+) %/.exec(r.out)![1])).toBeLessThan(90);
    expect(r.out).toMatch(/accuracy drop \(float − fixed\) \d+\.\d+ pp ≤ 1\.00 pp: FAIL/);
    expect(r.out).toContain('decision agreement with float: off (set --min-agreement)');
    expect(r.out).toContain('worst layer SQNR drop below the ideal: off (set --max-sqnr-drop)');
    expect(r.out).toMatch(/^result: FAIL/m);
    expect(r.out).not.toMatch(/^result: PASS/m);
  });
  it('is scored on the data train recorded (training.json), and says it is the training data', () => {
    const r = systolab(['check', '--model', model, '--precision', 'int8'], out);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('pass-fail-mlp on pass-fail (100 samples, training data)');
    expect(r.out).toContain('note: no held-out split (test and validation fractions 0): scoring the training data');
    expect(r.out).toMatch(/^result: PASS$/m);
  });
  it('int8,int6,int4 in one run: three reports, one comparison table and one chart by precision', () => {
    const dir = temp('bits');
    const reports = json(['--model', model, '--precision', 'int8,int6,int4', '--out', dir], out, 1);
    expect(reports.map((r: any) => r.precision)).toEqual(['int8', 'int6', 'int4']);
    expect(reports.map((r: any) => r.passed)).toEqual([true, expect.any(Boolean), false]);
    // more bits, less error at the output
    const sqnr = reports.map((r: any) => r.summary.outputSqnrDb);
    expect(sqnr[0]).toBeGreaterThan(sqnr[1]);
    expect(sqnr[1]).toBeGreaterThan(sqnr[2]);
    const spec = JSON.parse(readFileSync(join(dir, 'charts', 'precision-comparison.vl.json'), 'utf8'));
    expect(spec.hconcat[0].encoding.color).toMatchObject({ field: 'precision', legend: { orient: 'right' } });
    expect(spec.hconcat[1].layer[0].encoding.y.title).toBe('accuracy (%)');
    expect(readFileSync(join(dir, 'charts', 'precision-comparison.svg'), 'utf8')).toContain('int6');
    const text = systolab(['check', '--model', model, '--precision', 'int8,int6,int4'], out);
    expect(text.out).toMatch(/^precision\s+agreement\s+accuracy\s+drop pp/m);
    expect(systolab(['report', dir], out).code).toBe(0);
  });
  it('bad input: a precision named twice, a broken training.json (exit 2, one line naming the file and field)', () => {
    const r = systolab(['check', '--model', model, '--precision', 'int8,int8'], out);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--precision: names a precision twice/);
    const dir = temp('broken');
    writeFileSync(join(dir, 'model.json'), readFileSync(model));
    writeFileSync(join(dir, 'training.json'), JSON.stringify({ ...JSON.parse(readFileSync(join(out, 'training.json'), 'utf8')), testSplit: 2 }));
    const b = systolab(['check', '--model', join(dir, 'model.json')], dir);
    expect(b.code).toBe(2);
    expect(b.err.trim().split('\n')).toHaveLength(1);
    expect(b.err).toMatch(/training\.json.*testSplit.*fraction in \[0, 1\)/);
  });
  it('same input, same bytes', () => {
    const a = systolab(['check', '--model', model, '--precision', 'int6', '--format', 'json'], out).out;
    expect(systolab(['check', '--model', model, '--precision', 'int6', '--format', 'json'], out).out).toBe(a);
  });
});

it('a model trained with a test split is checked on that test split, without --dataset', () => {
  const out = trained(['--model', 'iris-mlp', '--dataset', 'iris', '--test-split', '0.2', '--seed', '3', '--epochs', '50', '--optimizer', 'adam', '--lr', '0.01']);
  expect(JSON.parse(readFileSync(join(out, 'training.json'), 'utf8'))).toMatchObject({ dataset: 'iris', seed: 3, testSplit: 0.2, valSplit: 0, task: 'multiclass' });
  const r = json(['--model', join(out, 'model.json'), '--precision', 'int8'], out);
  expect(r.evaluated).toEqual({ on: 'test split' });
  expect(r.samples.evaluated).toBe(30);
  // the same 30 flowers as an explicit --dataset/--seed/--test-split
  const explicit = json(['--model', join(out, 'model.json'), '--precision', 'int8', '--dataset', 'iris', '--seed', '3', '--test-split', '0.2'], out);
  expect(explicit.summary).toEqual(r.summary);
});

it('regression (linear-regression on house): MAE/RMSE relative to the target range, no agreement', () => {
  const out = trained(['--model', 'linear-regression', '--dataset', 'house', '--test-split', '0.2', '--optimizer', 'sgd', '--lr', '0.1', '--epochs', '100', '--batch', '200']);
  const r = json(['--model', join(out, 'model.json'), '--precision', 'int16'], out);
  expect(r.summary.agreement).toBeNull();
  expect(r.summary.decision).toBeNull();
  expect(r.summary.regression.targetRange).toBeGreaterThan(0);
  expect(r.summary.regression.fixed.rmseTargetUnits).toBeGreaterThan(0);
  expect(r.checks.find((c: any) => c.flag === '--max-error-increase')).toMatchObject({ passed: true, limit: 1 });
  const bad = json(['--model', join(out, 'model.json'), '--precision', 'int2'], out, 1);
  expect(bad.failures.join()).toContain('--max-error-increase');
  expect(systolab(['check', '--model', join(out, 'model.json'), '--precision', 'int2'], out).out).toMatch(/regression error vs the targets \(range [\d.]+\): MAE float/);
});

it('the shipped LeNet at int4 (89.0 % → 85.5 %) fails by default; --max-accuracy-drop 5 lets it pass', () => {
  const dir = temp('lenet');
  const model = join(ROOT, 'models/trained/lenet-digits.json');
  const r = json(['--model', model, '--precision', 'int4'], dir, 1);
  expect(r.summary.accuracyDropPp).toBeCloseTo(3.5, 6);
  expect(r.passed).toBe(false);
  expect(json(['--model', model, '--precision', 'int4', '--max-accuracy-drop', '5'], dir).passed).toBe(true);
}, 60_000);

it('a zoo model without a dataset (resnet18): seeded random inputs, a stated small batch, agreement and SQNR, no accuracy', () => {
  const dir = temp('zoo');
  const r = systolab(['check', '--model', 'resnet18', '--precision', 'int8'], dir);
  expect(r.code, r.err).toBe(0);
  expect(r.out).toContain('resnet18 on random N(0, 1) inputs, seed 0 (1 samples, random inputs)');
  expect(r.out).toMatch(/a batch of 1 seeded random input\(s\) is scored \(the default for 1\.8\d+e\+9 MACs per sample/);
  expect(r.out).toContain('accuracy: none (no labels)');
  expect(r.out).toContain('not checked (no labels: random inputs)');
  expect(r.out).toMatch(/agreement with float \(argmax\): 100\.00 %/);
}, 180_000);

it('check --help lists every dataset', () => {
  const help = systolab(['check', '--help']).out;
  for (const name of DATASET_NAMES) expect(help).toContain(name);
  expect(help).toMatch(/--max-accuracy-drop .*\[default: 1\]/);
});

it('report on a check folder of the old schema: exit 2, one line', () => {
  const dir = temp('old');
  writeFileSync(join(dir, 'numerics-report.json'), JSON.stringify({ schemaVersion: 1, layers: [] }));
  const r = systolab(['report', dir], dir);
  expect(r.code).toBe(2);
  expect(r.err.trim().split('\n')).toHaveLength(1);
  expect(r.err).toMatch(/numerics-report\.json: is not a check report of schema 2/);
});

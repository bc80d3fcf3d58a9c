/**
 * `systolab train` as a user meets it: learning works on the course's examples (the acceptance figures),
 * early stopping stops and restores, runs are deterministic, outputs are written and loadable, bad input is one line
 * with exit 2.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systolab } from '../helpers/cli.js';
import { describe, expect, it } from 'vitest';
import { HOUSE_SLOPE } from '../../sim/datasets/generators.js';
import { TRAIN_EXAMPLES } from '../../sim/cli/train-command.js';


function trainJson(args: string[]): any {
  const out = mkdtempSync(join(tmpdir(), 'systolab-train-'));
  const r = systolab(['train', ...args, '--format', 'json', '--out', out]);
  expect(r.code, r.err).toBe(0);
  return { doc: JSON.parse(r.out), out };
}

describe('learning works (acceptance figures)', () => {
  it('spiral: ≥ 95 % training accuracy with the Playground MLP', () => {
    const { doc } = trainJson(['--model', 'playground-mlp', '--dataset', 'spiral', '--optimizer', 'adam', '--lr', '0.01', '--epochs', '300']);
    expect(doc.final.train.accuracy).toBeGreaterThanOrEqual(0.95);
  });

  it('pass/fail: 100 % with the 2-feature MLP', () => {
    const { doc } = trainJson(['--model', 'pass-fail-mlp', '--dataset', 'pass-fail', '--optimizer', 'adam', '--lr', '0.05', '--epochs', '200']);
    expect(doc.final.train.accuracy).toBe(1);
  });

  it('linear regression recovers the generating slope within 1 %', () => {
    const { doc } = trainJson(['--model', 'linear-regression', '--dataset', 'house', '--optimizer', 'sgd', '--lr', '0.1', '--epochs', '300', '--batch', '200']);
    const slope = doc.parameters['line.weight'].data[0];
    expect(Math.abs(slope - HOUSE_SLOPE) / HOUSE_SLOPE).toBeLessThan(0.01);
  });

  it('iris: ≥ 95 % test accuracy', () => {
    const { doc } = trainJson(['--model', 'iris-mlp', '--dataset', 'iris', '--test-split', '0.2', '--optimizer', 'adam', '--lr', '0.01', '--epochs', '200']);
    expect(doc.sizes.test).toBe(30);
    expect(doc.final.test.accuracy).toBeGreaterThanOrEqual(0.95);
  });

  it('early stopping stops after `patience` epochs without improvement and restores the best weights', () => {
    const { doc, out } = trainJson(['--model', 'iris-mlp', '--dataset', 'iris', '--val-split', '0.3', '--early-stop-patience', '5',
      '--optimizer', 'adam', '--lr', '0.3', '--epochs', '400']);
    const { stoppedAtEpoch, bestEpoch, bestValidationLoss } = doc.earlyStop;
    expect(stoppedAtEpoch).toBeLessThan(400);
    expect(stoppedAtEpoch - bestEpoch).toBe(5);
    expect(doc.epochs).toHaveLength(stoppedAtEpoch);
    const valLosses = doc.epochs.map((e: any) => e.validation.loss);
    expect(Math.min(...valLosses)).toBe(bestValidationLoss);
    // The saved model carries the best epoch's weights: its validation loss is the best one, not the last one.
    expect(doc.final.validation.loss).toBeCloseTo(bestValidationLoss, 12);
    expect(valLosses[valLosses.length - 1]).toBeGreaterThan(bestValidationLoss);
    expect(existsSync(join(out, 'model.json'))).toBe(true);
  });
});

describe('outputs', () => {
  it('the JSON has steps and epochs numbered from 1 and the trained parameters; model.json loads in run', () => {
    const { doc, out } = trainJson(['--model', 'pass-fail-mlp', '--dataset', 'pass-fail:n=40', '--batch', '16', '--epochs', '2']);
    expect(doc.steps.map((s: any) => [s.epoch, s.step])).toEqual([[1, 1], [1, 2], [1, 3], [2, 4], [2, 5], [2, 6]]);
    expect(doc.epochs.map((e: any) => e.epoch)).toEqual([1, 2]);
    expect(Object.keys(doc.parameters)).toEqual(['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']);
    const history = JSON.parse(readFileSync(join(out, 'history.json'), 'utf8'));
    expect(history.steps).toEqual(doc.steps);
    const model = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
    const w = model.layers.find((l: any) => l.name === 'hidden').params.weight;
    expect(w).toEqual(doc.parameters['hidden.weight']);
    expect(systolab(['run', '--model', join(out, 'model.json')]).code).toBe(0);
  });

  it('same seed, identical numbers; another seed, other numbers', () => {
    const args = ['--model', 'playground-mlp', '--dataset', 'circle:n=100', '--epochs', '3', '--dropout', '0.2', '--val-split', '0.2'];
    const a = trainJson([...args, '--seed', '5']).doc, b = trainJson([...args, '--seed', '5']).doc, c = trainJson([...args, '--seed', '6']).doc;
    expect(a).toEqual(b);
    expect(c.steps).not.toEqual(a.steps);
  });

  it('every --help example works', () => {
    const help = systolab(['train', '--help']).out.replace(/\s+/g, ' ');
    for (const [cmd, what] of TRAIN_EXAMPLES) {
      expect(help).toContain(`systolab ${cmd} `);
      expect(help).toContain(what);
      const out = mkdtempSync(join(tmpdir(), 'systolab-train-ex-'));
      const r = systolab([...cmd.split(' '), '--out', out]);
      expect(r.code, `${cmd}\n${r.err}`).toBe(0);
    }
  });
});

describe('bad input: one line, exit 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'systolab-train-bad-'));
  writeFileSync(join(dir, 'bad.csv'), 'a,b,y\n1,2,0\n3,oops,1\n');
  writeFileSync(join(dir, 'ok.csv'), 'a,b,y\n1,2,0\n3,4,1\n');
  const cases: [string, string[], RegExp][] = [
    ['non-numeric CSV cell', ['--model', 'perceptron', '--dataset', join(dir, 'bad.csv')], /bad\.csv: .*row 2.*"b".*"oops"/],
    ['unknown label column', ['--model', 'perceptron', '--dataset', join(dir, 'ok.csv'), '--label', 'nope'], /ok\.csv: .*nope.*a, b, y/],
    ['negative learning rate', ['--model', 'perceptron', '--dataset', 'pass-fail', '--lr', '-0.1'], /--lr: must be positive \(got -0\.1\)/],
    ['batch 0', ['--model', 'perceptron', '--dataset', 'pass-fail', '--batch', '0'], /--batch: must be an integer ≥ 1 \(got 0\)/],
    ['loss that does not fit the output', ['--model', 'perceptron', '--dataset', 'pass-fail', '--loss', 'softmax-ce'], /softmax-ce needs class labels/],
    ['output width ≠ classes', ['--model', 'perceptron', '--dataset', 'iris'], /softmax-ce needs a model output of shape \[N, classes\], got \[1, 1\]/],
    ['unknown dataset', ['--model', 'perceptron', '--dataset', 'spirals'], /is not a dataset \(got "spirals"\)\. Use one of house, /],
    ['dataset and model input disagree', ['--model', 'perceptron', '--dataset', 'iris', '--loss', 'mse'], /needs one target per output|samples have shape \[4\]/],
    ['early stopping without a validation split', ['--model', 'perceptron', '--dataset', 'pass-fail', '--early-stop-patience', '3'], /give a validation split/],
  ];
  for (const [what, args, pattern] of cases) {
    it(what, () => {
      const out = join(dir, `out-${what.replace(/\W+/g, '-')}`);
      const r = systolab(['train', ...args, '--out', out]);
      expect(r.code, r.out + r.err).toBe(2);
      expect(r.err).toMatch(pattern);
      expect(r.err).not.toMatch(/\n\s+at /);
      expect(existsSync(out)).toBe(false);
    });
  }
});

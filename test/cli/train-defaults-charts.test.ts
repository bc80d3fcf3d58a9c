/**
 * `train` in the first evening, through the bundled CLI in temp folders: no --model picks the dataset's model and
 * loss and says so; a default loss that does not fit blames --model, not a --loss nobody gave; every run writes a
 * loss/accuracy chart with a legend (train/validation/test, whichever exist; float vs fixed point after --precision)
 * and an index.html, and `report` accepts a train folder.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systolab } from '../helpers/cli.js';
import { DEFAULT_MODELS } from '../../sim/api/train.js';
import { DATASET_NAMES } from '../../sim/load/datasets/registry.js';
import { curveRows, isTrainHistory, trainingCurvesChart } from '../../sim/report/train-charts.js';

const temp = (tag: string) => mkdtempSync(join(tmpdir(), `systolab-train-${tag}-`));

function train(args: string[]): { out: string; err: string; text: string; dir: string } {
  const dir = temp('run');
  const out = join(dir, 'out');
  const r = systolab(['train', ...args, '--out', out], dir);
  expect(r.code, r.err).toBe(0);
  return { out, err: r.err, text: r.out, dir };
}

describe('no --model: the dataset\'s default model and loss, said on stderr and in the summary', () => {
  it('the issue\'s command: train --dataset spiral --epochs 300', () => {
    const r = train(['--dataset', 'spiral', '--epochs', '300']);
    expect(r.err).toContain('train: model: playground-mlp (default for spiral)');
    expect(r.err).toContain('train: loss: bce (default for 0/1 labels, sigmoid output)');
    expect(r.text).toContain('model: playground-mlp (default for spiral)');
    expect(r.text).toMatch(/Trained playground-mlp on spiral \(binary\), loss bce/);
  }, 60_000);
  it('every built-in dataset has a default that trains', () => {
    expect(Object.keys(DEFAULT_MODELS).sort()).toEqual([...DATASET_NAMES].sort());
    for (const name of DATASET_NAMES) {
      const spec = name === 'iris' ? name : `${name}:n=40`;
      const r = train(['--dataset', spec, '--epochs', '1']);
      expect(r.err, name).toContain(`train: model: ${DEFAULT_MODELS[name]} (default for ${name})`);
      expect(r.err, name).toMatch(/train: loss: (softmax-ce|bce|bce-logits|mse) \(default for /);
    }
  }, 120_000);
  it('a CSV has no default model; a default loss that does not fit blames --model (exit 2, one line)', () => {
    const dir = temp('csv');
    writeFileSync(join(dir, 'd.csv'), 'a,b,y\n1,2,0\n3,4,1\n');
    const csv = systolab(['train', '--dataset', join(dir, 'd.csv'), '--out', join(dir, 'o')], dir);
    expect(csv.code).toBe(2);
    expect(csv.err).toMatch(/^systolab: --model: is needed: dataset .*d\.csv has no default model.*spiral → playground-mlp/);
    const misfit = systolab(['train', '--model', 'playground-mlp', '--dataset', 'iris', '--out', join(dir, 'p')], dir);
    expect(misfit.code).toBe(2);
    expect(misfit.err).toMatch(/^systolab: --model: the model does not fit the dataset \(default loss softmax-ce, picked for class labels\)/);
    expect(misfit.err).not.toContain('--loss:');
    expect(misfit.err.trim().split('\n')).toHaveLength(1);
  });
});

describe('every train run writes its curves', () => {
  it('float run with validation and test splits: loss and accuracy, a legend listing the three splits; report regenerates it', () => {
    const r = train(['--model', 'iris-mlp', '--dataset', 'iris', '--val-split', '0.2', '--test-split', '0.2', '--epochs', '20', '--optimizer', 'adam', '--lr', '0.01']);
    for (const f of ['history.json', 'model.json', 'training.json', 'index.html', 'charts/loss-curves.vl.json', 'charts/loss-curves.svg', 'charts/loss-curves.png']) {
      expect(existsSync(join(r.out, f)), f).toBe(true);
    }
    const spec = JSON.parse(readFileSync(join(r.out, 'charts', 'loss-curves.vl.json'), 'utf8'));
    expect(spec.vconcat.map((p: any) => p.transform[0].filter.equal)).toEqual(['loss', 'accuracy (%)']);
    expect(spec.vconcat[0].encoding.color).toMatchObject({ field: 'split', legend: { orient: 'right' }, scale: { domain: ['train', 'validation', 'test'] } });
    const svg = readFileSync(join(r.out, 'charts', 'loss-curves.svg'), 'utf8');
    for (const word of ['split', 'validation', 'test']) expect(svg).toContain(word);
    const before = readFileSync(join(r.out, 'charts', 'loss-curves.vl.json'), 'utf8');
    const rep = systolab(['report', r.out], r.dir);
    expect(rep.code, rep.err).toBe(0);
    expect(rep.out).toMatch(/^train report: 3 chart file\(s\)/);
    expect(readFileSync(join(r.out, 'charts', 'loss-curves.vl.json'), 'utf8')).toBe(before);
  }, 60_000);
  it('train --precision: both arithmetics, told apart by a dash legend', () => {
    const r = train(['--model', 'playground-mlp', '--dataset', 'spiral:n=60', '--epochs', '3', '--precision', 'int16', '--optimizer', 'adam', '--lr', '0.01']);
    const spec = JSON.parse(readFileSync(join(r.out, 'charts', 'loss-curves.vl.json'), 'utf8'));
    expect(spec.vconcat[0].encoding.strokeDash).toMatchObject({ field: 'run', title: 'arithmetic', legend: { orient: 'right' } });
    expect(new Set(spec.data.values.map((v: any) => v.run))).toEqual(new Set(['float64', 'fixed point']));
    expect(readFileSync(join(r.out, 'charts', 'loss-curves.svg'), 'utf8')).toContain('fixed point');
    expect(existsSync(join(r.out, 'charts', 'gradient-error.svg'))).toBe(true);
  }, 60_000);
  it('report on a history.json that is not a train history: exit 2, one line', () => {
    const dir = temp('bad');
    writeFileSync(join(dir, 'history.json'), '{"steps": []}');
    const r = systolab(['report', dir], dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/history\.json: is not a train history/);
  });
});

describe('the curves as data', () => {
  const epoch = (i: number, loss: number, acc: number | null) => ({ epoch: i, train: { loss, accuracy: acc }, test: { loss: 0.6, accuracy: acc } });
  it('one row per run × split × metric; non-finite losses are left out', () => {
    const rows = curveRows({ epochs: [epoch(1, 0.5, 0.8), epoch(2, NaN, 0.9)] });
    expect(rows.filter((r) => r.metric === 'loss').map((r) => [r.epoch, r.split])).toEqual([[1, 'train'], [1, 'test'], [2, 'test']]);
    expect(rows.filter((r) => r.metric === 'accuracy (%)').map((r) => r.value)).toEqual([80, 80, 90, 90]);
  });
  it('mutation: regression has no accuracy panel, and the legend lists only the splits that exist', () => {
    const chart = trainingCurvesChart({ epochs: [epoch(1, 0.5, null)] });
    const spec = chart.spec as any;
    expect(spec.vconcat).toHaveLength(1);
    expect(spec.vconcat[0].encoding.color.scale.domain).toEqual(['train', 'test']);
  });
  it('recognizes float and quantized histories, rejects others', () => {
    expect(isTrainHistory({ epochs: [] })).toBe(true);
    expect(isTrainHistory({ float: { epochs: [] }, fixed: { epochs: [] } })).toBe(true);
    expect(isTrainHistory({ float: { epochs: [] } })).toBe(false);
    expect(isTrainHistory(null)).toBe(false);
  });
});

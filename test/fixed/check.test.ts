/**
 * `check` on the committed demo models (models/trained/, made by `systolab train`; see its README): int8 top-1
 * agreement with float ≥ 99 % on the test split train used; the CLI's examples, thresholds (exit 1) and bad input (exit 2).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, systolab } from '../helpers/cli.js';
import { describe, expect, it } from 'vitest';
import { CHECK_EXAMPLES } from '../../sim/cli/check-command.js';
import { loadHwConfig } from '../../sim/load/hw.js';
import { loadNamedDataset } from '../../sim/load/datasets/registry.js';
import { loadModel } from '../../sim/load/model-file.js';
import { runCheck } from '../../sim/run/check.js';


describe('demo models in int8 agree with float', () => {
  const hw = loadHwConfig('scalesim-32x32');
  it('iris-mlp (30 test flowers)', () => {
    const r = runCheck({ graph: loadModel(join(ROOT, 'models/trained/iris-mlp.json')), dataset: loadNamedDataset('iris'), hw, precision: 'int8', testSplit: 0.2 });
    expect(r.samples.evaluated).toBe(30);
    expect(r.summary.agreement).toBeGreaterThanOrEqual(0.99);
    expect(r.accumulatorBits).toBe(32);
  });
  it('lenet-digits (200 test digits)', () => {
    const r = runCheck({ graph: loadModel(join(ROOT, 'models/trained/lenet-digits.json')), dataset: loadNamedDataset('digits:n=1000'), hw, precision: 'int8', testSplit: 0.2 });
    expect(r.samples.evaluated).toBe(200);
    expect(r.summary.agreement).toBeGreaterThanOrEqual(0.99);
    expect(r.summary.fixedAccuracy).toBeGreaterThan(0.85);
    for (const l of r.layers) expect(l.cosine).toBeGreaterThan(0.999);
  });
});

describe('systolab check', () => {
  it('every --help example works', () => {
    const help = systolab(['check', '--help']).out.replace(/\s+/g, ' ');
    for (const [cmd, what, code] of CHECK_EXAMPLES) {
      expect(help).toContain(`systolab ${cmd}`);
      expect(help).toContain(what.replace(/\s+/g, ' '));
      // Examples that write a report folder write it into a temp folder here, never into the repo's reports/.
      const args = cmd.split(' ');
      const out = args.indexOf('--out');
      if (out >= 0) args[out + 1] = mkdtempSync(join(tmpdir(), 'systolab-check-ex-'));
      const r = systolab(args);
      expect(r.code, `${cmd}\n${r.err}`).toBe(code ?? 0);
      if (code === 1) expect(r.out).toMatch(/^result: FAIL/m);
    }
  }, 180_000);
  it('exit 1 when a threshold fails; JSON report', () => {
    const r = systolab(['check', '--model', 'models/trained/iris-mlp.json', '--precision', 'int2', '--min-agreement', '0.999', '--max-sqnr-drop', '1', '--format', 'json']);
    expect(r.code).toBe(1);
    const rep = JSON.parse(r.out);
    expect(rep.passed).toBe(false);
    // int2 fails all three: agreement, SQNR drop and the default --max-accuracy-drop 1.
    expect(rep.failures.map((f: string) => f.replace(/^.* (--[a-z-]+) .*$/, '$1')).sort()).toEqual(['--max-accuracy-drop', '--max-sqnr-drop', '--min-agreement']);
  });
  it('bad formats exit 2 with one line', () => {
    for (const p of ['int0', 'q0.8', 'q4.40', 'int99', 'float7']) {
      const r = systolab(['check', '--model', 'models/trained/iris-mlp.json', '--precision', p]);
      expect(r.code, p).toBe(2);
      expect(r.err).toContain(p);
    }
    expect(systolab(['check', '--rounding', 'up']).code).toBe(2);
  });
});

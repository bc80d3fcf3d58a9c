/**
 * `systolab validate`: the published figures of TPU v1, Eyeriss and Gemmini beside ours. The table stays true (every
 * row within its tolerance, or a stated known gap or unmodelled figure), docs/validation.md is its output, and the
 * check is real: presets altered away from their papers make rows fail and the command exit 1.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validate } from '../sim/api/validate.js';
import { loadHwConfig } from '../sim/load/hw.js';
import { VALIDATE_EXAMPLES, validateMarkdown } from '../sim/cli/validate-command.js';
import { ROOT, systolab } from './helpers/cli.js';

describe('systolab validate', () => {
  const v = validate();

  it('every row has a source and a tolerance; none misses without a reason', () => {
    expect(v.rows.length).toBeGreaterThanOrEqual(30);
    for (const r of v.rows) {
      expect(r.source.length, r.figure).toBeGreaterThan(10);
      expect(r.status, `${r.machine} ${r.workload} ${r.figure}: ${String(r.simulated)} vs ${String(r.published)}`).not.toBe('fail');
      if (r.status === 'known-gap' || r.status === 'not-modelled') expect(r.note, r.figure).toBeTruthy();
    }
    expect(v.counts.fail).toBe(0);
  });

  it('holds the rows the issue names, and the ones the model must meet do', () => {
    const find = (machine: string, workload: string, figure: string) => v.rows.find((r) => r.machine === machine && r.workload === workload && r.figure === figure)!;
    expect(find('tpu-v1', '—', 'roofline ridge point').status).toBe('pass');
    for (const app of ['MLP0', 'MLP1', 'LSTM0', 'LSTM1', 'CNN0', 'CNN1']) expect(find('tpu-v1', app, 'roofline ceiling at Table 1\'s intensity').status).toBe('pass');
    for (const app of ['MLP0', 'MLP1', 'LSTM0', 'LSTM1']) expect(find('tpu-v1', app, 'bound').status).toBe('pass');
    for (let i = 1; i <= 5; i++) expect(find('eyeriss', `AlexNet CONV${i}, batch 4`, 'active PEs').status).toBe('pass');
    expect(find('eyeriss', 'AlexNet CONV1–5, batch 4', 'throughput').status).toBe('pass');
    expect(find('eyeriss', 'AlexNet CONV1–5, batch 4', 'DRAM accesses per MAC').status).toBe('not-modelled');
    expect(find('gemmini', 'ResNet-50, batch 4', 'speed-up of a 64×64 array over 16×16').simulated as number).toBeLessThan(16);
  });

  it('docs/validation.md is the command\'s Markdown, and the CLI prints the table, JSON and an HTML report', () => {
    expect(readFileSync(join(ROOT, 'docs', 'validation.md'), 'utf8')).toBe(validateMarkdown(v));
    const t = systolab(['validate']);
    expect(t.code, t.err).toBe(0);
    expect(t.out).toContain('roofline ridge point');
    const j = JSON.parse(systolab(['validate', '--format', 'json']).out);
    expect(j.rows.length).toBe(v.rows.length);
    const help = systolab(['validate', '--help']).out.replace(/\s+/g, ' ');
    for (const [cmd, what] of VALIDATE_EXAMPLES) {
      expect(help).toContain(`systolab ${cmd}`);
      expect(help).toContain(what.replace(/\s+/g, ' '));
    }
    const h = systolab(['validate', '--out', 'out-validation']);
    expect(h.code, h.err).toBe(0);
    expect(h.out).toContain('index.html');
  });

  it('the check is real: presets moved off their papers fail rows (and would make validate exit 1)', () => {
    const tpu = loadHwConfig('tpu-v1'), eyeriss = loadHwConfig('eyeriss');
    const slow = validate({ 'tpu-v1': { ...tpu, dram: { ...tpu.dram, bytesPerCycle: 40 } } });
    expect(slow.rows.find((r) => r.figure === 'roofline ridge point')!.status).toBe('fail');
    expect(slow.counts.fail).toBeGreaterThan(1);
    const narrow = validate({ eyeriss: { ...eyeriss, array: { ...eyeriss.array, cols: 13 } } });
    expect(narrow.rows.filter((r) => r.figure === 'active PEs' && r.status === 'fail').length).toBeGreaterThan(0);
  });
});

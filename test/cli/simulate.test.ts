/**
 * `systolab simulate` end to end: SCALE-Sim's own files as-is (topology CSV + .cfg) in --compat scalesim mode give
 * SCALE-Sim v2's reported numbers (test/fixtures/scalesim/expected, CALC mode); default mode, training mode, formats,
 * and bad input.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SIMULATE_EXAMPLES } from '../../sim/cli/simulate-command.js';
import { WORKSPACE } from '../helpers/cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'systolab.mjs') // the bundled bin users run;
const FIX = join(ROOT, 'test', 'fixtures', 'scalesim');

function systolab(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: WORKSPACE, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const rel = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(b), 1e-300));

const dir = mkdtempSync(join(tmpdir(), 'systolab-sim-'));
// The 8×16 configuration in CALC mode (its reports `8x16_calc_*` were made that way).
writeFileSync(join(dir, '8x16_calc.cfg'), readFileSync(join(FIX, 'example_8x16_user_bw4.cfg'), 'utf8').replace('InterfaceBandwidth: USER', 'InterfaceBandwidth: CALC'));

describe('--compat scalesim reproduces SCALE-Sim v2 (CALC)', () => {
  const cases: [string, string, string, string][] = [];
  for (const df of ['os', 'ws', 'is']) {
    for (const topo of ['conv', 'gemm']) cases.push([`${df}_example_${topo}_COMPUTE_REPORT.csv`, `example_${topo}.csv`, join(FIX, 'example_16x16_ws.cfg'), df]);
    for (const topo of ['conv', 'dw']) cases.push([`8x16_calc_${df}_example_${topo}_COMPUTE_REPORT.csv`, `example_${topo}.csv`, join(dir, '8x16_calc.cfg'), df]);
  }
  for (const [expected, topo, cfg, df] of cases) {
    it(expected, () => {
      const r = systolab(['simulate', '--model', join(FIX, topo), '--hw', cfg, '--dataflow', df, '--compat', 'scalesim', '--format', 'json']);
      expect(r.code, r.err).toBe(0);
      const report = JSON.parse(r.out);
      const want = readFileSync(join(FIX, 'expected', expected), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').slice(0, 6).map(Number));
      expect(report.layers).toHaveLength(want.length);
      report.layers.forEach((l: any, i: number) => {
        const [, total, stall, overall, mapping, compute] = want[i];
        expect(l.totalCycles, `layer ${i}`).toBe(total);
        expect(l.stallCycles).toBe(stall);
        expect(l.computeCycles).toBe(total - stall);
        expect(rel(l.overallUtilization, overall / 100), `layer ${i} overall`).toBeLessThan(1e-9);
        expect(rel(l.mappingEfficiency, mapping / 100), `layer ${i} mapping`).toBeLessThan(1e-9);
        expect(rel(l.computeUtilization, compute / 100), `layer ${i} compute`).toBeLessThan(1e-9);
      });
    });
  }
});

describe('default mode', () => {
  it('runs with no flags (the README main command): ResNet-18 on the 32×32 preset', () => {
    const r = systolab(['simulate']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/Conv1/);
    expect(r.out).toMatch(/32×32 OS array/);
    expect(r.out).toMatch(/util %/);
  });

  it('is one cycle longer per GEMM than compat mode, with true utilization denominators', () => {
    const args = ['simulate', '--model', join(FIX, 'example_conv.csv'), '--hw', join(FIX, 'example_16x16_ws.cfg'), '--format', 'json'];
    const own = JSON.parse(systolab(args).out), compat = JSON.parse(systolab([...args, '--compat', 'scalesim']).out);
    own.layers.forEach((l: any, i: number) => {
      expect(l.totalCycles).toBe(compat.layers[i].totalCycles + 1);
      expect(l.computeUtilization).toBeCloseTo(l.macs / (l.computeCycles * 256), 12);
      const u = l.utilizationLoss;
      expect(u.unmappedPes + u.fillAndDrain + u.stalls + l.overallUtilization).toBeCloseTo(1, 12);
    });
  });

  it('training mode lists forward, backwardData, backwardWeight and update entries; JSON has no NaN', () => {
    const r = systolab(['simulate', '--model', 'models/tiny-cnn.yaml', '--mode', 'training', '--array', '8x8', '--format', 'json']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).not.toMatch(/NaN|null/);
    const passes = new Set(JSON.parse(r.out).layers.map((l: any) => l.pass));
    expect([...passes].sort()).toEqual(['backwardData', 'backwardWeight', 'forward', 'update']);
  });

  it('csv format has a header, one row per entry and a totals row', () => {
    const r = systolab(['simulate', '--format', 'csv']);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toMatch(/^name,id,pass,kind/);
    expect(lines.length).toBe(2 + JSON.parse(systolab(['simulate', '--format', 'json']).out).layers.length);
    expect(lines[lines.length - 1]).toMatch(/^total,total,/);
  });

  it('every --help example works; systolab hw lists the presets', () => {
    const help = systolab(['simulate', '--help']).out.replace(/\s+/g, ' ');
    for (const [cmd, what] of SIMULATE_EXAMPLES) {
      expect(help).toContain(what);
      expect(systolab(cmd.split(' ')).code, cmd).toBe(0);
    }
    const hw = systolab(['hw']);
    expect(hw.code).toBe(0);
    for (const name of ['scalesim-32x32', 'tpu-v1', 'eyeriss', 'edge-16x16']) expect(hw.out).toContain(name);
  });
});

describe('bad input: one line, exit 2', () => {
  writeFileSync(join(dir, 'bad.cfg'), '[architecture_presets]\nArrayHeight: 16\nArrayWidth 16\n');
  writeFileSync(join(dir, 'bad-row.csv'), 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nc1,10,10,3,3,abc,8,1,\n');
  writeFileSync(join(dir, 'too-big.csv'), 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nc1,4,4,7,7,3,8,1,\n');
  const cases: [string, string[], RegExp][] = [
    ['zero array size', ['--array', '0x16'], /--array: must be ROWSxCOLS/],
    ['negative array size', ['--array=-4x16'], /--array: must be ROWSxCOLS/],
    ['non-integer array size', ['--array', '1.5x16'], /--array: must be ROWSxCOLS/],
    ['unknown dataflow', ['--dataflow', 'rs'], /Invalid values|dataflow/],
    ['malformed .cfg line', ['--hw', join(dir, 'bad.cfg')], /bad\.cfg/],
    ['malformed CSV row', ['--model', join(dir, 'bad-row.csv')], /bad-row\.csv.*abc/],
    ['a layer larger than its input', ['--model', join(dir, 'too-big.csv')], /too-big\.csv/],
    ['unknown preset', ['--hw', 'tpu-v9'], /tpu-v9/],
  ];
  for (const [what, args, pattern] of cases) {
    it(what, () => {
      const r = systolab(['simulate', ...args]);
      expect(r.code, r.out + r.err).toBe(2);
      expect(r.err).toMatch(pattern);
      expect(r.err).not.toMatch(/\n\s+at |NaN/);
      expect(r.out).toBe('');
    });
  }
});

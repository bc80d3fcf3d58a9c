/**
 * `systolab simulate` end to end: SCALE-Sim's own files as-is (topology CSV + .cfg) in --compat scalesim mode give
 * SCALE-Sim v2's reported numbers (test/fixtures/scalesim/expected, CALC mode); default mode, training mode, formats,
 * bad input; the hardware flags it shares with sweep, --precision int4, and a report's hw block loaded back with --hw.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SIMULATE_EXAMPLES } from '../../sim/cli/simulate-command.js';
import { HW_FLAGS, type HwFlagKey } from '../../sim/arch/flags.js';
import { WORKSPACE, systolab as cli } from '../helpers/cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'systolab.cjs') // the bundled bin users run;
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
    ['unknown dataflow', ['--dataflow', 'xs'], /Invalid values|dataflow/],
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

describe('hardware flags (shared with sweep), precision, and a report\'s hw block fed back', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'systolab-hwflags-'));
  const TINY = join(ROOT, 'models', 'tiny-cnn.yaml');
  const json = (args: string[]) => {
    const r = cli(['simulate', '--model', TINY, '--format', 'json', ...args], tmp);
    expect(r.code, r.err).toBe(0);
    return JSON.parse(r.out);
  };
  // One value per hardware flag: a flag added to HW_FLAGS without a case here does not compile.
  const SAMPLE: Record<HwFlagKey, [string, (hw: any) => unknown, unknown]> = {
    array: ['8x4', (hw) => [hw.array.rows, hw.array.cols], [8, 4]],
    dataflow: ['is', (hw) => hw.array.dataflow, 'is'],
    precision: ['int4', (hw) => [hw.numerics.input, hw.numerics.weight], ['int4', 'int4']],
    sramKib: ['8', (hw) => hw.sram.filterKib, 8],
    ifmapKib: ['2', (hw) => hw.sram.ifmapKib, 2],
    filterKib: ['8', (hw) => hw.sram.filterKib, 8],
    ofmapKib: ['0.5', (hw) => hw.sram.ofmapKib, 0.5],
    dramBytesPerCycle: ['3', (hw) => hw.dram.bytesPerCycle, 3],
    bandwidthMode: ['user', (hw) => hw.dram.bandwidthMode, 'user'],
    clockMhz: ['250', (hw) => hw.clockHz, 250e6],
  };

  it('every hardware flag sweep takes works on simulate, and appears in the report\'s hw', () => {
    const args = Object.entries(SAMPLE).flatMap(([k, [v]]) => [`--${HW_FLAGS[k as HwFlagKey].flag}`, v]);
    const hw = json(['--hw', 'edge-16x16', ...args]).hw;
    for (const [k, [, get, want]] of Object.entries(SAMPLE)) expect(get(hw), k).toEqual(want);
    const help = cli(['simulate', '--help'], tmp).out, sweepHelp = cli(['sweep', '--help'], tmp).out;
    for (const f of Object.values(HW_FLAGS)) {
      expect(help).toContain(`--${f.flag}`);
      expect(sweepHelp).toContain(`--${f.flag}`);
    }
  });

  it('--precision int4 works: packed 4-bit traffic, energy entries the table lacks scaled and said so', () => {
    const int8 = json(['--precision', 'int8']), int4 = json(['--precision', 'int4']);
    expect(int4.totals.totalCycles).toBe(int8.totals.totalCycles);
    expect(int4.totals.dramWords).toEqual(int8.totals.dramWords);
    expect(int4.totals.dramReadBytes).toBeLessThan(int8.totals.dramReadBytes);
    expect(int4.totals.dramReadBytes).toBeGreaterThanOrEqual(int8.totals.dramReadBytes / 2);
    expect(int4.totals.energy.byComponent.mac).toBeLessThan(int8.totals.energy.byComponent.mac);
    expect(int4.warnings.join('\n')).toMatch(/mult\.int4 is not in energy table 45nm: scaled from mult\.int8 ∝ bits²/);
  });

  it('CALC mode: memory flags move traffic, not cycles, and the output says why; USER mode enforces them', () => {
    const base = json(['--hw', 'edge-16x16', '--bandwidth-mode', 'calc']); // edge-16x16 enforces its bandwidth (user)
    const small = ['--hw', 'edge-16x16', '--sram-kib', '0.125', '--dram-bytes-per-cycle', '1'];
    const calc = json([...small, '--bandwidth-mode', 'calc']), user = json([...small, '--bandwidth-mode', 'user']);
    expect(calc.totals.totalCycles).toBe(base.totals.totalCycles);
    expect(calc.totals.dramReadBytes).toBeGreaterThan(base.totals.dramReadBytes);
    expect(user.totals.totalCycles).toBeGreaterThan(calc.totals.totalCycles);
    expect(calc.warnings.join('\n')).toMatch(/bandwidth mode calc: .*--sram-kib, --dram-bytes-per-cycle move traffic and energy, not cycles; use --bandwidth-mode user/);
    expect(base.warnings.join('\n') + user.warnings.join('\n')).not.toMatch(/bandwidth mode calc/);
    const table = cli(['simulate', '--model', TINY, ...small, '--bandwidth-mode', 'calc', '--no-charts'], tmp);
    expect(table.out).toMatch(/warning: bandwidth mode calc: DRAM bandwidth is computed as what the array needs/);
  });

  const bad: [string, string[], RegExp][] = [
    ['a non-number SRAM size', ['--sram-kib', 'abc'], /^systolab: --sram-kib: must be a finite number \(got "abc"\)/],
    ['a zero bandwidth', ['--dram-bytes-per-cycle', '0'], /^systolab: --dram-bytes-per-cycle: must be a positive number \(got 0\)/],
    ['an unknown bandwidth mode', ['--bandwidth-mode', 'fast'], /^systolab: --bandwidth-mode: is not an allowed value \(got "fast"\)\. Allowed: calc, user\./],
    ['a 1-bit precision', ['--precision', 'int1'], /^systolab: --precision: is not an allowed value \(got "int1"\)\. Allowed: int2 … int32, fp16, bf16, fp32\./],
    ['a negative clock', ['--clock-mhz=-5'], /^systolab: --clock-mhz: must be a positive number/],
  ];
  for (const [what, args, pattern] of bad) {
    it(`bad input, one line and exit 2: ${what}`, () => {
      const r = cli(['simulate', '--model', TINY, ...args], tmp);
      expect(r.code, r.err).toBe(2);
      expect(r.err).toMatch(pattern);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.out).toBe('');
    });
  }

  // The hw block of cost-report.json loads with --hw and gives the same results, whatever the config came from.
  const sources: [string, string[]][] = [
    ['a preset with flags', ['--hw', 'tpu-v1', '--array', '32x16', '--sram-kib', '4', '--precision', 'int4', '--clock-mhz', '333.3', '--mode', 'training']],
    ['a SCALE-Sim .cfg', ['--hw', join(FIX, 'example_8x16_user_bw4.cfg')]],
  ];
  for (const [what, args] of sources) {
    it(`round trip: simulate --out, the report's hw as a file, simulate --hw that file: same bytes (${what})`, () => {
      const a = join(tmp, `rt-a-${what.length}`), b = join(tmp, `rt-b-${what.length}`), hwFile = join(tmp, `hw-${what.length}.json`);
      expect(cli(['simulate', '--model', TINY, ...args, '--out', a, '--no-charts'], tmp).code).toBe(0);
      const first = JSON.parse(readFileSync(join(a, 'cost-report.json'), 'utf8'));
      writeFileSync(hwFile, JSON.stringify(first.hw, null, 2));
      const again = cli(['simulate', '--model', TINY, '--hw', hwFile, ...args.filter((x) => x === '--mode' || x === 'training'), '--out', b, '--no-charts'], tmp);
      expect(again.code, again.err).toBe(0);
      expect(readFileSync(join(b, 'layers.csv'), 'utf8')).toBe(readFileSync(join(a, 'layers.csv'), 'utf8'));
      const second = JSON.parse(readFileSync(join(b, 'cost-report.json'), 'utf8'));
      expect(second.hw.source).toBe(hwFile);
      expect(JSON.stringify({ ...second, hw: { ...second.hw, source: first.hw.source } })).toBe(JSON.stringify(first));
    });
  }
});

/**
 * `systolab simulate --compat scalesim --format scalesim` against SCALE-Sim v2's own report files, end to end through
 * the bundled CLI, for every shared sample: the 18 runs of test/fixtures/scalesim/expected (16×16 CALC, 8×16 CALC and
 * USER at 4 words/cycle; conv, GEMM and depthwise topologies; os/ws/is) and the 36 runs of
 * test/fixtures/scalesim/large (small SRAMs, overlapping windows, ceil-overhang convs, CALC and USER).
 * Every cell of the three reports: integers (cycles, counts) exactly, floats (start/stop cycles, percentages,
 * bandwidths) to 1e-9 relative — and then every file byte for byte (`diff` against SCALE-Sim's own output is empty).
 * The JSON report carries the same 8 counts (checked on a subset).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WORKSPACE } from '../helpers/cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'systolab.cjs');
const FIX = join(ROOT, 'test', 'fixtures', 'scalesim');
const LARGE = join(FIX, 'large');
const tmp = mkdtempSync(join(tmpdir(), 'systolab-scalesim-'));
const calc8x16 = join(tmp, '8x16_calc.cfg');
writeFileSync(calc8x16, readFileSync(join(FIX, 'example_8x16_user_bw4.cfg'), 'utf8').replace('InterfaceBandwidth: USER', 'InterfaceBandwidth: CALC'));

const REPORTS = ['COMPUTE_REPORT.csv', 'BANDWIDTH_REPORT.csv', 'DETAILED_ACCESS_REPORT.csv'] as const;

interface Case { name: string; model: string; hw: string; dataflow?: string; expected: (report: string) => string; checkJson: boolean }

const cases: Case[] = [];
for (const df of ['os', 'ws', 'is']) {
  const add = (name: string, topo: string, hw: string) => cases.push({ name, model: join(FIX, topo), hw, dataflow: df, expected: (r) => join(FIX, 'expected', `${name}_${r}`), checkJson: true });
  for (const t of ['conv', 'gemm']) add(`${df}_example_${t}`, `example_${t}.csv`, join(FIX, 'example_16x16_ws.cfg'));
  for (const t of ['conv', 'dw']) add(`8x16_calc_${df}_example_${t}`, `example_${t}.csv`, calc8x16);
  for (const t of ['conv', 'dw']) add(`8x16_user_${df}_example_${t}`, `example_${t}.csv`, join(FIX, 'example_8x16_user_bw4.cfg'));
}
const runs = readFileSync(join(LARGE, 'runs.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
runs.forEach(([run, topo, cfg], i) => {
  cases.push({ name: `large/${run}`, model: join(LARGE, 'topologies', topo), hw: join(LARGE, 'configs', cfg), expected: (r) => join(LARGE, 'reports', run, r), checkJson: i % 6 === 0 });
});

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: WORKSPACE, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

const cells = (text: string) => text.trim().split('\n').map((l) => l.split(','));

/** Compares two report files cell by cell: text cells and integers exactly, floats to 1e-9 relative. */
function compareReports(ours: string, theirs: string): string[] {
  const a = cells(ours), b = cells(theirs), problems: string[] = [];
  if (a.length !== b.length) return [`${a.length} lines, SCALE-Sim has ${b.length}`];
  a.forEach((row, i) => {
    if (row.length !== b[i].length) { problems.push(`line ${i + 1}: ${row.length} cells vs ${b[i].length}`); return; }
    row.forEach((cell, j) => {
      const x = cell.trim(), y = b[i][j].trim();
      if (i === 0 || !/[.e]/.test(y)) { if (x !== y) problems.push(`line ${i + 1} cell ${j + 1}: ${x} vs ${y}`); return; }
      const u = Number(x), v = Number(y);
      if (!(Math.abs(u - v) <= 1e-9 * Math.abs(v))) problems.push(`line ${i + 1} cell ${j + 1}: ${x} vs ${y}`);
    });
  });
  return problems;
}

describe('--format scalesim: every cell of SCALE-Sim v2\'s three reports, on every shared sample', () => {
  let identicalFiles = 0;
  for (const c of cases) {
    it(c.name, () => {
      const out = join(tmp, c.name.replace(/[/]/g, '_'));
      const flags = ['--model', c.model, '--hw', c.hw, ...(c.dataflow ? ['--dataflow', c.dataflow] : []), '--compat', 'scalesim'];
      cli(['simulate', ...flags, '--format', 'scalesim', '--out', out]);
      for (const r of REPORTS) {
        const ours = readFileSync(join(out, r), 'utf8'), theirs = readFileSync(c.expected(r), 'utf8');
        expect(compareReports(ours, theirs), r).toEqual([]);
        expect(ours, `${r}: byte for byte`).toBe(theirs);
        identicalFiles++;
      }
      // The JSON report carries the same 8 counts per layer (checked on the older samples and every sixth large run:
      // the files above come from the same entries).
      if (!c.checkJson) return;
      const json = JSON.parse(cli(['simulate', ...flags, '--format', 'json']));
      const comp = cells(readFileSync(c.expected('COMPUTE_REPORT.csv'), 'utf8')).slice(1).map((r) => r.map(Number));
      const det = cells(readFileSync(c.expected('DETAILED_ACCESS_REPORT.csv'), 'utf8')).slice(1).map((r) => r.map(Number));
      expect(json.layers.map((l: any) => [l.totalCycles, l.stallCycles, l.sramWords.ifmapReads, l.sramWords.filterReads, l.sramWords.ofmapWrites, l.dramWords.ifmapReads, l.dramWords.filterReads, l.dramWords.ofmapWrites]))
        .toEqual(comp.map((row, i) => [row[1], row[2], det[i][3], det[i][6], det[i][9], det[i][12], det[i][15], det[i][18]]));
    });
  }
  it(`reproduces all ${cases.length * 3} files byte for byte`, () => {
    expect(identicalFiles).toBe(cases.length * 3);
  });
});

describe('the comparison catches a wrong number', () => {
  it('one DRAM count off by one, one float off in the 9th digit', () => {
    const theirs = readFileSync(join(LARGE, 'reports', runs[7][0], 'DETAILED_ACCESS_REPORT.csv'), 'utf8');
    const lines = theirs.split('\n');
    const cellsOf = lines[1].split(', ');
    cellsOf[12] = String(Number(cellsOf[12]) + 1);
    expect(compareReports([lines[0], cellsOf.join(', '), ...lines.slice(2)].join('\n'), theirs)).toHaveLength(1);
    const bw = readFileSync(join(LARGE, 'reports', runs[7][0], 'BANDWIDTH_REPORT.csv'), 'utf8');
    const bl = bw.split('\n'), bc = bl[1].split(', ');
    bc[4] = String(Number(bc[4]) * (1 + 1e-8));
    expect(compareReports([bl[0], bc.join(', '), ...bl.slice(2)].join('\n'), bw)).toHaveLength(1);
  });
});

describe('--format scalesim: bad combinations are one-line errors', () => {
  for (const [flags, field] of [[['--format', 'scalesim', '--out', tmp], '--compat'], [['--compat', 'scalesim', '--format', 'scalesim'], '--out'], [['--compat', 'scalesim', '--format', 'scalesim', '--mode', 'training', '--out', tmp], '--mode']] as const) {
    it(`names ${field}`, () => {
      const r = spawnSync(process.execPath, [CLI, 'simulate', ...flags], { cwd: WORKSPACE, encoding: 'utf8' });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(field);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
  }
});

/**
 * `systolab simulate --compat scalesim` against SCALE-Sim v2's own DETAILED_ACCESS and BANDWIDTH reports
 * (test/fixtures/scalesim/expected), end to end through the bundled CLI: SRAM counts per operand and CALC-mode DRAM
 * read counts identical, CALC ifmap/filter DRAM bandwidth to 1e-9; USER-mode total cycles within 5 % where the
 * emulation covers SCALE-Sim's rules (see sim/timing/README.md for the layers it does not yet).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'systolab.mjs');
const FIX = join(ROOT, 'test', 'fixtures', 'scalesim');
const dir = mkdtempSync(join(tmpdir(), 'systolab-mem-'));
writeFileSync(join(dir, '8x16_calc.cfg'), readFileSync(join(FIX, 'example_8x16_user_bw4.cfg'), 'utf8').replace('InterfaceBandwidth: USER', 'InterfaceBandwidth: CALC'));

const rows = (file: string) => readFileSync(join(FIX, 'expected', file), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
function run(topo: string, cfg: string, df: string) {
  const r = spawnSync(process.execPath, [CLI, 'simulate', '--model', join(FIX, topo), '--hw', cfg, '--dataflow', df, '--compat', 'scalesim', '--format', 'json'], { cwd: ROOT, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

const cases: [string, string, string, string][] = [];
for (const df of ['os', 'ws', 'is']) {
  for (const t of ['conv', 'gemm']) cases.push([`${df}_example_${t}`, `example_${t}.csv`, join(FIX, 'example_16x16_ws.cfg'), df]);
  for (const t of ['conv', 'dw']) cases.push([`8x16_calc_${df}_example_${t}`, `example_${t}.csv`, join(dir, '8x16_calc.cfg'), df]);
}

describe('CALC mode: SRAM and DRAM read counts identical to SCALE-Sim, and its DRAM bandwidth', () => {
  for (const [name, topo, cfg, df] of cases) {
    it(name, () => {
      const report = run(topo, cfg, df);
      const det = rows(`${name}_DETAILED_ACCESS_REPORT.csv`), bw = rows(`${name}_BANDWIDTH_REPORT.csv`);
      expect(report.layers).toHaveLength(det.length);
      report.layers.forEach((l: any, i: number) => {
        expect([l.sram.ifmapReads, l.sram.filterReads, l.sram.ofmapWrites], `layer ${i} SRAM`).toEqual([det[i][3], det[i][6], det[i][9]]);
        expect([l.dram.ifmapReads, l.dram.filterReads], `layer ${i} DRAM`).toEqual([det[i][12], det[i][15]]);
        expect(Math.abs(l.bandwidthBytesPerCycle.ifmap - bw[i][4]) / bw[i][4]).toBeLessThan(1e-9);
        expect(Math.abs(l.bandwidthBytesPerCycle.filter - bw[i][5]) / bw[i][5]).toBeLessThan(1e-9);
      });
    });
  }
});

describe('USER mode (8×16, 4 words/cycle)', () => {
  for (const df of ['os', 'ws', 'is']) {
    for (const t of ['conv', 'dw']) {
      const name = `8x16_user_${df}_example_${t}`;
      it(`${name}: SRAM counts identical`, () => {
        const report = run(`example_${t}.csv`, join(FIX, 'example_8x16_user_bw4.cfg'), df);
        const det = rows(`${name}_DETAILED_ACCESS_REPORT.csv`);
        report.layers.forEach((l: any, i: number) => expect([l.sram.ifmapReads, l.sram.filterReads, l.sram.ofmapWrites]).toEqual([det[i][3], det[i][6], det[i][9]]));
        expect(report.warnings.join(' ')).not.toMatch(/not modelled yet/);
      });
    }
    const name = `8x16_user_${df}_example_dw`;
    it(`${name}: stall-inclusive total cycles within 5 %, DRAM reads in whole lines identical`, () => {
      const report = run('example_dw.csv', join(FIX, 'example_8x16_user_bw4.cfg'), df);
      const comp = rows(`${name}_COMPUTE_REPORT.csv`), det = rows(`${name}_DETAILED_ACCESS_REPORT.csv`);
      report.layers.forEach((l: any, i: number) => {
        expect(Math.abs(l.totalCycles - comp[i][1]) / comp[i][1], `layer ${i}`).toBeLessThan(0.05);
        expect(l.dram.ifmapReads).toBe(det[i][12]);
        expect(l.dram.filterReads).toBe(det[i][15]);
      });
    });
  }
  it('8x16_user_os_example_conv stem layer: total cycles within 5 %', () => {
    const report = run('example_conv.csv', join(FIX, 'example_8x16_user_bw4.cfg'), 'os');
    const comp = rows('8x16_user_os_example_conv_COMPUTE_REPORT.csv');
    expect(Math.abs(report.layers[0].totalCycles - comp[0][1]) / comp[0][1]).toBeLessThan(0.05);
  });
});

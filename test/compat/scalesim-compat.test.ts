/**
 * `systolab simulate --compat scalesim` against SCALE-Sim v2's own DETAILED_ACCESS and BANDWIDTH reports
 * (test/fixtures/scalesim/expected), end to end through the bundled CLI: SRAM counts per operand and CALC-mode DRAM
 * read counts identical, CALC ifmap/filter DRAM bandwidth to 1e-9; USER-mode stall-inclusive total cycles within 5 %
 * and DRAM read counts identical on every sample. In process (compat/scalesim/memory.ts): USER-mode stall cycles, DRAM
 * reads and ofmap writes, and CALC-mode ofmap writes, identical to SCALE-Sim's on every layer.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scalesimCalcOfmap, scalesimUser } from '../../sim/compat/scalesim/memory.js';
import type { ScalesimConv, GemmShape } from '../../sim/compat/scalesim/streams.js';

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
        expect([l.sramWords.ifmapReads, l.sramWords.filterReads, l.sramWords.ofmapWrites], `layer ${i} SRAM`).toEqual([det[i][3], det[i][6], det[i][9]]);
        expect([l.dramWords.ifmapReads, l.dramWords.filterReads], `layer ${i} DRAM`).toEqual([det[i][12], det[i][15]]);
        expect(Math.abs(l.bandwidthWordsPerCycle.ifmap - bw[i][4]) / bw[i][4]).toBeLessThan(1e-9);
        expect(Math.abs(l.bandwidthWordsPerCycle.filter - bw[i][5]) / bw[i][5]).toBeLessThan(1e-9);
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
        report.layers.forEach((l: any, i: number) => expect([l.sramWords.ifmapReads, l.sramWords.filterReads, l.sramWords.ofmapWrites]).toEqual([det[i][3], det[i][6], det[i][9]]));
        expect(report.warnings.join(' ')).not.toMatch(/not modelled yet/);
      });
    }
    for (const t of ['conv', 'dw']) {
      const name = `8x16_user_${df}_example_${t}`;
      it(`${name}: stall-inclusive total cycles within 5 %, DRAM reads in whole lines identical`, () => {
        const report = run(`example_${t}.csv`, join(FIX, 'example_8x16_user_bw4.cfg'), df);
        const comp = rows(`${name}_COMPUTE_REPORT.csv`), det = rows(`${name}_DETAILED_ACCESS_REPORT.csv`);
        expect(report.layers).toHaveLength(comp.length);
        report.layers.forEach((l: any, i: number) => {
          expect(Math.abs(l.totalCycles - comp[i][1]) / comp[i][1], `layer ${i}: ${l.totalCycles} vs ${comp[i][1]}`).toBeLessThan(0.05);
          expect([l.dramWords.ifmapReads, l.dramWords.filterReads], `layer ${i} DRAM`).toEqual([det[i][12], det[i][15]]);
        });
      });
    }
  }
});

/** SCALE-Sim's layers of a topology file (a `DP` layer expands into one single-channel layer per channel). */
function layers(topo: string): { shape: GemmShape; geom?: ScalesimConv }[] {
  const lines = readFileSync(join(FIX, topo), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map((x) => x.trim()));
  return lines.flatMap(([name, ...v]) => {
    const x = v.filter((y) => y !== '').map(Number);
    if (x.length === 3) return [{ shape: { m: x[0], n: x[1], k: x[2] } }];
    const [h, w, r, s, c, f, stride] = x;
    const p = Math.floor((h - r) / stride) + 1, q = Math.floor((w - s) / stride) + 1;
    const one = (ch: number, filters: number) => ({ shape: { m: p * q, k: r * s * ch, n: filters }, geom: { h, w, c: ch, r, s, stride, q } });
    return /_DP_/.test(name) ? Array.from({ length: c }, () => one(1, 1)) : [one(c, f)];
  });
}

describe('in process: SCALE-Sim\'s USER-mode stalls and DRAM traffic, and its CALC-mode ofmap writes, exactly', () => {
  const words = { ifmap: 8192, filter: 8192, ofmap: 4096 };
  for (const df of ['os', 'ws', 'is'] as const) {
    for (const t of ['conv', 'dw']) {
      const name = `8x16_user_${df}_example_${t}`;
      it(`${name}: stall cycles, DRAM ifmap/filter reads and ofmap writes identical`, () => {
        const comp = rows(`${name}_COMPUTE_REPORT.csv`), det = rows(`${name}_DETAILED_ACCESS_REPORT.csv`);
        const ls = layers(`example_${t}.csv`);
        expect(ls).toHaveLength(comp.length);
        ls.forEach(({ shape, geom }, i) => {
          const u = scalesimUser(shape, df, 8, 16, words, 4, geom);
          expect([u.stallCycles, u.ifmapReads, u.filterReads, u.ofmapWrites], `layer ${i}`).toEqual([comp[i][2], det[i][12], det[i][15], det[i][18]]);
        });
      });
    }
  }
  const calc: [string, string, number, number][] = [];
  for (const df of ['os', 'ws', 'is']) {
    for (const t of ['conv', 'gemm']) calc.push([`${df}_example_${t}`, `example_${t}.csv`, 16, 16 * 1024]);
    for (const t of ['conv', 'dw']) calc.push([`8x16_calc_${df}_example_${t}`, `example_${t}.csv`, 8, 4096]);
  }
  for (const [name, topo, arrayRows, ofmapWords] of calc) {
    it(`${name}: CALC ofmap DRAM writes identical, no stalls`, () => {
      const df = name.replace(/^(8x16_calc_)?/, '').slice(0, 2) as 'os' | 'ws' | 'is';
      const comp = rows(`${name}_COMPUTE_REPORT.csv`), det = rows(`${name}_DETAILED_ACCESS_REPORT.csv`);
      layers(topo).forEach(({ shape, geom }, i) => {
        const o = scalesimCalcOfmap(shape, df, arrayRows, 16, ofmapWords, geom);
        expect([o.stallCycles, o.writes], `layer ${i}`).toEqual([comp[i][2], det[i][18]]);
      });
    });
  }
});

/**
 * Energy, area and analysis: a hand-worked 4×4 GEMM on a 2×2 array priced from the table in the test; properties
 * (finite, non-negative, additive over ops); the 45 nm SRAM cross-check against Horowitz; every shipped figure has a
 * source; bad user tables are errors naming the entry.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadHwConfig, resolveMachine } from '../../sim/load/hw.js';
import { parseHwConfig, withOverrides } from '../../sim/arch/parse.js';
import type { HwConfig, Precision } from '../../sim/arch/types.js';
import { SimError } from '../../sim/base/errors.js';
import { sramFigures } from '../../sim/energy/cacti.js';
import { readCactiCsv } from '../../sim/load/energy-table.js';
import { type SimulateOptions, simulateGraph } from '../../sim/run/pipeline.js';
import type { LayerGraph } from '../../sim/ir/types.js';

import type { GemmCost } from '../../sim/run/cost-report.js';
import { costToCsv, costToText } from '../../sim/report/cost-table.js';
import { graphOf } from '../lower/helpers.js';

/** The pipeline on a graph and a config, its energy table loaded. */
const simulate = (g: LayerGraph, hw: HwConfig, o: SimulateOptions) => simulateGraph(g, resolveMachine(hw), o);

const TECH = join(process.cwd(), 'hw-configs', 'tech');
const run = (g: Parameters<typeof simulate>[0], hw: HwConfig, mode: 'inference' | 'training' = 'inference') => simulate(g, hw, { mode, compat: 'none', version: 'test' });
const hw2x2 = (extra: Record<string, unknown> = {}): HwConfig => parseHwConfig({
  name: 'hand', clockMhz: 500, array: { rows: 2, cols: 2, dataflow: 'os' }, numerics: { input: 'int8', accumulatorBits: 32 },
  sram: { ifmapKib: 64, filterKib: 64, ofmapKib: 32, doubleBuffered: true }, dram: { bytesPerCycle: 8, bandwidthMode: 'user', type: 'LPDDR4' },
  energy: { table: '45nm', leakage: 'lstp' }, ...extra,
});

describe('hand-worked: one 4×4×4 GEMM on a 2×2 os array, int8, 45 nm, LPDDR4', () => {
  it('the report equals counts × the table, computed here', () => {
    const g = graphOf({ x: [4, 4] }, [{ name: 'd', kind: 'dense', units: 4, bias: false }]);
    const r = run(g, hw2x2());
    expect(r.layers).toHaveLength(1);
    const l = r.layers[0] as GemmCost;
    // Timing and memory (sim/timing: gemm-timing.ts, gemm-memory.ts): 4 folds × (4 + 2 + 2 − 2) cycles, + 2 stall cycles (first fill of
    // 8 B and last drain of 4 B at 8 B/cycle); operands fit on chip, read from DRAM once.
    expect([l.macs, l.computeCycles, l.totalCycles]).toEqual([64, 24, 26]);
    expect(l.sramWords).toEqual({ ifmapReads: 32, ifmapWrites: 16, filterReads: 32, filterWrites: 16, ofmapReads: 16, ofmapWrites: 16 });
    expect(l.dramWords).toEqual({ ifmapReads: 16, filterReads: 16, ofmapReads: 0, ofmapWrites: 16 });

    const t = (parseYaml(readFileSync(join(TECH, '45nm.yaml'), 'utf8')) as { entries: Record<string, { value: number }> }).entries;
    const v = (k: string) => t[k].value;
    const rows = readCactiCsv(join(TECH, 'cacti-sram-45nm.csv')).filter((x) => x.variant === 'B_lstp');
    const cacti = (bytes: number, bits: number) => rows.find((x) => x.capacityBytes === bytes && x.widthBits === bits)!;
    const ifm = cacti(32 * 1024, 8), ofm = cacti(16 * 1024, 32), ref = cacti(64 * 1024, 64);   // double buffered: half-size banks
    const mac = 64 * (v('mult.int8') + v('add.int32'));
    // os: operand registers read per MAC (8 + 8 + 32 bits), accumulator written per MAC, a and b forwarded per MAC,
    // 16 outputs drained once.
    const registers = 64 * 48 * v('register.readPerBit') + 64 * 32 * v('register.writePerBit') + (64 * 8 + 64 * 8 + 16 * 32) * v('interPe.movePerBit');
    const sramIfmap = 32 * ifm.readPj + 16 * ifm.writePj, sramFilter = sramIfmap, sramOfmap = 16 * ofm.readPj + 16 * ofm.writePj;
    const dram = (16 * 8 + 16 * 8 + 16 * 8) * v('dram.LPDDR4.perBit');
    const peUm2 = v('areaUm2.mult.int8') + v('areaUm2.add.int32') + 48 * v('areaUm2.registerPerBit');
    const laneUm2 = v('areaUm2.mult.int8') + v('areaUm2.add.int8') + 16 * v('areaUm2.registerPerBit');
    const logicMm2 = (4 * peUm2 + 2 * laneUm2) / 1e6;
    const leakMw = 2 * (2 * ifm.leakMw + ofm.leakMw) + logicMm2 * (ref.leakMw / ref.areaMm2);
    const leakage = 26 * leakMw * 1e9 / 500e6;
    const total = mac + registers + sramIfmap + sramFilter + sramOfmap + dram + leakage;
    const b = l.energy.byComponent;
    expect(b.mac).toBeCloseTo(mac, 9);
    expect(b.registers).toBeCloseTo(registers, 9);
    expect(b.sramIfmap).toBeCloseTo(sramIfmap, 9);
    expect(b.sramFilter).toBeCloseTo(sramFilter, 9);
    expect(b.sramOfmap).toBeCloseTo(sramOfmap, 9);
    expect(b.dram).toBeCloseTo(dram, 9);
    expect(b.vectorUnit).toBe(0);
    expect(b.leakage).toBeCloseTo(leakage, 9);
    expect(l.energy.total).toBeCloseTo(total, 9);
    expect(l.energy.unit).toBe('pJ');
    expect(r.totals.energy.total).toBeCloseTo(total, 9);
    expect(r.totals.areaMm2).toBeCloseTo(logicMm2 + 2 * (2 * ifm.areaMm2 + ofm.areaMm2), 12);
    // Floor: MACs × E_mac + compulsory DRAM bits (16 + 16 + 16 int8 elements) × E_dram.
    expect(l.energy.floor).toBeCloseTo(mac + 48 * 8 * v('dram.LPDDR4.perBit'), 9);
    expect(l.energy.topsPerWatt).toBeCloseTo(128 / total, 12);
    expect(r.totals.edpJs).toBeCloseTo(total * 1e-12 * 26 / 500e6, 30);
    // Roofline: 64 MACs over 48 DRAM bytes; 8 B/cycle × 4/3 = 10.7 MACs/cycle > 4 peak → compute-bound.
    expect(l.roofline).toEqual({ arithmeticIntensityMacsPerByte: 64 / 48, peakMacsPerCycle: 4, attainableMacsPerCycle: 4, achievedMacsPerCycle: 64 / 26, bound: 'compute' });
  });
});

const precisions: Precision[] = ['int8', 'int16', 'fp16', 'bf16', 'fp32'];
describe('properties', () => {
  it('energy is finite, non-negative and additive over ops; components add up; utilization-loss split adds up', () => {
    fc.assert(fc.property(
      fc.record({
        batch: fc.integer({ min: 1, max: 40 }), inF: fc.integer({ min: 1, max: 90 }), hid: fc.integer({ min: 1, max: 90 }), out: fc.integer({ min: 1, max: 30 }),
        rows: fc.integer({ min: 1, max: 40 }), cols: fc.integer({ min: 1, max: 40 }), df: fc.constantFrom('os', 'ws', 'is'),
        p: fc.constantFrom(...precisions), table: fc.constantFrom('45nm', '32nm', '22nm', 'eyeriss-normalized'), leakage: fc.constantFrom('hp', 'lstp'),
        kib: fc.integer({ min: 1, max: 8192 }), training: fc.boolean(), mode: fc.constantFrom('calc', 'user'),
      }),
      (c) => {
        const g = graphOf({ x: [c.batch, c.inF] }, [{ name: 'd1', kind: 'dense', units: c.hid }, { name: 'a', kind: 'relu' }, { name: 'd2', kind: 'dense', units: c.out }, { name: 's', kind: 'softmax' }]);
        const hw = withOverrides(hw2x2({ sram: { ifmapKib: c.kib, filterKib: c.kib, ofmapKib: c.kib }, dram: { bytesPerCycle: 4, bandwidthMode: c.mode, type: 'DDR3' }, energy: { table: c.table, leakage: c.leakage } }),
          { rows: c.rows, cols: c.cols, dataflow: c.df, precision: c.p });
        const r = run(g, hw, c.training ? 'training' : 'inference');
        const unit = c.table === 'eyeriss-normalized' ? 'normalized' : 'pJ';
        let sum = 0;
        for (const l of r.layers) {
          const e = l.energy;
          for (const x of [...Object.values(e.byComponent), ...Object.values(e.byOperand), e.total, e.floor]) {
            expect(Number.isFinite(x)).toBe(true);
            expect(x).toBeGreaterThanOrEqual(0);
          }
          expect(Object.values(e.byComponent).reduce((s, x) => s + x, 0)).toBeCloseTo(e.total, 6);
          expect(e.unit).toBe(unit);
          sum += e.total;
        }
        // A training spill's DRAM energy, and in USER mode the leakage of the cycles it stalls (priced per cycle as the
        // layers leak: their leakage over their cycles).
        const stallCycles = r.training ? r.training.spillStallCycles.forward + r.training.spillStallCycles.backward : 0;
        const leak = r.layers.find((l) => l.totalCycles > 0)!;
        const spill = r.training
          ? r.training.spillDramBytes * 8 * (c.table === 'eyeriss-normalized' ? 12.5 : 70) + stallCycles * (leak.energy.byComponent.leakage / leak.totalCycles)
          : 0;
        if (c.mode === 'calc') expect(stallCycles).toBe(0);
        expect(r.totals.energy.unit).toBe(unit);
        expect(r.totals.energy.total).toBeCloseTo(sum + spill, 3);
        expect(r.totals.energy.total).toBeGreaterThanOrEqual(r.totals.energy.floor * (1 - 1e-12));
        expect(r.totals.areaMm2).toBeGreaterThan(0);
        const u = r.totals.utilizationLoss!;
        expect(u.unmappedPes + u.fillAndDrain + u.stalls + u.vectorUnit).toBeCloseTo(1 - r.totals.overallUtilization, 9);
        if (c.training) {
          const passes = Object.values(r.totals.byPass!);
          expect(passes.reduce((s, p) => s + p!.totalCycles, 0) + stallCycles).toBe(r.totals.totalCycles);   // spill stalls are in no pass
          expect(passes.reduce((s, p) => s + p!.energy.total, 0) + spill).toBeCloseTo(r.totals.energy.total, 3);
        }
      },
    ), { numRuns: 60 });
  });
});

describe('tables', () => {
  it('45 nm, 64-bit SRAM reads are within 2× of Horowitz (8 KB 10 pJ, 32 KB 20 pJ, 1 MB 100 pJ), both flavours', () => {
    const rows = readCactiCsv(join(TECH, 'cacti-sram-45nm.csv'));
    for (const variant of ['A_hp', 'B_lstp']) {
      for (const [bytes, pj] of [[8 * 1024, 10], [32 * 1024, 20], [1024 * 1024, 100]]) {
        const ratio = sramFigures(rows, variant, bytes, 64).readPj / pj;
        expect(ratio).toBeGreaterThan(0.5);
        expect(ratio).toBeLessThan(2);
      }
    }
  });
  it('interpolation is log-log between neighbours and exact on the table points', () => {
    const rows = readCactiCsv(join(TECH, 'cacti-sram-45nm.csv')).filter((x) => x.variant === 'B_lstp');
    const at = (kib: number, bits: number) => rows.find((x) => x.capacityBytes === kib * 1024 && x.widthBits === bits)!;
    expect(sramFigures(rows, 'B_lstp', 64 * 1024, 32).readPj).toBeCloseTo(at(64, 32).readPj, 12);
    expect(sramFigures(rows, 'B_lstp', Math.sqrt(64 * 128) * 1024, 32).readPj).toBeCloseTo(Math.sqrt(at(64, 32).readPj * at(128, 32).readPj), 9);
    expect(sramFigures(rows, 'B_lstp', 64 * 1024, 16).readPj).toBeCloseTo(at(64, 8).readPj * (at(64, 32).readPj / at(64, 8).readPj) ** 0.5, 9);
  });
  it('every figure in every shipped table has a source; derived ones state their rule; the defaults are the design figures', () => {
    const files = readdirSync(TECH).filter((f) => f.endsWith('.yaml'));
    expect(files.sort()).toEqual(['22nm.yaml', '32nm.yaml', '45nm.yaml', 'eyeriss-normalized.yaml']);
    for (const f of files) {
      const doc = parseYaml(readFileSync(join(TECH, f), 'utf8')) as { entries: Record<string, { value: unknown; source?: unknown; estimated?: unknown }> };
      for (const [k, e] of Object.entries(doc.entries)) {
        expect(typeof e.source, `${f}: ${k}`).toBe('string');
        expect((e.source as string).length, `${f}: ${k}`).toBeGreaterThan(5);
        if (f !== '45nm.yaml' && f !== 'eyeriss-normalized.yaml' && !k.startsWith('dram.')) expect(typeof e.estimated, `${f}: ${k} is scaled`).toBe('string');
      }
    }
    const t45 = (parseYaml(readFileSync(join(TECH, '45nm.yaml'), 'utf8')) as { entries: Record<string, { value: number }> }).entries;
    const design = { 'add.int8': 0.03, 'add.int16': 0.05, 'add.int32': 0.1, 'mult.int8': 0.2, 'mult.int32': 3.1, 'add.fp16': 0.4, 'mult.fp16': 1.1, 'add.fp32': 0.9, 'mult.fp32': 3.7, 'dram.LPDDR4.perBit': 8, 'dram.LPDDR.perBit': 40, 'dram.DDR3.perBit': 70, 'dram.GDDR5.perBit': 14, 'dram.HBM2.perBit': 3.9, 'dram.HMC.perBit': 4.2 };
    for (const [k, x] of Object.entries(design)) expect(t45[k].value, k).toBe(x);
    const eyeriss = (parseYaml(readFileSync(join(TECH, 'eyeriss-normalized.yaml'), 'utf8')) as { entries: Record<string, { value: number }> }).entries;
    expect([eyeriss['mac.int16'].value, eyeriss['register.readPerBit'].value * 16, eyeriss['interPe.movePerBit'].value * 16, eyeriss['sram.readPerWord'].value, eyeriss['dram.any.perBit'].value * 16]).toEqual([1, 1, 2, 6, 200]);
  });
  it('a normalized table gives energies in MAC units (a MAC = 1), labelled so, not pJ', () => {
    const g = graphOf({ x: [4, 4] }, [{ name: 'd', kind: 'dense', units: 4, bias: false }]);
    const r = run(g, hw2x2({ energy: { table: 'eyeriss-normalized' } }));
    expect(r.totals.edpJs).toBeUndefined();
    expect(r.layers[0].energy.unit).toBe('normalized');
    expect(r.totals.energy.unit).toBe('normalized');
    expect(r.layers[0].energy.byComponent.mac).toBe(64);
    expect(r.totals.energy.total).toBeGreaterThan(64);
    expect(r.totals.areaMm2).toBeGreaterThan(0);
  });
});

describe('bad user tables', () => {
  const dir = mkdtempSync(join(tmpdir(), 'systolab-energy-'));
  const base = parseYaml(readFileSync(join(TECH, '45nm.yaml'), 'utf8')) as { entries: Record<string, unknown>; sram: { cactiCsv: string } };
  const write = (name: string, mutate: (d: typeof base) => void) => {
    const d = structuredClone(base);
    d.sram.cactiCsv = join(TECH, 'cacti-sram-45nm.csv');
    mutate(d);
    const f = join(dir, name);
    writeFileSync(f, JSON.stringify(d));
    return f;
  };
  const g = graphOf({ x: [4, 4] }, [{ name: 'd', kind: 'dense', units: 4 }]);
  const fails = (file: string): SimError => {
    try { run(g, hw2x2({ energy: { table: file } })); } catch (e) { return e as SimError; }
    throw new Error('no error');
  };
  it('a user table file works', () => {
    const f = write('ok.json', () => {});
    expect(run(g, hw2x2({ energy: { table: f } })).totals.energy.total).toBeCloseTo(run(g, hw2x2()).totals.energy.total, 9);
  });
  it('a missing entry names it', () => {
    const e = fails(write('missing.json', (d) => { delete d.entries['mult.int8']; }));
    expect(e).toBeInstanceOf(SimError);
    expect(e.message).toContain('mult.int8');
    expect(e.message).toContain('missing.json');
  });
  it('a negative energy names the entry', () => {
    const e = fails(write('negative.json', (d) => { d.entries['dram.LPDDR4.perBit'] = { value: -1, source: 'me' }; }));
    expect(e).toBeInstanceOf(SimError);
    expect(e.message).toContain('entries.dram.LPDDR4.perBit.value');
    expect(e.message).toMatch(/negative/);
  });
  it('an entry without a source is an error', () => {
    const e = fails(write('nosource.json', (d) => { d.entries['add.int8'] = { value: 0.03 }; }));
    expect(e.message).toContain('entries.add.int8.source');
  });
  it('a hardware config names its table relative to its own folder; unknown names and flavours are errors', () => {
    write('rel.json', () => {});
    const cfg = join(dir, 'hw.yaml');
    writeFileSync(cfg, 'array: { rows: 2, cols: 2, dataflow: os }\nenergy: { table: rel.json, leakage: hp }\n');
    expect(loadHwConfig(cfg).energy).toEqual({ table: join(dir, 'rel.json'), leakage: 'hp' });
    expect(() => run(g, hw2x2({ energy: { table: 'nosuchnode' } }))).toThrow(/nosuchnode/);
    expect(() => hw2x2({ energy: { leakage: 'low' } })).toThrow(/energy.leakage/);
  });
});

describe('report', () => {
  it('the table has an energy column and the breakdown; CSV carries energy, roofline and a totals row with the area', () => {
    const g = graphOf({ x: [1, 3, 8, 8] }, [{ name: 'c', kind: 'conv2d', filters: 4, kernel: 3 }, { name: 'a', kind: 'relu' }]);
    const r = run(g, loadHwConfig('edge-16x16'));
    const text = costToText(r);
    expect(text).toContain('energy (nJ)');
    expect(text).toMatch(/TOPS\/W/);
    expect(text).toMatch(/Area [\d.]+ mm²/);
    expect(text).toMatch(/Energy floor/);
    const csv = costToCsv(r).trim().split('\n');
    const head = csv[0].split(',');
    for (const c of ['energy.total', 'energy.byComponent.dram', 'energy.floor', 'roofline.bound', 'areaMm2']) expect(head).toContain(c);
    const last = csv[csv.length - 1].split(',');
    expect(last[0]).toBe('total');
    expect(Number(last[head.indexOf('areaMm2')])).toBeCloseTo(r.totals.areaMm2, 9);
    expect(Number(last[head.indexOf('energy.total')])).toBeCloseTo(r.totals.energy.total, 3);
  });
});

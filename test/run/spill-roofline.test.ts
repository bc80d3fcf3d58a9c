/**
 * A training spill costs time when the DRAM bandwidth is enforced (USER mode), and the roofline invariant: with the
 * bandwidth enforced, no entry and no run does more MACs per cycle than the roofline allows (run/totals.ts
 * checkRoofline, which a corrupted report must trip).
 */
import fc from 'fast-check';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../sim/api/simulate.js';
import { SimError } from '../../sim/base/errors.js';
import { roofline } from '../../sim/energy/analysis.js';
import type { CostReport, LayerCost } from '../../sim/run/cost-report.js';
import { checkRoofline, spillStallCycles } from '../../sim/run/totals.js';
import { loadHwConfig } from '../../sim/load/hw.js';
import { ROOT, systolab } from '../helpers/cli.js';

const TINY = join(ROOT, 'models', 'tiny-cnn.yaml');
// tiny-cnn training at batch 32 keeps ~50 KB of activations: 0.25 KiB SRAMs spill nearly all of it.
const SPILL = { model: TINY, hw: 'edge-16x16', mode: 'training' as const, batch: 32, sramKib: 0.25, dramBytesPerCycle: 2 };
const sum = (r: CostReport, f: (l: LayerCost) => number) => r.layers.reduce((s, l) => s + f(l), 0);

describe('training spill in USER mode', () => {
  const user = simulate({ ...SPILL, bandwidthMode: 'user' });
  const calc = simulate({ ...SPILL, bandwidthMode: 'calc' });

  it('costs stall cycles, counted in the totals and in the stall share of the lost PE-cycles', () => {
    const t = user.training!;
    expect(t.spillBytes).toBeGreaterThan(0);
    const spill = t.spillStallCycles.forward + t.spillStallCycles.backward;
    expect(t.spillStallCycles.forward).toBeGreaterThan(0);
    expect(t.spillStallCycles.backward).toBeGreaterThan(0);
    expect(user.totals.totalCycles).toBe(sum(user, (l) => l.totalCycles) + spill);
    expect(user.totals.stallCycles).toBe(sum(user, (l) => l.stallCycles) + spill);
    const u = user.totals.utilizationLoss!;
    expect(u.unmappedPes + u.fillAndDrain + u.stalls + u.vectorUnit + user.totals.overallUtilization).toBeCloseTo(1, 12);
  });

  it('keeps achieved ≤ attainable (the DRAM cannot move the run\'s bytes faster than bytesPerCycle)', () => {
    const rl = user.totals.roofline;
    expect(rl.achievedMacsPerCycle).toBeLessThanOrEqual(rl.attainableMacsPerCycle);
    expect(user.totals.totalCycles).toBeGreaterThanOrEqual((user.totals.dramReadBytes + user.totals.dramWriteBytes) / SPILL.dramBytesPerCycle);
  });

  it('in CALC mode costs energy, not cycles', () => {
    expect(calc.training!.spillStallCycles).toEqual({ forward: 0, backward: 0 });
    expect(calc.totals.totalCycles).toBe(sum(calc, (l) => l.totalCycles));
    expect(calc.totals.dramReadBytes).toBe(user.totals.dramReadBytes);
  });

  it('the table says what the spill costs and where the cycles are', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'systolab-spill-'));
    const args = ['simulate', '--model', TINY, '--hw', 'edge-16x16', '--mode', 'training', '--batch', '32', '--sram-kib', '0.25', '--dram-bytes-per-cycle', '2', '--no-charts'];
    const r = systolab([...args, '--bandwidth-mode', 'user'], tmp);
    expect(r.code, r.err).toBe(0);
    const s = user.training!.spillStallCycles;
    expect(r.out).toContain(`at 2 B/cycle that adds ${(s.forward + s.backward).toLocaleString('en-US')} stall cycles`);
    expect(r.out).toMatch(/counted in the total but in no layer or by-pass row/);
    expect(systolab([...args, '--bandwidth-mode', 'calc'], tmp).out).toMatch(/CALC mode: that traffic costs energy, not cycles/);
  });
});

describe('spillStallCycles', () => {
  const hw = loadHwConfig('edge-16x16');
  const entry = (pass: LayerCost['pass'], totalCycles: number, bytes: number) =>
    ({ kind: 'gemm', pass, totalCycles, dramReadBytes: bytes, dramWriteBytes: 0 }) as unknown as LayerCost;
  const layers = fc.array(fc.record({
    pass: fc.constantFrom<LayerCost['pass']>('forward', 'backwardData', 'backwardWeight', 'update'),
    cycles: fc.integer({ min: 1, max: 1e6 }), bytesPerCycle: fc.double({ min: 0, max: 1, noNaN: true }),
  }), { maxLength: 12 });

  it('each window takes at least (its bytes + the spill) ÷ bandwidth; more spill never fewer stalls', () => {
    fc.assert(fc.property(layers, fc.integer({ min: 0, max: 1e8 }), fc.integer({ min: 1, max: 64 }), fc.boolean(), (ls, spill, bw, doubleBuffered) => {
      const h = { ...hw, sram: { ...hw.sram, doubleBuffered }, dram: { ...hw.dram, bandwidthMode: 'user' as const, bytesPerCycle: bw } };
      // An entry never moves more bytes than its cycles allow (the GEMM memory model's own guarantee).
      const entries = ls.map((l) => entry(l.pass, l.cycles, Math.floor(l.cycles * bw * l.bytesPerCycle)));
      const s = spillStallCycles(entries, spill, h);
      for (const [w, passes] of [['forward', ['forward']], ['backward', ['backwardData', 'backwardWeight']]] as const) {
        const inW = entries.filter((l) => (passes as readonly string[]).includes(l.pass));
        const cycles = inW.reduce((a, l) => a + l.totalCycles, 0), bytes = inW.reduce((a, l) => a + (l as { dramReadBytes: number }).dramReadBytes, 0);
        expect(cycles + s[w]).toBeGreaterThanOrEqual((bytes + spill) / bw);
        if (!doubleBuffered) expect(s[w]).toBe(Math.ceil(spill / bw));
      }
      const more = spillStallCycles(entries, spill + 1000, h);
      expect(more.forward).toBeGreaterThanOrEqual(s.forward);
      expect(more.backward).toBeGreaterThanOrEqual(s.backward);
      expect(spillStallCycles(entries, spill, { ...h, dram: { ...h.dram, bandwidthMode: 'calc' } })).toEqual({ forward: 0, backward: 0 });
    }));
  });
});

describe('checkRoofline (mutation: corrupted reports trip it)', () => {
  const user = simulate({ ...SPILL, bandwidthMode: 'user' });
  const internal = (f: () => void) => {
    try { f(); } catch (e) { return e instanceof SimError ? e.code : 'not a SimError'; }
    return 'no error';
  };

  it('passes the reports the simulator makes', () => {
    expect(internal(() => checkRoofline(user))).toBe('no error');
  });

  it('trips on the old bug: the spill\'s traffic counted but its cycles left out', () => {
    const s = user.training!.spillStallCycles, cycles = user.totals.totalCycles - s.forward - s.backward;
    const t = user.totals;
    const corrupted = { ...user, totals: { ...t, totalCycles: cycles, roofline: roofline(t.macs, t.dramReadBytes + t.dramWriteBytes, cycles, t.roofline.peakMacsPerCycle, SPILL.dramBytesPerCycle) } };
    expect(internal(() => checkRoofline(corrupted))).toBe('internal');
  });

  it('trips on an entry above its roof, and says which', () => {
    const i = user.layers.findIndex((l) => l.kind === 'gemm');
    const l = user.layers[i] as Extract<LayerCost, { kind: 'gemm' }>;
    const layers = user.layers.map((x, j) => (j === i ? { ...l, roofline: { ...l.roofline, achievedMacsPerCycle: l.roofline.attainableMacsPerCycle * 1.01 } } : x));
    expect(() => checkRoofline({ ...user, layers })).toThrow(new RegExp(`layers\\[${l.id.replace(/\./g, '\\.')}\\]\\.roofline`));
  });

  it('does not apply in CALC mode, which does not enforce the bandwidth', () => {
    const t = user.totals;
    const above = { ...t, roofline: { ...t.roofline, achievedMacsPerCycle: t.roofline.attainableMacsPerCycle * 2 } };
    expect(internal(() => checkRoofline({ ...user, hw: { ...user.hw, dram: { ...user.hw.dram, bandwidthMode: 'calc' } }, totals: above }))).toBe('no error');
  });

  it('--compat scalesim in USER mode is not held to it (SCALE-Sim stalls only on late prefetches), and the table says so', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'systolab-roof-'));
    const fix = join(ROOT, 'test', 'fixtures', 'scalesim');
    const r = systolab(['simulate', '--model', join(fix, 'example_conv.csv'), '--hw', join(fix, 'example_8x16_user_bw4.cfg'), '--compat', 'scalesim', '--no-charts'], tmp);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/above the roof because SCALE-Sim's USER mode stalls only on late prefetches/);
  });
});

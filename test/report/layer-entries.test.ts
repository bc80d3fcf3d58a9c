/**
 * Per-layer chart rows (sim/report/charts/layer-entries.ts): folding a report's ops by (layer, pass) and keeping the
 * top N per pass with the rest summed conserve energy, cycles and PE-cycles per pass; at most N + 1 rows per pass;
 * the kept rows are the costliest. Properties over random entry lists, and a mutation that drops the summed row.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Pass } from '../../sim/lower/types.js';
import type { LayerCost } from '../../sim/run/cost-report.js';
import { type LayerPassRow, type PassRows, PASS_ORDER, energyOf, foldByLayer, gemmPeCyclesOf, restLabel, topPerPass } from '../../sim/report/charts/layer-entries.js';

const COMPONENTS = ['mac', 'registers', 'sramIfmap', 'sramFilter', 'sramOfmap', 'dram', 'vectorUnit', 'leakage'] as const;

/** A random op: the fields the folding reads. */
const entry = fc.record({
  name: fc.constantFrom('conv1', 'conv2', 'relu1', 'fc', 'bn', 'pool', 'conv3', 'dw'),
  pass: fc.constantFrom<Pass>(...PASS_ORDER),
  gemm: fc.boolean(),
  cycles: fc.integer({ min: 1, max: 1e6 }),
  energy: fc.array(fc.integer({ min: 0, max: 1e9 }), { minLength: 8, maxLength: 8 }),
  util: fc.double({ min: 0, max: 1, noNaN: true }),
}).map(({ name, pass, gemm, cycles, energy, util }) => ({
  name, id: `${name}.${pass}${gemm ? '' : '.bias'}`, pass, kind: gemm ? 'gemm' : 'vector', totalCycles: cycles,
  energy: { byComponent: Object.fromEntries(COMPONENTS.map((c, i) => [c, energy[i]])) },
  overallUtilization: util, utilizationLoss: { unmappedPes: (1 - util) / 2, fillAndDrain: (1 - util) / 2, stalls: 0 },
}) as unknown as LayerCost);
const entries = fc.array(entry, { minLength: 1, maxLength: 80 });
const top = fc.integer({ min: 1, max: 10 });

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const entryEnergy = (l: LayerCost) => sum(Object.values(l.energy.byComponent));

/** The conservation law: per pass, the rows hold the entries' energy, cycles and (GEMM) PE-cycles. */
function conserves(ls: readonly LayerCost[], passes: readonly PassRows[]): boolean {
  return PASS_ORDER.every((pass) => {
    const mine = ls.filter((l) => l.pass === pass);
    const rows = passes.find((p) => p.pass === pass)?.rows ?? [];
    const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
    const pe = sum(mine.filter((l) => l.kind === 'gemm').map((l) => l.totalCycles));
    return close(sum(rows.map(energyOf)), sum(mine.map(entryEnergy))) && close(sum(rows.map((r) => r.totalCycles)), sum(mine.map((l) => l.totalCycles)))
      && close(sum(rows.map(gemmPeCyclesOf)), pe);
  });
}

describe('foldByLayer + topPerPass', () => {
  it('conserve energy, cycles and PE-cycles per pass (property)', () => {
    fc.assert(fc.property(entries, top, (ls, n) => conserves(ls, topPerPass(foldByLayer(ls), energyOf, n))));
  });
  it('one row per (layer, pass) before the cut; at most N + 1 rows per pass after; the kept rows are the costliest (property)', () => {
    fc.assert(fc.property(entries, top, (ls, n) => {
      const rows = foldByLayer(ls);
      const keys = new Set(ls.map((l) => `${l.pass}/${l.name}`));
      if (rows.length !== keys.size) return false;
      return topPerPass(rows, energyOf, n).every((p) => {
        const kept = p.rows.filter((r) => r.layers === 1), summed = p.rows.filter((r) => r.layers > 1);
        const all = rows.filter((r) => r.pass === p.pass);
        const dropped = all.filter((r) => !kept.includes(r));
        return p.rows.length <= n + 1 && summed.length <= 1 && p.layerCount === all.length
          && (summed.length === 0 || summed[0].layer === restLabel(dropped.length))
          && dropped.every((d) => kept.every((k) => energyOf(k) >= energyOf(d)));
      });
    }));
  });
  it('passes come in execution order of the training step, and a single leftover layer is not summed', () => {
    const ls = ['a', 'b', 'c'].flatMap((name, i) => (['update', 'forward'] as const).map((pass) => ({
      name, id: `${name}.${pass}`, pass, kind: 'vector', totalCycles: 1, energy: { byComponent: { ...Object.fromEntries(COMPONENTS.map((c) => [c, 0])), mac: i + 1 } },
    }) as unknown as LayerCost));
    const passes = topPerPass(foldByLayer(ls), energyOf, 2);
    expect(passes.map((p) => p.pass)).toEqual(['forward', 'update']);
    expect(passes[0].rows.map((r: LayerPassRow) => r.layer)).toEqual(['c', 'b', 'a']);
  });
  it('mutation: dropping the summed row breaks conservation', () => {
    const dropRest = (ls: readonly LayerCost[], n: number) =>
      topPerPass(foldByLayer(ls), energyOf, n).map((p) => ({ ...p, rows: p.rows.filter((r) => r.layers === 1) }));
    expect(fc.check(fc.property(entries, top, (ls, n) => conserves(ls, dropRest(ls, n)))).failed).toBe(true);
  });
});

/**
 * area.pe: yosys — the synthesized PE area — and the µm²-per-transistor constant behind it, refitted here with the
 * pinned @yowasp/yosys (a dependency: these tests need no apt package).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseHwConfig } from '../../sim/arch/parse.js';
import { simulate } from '../../sim/api/simulate.js';
import { fitAreaPerTransistor, withSynthesizedPe } from '../../sim/eda/pe-area.js';
import { loadEnergyTable } from '../../sim/load/energy-table.js';
import { costToText } from '../../sim/report/cost-table.js';
import { errorOf } from '../helpers/errors.js';

const table45 = loadEnergyTable('45nm');
const K = table45.entries['areaUm2.perTransistor'].value;
const REG = table45.entries['areaUm2.registerPerBit'].value;

const hwDoc = (extra: Record<string, unknown> = {}, numerics: Record<string, unknown> = {}) => ({
  schemaVersion: 1, name: 'area-test', array: { rows: 8, cols: 4, dataflow: 'ws' },
  numerics: { input: 'int8', weight: 'int8', accumulatorBits: 32, ...numerics }, sram: { ifmapKib: 16, filterKib: 16, ofmapKib: 16 }, ...extra,
});

describe('area.pe: yosys', () => {
  it('the shipped areaUm2.perTransistor is what the fit gives (and the fit moves when a table area does)', async () => {
    const fit = await fitAreaPerTransistor(table45);
    expect(fit.tool).toMatch(/@yowasp\/yosys/);
    expect(fit.points.map((p) => p.entry)).toEqual(['areaUm2.add.int8', 'areaUm2.add.int16', 'areaUm2.add.int32', 'areaUm2.mult.int8', 'areaUm2.mult.int32']);
    expect(Math.abs(K / fit.um2PerTransistor - 1)).toBeLessThan(0.001);
    // The geometric mean: the log errors sum to zero.
    expect(Math.abs(fit.points.reduce((s, p) => s + Math.log(p.fittedUm2 / p.tableUm2), 0))).toBeLessThan(1e-9);
    // The documented spread (the 45 nm table's source text and docs/rtl.md): each point within −25 % … +35 %.
    for (const p of fit.points) expect(p.relativeError).toBeGreaterThan(-0.26), expect(p.relativeError).toBeLessThan(0.36);
    const e = table45.entries['areaUm2.mult.int8'];
    const moved = await fitAreaPerTransistor({ ...table45, entries: { ...table45.entries, 'areaUm2.mult.int8': { ...e, value: 4 * e.value } } });
    expect(Math.abs(K / moved.um2PerTransistor - 1)).toBeGreaterThan(0.05);
  }, 120_000);

  it('simulate charges rows·cols × transistors × the constant, and says where the figure comes from', () => {
    const dir = mkdtempSync(join(tmpdir(), 'systolab-area-'));
    writeFileSync(join(dir, 'hw.json'), JSON.stringify(hwDoc({ area: { pe: 'yosys' } })));
    const r = simulate({ model: 'lenet-digits', hw: join(dir, 'hw.json') });
    const s = r.hw.area?.synthesized;
    expect(s?.tool).toMatch(/@yowasp\/yosys/);
    expect(s!.flipFlops).toBeGreaterThan(2 * 8 + 32); // both operands and the accumulator at least
    expect(r.totals.areaMm2ByComponent.array).toBeCloseTo((8 * 4 * (s!.transistors * K + s!.flipFlops * REG)) / 1e6, 12);
    expect(costToText(r)).toContain(`${s!.transistors} logic transistors (stat -tech cmos)`);
    // The table's figure for the same PE differs: the option changes the number.
    writeFileSync(join(dir, 'table.json'), JSON.stringify(hwDoc()));
    const t = simulate({ model: 'lenet-digits', hw: join(dir, 'table.json') });
    expect(t.totals.areaMm2ByComponent.array).not.toBeCloseTo(r.totals.areaMm2ByComponent.array, 6);
    expect(costToText(t)).toContain('µm² per PE from the energy table');
    // Narrower operands, fewer transistors (a law of the generated PE).
    const int4 = withSynthesizedPe(parseHwConfig(hwDoc({ area: { pe: 'yosys' } }, { input: 'int4', weight: 'int4', accumulatorBits: 16 })));
    expect(int4.area!.synthesized!.transistors).toBeLessThan(s!.transistors);
  }, 120_000);

  it('a given area.synthesized is used as is (a report\'s hw block re-reads without Yosys)', () => {
    const hw = parseHwConfig(hwDoc({ area: { pe: 'yosys', synthesized: { transistors: 1000, flipFlops: 50, tool: 'hand' } } }));
    expect(withSynthesizedPe(hw)).toBe(hw);
    const dir = mkdtempSync(join(tmpdir(), 'systolab-area-'));
    writeFileSync(join(dir, 'hw.json'), JSON.stringify(hwDoc({ area: { pe: 'yosys', synthesized: { transistors: 1000, flipFlops: 50, tool: 'hand' } } })));
    const r = simulate({ model: 'lenet-digits', hw: join(dir, 'hw.json') });
    expect(r.totals.areaMm2ByComponent.array).toBeCloseTo((32 * (1000 * K + 50 * REG)) / 1e6, 12);
    expect(parseHwConfig(r.hw)).toEqual(r.hw);
  });

  it('bad area sections exit 2 naming the field', () => {
    expect(errorOf(() => parseHwConfig(hwDoc({ area: { pe: 'gates' } })))).toMatchObject({ code: 'badValue', path: 'area.pe' });
    expect(errorOf(() => parseHwConfig(hwDoc({ area: { pe: 'table', synthesized: { transistors: 5, flipFlops: 1, tool: 'x' } } })))).toMatchObject({ code: 'badValue', path: 'area.synthesized' });
    expect(errorOf(() => parseHwConfig(hwDoc({ area: { pe: 'yosys', synthesized: { transistors: 0, flipFlops: 1, tool: 'x' } } })))).toMatchObject({ path: 'area.synthesized.transistors' });
    expect(errorOf(() => parseHwConfig(hwDoc({ area: { pe: 'yosys', synthesized: { transistors: 9, tool: 'x' } } })))).toMatchObject({ code: 'missingField', path: 'area.synthesized.flipFlops' });
    expect(errorOf(() => parseHwConfig(hwDoc({ area: { pe: 'yosys', cells: 3 } })))).toMatchObject({ code: 'unknownField' });
    expect(errorOf(() => withSynthesizedPe(parseHwConfig(hwDoc({ area: { pe: 'yosys' } }, { input: 'fp16', weight: 'fp16' }))))).toMatchObject({ code: 'unsupported', path: 'area.pe' });
  });
});

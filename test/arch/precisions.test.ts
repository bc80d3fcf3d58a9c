/**
 * One list of precision names (arch/types.ts PRECISIONS) for every command: simulate, sweep, check and train accept
 * the same intN / float names, and reject the same others. Widths an energy table lacks are scaled, and said so.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseHwConfig, withOverrides } from '../../sim/arch/parse.js';
import { PRECISION_BITS, PRECISIONS, type Precision } from '../../sim/arch/types.js';
import { unitPrices } from '../../sim/energy/price.js';
import { parseFormat } from '../../sim/fixed/format.js';
import { quantizer, simulatePrecision } from '../../sim/fixed/quantizer.js';
import { loadHwConfig, resolveMachine } from '../../sim/load/hw.js';
import { parseSweepSpec } from '../../sim/sweep/spec.js';
import { packedBytes } from '../../sim/timing/gemm-memory.js';
import { ROOT, systolab } from '../helpers/cli.js';

const base = loadHwConfig('edge-16x16');
const accepts = {
  simulate: (p: string) => withOverrides(base, { precision: p }).numerics.input === p,
  sweep: (p: string) => parseSweepSpec({ models: ['tiny-cnn'], precisions: p }).precisions?.[0] === p,
  config: (p: string) => parseHwConfig({ name: 'x', array: { rows: 2, cols: 2, dataflow: 'os' }, numerics: { input: p } }).numerics.input === p,
  check: (p: string) => parseFormat(p).name === p,
  train: (p: string) => quantizer(p, '--precision').name === p,
};
const ok = (f: (p: string) => boolean, p: string) => { try { return f(p); } catch { return false; } };
// Candidate names: signed and unsigned integers of 0–40 bits, fixed point and the float names anyone might type.
const CANDIDATES = [
  ...Array.from({ length: 41 }, (_, b) => `int${b}`), ...Array.from({ length: 41 }, (_, b) => `uint${b}`),
  'q4.12', 'q1.7', 'fp8', 'fp16', 'bf16', 'fp32', 'fp64', 'float', 'INT8',
];

describe('one list of precision names', () => {
  it('the signed-integer and float names check and train accept are exactly PRECISIONS; simulate, sweep and configs accept exactly PRECISIONS', () => {
    const fixedNames = (f: (p: string) => boolean) => CANDIDATES.filter((p) => ok(f, p) && (/^int\d+$/.test(p) || ['fp16', 'bf16', 'fp32'].includes(p)));
    expect(fixedNames(accepts.check)).toEqual([...PRECISIONS]);
    expect(fixedNames(accepts.train)).toEqual([...PRECISIONS]);
    for (const cmd of ['simulate', 'sweep', 'config'] as const) expect(CANDIDATES.filter((p) => ok(accepts[cmd], p)), cmd).toEqual([...PRECISIONS]);
    expect(PRECISIONS).toContain('int4');
  });

  it('train times a run at the width it trained with (the simulate command it prints)', () => {
    for (const p of PRECISIONS) {
      const all = { weight: p, activation: p, error: p, gradient: p, master: 'fp32' };
      expect(simulatePrecision(all)).toBe(p);
    }
    expect(simulatePrecision({ weight: 'q4.12', activation: 'q4.12', error: 'q4.12', gradient: 'q4.12', master: 'fp32' })).toBe('int16');
  });

  it('packed bytes: whole bytes per element for byte widths, two int4 to a byte, a partial byte counted whole', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e9 }), fc.constantFrom(...PRECISIONS), (words, p) => {
      const bits = PRECISION_BITS[p as Precision], bytes = packedBytes(words, bits);
      if (bits % 8 === 0) expect(bytes).toBe((words * bits) / 8);
      expect(bytes * 8).toBeGreaterThanOrEqual(words * bits);
      expect(bytes * 8 - words * bits).toBeLessThan(8);
    }));
  });

  it('a width the energy table lacks is scaled from the nearest one it has, with a note; int8/16/32 must be there', () => {
    const m = resolveMachine(base);
    const e = (k: string) => m.energyTable.entries[k].value;
    const p4 = unitPrices(m.energyTable, withOverrides(base, { precision: 'int4' }), 'lstp');
    const p8 = unitPrices(m.energyTable, base, 'lstp');
    expect(p4.mac - p8.mac).toBeCloseTo(e('mult.int8') * (4 / 8) ** 2 - e('mult.int8'), 12); // same 32-bit accumulator adder
    expect(p4.vectorOp).toBeCloseTo(e('vector.int8') / 2, 12);
    expect(p4.notes.join('\n')).toMatch(/mult\.int4 is not in energy table 45nm: scaled from mult\.int8 ∝ bits²/);
    expect(unitPrices(m.energyTable, withOverrides(base, { precision: 'int12' }), 'lstp').notes.join('\n')).toMatch(/mult\.int12 .* scaled from mult\.int8/);
    expect(p8.notes.join('\n')).not.toMatch(/scaled from/);
    const noInts = { ...m.energyTable, entries: Object.fromEntries(Object.entries(m.energyTable.entries).filter(([k]) => !/^mult\.int/.test(k))) };
    expect(() => unitPrices(noInts, withOverrides(base, { precision: 'int4' }), 'lstp')).toThrow(/mult\.int4: is missing from the energy table/);
    const no8 = { ...m.energyTable, entries: Object.fromEntries(Object.entries(m.energyTable.entries).filter(([k]) => k !== 'mult.int8')) };
    expect(() => unitPrices(no8, base, 'lstp')).toThrow(/mult\.int8: is missing from the energy table/);
    expect(unitPrices(no8, withOverrides(base, { precision: 'int4' }), 'lstp').notes.join('\n')).toMatch(/scaled from mult\.int16/);
  });
});

describe('--precision int4 on every command (bundled CLI)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'systolab-int4-'));
  it('train, then the simulate command train prints; check; sweep', () => {
    const t = systolab(['train', '--model', 'playground-mlp', '--dataset', 'spiral', '--epochs', '1', '--precision', 'int4'], tmp);
    expect(t.code, t.err).toBe(0);
    const cmd = /systolab (simulate .*--precision int4.*)$/m.exec(t.out);
    expect(cmd, t.out).not.toBeNull();
    const s = systolab([...cmd![1].trim().split(/\s+/), '--format', 'json'], tmp);
    expect(s.code, s.err).toBe(0);
    expect(JSON.parse(s.out).hw.numerics.input).toBe('int4');
    const c = systolab(['check', '--model', join(ROOT, 'models', 'trained', 'iris-mlp.json'), '--precision', 'int4', '--format', 'json'], tmp);
    expect(c.code === 0 || c.code === 1, c.err).toBe(true); // 1: a threshold not met, still a run at int4
    expect(JSON.parse(c.out).precision).toBe('int4');
    const w = systolab(['sweep', '--model', 'tiny-cnn', '--precision', 'int4,int8', '--jobs', '1', '--out', join(tmp, 'sweep')], tmp);
    expect(w.code, w.err).toBe(0);
    expect(w.out).toMatch(/int4/);
  }, 60_000);
});

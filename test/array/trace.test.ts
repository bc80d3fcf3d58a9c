/** The teaching trace: limits, snapshot count, and `systolab simulate --trace` end to end (the bundled bin). */
import { systolab } from '../helpers/cli.js';
import { describe, expect, it } from 'vitest';
import { traceGemm } from '../../sim/array/trace.js';
import { formatTrace } from '../../sim/report/trace-text.js';
import { timeGemm } from '../../sim/timing/gemm-timing.js';


describe('traceGemm', () => {
  const g = (m: number, k: number, n: number) => ({ m, k, n, a: new Float64Array(m * k).fill(1), b: new Float64Array(k * n).fill(2) });

  it('one snapshot per cycle; text names every cycle', () => {
    const shape = { rows: 3, cols: 2, dataflow: 'is' as const, macPipelineCycles: 2 };
    const t = traceGemm(g(3, 4, 5), shape, { kind: 'float' });
    expect(t.cycles).toHaveLength(timeGemm(3, 4, 5, shape).computeCycles);
    expect(t.cycles.map((c) => c.cycle)).toEqual(t.cycles.map((_, i) => i));
    const text = formatTrace(t);
    expect(text).toContain(`cycle ${t.cycles.length - 1} `);
    expect(text).toContain('partial sum');
  });

  it('refuses more than 64 PEs or 200 cycles, saying what to do', () => {
    expect(() => traceGemm(g(2, 2, 2), { rows: 9, cols: 8, dataflow: 'os', macPipelineCycles: 1 }, { kind: 'float' })).toThrow(/at most 64 PEs.*--array 2x2/);
    expect(() => traceGemm(g(40, 40, 40), { rows: 2, cols: 2, dataflow: 'os', macPipelineCycles: 1 }, { kind: 'float' })).toThrow(/at most 200 cycles; this GEMM takes \d+/);
  });
});

describe('systolab simulate --trace', () => {
  it('prints the grid cycle by cycle and checks the result against a plain GEMM', () => {
    const r = systolab(['simulate', '--trace', '2x3x2', '--array', '2x2', '--dataflow', 'os', '--seed', '3']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('cycle 4 ');
    expect(r.out).toMatch(/matches the plain GEMM; 5 cycles \(fast timing model: 5\), 12 MACs/);
  });

  it('--format json gives the snapshots, the result and the check', () => {
    const r = systolab(['simulate', '--trace', '3x2x4', '--array', '2x2', '--dataflow', 'ws', '--mac-pipeline-cycles', '2', '--format', 'json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.matchesPlainGemm).toBe(true);
    expect(j.c).toEqual(j.plainGemm);
    expect(j.computeCycles).toBe(j.timingModelCycles);
    expect(j.cycles).toHaveLength(j.computeCycles);
    expect(j.cycles[0]).toHaveProperty('acc');
  });

  it('bad input: one line, exit 2', () => {
    const big = systolab(['simulate', '--trace', '2x2x2']);
    expect(big.code).toBe(2);
    expect(big.err).toMatch(/at most 64 PEs/);
    const bad = systolab(['simulate', '--trace', '2x2', '--array', '2x2']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--trace: must be MxKxN/);
  });
});

/**
 * Default-mode memory model invariants as fast-check properties: DRAM traffic ≥ compulsory traffic; more SRAM never
 * increases DRAM traffic; unlimited bandwidth gives zero stalls; counts past 2^53 are an error; the split into
 * traffic (SRAM sizes) and stalls (DRAM) gives gemmMemory's numbers, and the traffic does not read the DRAM.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadHwConfig } from '../../sim/load/hw.js';
import { withOverrides } from '../../sim/arch/parse.js';
import type { Dataflow, HwConfig } from '../../sim/arch/types.js';
import { dramStallCycles, gemmMemory, gemmTraffic } from '../../sim/timing/gemm-memory.js';
import { timeGemm } from '../../sim/timing/gemm-timing.js';

const base = loadHwConfig('scalesim-32x32');
const hwOf = (df: Dataflow, rows: number, cols: number, kib: number, mode: 'calc' | 'user', bytesPerCycle = 10): HwConfig => {
  const h = withOverrides(base, { rows, cols, dataflow: df });
  return { ...h, sram: { ...h.sram, ifmapKib: kib, filterKib: kib, ofmapKib: kib }, dram: { ...h.dram, bandwidthMode: mode, bytesPerCycle } };
};
const gemm = fc.record({
  m: fc.integer({ min: 1, max: 3000 }), k: fc.integer({ min: 1, max: 3000 }), n: fc.integer({ min: 1, max: 1000 }),
  reuse: fc.double({ min: 0.05, max: 1, noNaN: true }),
});
const opOf = (g: { m: number; k: number; n: number; reuse: number }) => ({
  m: g.m, k: g.k, n: g.n,
  operands: {
    a: { tensor: 'x', uniqueElements: Math.max(1, Math.floor(g.m * g.k * g.reuse)) },
    b: { tensor: 'w', uniqueElements: g.k * g.n },
    c: { tensor: 'y', uniqueElements: g.m * g.n },
  },
});
const df = fc.constantFrom<Dataflow>('os', 'ws', 'is');
const dim = fc.constantFrom(4, 8, 16, 32, 128);

describe('default memory model', () => {
  it('DRAM traffic ≥ compulsory traffic; SRAM reads ≥ DRAM reads', () => {
    fc.assert(fc.property(gemm, df, dim, dim, fc.integer({ min: 1, max: 512 }), (g, d, r, c, kib) => {
      const op = opOf(g);
      const mem = gemmMemory(op, hwOf(d, r, c, kib, 'user'), timeGemm(g.m, g.k, g.n, { rows: r, cols: c, dataflow: d, macPipelineCycles: 1 }).computeCycles);
      expect(mem.dram.ifmapReads).toBeGreaterThanOrEqual(op.operands.a.uniqueElements);
      expect(mem.dram.filterReads).toBeGreaterThanOrEqual(op.operands.b.uniqueElements);
      expect(mem.dram.ofmapWrites).toBeGreaterThanOrEqual(op.operands.c.uniqueElements);
      expect(mem.sram.ifmapReads).toBeGreaterThanOrEqual(mem.dram.ifmapReads);
      expect(mem.sram.filterReads).toBeGreaterThanOrEqual(mem.dram.filterReads);
    }), { numRuns: 300 });
  });

  it('more SRAM never increases DRAM traffic', () => {
    fc.assert(fc.property(gemm, df, dim, dim, fc.integer({ min: 1, max: 256 }), fc.integer({ min: 0, max: 256 }), (g, d, r, c, kib, more) => {
      const op = opOf(g);
      const cycles = timeGemm(g.m, g.k, g.n, { rows: r, cols: c, dataflow: d, macPipelineCycles: 1 }).computeCycles;
      const small = gemmMemory(op, hwOf(d, r, c, kib, 'user'), cycles), big = gemmMemory(op, hwOf(d, r, c, kib + more, 'user'), cycles);
      expect(big.dramReadBytes).toBeLessThanOrEqual(small.dramReadBytes);
      expect(big.dramWriteBytes).toBeLessThanOrEqual(small.dramWriteBytes);
    }), { numRuns: 300 });
  });

  it('unlimited bandwidth (and no latency) gives zero stalls; CALC mode never stalls', () => {
    fc.assert(fc.property(gemm, df, dim, dim, fc.integer({ min: 1, max: 256 }), (g, d, r, c, kib) => {
      const cycles = timeGemm(g.m, g.k, g.n, { rows: r, cols: c, dataflow: d, macPipelineCycles: 1 }).computeCycles;
      expect(gemmMemory(opOf(g), hwOf(d, r, c, kib, 'user', Infinity), cycles).stallCycles).toBe(0);
      expect(gemmMemory(opOf(g), hwOf(d, r, c, kib, 'calc'), cycles).stallCycles).toBe(0);
    }), { numRuns: 200 });
  });

  it('a starved interface stalls: stalls ≥ DRAM transfer time − compute time', () => {
    const op = opOf({ m: 1024, k: 1024, n: 1024, reuse: 1 });
    const cycles = timeGemm(1024, 1024, 1024, { rows: 16, cols: 16, dataflow: 'ws', macPipelineCycles: 1 }).computeCycles;
    const mem = gemmMemory(op, hwOf('ws', 16, 16, 8, 'user', 0.5), cycles);
    expect(mem.stallCycles).toBeGreaterThanOrEqual(Math.ceil((mem.dramReadBytes + mem.dramWriteBytes) / 0.5) - cycles);
  });

  it('gemmTraffic + dramStallCycles = gemmMemory, and the traffic is the same at every bandwidth and mode', () => {
    const bandwidth = fc.constantFrom(0.5, 3, 16, 1000, Infinity);
    fc.assert(fc.property(gemm, df, dim, dim, fc.integer({ min: 1, max: 256 }), bandwidth, bandwidth, fc.boolean(), fc.constantFrom(0, 90), (g, d, r, c, kib, bw1, bw2, single, latency) => {
      const op = opOf(g);
      const cycles = timeGemm(g.m, g.k, g.n, { rows: r, cols: c, dataflow: d, macPipelineCycles: 1 }).computeCycles;
      const at = (bw: number, mode: 'calc' | 'user') => {
        const h = hwOf(d, r, c, kib, mode, bw);
        return { ...h, sram: { ...h.sram, doubleBuffered: !single }, dram: { ...h.dram, latencyCycles: latency } };
      };
      for (const hw of [at(bw1, 'user'), at(bw2, 'calc')]) {
        const mem = gemmMemory(op, hw, cycles);
        const { firstFillBytes, lastDrainBytes, ...traffic } = gemmTraffic(op, at(bw2, 'user'), cycles);
        expect({ ...traffic, stallCycles: mem.stallCycles }).toEqual(mem);
        expect(dramStallCycles(hw, cycles, { ...traffic, firstFillBytes, lastDrainBytes })).toBe(mem.stallCycles);
        expect(firstFillBytes).toBeLessThanOrEqual(traffic.dramReadBytes);
        expect(lastDrainBytes).toBeLessThanOrEqual(traffic.dramWriteBytes);
      }
    }), { numRuns: 300 });
  });

  it('counts past 2^53 are an error, never a wrong number', () => {
    const huge = 2 ** 27;
    const op = opOf({ m: huge, k: huge, n: 4, reuse: 1 });
    expect(() => gemmMemory(op, hwOf('os', 4, 4, 1, 'user'), 1)).toThrow(/2\^53/);
  });
});

describe('sram.activationsOnChip (TPU v1\'s Unified Buffer)', () => {
  it('an input and a result that fit the ifmap SRAM never touch DRAM; weights still do; what does not fit is unchanged', () => {
    fc.assert(fc.property(
      fc.constantFrom('os', 'ws', 'is'), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 300 }), fc.constantFrom(1, 16, 256),
      (df, m, k, n, kib) => {
        const base = hwOf(df as Dataflow, 16, 16, kib, 'user');
        const on: HwConfig = { ...base, sram: { ...base.sram, activationsOnChip: true } };
        const op = { m, k, n, operands: { a: { tensor: 'a', uniqueElements: m * k }, b: { tensor: 'b', uniqueElements: k * n }, c: { tensor: 'c', uniqueElements: m * n } } };
        const off = gemmTraffic(op, base, 1000), t = gemmTraffic(op, on, 1000);
        const capWords = Math.floor((kib * 1024 * 8 * 0.5) / 8); // int8 activations, double buffered
        if (m * k + m * n <= capWords) {
          expect(t.dram.ifmapReads).toBe(0);
          expect(t.dram.ofmapWrites).toBe(off.dram.ofmapWrites - m * n); // partial-sum spills, if any, still go out
          expect(t.dram.filterReads).toBe(off.dram.filterReads);
          expect(t.dramReadBytes).toBeLessThan(off.dramReadBytes + 1);
        } else {
          expect(t).toEqual(off);
        }
      }), { numRuns: 300 });
  });
});

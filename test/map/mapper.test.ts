/**
 * `simulate --mapper search`: the fold loop order as a mapping choice. Row folds outer is checked against an
 * independent law (an os GEMM with row folds outer is its transpose with column folds outer), the search is never
 * worse than the fixed mapping, and the fixed mapping's report is untouched.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseHwConfig } from '../../sim/arch/parse.js';
import type { HwConfig } from '../../sim/arch/types.js';
import { simulate } from '../../sim/api/simulate.js';
import { mapGemm } from '../../sim/map/mapping.js';
import { costToText } from '../../sim/report/cost-table.js';
import type { GemmCost } from '../../sim/run/cost-report.js';
import { chunksForPartialSums, gemmTraffic } from '../../sim/timing/gemm-memory.js';
import { timeMapping } from '../../sim/timing/gemm-timing.js';
import { errorOf } from '../helpers/errors.js';

const hwOf = (rows: number, cols: number, dataflow: string, ifmapKib: number, filterKib: number, ofmapKib: number): HwConfig => parseHwConfig({
  schemaVersion: 1, name: 't', array: { rows, cols, dataflow }, numerics: { input: 'int8', weight: 'int8', accumulatorBits: 32 },
  sram: { ifmapKib, filterKib, ofmapKib },
});

describe('fold loop order', () => {
  it('os with row folds outer = the transposed GEMM with column folds outer (operands and array swapped)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 300 }),
      fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 16 }),
      fc.constantFrom(0.25, 1, 4, 16), fc.constantFrom(0.25, 1, 4, 16), fc.constantFrom(1, 64),
      (m, k, n, rows, cols, aKib, bKib, cKib) => {
        const op = { m, k, n, operands: { a: { tensor: 'a', uniqueElements: m * k }, b: { tensor: 'b', uniqueElements: k * n }, c: { tensor: 'c', uniqueElements: m * n } } };
        const opT = { m: n, k, n: m, operands: { a: { tensor: 'b', uniqueElements: k * n }, b: { tensor: 'a', uniqueElements: m * k }, c: { tensor: 'c', uniqueElements: m * n } } };
        const hw = hwOf(rows, cols, 'os', aKib, bKib, cKib), hwT = hwOf(cols, rows, 'os', bKib, aKib, cKib);
        const t = gemmTraffic(op, hw, 1, mapGemm(m, k, n, hw.array, 'rowsOuter'));
        const u = gemmTraffic(opT, hwT, 1, mapGemm(n, k, m, hwT.array, 'colsOuter'));
        expect([t.dram.ifmapReads, t.dram.filterReads, t.dram.ofmapWrites]).toEqual([u.dram.filterReads, u.dram.ifmapReads, u.dram.ofmapWrites]);
        expect([t.sram.ifmapReads, t.sram.filterReads]).toEqual([u.sram.filterReads, u.sram.ifmapReads]);
        // The order moves traffic only: folds and SRAM reads are the fixed mapping's.
        const f = mapGemm(m, k, n, hw.array);
        const r = mapGemm(m, k, n, hw.array, 'rowsOuter');
        expect([r.folds, r.operands.ifmap.sramReadsWords, r.operands.filter.sramReadsWords]).toEqual([f.folds, f.operands.ifmap.sramReadsWords, f.operands.filter.sramReadsWords]);
      }), { numRuns: 400 });
  });

  it('ws/is partial sums: row folds outer keep every output open, so they stay on chip only when all m·n fit', () => {
    // ws: k on the rows (4 row folds of 64 on 16 rows), n on the columns, m streamed. One column fold's partial sums:
    // 16·512 words; all of them: 512·64 words. A 64 KiB ofmap SRAM (double buffered: 8,192 int32 words) holds the
    // first, not the second.
    const [m, k, n] = [512, 64, 64];
    const op = { m, k, n, operands: { a: { tensor: 'a', uniqueElements: m * k }, b: { tensor: 'b', uniqueElements: k * n }, c: { tensor: 'c', uniqueElements: m * n } } };
    const hw = hwOf(16, 16, 'ws', 64, 64, 64);
    const cols = gemmTraffic(op, hw, 1, mapGemm(m, k, n, hw.array, 'colsOuter'));
    const rows = gemmTraffic(op, hw, 1, mapGemm(m, k, n, hw.array, 'rowsOuter'));
    expect([cols.tiling.partialSumsOnChip, cols.dram.ofmapReads]).toEqual([true, 0]);
    expect([rows.tiling.partialSumsOnChip, rows.dram.ofmapReads, rows.dram.ofmapWrites]).toEqual([false, 3 * m * n, 4 * m * n]);
    const big = hwOf(16, 16, 'ws', 64, 64, 512);
    expect(gemmTraffic(op, big, 1, mapGemm(m, k, n, big.array, 'rowsOuter')).tiling.partialSumsOnChip).toBe(true);
  });

  it('the fixed mapping (no --mapper) reports no mapping field and the same numbers as --mapper fixed', () => {
    const a = simulate({ model: 'lenet-digits' }), b = simulate({ model: 'lenet-digits', mapper: 'fixed' });
    expect(a).toEqual(b);
    expect(a.layers.some((l) => 'mapping' in l)).toBe(false);
  });
});

describe('simulate --mapper search', () => {
  it('never worse than the fixed mapping on any ResNet-18 layer, for every dataflow and objective; fold orders leave compute cycles unchanged, chunks add fold overheads', () => {
    for (const dataflow of ['os', 'ws', 'is'] as const) {
      for (const [sramKib, objective] of [[16, 'edp'], [64, 'energy'], [256, 'latency']] as const) {
        const req = { model: 'resnet18', array: '16x16', dataflow, sramKib: String(sramKib) };
        const fixed = simulate(req), searched = simulate({ ...req, mapper: 'search', objective });
        const score = (l: GemmCost) => (objective === 'latency' ? l.totalCycles : objective === 'energy' ? l.energy.total : l.energy.total * l.totalCycles);
        searched.layers.forEach((l, i) => {
          if (l.kind !== 'gemm') return;
          const f = fixed.layers[i] as GemmCost;
          expect(l.mapping).toMatchObject({ objective });
          expect(l.mapping!.candidates).toBe(dataflow === 'os' ? 2 : l.mapping!.candidates); // os never chunks
          expect([2, 3]).toContain(l.mapping!.candidates);
          expect(score(l), `${dataflow} ${l.id}`).toBeLessThanOrEqual(score(f));
          const chunks = l.mapping!.chunks ?? 1;
          if (chunks === 1) expect(l.computeCycles).toBe(f.computeCycles);
          else expect(l.computeCycles).toBeGreaterThan(f.computeCycles); // every chunk pays each fold's fill and drain
          if (l.mapping!.foldOrder === 'colsOuter' && chunks === 1) expect(l.dramReadBytes).toBe(f.dramReadBytes);
        });
      }
    }
  });

  it('it changes something somewhere: os conv1 of ResNet-18 on 32×32 with 32 KiB SRAMs runs row folds outer, halving the ifmap re-reads', () => {
    const fixed = simulate({ model: 'resnet18', sramKib: '32' }), searched = simulate({ model: 'resnet18', sramKib: '32', mapper: 'search' });
    const f = fixed.layers.find((l) => l.id === 'conv1.forward') as GemmCost, s = searched.layers.find((l) => l.id === 'conv1.forward') as GemmCost;
    expect(s.mapping?.foldOrder).toBe('rowsOuter');
    expect(s.dramWords.ifmapReads * 2).toBe(f.dramWords.ifmapReads);
    expect(searched.totals.energy.total).toBeLessThan(fixed.totals.energy.total);
  });

  it('bad requests: the mapper is for the default cost model', () => {
    expect(errorOf(() => simulate({ model: 'lenet-digits', compat: 'scalesim', mapper: 'search' }))).toMatchObject({ path: '--mapper' });
    expect(errorOf(() => simulate({ model: 'lenet-digits', mapper: 'best' as 'search' }))).toMatchObject({ path: '--mapper' });
  });
});

describe('chunks of the streamed dim (ws, is)', () => {
  const opOf = (m: number, k: number, n: number) => ({ m, k, n, operands: { a: { tensor: 'a', uniqueElements: m * k }, b: { tensor: 'b', uniqueElements: k * n }, c: { tensor: 'c', uniqueElements: m * n } } });
  it('a GEMM in c chunks = c GEMMs of one chunk each, in cycles and SRAM reads (the stationary operand loaded once per chunk)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 16 }), fc.constantFrom('ws', 'is'),
      (per, k, other, chunks, rows, cols, df) => {
        // The streamed dim (ws: m, is: n) is chunks × per long, so every chunk is `per`.
        const [m, n] = df === 'ws' ? [per * chunks, other] : [other, per * chunks];
        const [mc, nc] = df === 'ws' ? [per, other] : [other, per];
        const hw = hwOf(rows, cols, df, 64, 64, 64);
        const whole = mapGemm(m, k, n, hw.array, 'colsOuter', chunks), part = mapGemm(mc, k, nc, hw.array);
        expect(timeMapping(whole, hw.array).computeCycles).toBe(chunks * timeMapping(part, hw.array).computeCycles);
        const t = gemmTraffic(opOf(m, k, n), hw, 1, whole), tp = gemmTraffic(opOf(mc, k, nc), hw, 1, part);
        expect(t.sram.ifmapReads).toBe(chunks * tp.sram.ifmapReads);
        expect(t.sram.filterReads).toBe(chunks * tp.sram.filterReads);
        expect(t.sram.ofmapWrites).toBe(chunks * tp.sram.ofmapWrites);
      }), { numRuns: 300 });
  });

  it('keeps partial sums on chip where the unchunked GEMM spills them; os and row folds outer take no chunks', () => {
    const hw = hwOf(16, 16, 'ws', 128, 128, 4); // 4 KiB of 32-bit psums: 1,024 words, 64 rows of 16 columns
    const op = opOf(1000, 64, 16);
    const plain = mapGemm(1000, 64, 16, hw.array);
    const chunks = chunksForPartialSums(plain, hw, 16);
    expect(chunks).toBe(Math.ceil(1000 / 32)); // double buffered: 512 words, 32 rows
    expect(gemmTraffic(op, hw, 1, plain).tiling.partialSumsOnChip).toBe(false);
    expect(gemmTraffic(op, hw, 1, mapGemm(1000, 64, 16, hw.array, 'colsOuter', chunks)).tiling.partialSumsOnChip).toBe(true);
    expect(() => mapGemm(10, 10, 10, { rows: 4, cols: 4, dataflow: 'os' }, 'colsOuter', 2)).toThrow(RangeError);
    expect(() => mapGemm(10, 10, 10, { rows: 4, cols: 4, dataflow: 'ws' }, 'rowsOuter', 2)).toThrow(RangeError);
  });

  it('the mapper uses them: Gemmini on ResNet-50 keeps its partial sums on chip and stalls far less', () => {
    const fixed = simulate({ model: 'resnet50', hw: 'gemmini', batch: 4 });
    const found = simulate({ model: 'resnet50', hw: 'gemmini', batch: 4, mapper: 'search', objective: 'latency' });
    const chunked = found.layers.filter((l): l is GemmCost => l.kind === 'gemm' && (l.mapping?.chunks ?? 1) > 1);
    expect(chunked.length).toBeGreaterThan(0);
    expect(found.totals.totalCycles).toBeLessThan(fixed.totals.totalCycles / 2);
    expect(found.totals.stallCycles).toBeLessThan(fixed.totals.stallCycles / 10);
    // The fixed mapping's report says why, and what to do; the search's has nothing to say.
    expect(costToText(fixed)).toMatch(/Partial sums spill: \d+ GEMM entries .* --mapper search runs such layers in chunks/);
    expect(costToText(found)).not.toContain('Partial sums spill');
  });
});

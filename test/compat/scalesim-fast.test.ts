/**
 * The fast exact methods of compat/scalesim/memory.ts equal the element-by-element emulation (scalesim-oracle.ts) on
 * random small layers: GEMMs and convs (strides 1–4 per axis, SCALE-Sim's ceil overhang, any zero padding, batches),
 * every dataflow, CALC and USER, odd array shapes, SRAM sizes small enough to force block resets and refetches.
 * Every number SCALE-Sim's reports carry is compared: stalls, DRAM counts and windows, SRAM windows and counts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scalesimMemory } from '../../sim/compat/scalesim/memory.js';
import type { ScalesimConv } from '../../sim/compat/scalesim/streams.js';
import { type OracleConfig, type OracleLayer, oracle } from './scalesim-oracle.js';

const conv = fc.record({
  n: fc.constantFrom(1, 1, 1, 2), h: fc.integer({ min: 1, max: 12 }), w: fc.integer({ min: 1, max: 12 }), c: fc.integer({ min: 1, max: 4 }),
  r: fc.integer({ min: 1, max: 5 }), s: fc.integer({ min: 1, max: 5 }), sh: fc.integer({ min: 1, max: 4 }), sw: fc.integer({ min: 1, max: 4 }),
  pad: fc.oneof(fc.constant<'ceil'>('ceil'), fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }))),
  filters: fc.integer({ min: 1, max: 20 }),
}).map((x): OracleLayer | undefined => {
  let p: number, q: number, pt = 0, pl = 0;
  if (x.pad === 'ceil') { // SCALE-Sim's rule: ceil((H − R + s)/s), the last windows hang over the bottom/right edge
    if (x.r > x.h || x.s > x.w) return undefined;
    p = Math.ceil((x.h - x.r + x.sh) / x.sh); q = Math.ceil((x.w - x.s + x.sw) / x.sw);
  } else {
    const [t, b, l, rr] = x.pad;
    pt = t; pl = l;
    p = Math.floor((x.h + t + b - x.r) / x.sh) + 1; q = Math.floor((x.w + l + rr - x.s) / x.sw) + 1;
    if (p < 1 || q < 1) return undefined;
  }
  const geom: ScalesimConv = { n: x.n, h: x.h, w: x.w, c: x.c, r: x.r, s: x.s, strideH: x.sh, strideW: x.sw, padTop: pt, padLeft: pl, p, q };
  return { m: x.n * p * q, k: x.r * x.s * x.c, n: x.filters, geom };
}).filter((l): l is OracleLayer => l !== undefined && l.m * l.k <= 2500);

const gemm = fc.record({ m: fc.integer({ min: 1, max: 40 }), k: fc.integer({ min: 1, max: 40 }), n: fc.integer({ min: 1, max: 24 }) });

const config = fc.record({
  df: fc.constantFrom<'os' | 'ws' | 'is'>('os', 'ws', 'is'),
  rows: fc.integer({ min: 2, max: 8 }), cols: fc.integer({ min: 2, max: 8 }),
  sram: fc.record({ ifmap: fc.integer({ min: 100, max: 3000 }), filter: fc.integer({ min: 100, max: 3000 }), ofmap: fc.integer({ min: 16, max: 600 }) }),
  mode: fc.constantFrom<'calc' | 'user'>('calc', 'user'),
  bw: fc.integer({ min: 1, max: 10 }),
});

function fast(l: OracleLayer, c: OracleConfig) {
  return scalesimMemory({ m: l.m, k: l.k, n: l.n }, c.df, c.rows, c.cols, { sramWords: c.sram, mode: c.mode, bw: c.bw }, l.geom);
}

/**
 * The numbers both give, in one comparable record. SRAM counts are SCALE-Sim's closed forms, which also count the
 * ifmap's −1 entries and add folds·(rows + cols) to the os ofmap: compared only where they equal the valid accesses.
 */
function comparable(r: ReturnType<typeof oracle> | ReturnType<typeof fast>, withIfmapSram: boolean, withOfmapSram: boolean) {
  const w = (x: { startCycle: number; stopCycle: number; words: number }, words = true) => [x.startCycle, x.stopCycle, ...(words ? [x.words] : [])];
  return {
    stalls: r.stallCycles,
    sram: [...w(r.sram.ifmap, withIfmapSram), ...w(r.sram.filter), ...w(r.sram.ofmap, withOfmapSram)],
    dram: [...w(r.dram.ifmap), ...w(r.dram.filter), ...w(r.dram.ofmap)],
  };
}

const noOverhang = (l: OracleLayer) => {
  const g = l.geom;
  if (!g) return true;
  return g.padTop === 0 && g.padLeft === 0 && (g.p - 1) * g.strideH + g.r <= g.h && (g.q - 1) * g.strideW + g.s <= g.w;
};

describe('compat/scalesim fast methods = the element-by-element emulation', () => {
  it('on 500 random layers (GEMM and conv, all dataflows, CALC and USER)', () => {
    const seen = { calcBlockClosed: 0, userRolled: 0, stalled: 0, overhang: 0, padded: 0 };
    fc.assert(fc.property(fc.oneof(conv, conv, gemm), config, (l, c) => {
      const exact = noOverhang(l), os = c.df === 'os';
      const got = fast(l, c);
      expect(comparable(got, exact, !os)).toEqual(comparable(oracle(l, c), exact, !os));
      if (got.dram.ifmap.stopCycle >= 0 || got.dram.filter.stopCycle >= 0) seen[c.mode === 'calc' ? 'calcBlockClosed' : 'userRolled']++;
      if (got.stallCycles > 0) seen.stalled++;
      const g = (l as OracleLayer).geom;
      if (!exact) seen[g && (g.padTop > 0 || g.padLeft > 0) ? 'padded' : 'overhang']++;
    }), { numRuns: 500, seed: 17 });
    // The random layers do reach the regimes that matter: blocks that close, window rolls, stalls, −1 taps.
    for (const [what, count] of Object.entries(seen)) expect(count, what).toBeGreaterThan(25);
  });

  it('on 300 os convs with SRAMs small enough that blocks close inside a fold, often several times', () => {
    let closingFolds = 0, multiClose = 0;
    const small = config.map((c) => ({ ...c, df: 'os' as const, mode: 'calc' as const, sram: { ...c.sram, ifmap: 100 + (c.sram.ifmap % 500) } }));
    fc.assert(fc.property(conv, small, (l, c) => {
      const exact = noOverhang(l);
      const want = oracle(l, c);
      expect(comparable(fast(l, c), exact, false)).toEqual(comparable(want, exact, false));
      const L = l.k + c.rows + c.cols - 2, perFold = new Map<number, number>();
      for (const row of want.ifmapCloseRows) perFold.set(Math.floor(row / L), (perFold.get(Math.floor(row / L)) ?? 0) + 1);
      closingFolds += perFold.size;
      multiClose += [...perFold.values()].filter((x) => x > 1).length;
    }), { numRuns: 300, seed: 23 });
    expect(closingFolds).toBeGreaterThan(300);
    expect(multiClose).toBeGreaterThan(30);
  });

  it('the comparison fails when the oracle is given a slightly different SRAM (the check can fail)', () => {
    let caught = 0;
    fc.assert(fc.property(fc.oneof(conv, gemm), config, (l, c) => {
      const exact = noOverhang(l), os = c.df === 'os';
      const other = { ...c, sram: { ...c.sram, ifmap: c.sram.ifmap + 100, filter: c.sram.filter + 100 } };
      if (JSON.stringify(comparable(fast(l, c), exact, !os)) !== JSON.stringify(comparable(oracle(l, other), exact, !os))) caught++;
    }), { numRuns: 100, seed: 5 });
    expect(caught).toBeGreaterThan(30);
  });
});

/**
 * NCKU Lab 2's analytical model (sim/compat/ncku-lab2/): the handout's stated formulas and examples, the closed forms
 * against a literal walk of its loop nest, and the mapper — pruned enumeration = exhaustive enumeration, best ≤ the
 * lab's hand-picked mapping.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nckuLab2 } from '../../sim/api/map.js';
import { searchMappings } from '../../sim/compat/ncku-lab2/mapper.js';
import { type LabHardware, type LabLayer, type LabMapping, checkMapping, isValid, labCost, ofmapDims } from '../../sim/compat/ncku-lab2/model.js';
import { loadLabConfig } from '../../sim/load/ncku-lab2.js';
import { errorOf } from '../helpers/errors.js';
import { parseLabConfig } from '../../sim/compat/ncku-lab2/config.js';

const cfg = loadLabConfig();
const HW = cfg.hardware;
const conv1 = cfg.layers[0];

/** The handout's loop nest walked literally, counting DMA bytes and PE cycles (not the closed forms). */
function walk(mp: LabMapping, l: LabLayer) {
  const { e: E, f: F } = ofmapDims(l);
  const qr = mp.q * mp.r, pt = mp.p * mp.t;
  let ifmap = 0, filter = 0, bias = 0, ofmap = 0, passes = 0, compute = 0;
  for (let mBase = 0; mBase < l.m; mBase += mp.m) {
    for (let eBase = 0; eBase < E; eBase += mp.e) {
      for (let nBase = 0; nBase < l.n; nBase += mp.n) {
        for (let cBase = 0; cBase < l.c; cBase += qr) {
          ifmap += mp.n * qr * (l.u * (mp.e - 1) + l.r) * l.w; // once per tile: reused across m_tile in the GLB
          for (let mTile = 0; mTile < mp.m; mTile += pt) {
            filter += pt * qr * l.r * l.s;
            if (cBase === 0) bias += pt * 4;
            passes++;
            compute += mp.n * mp.q * mp.p * F * l.s; // the PEs run in parallel: one PE's loops n, q, p, F, S
          }
        }
        ofmap += mp.n * mp.m * mp.e * F;
      }
    }
  }
  return { ifmap, filter, bias, ofmapUnpooled: ofmap, passes, compute };
}

describe('NCKU Lab 2: the handout\'s statements', () => {
  it('the hand-picked mapping (m 16, n 1, e 8, p 4, q 4, r 1, t 2) is valid on all five VGG-8 layers and fills the spads', () => {
    expect(cfg.mapping).toEqual({ m: 16, n: 1, e: 8, p: 4, q: 4, r: 1, t: 2 });
    for (const l of cfg.layers) expect(checkMapping(cfg.mapping, l, HW).filter((c) => !c.ok)).toEqual([]);
    const { p, q, r, t } = cfg.mapping;
    expect([p * q * conv1.s, q * conv1.s, r * t]).toEqual([HW.filterSpad, HW.ifmapSpad, 2]);
  });

  it('"6 × 8 PEs, R = 3, e = 4: r·t = 4, there is no other choice"', () => {
    const base = { m: 16, n: 1, e: 4, p: 4, q: 4 };
    const rt = (r: number, t: number) => checkMapping({ ...base, r, t }, conv1, HW).find((c) => c.name.startsWith('r·t'))!.ok;
    expect([rt(1, 4), rt(2, 2), rt(4, 1), rt(1, 2), rt(2, 4)]).toEqual([true, true, true, false, false]);
  });

  it('conv1\'s ifmap numbers from the handout\'s formulas, by hand: GLB 1,280 B per pass, 20,480 B from DRAM, 40,960 B from the GLB', () => {
    const c = labCost(cfg.mapping, conv1, HW);
    // n·qr·(U(e−1)+R)·W = 1·4·(7+3)·32; DRAM: ⌈64/16⌉·⌈32/8⌉·⌈1/1⌉·⌈3/4⌉ tiles of it; GLB: × ⌈m/pt⌉ = 2.
    expect([c.glbUsage.ifmap, c.dram.ifmapRead, c.glb.ifmapRead]).toEqual([1280, 20480, 40960]);
    expect(c.macs).toBe(32 * 32 * 64 * 3 * 9);
  });
});

describe('NCKU Lab 2: the closed forms = the loop nest walked', () => {
  const layer = fc.record({
    name: fc.constant('x'), n: fc.integer({ min: 1, max: 3 }), c: fc.integer({ min: 1, max: 40 }), h: fc.integer({ min: 3, max: 20 }), w: fc.integer({ min: 3, max: 20 }),
    m: fc.integer({ min: 1, max: 40 }), r: fc.integer({ min: 1, max: 3 }), s: fc.integer({ min: 1, max: 3 }), u: fc.integer({ min: 1, max: 2 }), pad: fc.integer({ min: 0, max: 1 }), maxPool: fc.boolean(),
  });
  const mapping = fc.record({ m: fc.integer({ min: 1, max: 20 }), n: fc.integer({ min: 1, max: 2 }), e: fc.integer({ min: 1, max: 10 }), p: fc.integer({ min: 1, max: 5 }), q: fc.integer({ min: 1, max: 5 }), r: fc.integer({ min: 1, max: 3 }), t: fc.integer({ min: 1, max: 3 }) });
  it('DRAM bytes, passes and PE cycles', () => {
    fc.assert(fc.property(layer, mapping, (l, mp) => {
      const c = labCost(mp, l, HW), w = walk(mp, l);
      const { e: E, f: F } = ofmapDims(l);
      expect([c.dram.ifmapRead, c.dram.filterRead, c.dram.biasRead, c.passes, c.cycles.compute]).toEqual([w.ifmap, w.filter, w.bias, w.passes, w.compute]);
      // The ofmap leaves once, exactly its size (pooled when a pool follows), whatever the tiling.
      expect(c.dram.ofmapWrite).toBe(l.n * l.m * (l.maxPool ? Math.floor(E / 2) * Math.floor(F / 2) : E * F));
      expect(w.ofmapUnpooled).toBeGreaterThanOrEqual(l.n * l.m * E * F); // edge tiles count full, as the handout's formulas do
      expect(c.cycles.total).toBeCloseTo(c.cycles.dram + c.cycles.glb + c.cycles.compute + c.cycles.ppu, 6);
    }), { numRuns: 300 });
  });
});

describe('NCKU Lab 2: the mapper', () => {
  it('pruned enumeration finds every valid mapping exhaustive enumeration finds, and the same optimum (small spaces)', () => {
    const small: LabHardware = { ...HW, peArrayH: 2, peArrayW: 4, ifmapSpad: 4, filterSpad: 6, psumSpad: 3, glbBytes: 4096 };
    fc.assert(fc.property(
      fc.record({ name: fc.constant('x'), n: fc.integer({ min: 1, max: 2 }), c: fc.integer({ min: 1, max: 6 }), h: fc.integer({ min: 2, max: 9 }), w: fc.integer({ min: 2, max: 7 }), m: fc.integer({ min: 1, max: 6 }), r: fc.integer({ min: 1, max: 2 }), s: fc.integer({ min: 1, max: 2 }), u: fc.constant(1), pad: fc.integer({ min: 0, max: 1 }), maxPool: fc.boolean() }),
      fc.constantFrom('latency', 'energy', 'edp' as const),
      (l, objective) => {
        const p = searchMappings(l, small, { objective, mode: 'pruned', top: 3 });
        const x = searchMappings(l, small, { objective, mode: 'exhaustive', top: 3 });
        expect(p.valid).toBe(x.valid);
        expect(p.examined).toBeLessThanOrEqual(x.examined);
        expect(p.best.map((b) => b.mapping)).toEqual(x.best.map((b) => b.mapping));
      }), { numRuns: 40 });
  });

  it('random search: valid, never better than the optimum, the same for the same seed, and it stops on its victory condition', () => {
    for (const l of cfg.layers) {
      const opt = searchMappings(l, HW, { objective: 'edp' }).best[0];
      const a = searchMappings(l, HW, { objective: 'edp', mode: 'random', seed: 7, budget: 3000, victory: 300, top: 3 });
      const b = searchMappings(l, HW, { objective: 'edp', mode: 'random', seed: 7, budget: 3000, victory: 300, top: 3 });
      expect(a.best.map((x) => x.mapping)).toEqual(b.best.map((x) => x.mapping));
      expect(a.best[0].score).toBeGreaterThanOrEqual(opt.score);
      for (const x of a.best) expect(isValid(x.mapping, l, HW)).toBe(true);
      expect(new Set(a.best.map((x) => JSON.stringify(x.mapping))).size).toBe(a.best.length); // no repeats listed
      expect(a.examined).toBeLessThanOrEqual(3000);
    }
    // A tiny victory condition stops early; a long run on a small space reaches the optimum.
    expect(searchMappings(conv1, HW, { mode: 'random', victory: 5 }).examined).toBeLessThan(searchMappings(conv1, HW, { mode: 'random', victory: 2000 }).examined);
    const small: LabHardware = { ...HW, peArrayH: 2, peArrayW: 4, ifmapSpad: 4, filterSpad: 6, psumSpad: 3, glbBytes: 4096 };
    const tiny: LabLayer = { name: 't', n: 1, c: 4, h: 5, w: 5, m: 4, r: 2, s: 2, u: 1, pad: 0, maxPool: false };
    expect(searchMappings(tiny, small, { mode: 'random', budget: 20_000, victory: 20_000 }).best[0].mapping).toEqual(searchMappings(tiny, small).best[0].mapping);
  });

  it('its best EDP is no worse than the lab\'s mapping on every layer, and every mapping it lists is valid', () => {
    const r = nckuLab2({ top: 3 });
    expect(r.layers.map((l) => l.layer.name)).toEqual(['conv1', 'conv2', 'conv3', 'conv4', 'conv5']);
    for (const l of r.layers) {
      expect(l.best[0].cost.edpUjS).toBeLessThanOrEqual(l.labMapping.cost!.edpUjS);
      for (const b of l.best) expect(isValid(b.mapping, l.layer, HW)).toBe(true);
      expect(l.best.map((b) => b.score)).toEqual([...l.best.map((b) => b.score)].sort((a, b) => a - b));
    }
  });

  it('a bad config is one error naming the key', () => {
    const doc = { hardware: { ...HW, peArrayH: 0 }, layers: cfg.layers, mapping: cfg.mapping };
    expect(errorOf(() => parseLabConfig(doc, 'lab.yaml'))).toMatchObject({ file: 'lab.yaml', path: 'hardware.peArrayH' });
    expect(errorOf(() => parseLabConfig({ ...doc, hardware: HW, mapping: { ...cfg.mapping, q: 'four' } }, 'lab.yaml'))).toMatchObject({ path: 'mapping.q' });
    expect(errorOf(() => nckuLab2({ layer: 'conv9' }))).toMatchObject({ path: '--layer' });
  });
});

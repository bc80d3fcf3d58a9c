/** The row-stationary spatial mapping: Eyeriss' published per-layer PE counts, and the laws of the folding. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rsMap } from '../../sim/api/map.js';
import { loadAnyModel, resolveModel } from '../../sim/load/model.js';
import { lowerGraph } from '../../sim/lower/lower.js';
import type { GemmOp } from '../../sim/lower/types.js';
import { rsSpatialMapping } from '../../sim/map/row-stationary.js';

// Eyeriss: 12 × 14 PEs. AlexNet's conv layers (R = filter height, E = ofmap height; C, M as in torchvision's variant).
const EYERISS = { rows: 12, cols: 14 };
const ALEXNET = [
  { name: 'CONV1', r: 11, s: 11, e: 55, f: 55, c: 3, m: 64 },
  { name: 'CONV2', r: 5, s: 5, e: 27, f: 27, c: 64, m: 192 },
  { name: 'CONV3', r: 3, s: 3, e: 13, f: 13, c: 192, m: 384 },
  { name: 'CONV4', r: 3, s: 3, e: 13, f: 13, c: 384, m: 256 },
  { name: 'CONV5', r: 3, s: 3, e: 13, f: 13, c: 256, m: 256 },
];

describe('row-stationary spatial mapping', () => {
  it('Eyeriss on AlexNet: 154 / 135 / 156 / 156 / 156 active PEs (Chen, Krishna, Emer, Sze, JSSC 2017)', () => {
    const got = ALEXNET.map((l) => rsSpatialMapping(l, EYERISS));
    expect(got.map((m) => m.activePes)).toEqual([154, 135, 156, 156, 156]);
    // How: CONV1 in four passes of one 11×14 strip; CONV2's two strips stacked; CONV3–5 one 3×13 set four times.
    expect(got.map((m) => [m.strips, m.passes, m.replication])).toEqual([[4, 4, 1], [2, 1, 1], [1, 1, 4], [1, 1, 4], [1, 1, 4]]);
    expect(got[0].meanActivePes).toBe((154 * 3 + 143) / 4);
    // A dense layer as a 1×1 set: one copy per PE.
    expect(rsSpatialMapping({ r: 1, s: 1, e: 1, f: 1, c: 4096, m: 1000 }, EYERISS).activePes).toBe(168);
    expect(rsSpatialMapping({ r: 1, s: 1, e: 1, f: 1, c: 3, m: 5 }, EYERISS).activePes).toBe(15); // only 15 channel-filter pairs
  });

  it('laws: each (filter row, ofmap row) pair is placed once per copy; no pass exceeds the array', () => {
    fc.assert(fc.property(
      fc.record({ r: fc.integer({ min: 1, max: 30 }), s: fc.integer({ min: 1, max: 11 }), e: fc.integer({ min: 1, max: 120 }), f: fc.integer({ min: 1, max: 120 }), c: fc.integer({ min: 1, max: 64 }), m: fc.integer({ min: 1, max: 64 }) }),
      fc.record({ rows: fc.integer({ min: 1, max: 32 }), cols: fc.integer({ min: 1, max: 32 }) }),
      (conv, array) => {
        const map = rsSpatialMapping(conv, array);
        expect(map.pesPerPass).toHaveLength(map.passes);
        expect(map.pesPerPass.reduce((a, b) => a + b, 0)).toBe(map.replication * conv.r * conv.e);
        for (const p of map.pesPerPass) expect(p).toBeLessThanOrEqual(array.rows * array.cols);
        expect(map.stripWidths.reduce((a, b) => a + b, 0)).toBe(conv.e);
        expect(map.replication).toBeLessThanOrEqual(conv.c * conv.m);
        expect(map.activePes).toBe(Math.max(...map.pesPerPass));
        // A set that fits in one pass is replicated as often as the rows allow (up to the channel-filter pairs).
        const across = map.strips === 1 ? Math.floor(array.cols / conv.e) : 1;
        if (map.passes === 1) expect(map.replication).toBe(Math.min(Math.floor(Math.floor(array.rows / conv.r) / map.strips) * across, conv.c * conv.m));
      }), { numRuns: 500 });
  });

  it('bad geometry is a RangeError (callers validate layers first)', () => {
    expect(() => rsSpatialMapping({ r: 0, s: 1, e: 1, f: 1, c: 1, m: 1 }, EYERISS)).toThrow(RangeError);
  });

  it('training: a conv\'s backward passes map as the convolutions they are (LeNet on 12×14)', () => {
    const r = rsMap({ model: 'lenet-digits', array: '12x14', mode: 'training' });
    const at = (layer: string, pass: string) => r.layers.find((l) => l.layer === layer && l.pass === pass);
    // c3: 6 → 16 channels, 5×5 filters, 14×14 in, 10×10 out. dX = dY ⊛ W: 16 → 6 channels, 14×14 out, a 5 × 14 set.
    expect(at('c3', 'backwardData')?.conv).toMatchObject({ r: 5, s: 5, e: 14, f: 14, c: 16, m: 6, n: 1 });
    expect(at('c3', 'backwardData')?.mapping.set).toEqual({ rows: 5, cols: 14 });
    // dW = X ⋆ dY: dY (10×10) is the filter, 5×5 the output, summed over the batch of 1, 96 channel-filter pairs.
    expect(at('c3', 'backwardWeight')?.conv).toMatchObject({ r: 10, s: 10, e: 5, f: 5, c: 1, m: 96, n: 1 });
    // The first layer needs no dX; its dW filter (28 rows of dY) is taller than the array: three row groups.
    expect(at('c1', 'backwardData')).toBeUndefined();
    expect(at('c1', 'backwardWeight')?.mapping).toMatchObject({ rowGroups: 3, stripRows: 10 });
    // The RS view does the GEMM's MACs (batch 1): N·R·S·E·F·C·M = m·k·n for forward and backwardWeight; backwardData
    // convolves the zero-bordered dY, so a valid conv's dX takes more (its border terms are zeros).
    const gemms = lowerGraph(loadAnyModel(resolveModel('lenet-digits')), { mode: 'training' }).ops.filter((o): o is GemmOp => o.kind === 'gemm');
    for (const l of r.layers) {
      const c = l.conv, op = gemms.find((g) => g.layer === l.layer && g.pass === l.pass)!;
      const rs = c.n * c.r * c.s * c.e * c.f * c.c * c.m, gemm = op.m * op.k * op.n;
      if (l.pass === 'backwardData' && l.kind === 'conv2d') expect(rs, `${l.layer} ${l.pass}`).toBeGreaterThanOrEqual(gemm);
      else expect(rs, `${l.layer} ${l.pass}`).toBe(gemm);
    }
  });
});

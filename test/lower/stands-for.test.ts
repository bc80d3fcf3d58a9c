/**
 * Inputs that stand for another layer's output (`standsFor`; how SCALE-Sim topology rows are loaded). The law: a
 * chain cut into rows, each row's input standing for the previous row, lowers to exactly the program of the wired
 * chain, in training and inference, and executing that program gives the wired chain's parameter gradients.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { backward, forward } from '../../sim/float/engine.js';
import type { LayerGraph } from '../../sim/ir/types.js';
import { executeProgram } from '../../sim/lower/execute.js';
import { lowerGraph } from '../../sim/lower/lower.js';
import { mulberry32 } from '../helpers/gradcheck.js';
import { type Doc, graphOf, inputsOf, mismatch, paramsOf, randomTensor } from './helpers.js';

/** A chain of 1–4 conv rows (each optionally followed by a relu) on a small input. */
const chainCase = fc.record({
  n: fc.integer({ min: 1, max: 2 }), c: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 4, max: 8 }), w: fc.integer({ min: 4, max: 8 }),
  rows: fc.array(fc.record({
    filters: fc.integer({ min: 1, max: 3 }), kernel: fc.integer({ min: 1, max: 3 }), stride: fc.integer({ min: 1, max: 2 }),
    padding: fc.integer({ min: 0, max: 1 }), relu: fc.boolean(), bias: fc.boolean(),
  }), { minLength: 1, maxLength: 4 }),
  seed: fc.nat(1000),
});
type ChainCase = typeof chainCase extends fc.Arbitrary<infer T> ? T : never;

/** The wired chain and the same rows cut apart (row i > 0 reads `r${i}.in`, which stands for row i − 1). */
function graphs(c: ChainCase): { wired: LayerGraph; cut: LayerGraph } {
  const wired: Doc[] = [], cut: Doc[] = [];
  const rowLayers = (i: number, input: string): Doc[] => {
    const r = c.rows[i];
    const conv = { name: `r${i}`, kind: 'conv2d', inputs: [input], filters: r.filters, kernel: r.kernel, stride: r.stride, padding: r.padding, bias: r.bias };
    return r.relu ? [conv, { name: `r${i}.relu`, kind: 'relu', inputs: [`r${i}`] }] : [conv];
  };
  const last = (i: number) => (c.rows[i].relu ? `r${i}.relu` : `r${i}`);
  const w = graphOf({ x: [c.n, c.c, c.h, c.w] }, c.rows.flatMap((_, i) => {
    const layers = rowLayers(i, i === 0 ? 'x' : last(i - 1));
    wired.push(...layers);
    return layers;
  }));
  for (let i = 0; i < c.rows.length; i++) {
    if (i > 0) cut.push({ name: `r${i}.in`, kind: 'input', shape: [...w.shapes[last(i - 1)]], standsFor: last(i - 1) });
    cut.push(...rowLayers(i, i === 0 ? 'x' : `r${i}.in`));
  }
  return { wired: w, cut: graphOf({ x: [c.n, c.c, c.h, c.w] }, cut) };
}

/** Rows whose kernel fits the (padded) input they get. */
const fits = (c: ChainCase): boolean => {
  let h = c.h, w = c.w;
  for (const r of c.rows) {
    if (h + 2 * r.padding < r.kernel || w + 2 * r.padding < r.kernel) return false;
    h = Math.floor((h + 2 * r.padding - r.kernel) / r.stride) + 1;
    w = Math.floor((w + 2 * r.padding - r.kernel) / r.stride) + 1;
  }
  return true;
};

describe('inputs standing for the previous layer', () => {
  test('a chain cut into stand-in rows lowers to the wired chain\'s program (training and inference, any batch)', () => {
    fc.assert(fc.property(chainCase.filter(fits), fc.integer({ min: 1, max: 3 }), fc.boolean(), (c, batch, training) => {
      const { wired, cut } = graphs(c);
      const mode = training ? 'training' : 'inference';
      expect(lowerGraph(cut, { mode, batch })).toEqual(lowerGraph(wired, { mode, batch }));
    }), { seed: 31, numRuns: 100 });
  });

  test('executing the cut chain\'s program gives the wired chain\'s parameter gradients (float engine)', () => {
    fc.assert(fc.property(chainCase.filter(fits), (c) => {
      const { wired, cut } = graphs(c);
      const params = paramsOf(wired, c.seed);
      const x = inputsOf(wired, c.seed + 1);
      const fw = forward(wired, params, x, { training: true });
      const upstream = randomTensor(fw.output.shape, mulberry32(c.seed + 2));
      const bw = backward(fw.tape, params, upstream);
      // The stand-ins are fed the values they stand for.
      const inputs = Object.fromEntries(cut.layers.filter((l) => l.kind === 'input').map((l) =>
        [l.name, l.kind === 'input' && l.standsFor ? fw.values[l.standsFor] : x[l.name]]));
      const ex = executeProgram(lowerGraph(cut, { mode: 'training' }), cut, params, inputs, upstream);
      const errors = Object.entries(bw.params).map(([key, t]) => mismatch(`d ${key}`, ex.gradients!.params[key], t)).filter((e) => e !== null);
      expect(errors).toEqual([]);
      expect(Object.keys(ex.gradients!.inputs)).toEqual([]); // x needs no dX; the stand-ins hand theirs on
    }), { seed: 32, numRuns: 60 });
  });

  test('the oracle notices a lowering that ignores standsFor (the cut rows as separate networks)', () => {
    const c: ChainCase = { n: 1, c: 2, h: 6, w: 6, seed: 3, rows: [
      { filters: 3, kernel: 3, stride: 1, padding: 1, relu: true, bias: true },
      { filters: 2, kernel: 3, stride: 2, padding: 0, relu: false, bias: false },
    ] };
    const { wired, cut } = graphs(c);
    const ignored = { ...cut, layers: cut.layers.map((l) => (l.kind === 'input' ? { kind: l.kind, name: l.name, inputs: l.inputs, shape: l.shape } : l)) };
    const ids = (g: LayerGraph) => lowerGraph(g, { mode: 'training' }).ops.map((o) => o.id);
    expect(ids(cut)).toEqual(ids(wired));
    expect(ids(ignored)).not.toEqual(ids(wired));
    expect(ids(ignored)).not.toContain('r1.backwardData');
    expect(ids(ignored)).not.toContain('r0.backwardWeight');
  });

  test('a stand-in of another shape: the lowering says so once; the executor refuses to pass values across', () => {
    const g = graphOf({ x: [1, 2, 5, 5] }, [
      { name: 'a', kind: 'conv2d', inputs: ['x'], filters: 3, kernel: 3 },
      { name: 'b.in', kind: 'input', shape: [1, 3, 4, 4], standsFor: 'a' },
      { name: 'b', kind: 'conv2d', inputs: ['b.in'], filters: 2, kernel: 3 },
    ]);
    const program = lowerGraph(g, { mode: 'training' });
    expect(program.notes).toEqual([expect.stringContaining('1 layer input stands for the output of a layer of another shape (e.g. b.in [1, 3, 4, 4] stands for a [1, 3, 3, 3])')]);
    expect(program.ops.filter((o) => o.kind === 'gemm').map((o) => o.id)).toEqual(
      ['a.forward', 'b.forward', 'b.backwardData', 'b.backwardWeight', 'a.backwardWeight']);
    const params = paramsOf(g, 1);
    expect(() => executeProgram(program, g, params, inputsOf(g, 2))).toThrow('input "b.in" stands for "a" but has 48 elements, not 27');
  });
});

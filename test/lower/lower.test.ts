/**
 * lowerGraph: GEMM shapes and ids per kind and pass, vector ops, training structure, and MAC identities.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { lowerGraph } from '../../sim/lower/lower.js';
import { macsOf } from '../../sim/lower/gemms.js';
import type { GemmOp, LoweredProgram, Pass } from '../../sim/lower/types.js';
import { convCase, convDoc, graphOf } from './helpers.js';

const gemms = (p: LoweredProgram, layer?: string, pass?: Pass): GemmOp[] =>
  p.ops.filter((o): o is GemmOp => o.kind === 'gemm' && (layer === undefined || o.layer === layer) && (pass === undefined || o.pass === pass));
const mkn = (ops: readonly GemmOp[]) => ops.map((o) => [o.id, o.m, o.k, o.n]);
const macs = (ops: readonly GemmOp[]) => ops.reduce((s, o) => s + macsOf(o), 0);
const byId = (p: LoweredProgram, id: string) => p.ops.find((o) => o.id === id);
const ids = (p: LoweredProgram) => p.ops.map((o) => o.id);

describe('forward lowering', () => {
  test('dense: m = rows (all but the last dim), k = in, n = units; bias is a vector add', () => {
    const g = graphOf({ x: [2, 3, 10] }, [{ name: 'd', kind: 'dense', units: 5 }]);
    const p = lowerGraph(g, { mode: 'inference' });
    expect(mkn(gemms(p))).toEqual([['d.forward', 6, 10, 5]]);
    expect(byId(p, 'd.forward.bias')).toMatchObject({ op: 'add', elements: 30, readElements: 35 });
    expect(gemms(p)[0].operands).toEqual({
      a: { tensor: 'd.input', uniqueElements: 60 }, b: { tensor: 'd.weight', uniqueElements: 50 }, c: { tensor: 'd.output', uniqueElements: 30 },
    });
  });

  test('conv2d: one GEMM per group, m = N·P·Q, k = Cg·R·S, n = Kg; depthwise = C GEMMs', () => {
    const g = graphOf({ x: [2, 4, 8, 8] }, [
      { name: 'c', kind: 'conv2d', filters: 6, kernel: [3, 1], stride: 2, padding: [1, 1, 0, 0], groups: 2, bias: false },
      { name: 'dw', kind: 'conv2d', filters: 12, kernel: 3, padding: 1, groups: 6 },
    ]);
    const p = lowerGraph(g, { mode: 'inference' });
    expect(mkn(gemms(p, 'c'))).toEqual([['c.forward.g0', 2 * 4 * 4, 2 * 3, 3], ['c.forward.g1', 32, 6, 3]]);
    expect(gemms(p, 'dw')).toHaveLength(6);
    expect(mkn(gemms(p, 'dw'))[5]).toEqual(['dw.forward.g5', 2 * 4 * 4, 9, 2]);
    expect(byId(p, 'c.forward.bias')).toBeUndefined();
    // Stride 2 with a one-column kernel: only every other input column is ever read.
    expect(gemms(p, 'c')[0].operands.a.uniqueElements).toBe(2 * 2 * 8 * 4);
  });

  test('matmul: one GEMM per batch matrix, or one stacked GEMM when an operand is shared (rank 2)', () => {
    const g = graphOf({ a: [3, 4, 5], b: [3, 5, 6], w: [6, 5], s: [5, 4], m2: [4, 5], n2: [5, 2] }, [
      { name: 'pb', kind: 'matmul', inputs: ['a', 'b'] },
      { name: 'sb', kind: 'matmul', inputs: ['a', 'w'], transposeB: true },
      { name: 'sa', kind: 'matmul', inputs: ['s', 'b'], transposeA: true },
      { name: 'one', kind: 'matmul', inputs: ['m2', 'n2'] },
    ], 'pb');
    const p = lowerGraph(g, { mode: 'inference' });
    expect(mkn(gemms(p, 'pb'))).toEqual([0, 1, 2].map((i) => [`pb.forward.b${i}`, 4, 5, 6]));
    expect(mkn(gemms(p, 'sb'))).toEqual([['sb.forward', 12, 5, 6]]);
    expect(mkn(gemms(p, 'sa'))).toEqual([['sa.forward', 4, 5, 18]]);
    expect(mkn(gemms(p, 'one'))).toEqual([['one.forward', 4, 5, 2]]);
  });

  test('data-only layers lower to nothing; transpose, pad and concat copy; the rest are vector ops', () => {
    const g = graphOf({ x: [2, 3, 4, 4] }, [
      { name: 'r', kind: 'relu' }, { name: 'mp', kind: 'maxPool2d', kernel: 2 }, { name: 'pd', kind: 'pad', padding: 1 },
      { name: 'cat', kind: 'concat', inputs: ['pd', 'pd'], axis: 1 }, { name: 'f', kind: 'flatten' },
      { name: 'rs', kind: 'reshape', shape: [2, 12, 8] }, { name: 't', kind: 'transpose', perm: [0, 2, 1] },
      { name: 'sm', kind: 'softmax', axis: -1 }, { name: 'dr', kind: 'dropout', p: 0.5 },
    ]);
    const p = lowerGraph(g, { mode: 'inference' });
    expect(p.ops.map((o) => (o.kind === 'vector' ? [o.id, o.op, o.elements, o.readElements] : o.id))).toEqual([
      ['r.forward', 'activation', 96, 96], ['mp.forward', 'pool', 24, 96], ['pd.forward', 'copy', 96, 24],
      ['cat.forward', 'copy', 192, 192], ['t.forward', 'copy', 192, 192], ['sm.forward', 'softmax', 192, 192],
    ]);
    // Dropout multiplies by its mask only in training.
    expect(byId(lowerGraph(g, { mode: 'training' }), 'dr.forward')).toMatchObject({ op: 'mul', elements: 192 });
  });

  test('batch overrides the first dimension of every input', () => {
    const g = graphOf({ x: [1, 3, 8, 8] }, [{ name: 'c', kind: 'conv2d', filters: 4, kernel: 3 }, { name: 'f', kind: 'flatten' }, { name: 'd', kind: 'dense', units: 2 }]);
    const p = lowerGraph(g, { mode: 'inference', batch: 5 });
    expect(mkn(gemms(p))).toEqual([['c.forward', 5 * 36, 27, 4], ['d.forward', 5, 144, 2]]);
  });
});

describe('training lowering', () => {
  const g = graphOf({ x: [4, 8] }, [
    { name: 'd1', kind: 'dense', units: 6 }, { name: 'a', kind: 'tanh' }, { name: 'd2', kind: 'dense', units: 3, bias: false },
  ]);

  test('forward ops, loss, backward in reverse order (no dX for the layer fed by the input), then updates', () => {
    const p = lowerGraph(g, { mode: 'training' });
    expect(ids(p)).toEqual([
      'd1.forward', 'd1.forward.bias', 'a.forward', 'd2.forward', 'd2.loss',
      'd2.backwardData', 'd2.backwardWeight', 'a.backwardData', 'd1.backwardWeight', 'd1.backwardWeight.bias',
      'd1.update.weight', 'd1.update.bias', 'd2.update.weight',
    ]);
    expect(mkn(gemms(p, undefined, 'backwardData'))).toEqual([['d2.backwardData', 4, 3, 6]]);
    expect(mkn(gemms(p, undefined, 'backwardWeight'))).toEqual([['d2.backwardWeight', 6, 4, 3], ['d1.backwardWeight', 8, 4, 6]]); // dWᵀ = Xᵀ·dY: (in, rows, units), docs/cycle-model.md §1
    expect(mkn(gemms(lowerGraph(g, { mode: 'training', inputGradients: true }), 'd1', 'backwardData'))).toEqual([['d1.backwardData', 4, 6, 8]]);
  });

  test('update reads W, dW and the optimizer state', () => {
    const reads = (optimizer: 'sgd' | 'momentum' | 'adam' | 'rmsprop') =>
      lowerGraph(g, { mode: 'training', optimizer }).ops.filter((o) => o.pass === 'update').map((o) => o.kind === 'vector' && [o.elements, o.readElements]);
    expect(reads('sgd')).toEqual([[48, 96], [6, 12], [18, 36]]);
    expect(reads('momentum')).toEqual([[48, 144], [6, 18], [18, 54]]);
    expect(reads('adam')).toEqual([[48, 192], [6, 24], [18, 72]]);
    expect(reads('rmsprop')).toEqual(reads('momentum'));
  });

  test('matmul gradients are backwardData GEMMs .dA / .dB; fan-out gets a gradient sum; dead layers get no backward', () => {
    const h = graphOf({ a: [2, 3, 4] }, [
      { name: 'p', kind: 'dense', units: 4 },
      { name: 'mm', kind: 'matmul', inputs: ['p', 'p'], transposeB: true },
      { name: 'dead', kind: 'relu', inputs: ['p'] },
    ], 'mm');
    const p = lowerGraph(h, { mode: 'training' });
    expect(mkn(gemms(p, 'mm', 'backwardData'))).toEqual([
      ['mm.backwardData.dA.b0', 3, 3, 4], ['mm.backwardData.dA.b1', 3, 3, 4], ['mm.backwardData.dB.b0', 4, 3, 3], ['mm.backwardData.dB.b1', 4, 3, 3],
    ]);
    expect(byId(p, 'p.backwardData.sum')).toMatchObject({ op: 'add', elements: 24, readElements: 48 });
    expect(p.ops.filter((o) => o.layer === 'dead').map((o) => o.id)).toEqual(['dead.forward']);
  });
});

// ---- properties -----------------------------------------------------------------------------------------

describe('MAC identities', () => {
  test('forward conv MACs equal N·P·Q·K·(C/groups)·R·S; every op id is unique', () => {
    fc.assert(fc.property(convCase, (c) => {
      const { shape, layer } = convDoc(c);
      const g = graphOf({ x: shape }, [layer]);
      const [n, k, p, q] = g.shapes.c;
      const prog = lowerGraph(g, { mode: 'training', inputGradients: true });
      expect(macs(gemms(prog, 'c', 'forward'))).toBe(n * p * q * k * c.cg * c.r * c.s);
      expect(new Set(ids(prog)).size).toBe(prog.ops.length);
    }), { seed: 11, numRuns: 200 });
  });

  test('stride-1 "same" convs (odd kernel, any groups) and dense: backwardData MACs = backwardWeight MACs = forward MACs', () => {
    const sameConv = fc.record({
      n: fc.integer({ min: 1, max: 3 }), groups: fc.integer({ min: 1, max: 4 }), cg: fc.integer({ min: 1, max: 4 }), kg: fc.integer({ min: 1, max: 4 }),
      r: fc.constantFrom(1, 3, 5), s: fc.constantFrom(1, 3, 5), h: fc.integer({ min: 1, max: 9 }), w: fc.integer({ min: 1, max: 9 }),
    });
    fc.assert(fc.property(sameConv, (c) => {
      const pr = (c.r - 1) / 2, ps = (c.s - 1) / 2;
      const g = graphOf({ x: [c.n, c.cg * c.groups, c.h, c.w] }, [
        { name: 'c', kind: 'conv2d', filters: c.kg * c.groups, kernel: [c.r, c.s], padding: [pr, pr, ps, ps], groups: c.groups },
      ]);
      const prog = lowerGraph(g, { mode: 'training', inputGradients: true });
      const fwd = macs(gemms(prog, 'c', 'forward'));
      expect(macs(gemms(prog, 'c', 'backwardData'))).toBe(fwd);
      expect(macs(gemms(prog, 'c', 'backwardWeight'))).toBe(fwd);
    }), { seed: 12, numRuns: 200 });
    const denseCase = fc.record({ dims: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 }), inF: fc.integer({ min: 1, max: 9 }), units: fc.integer({ min: 1, max: 9 }) });
    fc.assert(fc.property(denseCase, (c) => {
      const g = graphOf({ x: [...c.dims, c.inF] }, [{ name: 'd', kind: 'dense', units: c.units }]);
      const prog = lowerGraph(g, { mode: 'training', inputGradients: true });
      const fwd = macs(gemms(prog, 'd', 'forward'));
      expect(fwd).toBe(c.dims.reduce((a, b) => a * b, 1) * c.inF * c.units);
      expect(macs(gemms(prog, 'd', 'backwardData'))).toBe(fwd);
      expect(macs(gemms(prog, 'd', 'backwardWeight'))).toBe(fwd);
    }), { seed: 13, numRuns: 100 });
  });
});

/**
 * `standsFor` on an input layer (ir/types.ts): it names the layer whose output the input stands for. The graph
 * orders the input after that layer, rejects a name that is no layer, the input itself, or a loop, and keeps the
 * field when a model is saved.
 */
import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../sim/ir/graph.js';
import { parseModel } from '../../sim/ir/parse.js';
import { graphToDocument } from '../../sim/ir/serialize.js';
import { initParams } from '../../sim/float/init.js';
import { errorOf } from '../helpers/errors.js';

const build = (layers: unknown[]) => buildGraph(parseModel({ name: 'm', layers }, 'm.yaml'), 'm.yaml');
const rows = (second: Record<string, unknown>) => [
  { name: 'b.in', kind: 'input', shape: [1, 4], ...second },
  { name: 'b', kind: 'dense', units: 2, inputs: ['b.in'] },
  { name: 'a.in', kind: 'input', shape: [1, 3] },
  { name: 'a', kind: 'dense', units: 4, inputs: ['a.in'] },
];

describe('standsFor', () => {
  it('orders the stand-in after the layer it stands for, even when the file lists it first', () => {
    expect(build(rows({ standsFor: 'a' })).order).toEqual(['a.in', 'a', 'b.in', 'b']);
    expect(build(rows({})).order).toEqual(['b.in', 'b', 'a.in', 'a']);
  });

  it.each([
    ['a layer that does not exist', { standsFor: 'nope' }, 'danglingInput', 'layers[0].standsFor', 'names a layer that does not exist'],
    ['the input itself', { standsFor: 'b.in' }, 'cycle', 'layers[0].standsFor', 'cannot stand for itself'],
    ['not a string', { standsFor: 3 }, 'badValue', 'layers[0].standsFor', 'must be a non-empty string'],
  ])('rejects %s, naming the file and field', (_what, extra, code, path, problem) => {
    const e = errorOf(() => build(rows(extra)));
    expect([e.code, e.file, e.path]).toEqual([code, 'm.yaml', path]);
    expect(e.message).toContain(problem);
  });

  it('rejects a loop: an input that stands for a layer reading it', () => {
    const e = errorOf(() => build([{ name: 'x', kind: 'input', shape: [1, 2], standsFor: 'y' }, { name: 'y', kind: 'dense', units: 2, inputs: ['x'] }]));
    expect(e.code).toBe('cycle');
    expect(e.value).toEqual(['x', 'y']);
  });

  it('is a field of input layers only', () => {
    const e = errorOf(() => build([{ name: 'x', kind: 'input', shape: [1, 2] }, { name: 'y', kind: 'dense', units: 2, standsFor: 'x' }]));
    expect(e.path).toBe('layers[1].standsFor');
  });

  it('survives saving and loading the model', () => {
    const g = build(rows({ standsFor: 'a' }));
    const back = buildGraph(parseModel(JSON.parse(JSON.stringify(graphToDocument(g, initParams(g))))));
    expect(back.layers).toEqual(g.layers);
    expect(back.layers[0]).toMatchObject({ standsFor: 'a' });
  });
});

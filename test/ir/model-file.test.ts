/** The model-file format: the normative example in models/README.md parses and runs; every attribute form expands as documented. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../sim/ir/graph.js';
import { parseModel } from '../../sim/ir/parse.js';
import { forward } from '../../sim/float/engine.js';
import { initParams } from '../../sim/float/init.js';
import { LAYER_KINDS } from '../../sim/ir/types.js';
import { SimError } from '../../sim/base/errors.js';
import { asFloat64 } from '../../sim/float/tensor.js';

const README = readFileSync(join(import.meta.dirname, '..', '..', 'models', 'README.md'), 'utf8');
const build = (doc: unknown) => buildGraph(parseModel(doc, 'm.yaml'), 'm.yaml');

describe('models/README.md', () => {
  const example = parseYaml(/```yaml\n([\s\S]*?)```/.exec(README)![1]);

  it('documents every layer kind in its table and uses every kind in its example', () => {
    const used = new Set((example.layers as { kind: string }[]).map((l) => l.kind));
    for (const kind of LAYER_KINDS) {
      expect(README, kind).toContain(`\`${kind}\``);
      expect(used.has(kind), `example uses ${kind}`).toBe(true);
    }
  });

  it('its annotated example builds with the shapes its comments state, and runs', () => {
    const g = build(example);
    expect(g.output).toBe('probs');
    expect(g.shapes.gap).toEqual([2, 8, 1, 1]);
    expect(g.shapes.flat).toEqual([2, 8]);
    expect(g.shapes.tokens).toEqual([2, 2, 4]);
    expect(g.shapes.keys).toEqual([2, 4, 2]);
    expect(g.shapes.scores).toEqual([2, 2, 2]);
    expect(g.shapes.both).toEqual([2, 2, 8]);
    expect(g.shapes.pooled).toEqual([2, 16]);
    expect(g.shapes.probs).toEqual([2, 3]);
    const params = initParams(g);
    expect(Array.from(params['conv1.bias'].data)).toEqual([0, 0, 0, 0, 0, 0, 0, 0.5]);
    expect(params['fc.weight'].shape).toEqual([3, 16]);
    const x = { shape: [2, 3, 16, 16], data: new Float64Array(2 * 3 * 16 * 16).map((_, i) => Math.sin(i)) };
    const out = forward(g, params, { image: x }).output;
    expect(out.shape).toEqual([2, 3]);
    const rowSums = [0, 1].map((r) => asFloat64(out.data).subarray(r * 3, r * 3 + 3).reduce((a, b) => a + b, 0));
    rowSums.forEach((s) => expect(s).toBeCloseTo(1, 12));
  });
});

describe('attribute forms', () => {
  const conv = (extra: object) =>
    build({ layers: [{ name: 'x', kind: 'input', shape: [1, 2, 9, 9] }, { name: 'c', kind: 'conv2d', filters: 2, kernel: 3, ...extra }] }).layers[1];

  it('padding p, [pH, pW] and [top, bottom, left, right]', () => {
    expect(conv({ padding: 1 })).toMatchObject({ padding: [1, 1, 1, 1] });
    expect(conv({ padding: [1, 2] })).toMatchObject({ padding: [1, 1, 2, 2] });
    expect(conv({ padding: [0, 1, 2, 3] })).toMatchObject({ padding: [0, 1, 2, 3] });
  });

  it('kernel, stride and dilation as n or [h, w]; defaults', () => {
    expect(conv({ stride: [2, 1], dilation: 2 })).toMatchObject({ kernel: [3, 3], stride: [2, 1], dilation: [2, 2], groups: 1, bias: true });
  });

  it('output size floor((H + pads − d(R−1) − 1)/s) + 1, ceil mode drops a window starting in the padding', () => {
    const g = build({
      layers: [
        { name: 'x', kind: 'input', shape: [1, 1, 6, 6] },
        { name: 'c', kind: 'conv2d', filters: 1, kernel: 3, stride: 2, padding: [0, 1, 0, 0], dilation: 1 },
        { name: 'p', kind: 'maxPool2d', kernel: 2, stride: 2, ceilMode: true, input: 'x' },
        { name: 'q', kind: 'avgPool2d', kernel: 3, stride: 2, padding: 1, ceilMode: true, input: 'x' },
      ],
    });
    expect(g.shapes.c).toEqual([1, 1, 3, 2]); // H: floor((6+1-3)/2)+1 = 3; W: floor((6-3)/2)+1 = 2
    expect(g.shapes.p).toEqual([1, 1, 3, 3]);
    expect(g.shapes.q).toEqual([1, 1, 4, 4]); // ceil((6+2-3)/2)+1 = 4, last start 6 < 6+1 keeps it
  });

  it('layers read the previous layer by default; tensors may be nested lists', () => {
    const g = build({ layers: [{ kind: 'input', shape: [1, 2] }, { kind: 'dense', units: 1, params: { weight: [[1, 2]], bias: [0.5] } }] });
    expect(g.layers[1].inputs).toEqual(['input_0']);
    expect(g.givenParams['dense_1.weight'].shape).toEqual([1, 2]);
  });

  it('errors carry file, path and value', () => {
    try {
      build({ layers: [{ name: 'x', kind: 'input', shape: [1, 2] }, { name: 'r', kind: 'reshape', shape: [3, -1] }] });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SimError);
      const err = e as SimError;
      expect([err.file, err.path, err.code]).toEqual(['m.yaml', 'layers[1].shape', 'shapeMismatch']);
      expect(err.message).toContain('cannot reshape [1, 2] (2 elements) to [3, -1]');
    }
  });
});

describe('sidecar parameters', () => {
  it('paramsFile supplies parameters; inline values win', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { loadModel } = await import('../../sim/load/model-file.js');
    const dir = mkdtempSync(join(tmpdir(), 'systolab-sidecar-'));
    writeFileSync(join(dir, 'p.json'), JSON.stringify({ 'd.weight': { shape: [1, 2], data: [3, 4] }, 'd.bias': [9] }));
    writeFileSync(join(dir, 'm.yaml'), 'paramsFile: p.json\nlayers:\n  - { name: x, kind: input, shape: [1, 2] }\n  - { name: d, kind: dense, units: 1, params: { bias: [0.5] } }\n');
    const g = loadModel(join(dir, 'm.yaml'));
    expect(Array.from(g.givenParams['d.weight'].data)).toEqual([3, 4]);
    expect(Array.from(g.givenParams['d.bias'].data)).toEqual([0.5]);
  });
});

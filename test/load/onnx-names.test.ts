/**
 * Layer names of imported ONNX models (sim/load/onnx/names.ts): the PyTorch module path once, a `.kind` suffix only
 * where the path is not the node's own, unique and deterministic. Checked on the torchvision fixtures, through the
 * bundled CLI, and as laws over generated PyTorch-style node-name lists.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeOnnx } from '../../sim/load/onnx/decode.js';
import { importOnnx } from '../../sim/load/onnx/index.js';
import { LayerNamer, modulePath } from '../../sim/load/onnx/names.js';
import { systolab } from '../helpers/cli.js';

const FIX = join(import.meta.dirname, '..', 'fixtures', 'onnx');
const TORCHVISION = ['tv-squeezenet1_1-noweights', 'tv-resnet18-noweights', 'tv-mobilenet_v2-noweights', 'tv-mobilenet_v2-small'];

/** Two equal dot segments in a row that are not both numbers (`features.features`; `conv.0.0` is fine). */
const doubled = (name: string): boolean => name.split('.').some((s, i, all) => i > 0 && s === all[i - 1] && !/^\d+$/.test(s));

describe('ONNX layer names on the torchvision fixtures', () => {
  it.each(TORCHVISION)('%s: unique, no doubled segment, and every weight keeps its initializer\'s name', (name) => {
    const bytes = readFileSync(join(FIX, `${name}.onnx`));
    const layers = importOnnx(bytes, `${name}.onnx`).document.layers as { name: string; kind: string }[];
    const names = layers.map((l) => l.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.filter(doubled)).toEqual([]);
    // PyTorch names a module's weights `<module path>.weight`: a conv/dense/batchNorm layer is named that path.
    // (The tensor names the nodes read: the fixtures store equal tensors once, under one of their names.)
    const g = decodeOnnx(bytes, name);
    const tensors = new Set(g.nodes.flatMap((n) => n.inputs));
    const weighted = layers.filter((l) => ['conv2d', 'dense', 'batchNorm'].includes(l.kind));
    expect(weighted.length).toBeGreaterThan(10);
    expect(weighted.map((l) => `${l.name}.weight`).filter((w) => !tensors.has(w))).toEqual([]);
  });

  it('the names a student sees: the module path, `.kind` for ops a container module writes itself', () => {
    const names = (f: string) => (importOnnx(readFileSync(join(FIX, `${f}.onnx`)), f).document.layers as { name: string; kind: string }[])
      .map((l) => `${l.name}:${l.kind}`);
    expect(names('tv-squeezenet1_1-noweights')).toEqual(expect.arrayContaining([
      'features.12.expand1x1:conv2d', 'features.12.expand1x1_activation:relu', 'features.12.concat:concat', 'classifier.1:conv2d', 'flatten:flatten',
    ]));
    expect(names('tv-resnet18-noweights')).toEqual(expect.arrayContaining([
      'conv1:conv2d', 'layer1.0.relu:relu', 'layer1.0.add:add', 'layer1.0.relu_1:relu', 'layer2.0.downsample.0:conv2d', 'fc:dense',
    ]));
    // cnn.fixture's residual block calls F.relu twice in its own forward: the second gets a counter.
    expect(names('cnn')).toEqual(expect.arrayContaining(['res.c1:conv2d', 'res.relu:relu', 'res.add:add', 'res.relu_2:relu', 'relu:relu']));
  });

  it('through the bundled CLI: systolab import writes the short names (in a temp folder)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'systolab-onnx-names-'));
    const out = join(dir, 'sq.json');
    const r = systolab(['import', join(FIX, 'tv-squeezenet1_1-noweights.onnx'), '--out', out], dir);
    expect(r.code).toBe(0);
    const names = (JSON.parse(readFileSync(out, 'utf8')).layers as { name: string }[]).map((l) => l.name);
    expect(names.slice(0, 8)).toEqual([
      'input', 'features.0', 'features.1', 'features.2', 'features.3.squeeze', 'features.3.squeeze_activation', 'features.3.expand1x1',
      'features.3.expand1x1_activation',
    ]);
  });
});

// ---- laws over generated PyTorch-style names --------------------------------------------------------------

/**
 * A node as PyTorch would name it: a chain of modules, each an attribute (its scope is its name) or a Sequential /
 * ModuleList child (its scope is the parent's scope + `.` + its index), then the operator.
 */
const nodeCase = fc.record({
  chain: fc.array(fc.record({ attr: fc.constantFrom('features', 'conv', 'fc', 'relu', 'a', 'b'), index: fc.constantFrom('0', '1', '12'), child: fc.boolean() }),
    { minLength: 0, maxLength: 4 }),
  op: fc.constantFrom('Conv', 'Relu', 'Add', 'Concat', 'Relu_1'),
  kind: fc.constantFrom('conv2d', 'relu', 'add', 'concat'),
});
type NodeCase = typeof nodeCase extends fc.Arbitrary<infer T> ? T : never;

/** The ONNX node name and the module path PyTorch's state dict would use for the same module. */
function torchName(n: NodeCase): { raw: string; path: string } {
  const scopes: string[] = [], path: string[] = [];
  for (const [i, m] of n.chain.entries()) {
    if (m.child && i > 0) {
      scopes.push(`${scopes[i - 1]}.${m.index}`);
      path.push(m.index);
    } else {
      scopes.push(m.attr);
      path.push(m.attr);
    }
  }
  return { raw: `/${[...scopes, n.op].join('/')}`, path: path.join('.') };
}

const nameAll = (raws: readonly { raw: string; kind: string }[], make = (all: string[]) => new LayerNamer(all)) => {
  const namer = make(raws.map((r) => r.raw));
  return raws.map((r) => namer.name(r.raw, r.kind));
};

/** Every layer name starts with its node's module path and never repeats a scope PyTorch repeated. */
function namesKeepThePath(nodes: NodeCase[], names: readonly string[]): boolean {
  return nodes.every((n, i) => {
    const { path } = torchName(n);
    return path === '' || names[i] === path || names[i].startsWith(`${path}.`) || names[i].startsWith(`${path}_`);
  });
}

describe('LayerNamer laws', () => {
  const lists = fc.array(nodeCase, { minLength: 1, maxLength: 25 });

  it('modulePath inverts PyTorch\'s scope names', () => {
    fc.assert(fc.property(nodeCase, (n) => {
      const { raw, path } = torchName(n);
      expect(modulePath(raw)).toBe(path);
    }), { seed: 41, numRuns: 300 });
  });

  it('names are unique, the same on every run, and start with the module path', () => {
    fc.assert(fc.property(lists, (nodes) => {
      const raws = nodes.map((n) => ({ raw: torchName(n).raw, kind: n.kind }));
      const names = nameAll(raws);
      expect(new Set(names).size).toBe(names.length);
      expect(nameAll(raws)).toEqual(names);
      expect(namesKeepThePath(nodes, names)).toBe(true);
    }), { seed: 42, numRuns: 300 });
  });

  it('distinct leaf modules are named exactly their module path', () => {
    fc.assert(fc.property(lists, (nodes) => {
      const items = nodes.map((n) => ({ ...torchName(n), kind: n.kind }));
      const paths = items.map((i) => i.path);
      const leaf = (p: string) => p !== '' && paths.filter((q) => q === p).length === 1 && !paths.some((q) => q.startsWith(`${p}.`));
      const names = nameAll(items);
      // Another node's kind-suffixed name may take a leaf's path first (module `a.relu` and a relu that `a` runs;
      // module `relu` and a relu outside every module).
      const taken = new Set(items.filter((i) => !leaf(i.path)).map((i) => (i.path === '' ? i.kind : `${i.path}.${i.kind}`)));
      items.forEach((it, i) => {
        if (leaf(it.path) && !taken.has(it.path)) expect(names[i]).toBe(it.path);
      });
    }), { seed: 43, numRuns: 300 });
  });

  it('the laws catch the old naming (scopes joined as they are: `features.features.12.Conv`)', () => {
    const oldName = (raw: string) => raw.replace(/^\/+/, '').replace(/[/:]+/g, '.').replace(/\s+/g, '_') || 'node';
    const old = fc.check(fc.property(lists, (nodes) => namesKeepThePath(nodes, nodes.map((n) => oldName(torchName(n).raw)))), { seed: 44 });
    expect(old.failed).toBe(true);
    expect(doubled(oldName('/features/features.12/expand1x1/Conv'))).toBe(true);
    expect(doubled(nameAll([{ raw: '/features/features.12/expand1x1/Conv', kind: 'conv2d' }])[0])).toBe(false);
  });

  it('plain names are kept, empty ones take the kind, clashes get _2, _3 in order', () => {
    expect(nameAll([
      { raw: 'input', kind: 'input' }, { raw: 'input', kind: 'relu' }, { raw: '', kind: 'relu' }, { raw: '/Relu', kind: 'relu' },
      { raw: 'a b:c', kind: 'add' }, { raw: '/fc/MatMul', kind: 'dense' }, { raw: '/fc/Add', kind: 'add' },
    ])).toEqual(['input', 'input_2', 'relu', 'relu_2', 'a_b.c', 'fc', 'fc.add']);
  });
});

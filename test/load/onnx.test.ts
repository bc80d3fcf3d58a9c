/**
 * ONNX import: the fixtures of test/fixtures/onnx (made by make_onnx.py with PyTorch 1.13; Python is not needed here)
 * import with the exporter-side MAC and parameter counts, reproduce the exporter's outputs through `systolab run`,
 * and bad input is one line with exit code 2.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { summarize } from '../../sim/lower/summary.js';
import { EXPORT_EXAMPLES, IMPORT_EXAMPLES } from '../../sim/cli/import-command.js';
import { SimError } from '../../sim/base/errors.js';
import { buildGraph } from '../../sim/ir/graph.js';
import { loadOnnxModel, importOnnx } from '../../sim/load/onnx/index.js';
import type { NodeOf } from '../../sim/ir/types.js';

const { onnx } = onnxProto;
import { WORKSPACE } from '../helpers/cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const FIX = join(ROOT, 'test', 'fixtures', 'onnx');
const CLI = join(ROOT, 'dist', 'systolab.cjs');
const counts = JSON.parse(readFileSync(join(FIX, 'counts.json'), 'utf8')) as Record<string, { macs: number; parameters: number; dynamic: boolean; weights: boolean; inputShape: number[] }>;
const tmp = () => mkdtempSync(join(tmpdir(), 'systolab-onnx-'));

function systolab(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: WORKSPACE, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('ONNX fixtures', () => {
  const models = Object.keys(counts).filter((m) => m !== 'unsupported');
  it.each(models)('%s imports with the exporter-side MACs and parameters', (name) => {
    const c = counts[name];
    const g = loadOnnxModel(join(FIX, `${name}.onnx`), c.dynamic ? { inputShapes: { '': c.inputShape } } : {});
    const s = summarize(g);
    expect(s.totals.macs).toBe(c.macs);
    expect(s.totals.parameters).toBe(c.parameters);
  });

  const withRefs = models.filter((m) => counts[m].weights && !counts[m].dynamic);
  it.each(withRefs)('%s: systolab run reproduces the exporter\'s outputs (rtol 1e-4, atol 1e-6)', (name) => {
    const ref = JSON.parse(readFileSync(join(FIX, `${name}.ref.json`), 'utf8'));
    const dir = tmp();
    writeFileSync(join(dir, 'x.json'), JSON.stringify(ref.input));
    const model = join(FIX, `${name}.onnx`);
    const r = systolab(['run', '--model', model, '--input', join(dir, 'x.json'), '--format', 'json']);
    expect(r.err).toBe('');
    const output = loadOnnxModel(model).output;
    const y = JSON.parse(r.out).outputs[output];
    expect(y.shape).toEqual(ref.output.shape);
    ref.output.data.forEach((v: number, i: number) => expect(Math.abs(y.data[i] - v)).toBeLessThanOrEqual(1e-6 + 1e-4 * Math.abs(v)));
  });

  it('systolab import writes a model file that runs to the same outputs', () => {
    const dir = tmp();
    const ref = JSON.parse(readFileSync(join(FIX, 'transformer.ref.json'), 'utf8'));
    writeFileSync(join(dir, 'x.json'), JSON.stringify(ref.input));
    const imp = systolab(['import', join(FIX, 'transformer.onnx'), '--out', join(dir, 't.json')]);
    expect(imp.code).toBe(0);
    expect(imp.out).toContain('13440');
    const doc = JSON.parse(readFileSync(join(dir, 't.json'), 'utf8'));
    expect(doc.layers.map((l: { kind: string }) => l.kind)).toContain('gelu');
    const r = systolab(['run', '--model', join(dir, 't.json'), '--input', join(dir, 'x.json'), '--format', 'json']);
    const y = JSON.parse(r.out).outputs[doc.output];
    ref.output.data.forEach((v: number, i: number) => expect(Math.abs(y.data[i] - v)).toBeLessThanOrEqual(1e-6 + 1e-4 * Math.abs(v)));
  });

  it('maps the CNN\'s operators to the expected layers (ceil-mode pool, pads, depthwise dilation, folded flatten chain)', () => {
    const g = loadOnnxModel(join(FIX, 'cnn.onnx'));
    expect(g.layers.filter((l) => l.kind === 'add')).toHaveLength(2); // the residuals; biases folded into their layers
    const t = loadOnnxModel(join(FIX, 'transformer.onnx'));
    expect(t.layers.filter((l) => l.kind === 'mul')).toHaveLength(0); // q·(1/√d) folded into W_Q; GELU's muls fused
    const pool = g.layers.find((l) => l.kind === 'maxPool2d') as NodeOf<'maxPool2d'>;
    expect(pool.ceilMode).toBe(true);
    const dw = g.layers.find((l) => l.kind === 'conv2d' && l.groups > 1) as NodeOf<'conv2d'>;
    expect(dw.dilation).toEqual([2, 2]);
    const pad = g.layers.find((l) => l.kind === 'pad') as NodeOf<'pad'>;
    expect(pad.padding).toEqual([0, 1, 1, 2]);
    const avg = g.layers.find((l) => l.kind === 'avgPool2d') as NodeOf<'avgPool2d'>;
    expect(avg.countIncludePad).toBe(false);
    const reshape = g.layers.find((l) => l.kind === 'reshape') as NodeOf<'reshape'>;
    expect(reshape.shape).toEqual([2, -1]);
  });
});

/** A hand-built ONNX model (onnx-proto) for operator details the PyTorch fixtures do not reach. */
function model(nodes: onnxProto.onnx.INodeProto[], inputs: [string, (number | string)[]][], inits: [string, number[], number[]][], outputs: string[], opset = 13): Uint8Array {
  const valueInfo = ([name, dims]: [string, (number | string)[]]) => ({
    name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  });
  return onnx.ModelProto.encode({
    irVersion: 8, opsetImport: [{ domain: '', version: opset }], producerName: 'test',
    graph: {
      name: 'g', node: nodes, input: inputs.map(valueInfo), output: outputs.map((o) => ({ name: o })),
      initializer: inits.map(([name, dims, data]) => ({ name, dims, dataType: 1, floatData: data })),
    },
  }).finish();
}
const attr = (name: string, v: number | number[] | string) => (typeof v === 'string'
  ? { name, type: 3, s: new TextEncoder().encode(v) }
  : Array.isArray(v) ? { name, type: 7, ints: v } : Number.isInteger(v) ? { name, type: 2, i: v } : { name, type: 1, f: v });

describe('operator details', () => {
  it('Gemm: alpha, beta, transB = 0 → dense with W = alpha·Bᵀ and bias = beta·C', () => {
    const bytes = model([{ opType: 'Gemm', name: 'fc', input: ['x', 'B', 'C'], output: ['y'], attribute: [attr('alpha', 2.5), attr('beta', 0.5)] }],
      [['x', [1, 2]]], [['B', [2, 3], [1, 2, 3, 4, 5, 6]], ['C', [3], [2, 4, 6]]], ['y']);
    const r = importOnnx(bytes, 'gemm.onnx');
    expect(Array.from(r.params['fc.weight'].data)).toEqual([2.5, 10, 5, 12.5, 7.5, 15]);
    expect(Array.from(r.params['fc.bias'].data)).toEqual([1, 2, 3]);
  });

  it('Conv auto_pad SAME_UPPER / SAME_LOWER put the odd pad below / above', () => {
    for (const [mode, pads] of [['SAME_UPPER', [0, 1, 0, 1]], ['SAME_LOWER', [1, 0, 1, 0]]] as const) {
      const bytes = model([{ opType: 'Conv', name: 'c', input: ['x', 'W'], output: ['y'], attribute: [attr('auto_pad', mode), attr('strides', [2, 2])] }],
        [['x', [1, 1, 5, 5]]], [['W', [1, 1, 2, 2], [1, 1, 1, 1]]], ['y']);
      const g = buildGraph(importOnnx(bytes, 'c.onnx').parsed);
      expect((g.layers[1] as NodeOf<'conv2d'>).padding).toEqual(pads);
      expect(g.shapes.c).toEqual([1, 1, 3, 3]);
    }
  });

  it('a constant Add that is not a per-channel bias is an error naming the node', () => {
    const bytes = model([
      { opType: 'MatMul', name: 'mm', input: ['x', 'W'], output: ['h'] },
      { opType: 'Add', name: 'odd_add', input: ['h', 'K'], output: ['y'] },
    ], [['x', [2, 3]]], [['W', [3, 2], [1, 2, 3, 4, 5, 6]], ['K', [2, 2], [1, 2, 3, 4]]], ['y']);
    expect(() => importOnnx(bytes, 'a.onnx')).toThrow(/node "odd_add" \(Add\).*not a per-channel vector/);
  });

  it('Clip takes its bounds from attributes before opset 11; Dropout and Identity pass through', () => {
    const bytes = model([
      { opType: 'Clip', name: 'clip', input: ['x'], output: ['a'], attribute: [attr('min', 0.0), attr('max', 6.0)] },
      { opType: 'Dropout', name: 'drop', input: ['a'], output: ['b'], attribute: [attr('ratio', 0.25)] },
      { opType: 'Identity', name: 'id', input: ['b'], output: ['y'] },
    ], [['x', [1, 4]]], [], ['y'], 9);
    const g = buildGraph(importOnnx(bytes, 'c.onnx').parsed);
    expect(g.layers.map((l) => l.kind)).toEqual(['input', 'clip', 'dropout']);
    expect((g.layers[1] as NodeOf<'clip'>).max).toBe(6);
    expect((g.layers[2] as NodeOf<'dropout'>).p).toBe(0.25);
  });
});

describe('bad input: one line, exit 2', () => {
  const oneLine = (r: { code: number | null; err: string }, pattern: RegExp) => {
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(pattern);
  };

  it('a truncated file', () => {
    const dir = tmp();
    const bytes = readFileSync(join(FIX, 'cnn.onnx'));
    writeFileSync(join(dir, 'cut.onnx'), bytes.subarray(0, Math.floor(bytes.length / 2)));
    oneLine(systolab(['models', 'show', join(dir, 'cut.onnx')]), /cut\.onnx: (is not an ONNX model|tensor ".*" holds)/);
  });

  it('a file that is not ONNX', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'text.onnx'), 'layers:\n  - { kind: input, shape: [1, 4] }\n');
    oneLine(systolab(['import', join(dir, 'text.onnx')]), /text\.onnx: is not an ONNX model/);
    writeFileSync(join(dir, 'empty.onnx'), '');
    oneLine(systolab(['run', '--model', join(dir, 'empty.onnx')]), /is not an ONNX model \(the file is empty\)/);
  });

  it('an unknown opset', () => {
    const dir = tmp();
    const m = onnx.ModelProto.decode(readFileSync(join(FIX, 'flat-cnn.onnx')));
    m.opsetImport[0].version = 99;
    writeFileSync(join(dir, 'future.onnx'), onnx.ModelProto.encode(m).finish());
    oneLine(systolab(['import', join(dir, 'future.onnx')]), /declares ONNX opset 99, which the importer does not know/);
  });

  it('unsupported operators: every one listed with its node name and the opset', () => {
    const r = systolab(['import', join(FIX, 'unsupported.onnx')]);
    oneLine(r, /3 nodes with operators the importer does not map, at opset 13: Sin \(node "[^"]+"\), Exp \(node "[^"]+"\), Cos \(node "[^"]+"\)/);
  });

  it('dynamic shapes without --input-shape; a wrong --input-shape', () => {
    oneLine(systolab(['simulate', '--model', join(FIX, 'flat-cnn-dynamic.onnx')]), /input "input" has dynamic dimensions: batch \(axis 0\).*--input-shape 1x1x28x28/);
    oneLine(systolab(['import', join(FIX, 'flat-cnn-dynamic.onnx'), '--input-shape', '1x28x28']), /gives 3 dims for input "input", whose rank is 4/);
    oneLine(systolab(['import', join(FIX, 'flat-cnn-dynamic.onnx'), '--input-shape', 'img=1x1x28x28']), /names "img", which is not an input/);
    oneLine(systolab(['import', join(FIX, 'flat-cnn-dynamic.onnx'), '--input-shape', '1xx']), /--input-shape: must be DIMS/);
    expect(() => loadOnnxModel(join(FIX, 'flat-cnn-dynamic.onnx'))).toThrow(SimError);
  });
});

describe('import / export --help examples', () => {
  it.each([...IMPORT_EXAMPLES, ...EXPORT_EXAMPLES])('%s', (cmd) => {
    const r = systolab(cmd.split(' '));
    expect(r.err.replace(/^simulate: charts in .*\n/m, '')).toBe('');   // simulate's one line saying where its report went
    expect(r.code).toBe(0);
    expect(r.out.length).toBeGreaterThan(0);
  });
});

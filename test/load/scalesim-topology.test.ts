/** SCALE-Sim topology CSVs, read as-is: every row an independent layer with SCALE-Sim's output sizes (ceil rule). */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimError } from '../../sim/base/errors.js';
import { buildGraph } from '../../sim/ir/graph.js';
import { lowerGraph } from '../../sim/lower/lower.js';
import { systolab } from '../helpers/cli.js';
import { isScaleSimTopology, parseScaleSimTopology } from '../../sim/load/scalesim-topology.js';
import type { LayerGraph, NodeOf } from '../../sim/ir/types.js';

const SAMPLES = join(import.meta.dirname, '..', 'fixtures', 'scalesim'); // SCALE-Sim's sample inputs (test/fixtures/scalesim/README.md)
const FILES = [
  ...['example_conv.csv', 'example_dw.csv', 'example_gemm.csv'].map((f) => join(SAMPLES, f)),
  ...readdirSync(join(SAMPLES, 'topologies')).map((f) => join(SAMPLES, 'topologies', f)),
];

const load = (file: string): LayerGraph => buildGraph(parseScaleSimTopology(readFileSync(file, 'utf8'), file), file);
const parse = (text: string): LayerGraph => buildGraph(parseScaleSimTopology(text, 'topo.csv'), 'topo.csv');
const conv = (g: LayerGraph, name: string) => g.layers.find((l) => l.name === name) as NodeOf<'conv2d'>;

/** Data rows of a topology file as [name, ...numbers] (reference reading: drop the header and the trailing comma). */
function rowsOf(file: string): [string, number[]][] {
  return readFileSync(file, 'utf8').split('\n').slice(1).filter((l) => l.trim() !== '').map((l) => {
    const f = l.split(',').slice(0, -1).map((x) => x.trim());
    return [f[0], f.slice(1).map(Number)];
  });
}

describe('SCALE-Sim topology CSVs', () => {
  it('recognizes them by extension', () => {
    expect(isScaleSimTopology('nets/Resnet18.csv')).toBe(true);
    expect(isScaleSimTopology('NET.CSV')).toBe(true);
    expect(isScaleSimTopology('net.yaml')).toBe(false);
  });

  it.each(FILES.map((f) => [f.replace(/^.*[\\/]/, ''), f]))('%s parses and builds; outputs follow SCALE-Sim\'s ceil rule', (_n, file) => {
    const g = load(file);
    const rows = rowsOf(file);
    expect(g.layers).toHaveLength(2 * rows.length);
    expect(g.output).toBe(rows[rows.length - 1][0]);
    for (const [name, v] of rows) {
      if (v.length === 3) {
        const [m, n, k] = v;
        expect(g.shapes[`${name}.input`]).toEqual([m, k]);
        expect(g.shapes[name]).toEqual([m, n]);
        continue;
      }
      const [h, w, r, s, c, k, stride] = v;
      const dp = name.includes('DP');
      expect(g.shapes[`${name}.ifmap`]).toEqual([1, c, h, w]);
      expect(g.shapes[name], name).toEqual([1, dp ? c * k : k, Math.ceil((h - r + stride) / stride), Math.ceil((w - s + stride) / stride)]);
      const node = conv(g, name);
      expect(node.inputs).toEqual([`${name}.ifmap`]);
      expect(node.groups).toBe(dp ? c : 1);
      expect(node.bias).toBe(false);
      expect(node.padding[0]).toBe(0);
      expect(node.padding[2]).toBe(0);
      expect(node.padding[1]).toBeLessThan(stride);
    }
  });

  it('ResNet-18 Conv1 (224×224, 7×7, stride 2) gives 110×110 as SCALE-Sim does, not 109', () => {
    const g = load(join(SAMPLES, 'topologies', 'Resnet18.csv'));
    expect(g.shapes.Conv1).toEqual([1, 64, 110, 110]);
    expect(conv(g, 'Conv1').padding).toEqual([0, 1, 0, 1]);
    expect(g.shapes.Conv2_1a).toEqual([1, 64, 54, 54]); // unpadded: 3×3 on 56×56
    expect(g.shapes.Conv3_s).toEqual([1, 128, 29, 29]); // 1×1 s2 on 56: ceil(57/2)
    expect(g.shapes.FC).toEqual([1, 1000, 1, 1]);
    expect(g.name).toBe('Resnet18');
  });

  it('a DP layer is depthwise: groups = C, filters = C·K', () => {
    const g = load(join(SAMPLES, 'example_dw.csv'));
    const dw = conv(g, 'dw_DP_3x3');
    expect([dw.groups, dw.filters, dw.kernel, dw.stride]).toEqual([8, 8, [3, 3], [1, 1]]);
    expect(g.shapes.dw_DP_3x3).toEqual([1, 8, 12, 12]);
    expect(conv(g, 'pw_1x1').groups).toBe(1);
    expect(g.paramSpecs.dw_DP_3x3.weight.shape).toEqual([8, 1, 3, 3]);
  });

  it('GEMM form: an [M, K] input and a dense layer of N units (m = M, k = K, n = N)', () => {
    const g = load(join(SAMPLES, 'example_gemm.csv'));
    const fc = g.layers.find((l) => l.name === 'qkv_proj') as NodeOf<'dense'>;
    expect(fc).toMatchObject({ kind: 'dense', units: 288, bias: false, inputs: ['qkv_proj.input'] });
    expect(g.shapes['qkv_proj.input']).toEqual([96, 96]);
    expect(g.paramSpecs.qkv_proj.weight.shape).toEqual([288, 96]);
    expect(g.shapes.ffn_up).toEqual([96, 384]);
    expect(g.output).toBe('ffn_up');
  });

  it('accepts an 8th number (stride along the width), a missing trailing comma, CRLF and a header-less file', () => {
    const g = parse('Layer, H, W, R, S, C, K, Sh, Sw,\r\nc1,9,10,3,3,2,4,2,3,\r\nc2,5,5,1,1,4,8,1\r\n');
    expect(g.shapes.c1).toEqual([1, 4, 4, 4]); // ceil((9−3+2)/2) = 4, ceil((10−3+3)/3) = 4
    expect(g.shapes.c2).toEqual([1, 8, 5, 5]);
    expect(parse('a,4,4,4,\nb,2,3,4,\n').shapes.b).toEqual([2, 3]);
  });

  const HEADER = 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n';
  const cases: [string, string, string[]][] = [
    ['too few fields', `${HEADER}c1,8,8,3,3,4,2,\n`, ['topo.csv', 'line 2', 'has 6 numbers', '"c1,8,8,3,3,4,2,"']],
    ['too many fields', `${HEADER}c1,8,8,3,3,4,2,1,1,1,\n`, ['line 2', 'has 9 numbers']],
    ['non-integer', `${HEADER}c1,8,8,3,3,4,2,1,\nc2,8,8.5,3,3,4,2,1,\n`, ['topo.csv', 'line 3', 'layer "c2"', '(got "8.5")']],
    ['zero', `${HEADER}c1,8,8,3,3,0,2,1,\n`, ['line 2', 'field 6', '(got "0")']],
    ['text', `${HEADER}c1,8,8,3,x,4,2,1,\n`, ['line 2', '(got "x")']],
    ['filter taller than ifmap', `${HEADER}c1,2,8,3,3,4,2,1,\n`, ['topo.csv', 'line 2', 'filter height 3', 'ifmap height 2', '(got 3)']],
    ['filter wider than ifmap', `${HEADER}c1,8,2,3,3,4,2,1,\n`, ['line 2', 'filter width 3', '(got 3)']],
    ['mixed forms', `${HEADER}c1,8,8,3,3,4,2,1,\ng1,4,4,4,\n`, ['line 3', 'one form']],
    ['repeated name', `${HEADER}c1,8,8,3,3,4,2,1,\nc1,8,8,3,3,4,2,1,\n`, ['line 3', 'repeats', '"c1"']],
    ['no rows', HEADER, ['topo.csv', 'no layer rows']],
    ['no name', `${HEADER},8,8,3,3,4,2,1,\n`, ['line 2', 'no layer name']],
  ];
  it.each(cases)('%s → SimError naming file, line and value', (_what, text, parts) => {
    let err: unknown;
    try {
      parse(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SimError);
    for (const part of parts) expect((err as SimError).message).toContain(part);
  });
});

/**
 * Training on a topology: the rows are the network the file lists, so every row gets dW and every row but the first
 * gets dX (its ifmap stands for the previous row's output). The expected MACs are computed here from the CSV numbers
 * with the lowering's rules, not by calling it:
 *  - dW of a conv row = its forward MACs: m = Cg·R·S, k = N·P·Q, n = Kg per group, i.e. the forward GEMM transposed;
 *  - dX of a conv row is the stride-1 conv of dY (dilated by the stride, padded by R − 1 less the top padding) with the
 *    flipped kernel, one output per input pixel: per group m = N·H·W, k = Kg·R·S, n = Cg. Over the groups that is
 *    N·H·W·K·R·S·C / groups, which is H·W·R·S·C·K for both a plain row (groups 1, K filters) and a `DP` row
 *    (groups = C, C·K filters) at N = 1;
 *  - a GEMM row `M, N, K`: dX = dY·W, m = M, k = N, n = K: M·N·K MACs, the forward's.
 */
describe('SCALE-Sim topologies in training', () => {
  const TOPOLOGIES = join(import.meta.dirname, '..', '..', 'models', 'scalesim');
  const rowMacs = ([, v]: [string, number[]]): { forward: number; dX: number } => {
    if (v.length === 3) return { forward: v[0] * v[1] * v[2], dX: v[0] * v[1] * v[2] };
    const [h, w, r, s, c, k, sh, sw = sh] = v;
    const p = Math.ceil((h - r + sh) / sh), q = Math.ceil((w - s + sw) / sw);
    return { forward: p * q * r * s * c * k, dX: h * w * r * s * c * k };
  };
  const expected = (file: string) => {
    const rows = rowsOf(file).map(rowMacs);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    return { forward: sum(rows.map((r) => r.forward)), backwardData: sum(rows.slice(1).map((r) => r.dX)), backwardWeight: sum(rows.map((r) => r.forward)) };
  };
  /** At the files' own batch: 1 for conv rows (a `batch` option would also replace a GEMM row's M). */
  const loweredMacs = (g: LayerGraph): Record<string, number> => {
    const macs: Record<string, number> = { forward: 0, backwardData: 0, backwardWeight: 0 };
    for (const op of lowerGraph(g, { mode: 'training' }).ops) if (op.kind === 'gemm') macs[op.pass] += op.m * op.k * op.n;
    return macs;
  };
  /** The graph as it was loaded before rows stood for one another: every row its own network. */
  const unchained = (g: LayerGraph): LayerGraph => buildGraph({
    name: g.name, output: g.output, seed: g.seed, params: {}, init: g.init,
    layers: g.layers.map((l) => (l.kind === 'input' ? { kind: 'input', name: l.name, inputs: l.inputs, shape: l.shape } : l)),
  });
  const ALL = [...readdirSync(TOPOLOGIES).filter(isScaleSimTopology).map((f) => join(TOPOLOGIES, f)), ...FILES];

  it('every row but the first stands for the previous row', () => {
    const g = load(join(TOPOLOGIES, 'resnet18.csv'));
    const inputs = g.layers.filter((l) => l.kind === 'input') as NodeOf<'input'>[];
    const rows = rowsOf(join(TOPOLOGIES, 'resnet18.csv')).map(([name]) => name);
    expect(inputs.map((l) => l.standsFor)).toEqual([undefined, ...rows.slice(0, -1)]);
  });

  it('ResNet-18 at batch 1: dW = forward = 1,471,181,568 MACs; dX = Σ of the rows 2–21 dX GEMMs', () => {
    const file = join(TOPOLOGIES, 'resnet18.csv');
    const want = expected(file);
    expect(want.forward).toBe(1_471_181_568);
    expect(loweredMacs(load(file))).toEqual(want);
  });

  it.each(ALL.map((f) => [f.replace(/^.*[\\/]/, ''), f]))('%s: dW for every row, dX for every row but the first', (_n, file) => {
    expect(loweredMacs(load(file))).toEqual(expected(file));
  });

  it('the oracle catches the old lowering (rows as separate networks: no dX, dW of the last row only)', () => {
    const file = join(TOPOLOGIES, 'resnet18.csv');
    const old = loweredMacs(unchained(load(file)));
    expect(old).toEqual({ forward: 1_471_181_568, backwardData: 0, backwardWeight: 512_000 });
    expect(old).not.toEqual(expected(file));
  });

  it.each(ALL.map((f) => [f.replace(/^.*[\\/]/, ''), f]))('%s: inference lowers exactly as before', (_n, file) => {
    const g = load(file);
    expect(lowerGraph(g, { mode: 'inference' })).toEqual(lowerGraph(unchained(g), { mode: 'inference' }));
  });

  it('says once that the rows do not chain when their shapes differ, and nothing when they do', () => {
    const file = join(TOPOLOGIES, 'resnet18.csv');
    // Rows whose ifmap [C, H, W] is not the previous row's output [K, P, Q] (ceil rule).
    const rows = rowsOf(file).map(([, [h, w, r, s, c, k, st]]) => ({ in: [c, h, w].join(), out: [k, Math.ceil((h - r + st) / st), Math.ceil((w - s + st) / st)].join() }));
    const differ = rows.filter((row, i) => i > 0 && row.in !== rows[i - 1].out).length;
    expect(differ).toBe(17); // Conv3_1b, Conv4_1b and Conv5_1b read their predecessor's output exactly
    const notes = lowerGraph(load(file), { mode: 'training' }).notes;
    expect(notes).toHaveLength(1);
    expect(notes![0]).toContain(`${differ} layer inputs stand for the output of a layer of another shape`);
    expect(notes![0]).toContain('Conv2_1a.ifmap [1, 64, 56, 56] stands for Conv1 [1, 64, 110, 110]');
    expect(lowerGraph(load(join(TOPOLOGIES, 'resnet18.csv')), { mode: 'inference' }).notes).toBeUndefined();
    // 3×3 on 8×8 gives 6×6, which the next row reads: a true chain.
    const chained = parse('c1,8,8,3,3,2,4,1,\nc2,6,6,3,3,4,5,1,\n');
    expect(lowerGraph(chained, { mode: 'training' }).notes).toBeUndefined();
  });

  it('through the bundled CLI: simulate --mode training --format json, in a temp folder', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'systolab-topology-'));
    const r = systolab(['simulate', '--model', join(TOPOLOGIES, 'resnet18.csv'), '--mode', 'training', '--format', 'json'], cwd);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as { totals: { byPass: Record<string, { macs: number }> }; warnings: string[] };
    const byPass = report.totals.byPass;
    // the report says, once, that the rows' shapes do not chain exactly
    expect(report.warnings.filter((w) => /stand for the output of a layer of another shape/.test(w))).toHaveLength(1);
    const want = expected(join(TOPOLOGIES, 'resnet18.csv'));
    expect([byPass.forward.macs, byPass.backwardData.macs, byPass.backwardWeight.macs])
      .toEqual([want.forward, want.backwardData, want.backwardWeight]);
    expect(readdirSync(cwd)).toEqual([]);
  });
});

/** model → SCALE-Sim topology CSV → model keeps every forward GEMM shape (m, k, n) of lowerGraph. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../sim/ir/graph.js';
import { loadAnyModel } from '../../sim/load/model.js';
import { parseModel } from '../../sim/ir/parse.js';
import { parseScaleSimTopology } from '../../sim/load/scalesim-topology.js';
import type { LayerGraph } from '../../sim/ir/types.js';
import { graphToScaleSim } from '../../sim/report/scalesim-export.js';
import { lowerGraph } from '../../sim/lower/lower.js';

const gemmShapes = (g: LayerGraph) => lowerGraph(g, { mode: 'inference' }).ops
  .flatMap((o) => (o.kind === 'gemm' && o.pass === 'forward' ? [`${o.m}x${o.k}x${o.n}`] : [])).sort();
const roundTrip = (g: LayerGraph) => buildGraph(parseScaleSimTopology(graphToScaleSim(g), 'rt.csv'), 'rt.csv');

describe('export --scalesim', () => {
  it.each(['resnet18', 'mobilenet-v2', 'mobilenet-v2:batch=2', 'bert-base-layer:seq=16'])('%s: the CSV round trip keeps every GEMM shape', (name) => {
    const g = loadAnyModel(name);
    expect(gemmShapes(roundTrip(g))).toEqual(gemmShapes(g));
  });

  it('writes H\' = (P − 1)·s + R, so SCALE-Sim\'s ceil rule gives P, and names depthwise rows DP', () => {
    const csv = graphToScaleSim(loadAnyModel('mobilenet-v2'));
    const lines = csv.trim().split('\n');
    expect(lines[1]).toBe('features.0, 225, 225, 3, 3, 3, 32, 2,'); // 224 input, pad 1, stride 2 → P 112: 111·2 + 3
    expect(lines.filter((l) => l.includes('DP'))).toHaveLength(17);
    for (const l of lines.slice(1)) {
      const [h, , r, , , , s] = l.split(',').slice(1, 8).map(Number);
      expect(Number.isInteger((h - r) / s)).toBe(true); // no window hangs over: ceil = floor
    }
  });

  it('random conv/dense stacks (strides, padding, groups, depthwise, batch) keep every GEMM shape', () => {
    const layer = fc.oneof(
      fc.record({ kind: fc.constant('conv2d'), filters: fc.integer({ min: 1, max: 6 }), kernel: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
        stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })), padding: fc.tuple(fc.nat(1), fc.nat(1), fc.nat(1), fc.nat(1)),
        groups: fc.constantFrom('one', 'depthwise', 'two') }),
      fc.record({ kind: fc.constant('relu') }),
    );
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 6, max: 12 }), fc.array(layer, { minLength: 1, maxLength: 5 }),
      fc.integer({ min: 1, max: 5 }), (batch, c0, size, stack, units) => {
        const layers: Record<string, unknown>[] = [{ name: 'x', kind: 'input', shape: [batch, c0 * 2, size, size] }];
        let c = c0 * 2, h = size;
        stack.forEach((l, i) => {
          if (l.kind === 'relu') return layers.push({ name: `r${i}`, kind: 'relu' });
          const [kh, kw] = l.kernel;
          if (h + l.padding[0] + l.padding[1] < kh + 1 || h + l.padding[2] + l.padding[3] < kw + 1) return;
          const groups = l.groups === 'depthwise' ? c : l.groups === 'two' && c % 2 === 0 ? 2 : 1;
          const filters = groups === c ? c * (1 + (l.filters % 2)) : groups * l.filters;
          layers.push({ name: `c${i}`, kind: 'conv2d', filters, kernel: l.kernel, stride: l.stride, padding: l.padding, groups });
          c = filters;
          h = Math.floor((h + l.padding[0] + l.padding[1] - kh) / l.stride[0]) + 1;
          if (h < 3) return;
        });
        layers.push({ name: 'flat', kind: 'flatten' }, { name: 'fc', kind: 'dense', units });
        let g: LayerGraph;
        try {
          g = buildGraph(parseModel({ layers }, 'p.yaml'), 'p.yaml');
        } catch {
          return; // a stack whose spatial size ran out
        }
        expect(gemmShapes(roundTrip(g))).toEqual(gemmShapes(g));
      }), { numRuns: 150, seed: 11 });
  });

  it('writes GEMM rows (name, M, N, K) for a model without convs', () => {
    const g = loadAnyModel('iris-mlp');
    const csv = graphToScaleSim(g);
    expect(csv.split('\n')[0]).toBe('Layer, M, N, K,');
    expect(gemmShapes(roundTrip(g))).toEqual(gemmShapes(g));
  });
});

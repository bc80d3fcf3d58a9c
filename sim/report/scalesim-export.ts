/**
 * LayerGraph → SCALE-Sim topology CSV (the format `load/scalesim-topology.ts` reads), so a model's GEMMs can be
 * cross-checked in SCALE-Sim. One row per GEMM-bearing layer, in evaluation order; the file keeps every forward GEMM
 * shape (m, k, n) of `lowerGraph` (test/import/scalesim-export.test.ts checks model → CSV → model):
 *  - conv2d → conv form `name, H', W', R, S, C, K, stride,` (`…, strideH, strideW,` when they differ). SCALE-Sim
 *    applies no padding and sizes outputs as ceil((H − R + s)/s), so the ifmap written is the extent the layer's
 *    windows span, H' = (P − 1)·s + R (likewise W' from Q): padding is folded in, and SCALE-Sim computes P × Q.
 *    SCALE-Sim has no batch: a batch N > 1 is folded into the rows, H' = (N·P − 1)·s + R, so m = N·P·Q still holds.
 *    Depthwise convs (groups = C) get `DP` in their name (SCALE-Sim's convention) and K = filters/C; other grouped
 *    convs become one row per group (`name_g0`, …) with C/groups channels and filters/groups filters. A name that
 *    contains `DP` but is not depthwise is written with `Dp` instead. Dilated convs are an error (SCALE-Sim has no
 *    dilation, and a dilated window would change k).
 *  - dense → a 1×1 conv: `name, M, 1, 1, 1, in, units, 1,` (m = M rows, k = in, n = units) — so that dense and conv
 *    layers can share one file (a SCALE-Sim file holds one form). A model with only dense and matmul layers is
 *    written in GEMM form instead: `name, M, N, K,`.
 *  - matmul → one row per forward GEMM it lowers to (`name` or `name_b<i>`), as a 1×1 conv or GEMM row likewise.
 * Layers without GEMMs (activations, pools, norms, …) are not written: SCALE-Sim simulates only the array.
 */
import { SimError } from '../base/errors.js';
import type { LayerGraph, NodeOf } from '../ir/types.js';
import { lowerGraph } from '../lower/lower.js';

const clean = (name: string) => name.replace(/[,\s]+/g, '_');

export function graphToScaleSim(graph: LayerGraph, file?: string): string {
  const gemms = lowerGraph(graph, { mode: 'inference' }).ops.filter((o) => o.kind === 'gemm' && o.pass === 'forward');
  const byName = new Map(graph.layers.map((l) => [l.name, l]));
  const gemmForm = !graph.layers.some((l) => l.kind === 'conv2d');
  const rows: string[] = [];
  const used = new Set<string>();
  const push = (raw: string, numbers: readonly number[], depthwise = false) => {
    let name = clean(raw);
    if (!depthwise) name = name.replace(/DP/g, 'Dp');
    else if (!name.includes('DP')) name = `${name}_DP`;
    let unique = name;
    for (let i = 2; used.has(unique); i++) unique = `${name}_${i}`;
    used.add(unique);
    rows.push(`${unique}, ${numbers.join(', ')},`);
  };
  const gemmRow = (name: string, m: number, k: number, n: number) => push(name, gemmForm ? [m, n, k] : [m, 1, 1, 1, k, n, 1]);
  for (const name of graph.order) {
    const node = byName.get(name)!;
    if (node.kind === 'conv2d') {
      const conv = node as NodeOf<'conv2d'>;
      const [n, c] = graph.shapes[node.inputs[0]];
      const [, k, p, q] = graph.shapes[name];
      if (conv.dilation[0] !== 1 || conv.dilation[1] !== 1) {
        throw new SimError(`layer "${name}" is a dilated conv (dilation [${conv.dilation.join(', ')}]), which SCALE-Sim cannot express`, {
          code: 'unsupported', file, hint: 'SCALE-Sim has no dilation; a dilated window would change the GEMM\'s k.',
        });
      }
      const [r, s] = conv.kernel, [sh, sw] = conv.stride;
      const h = (n * p - 1) * sh + r, w = (q - 1) * sw + s;
      const strides = sh === sw ? [sh] : [sh, sw];
      const g = conv.groups;
      if (g === 1) push(name, [h, w, r, s, c, k, ...strides]);
      else if (g === c) push(name, [h, w, r, s, c, k / c, ...strides], true);
      else for (let i = 0; i < g; i++) push(`${name}_g${i}`, [h, w, r, s, c / g, k / g, ...strides]);
    } else if (node.kind === 'dense' || node.kind === 'matmul') {
      const own = gemms.filter((o) => o.layer === name);
      own.forEach((o, i) => {
        if (o.kind === 'gemm') gemmRow(own.length > 1 ? `${name}_b${i}` : name, o.m, o.k, o.n);
      });
    }
  }
  if (rows.length === 0) {
    throw new SimError('has no conv, dense or matmul layer, so there is nothing for SCALE-Sim to simulate', { code: 'badValue', file });
  }
  const header = gemmForm ? 'Layer, M, N, K,' : 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,';
  return `${header}\n${rows.join('\n')}\n`;
}

/** PyTorch exports GELU (Gelu is an operator only from opset 20) as x·0.5·(1 + erf(x/√2)); the importer fuses it back. */
import type { OnnxNode } from './decode.js';
import type { FoldTensor } from './fold.js';

/** Finds x·0.5·(1 + erf(x/√2)) subgraphs and replaces each with one Gelu node at the position of its last node. */
export function fuseGelu(nodes: readonly OnnxNode[], constant: (name: string) => FoldTensor | null, uses: ReadonlyMap<string, number>): OnnxNode[] {
  const producer = new Map<string, OnnxNode>();
  const consumers = new Map<string, OnnxNode[]>();
  for (const n of nodes) {
    for (const o of n.outputs) producer.set(o, n);
    for (const i of n.inputs) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  }
  const scalar = (name: string, v: number) => {
    const c = constant(name);
    return c !== null && c.data.length === 1 && Math.abs(c.data[0] - v) <= 1e-6 * Math.abs(v);
  };
  const only = (value: string): OnnxNode | null => {
    const c = consumers.get(value) ?? [];
    return c.length === 1 && (uses.get(value) ?? 0) === 1 ? c[0] : null;
  };
  /** For a binary node with one input equal to `value`, the other input. */
  const other = (n: OnnxNode, value: string) => (n.inputs[0] === value ? n.inputs[1] : n.inputs[1] === value ? n.inputs[0] : null);
  const drop = new Set<OnnxNode>();
  const replace = new Map<OnnxNode, OnnxNode>();
  for (const erf of nodes) {
    if (erf.opType !== 'Erf') continue;
    const scale = producer.get(erf.inputs[0]);
    if (!scale || only(erf.inputs[0]) !== erf) continue;
    let x: string | null = null;
    if (scale.opType === 'Div' && scalar(scale.inputs[1], Math.SQRT2)) x = scale.inputs[0];
    if (scale.opType === 'Mul') {
      for (const [a, b] of [[0, 1], [1, 0]]) if (scalar(scale.inputs[b], Math.SQRT1_2)) x = scale.inputs[a];
    }
    if (x === null) continue;
    const plus = only(erf.outputs[0]);
    if (!plus || plus.opType !== 'Add' || !scalar(other(plus, erf.outputs[0]) ?? '', 1)) continue;
    const times = only(plus.outputs[0]);
    if (!times || times.opType !== 'Mul') continue;
    const partner = other(times, plus.outputs[0])!;
    const chain = [scale, erf, plus, times];
    let last: OnnxNode;
    if (partner === x) {
      // x·(1 + erf) then ·0.5
      const half = only(times.outputs[0]);
      if (!half || half.opType !== 'Mul' || !scalar(other(half, times.outputs[0]) ?? '', 0.5)) continue;
      chain.push(half);
      last = half;
    } else {
      // (x·0.5)·(1 + erf)
      const halfNode = producer.get(partner);
      if (!halfNode || halfNode.opType !== 'Mul' || only(partner) !== times) continue;
      const xin = other(halfNode, x);
      if (xin === null || !scalar(xin, 0.5)) continue;
      chain.push(halfNode);
      last = times;
    }
    for (const n of chain) drop.add(n);
    replace.set(last, { name: `${erf.name}.gelu`, opType: 'Gelu', domain: '', inputs: [x], outputs: [last.outputs[0]], attrs: new Map() });
  }
  return nodes.flatMap((n) => (replace.has(n) ? [replace.get(n)!] : drop.has(n) ? [] : [n]));
}

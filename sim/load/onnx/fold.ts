/**
 * Constant folding of the small tensor arithmetic exporters emit around shapes and pads (PyTorch's
 * Shape → Gather → Unsqueeze → Concat → Reshape chain for `x.view(x.size(0), -1)`, ConstantOfShape/Slice chains for
 * `F.pad`…). Every function takes constant inputs and returns a constant; `null` inputs are omitted optional ones.
 */
import { checkProduct } from '../../base/limits.js';
import type { AttrValue, Tensor } from './decode.js';

export interface FoldTensor extends Tensor { readonly int?: boolean }

const size = (d: readonly number[]) => d.reduce((a, b) => a * b, 1);
/** A folded constant's values: allocated, so its element count is checked first (docs/limits.md). */
const values = (dims: readonly number[]) =>
  new Float64Array(checkProduct(dims, 'floatElements', { path: 'constant folding' }, `a constant of shape [${dims.join(', ')}]`));
const strides = (d: readonly number[]) => {
  const s = new Array<number>(d.length).fill(1);
  for (let i = d.length - 2; i >= 0; i--) s[i] = s[i + 1] * d[i + 1];
  return s;
};
const norm = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);
export const ints = (t: Tensor | null | undefined): number[] => (t ? Array.from(t.data) : []);
const INT_TYPES = new Set([2, 3, 4, 5, 6, 7, 9, 12, 13]);

function broadcast(a: FoldTensor, b: FoldTensor, f: (x: number, y: number) => number, int: boolean): FoldTensor {
  const rank = Math.max(a.dims.length, b.dims.length);
  const pa = [...new Array(rank - a.dims.length).fill(1), ...a.dims], pb = [...new Array(rank - b.dims.length).fill(1), ...b.dims];
  const dims = pa.map((x, i) => {
    if (x !== pb[i] && x !== 1 && pb[i] !== 1) throw new Error(`cannot broadcast [${a.dims}] with [${b.dims}]`);
    return Math.max(x, pb[i]);
  });
  const sa = strides(pa), sb = strides(pb), so = strides(dims);
  const out = values(dims);
  for (let i = 0; i < out.length; i++) {
    let ia = 0, ib = 0;
    for (let d = 0; d < rank; d++) {
      const c = Math.floor(i / so[d]) % dims[d];
      if (pa[d] !== 1) ia += c * sa[d];
      if (pb[d] !== 1) ib += c * sb[d];
    }
    out[i] = f(a.data[ia], b.data[ib]);
  }
  return { dims, data: out, int };
}

export function transposeTensor(x: Tensor, perm: readonly number[]): FoldTensor {
  const dims = perm.map((p) => x.dims[p]);
  const si = strides(x.dims), so = strides(dims);
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < out.length; i++) {
    let src = 0;
    for (let d = 0; d < dims.length; d++) src += (Math.floor(i / so[d]) % dims[d]) * si[perm[d]];
    out[i] = x.data[src];
  }
  return { dims, data: out, int: (x as FoldTensor).int };
}

/** Target dims of an ONNX Reshape (0 copies, −1 inferred). */
export function reshapeDims(input: readonly number[], target: readonly number[], allowZero = false): number[] {
  const dims = target.map((d, i) => (d === 0 && !allowZero ? input[i] : d));
  const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  return dims.map((d) => (d === -1 ? size(input) / known : d));
}

type Attrs = ReadonlyMap<string, AttrValue>;
const attrInts = (a: Attrs, k: string): number[] | undefined => a.get(k) as number[] | undefined;

/** Evaluates one constant node; returns null when the operator is not one the folder knows. */
export function fold(op: string, inputs: readonly (FoldTensor | null)[], attrs: Attrs, opset: number): FoldTensor[] | null {
  const [x, y] = inputs;
  const isInt = (t: FoldTensor | null) => !!t?.int;
  switch (op) {
    case 'Identity': return [x!];
    case 'Constant': {
      if (attrs.has('value')) return [attrs.get('value') as Tensor];
      for (const [k, float] of [['value_float', true], ['value_int', false]] as const) {
        if (attrs.has(k)) return [{ dims: [], data: Float64Array.of(attrs.get(k) as number), int: !float }];
      }
      for (const [k, float] of [['value_floats', true], ['value_ints', false]] as const) {
        if (attrs.has(k)) {
          const v = attrs.get(k) as number[];
          return [{ dims: [v.length], data: Float64Array.from(v), int: !float }];
        }
      }
      return null;
    }
    case 'Cast': {
      const to = attrs.get('to') as number;
      const int = INT_TYPES.has(to);
      return [{ dims: x!.dims, data: int ? x!.data.map(Math.trunc) : x!.data, int }];
    }
    case 'Gather': {
      const axis = norm((attrs.get('axis') as number | undefined) ?? 0, x!.dims.length);
      const idx = y!;
      const outer = size(x!.dims.slice(0, axis)), inner = size(x!.dims.slice(axis + 1)), n = x!.dims[axis];
      const out: number[] = [];
      for (let o = 0; o < outer; o++) {
        for (const raw of idx.data) {
          const j = raw < 0 ? raw + n : raw;
          for (let i = 0; i < inner; i++) out.push(x!.data[(o * n + j) * inner + i]);
        }
      }
      return [{ dims: [...x!.dims.slice(0, axis), ...idx.dims, ...x!.dims.slice(axis + 1)], data: Float64Array.from(out), int: isInt(x) }];
    }
    case 'Unsqueeze': {
      const axes = opset >= 13 ? ints(y) : attrInts(attrs, 'axes') ?? [];
      const rank = x!.dims.length + axes.length;
      const set = new Set(axes.map((a) => norm(a, rank)));
      const dims: number[] = [];
      let j = 0;
      for (let i = 0; i < rank; i++) dims.push(set.has(i) ? 1 : x!.dims[j++]);
      return [{ ...x!, dims }];
    }
    case 'Squeeze': {
      const axes = opset >= 13 ? (y ? ints(y) : null) : attrInts(attrs, 'axes') ?? null;
      const set = new Set((axes ?? x!.dims.flatMap((d, i) => (d === 1 ? [i] : []))).map((a) => norm(a, x!.dims.length)));
      return [{ ...x!, dims: x!.dims.filter((_, i) => !set.has(i)) }];
    }
    case 'Concat': {
      const parts = inputs.filter((t): t is FoldTensor => t !== null);
      const axis = norm(attrs.get('axis') as number, parts[0].dims.length);
      const outer = size(parts[0].dims.slice(0, axis));
      const out: number[] = [];
      for (let o = 0; o < outer; o++) {
        for (const p of parts) {
          const chunk = size(p.dims.slice(axis));
          for (let i = 0; i < chunk; i++) out.push(p.data[o * chunk + i]);
        }
      }
      const dims = [...parts[0].dims];
      dims[axis] = parts.reduce((s, p) => s + p.dims[axis], 0);
      return [{ dims, data: Float64Array.from(out), int: parts.every((p) => p.int) }];
    }
    case 'Reshape': return [{ ...x!, dims: reshapeDims(x!.dims, ints(y), attrs.get('allowzero') === 1) }];
    case 'Flatten': {
      const axis = norm((attrs.get('axis') as number | undefined) ?? 1, x!.dims.length);
      return [{ ...x!, dims: [size(x!.dims.slice(0, axis)), size(x!.dims.slice(axis))] }];
    }
    case 'Transpose': return [transposeTensor(x!, attrInts(attrs, 'perm') ?? x!.dims.map((_, i) => x!.dims.length - 1 - i))];
    case 'ConstantOfShape': {
      const v = attrs.get('value') as Tensor | undefined;
      const dims = ints(x);
      return [{ dims, data: values(dims).fill(v ? v.data[0] : 0), int: !!v && (v as FoldTensor).int }];
    }
    case 'Slice': {
      const rank = x!.dims.length;
      const starts = opset >= 10 ? ints(inputs[1]) : attrInts(attrs, 'starts')!;
      const ends = opset >= 10 ? ints(inputs[2]) : attrInts(attrs, 'ends')!;
      const axes = (opset >= 10 ? (inputs[3] ? ints(inputs[3]) : null) : attrInts(attrs, 'axes')) ?? starts.map((_, i) => i);
      const steps = opset >= 10 && inputs[4] ? ints(inputs[4]) : starts.map(() => 1);
      const begin = x!.dims.map(() => 0), step = x!.dims.map(() => 1), count = [...x!.dims];
      axes.forEach((a0, i) => {
        const a = norm(a0, rank), n = x!.dims[a], s = steps[i];
        const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + n : v, lo), hi);
        const b = s > 0 ? clamp(starts[i], 0, n) : clamp(starts[i], -1, n - 1);
        const e = s > 0 ? clamp(ends[i], 0, n) : clamp(ends[i], -1, n - 1);
        begin[a] = b; step[a] = s;
        count[a] = Math.max(0, Math.ceil((e - b) / s));
      });
      const si = strides(x!.dims), so = strides(count);
      const out = values(count);
      for (let i = 0; i < out.length; i++) {
        let src = 0;
        for (let d = 0; d < rank; d++) src += (begin[d] + (Math.floor(i / so[d]) % count[d]) * step[d]) * si[d];
        out[i] = x!.data[src];
      }
      return [{ dims: count, data: out, int: isInt(x) }];
    }
    case 'Add': return [broadcast(x!, y!, (a, b) => a + b, isInt(x) && isInt(y))];
    case 'Sub': return [broadcast(x!, y!, (a, b) => a - b, isInt(x) && isInt(y))];
    case 'Mul': return [broadcast(x!, y!, (a, b) => a * b, isInt(x) && isInt(y))];
    case 'Div': {
      const int = isInt(x) && isInt(y);
      return [broadcast(x!, y!, (a, b) => (int ? Math.trunc(a / b) : a / b), int)];
    }
    case 'Pow': return [broadcast(x!, y!, (a, b) => a ** b, isInt(x))];
    case 'Equal': return [broadcast(x!, y!, (a, b) => Number(a === b), true)];
    case 'Where': {
      const xy = broadcast(y!, inputs[2]!, (a) => a, isInt(y));
      const cond = broadcast(x!, xy, (c) => c, true);
      const other = broadcast(inputs[2]!, xy, (a) => a, isInt(y));
      const chosen = broadcast(y!, xy, (a) => a, isInt(y));
      return [{ dims: xy.dims, data: cond.data.map((c, i) => (c ? chosen.data[i] : other.data[i])), int: isInt(y) }];
    }
    case 'Neg': return [{ ...x!, data: x!.data.map((v) => -v) }];
    case 'Sqrt': return [{ dims: x!.dims, data: x!.data.map(Math.sqrt) }];
    case 'Range': {
      const [s, l, d] = [x!.data[0], y!.data[0], inputs[2]!.data[0]];
      const n = Math.max(Math.ceil((l - s) / d), 0);
      return [{ dims: [n], data: Float64Array.from({ length: n }, (_, i) => s + i * d), int: isInt(x) }];
    }
    default: return null;
  }
}

/** Operators `fold` evaluates. */
export const FOLDABLE = new Set(['Identity', 'Constant', 'Cast', 'Gather', 'Unsqueeze', 'Squeeze', 'Concat', 'Reshape', 'Flatten', 'Transpose',
  'ConstantOfShape', 'Slice', 'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Equal', 'Where', 'Neg', 'Sqrt', 'Range']);

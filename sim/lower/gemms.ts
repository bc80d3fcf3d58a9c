/**
 * The GEMMs of the three array kinds (dense, conv2d, matmul), per pass. The shapes are stated in lower.ts's module
 * comment; execute.ts materializes exactly these operands and checks their sizes against m, k, n.
 */
import type { NodeOf } from '../ir/types.js';
import { type Shape, convDims, matmulDims, matmulGemmShapes, sizeOf, touched } from './geometry.js';
import type { ConvGeometry, GemmLayerKind, GemmOp, OperandRef, Pass } from './types.js';

const ref = (tensor: string, uniqueElements: number): OperandRef => ({ tensor, uniqueElements });

interface GemmArgs {
  readonly layer: string;
  readonly layerKind: GemmLayerKind;
  readonly pass: Pass;
  readonly mkn: readonly [number, number, number];
  readonly a: OperandRef; readonly b: OperandRef; readonly c: OperandRef;
  readonly group?: number; readonly groups?: number;
  readonly conv?: ConvGeometry;
  readonly gradientOf?: 'inputA' | 'inputB';
  /** Extra id parts after the pass and group, e.g. `.dA`, `.b3`. */
  readonly suffix?: string;
}

export function gemmOp(g: GemmArgs): GemmOp {
  const group = g.group ?? 0, groups = g.groups ?? 1;
  return {
    kind: 'gemm',
    id: `${g.layer}.${g.pass}${groups > 1 ? `.g${group}` : ''}${g.suffix ?? ''}`,
    layer: g.layer, layerKind: g.layerKind, pass: g.pass,
    m: g.mkn[0], k: g.mkn[1], n: g.mkn[2], group, groups,
    ...(g.conv ? { conv: g.conv } : {}), ...(g.gradientOf ? { gradientOf: g.gradientOf } : {}),
    operands: { a: g.a, b: g.b, c: g.c },
  };
}

export const macsOf = (op: GemmOp): number => op.m * op.k * op.n;

/** Which GEMMs of a layer's backward to emit: dX when someone needs it, dW when the layer has a weight. */
export interface BackwardNeeds { readonly dx: readonly boolean[] }

// ---- dense: rows = product of all but the last input dim -------------------------------------------------

export function denseGemms(node: NodeOf<'dense'>, x: Shape, pass: Pass, needs?: BackwardNeeds): GemmOp[] {
  const L = node.name, inF = x[x.length - 1], units = node.units, rows = sizeOf(x) / inF;
  const W = ref(`${L}.weight`, units * inF);
  const base = { layer: L, layerKind: 'dense' } as const;
  if (pass === 'forward') {
    return [gemmOp({ ...base, pass, mkn: [rows, inF, units], a: ref(`${L}.input`, rows * inF), b: W, c: ref(`${L}.output`, rows * units) })];
  }
  const dY = ref(`${L}.dOutput`, rows * units);
  const ops: GemmOp[] = [];
  if (needs?.dx[0]) {
    ops.push(gemmOp({ ...base, pass: 'backwardData', mkn: [rows, units, inF], a: dY, b: W, c: ref(`${L}.dInput`, rows * inF) }));
  }
  ops.push(gemmOp({
    ...base, pass: 'backwardWeight', mkn: [inF, rows, units], a: ref(`${L}.input`, rows * inF), b: dY, c: ref(`${L}.dWeight`, units * inF),
  }));
  return ops;
}

// ---- conv2d: one GEMM per group ------------------------------------------------------------------------

export function convGemms(node: NodeOf<'conv2d'>, x: Shape, y: Shape, pass: Pass, needs?: BackwardNeeds): GemmOp[] {
  const d = convDims(node, x, y);
  const [pt, pb, pl, pr] = node.padding;
  const conv: ConvGeometry = {
    n: d.n, c: d.c, h: d.h, w: d.w, k: d.k, r: d.r, s: d.s, p: d.p, q: d.q, groups: d.groups,
    stride: [node.stride[0], node.stride[1]], dilation: [node.dilation[0], node.dilation[1]], padding: [pt, pb, pl, pr],
  };
  const L = node.name, base = { layer: L, layerKind: 'conv2d', groups: d.groups, conv } as const;
  // Distinct input elements one group's im2col reads (rows/columns no window touches are skipped).
  const xRead = d.n * d.cg
    * touched(d.h, d.p, d.r, node.stride[0], node.dilation[0], pt) * touched(d.w, d.q, d.s, node.stride[1], node.dilation[1], pl);
  const W = ref(`${L}.weight`, d.kg * d.cg * d.r * d.s);
  const npq = d.n * d.p * d.q, crs = d.cg * d.r * d.s, krs = d.kg * d.r * d.s;
  const ops: GemmOp[] = [];
  for (let g = 0; g < d.groups; g++) {
    if (pass === 'forward') {
      ops.push(gemmOp({ ...base, group: g, pass, mkn: [npq, crs, d.kg], a: ref(`${L}.input`, xRead), b: W, c: ref(`${L}.output`, npq * d.kg) }));
    }
  }
  if (pass === 'forward') return ops;
  const dY = ref(`${L}.dOutput`, npq * d.kg);
  if (needs?.dx[0]) {
    for (let g = 0; g < d.groups; g++) {
      ops.push(gemmOp({
        ...base, group: g, pass: 'backwardData', mkn: [d.n * d.h * d.w, krs, d.cg], a: dY, b: W, c: ref(`${L}.dInput`, d.n * d.cg * d.h * d.w),
      }));
    }
  }
  for (let g = 0; g < d.groups; g++) {
    ops.push(gemmOp({ ...base, group: g, pass: 'backwardWeight', mkn: [crs, npq, d.kg], a: ref(`${L}.input`, xRead), b: dY, c: ref(`${L}.dWeight`, d.kg * crs) }));
  }
  return ops;
}

// ---- matmul of two activations -------------------------------------------------------------------------

export function matmulGemms(node: NodeOf<'matmul'>, a: Shape, b: Shape, pass: Pass, needs?: BackwardNeeds): GemmOp[] {
  const d = matmulDims(node, a, b);
  const s = matmulGemmShapes(d);
  const L = node.name, base = { layer: L, layerKind: 'matmul' } as const;
  const aSize = sizeOf(a), bSize = sizeOf(b), cSize = d.batch * d.m * d.n;
  // Per GEMM: the share of each tensor it touches (a shared operand is read whole by every GEMM).
  const per = (size: number, shared: boolean) => (shared ? size : size / s.count);
  const A = ref(`${L}.inputA`, per(aSize, d.sharedA)), B = ref(`${L}.inputB`, per(bSize, d.sharedB));
  const C = ref(`${L}.output`, cSize / s.count), dC = ref(`${L}.dOutput`, cSize / s.count);
  const ops: GemmOp[] = [];
  const batchSuffix = (i: number) => (s.count > 1 ? `.b${i}` : '');
  if (pass === 'forward') {
    for (let i = 0; i < s.count; i++) ops.push(gemmOp({ ...base, pass, mkn: s.forward, a: A, b: B, c: C, suffix: batchSuffix(i) }));
    return ops;
  }
  // Neither operand is a weight, so both gradients are backwardData GEMMs.
  if (needs?.dx[0]) {
    const dA = ref(`${L}.dInputA`, per(aSize, d.sharedA));
    for (let i = 0; i < s.count; i++) {
      ops.push(gemmOp({ ...base, pass: 'backwardData', mkn: s.dA, a: dC, b: B, c: dA, gradientOf: 'inputA', suffix: `.dA${batchSuffix(i)}` }));
    }
  }
  if (needs?.dx[1]) {
    const dB = ref(`${L}.dInputB`, per(bSize, d.sharedB));
    for (let i = 0; i < s.count; i++) {
      ops.push(gemmOp({ ...base, pass: 'backwardData', mkn: s.dB, a: A, b: dC, c: dB, gradientOf: 'inputB', suffix: `.dB${batchSuffix(i)}` }));
    }
  }
  return ops;
}

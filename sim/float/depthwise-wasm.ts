/**
 * The depthwise conv2d loops of depthwise.ts on the WebAssembly kernels (wasm/kernels.wat), bit-identical to them.
 *  - Forward: one call per image and group, for all its output channels (they read the same input plane); each
 *    output keeps its running sum in a register across a kernel row's taps, and two adjacent outputs share an
 *    f64x2 where every tap is valid for both (column stride 1). Plain planes, copied in and out whole.
 *  - dW: vectorized across output channels, since each tap's sum runs over the whole plane in order: two channels
 *    of one group read the same input plane, so each f64x2 lane runs one channel's plain-JS loop. That needs a
 *    channel multiplier K/groups ≥ 2 — LeNet's first layer (1 → 6 channels) has 6; with one channel per group (true
 *    depthwise), or for the odd channel out, the plain-JS loop runs. Operands interleaved by lane.
 *  - dx: vectorized across output columns (two channels add into the same dx elements, in channel order, so they
 *    cannot share a vector), which needs column stride 1; other strides run the plain-JS loop.
 * The copies into the module are O(P·Q) against O(P·Q·R·S) arithmetic.
 */
import { columnRanges, type Conv2dGeometry } from './conv-geometry.js';
import { depthwiseBackwardChannel, type DepthwiseBackward, type DepthwiseForward } from './depthwise.js';
import type { WasmKernels } from './wasm/kernels-module.js';

/** Module memory for dW, in doubles: [x plane | dW, [u][v][lane] | dy, [i][j][lane] | ranges (i32 pairs)]. */
function layout(g: Conv2dGeometry) {
  const wBase = g.h * g.w;
  const yBase = wBase + 2 * g.r * g.s;
  const rangesBase = yBase + 2 * g.p * g.q;
  return { wBase, yBase, rangesBase, doubles: rangesBase + g.s };
}

/** Geometry arguments of the dW kernel, in its order (h, w, r, s, p, q, sh, sw, dh, dw, padTop, padLeft). */
type GeometryArgs = [number, number, number, number, number, number, number, number, number, number, number, number];
const geometryArgs = (g: Conv2dGeometry): GeometryArgs =>
  [g.h, g.w, g.r, g.s, g.p, g.q, g.strideH, g.strideW, g.dilationH, g.dilationW, g.padTop, g.padLeft];

/** Copies the input plane of image img's channel ch, and the column ranges, into the module. */
function loadInput(wasm: WasmKernels, x: Float64Array, g: Conv2dGeometry, img: number, ch: number, ranges: Int32Array): Float64Array {
  const { rangesBase, doubles } = layout(g);
  const heap = wasm.heap(doubles);
  const hw = g.h * g.w;
  heap.set(x.subarray((img * g.c + ch) * hw, (img * g.c + ch + 1) * hw), 0);
  new Int32Array(heap.buffer, rangesBase * 8, ranges.length).set(ranges);
  return heap;
}

/** Whether channel o (at an even position in its group, as the loops visit them) has a partner o+1 in its group. */
function pairable(g: Conv2dGeometry, o: number): boolean {
  const kg = g.k / g.groups;
  return (o % kg) + 1 < kg;
}

/** Two channels' planes into the module, lane by lane: heap[base + 2e + lane] = src[off(lane) + e]. */
function interleave(heap: Float64Array, base: number, src: Float64Array, off0: number, off1: number, length: number): void {
  for (let e = 0; e < length; e++) {
    heap[base + 2 * e] = src[off0 + e];
    heap[base + 2 * e + 1] = src[off1 + e];
  }
}

export function depthwiseForwardOn(wasm: WasmKernels): DepthwiseForward {
  return (x, weight, y, g) => {
    const ranges = columnRanges(g);
    const hw = g.h * g.w, rs = g.r * g.s, pq = g.p * g.q, kg = g.k / g.groups;
    // Module memory, in doubles: [x plane | the group's weights [o][u][v] | its y planes [o][i][j] | taps per column].
    const wBase = hw, yBase = wBase + kg * rs, tapsBase = yBase + kg * pq;
    const heap = wasm.heap(tapsBase + g.q);
    const { jLo, jHi } = columnTaps(g, ranges, new Int32Array(heap.buffer, tapsBase * 8, 2 * g.q));
    for (let img = 0; img < g.n; img++) {
      for (let grp = 0; grp < g.groups; grp++) {
        const o0 = grp * kg, xOff = (img * g.c + grp) * hw, yOff = (img * g.k + o0) * pq;
        heap.set(x.subarray(xOff, xOff + hw), 0);
        heap.set(weight.subarray(o0 * rs, (o0 + kg) * rs), wBase);
        heap.set(y.subarray(yOff, yOff + kg * pq), yBase);
        wasm.depthwiseForward(g.h, g.w, g.r, g.s, g.p, g.q, g.strideH, g.strideW, g.dilationH, g.dilationW, g.padTop, g.padLeft,
          kg, jLo, jHi, 0, wBase * 8, yBase * 8, tapsBase * 8);
        y.set(heap.subarray(yBase, yBase + kg * pq), yOff);
      }
    }
  };
}

/**
 * For each output column j, the kernel columns v whose range holds it (j0[v] ≤ j < j1[v]), as [vLo, vHi) into
 * `taps`: a contiguous run, since the input column j·sw + v·dw − padLeft grows with v. Returns the columns [jLo, jHi)
 * every tap covers, where outputs can share a vector — empty unless the column stride is 1.
 */
function columnTaps(g: Conv2dGeometry, ranges: Int32Array, taps: Int32Array): { jLo: number; jHi: number } {
  for (let j = 0; j < g.q; j++) {
    let lo = g.s, hi = 0;
    for (let v = 0; v < g.s; v++) {
      if (ranges[2 * v] <= j && j < ranges[2 * v + 1]) {
        lo = Math.min(lo, v);
        hi = v + 1;
      }
    }
    taps[2 * j] = Math.min(lo, hi);
    taps[2 * j + 1] = hi;
  }
  if (g.strideW !== 1) return { jLo: 0, jHi: 0 };
  let jLo = 0, jHi = g.q;
  for (let v = 0; v < g.s; v++) {
    jLo = Math.max(jLo, ranges[2 * v]);
    jHi = Math.min(jHi, ranges[2 * v + 1]);
  }
  return { jLo, jHi };
}

export function depthwiseBackwardOn(wasm: WasmKernels): DepthwiseBackward {
  return (x, weight, dy, dx, dWeight, g) => {
    const ranges = columnRanges(g);
    const { wBase, yBase, rangesBase } = layout(g);
    const rs = g.r * g.s, pq = g.p * g.q, kg = g.k / g.groups;
    const args = geometryArgs(g);
    for (let img = 0; img < g.n; img++) {
      for (let o = 0; o < g.k;) {
        if (!pairable(g, o)) {
          depthwiseBackwardChannel(x, weight, dy, null, dWeight, g, ranges, img, o);
          o++;
          continue;
        }
        const heap = loadInput(wasm, x, g, img, Math.floor(o / kg), ranges);
        const d0 = (img * g.k + o) * pq, d1 = d0 + pq;
        interleave(heap, yBase, dy, d0, d1, pq);
        wasm.depthwisePairWeightGrad(...args, 0, yBase * 8, wBase * 8, rangesBase * 8);
        for (let t = 0; t < rs; t++) {
          dWeight[o * rs + t] += heap[wBase + 2 * t];
          dWeight[(o + 1) * rs + t] += heap[wBase + 2 * t + 1];
        }
        o += 2;
      }
      if (dx === null) continue;
      if (g.strideW !== 1) {
        for (let o = 0; o < g.k; o++) depthwiseBackwardChannel(x, weight, dy, dx, null, g, ranges, img, o);
      } else {
        for (let grp = 0; grp < g.groups; grp++) inputGrad(wasm, weight, dy, dx, g, ranges, img, grp);
      }
    }
  };
}

/** dx of image img's input channel grp from the group's kg output channels, on wasm (column stride 1). */
function inputGrad(wasm: WasmKernels, weight: Float64Array, dy: Float64Array, dx: Float64Array, g: Conv2dGeometry,
  ranges: Int32Array, img: number, grp: number): void {
  const hw = g.h * g.w, rs = g.r * g.s, pq = g.p * g.q, kg = g.k / g.groups;
  // Module memory, in doubles: [dx plane | the group's weights [o][u][v] | its dy planes [o][i][j] | ranges].
  const wBase = hw, dyBase = wBase + kg * rs, rangesBase = dyBase + kg * pq;
  const heap = wasm.heap(rangesBase + g.s);
  const dxOff = (img * g.c + grp) * hw, o0 = grp * kg;
  heap.set(dx.subarray(dxOff, dxOff + hw), 0);
  heap.set(weight.subarray(o0 * rs, (o0 + kg) * rs), wBase);
  heap.set(dy.subarray((img * g.k + o0) * pq, (img * g.k + o0 + kg) * pq), dyBase);
  new Int32Array(heap.buffer, rangesBase * 8, ranges.length).set(ranges);
  wasm.depthwiseInputGrad(g.h, g.w, g.r, g.s, g.p, g.q, g.strideH, g.dilationH, g.dilationW, g.padTop, g.padLeft, kg,
    0, wBase * 8, dyBase * 8, rangesBase * 8);
  dx.set(heap.subarray(0, hw), dxOff);
}

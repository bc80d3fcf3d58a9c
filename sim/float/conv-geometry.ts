/** The geometry of a conv2d (PyTorch's conventions) and the index arithmetic every conv kernel shares. */

export interface Conv2dGeometry {
  readonly n: number; readonly c: number; readonly h: number; readonly w: number;   // input N, C, H, W
  readonly k: number; readonly r: number; readonly s: number;                       // filters K, kernel R×S
  readonly p: number; readonly q: number;                                           // output P×Q (caller computes)
  readonly strideH: number; readonly strideW: number;
  readonly dilationH: number; readonly dilationW: number;
  readonly padTop: number; readonly padLeft: number;   // zero padding (bottom/right padding is implied by p, q)
  readonly groups: number;                              // C and K divisible by groups; depthwise = groups == C
}

/**
 * Output columns j whose input column j·stride + offset lies inside [0, size): returns [j0, j1).
 * Computing this once per (u or v) keeps bounds tests out of the inner loops.
 */
export function validRange(outSize: number, stride: number, offset: number, size: number): [number, number] {
  const j0 = Math.max(0, Math.ceil(-offset / stride));
  const j1 = Math.min(outSize, Math.ceil((size - offset) / stride));
  return j1 > j0 ? [j0, j1] : [0, 0];
}

/** [j0, j1) of valid output columns for each kernel column v, flattened. */
export function columnRanges(g: Conv2dGeometry): Int32Array {
  const ranges = new Int32Array(2 * g.s);
  for (let v = 0; v < g.s; v++) {
    const [j0, j1] = validRange(g.q, g.strideW, v * g.dilationW - g.padLeft, g.w);
    ranges[2 * v] = j0;
    ranges[2 * v + 1] = j1;
  }
  return ranges;
}

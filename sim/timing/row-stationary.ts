/**
 * The row-stationary fast model of one convolution: cycles, passes and the spad/GLB access counts of the machine
 * that sim/array/row-stationary.ts runs event by event (docs/row-stationary.md), in closed form from the spatial
 * mapping (map/row-stationary.ts). Per pass: the copy with the most (image, filter, channel) triples runs them back
 * to back, F·S cycles each, and the adder chain adds R − 1 cycles after the last.
 */
import { type RsConv, rsSpatialMapping } from '../map/row-stationary.js';

export interface RsTiming {
  readonly cycles: number;
  readonly passes: number;
  readonly macs: number;
  readonly spadReads: number;
  readonly glbIfmapReads: number;
  readonly glbFilterReads: number;
  readonly glbPsumReads: number;
  readonly glbPsumWrites: number;
}

/** `conv` with its batch `n`, stride `u` and input width incl. padding `paddedW`, on a rows × cols RS array. */
export function rsTiming(conv: RsConv, shape: { readonly n: number; readonly u: number; readonly paddedW: number }, array: { readonly rows: number; readonly cols: number }): RsTiming {
  const map = rsSpatialMapping(conv, array);
  const triples = shape.n * conv.m * conv.c;
  const perCopy = Math.ceil(triples / map.replication);
  const passesPerGroup = Math.ceil(map.strips / map.stripsAtOnce);
  const groupRows = Array.from({ length: map.rowGroups }, (_, g) => Math.min(map.stripRows, conv.r - g * map.stripRows));
  const cycles = groupRows.reduce((sum, rows) => sum + passesPerGroup * (perCopy * conv.f * conv.s + rows - 1), 0);
  const macs = triples * conv.e * conv.f * conv.r * conv.s;
  const ifmapRowsPerTriple = groupRows.reduce((sum, rows) => sum + map.stripWidths.reduce((a, w) => a + (w - 1) * shape.u + rows, 0), 0);
  const outputs = (shape.n * conv.m * conv.e * conv.f);
  return {
    cycles, passes: passesPerGroup * map.rowGroups, macs, spadReads: 2 * macs,
    glbIfmapReads: triples * ifmapRowsPerTriple * shape.paddedW,
    glbFilterReads: triples * conv.r * conv.s * map.strips,
    glbPsumReads: outputs * (conv.c * map.rowGroups - 1),
    glbPsumWrites: outputs * conv.c * map.rowGroups,
  };
}

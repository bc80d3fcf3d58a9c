/**
 * The stimulus of one GEMM for the generated array: one hex line per clock cycle, derived from map/'s mapping (which
 * GEMM dims lie on rows, cols and time, which operand enters at the left, which is preloaded, the fold order) — not
 * from the cycle-stepped array, which it is compared against. Lanes are unskewed: the array skews them itself.
 *
 * Per fold (column folds outer, row folds inner): ws/is first spend `rows` cycles with `load` high, the row for the
 * bottom PEs first; then T + rows + cols − 2 + (D − 1) stream cycles, line τ carrying element τ of every lane (τ ≥ T:
 * bubbles). ws/is also feed the previous row fold's partial sums of output τ on line τ (the ofmap buffer's role;
 * here computed from A and B in the array's accumulation order).
 */
import { reducer } from '../array/numerics.js';
import type { GemmDim } from '../map/dataflow.js';
import { mapGemm } from '../map/mapping.js';
import type { RtlConfig, StimulusField } from './verilog.js';

export interface IntGemm {
  readonly m: number;
  readonly k: number;
  readonly n: number;
  /** m×k and k×n, row-major, integers in the operand width. */
  readonly a: Int32Array;
  readonly b: Int32Array;
}

type Coord = Readonly<Partial<Record<GemmDim, number>>>;

/** Packs field values (least significant field first) into one hex line; negative lane values as two's complement. */
function pack(fields: readonly StimulusField[], values: Readonly<Record<string, readonly bigint[] | bigint>>): string {
  let word = 0n, shift = 0n;
  for (const f of fields) {
    const v = values[f.name] ?? 0n;
    const lanes = typeof v === 'bigint' ? [v] : v;
    const laneBits = BigInt(f.bits / (typeof v === 'bigint' ? 1 : Math.max(1, lanes.length)));
    const mask = (1n << laneBits) - 1n;
    lanes.forEach((x, i) => { word |= (x & mask) << (shift + BigInt(i) * laneBits); });
    shift += BigInt(f.bits);
  }
  return word.toString(16);
}

export function stimulusLines(c: RtlConfig, fields: readonly StimulusField[], g: IntGemm): string[] {
  const mp = mapGemm(g.m, g.k, g.n, c);
  const s = mp.strategy;
  const R = c.rows, C = c.cols, T = mp.temporal;
  const at = (x: 'a' | 'b', p: Coord): bigint => BigInt(x === 'a' ? g.a[p.m! * g.k + p.k!] : g.b[p.k! * g.n + p.n!]);
  const left = s.horizontal === 'ifmap' ? 'a' : 'b', top = left === 'a' ? 'b' : 'a';
  const streamCycles = T + R + C - 2 + (c.macPipelineCycles - 1);
  const psums = s.partialSumsLeaveArray;
  // Partial sums over k < r0 of each output, in the array's order (one chain over k, reduced at every step).
  const partial = new Float64Array(g.m * g.n);
  const { lo, hi, reduce } = reducer(c.accumulatorBits, c.overflow);
  const lines: string[] = [];
  const bits = (n: number, on: (i: number) => boolean): bigint => {
    let v = 0n;
    for (let i = 0; i < n; i++) if (on(i)) v |= 1n << BigInt(i);
    return v;
  };
  for (let c0 = 0; c0 < mp.spatialCols; c0 += C) {
    for (let r0 = 0; r0 < mp.spatialRows; r0 += R) {
      const rowsUsed = Math.min(R, mp.spatialRows - r0), colsUsed = Math.min(C, mp.spatialCols - c0);
      const coord = (i: number, j: number, tau: number): Coord => ({ [s.rows]: r0 + i, [s.cols]: c0 + j, [s.time]: tau });
      for (let p = 0; p < mp.preloadCycles; p++) {
        const row = R - 1 - p, ok = (j: number) => row < rowsUsed && j < colsUsed;
        lines.push(pack(fields, {
          load: 1n,
          top_data: Array.from({ length: C }, (_, j) => (ok(j) ? at(top, coord(row, j, 0)) : 0n)),
          top_valid: bits(C, ok),
        }));
      }
      for (let tau = 0; tau < streamCycles; tau++) {
        const live = tau < T;
        const rowOk = (i: number) => live && i < rowsUsed, colOk = (j: number) => live && j < colsUsed;
        const values: Record<string, readonly bigint[] | bigint> = {
          left_data: Array.from({ length: R }, (_, i) => (rowOk(i) ? at(left, coord(i, 0, tau)) : 0n)),
          left_valid: bits(R, rowOk),
        };
        if (psums) {
          const out = (j: number) => { const q = coord(0, j, tau); return q.m! * g.n + q.n!; };
          values.psum_data = Array.from({ length: C }, (_, j) => (colOk(j) && r0 > 0 ? BigInt(partial[out(j)]) : 0n));
          values.psum_valid = bits(C, (j) => colOk(j) && r0 > 0);
        } else {
          values.first = live && tau === 0 ? 1n : 0n;
          values.last = live && tau === T - 1 ? 1n : 0n;
          values.top_data = Array.from({ length: C }, (_, j) => (colOk(j) ? at(top, coord(0, j, tau)) : 0n));
          values.top_valid = bits(C, colOk);
        }
        lines.push(pack(fields, values));
      }
      if (psums) {
        // This row fold's sums, for the next one: k runs along the rows in ws and is.
        for (let tau = 0; tau < T; tau++) {
          for (let j = 0; j < colsUsed; j++) {
            const q = coord(0, j, tau), o = q.m! * g.n + q.n!;
            let acc = partial[o];
            for (let i = 0; i < rowsUsed; i++) {
              const e = coord(i, j, tau);
              let x = acc + g.a[e.m! * g.k + e.k!] * g.b[e.k! * g.n + e.n!];
              if (x > hi || x < lo) x = reduce(x);
              acc = x;
            }
            partial[o] = acc;
          }
        }
      }
    }
  }
  return lines;
}

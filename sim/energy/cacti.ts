/**
 * SRAM figures at any capacity and word width from the CACTI 7 rows of one variant (A_hp / B_lstp): log-log
 * interpolation between the two neighbouring capacities, at each of the two neighbouring word widths, then log-log
 * between the widths (CACTI's width columns, not pJ/bit × width: an 8-bit access is not 1/8 of a 64-bit one).
 * Outside the table (capacity < 2 KiB or > 4 MiB, width < 8 or > 128 bits) the two end points are extrapolated the
 * same way and the result is flagged `extrapolated`.
 */
import { exp, log } from '../float/fdlibm.js';
import type { CactiRow } from './table.js';

export interface SramFigures {
  readonly readPj: number;
  readonly writePj: number;
  readonly leakMw: number;
  readonly areaMm2: number;
  readonly extrapolated: boolean;
}
type Key = 'readPj' | 'writePj' | 'leakMw' | 'areaMm2';
const KEYS: readonly Key[] = ['readPj', 'writePj', 'leakMw', 'areaMm2'];

/** Neighbours of x in sorted xs: indices i, i+1 (clamped to the ends) and whether x lies outside. */
function bracket(xs: readonly number[], x: number): [number, number, boolean] {
  if (xs.length === 1) return [0, 0, x !== xs[0]];
  let i = 0;
  while (i < xs.length - 2 && x > xs[i + 1]) i++;
  return [i, i + 1, x < xs[0] || x > xs[xs.length - 1]];
}
/** y at x on the line through (x0, y0), (x1, y1) in log-log space. */
function logLog(x: number, x0: number, y0: number, x1: number, y1: number): number {
  if (x0 === x1 || y0 <= 0 || y1 <= 0) return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0 || 1);
  const t = log(x / x0) / log(x1 / x0);
  return exp(log(y0) + t * (log(y1) - log(y0)));
}

/** Figures already interpolated, per CACTI table: a sweep prices the same few sizes thousands of times. */
const memo = new WeakMap<readonly CactiRow[], Map<string, SramFigures>>();

export function sramFigures(rows: readonly CactiRow[], variant: string, capacityBytes: number, widthBits: number): SramFigures {
  let byKey = memo.get(rows);
  if (!byKey) memo.set(rows, (byKey = new Map()));
  const key = `${variant}\u0000${capacityBytes}\u0000${widthBits}`;
  let f = byKey.get(key);
  if (!f) byKey.set(key, (f = interpolate(rows, variant, capacityBytes, widthBits)));
  return f;
}

function interpolate(rows: readonly CactiRow[], variant: string, capacityBytes: number, widthBits: number): SramFigures {
  const mine = rows.filter((r) => r.variant === variant);
  const caps = [...new Set(mine.map((r) => r.capacityBytes))].sort((a, b) => a - b);
  const widths = [...new Set(mine.map((r) => r.widthBits))].sort((a, b) => a - b);
  const at = (c: number, w: number) => mine.find((r) => r.capacityBytes === c && r.widthBits === w);
  const [c0, c1, cOut] = bracket(caps, capacityBytes);
  const [w0, w1, wOut] = bracket(widths, widthBits);
  const byWidth = (w: number) => {
    const a = at(caps[c0], w), b = at(caps[c1], w);
    if (!a || !b) throw new Error(`CACTI table lacks ${variant} ${caps[c0]}/${caps[c1]} B × ${w} bits`);
    return (k: Key) => logLog(capacityBytes, caps[c0], a[k], caps[c1], b[k]);
  };
  const lo = byWidth(widths[w0]), hi = byWidth(widths[w1]);
  const out = {} as Record<Key, number>;
  for (const k of KEYS) out[k] = logLog(widthBits, widths[w0], lo(k), widths[w1], hi(k));
  return { ...out, extrapolated: cOut || wOut };
}

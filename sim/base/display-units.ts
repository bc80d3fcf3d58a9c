/**
 * Engineering units for what people read: one scale per column, axis or line (pJ, nJ, µJ, mJ or J for energies;
 * pJ·s … J·s for energy-delay products), chosen from the largest magnitude so it prints between 1 and 1000. Data
 * files (CSV, JSON) keep their fixed units (pJ, pJ·s, cycles, bytes); only text, tables and charts are scaled.
 * It lives in base/ because sweep/ (summary.txt) and report/ (tables, charts, HTML) both print energies.
 */

/** A display scale: divide a value in the base unit by `perUnit` and print it followed by `unit`. */
export interface DisplayScale {
  readonly unit: string;
  /** Base units per displayed unit (nJ over pJ: 1000). */
  readonly perUnit: number;
}

/** A quantity's units, smallest first, each 1000× the one before. */
export type UnitLadder = readonly DisplayScale[];

const ladder = (units: readonly string[]): UnitLadder => units.map((unit, i) => ({ unit, perUnit: 1000 ** i }));

/** Energies given in pJ. */
export const ENERGY_PJ = ladder(['pJ', 'nJ', 'µJ', 'mJ', 'J']);
/** Energy-delay products given in pJ·s. */
export const EDP_PJ_S = ladder(['pJ·s', 'nJ·s', 'µJ·s', 'mJ·s', 'J·s']);
/** Times given in ns (latencies: seconds × 1e9). */
export const TIME_NS = ladder(['ns', 'µs', 'ms', 's']);
/** Energies priced with a normalized table (MAC = 1): no physical unit, so counts of MAC energies. */
export const ENERGY_MAC = ladder(['MAC energies', 'thousand MAC energies', 'million MAC energies', 'billion MAC energies']);

/** The ladder of an energy unit as energy tables name it: pJ, or `normalized` (MAC = 1). */
export const energyUnits = (unit: 'pJ' | 'normalized'): UnitLadder => (unit === 'pJ' ? ENERGY_PJ : ENERGY_MAC);

/**
 * The scale for a set of values (a column, an axis): the largest unit in which the largest magnitude is still ≥ 1,
 * so it prints in [1, 1000) unless it is below the smallest unit or beyond the largest. Non-finite values are ignored;
 * no finite value → the smallest unit.
 */
export function chooseScale(values: readonly number[], units: UnitLadder): DisplayScale {
  let max = 0;
  for (const v of values) if (Number.isFinite(v) && Math.abs(v) > max) max = Math.abs(v);
  let pick = units[0];
  for (const u of units) if (max >= u.perUnit) pick = u;
  return pick;
}

/** A value in the base unit → the number shown in `scale`'s unit. */
export const inScale = (value: number, scale: DisplayScale): number => value / scale.perUnit;

/**
 * A value in `scale`'s unit with `digits` significant figures, thousands separators and no exponent:
 * 12345678 pJ in µJ → `12.35`; 0.5 pJ in nJ → `0.0005`. Non-finite values as JavaScript prints them.
 */
export function formatIn(value: number, scale: DisplayScale, digits = 4): string {
  const x = inScale(value, scale);
  if (!Number.isFinite(x)) return String(x);
  return x.toLocaleString('en-US', { maximumSignificantDigits: digits, useGrouping: true });
}

/** One value in its own best unit, with the unit: `10.4 mJ`. */
export function formatQuantity(value: number, units: UnitLadder, digits = 4): string {
  const scale = chooseScale([value], units);
  return `${formatIn(value, scale, digits)} ${scale.unit}`;
}

/** How reports write numbers: one place for percentages, counts and significant figures. */

/** A fraction as a percentage without the sign, e.g. 0.4567 → `45.7` (table cells whose header says %). */
export const percent = (fraction: number, digits = 1): string => (100 * fraction).toFixed(digits);

/** A fraction as a percentage with the sign, `45.7 %`; null (not measured) → `-`. */
export const pct = (fraction: number | null, digits = 1): string => (fraction === null ? '-' : `${percent(fraction, digits)} %`);

/** A count with thousands separators, `1,234,567`. */
export const int = (v: number): string => v.toLocaleString('en-US');

/** d significant figures without trailing zeros, `0.1235`; non-finite values as JavaScript prints them. */
export const sig = (x: number, d = 4): string => (Number.isFinite(x) ? String(Number(x.toPrecision(d))) : String(x));

/** A count in engineering units with 3 significant figures: 4089184256 → `4.09 G`. */
export function human(n: number): string {
  for (const [unit, v] of [['G', 1e9], ['M', 1e6], ['k', 1e3]] as const) if (n >= v) return `${(n / v).toPrecision(3)} ${unit}`;
  return String(n);
}

/** A tensor shape, `[1, 3, 224, 224]`. */
export const shape = (s: readonly number[]): string => `[${s.join(', ')}]`;

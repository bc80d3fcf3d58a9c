/**
 * Hostile scalar values, the building blocks of every format's generator: numbers at the edges (zero, negative,
 * fractions, huge, NaN, Infinity, 1e308, 2^53 + 1) and strings a careless or hostile user writes (empty, unicode,
 * very long, markup, path tricks). Plain fast-check arbitraries; each format's generator mixes them with valid values.
 */
import fc from 'fast-check';

/** Numbers that break simulators: each one a class seen in bug reports or at a representation edge. */
export const EDGE_NUMBERS: readonly number[] = [
  0, -1, -0, 0.5, 1e-9, 3.7, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 40, 2 ** 53 - 1, 2 ** 53 + 1, 1e15, 1e22, 1e308,
  -1e308, Number.MAX_VALUE, Number.MIN_VALUE, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY,
];

/** A small valid size (what a correct file holds), so a case is mostly valid with one hostile spot. */
export const smallInt = (min = 1, max = 8): fc.Arbitrary<number> => fc.integer({ min, max });

/** A number for a size field: usually small and valid, else an edge. */
export const sizeNumber: fc.Arbitrary<number> = fc.oneof(
  { weight: 3, arbitrary: smallInt() },
  { weight: 2, arbitrary: fc.constantFrom(...EDGE_NUMBERS) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.integer({ min: -1000, max: 1_000_000 }) },
);

/** Strings users and attackers type: every one must come back as data or as a one-line error. */
export const HOSTILE_STRINGS: readonly string[] = [
  '', ' ', 'NaN', 'Infinity', '-1', '1e308', '0x10', 'null', 'true', '[]', '{}', '\u00e9\u4e2d\u{1F600}', '\u202Eevil',
  '<script>alert(1)</script>', '"quoted"', 'a,b', 'a\nb', '\t', '../../../../etc/passwd', '/etc/passwd',
  '/proc/self/environ', 'C:\\Windows', '%s%n', '${HOME}', 'x'.repeat(5000), '\u0000',
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
);

/** Any JSON-ish value of the wrong type for a field (or an edge of the right one). */
export const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...EDGE_NUMBERS) },
  { weight: 2, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}, [1, 2, 3], { a: 1 }, [[1]], -5, 1.5) },
);

/** A number as a text cell (.cfg, CSV, flag): how a number-like field is spelt, including what is not a number. */
export const numberText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: smallInt().map(String) },
  { weight: 2, arbitrary: fc.constantFrom(...EDGE_NUMBERS).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '1e999', '1_000', '0x20', '+8', '8.', '.5', '8 8', '9007199254740993', '675539944105574400', '2.89e22', '１６') },
  { weight: 1, arbitrary: hostileString },
);

/** A value as a command line can carry it: the kernel's argv cannot hold NUL, so a NUL in a generated value is dropped. */
export const argText = (s: string): string => s.replace(/\0/g, '');

/**
 * Readers for raw (parsed YAML/JSON) values that either return a typed value or throw a SimError naming the file,
 * the key path, the value and what is allowed. Used by every loader of user files.
 */
import { shownKey, SimError, type SimErrorCode } from './errors.js';

export type Raw = unknown;
export type RawObject = Readonly<Record<string, unknown>>;

/** Where a value sits: the file and the key path inside it. */
export interface At {
  readonly file?: string;
  readonly path: string;
}

export const child = (at: At, key: string | number): At => ({
  file: at.file,
  path: typeof key === 'number' ? `${at.path}[${key}]` : at.path ? `${at.path}.${key}` : key,
});

export function fail(at: At, problem: string, value: unknown, hint?: string, code: SimErrorCode = 'badValue'): never {
  throw new SimError(problem, { code, file: at.file, path: at.path, value, hint });
}

export function isObject(v: Raw): v is RawObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function object(v: Raw, at: At, what = 'must be a mapping of keys to values'): RawObject {
  if (!isObject(v)) fail(at, what, v);
  return v;
}

export function checkKeys(obj: RawObject, allowed: readonly string[], at: At, what: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      // A key that is not a name may be a line of a file read by mistake: neither it nor its value is shown.
      const shown = shownKey(key);
      const { file, path } = child(at, shown);
      throw new SimError(`is not a field of ${what}`, {
        code: 'unknownField', file, path, ...(shown === key ? { value: obj[key] } : {}), hint: `Allowed: ${allowed.join(', ')}.`,
      });
    }
  }
}

export function number(v: Raw, at: At, hint?: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(at, 'must be a finite number', v, hint);
  return v;
}

export function integer(v: Raw, at: At, min: number, hint?: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    fail(at, `must be an integer ≥ ${min}`, v, hint);
  }
  return v;
}

export function boolean(v: Raw, at: At): boolean {
  if (typeof v !== 'boolean') fail(at, 'must be true or false', v);
  return v;
}

export function string(v: Raw, at: At, hint?: string): string {
  if (typeof v !== 'string' || v.length === 0) fail(at, 'must be a non-empty string', v, hint);
  return v;
}

/**
 * The allowed value equal to v. It returns the constant from `allowed`, not the parsed string: V8 keeps strings cut
 * out of a file as "thin" strings for a while, and Node 20's optimizing compiler was seen to misjudge `===` against
 * one in hot code (docs/scalesim-memory.md, "Same bytes on every run").
 */
export function oneOf<T extends string>(v: Raw, allowed: readonly T[], at: At): T {
  const found = typeof v === 'string' ? allowed.find((a) => a === v) : undefined;
  if (found === undefined) fail(at, 'is not an allowed value', v, `Allowed: ${allowed.join(', ')}.`);
  return found;
}

export function intList(v: Raw, at: At, min: number, length?: number): number[] {
  if (!Array.isArray(v) || (length !== undefined && v.length !== length)) {
    fail(at, length === undefined ? 'must be a list of integers' : `must be a list of ${length} integers`, v);
  }
  return v.map((x, i) => integer(x, child(at, i), min));
}

/** An integer n (→ [n, n]) or a pair [a, b]. */
export function pair(v: Raw, at: At, min: number, example: string): readonly [number, number] {
  if (typeof v === 'number') {
    const n = integer(v, at, min, `Example: ${example}`);
    return [n, n];
  }
  if (!Array.isArray(v) || v.length !== 2) fail(at, 'must be an integer or a list of two integers', v, `Example: ${example}`);
  return [integer(v[0], child(at, 0), min), integer(v[1], child(at, 1), min)];
}

/** Padding: p (all sides), [ph, pw] (symmetric), or [top, bottom, left, right]. */
export function padding(v: Raw, at: At): readonly [number, number, number, number] {
  const hint = 'Use p, [pH, pW] or [top, bottom, left, right]. Example: padding: [1, 1]';
  if (typeof v === 'number') {
    const p = integer(v, at, 0, hint);
    return [p, p, p, p];
  }
  if (Array.isArray(v) && v.length === 2) {
    const [h, w] = v.map((x, i) => integer(x, child(at, i), 0, hint));
    return [h, h, w, w];
  }
  if (Array.isArray(v) && v.length === 4) {
    const [t, b, l, r] = v.map((x, i) => integer(x, child(at, i), 0, hint));
    return [t, b, l, r];
  }
  fail(at, 'is not a padding', v, hint);
}

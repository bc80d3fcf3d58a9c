/**
 * Generators of document text: a structured document (an object) mutated in one spot — a field set to an edge number
 * or a wrong type, a key removed or added — then written as YAML or JSON, and sometimes spoilt as text: a byte-order
 * mark, a cut, a YAML alias bomb, an unresolved alias, a custom tag, a duplicate key, tabs.
 */
import fc from 'fast-check';
import { stringify } from 'yaml';
import { hostileString, sizeNumber, wrongValue } from './values.js';

type Doc = Record<string, unknown>;
export type Path = readonly (string | number)[];

/** A copy of `doc` with the value at `path` replaced (or removed, with `undefined`). */
export function setAt(doc: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const copy = (Array.isArray(doc) ? [...doc] : { ...(doc as Doc) }) as Record<string | number, unknown>;
  const next = setAt(copy[head], rest, value);
  if (next === undefined && rest.length === 0) {
    if (Array.isArray(copy) && typeof head === 'number') (copy as unknown[]).splice(head, 1);
    else delete copy[head];
  } else copy[head] = next;
  return copy;
}

/** One structural mutation of a document at one of `paths`; the category says which. */
export function mutatedDoc(base: Doc, paths: readonly Path[]): fc.Arbitrary<{ doc: unknown; category: string }> {
  const at = fc.constantFrom(...paths);
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant({ doc: base, category: 'valid' }) },
    { weight: 3, arbitrary: fc.tuple(at, sizeNumber).map(([p, v]) => ({ doc: setAt(base, p, v), category: 'edge-number' })) },
    { weight: 2, arbitrary: fc.tuple(at, wrongValue).map(([p, v]) => ({ doc: setAt(base, p, v), category: 'wrong-type' })) },
    { weight: 1, arbitrary: at.map((p) => ({ doc: setAt(base, p, undefined), category: 'missing-key' })) },
    { weight: 1, arbitrary: fc.tuple(at, hostileString, wrongValue).map(([p, k, v]) => ({ doc: setAt(base, [...p.slice(0, -1), k || 'extra'], v), category: 'extra-key' })) },
    { weight: 1, arbitrary: fc.tuple(at, at, sizeNumber, sizeNumber).map(([p, q, v, w]) => ({ doc: setAt(setAt(base, p, v), q, w), category: 'two-edges' })) },
  );
}

const BOMB = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(', ')}]`)].join('\n');

/** How the document is spelt: YAML or JSON, clean or spoilt. */
export function documentText(doc: unknown, yaml: boolean): fc.Arbitrary<{ text: string; spoilt: string }> {
  const clean = yaml ? stringify(doc, { aliasDuplicateObjects: false }) : JSON.stringify(doc, null, 1);
  const spoil: fc.Arbitrary<{ text: string; spoilt: string }> = fc.oneof(
    { weight: 8, arbitrary: fc.constant({ text: clean, spoilt: 'none' }) },
    { weight: 1, arbitrary: fc.constant({ text: `\uFEFF${clean}`, spoilt: 'bom' }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: Math.max(0, clean.length - 1) }).map((n) => ({ text: clean.slice(0, n), spoilt: 'truncated' })) },
    { weight: 1, arbitrary: fc.constant({ text: `${BOMB}\n${clean}`, spoilt: 'yaml-bomb' }) },
    { weight: 1, arbitrary: fc.constant(yaml ? { text: clean.replace(/^(\w+):.*$/m, '$1: *missing'), spoilt: 'unresolved-alias' } : { text: clean, spoilt: 'none' }) },
    { weight: 1, arbitrary: fc.constantFrom('!!js/function', '!foo', '!!binary', '!!set').map((t) => ({ text: clean.replace(/^(\w+): /m, `$1: ${t} `), spoilt: 'custom-tag' })) },
    { weight: 1, arbitrary: fc.constant({ text: yaml ? `${clean}${clean.split('\n')[0]}\n` : clean.replace('{', '{"name": 1, "name": 2,'), spoilt: 'duplicate-key' }) },
    { weight: 1, arbitrary: fc.constant({ text: clean.replace(/^ {2}/gm, '\t'), spoilt: 'tabs' }) },
    { weight: 1, arbitrary: fc.constant(yaml ? { text: clean, spoilt: 'none' } : { text: clean.replace(/: (\d+)/, ': NaN'), spoilt: 'json-nan' }) },
  );
  return spoil;
}

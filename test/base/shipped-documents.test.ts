/**
 * The build's JSON of the shipped YAML (dist/shipped-documents.json) agrees with the YAML, the source of truth: every
 * shipped file's entry equals parsing the file now, and an edited file is parsed, not looked up.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseYamlText } from '../../sim/base/documents.js';
import { compileShippedDocuments, type ShippedDocuments, shippedDocument } from '../../sim/base/shipped-documents.js';

const ROOT = join(import.meta.dirname, '..', '..');
const table = JSON.parse(readFileSync(join(ROOT, 'dist', 'shipped-documents.json'), 'utf8')) as ShippedDocuments;
const shippedYaml = ['models', 'hw-configs']
  .flatMap((dir) => readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' }).map((f) => `${dir}/${f.split('\\').join('/')}`))
  .filter((f) => /\.ya?ml$/i.test(f));

describe('dist/shipped-documents.json', () => {
  it('holds every shipped YAML file, with its current text and the value parsing it gives', () => {
    expect(shippedYaml.length).toBeGreaterThan(10); // the walk is not vacuous
    expect(Object.keys(table).sort()).toEqual([...shippedYaml].sort());
    for (const path of shippedYaml) {
      const text = readFileSync(join(ROOT, path), 'utf8');
      expect(table[path].text, `${path} changed since the build (npm run build)`).toBe(text);
      expect(JSON.parse(table[path].json), path).toStrictEqual(parseYamlText(text, path));
    }
  });
});

describe('shippedDocument', () => {
  const compiled = compileShippedDocuments([{ path: 'hw-configs/x.yaml', text: 'array: { rows: 4 }\n' }]);

  it('gives the compiled value for the compiled text, a fresh copy each time', () => {
    const a = shippedDocument(compiled, 'hw-configs/x.yaml', 'array: { rows: 4 }\n');
    expect(a).toEqual({ array: { rows: 4 } });
    expect(shippedDocument(compiled, 'hw-configs/x.yaml', 'array: { rows: 4 }\n')).not.toBe(a);
  });

  it('gives nothing for an edited file (the caller parses the YAML) or another path', () => {
    expect(shippedDocument(compiled, 'hw-configs/x.yaml', 'array: { rows: 8 }\n')).toBeUndefined();
    expect(shippedDocument(compiled, 'hw-configs/y.yaml', 'array: { rows: 4 }\n')).toBeUndefined();
    expect(shippedDocument(compiled, 'constructor', '')).toBeUndefined();
  });

  it('leaves out a file that does not parse and one whose value JSON cannot carry', () => {
    const t = compileShippedDocuments([
      { path: 'a.yaml', text: 'a: [1\n' }, { path: 'b.yaml', text: 'b: .inf\n' }, { path: 'c.yaml', text: 'c: -0.0\n' }, { path: 'd.yaml', text: 'd: 1\n' },
    ]);
    expect(Object.keys(t)).toEqual(['d.yaml']);
  });
});

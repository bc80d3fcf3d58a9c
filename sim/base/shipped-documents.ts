/**
 * The YAML files shipped with the package (presets, energy tables, models), parsed at build time. Parsing YAML is a
 * large share of a short command's start-up (the yaml package's code and the parse itself), so the build stores each
 * shipped file's value as JSON beside its text (dist/shipped-documents.json, scripts/shipped-documents.mjs); a run
 * uses the value only when the file's text is byte for byte what was compiled. An edited file is parsed again, so the
 * YAML stays the source of truth and a stale table is merely slower. Pure: base/files.ts reads the table.
 */
import { parseYamlText } from './documents.js';

/** Package-relative path (`hw-configs/tpu-v1.yaml`) → the file's text when compiled, and its value as JSON text. */
export type ShippedDocuments = Readonly<Record<string, { readonly text: string; readonly json: string }>>;

/**
 * The table for these files. A file that does not parse is left out (the run reports it as for any file), and so is
 * one whose value JSON cannot carry (`.inf`, `.nan`, `-0`): the run parses those from the YAML.
 */
export function compileShippedDocuments(files: readonly { readonly path: string; readonly text: string }[]): ShippedDocuments {
  const table: Record<string, { text: string; json: string }> = {};
  for (const { path, text } of files) {
    let value: unknown;
    try {
      value = parseYamlText(text, path);
    } catch {
      continue;
    }
    const json = JSON.stringify(value);
    if (sameValue(JSON.parse(json), value)) table[path] = { text, json };
  }
  return table;
}

/** A shipped file's value, a fresh copy per call (callers may keep or change it); undefined unless `text` is what was compiled. */
export function shippedDocument(table: ShippedDocuments, path: string, text: string): unknown {
  const entry = Object.hasOwn(table, path) ? table[path] : undefined;
  return entry !== undefined && entry.text === text ? JSON.parse(entry.json) : undefined;
}

/** Deep equality that tells -0 from 0 and NaN from null (what JSON.stringify turns them into). */
function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return Object.is(a, b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

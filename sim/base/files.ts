/**
 * The file helpers every edge uses: a user's text file or YAML/JSON document in (a missing or malformed file is a
 * SimError naming it), and atomic writes out (a temp file renamed, so nothing is ever half-written).
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { parseJsonText, parseYamlText } from './documents.js';
import { SimError } from './errors.js';
import { resolveShippedPath } from './package-root.js';

/**
 * A user's text file (or, when a relative `models/…` or `hw-configs/…` path is not in the working folder, the file
 * of that name shipped with the package); a missing or unreadable file is a SimError naming it.
 */
export function readTextFile(file: string): string {
  try {
    return readFileSync(resolveShippedPath(file), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SimError(code === 'ENOENT' ? 'file not found' : `cannot read the file (${code ?? String(e)})`, {
      code: 'missingFile', file, hint: code === 'ENOENT' ? `Looked in ${resolve(file)}.` : undefined,
    });
  }
}

/**
 * Reads and parses a YAML or JSON document (documents.ts: plain YAML, bounded aliases, one-line errors that never
 * quote the file); JSON when the file ends in .json (faster for large tensors). A leading byte-order mark is skipped.
 */
export function readDocument(file: string): unknown {
  const text = readTextFile(file).replace(/^\ufeff/, '');
  return extname(file).toLowerCase() === '.json' ? parseJsonText(text, file) : parseYamlText(text, file);
}

export function writeFileAtomic(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

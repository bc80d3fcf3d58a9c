/**
 * The loader of model files: reads YAML or JSON from disk, then parse → build. The only place in ir/ that
 * touches the file system. A sidecar parameter file (`paramsFile:`) is JSON or YAML mapping `layer.param` to tensors.
 */
import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { SimError } from '../base/errors.js';
import { child, object } from '../base/fields.js';
import { buildGraph } from '../ir/graph.js';
import { parseModel } from '../ir/parse.js';
import { parseTensor } from '../ir/tensor-json.js';
import type { LayerGraph } from '../ir/types.js';

/** A user's text file; a missing or unreadable file is a SimError naming it. */
export function readTextFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SimError(code === 'ENOENT' ? 'file not found' : `cannot read the file (${code ?? String(e)})`, {
      code: 'missingFile', file, hint: code === 'ENOENT' ? `Looked in ${resolve(file)}.` : undefined,
    });
  }
}

/** Reads and parses a YAML or JSON document; JSON when the file ends in .json (faster for large tensors). */
export function readDocument(file: string): unknown {
  const text = readTextFile(file);
  if (extname(file).toLowerCase() === '.json') {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new SimError(`is not valid JSON: ${(e as Error).message}`, { code: 'malformed', file });
    }
  }
  try {
    return parseYaml(text, { uniqueKeys: true, maxAliasCount: 1000 });
  } catch (e) {
    if (e instanceof YAMLParseError) {
      const pos = e.linePos?.[0];
      const reason = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      throw new SimError(`is not valid YAML: ${reason}`, {
        code: 'malformed', file, path: pos ? `line ${pos.line}, column ${pos.col}` : undefined,
      });
    }
    throw e;
  }
}

export function loadModel(file: string): LayerGraph {
  const model = parseModel(readDocument(file), file);
  let params = model.params;
  if (model.paramsFile !== undefined) {
    const sidecar = resolve(dirname(file), model.paramsFile);
    const doc = object(readDocument(sidecar), { file: sidecar, path: '(top level)' }, 'must map "layer.param" keys to tensors');
    const extra: Record<string, (typeof params)[string]> = {};
    for (const [key, raw] of Object.entries(doc)) {
      const at = child({ file: sidecar, path: '' }, key);
      if (!key.includes('.')) {
        throw new SimError('is not a "layer.param" key', { code: 'badValue', file: sidecar, path: key, hint: 'Example: "conv1.weight".' });
      }
      extra[key] = { tensor: parseTensor(raw, at), at };
    }
    params = { ...extra, ...params };
  }
  return buildGraph({ ...model, params }, file);
}

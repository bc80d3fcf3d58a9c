/**
 * `npm run build`, after tsc: every YAML file the package ships (models/, hw-configs/) → dist/shipped-documents.json,
 * parsed by the same code a run uses (sim/base/shipped-documents.ts explains why and when a run uses it).
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { compileShippedDocuments } from '../dist/sim/base/shipped-documents.js';

const files = ['models', 'hw-configs']
  .flatMap((dir) => readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => `${dir}/${f.split('\\').join('/')}`))
  .filter((f) => /\.ya?ml$/i.test(f))
  .sort()
  .map((path) => ({ path, text: readFileSync(path, 'utf8').replace(/^\ufeff/, '') })); // as base/files.ts reads them
writeFileSync('dist/shipped-documents.json', JSON.stringify(compileShippedDocuments(files)));

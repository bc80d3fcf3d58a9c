/**
 * Energy tables from disk: a shipped table by name (hw-configs/tech/NAME.yaml) or a file path → a validated
 * EnergyTable (energy/table.ts parses it), with the CACTI CSV it points at and the table its areas come from.
 * Tables are cached by path: a sweep prices thousands of configs with one table.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, isAbsolute, join, resolve } from 'node:path';
import { SimError } from '../base/errors.js';
import { namedFile, readDocument } from '../base/files.js';
import { packageRoot } from '../base/package-root.js';
import { type CactiRow, type EnergyTable, parseCactiCsv, parseEnergyTable } from '../energy/table.js';

export function techDir(): string {
  return join(packageRoot(), 'hw-configs', 'tech');
}

/** Whether a table spec is a file path (a slash, or a .yaml/.yml/.json name) rather than a shipped table's name. */
export const isTablePath = (spec: string): boolean => /[\\/]/.test(spec) || ['.yaml', '.yml', '.json'].includes(extname(spec).toLowerCase());

/** A table name (hw-configs/tech/NAME.yaml) or a file path → the file. */
export function resolveTablePath(spec: string, baseDir?: string): string {
  if (isTablePath(spec)) {
    return isAbsolute(spec) ? spec : resolve(baseDir ?? process.cwd(), spec);
  }
  const file = join(techDir(), `${spec}.yaml`);
  if (!existsSync(file)) {
    const names = existsSync(techDir()) ? listTables().join(', ') : '(none found)';
    throw new SimError('is neither an energy-table file nor a shipped table', { code: 'unknownPreset', path: 'energy.table', value: spec, hint: `Tables: ${names}; or a .yaml file path.` });
  }
  return file;
}

export function listTables(): string[] {
  return readdirSync(techDir()).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)).sort();
}

/** The CACTI CSV a table's `sram.cactiCsv` names. */
export function readCactiCsv(file: string): CactiRow[] {
  if (!existsSync(file)) throw new SimError('does not exist', { code: 'missingFile', file, path: 'sram.cactiCsv' });
  return parseCactiCsv(readFileSync(file, 'utf8'), file);
}

const cache = new Map<string, EnergyTable>();

export function loadEnergyTable(spec: string, baseDir?: string): EnergyTable {
  const file = resolveTablePath(spec, baseDir);
  const hit = cache.get(file);
  if (hit) return hit;
  // The CACTI CSV and the area table a table names lie beside it (or in the package's data): docs/files.md.
  const table = parseEnergyTable(readDocument(file), file, {
    cactiRows: (csv) => readCactiCsv(namedFile(csv, file, 'sram.cactiCsv')),
    table: (name, dir) => loadEnergyTable(isTablePath(name) ? namedFile(name, file, 'areaTable') : name, dir),
  });
  cache.set(file, table);
  return table;
}

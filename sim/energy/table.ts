/**
 * Energy tables (hw-configs/tech/*.yaml): component × action → energy, every entry with its source. In: a parsed
 * document (load/energy-table.ts reads the files); out: a validated EnergyTable (entries, the CACTI SRAM rows it
 * points at, the table its areas come from). Bad input → SimError naming the file and the entry (exit 2).
 */
import { dirname, resolve } from 'node:path';
import { SimError } from '../base/errors.js';
import { type At, checkKeys, child, fail, object, oneOf, string } from '../base/fields.js';

export interface TableEntry {
  /** Energies in the table's unit (pJ, or MAC = 1); areas (`areaUm2.*`) in µm². */
  readonly value: number;
  readonly source: string;
  /** Present when the value is derived, not read off the source: the rule used. */
  readonly estimated?: string;
}

/** One CACTI 7 run: energy per access of one word, leakage (subthreshold + gate), area. */
export interface CactiRow {
  readonly variant: string;
  readonly capacityBytes: number;
  readonly widthBits: number;
  readonly readPj: number;
  readonly writePj: number;
  readonly leakMw: number;
  readonly areaMm2: number;
}

export type EnergyUnit = 'pJ' | 'normalized';

export interface EnergyTable {
  readonly name: string;
  readonly unit: EnergyUnit;
  readonly file: string;
  readonly entries: Readonly<Record<string, TableEntry>>;
  readonly cacti?: { readonly file: string; readonly source: string; readonly rows: readonly CactiRow[] };
  /** The table areas come from (itself unless `areaTable` names another). */
  readonly areaTable?: EnergyTable;
}

const TOP_KEYS = ['schemaVersion', 'name', 'unit', 'techNm', 'sram', 'areaTable', 'entries', 'description'];
const ENTRY_KEYS = ['value', 'source', 'estimated'];

/** What parsing a table needs from its loader: the CACTI rows a table points at, and another table by name or path. */
export interface TableReaders {
  readonly cactiRows: (file: string) => CactiRow[];
  readonly table: (spec: string, baseDir: string) => EnergyTable;
}

/** Validates a parsed table. Every entry needs a finite value ≥ 0 and a source. */
export function parseEnergyTable(doc: unknown, file: string, read: TableReaders): EnergyTable {
  const root: At = { file, path: '' };
  const top = object(doc, { file, path: '(top level)' }, 'must be a mapping with `unit` and `entries`');
  checkKeys(top, TOP_KEYS, root, 'an energy table');
  if ('schemaVersion' in top && top.schemaVersion !== 1) fail(child(root, 'schemaVersion'), 'is not a supported energy-table version', top.schemaVersion, 'Allowed: 1.');
  const name = 'name' in top ? string(top.name, child(root, 'name')) : file.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '');
  if (!('unit' in top)) fail(child(root, 'unit'), 'is required', undefined, 'Example: unit: pJ (or normalized: a MAC = 1)', 'missingField');
  const unit = oneOf(top.unit, ['pJ', 'normalized'] as const, child(root, 'unit'));
  const entriesAt = child(root, 'entries');
  if (!('entries' in top)) fail(entriesAt, 'is required', undefined, 'Example: entries: { mult.int8: { value: 0.2, source: "Horowitz ISSCC 2014" } }', 'missingField');
  const raw = object(top.entries, entriesAt);
  const entries: Record<string, TableEntry> = {};
  for (const [key, v] of Object.entries(raw)) {
    const at = child(entriesAt, key);
    const e = object(v, at, 'must be a mapping { value, source[, estimated] }');
    checkKeys(e, ENTRY_KEYS, at, 'a table entry');
    if (!('value' in e)) fail(child(at, 'value'), 'is required', undefined, 'Example: { value: 0.2, source: "…" }', 'missingField');
    const value = e.value;
    if (typeof value !== 'number' || !Number.isFinite(value)) fail(child(at, 'value'), 'must be a finite number', value);
    if (value < 0) fail(child(at, 'value'), 'is a negative energy or area', value, 'Energies and areas must be ≥ 0.', 'negativeEnergy');
    if (!('source' in e)) fail(child(at, 'source'), 'is required: every figure needs its source', undefined, 'Example: source: "Horowitz ISSCC 2014"', 'missingField');
    const source = string(e.source, child(at, 'source'));
    const estimated = 'estimated' in e ? string(e.estimated, child(at, 'estimated')) : undefined;
    entries[key] = { value, source, ...(estimated !== undefined ? { estimated } : {}) };
  }
  let cacti: EnergyTable['cacti'];
  if ('sram' in top) {
    const sramAt = child(root, 'sram');
    const s = object(top.sram, sramAt);
    checkKeys(s, ['cactiCsv', 'source'], sramAt, 'the sram section');
    const csv = resolve(dirname(file), string(s.cactiCsv, child(sramAt, 'cactiCsv')));
    cacti = { file: csv, source: string(s.source, child(sramAt, 'source')), rows: read.cactiRows(csv) };
  }
  const areaTable = 'areaTable' in top ? read.table(string(top.areaTable, child(root, 'areaTable')), dirname(file)) : undefined;
  return { name, unit, file, entries, ...(cacti ? { cacti } : {}), ...(areaTable ? { areaTable } : {}) };
}

const CSV_COLUMNS = ['variant', 'capacity_bytes', 'width_bits', 'read_pJ', 'write_pJ', 'leak_mW', 'gate_leak_mW', 'area_mm2'];

/** The CACTI CSV's text (hw-configs/tech/cacti-sram-*.csv: one row per CACTI 7 run) → rows. */
export function parseCactiCsv(text: string, file: string): CactiRow[] {
  const lines = text.trim().split(/\r?\n/);
  const header = lines[0].split(',');
  const idx = CSV_COLUMNS.map((c) => header.indexOf(c));
  idx.forEach((i, j) => { if (i < 0) throw new SimError(`has no column ${CSV_COLUMNS[j]}`, { code: 'malformed', file, path: 'line 1' }); });
  return lines.slice(1).map((line, r) => {
    const v = line.split(',');
    const num = (j: number) => {
      const x = Number(v[idx[j]]);
      if (!Number.isFinite(x) || x < 0) throw new SimError(`${CSV_COLUMNS[j]} must be a number ≥ 0`, { code: 'badValue', file, path: `line ${r + 2}`, value: v[idx[j]] });
      return x;
    };
    return { variant: v[idx[0]], capacityBytes: num(1), widthBits: num(2), readPj: num(3), writePj: num(4), leakMw: num(5) + num(6), areaMm2: num(7) };
  });
}

/** An entry the pricing needs; missing → SimError naming it. */
export function entry(table: EnergyTable, key: string): TableEntry {
  const e = table.entries[key];
  if (!e) {
    throw new SimError("is missing from the energy table", { code: 'missingEntry', file: table.file, path: `entries.${key}`, hint: `Add it: ${key}: { value: …, source: "…" } (hw-configs/README.md lists the entries a config needs).` });
  }
  return e;
}
export const has = (table: EnergyTable, key: string): boolean => key in table.entries;

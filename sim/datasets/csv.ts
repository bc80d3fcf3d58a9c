/**
 * The user's own data as CSV (RFC 4180: comma separator, header row, "quoted, fields" with "" for a quote, CRLF or LF).
 * parseCsv reads and checks the file; csvToDataset then makes a Dataset for the task the trainer chose, because the
 * labels alone cannot say whether 0/1 means binary, two classes, or a regression target.
 *
 * Errors name the file, the 1-based data row (row 1 is the first line after the header) and, because quoted fields may
 * span lines, also the 1-based line of the file where that row starts: `data.csv: row 3 (line 4), column "age": ...`.
 */
import { SimError } from '../base/errors.js';
import { checkSize } from '../base/limits.js';
import type { Tensor64 } from '../float/tensor.js';
import type { Dataset, Task } from './types.js';

export interface CsvOptions {
  /** The target column; default the last column. */
  readonly label?: string;
}

/** Where a data row came from. */
export interface CsvRowAt {
  readonly row: number;
  readonly line: number;
}

export type CsvLabels =
  | {
      readonly kind: 'numeric';
      readonly name: string;
      /** One value per data row. */
      readonly values: Float64Array;
      readonly allIntegers: boolean;
      /** The distinct values, ascending. */
      readonly distinct: readonly number[];
    }
  | {
      readonly kind: 'strings';
      readonly name: string;
      /** The trimmed label cell of each row. */
      readonly values: readonly string[];
      /** Distinct labels in order of first appearance: class i is classes[i]. */
      readonly classes: readonly string[];
      /** Class index of each row, as targets [N] for a multiclass task. */
      readonly indices: Float64Array;
      /** The first label that is not a number (why the column counts as strings), for error messages. */
      readonly firstNonNumeric: CsvRowAt & { readonly value: string };
    };

export interface ParsedCsv {
  readonly file: string;
  /** [N, F]: every column but the label, in file order. */
  readonly features: Tensor64;
  readonly featureNames: readonly string[];
  readonly label: CsvLabels;
  /** The file line where each data row starts (index r − 1 for row r). */
  readonly lines: readonly number[];
}

interface CsvRecord {
  readonly fields: string[];
  /** 1-based line on which the record starts. */
  readonly line: number;
}

/** Splits text into records. Quoted fields may contain commas, newlines and "" (a literal quote). */
function records(text: string, file: string): CsvRecord[] {
  const out: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let start = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a byte-order mark, as spreadsheet exports write it
  const endRecord = (): void => {
    fields.push(field);
    out.push({ fields, line: start });
    fields = [];
    field = '';
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '"' && field === '') {
      const opened = line;
      i++;
      for (;;) {
        if (i >= text.length) {
          throw new SimError('has a quoted field that is never closed', {
            code: 'badCsv', file, path: `line ${opened}`, hint: 'Close it with " (write "" for a quote inside a quoted field).',
          });
        }
        const q = text[i];
        if (q === '"' && text[i + 1] === '"') {
          field += '"';
          i += 2;
        } else if (q === '"') {
          i++;
          break;
        } else {
          if (q === '\n' || (q === '\r' && text[i + 1] !== '\n')) line++;
          field += q;
          i++;
        }
      }
      const next = text[i];
      if (i < text.length && next !== ',' && next !== '\n' && next !== '\r') {
        throw new SimError('has text after a closing quote', {
          code: 'badCsv', file, path: `line ${line}`, value: `"${field}"${text.slice(i, i + 10)}`,
          hint: 'Quote the whole field, writing "" for each quote inside it.',
        });
      }
      // The field is complete; the loop resumes at the comma or line break that ends it.
      continue;
    }
    if (c === ',') {
      fields.push(field);
      field = '';
      i++;
    } else if (c === '\n' || c === '\r') {
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      endRecord();
      line++;
      start = line;
    } else {
      field += c;
      i++;
    }
  }
  if (field !== '' || fields.length > 0) endRecord();
  // Blank lines at the end (editors add them) carry nothing; blank lines inside are reported as rows of one field.
  while (out.length > 0 && isBlank(out[out.length - 1])) out.pop();
  return out;
}

const isBlank = (r: CsvRecord): boolean => r.fields.length === 1 && r.fields[0].trim() === '';

/** A decimal number (optionally signed, with exponent); rejects what Number() would also accept: '', '0x1f', 'Infinity'. */
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The number a cell holds (surrounding spaces allowed), or undefined. Also used for `key=value` dataset parameters. */
export function toNumber(cell: string): number | undefined {
  const t = cell.trim();
  if (!NUMBER.test(t)) return undefined;
  const v = Number(t);
  return Number.isFinite(v) ? v : undefined;
}

/** A cell that means NaN or ±Infinity: the words as numpy and pandas write them, or a decimal beyond ±1.8e308. */
const isNonFinite = (cell: string): boolean => /^[+-]?(?:nan|inf|infinity)$/i.test(cell.trim()) || (NUMBER.test(cell.trim()) && toNumber(cell) === undefined);

const where = (at: CsvRowAt, column?: string): string =>
  `row ${at.row} (line ${at.line})${column === undefined ? '' : `, column ${JSON.stringify(column)}`}`;

export function parseCsv(text: string, file: string, options: CsvOptions = {}): ParsedCsv {
  const recs = records(text, file);
  if (recs.length === 0) throw new SimError('is empty', { code: 'badCsv', file, hint: 'A CSV needs a header row, e.g. x1,x2,label.' });
  const header = recs[0].fields.map((h, j) => h.trim() || `column ${j + 1}`);
  const seen = new Set<string>();
  for (const h of header) {
    if (seen.has(h)) throw new SimError('has a repeated column name', { code: 'badCsv', file, path: 'header', value: h, hint: 'Give every column its own name.' });
    seen.add(h);
  }
  if (header.length < 2) {
    throw new SimError('needs at least two columns (features and a label)', { code: 'badCsv', file, path: 'header', value: header });
  }
  const labelName = options.label ?? header[header.length - 1];
  const labelIndex = header.indexOf(labelName);
  if (labelIndex < 0) {
    throw new SimError('has no such label column', {
      code: 'unknownColumn', file, path: 'label', value: labelName, hint: `Columns: ${header.join(', ')}.`,
    });
  }
  const data = recs.slice(1);
  if (data.length === 0) throw new SimError('has a header but no data rows', { code: 'badCsv', file });

  const n = data.length;
  const f = header.length - 1;
  const featureNames = header.filter((_, j) => j !== labelIndex);
  const features = new Float64Array(n * f);
  const labelCells: string[] = [];
  const lines: number[] = [];
  let nonFinite = 0;
  let firstNonFinite: { at: CsvRowAt; column: string; cell: string } | undefined;
  data.forEach((rec, r) => {
    const at = { row: r + 1, line: rec.line };
    if (rec.fields.length !== header.length) {
      throw new SimError(
        isBlank(rec) ? 'is blank' : `has ${rec.fields.length} fields but the header has ${header.length}`,
        { code: 'raggedRow', file, path: where(at), value: rec.fields, hint: `Columns: ${header.join(', ')}.` },
      );
    }
    let k = 0;
    rec.fields.forEach((cell, j) => {
      if (j === labelIndex) return;
      const v = toNumber(cell);
      if (v === undefined && isNonFinite(cell)) {
        if (nonFinite++ === 0) firstNonFinite = { at, column: header[j], cell };
        features[r * f + k++] = NaN;
        return;
      }
      if (v === undefined) {
        throw new SimError('must be a number', {
          code: 'notNumber', file, path: where(at, header[j]), value: cell,
          hint: `Every feature cell must be numeric; only the label column ("${labelName}") may hold names.`,
        });
      }
      features[r * f + k++] = v;
    });
    labelCells.push(rec.fields[labelIndex].trim());
    lines.push(rec.line);
  });
  if (firstNonFinite) {
    throw new SimError(`must be a finite number, but ${nonFinite} feature cell${nonFinite === 1 ? ' is' : 's are'} NaN or ±Infinity; this is the first`, {
      code: 'notNumber', file, path: where(firstNonFinite.at, firstNonFinite.column), value: firstNonFinite.cell,
      hint: 'Drop or fill in those rows: a NaN feature makes every loss NaN.',
    });
  }
  return { file, features: { shape: [n, f], data: features }, featureNames, label: labels(labelName, labelCells, lines), lines };
}

function labels(name: string, cells: string[], lines: number[]): CsvLabels {
  const numeric = new Float64Array(cells.length);
  for (let r = 0; r < cells.length; r++) {
    const v = toNumber(cells[r]);
    if (v === undefined) {
      const classes: string[] = [];
      const index = new Map<string, number>();
      const indices = Float64Array.from(cells, (c) => {
        if (!index.has(c)) index.set(c, classes.push(c) - 1);
        return index.get(c)!;
      });
      const firstNonNumeric = { row: r + 1, line: lines[r], value: cells[r] };
      return { kind: 'strings', name, values: cells, classes, indices, firstNonNumeric };
    }
    numeric[r] = v;
  }
  const distinct = [...new Set(numeric)].sort((a, b) => a - b);
  return { kind: 'numeric', name, values: numeric, allIntegers: distinct.every(Number.isInteger), distinct };
}

/** Builds the Dataset for `task`, checking that the labels fit it (binary: 0/1; multiclass: integers ≥ 0 or names). */
export function csvToDataset(parsed: ParsedCsv, task: Task): Dataset {
  const { file, label } = parsed;
  const n = parsed.features.shape[0];
  const at = (r: number): CsvRowAt => ({ row: r + 1, line: parsed.lines[r] });
  const bad = (problem: string, r: number, value: unknown, hint: string): never => {
    throw new SimError(problem, { code: 'badLabel', file, path: where(at(r), label.name), value, hint });
  };
  const base = {
    name: file,
    task,
    features: parsed.features,
    featureNames: parsed.featureNames,
    description: `User data from ${file}: ${n} rows, ${parsed.featureNames.length} feature columns, label column "${label.name}" (${task}).`,
  };
  // The float engine's targets are one-hot rows of one entry per class: the class count is a size (docs/limits.md).
  const checkClasses = (count: number, r: number): number =>
    checkSize(count, 'classes', { file, path: where(at(r), label.name) }, `a multiclass task of ${count} classes`);
  if (label.kind === 'strings') {
    if (task === 'multiclass') {
      checkClasses(label.classes.length, label.indices.indexOf(label.classes.length - 1));
      return { ...base, targets: { shape: [n], data: label.indices }, classes: label.classes };
    }
    const { row, value } = label.firstNonNumeric;
    return bad(`must be a number for a ${task} task`, row - 1, value,
      `The label column holds names (${label.classes.slice(0, 5).join(', ')}${label.classes.length > 5 ? ', ...' : ''}); use task multiclass, or numeric labels.`);
  }
  const v = label.values;
  if (task === 'binary') {
    const r = v.findIndex((x) => x !== 0 && x !== 1);
    if (r >= 0) bad('must be 0 or 1 for a binary task', r, v[r], `Labels found: ${showDistinct(label.distinct)}. Use task multiclass or regression.`);
    return { ...base, targets: { shape: [n, 1], data: Float64Array.from(v) } };
  }
  if (task === 'multiclass') {
    const r = v.findIndex((x) => !Number.isInteger(x) || x < 0);
    if (r >= 0) bad('must be an integer ≥ 0 (a class index) for a multiclass task', r, v[r], 'Use class indices 0..C−1 or class names, or task regression.');
    const c = checkClasses(label.distinct[label.distinct.length - 1] + 1, v.indexOf(label.distinct[label.distinct.length - 1]));
    const classes = Array.from({ length: c }, (_, i) => String(i));
    return { ...base, targets: { shape: [n], data: Float64Array.from(v) }, classes };
  }
  return { ...base, targets: { shape: [n, 1], data: Float64Array.from(v) } };
}

const showDistinct = (d: readonly number[]): string => (d.length > 6 ? `${d.slice(0, 6).join(', ')}, ... (${d.length} distinct)` : d.join(', '));

/** The CSV reader: RFC 4180 quoting, label choice, string labels → classes, each error, and csvToDataset per task. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SimError } from '../../sim/base/errors.js';
import { csvToDataset, parseCsv } from '../../sim/datasets/csv.js';

const F = 'data.csv';

/** The SimError a thunk throws (fails the test when it throws nothing or something else). */
function simError(f: () => unknown): SimError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SimError);
    return e as SimError;
  }
  throw new Error('expected a SimError');
}

describe('parseCsv', () => {
  it('reads a header and numeric rows; the label is the last column by default', () => {
    const p = parseCsv('a,b,y\n1,2,0\n3.5,-4e-1,1\n', F);
    expect(p.featureNames).toEqual(['a', 'b']);
    expect(p.features).toEqual({ shape: [2, 2], data: Float64Array.from([1, 2, 3.5, -0.4]) });
    expect(p.label).toMatchObject({ kind: 'numeric', name: 'y', allIntegers: true, distinct: [0, 1] });
    expect(p.label.kind === 'numeric' && Array.from(p.label.values)).toEqual([0, 1]);
  });

  it('takes any column as the label and keeps the others in file order', () => {
    const p = parseCsv('price,size,rooms\n3.5,2,4\n2.25,1.5,3\n', F, { label: 'price' });
    expect(p.featureNames).toEqual(['size', 'rooms']);
    expect(Array.from(p.features.data)).toEqual([2, 4, 1.5, 3]);
    expect(p.label).toMatchObject({ kind: 'numeric', name: 'price', allIntegers: false, distinct: [2.25, 3.5] });
  });

  it('handles quoted fields: commas, "" escapes and line breaks inside quotes; CRLF; a BOM; trailing blank lines', () => {
    const text = '\uFEFF"x, cm","y",species\r\n1,2,"Iris ""setosa"", the small"\r\n"3",4,"two\nlines"\r\n5,6,plain\r\n\r\n  \r\n';
    const p = parseCsv(text, F);
    expect(p.featureNames).toEqual(['x, cm', 'y']);
    expect(Array.from(p.features.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(p.label).toMatchObject({ kind: 'strings', classes: ['Iris "setosa", the small', 'two\nlines', 'plain'] });
    expect(p.lines).toEqual([2, 3, 5]); // the quoted line break puts row 3 on line 5
  });

  it('maps string labels to class indices in order of first appearance', () => {
    const p = parseCsv('x,species\n1,virginica\n2,setosa\n3, virginica\n4,versicolor\n', F);
    if (p.label.kind !== 'strings') throw new Error('expected string labels');
    expect(p.label.classes).toEqual(['virginica', 'setosa', 'versicolor']);
    expect(Array.from(p.label.indices)).toEqual([0, 1, 0, 2]);
    expect(p.label.firstNonNumeric).toEqual({ row: 1, line: 2, value: 'virginica' });
  });

  it('one non-numeric label makes the column strings and remembers where', () => {
    const p = parseCsv('x,y\n1,0\n2,1\n3,l\n', F);
    expect(p.label).toMatchObject({ kind: 'strings', classes: ['0', '1', 'l'], firstNonNumeric: { row: 3, line: 4, value: 'l' } });
  });

  it('round-trips any table of numbers and quoted names', () => {
    const name = fc.string({ minLength: 1, maxLength: 8 }).filter((s) => s.trim() !== '' && s.trim() === s && Number.isNaN(Number(s)));
    const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), name), { minLength: 1, maxLength: 20 }),
        (rows) => {
          const text = ['a,b,label', ...rows.map(([a, b, l]) => `${a},${b},${quote(l)}`)].join('\n');
          const p = parseCsv(text, F);
          expect(Array.from(p.features.data)).toEqual(rows.flatMap(([a, b]) => [a === 0 ? 0 : a, b]));
          expect(p.label.kind).toBe('strings');
          if (p.label.kind === 'strings') expect(p.label.values).toEqual(rows.map((r) => r[2]));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('parseCsv errors name the file, the row (and its line) and the column', () => {
  it('a non-numeric feature cell', () => {
    const e = simError(() => parseCsv('age,height,y\n30,1.8,1\n31,tall,0\n', F));
    expect(e.code).toBe('notNumber');
    expect(e.message).toMatch(/^data\.csv: row 2 \(line 3\), column "height": must be a number \(got "tall"\)\./);
    for (const cell of ['', ' ', '0x1f', 'Infinity', 'NaN', '1,5', '1e999']) {
      expect(() => parseCsv(`a,y\n"${cell}",1\n`, F), JSON.stringify(cell)).toThrowError(/row 1 \(line 2\), column "a"/);
    }
  });

  it('an unknown label column lists the columns', () => {
    const e = simError(() => parseCsv('a,b,c\n1,2,3\n', F, { label: 'd' }));
    expect(e.message).toBe('data.csv: label: has no such label column (got "d"). Columns: a, b, c.');
  });

  it('a ragged row, and a blank line inside the data', () => {
    expect(simError(() => parseCsv('a,b,y\n1,2,0\n1,2\n', F)).message).toMatch(/^data\.csv: row 2 \(line 3\): has 2 fields but the header has 3/);
    expect(simError(() => parseCsv('a,b,y\n1,2,0,9\n', F)).code).toBe('raggedRow');
    expect(simError(() => parseCsv('a,y\n1,0\n\n2,1\n', F)).message).toMatch(/row 2 \(line 3\): is blank/);
  });

  it('bad quoting, repeated or too few columns, no data', () => {
    expect(simError(() => parseCsv('a,y\n"1,0\n', F)).message).toMatch(/^data\.csv: line 2: has a quoted field that is never closed/);
    expect(simError(() => parseCsv('a,y\n"1"x,0\n', F)).message).toMatch(/line 2: has text after a closing quote/);
    expect(simError(() => parseCsv('a,a,y\n1,2,3\n', F)).message).toMatch(/repeated column name \(got "a"\)/);
    expect(simError(() => parseCsv('y\n1\n', F)).message).toMatch(/at least two columns/);
    expect(simError(() => parseCsv('a,y\n\n', F)).message).toMatch(/no data rows/);
    expect(simError(() => parseCsv('', F)).message).toMatch(/^data\.csv: is empty/);
  });
});

describe('csvToDataset', () => {
  const numeric = parseCsv('x1,x2,y\n0.5,1,0\n1.5,2,1\n2.5,3,2\n', F);

  it('binary needs 0/1 labels: targets [N, 1]', () => {
    const ok = csvToDataset(parseCsv('x,y\n1,0\n2,1\n', F), 'binary');
    expect(ok).toMatchObject({ name: F, task: 'binary', featureNames: ['x'] });
    expect(ok.targets).toEqual({ shape: [2, 1], data: Float64Array.from([0, 1]) });
    expect(simError(() => csvToDataset(numeric, 'binary')).message).toMatch(/row 3 \(line 4\), column "y": must be 0 or 1 for a binary task \(got 2\)\. Labels found: 0, 1, 2/);
  });

  it('multiclass: integer labels give C = max + 1 classes; names give their classes; targets [N]', () => {
    const d = csvToDataset(numeric, 'multiclass');
    expect(d.targets).toEqual({ shape: [3], data: Float64Array.from([0, 1, 2]) });
    expect(d.classes).toEqual(['0', '1', '2']);
    const named = csvToDataset(parseCsv('x,kind\n1,cat\n2,dog\n3,cat\n', F), 'multiclass');
    expect(named.classes).toEqual(['cat', 'dog']);
    expect(Array.from(named.targets.data)).toEqual([0, 1, 0]);
    expect(() => csvToDataset(parseCsv('x,y\n1,0\n2,1.5\n', F), 'multiclass')).toThrowError(/row 2 \(line 3\), column "y": must be an integer ≥ 0/);
    expect(() => csvToDataset(parseCsv('x,y\n1,-1\n', F), 'multiclass')).toThrowError(SimError);
  });

  it('regression takes numeric labels as [N, 1] and refuses names, pointing at the first one', () => {
    expect(csvToDataset(numeric, 'regression').targets.shape).toEqual([3, 1]);
    const strings = parseCsv('x,y\n1,2\n2,3\n3,n/a\n', F);
    expect(simError(() => csvToDataset(strings, 'regression')).message).toMatch(/row 3 \(line 4\), column "y": must be a number for a regression task \(got "n\/a"\)/);
    expect(() => csvToDataset(strings, 'binary')).toThrowError(/use task multiclass/);
  });
});

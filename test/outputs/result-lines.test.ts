/**
 * results.jsonl lines are validated wherever they are read (sweep --resume, merge, report): an odd line is an error
 * naming the file and line (exit 2, one line, without quoting the line), never a crash or a NaN total.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { recordLineProblem, parseRecordLine } from '../../sim/sweep/record.js';
import { systolab } from '../helpers/cli.js';

const cwd = mkdtempSync(join(tmpdir(), 'systolab-lines-'));
const made = systolab(['sweep', '--model', 'tiny-cnn', '--array', '8x8,16x16', '--jobs', '1', '--out', 'good'], cwd);
const good = readFileSync(join(cwd, 'good', 'results.jsonl'), 'utf8').split('\n').filter((l) => l !== '');

/** The first good line with one key set to a value (a JSON-level corruption). */
function corrupt(path: string[], value: unknown): string {
  const r = JSON.parse(good[0]) as Record<string, unknown>;
  let o = r;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string, unknown>;
  o[path[path.length - 1]] = value;
  return JSON.stringify(r);
}

const ODD: [string, string][] = [
  ['energy null (the toExponential crash)', corrupt(['totals', 'energyPj'], null)],
  ['cycles a string', corrupt(['totals', 'cycles'], '12')],
  ['seconds missing', corrupt(['totals', 'seconds'], undefined)],
  ['params a list', corrupt(['params'], [])],
  ['rows NaN as a string', corrupt(['params', 'rows'], 'NaN')],
  ['JSON null', 'null'],
  ['not JSON', '{"id": "x", totals'],
];

describe('odd results.jsonl lines', () => {
  it('the fixture sweep ran', () => expect(made.code).toBe(0));

  for (const [what, line] of ODD) {
    it(`merge and report refuse a line with ${what}: file:line, exit 2, one line, the line not quoted`, () => {
      const dir = mkdtempSync(join(cwd, 'odd-'));
      writeFileSync(join(dir, 'results.jsonl'), `${good[1]}\n${line}\n`);
      for (const args of [['merge', dir, '--out', join(dir, 'm')], ['report', dir]]) {
        const r = systolab(args, cwd);
        expect(r.code).toBe(2);
        expect(r.err.trimEnd().split('\n')).toEqual([expect.stringContaining(`${join(dir, 'results.jsonl')}: line 2: is not a sweep result line: it `)]);
        expect(r.err).not.toContain('internal error');
        expect(r.err).not.toContain(line.slice(0, 20));
        expect(r.out).not.toMatch(/NaN/);
      }
    });
  }

  it('merge of good folders prints no NaN', () => {
    const r = systolab(['merge', 'good', '--out', 'merged'], cwd);
    expect(r.code).toBe(0);
    expect(r.out).not.toMatch(/NaN|undefined|null/);
  });
});

describe('recordLineProblem (in-process)', () => {
  it('every line a sweep writes is valid and parses back to itself', () => {
    for (const l of good) {
      expect(recordLineProblem(l)).toBeUndefined();
      expect(JSON.stringify(parseRecordLine(l))).toBe(l);
    }
  });

  it('law: any total set to a non-finite, negative or non-number value is flagged, naming the key', () => {
    const keys = Object.keys((JSON.parse(good[0]) as { totals: object }).totals);
    const bad = fc.oneof(fc.constant(null), fc.constant('1'), fc.constant(-1), fc.constant(true), fc.constant([]), fc.double({ max: -Number.MIN_VALUE }));
    fc.assert(fc.property(fc.constantFrom(...keys), bad, (key, value) => {
      expect(recordLineProblem(corrupt(['totals', key], value))).toContain(`totals.${key}`);
    }), { seed: 19, numRuns: 200 });
  });

  it('mutation: a corrupted line that a lax check (id, params, totals present) would accept is refused', () => {
    const lax = (l: string) => { const r = JSON.parse(l) as Record<string, unknown>; return typeof r.id === 'string' && !!r.params && !!r.totals; };
    const line = corrupt(['totals', 'energyPj'], null);
    expect(lax(line)).toBe(true);
    expect(parseRecordLine(line)).toBeUndefined();
  });
});

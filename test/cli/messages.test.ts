/**
 * Issue 19, failure classes 1 (YAML aliases) and 4 (messages that are not one line), and the rule that no message
 * quotes a file it could not use: every example through the bundled CLI (exit 2, exactly one `systolab: ` line, no
 * stack trace, short), the exit-code mapping on its own (internal errors exit 3), and the message formatter's law
 * (one bounded line for any value) as a property.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonErrorOffset, MAX_YAML_ALIAS_COUNT, parseJsonText, parseYamlText } from '../../sim/base/documents.js';
import { MAX_MESSAGE_CHARS, shownKey, SimError, showValue } from '../../sim/base/errors.js';
import { EXIT_CODES, failureOf, usageFailure } from '../../sim/cli/failure.js';
import { type CliResult, ROOT, systolab } from '../helpers/cli.js';
import { errorOf } from '../helpers/errors.js';

function tmp(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'systolab-messages-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const MLP = 'layers:\n  - { name: x, kind: input, shape: [1, 4] }\n  - { name: d, kind: dense, units: 3 }\n';
/** What a user may be shown at most on one line. */
const LINE_CHARS = 300;

/** Why `stderr` is not the one short error line of bad input (empty when it is). */
function lineProblems(stderr: string, maxChars = LINE_CHARS): string[] {
  const problems: string[] = [];
  if (!/^systolab: [^\n]*\n$/.test(stderr)) problems.push('not exactly one line starting "systolab: "');
  if (/\n\s+at /.test(stderr)) problems.push('a stack trace');
  if (/YAMLWarning|TAG_RESOLVE_FAILED|\(node:\d+\)/.test(stderr)) problems.push('a warning printed by Node');
  if (/internal error/.test(stderr)) problems.push('an internal error');
  if (stderr.trimEnd().length > maxChars) problems.push(`longer than ${maxChars} characters`);
  return problems;
}

function expectBadInput(r: CliResult, pattern: RegExp, maxChars = LINE_CHARS): void {
  expect(lineProblems(r.err, maxChars), r.err).toEqual([]);
  expect(r.code, r.err).toBe(EXIT_CODES.badInput);
  expect(r.err).toMatch(pattern);
}

describe('the one-line oracle flags what it must (mutation)', () => {
  it('flags the old three-line yargs message, a stack trace, a Node warning, an internal error, an overlong line', () => {
    expect(lineProblems('systolab: Invalid values:\n  Argument: compat, Given: "foo", Choices: "none", "scalesim"\nRun `systolab --help` for usage.\n')).toContain('not exactly one line starting "systolab: "');
    expect(lineProblems('systolab: x\n    at main (file.js:1:1)\n')).toContain('a stack trace');
    expect(lineProblems('(node:123) [TAG_RESOLVE_FAILED] YAMLWarning: Unresolved tag: !foo\nsystolab: x\n')).toContain('a warning printed by Node');
    expect(lineProblems('systolab: internal error: Excessive alias count indicates a resource exhaustion attack\n')).toContain('an internal error');
    expect(lineProblems(`systolab: ${'a'.repeat(LINE_CHARS)}\n`)).toContain(`longer than ${LINE_CHARS} characters`);
    expect(lineProblems('systolab: m.yaml: layers: must be a list.\n')).toEqual([]);
  });
});

/** Anchors nine deep, each aliasing the one before nine times: 9^9 nodes once expanded ("billion laughs"). */
function aliasBomb(lastKey: string): string {
  const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 9; i++) lines.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
  return `${lines.join('\n')}\n${lastKey}: *a8\n`;
}

describe('YAML: aliases bounded, no custom tags, errors as our one-line messages (class 1 and 4)', () => {
  it('an alias bomb in a model file is bad input, not an internal error', () => {
    const dir = tmp({ 'bomb.yaml': aliasBomb('layers') });
    expectBadInput(systolab(['run', '--model', 'bomb.yaml'], dir), /^systolab: bomb\.yaml: is not valid YAML: aliases \(\*name\) that expand beyond 1000 nodes/);
  });

  it('an alias bomb in a sweep spec is bad input', () => {
    const dir = tmp({ 'spec.yaml': aliasBomb('models') });
    expectBadInput(systolab(['sweep', 'spec.yaml', '--out', join(dir, 'out')], dir), /^systolab: spec\.yaml: is not valid YAML: aliases/);
  });

  it('an unresolved alias in a sweep spec names its line and column', () => {
    const dir = tmp({ 'spec.yaml': 'hw: edge-16x16\nmodels: *nope\n' });
    expectBadInput(systolab(['sweep', 'spec.yaml', '--out', join(dir, 'out')], dir), /^systolab: spec\.yaml: line 2, column 9: is not valid YAML: an alias \(\*name\) with no anchor/);
  });

  it('an unknown tag is our one-line error, and Node prints no YAMLWarning before it', () => {
    const dir = tmp({ 'm.yaml': MLP.replace('name: d,', 'name: !foo d,') });
    const r = systolab(['run', '--model', 'm.yaml'], dir);
    expectBadInput(r, /^systolab: m\.yaml: line 3, column 13: is not valid YAML: a tag Systolab does not read/);
    expect(r.out).toBe('');
  });

  it('YAML 1.1 tags (!!binary) are not read, even under a %YAML 1.1 directive', () => {
    const dir = tmp({ 'spec.yaml': '%YAML 1.1\n---\nmodels: !!binary aGVsbG8=\n' });
    expectBadInput(systolab(['sweep', 'spec.yaml', '--out', join(dir, 'out')], dir), /spec\.yaml: line 3, column 9: is not valid YAML: a tag/);
  });

  it('a second document is refused, not silently dropped', () => {
    const dir = tmp({ 'm.yaml': `${MLP}---\nlayers: []\n` });
    expectBadInput(systolab(['run', '--model', 'm.yaml'], dir), /m\.yaml: line 4, column 1: is not valid YAML: more than one document/);
  });

  it('aliases within the limit still work', () => {
    const doc = parseYamlText('shape: &s [1, 4]\nlayers:\n  - { name: x, kind: input, shape: *s }\n', 'm.yaml') as { layers: { shape: number[] }[] };
    expect(doc.layers[0].shape).toEqual([1, 4]);
    expect(MAX_YAML_ALIAS_COUNT).toBe(1000);
  });
});

describe('messages are one line (class 4)', () => {
  it("yargs' three-line \"Invalid values … Choices\" becomes the line every bad flag value gets", () => {
    const r = systolab(['simulate', '--compat', 'foo']);
    expectBadInput(r, /^systolab: --compat: is not an allowed value \(got "foo"\)\. Allowed: none, scalesim\. See `systolab <command> --help`\.$/m);
  });

  it('two invalid flag values at once: still one line, both named', () => {
    const r = systolab(['simulate', '--compat', 'foo', '--format', 'xx']);
    expectBadInput(r, /--compat: is not an allowed value \(got "foo"\)\. Allowed: none, scalesim\. --format: is not an allowed value \(got "xx"\)/);
  });

  it('a 5,000-character flag value keeps its head and says how long it was', () => {
    expectBadInput(systolab(['simulate', '--compat', 'z'.repeat(5000)]), /--compat: is not an allowed value \(got "z{60}…" \(5000 characters\)\)/);
  });

  it('a 5,000-character value in a file keeps its head and says how long it was', () => {
    const dir = tmp({ 'hw.yaml': `array: { rows: 8, cols: 8, dataflow: ${'q'.repeat(5000)} }\n` });
    expectBadInput(systolab(['simulate', '--hw', 'hw.yaml', '--no-charts'], dir), /hw\.yaml: array\.dataflow: .*\(got "q{60}…" \(5000 characters\)\)/);
  });

  it('a 30,000-character unknown flag stays one short line', () => {
    expectBadInput(systolab(['simulate', `--${'w'.repeat(30000)}`]), /^systolab: Unknown argument: w+… \(30\d{3} characters\)/);
  });

  it('a 30,000-character model name keeps its head, and the sentence around it is still read', () => {
    // The allowed values (every built-in model, and model files) take 330 characters of this line by themselves.
    expectBadInput(systolab(['simulate', '--model', 'm'.repeat(30000)]), /^systolab: "m{99}… \(30002 characters\) is not a model file or a built-in model\. Built-in models: lenet5/, 600);
  });

  it('a JSON syntax error names the line and column and echoes no lines of the file', () => {
    const dir = tmp({ 'm.json': '{\n "name": "x",\n "layers": [\n  1,\n  2,,\n  3\n ]\n}\n' });
    const r = systolab(['run', '--model', 'm.json'], dir);
    expectBadInput(r, /^systolab: m\.json: line 5, column 5: is not valid JSON: an unexpected character\.$/m);
    expect(r.err).not.toMatch(/"name"|2,,/);
  });

  it('a byte-order mark before a JSON or YAML document is skipped, not an error', () => {
    const model = { layers: [{ name: 'x', kind: 'input', shape: [1, 4] }, { name: 'd', kind: 'dense', units: 3 }] };
    const dir = tmp({ 'm.json': `\ufeff${JSON.stringify(model)}`, 'm.yaml': `\ufeff${MLP}` });
    for (const file of ['m.json', 'm.yaml']) expect(systolab(['run', '--model', file], dir).code).toBe(0);
  });

  it('a multi-line string value in a file is shown on one line', () => {
    const dir = tmp({ 'hw.yaml': 'array: { rows: 8, cols: 8, dataflow: "o\\ns\\u2028x" }\n' });
    expectBadInput(systolab(['simulate', '--hw', 'hw.yaml', '--no-charts'], dir), /array\.dataflow: .*\(got "o\\ns\\u2028x"\)/);
  });
});

describe('no message quotes a file it could not use (security)', () => {
  const SHADOW = 'root:$6$SECRETSALT$SECRETHASH:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n';

  it('paramsFile naming a shadow-like file (its lines parse as YAML keys): the path, none of its text', () => {
    const dir = tmp({ 'm.yaml': `paramsFile: shadow\n${MLP}`, shadow: SHADOW });
    const r = systolab(['run', '--model', 'm.yaml'], dir);
    expectBadInput(r, /shadow: \(a key of 47 characters that is not a name\): is not a "layer\.param" key\./);
    expect(r.err).not.toMatch(/SECRET|root|daemon/);
  });

  it('paramsFile naming a key file (it parses as one string): the path, its length, none of its text', () => {
    const dir = tmp({ 'm.yaml': `paramsFile: id_rsa\n${MLP}`, id_rsa: '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n' });
    const r = systolab(['run', '--model', 'm.yaml'], dir);
    expectBadInput(r, /id_rsa: is not a YAML mapping or list but one text value of \d+ characters\. Is it the right file\?/);
    expect(r.err).not.toMatch(/BEGIN|b3Bl|PRIVATE/);
  });

  it('an unknown key that is not a name is not shown, nor its value; a name-like one still is', () => {
    const dir = tmp({ 'hw.yaml': `${readFileSync(join(ROOT, 'hw-configs', 'edge-16x16.yaml'), 'utf8')}'root:$6$SALT:7:::': SECRET\nclockMhzz: 5\n` });
    const r = systolab(['simulate', '--hw', 'hw.yaml', '--no-charts'], dir);
    expectBadInput(r, /hw\.yaml: \(a key of 17 characters that is not a name\): is not a field of/);
    expect(r.err).not.toMatch(/SECRET|SALT|root/);
    expect(shownKey('clockMhzz')).toBe('clockMhzz');
    expect(shownKey('conv1.weight')).toBe('conv1.weight');
  });

  it('paramsFile naming a broken .json file: the line and column, none of its text', () => {
    const dir = tmp({ 'm.yaml': `paramsFile: keys.json\n${MLP}`, 'keys.json': '{"token": "SECRET-TOKEN-123" oops}\n' });
    const r = systolab(['run', '--model', 'm.yaml'], dir);
    expectBadInput(r, /keys\.json: line 1, column 30: is not valid JSON/);
    expect(r.err).not.toMatch(/SECRET|token|oops/);
  });

  it('energy.table naming a file of environment variables: no variable is printed', () => {
    const hw = `${readFileSync(join(ROOT, 'hw-configs', 'edge-16x16.yaml'), 'utf8')}energy: { table: ./environ.yaml }\n`;
    const dir = tmp({ 'hw.yaml': hw, 'environ.yaml': 'HOME=/root\0AWS_SECRET_ACCESS_KEY=SECRET\0' });
    const r = systolab(['simulate', '--hw', 'hw.yaml', '--no-charts'], dir);
    expectBadInput(r, /environ\.yaml: is not a YAML mapping or list/);
    expect(r.err).not.toMatch(/SECRET|HOME/);
  });

  it('report DIR with a broken cost-report.json: the line and column, none of its text', () => {
    const dir = tmp({ 'cost-report.json': '{\n "schemaVersion": 2,\n "secret": "TOKEN-123",,\n "layers": []\n}\n' });
    const r = systolab(['report', dir], dir);
    expectBadInput(r, /cost-report\.json: line 3, column 24: is not valid JSON: an unexpected character\.$/m);
    expect(r.err).not.toMatch(/TOKEN|secret|schemaVersion/);
  });

  it('a YAML syntax error is described in our words, never by quoting the source', () => {
    const e = errorOf(() => parseYamlText('a: "SECRET\\q"\n', 'f.yaml'));
    expect(e.message).toBe('f.yaml: line 1, column 11: is not valid YAML: an invalid escape sequence in a double-quoted string.');
  });
});

describe('exit codes: 2 bad input, 3 internal errors (failureOf on its own; main.ts only writes and exits)', () => {
  it('a SimError is bad input: exit 2, its one line', () => {
    const f = failureOf(new SimError('is not a known layer kind', { code: 'unknownKind', file: 'm.yaml', path: 'layers[1].kind', value: 'x' }), false);
    expect(f).toEqual({ exitCode: 2, stderr: 'systolab: m.yaml: layers[1].kind: is not a known layer kind (got "x").\n' });
  });

  it('anything else is a bug: exit 3, one line that says so, even for a multi-line message', () => {
    const f = failureOf(new TypeError("Cannot read properties of null\n(reading 'toExponential')"), false);
    expect(f.exitCode).toBe(3);
    expect(f.stderr).toBe("systolab: internal error (a bug, please report it, with the stack trace that --debug prints): Cannot read properties of null (reading 'toExponential')\n");
  });

  it('a SimError with code internal (a cost-model invariant) is a bug too, and values that are not Errors are shown', () => {
    expect(failureOf(new SimError('DRAM traffic below the compulsory traffic', { code: 'internal' }), false).exitCode).toBe(3);
    expect(failureOf('thrown text', false)).toMatchObject({ exitCode: 3, stderr: expect.stringMatching(/: thrown text\n$/) as unknown });
  });

  it('--debug adds the stack trace after the line', () => {
    const f = failureOf(new RangeError('boom'), true);
    expect(f.exitCode).toBe(3);
    expect(f.stderr).toMatch(/^systolab: internal error \(a bug, please report it\): boom\nRangeError: boom\n\s+at /);
  });

  it('the codes are the documented ones: 1 thresholds, 2 bad input, 3 internal', () => {
    expect(EXIT_CODES).toEqual({ thresholdFailed: 1, badInput: 2, internal: 3 });
    expect(usageFailure('Missing required argument: dataset', []).stderr).toBe('systolab: Missing required argument: dataset. See `systolab <command> --help`.\n');
  });
});

/** Strings with what breaks lines and terminals: newlines, U+2028/2029/0085, tabs, escapes, astral characters. */
const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: fc.constantFrom('\n', '\r', '\u2028', '\u2029', '\u0085', '\t', '\x1b', '\0', 'a', '😀', '\udc00'), maxLength: 300 }),
  fc.integer({ min: 0, max: 40_000 }).map((n) => 'x\n'.repeat(n)),
);

describe('the message formatter: one bounded line for any value (property)', () => {
  it('SimError messages have no line break and stay under MAX_MESSAGE_CHARS', () => {
    fc.assert(fc.property(nasty, nasty, nasty, fc.oneof(nasty, fc.anything()), nasty, (problem, file, path, value, hint) => {
      const m = new SimError(problem, { code: 'badValue', file, path, value, hint }).message;
      expect(m).not.toMatch(/[\n\r\v\f\u0085\u2028\u2029]/);
      expect(m.length).toBeLessThanOrEqual(MAX_MESSAGE_CHARS);
    }), { seed: 19, numRuns: 300 });
  });

  it('a long string keeps its head and says how long it was; a short one is shown whole', () => {
    expect(showValue('y'.repeat(5000))).toBe(`"${'y'.repeat(60)}…" (5000 characters)`);
    expect(showValue('os')).toBe('"os"');
    // Never half a surrogate pair at the cut.
    expect(showValue(`${'a'.repeat(59)}😀${'b'.repeat(10)}`)).toBe(`"${'a'.repeat(59)}…" (71 characters)`);
  });

  it('the property would catch a formatter that kept newlines (mutation)', () => {
    const unformatted = (text: string): string => `m.yaml: ${text}.`;
    expect(() => fc.assert(fc.property(nasty, (t) => expect(unformatted(t)).not.toMatch(/[\n\r\u2028\u2029\u0085]/)), { seed: 19 })).toThrow();
  });
});

describe('jsonErrorOffset: where JSON.parse stops (property: it agrees with JSON.parse)', () => {
  const mutated = fc.tuple(fc.json(), fc.nat(), fc.constantFrom('', ',', '}', ']', '"', ':', '\\', '\n', '-', '0', 'e', ' ', '{', '[')).map(
    ([text, at, insert]) => { const i = at % (text.length + 1); return `${text.slice(0, i)}${insert}${text.slice(i + (insert === '' ? 1 : 0))}`; },
  );

  it('undefined exactly when JSON.parse accepts the text; an offset in range otherwise', () => {
    fc.assert(fc.property(fc.oneof(fc.json(), mutated), (text) => {
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      const offset = jsonErrorOffset(text);
      expect(offset === undefined).toBe(valid);
      if (offset !== undefined) expect(offset).toBeLessThanOrEqual(text.length);
    }), { seed: 19, numRuns: 3000 });
  });

  it('points at the first character that cannot continue the text; deep nesting does not overflow', () => {
    expect(jsonErrorOffset('[1, 2,, 3]')).toBe(6);
    expect(jsonErrorOffset('{"a": 01}')).toBe(7);
    expect(jsonErrorOffset('{"a": [1, 2')).toBe(11);
    expect(jsonErrorOffset(`${'['.repeat(200_000)}${']'.repeat(200_000)}`)).toBeUndefined();
    expect(errorOf(() => parseJsonText('{"a": [1, 2', 'f.json')).message).toBe('f.json: line 1, column 12: is not valid JSON: the text ends inside a value (an unclosed string, bracket or brace?).');
  });
});

/**
 * The path rule (docs/files.md): a file named inside another file (`paramsFile`, `energy.table`, a table's
 * `sram.cactiCsv`/`areaTable`, sweep-spec models) resolves inside the naming file's folder or the package's data,
 * unless --allow-paths. Hostile paths are refused with one line naming the file, the field and the path, and never
 * the contents of what the path points at. Through the bundled CLI in temp folders, and in-process for the law.
 */
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { allowPathsAnywhere, namedFile } from '../../sim/base/files.js';
import { packageRoot } from '../../sim/base/package-root.js';
import { systolab } from '../helpers/cli.js';
import { errorOf } from '../helpers/errors.js';

const MODEL = (paramsFile: string) => `name: m
layers:
  - { name: x, kind: input, shape: [1, 4] }
  - { name: d, kind: dense, inputs: [x], units: 2 }
paramsFile: ${JSON.stringify(paramsFile)}
`;
const folder = () => mkdtempSync(join(tmpdir(), 'systolab-paths-'));

/** One stderr line, exit 2, naming the field and the path, and quoting nothing of the target. */
function expectRefused(r: { code: number | null; err: string }, field: string, path: string, secret?: string) {
  expect(r.code).toBe(2);
  const lines = r.err.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(field);
  expect(lines[0]).toContain(path);
  expect(lines[0]).toContain('--allow-paths');
  if (secret !== undefined) expect(r.err).not.toContain(secret);
}

describe('paramsFile', () => {
  for (const hostile of ['/etc/passwd', '/proc/self/environ', '../x.json', '../../etc/shadow']) {
    it(`paramsFile: ${hostile} is refused, naming the path and field, quoting nothing`, () => {
      const dir = folder();
      mkdirSync(join(dir, 'models'));
      writeFileSync(join(dir, 'x.json'), '{"SECRET-LINE": 1}');
      writeFileSync(join(dir, 'models', 'm.yaml'), MODEL(hostile));
      const r = systolab(['simulate', '--model', 'models/m.yaml'], dir);
      expectRefused(r, 'paramsFile', hostile, hostile.startsWith('/etc') ? 'root:' : 'SECRET-LINE');
      expect(r.err).not.toMatch(/PATH=|HOME=/); // /proc/self/environ is never read
    });
  }

  it('an absolute path into another temp folder is refused; a sidecar beside the model is read', () => {
    const dir = folder(), other = folder();
    writeFileSync(join(other, 'p.json'), '{"d.bias": {"shape": [2], "data": [1, 2]}}');
    writeFileSync(join(dir, 'm.yaml'), MODEL(join(other, 'p.json')));
    expectRefused(systolab(['simulate', '--model', 'm.yaml'], dir), 'paramsFile', join(other, 'p.json'), '"data"');
    writeFileSync(join(dir, 'p.json'), '{"d.bias": {"shape": [2], "data": [1, 2]}}');
    writeFileSync(join(dir, 'm.yaml'), MODEL('p.json'));
    expect(systolab(['run', '--model', 'm.yaml'], dir).code).toBe(0);
  });

  it('a link inside the folder that points outside is refused (links are followed)', () => {
    const dir = folder(), other = folder();
    writeFileSync(join(other, 'p.json'), '{}');
    symlinkSync(join(other, 'p.json'), join(dir, 'p.json'));
    writeFileSync(join(dir, 'm.yaml'), MODEL('p.json'));
    expectRefused(systolab(['simulate', '--model', 'm.yaml'], dir), 'paramsFile', 'p.json');
  });

  it('train --allow-paths reads a sidecar outside the folder', () => {
    const dir = folder();
    mkdirSync(join(dir, 'models'));
    writeFileSync(join(dir, 'p.json'), '{"d.bias": {"shape": [1], "data": [0.5]}}');
    writeFileSync(join(dir, 'models', 'm.yaml'), MODEL('../p.json').replace('units: 2', 'units: 1').replace('[1, 4]', '[1, 2]'));
    writeFileSync(join(dir, 'd.csv'), 'a,b,y\n0,1,1\n1,0,0\n1,1,1\n0,0,0\n');
    const args = ['train', '--model', 'models/m.yaml', '--dataset', 'd.csv', '--epochs', '2', '--loss', 'mse', '--out', 'o'];
    expectRefused(systolab(args, dir), 'paramsFile', '../p.json');
    const r = systolab([...args, '--allow-paths'], dir);
    expect(r.err).not.toContain('systolab:');
    expect(r.code).toBe(0);
  });
});

describe('energy.table and the files a table names', () => {
  const HW = (table: string) => `array: { rows: 8, cols: 8, dataflow: os }\nenergy: { table: ${JSON.stringify(table)} }\n`;

  it('energy.table: ../t.yaml and /etc/passwd are refused; a table beside the config and a shipped name are fine', () => {
    const dir = folder();
    mkdirSync(join(dir, 'hw'));
    // The config's loader resolves a relative table against the config's folder first: the message names that path.
    for (const [hostile, named] of [['../t.yaml', join(dir, 't.yaml')], ['/etc/passwd', '/etc/passwd']]) {
      writeFileSync(join(dir, 'hw', 'a.yaml'), HW(hostile));
      expectRefused(systolab(['simulate', '--model', 'tiny-cnn', '--hw', 'hw/a.yaml'], dir), 'energy.table', named, 'root:');
    }
    writeFileSync(join(dir, 'hw', 'a.yaml'), HW('45nm'));
    expect(systolab(['simulate', '--model', 'tiny-cnn', '--hw', 'hw/a.yaml'], dir).code).toBe(0);
  });

  it('--allow-paths is a flag of every command: simulate reads a table outside the config\'s folder with it', () => {
    const dir = folder();
    mkdirSync(join(dir, 'hw'));
    for (const f of ['45nm.yaml', 'cacti-sram-45nm.csv']) copyFileSync(join(packageRoot(), 'hw-configs', 'tech', f), join(dir, f === '45nm.yaml' ? 't.yaml' : f));
    writeFileSync(join(dir, 'hw', 'a.yaml'), HW('../t.yaml'));
    const args = ['simulate', '--model', 'tiny-cnn', '--hw', 'hw/a.yaml', '--format', 'json'];
    expect(systolab(args, dir).code).toBe(2);
    const r = systolab([...args, '--allow-paths'], dir);
    expect(r.code, r.err).toBe(0);
  });

  it('a table whose areaTable is outside its folder is refused', () => {
    const dir = folder();
    mkdirSync(join(dir, 'hw'));
    writeFileSync(join(dir, 'hw', 'a.yaml'), HW('t.yaml'));
    writeFileSync(join(dir, 'hw', 't.yaml'), 'unit: pJ\nareaTable: /etc/passwd\nentries: {}\n');
    expectRefused(systolab(['simulate', '--model', 'tiny-cnn', '--hw', 'hw/a.yaml'], dir), 'areaTable', '/etc/passwd', 'root:');
  });
});

describe('sweep-spec models', () => {
  it('a model path outside the spec\'s folder is refused; --allow-paths runs it; a model beside the spec is found from any cwd', () => {
    const dir = folder();
    mkdirSync(join(dir, 'specs'));
    writeFileSync(join(dir, 'tiny.yaml'), MODEL('p.json').replace(/paramsFile.*\n/, ''));
    writeFileSync(join(dir, 'specs', 's.yaml'), 'models: [../tiny.yaml]\n');
    expectRefused(systolab(['sweep', 'specs/s.yaml', '--jobs', '1', '--out', 'o1'], dir), 'models[0]', '../tiny.yaml');
    expect(systolab(['sweep', 'specs/s.yaml', '--jobs', '1', '--out', 'o1', '--allow-paths'], dir).code).toBe(0);
    writeFileSync(join(dir, 'specs', 'tiny.yaml'), MODEL('p.json').replace(/paramsFile.*\n/, ''));
    writeFileSync(join(dir, 'specs', 's.yaml'), 'models: [tiny.yaml, models/tiny-cnn.yaml]\n');
    const r = systolab(['sweep', 'specs/s.yaml', '--jobs', '1', '--out', 'o2'], dir);
    expect(r.err).not.toContain('systolab:');
    expect(r.code).toBe(0);
    expect(r.out).toContain('specs/tiny.yaml');
  });
});

describe('namedFile (in-process)', () => {
  afterEach(() => allowPathsAnywhere(false));
  const dir = folder();
  const naming = join(dir, 'a', 'model.yaml');

  it('law: a relative path is allowed exactly when it stays inside the naming file\'s folder', () => {
    const seg = fc.constantFrom('..', '.', 'b', 'c', 'a');
    fc.assert(fc.property(fc.array(seg, { minLength: 1, maxLength: 6 }), (parts) => {
      const spec = parts.join('/');
      const target = resolve(dir, 'a', spec);
      const r = relative(join(dir, 'a'), target);
      const inside = r === '' || !r.startsWith('..');
      const inPackage = !relative(join(packageRoot(), 'models'), target).startsWith('..');
      if (inside || inPackage) expect(namedFile(spec, naming, 'paramsFile')).toBe(target);
      else expect(errorOf(() => namedFile(spec, naming, 'paramsFile')).code).toBe('pathNotAllowed');
    }), { seed: 19, numRuns: 300 });
  });

  it('mutation: a sibling folder sharing the name prefix (a vs ab) is outside; --allow-paths lifts the rule', () => {
    mkdirSync(join(dir, 'ab'), { recursive: true });
    const e = errorOf(() => namedFile('../ab/p.json', naming, 'paramsFile'));
    expect(e.code).toBe('pathNotAllowed');
    expect(e.message).toContain(naming);
    allowPathsAnywhere(true);
    expect(namedFile('/etc/passwd', naming, 'paramsFile')).toBe('/etc/passwd');
  });

  it('the package\'s own models/ and hw-configs/ are allowed from anywhere', () => {
    expect(namedFile(join(packageRoot(), 'hw-configs', 'tech', '45nm.yaml'), naming, 'energy.table')).toContain('45nm.yaml');
  });
});

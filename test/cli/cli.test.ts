/**
 * The built CLI as a user meets it: exit codes, one-line errors without stack traces, nothing written on failure,
 * and every example that `--help` shows actually works.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systolab } from '../helpers/cli.js';
import { describe, expect, it } from 'vitest';
import { RUN_EXAMPLES } from '../../sim/cli/run-command.js';


function tmp(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'systolab-cli-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const MLP = 'layers:\n  - { name: x, kind: input, shape: [1, 4] }\n  - { name: d, kind: dense, units: 3 }\n';

describe('systolab run', () => {
  it('runs the default model with no arguments (the quick start)', () => {
    const r = systolab(['run']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('tiny-cnn');
    for (const layer of ['conv1', 'bn1', 'pool1', 'fc', 'probs']) expect(r.out).toContain(layer);
  });

  it('prints the JSON document of the issue, and --out writes the same', () => {
    const dir = tmp({});
    const out = join(dir, 'sub', 'result.json');
    const r = systolab(['run', '--model', 'models/examples/xor-mlp.yaml', '--input', 'models/examples/xor-x.json',
      '--loss', 'bce', '--target', 'models/examples/xor-t.json', '--format', 'json', '--out', out]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(Object.keys(doc.outputs)).toEqual(['x', 'hidden', 'h', 'out', 'p']);
    expect(doc.loss).toBeGreaterThan(0);
    expect(doc.lossGradient.shape).toEqual([4, 1]);
    expect(Object.keys(doc.gradients.parameters)).toEqual(['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']);
    expect(doc.gradients.inputs.x.shape).toEqual([4, 2]);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(doc);
  });

  it('has no gradients without --upstream or --loss', () => {
    const doc = JSON.parse(systolab(['run', '--model', 'models/examples/xor-mlp.yaml', '--format', 'json']).out);
    expect(doc.gradients).toBeUndefined();
    expect(doc.loss).toBeUndefined();
  });

  it('is deterministic: same seed, byte-identical output', () => {
    const a = systolab(['run', '--train-mode', '--seed', '3', '--format', 'json']).out;
    const b = systolab(['run', '--train-mode', '--seed', '3', '--format', 'json']).out;
    expect(a).toBe(b);
    expect(systolab(['run', '--train-mode', '--seed', '4', '--format', 'json']).out).not.toBe(a);
  });

  it('every example in --help works', () => {
    const help = systolab(['run', '--help']).out.replace(/\s+/g, ' ');
    expect(RUN_EXAMPLES.length).toBeGreaterThanOrEqual(3);
    for (const [cmd, what] of RUN_EXAMPLES) {
      expect(help).toContain(`systolab ${cmd} `);
      expect(help).toContain(what);
      const r = systolab(cmd.split(' '));
      expect(r.code, `${cmd}\n${r.err}`).toBe(0);
    }
  });
});

describe('bad input: one line, exit 2, no stack trace, nothing written', () => {
  const cases: [string, Record<string, string>, string[], RegExp][] = [
    ['malformed YAML', { 'm.yaml': 'layers:\n  - {name: x, kind: input, shape: [1,4]\n' }, ['--model', 'm.yaml'], /m\.yaml: line \d+, column \d+: is not valid YAML/],
    ['unknown layer kind', { 'm.yaml': MLP.replace('dense', 'dense2') }, ['--model', 'm.yaml'], /m\.yaml: layers\[1\]\.kind: is not a known layer kind \(got "dense2"\)\. Allowed kinds: input, dense/],
    ['unknown field', { 'm.yaml': MLP.replace('units: 3', 'units: 3, kernal: 3') }, ['--model', 'm.yaml'], /layers\[1\]\.kernal: is not a field of a dense layer.*Allowed: .*units/],
    ['mismatched shapes', { 'm.yaml': 'layers:\n  - {name: a, kind: input, shape: [1, 4]}\n  - {name: b, kind: input, shape: [1, 5]}\n  - {name: s, kind: add, inputs: [a, b]}\n' }, ['--model', 'm.yaml'], /layers\[2\]\.inputs: \(add "s"\) shapes \[1, 4\] of "a" and \[1, 5\] of "b" cannot be broadcast/],
    ['dangling input', { 'm.yaml': MLP.replace('units: 3', 'units: 3, input: nothere') }, ['--model', 'm.yaml'], /layers\[1\]\.inputs\[0\]: names a layer that does not exist \(got "nothere"\)/],
    ['cycle', { 'm.yaml': 'layers:\n  - {name: x, kind: input, shape: [1]}\n  - {name: a, kind: relu, inputs: [b]}\n  - {name: b, kind: relu, inputs: [a]}\n' }, ['--model', 'm.yaml'], /layers: the layers form a cycle/],
    ['missing file', {}, ['--model', 'absent.yaml'], /absent\.yaml: file not found/],
    ['data length ≠ shape', { 'm.yaml': MLP, 'x.json': '{"shape": [1, 4], "data": [1, 2, 3]}' }, ['--model', 'm.yaml', '--input', 'x.json'], /x\.json: data: has 3 values but shape \[1, 4\] needs 4/],
    ['wrong input shape', { 'm.yaml': MLP, 'x.json': '{"shape": [1, 5], "data": [1, 2, 3, 4, 5]}' }, ['--model', 'm.yaml', '--input', 'x.json'], /x\.json: .*has shape \[1, 5\] but input layer "x" declares \[1, 4\]/],
    ['wrong parameter shape', { 'm.yaml': MLP.replace('units: 3', 'units: 3, params: { weight: [[1, 2, 3]] }') }, ['--model', 'm.yaml'], /layers\[1\]\.params\.weight: has shape \[1, 3\] but layer "d" needs \[3, 4\]/],
    ['bad attribute value', { 'm.yaml': MLP.replace('units: 3', 'units: 0') }, ['--model', 'm.yaml'], /layers\[1\]\.units: must be an integer ≥ 1 \(got 0\)/],
    ['bad label', { 'm.yaml': MLP, 't.json': '[7]' }, ['--model', 'm.yaml', '--loss', 'softmax-ce', '--target', 't.json'], /t\.json: target\.data\[0\]: label must be an integer class index in \[0, 2\] \(got 7\)/],
    ['usage: --loss without --target', { 'm.yaml': MLP }, ['--model', 'm.yaml', '--loss', 'mse'], /--loss needs --target/],
    ['usage: unknown option', {}, ['--frobnicate'], /Unknown argument/],
  ];
  for (const [what, files, args, pattern] of cases) {
    it(what, () => {
      const dir = tmp(files);
      const out = join(dir, 'out.json');
      const r = systolab(['run', ...args, '--out', out], dir);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(pattern);
      expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
      expect(r.err.trim().split('\n')[0]).toMatch(/^systolab: /);
      expect(r.out).toBe('');
      expect(existsSync(out)).toBe(false);
    });
  }

  it('--debug adds the stack trace', () => {
    const r = systolab(['run', '--model', 'absent.yaml', '--debug']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/\n\s+at /);
  });
});

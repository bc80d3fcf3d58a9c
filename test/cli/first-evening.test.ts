/**
 * What a new user hits first (issue 18, items 6, 7, 9, 12, 13), through the bundled CLI: it runs from any folder,
 * `npm start` runs the main job, the two ResNet-18s have different names and runs of different configurations write
 * different folders, tests never write into the repository, and a mistyped flag gets the nearest flag suggested.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ROOT, WORKSPACE, systolab } from '../helpers/cli.js';
import { changedPaths, snapshot } from '../global-setup.js';
import { editDistance, nearestFlag, withFlagSuggestions } from '../../sim/cli/suggest.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'systolab-elsewhere-'));

describe('runs from any folder (item 6)', () => {
  it('built-in models, presets and shipped paths resolve from the package; user paths from the working folder', () => {
    const cwd = fresh();
    for (const args of [['hw'], ['models'], ['simulate', '--format', 'json'], ['simulate', '--model', 'models/scalesim/alexnet.csv', '--hw', 'hw-configs/tpu-v1.yaml', '--format', 'json'],
      ['run', '--model', 'models/examples/xor-mlp.yaml', '--format', 'json']]) {
      const r = systolab(args, cwd);
      expect(r.code, `${args.join(' ')}: ${r.err}`).toBe(0);
    }
    writeFileSync(join(cwd, 'mine.csv'), 'Layer,IFMAP H,IFMAP W,Filter H,Filter W,Channels,Num Filter,Stride,\nc1,8,8,3,3,2,4,1,\n');
    expect(JSON.parse(systolab(['simulate', '--model', 'mine.csv', '--format', 'json'], cwd).out).model).toBe('mine');
    // a path that is neither in the folder nor shipped is still reported as missing
    const r = systolab(['simulate', '--model', 'models/nothere.yaml'], cwd);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/models\/nothere\.yaml: file not found/);
  });
});

describe('npm start (item 7)', () => {
  it('runs the main job from dist/ without rebuilding; arguments pass through', () => {
    const r = spawnSync('npm', ['start', '--silent', '--', '--model', 'tiny-cnn', '--format', 'json'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).model).toBe('tiny-cnn');
    expect(r.stderr).not.toMatch(/tsc|esbuild/);
  });
});

describe('two ResNet-18s, one folder per configuration (item 9)', () => {
  it('SCALE-Sim\'s topology is scalesim-resnet18 however it is named; the zoo\'s torchvision graph is resnet18', () => {
    const name = (args: string[]) => JSON.parse(systolab(['simulate', ...args, '--format', 'json']).out).model as string;
    expect(name([])).toBe('scalesim-resnet18');
    expect(name(['--model', 'scalesim-resnet18'])).toBe('scalesim-resnet18');
    expect(name(['--model', 'models/scalesim/resnet18.csv'])).toBe('scalesim-resnet18');
    expect(name(['--model', 'resnet18'])).toBe('resnet18');
  });

  it('output folders are named by model, hardware and mode, so different runs never overwrite each other', () => {
    const cwd = fresh();
    const runs = [[], ['--mode', 'training', '--model', 'tiny-cnn'], ['--model', 'tiny-cnn'], ['--model', 'tiny-cnn', '--array', '16x16'],
      ['--model', 'tiny-cnn', '--dataflow', 'ws'], ['--model', 'tiny-cnn', '--hw', 'tpu-v1'], ['--model', 'tiny-cnn', '--batch', '4'],
      ['--model', 'tiny-cnn', '--mac-pipeline-cycles', '3'], ['--model', 'tiny-cnn', '--compat', 'scalesim']];
    for (const args of runs) expect(systolab(['simulate', ...args], cwd).code).toBe(0);
    const folders = readdirSync(join(cwd, 'reports')).sort();
    expect(folders).toHaveLength(runs.length);
    expect(folders).toContain('simulate-scalesim-resnet18-scalesim-32x32-inference');
    expect(folders).toContain('simulate-tiny-cnn-scalesim-32x32-16x16-inference');
    expect(folders).toContain('simulate-tiny-cnn-scalesim-32x32-ws-inference');
    expect(folders).toContain('simulate-tiny-cnn-tpu-v1-inference');
    expect(folders).toContain('simulate-tiny-cnn-scalesim-32x32-inference-b4');
    expect(folders.find((f) => /^simulate-tiny-cnn-scalesim-32x32-[0-9a-f]{6}-inference$/.test(f))).toBeDefined(); // pipeline depth: hashed
    // the same configuration again writes the same folder
    expect(systolab(['simulate', '--model', 'tiny-cnn'], cwd).code).toBe(0);
    expect(readdirSync(join(cwd, 'reports'))).toHaveLength(runs.length);
  });
});

describe('tests write only to temp folders (item 12)', () => {
  it('the CLI helper runs in a temp workspace: a default-folder run lands there', () => {
    expect(WORKSPACE.startsWith(tmpdir())).toBe(true);
    expect(systolab(['simulate', '--model', 'tiny-cnn']).code).toBe(0);
    expect(existsSync(join(WORKSPACE, 'reports', 'simulate-tiny-cnn-scalesim-32x32-inference', 'cost-report.json'))).toBe(true);
  });

  it('the global check that guards reports/ sees an added and a changed file (its fault injection)', () => {
    const dir = fresh();
    mkdirSync(join(dir, 'a'));
    writeFileSync(join(dir, 'a', 'kept.txt'), 'x');
    const before = snapshot(dir);
    expect(changedPaths(before, snapshot(dir))).toEqual([]);
    writeFileSync(join(dir, 'a', 'new.txt'), 'y');
    writeFileSync(join(dir, 'a', 'kept.txt'), 'longer');
    expect(changedPaths(before, snapshot(dir))).toEqual([join(dir, 'a', 'kept.txt'), join(dir, 'a', 'new.txt')]);
  });
});

describe('did you mean --array? (item 13)', () => {
  it('a mistyped flag gets the nearest flag of its command, on the one error line', () => {
    const r = systolab(['simulate', '--arry', '16x16']);
    expect(r.code).toBe(2);
    expect(r.err).toBe('systolab: Unknown argument: arry (did you mean --array?). See `systolab <command> --help`.\n');
    expect(systolab(['train', '--dataset', 'iris', '--epoch', '3']).err).toMatch(/did you mean --epochs\?/);
    expect(systolab(['check', '--precison', 'int8']).err).toMatch(/did you mean --precision\?/);
    expect(systolab(['simulate', '--frobnicate']).err).toMatch(/^systolab: Unknown argument: frobnicate\. See `systolab <command> --help`\.\n$/);
  });

  it('edit distance is a metric on flag-like strings, and a swap is one edit', () => {
    const word = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '-'), maxLength: 7 });
    fc.assert(fc.property(word, word, word, (a, b, c) => {
      expect(editDistance(a, a)).toBe(0);
      expect(editDistance(a, b)).toBe(editDistance(b, a));
      expect(editDistance(a, b)).toBeLessThanOrEqual(Math.max(a.length, b.length));
      // optimal string alignment is not a full metric, but it stays within the Levenshtein triangle bound here
      expect(editDistance(a, c)).toBeLessThanOrEqual(editDistance(a, b) + editDistance(b, c) + 1);
    }));
    expect(editDistance('arary', 'array')).toBe(1);
  });

  it('every single edit of a known flag is suggested back as a flag at most one edit away', () => {
    const known = ['array', 'dataflow', 'precision', 'mac-pipeline-cycles', 'mode', 'batch', 'compat', 'format', 'out', 'charts', 'trace', 'seed', 'hw', 'model'];
    fc.assert(fc.property(fc.constantFrom(...known), fc.nat(), fc.constantFrom('x', 'q', 'z'), (flag, at, letter) => {
      const i = at % flag.length;
      for (const typo of [flag.slice(0, i) + flag.slice(i + 1), flag.slice(0, i) + letter + flag.slice(i + 1)]) {
        if (typo.length < 2 || known.includes(typo)) continue;
        const near = nearestFlag(typo, known);
        expect(near, typo).toBeDefined();
        expect(editDistance(typo, near!)).toBeLessThanOrEqual(1);
      }
    }));
    expect(nearestFlag('zzzzzz', known)).toBeUndefined();
    expect(withFlagSuggestions('Unknown arguments: arry, zzzzzz', known)).toBe('Unknown arguments: arry (did you mean --array?), zzzzzz');
    expect(withFlagSuggestions('Missing required argument: x', known)).toBe('Missing required argument: x');
  });
});

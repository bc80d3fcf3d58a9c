/**
 * What `systolab simulate` loads at start-up. The CLI is one CommonJS bundle (dist/cli.cjs, scripts/bundle.mjs) in
 * which esbuild evaluates a module reached only through import() when that import() runs, so what simulate evaluates
 * is what the entry and simulate's command module reach through static imports: the metafile's import graph
 * (dist/bundle.json). No other command's module, no charts, no progress bars; yargs' help layout only behind its lazy
 * stand-in. Then a real run, watched from a preloaded script: the Node built-ins and packages it loads, and that the
 * launcher (dist/systolab.cjs) hands V8 the build's code cache and V8 takes it.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, systolab } from '../helpers/cli.js';

interface Metafile {
  inputs: Record<string, { imports: { path: string; kind: string; external?: boolean }[] }>;
}
const meta = JSON.parse(readFileSync(join(ROOT, 'dist', 'bundle.json'), 'utf8')) as Metafile;

/**
 * The sources a run of `command` evaluates before the command's own code runs: the entry, the command's module and
 * what they reach through import statements, and through require() calls in the packages (their require() at the top
 * level runs as they load; counted whether or not it is at the top level). A stand-in's require() (lazy:…) runs on its
 * first call only, and import() runs when the code calling it does.
 */
function loadedSources(commandModule: string): string[] {
  const seen = new Set<string>();
  const todo = ['dist/sim/cli/main.js', `dist/sim/cli/${commandModule}.js`];
  for (const t of todo) expect(meta.inputs[t], t).toBeDefined();
  while (todo.length > 0) {
    const s = todo.pop()!;
    if (seen.has(s)) continue;
    seen.add(s);
    const follows = (kind: string) => kind === 'import-statement' || (kind === 'require-call' && !s.startsWith('lazy:'));
    todo.push(...meta.inputs[s].imports.filter((i) => i.external !== true && follows(i.kind)).map((i) => i.path));
  }
  return [...seen];
}

/** Node's built-in modules those sources import or require (loaded before the command runs). */
function staticBuiltins(commandModule: string): string[] {
  return loadedSources(commandModule)
    .flatMap((s) => meta.inputs[s].imports.filter((i) => i.external === true && i.kind !== 'dynamic-import').map((i) => i.path.replace(/^node:/, '')));
}

describe('systolab simulate at start-up', () => {
  const sources = loadedSources('simulate-command');

  it('loads the simulator (the walk is not vacuous)', () => {
    expect(sources).toContain('dist/sim/cli/simulate-command.js');
    expect(sources).toContain('dist/sim/run/pipeline.js');
    // … and it stops at import(): the other commands are in the bundle, reached from the entry that way
    expect(meta.inputs['dist/sim/cli/main.js'].imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path)).toContain('dist/sim/cli/sweep-command.js');
  });

  it('loads no other command, no ONNX decoder, no charts or progress bars', () => {
    const unwanted = sources.filter((s) => /sim\/cli\/(train|sweep|check|run|models|import|report)-command\.js$|node_modules\/(onnx-proto|protobufjs|long|vega|vega-lite|vega-embed|cli-progress|@resvg)\//.test(s));
    expect(unwanted).toEqual([]);
  });

  it('imports none of Node\'s costlier built-ins before it runs (node:crypto loads some twenty modules, node:assert four)', () => {
    const builtins = staticBuiltins('simulate-command');
    expect(builtins).toContain('fs'); // the walk sees built-ins at all
    expect(builtins.filter((b) => /^(crypto|assert|worker_threads|child_process|zlib|http|https|readline)$/.test(b))).toEqual([]);
  });

  it('reaches yargs\' help layout (cliui, string-width) only through the stand-ins evaluated on first use', () => {
    const all = Object.keys(meta.inputs);
    expect(all.filter((s) => /node_modules\/(cliui|string-width)\//.test(s)).length).toBeGreaterThan(0); // bundled, for --help …
    expect(sources.filter((s) => /node_modules\/(cliui|string-width)\//.test(s))).toEqual([]); // … not loaded by simulate …
    expect(sources).toEqual(expect.arrayContaining(['lazy:cliui', 'lazy:string-width'])); // … whose yargs holds the stand-ins
  });
});

/** The temp folders this file makes, removed at the end. */
const temps: string[] = [];
const tempDir = (prefix: string) => { const d = mkdtempSync(join(tmpdir(), prefix)); temps.push(d); return d; };
afterAll(() => { for (const d of temps) rmSync(d, { recursive: true, force: true }); });

interface Watched { code: number | null; out: string; scripts: { file: string; cached: boolean; rejected: boolean }[]; required: string[]; builtins: string[] }

/**
 * A preloaded script (node --require) that records, as the process exits, every vm.Script made with the code cache
 * it was given and whether V8 took it, the CommonJS modules loaded and Node's built-ins loaded (process.moduleLoadList).
 */
function watched(cli: string, args: readonly string[]): Watched {
  const dir = tempDir('systolab-startup-');
  const record = join(dir, 'record.json');
  const preload = join(dir, 'watch.cjs');
  writeFileSync(preload, `
const vm = require('node:vm');
const scripts = [];
const Original = vm.Script;
vm.Script = class extends Original {
  constructor(code, options) {
    super(code, options);
    scripts.push({ file: options && options.filename, cached: !!(options && options.cachedData), rejected: this.cachedDataRejected === true });
  }
};
process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(record)}, JSON.stringify({
  scripts, required: Object.keys(require.cache), builtins: process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13)),
})));
`);
  const r = spawnSync(process.execPath, ['--require', preload, cli, ...args], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, ...(JSON.parse(readFileSync(record, 'utf8')) as Omit<Watched, 'code' | 'out'>) };
}

describe('a real run of systolab simulate', () => {
  const run = watched(CLI, ['simulate', '--model', 'resnet18', '--format', 'json']);

  it('runs the bundle from the build\'s code cache, which V8 accepts', () => {
    expect(run.code).toBe(0);
    expect(JSON.parse(run.out)).toHaveProperty('totals');
    expect(run.scripts).toEqual([{ file: join(ROOT, 'dist', 'cli.cjs'), cached: true, rejected: false }]);
  });

  it('loads none of Node\'s costlier built-ins and none of the packages other commands need', () => {
    expect(run.builtins).toContain('fs'); // the list is Node's own, and not empty
    expect(run.builtins.filter((b) => /^(crypto|assert|worker_threads|child_process|zlib|http|https|readline)$/.test(b))).toEqual([]);
    expect(run.required.filter((f) => /node_modules[\\/](onnx-proto|protobufjs|yaml|vega|vega-lite|@resvg|cli-progress|piscina|cliui|string-width)[\\/]/.test(f))).toEqual([]);
  });
});

describe('the launcher\'s code cache', () => {
  /** A copy of the launcher beside a tiny bundle and a cache file, the cache `ageMs` older than the bundle. */
  function launcherWith(cache: string, ageMs: number): string {
    const dir = tempDir('systolab-launcher-');
    copyFileSync(CLI, join(dir, 'systolab.cjs'));
    writeFileSync(join(dir, 'cli.cjs'), "'use strict'; process.stdout.write(`ran ${typeof __systolabImport}`);\n");
    writeFileSync(join(dir, 'cli.cjs.cache'), cache);
    const bundleTime = new Date('2026-01-01T00:00:00Z');
    utimesSync(join(dir, 'cli.cjs'), bundleTime, bundleTime);
    const cacheTime = new Date(bundleTime.getTime() - ageMs);
    utimesSync(join(dir, 'cli.cjs.cache'), cacheTime, cacheTime);
    return join(dir, 'systolab.cjs');
  }

  it('passes the cache when it is as new as the bundle (npm pack gives every file one date), and V8 refuses a foreign one', () => {
    const run = watched(launcherWith('not a code cache', 0), []);
    expect(run.out).toBe('ran function'); // the bundle runs, with the launcher's import()
    expect(run.scripts).toEqual([expect.objectContaining({ cached: true, rejected: true })]);
  });

  it('ignores a cache older than the bundle (the bundle rebuilt or edited since)', () => {
    const run = watched(launcherWith('not a code cache', 1000), []);
    expect(run.out).toBe('ran function');
    expect(run.scripts).toEqual([expect.objectContaining({ cached: false })]);
  });

  it('makes a cache with SYSTOLAB_MAKE_CODE_CACHE=1 that the next run uses', () => {
    const launcher = launcherWith('', 1000);
    const make = spawnSync(process.execPath, [launcher], { encoding: 'utf8', env: { ...process.env, SYSTOLAB_MAKE_CODE_CACHE: '1' } });
    expect(make.stdout).toBe('ran function');
    expect(readFileSync(join(launcher, '..', 'cli.cjs.cache')).length).toBeGreaterThan(0);
    const run = watched(launcher, []);
    expect(run.scripts).toEqual([expect.objectContaining({ cached: true, rejected: false })]);
  });
});

describe('the CLI', () => {
  it('prints the package\'s own version from any folder', () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const r = systolab(['--version'], '/');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe(`${version}\n`);
  });

  it('still lists every command in the top-level help, though it loads none of them', () => {
    const r = systolab(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['simulate', 'hw', 'models', 'run', 'train', 'check', 'sweep', 'merge', 'report', 'import', 'export']) expect(r.out).toContain(`systolab ${c}`);
  });
});

/**
 * What `systolab simulate` loads at start-up, from the bundle's metafile (dist/bundle.json, scripts/bundle.mjs): the
 * entry's static imports and the simulate chunk's. No other command's module, no ONNX decoder, no charts, no
 * progress bars; yargs' help layout only behind its lazy stand-in.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, systolab } from '../helpers/cli.js';

interface Metafile {
  outputs: Record<string, { entryPoint?: string; imports: { path: string; kind: string; external?: boolean }[]; inputs: Record<string, unknown> }>;
}
const meta = JSON.parse(readFileSync(join(ROOT, 'dist', 'bundle.json'), 'utf8')) as Metafile;

/** The outputs a run of `command` evaluates: the entry, the command's chunk and their static imports. */
function loadedOutputs(commandModule: string): string[] {
  const outputs = Object.keys(meta.outputs);
  const entry = outputs.find((o) => meta.outputs[o].entryPoint === 'dist/sim/cli/main.js');
  const command = outputs.find((o) => meta.outputs[o].entryPoint === `dist/sim/cli/${commandModule}.js`);
  expect(entry).toBeDefined();
  expect(command).toBeDefined();
  const seen = new Set<string>();
  const todo = [entry!, command!];
  while (todo.length > 0) {
    const o = todo.pop()!;
    if (seen.has(o)) continue;
    seen.add(o);
    todo.push(...meta.outputs[o].imports.filter((i) => i.kind === 'import-statement' && i.external !== true).map((i) => i.path));
  }
  return [...seen];
}

/** The sources in those outputs. */
function loadedSources(commandModule: string): string[] {
  return loadedOutputs(commandModule).flatMap((o) => Object.keys(meta.outputs[o].inputs));
}

/** Node's built-in modules those outputs import statically (loaded before the command runs). */
function staticBuiltins(commandModule: string): string[] {
  return loadedOutputs(commandModule)
    .flatMap((o) => meta.outputs[o].imports.filter((i) => i.kind === 'import-statement' && i.external === true).map((i) => i.path.replace(/^node:/, '')));
}

describe('systolab simulate at start-up', () => {
  const sources = loadedSources('simulate-command');

  it('loads the simulator (the walk is not vacuous)', () => {
    expect(sources).toContain('dist/sim/cli/simulate-command.js');
    expect(sources).toContain('dist/sim/run/pipeline.js');
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
    const direct = sources.filter((s) => /node_modules\/(cliui|string-width)\//.test(s));
    expect(direct.length).toBeGreaterThan(0); // bundled, for --help …
    expect(sources).toEqual(expect.arrayContaining(['lazy:cliui', 'lazy:string-width'])); // … but behind the stand-ins
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

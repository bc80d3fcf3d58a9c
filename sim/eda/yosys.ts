/**
 * Synthesis with Yosys: `synth` on the generated PE or array, then the checks and the numbers `rtl synth` reports —
 * `check -assert` (no multiple drivers, no combinational loops, no undriven inputs of cells), no latches, cells by
 * type, flip-flops, `stat -tech cmos`'s transistor estimate and `ltp -noff`'s logic depth. Two ways to run it: a
 * Debian `yosys` on the PATH, else the npm package `@yowasp/yosys` (Yosys compiled to WebAssembly, a dependency:
 * works offline with no apt step, a few seconds slower).
 */
import type { SpawnSyncOptionsWithStringEncoding, SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SimError } from '../base/errors.js';

const nodeRequire = createRequire(import.meta.url);
/**
 * node:child_process, loaded on the first synthesis: `simulate` reaches this module (for `area.pe: yosys`) and must
 * not load that costly built-in at start-up (test/cli/startup.test.ts).
 */
const spawnSync = (cmd: string, args: readonly string[], opts: SpawnSyncOptionsWithStringEncoding): SpawnSyncReturns<string> =>
  (nodeRequire('node:child_process') as typeof import('node:child_process')).spawnSync(cmd, args, opts);

let system: { version: string | undefined } | undefined;
/** The Debian (PATH) Yosys' version, or undefined when there is none (asked once per process). */
export function yosysVersion(): string | undefined {
  if (system === undefined) {
    const r = spawnSync('yosys', ['-V'], { encoding: 'utf8' });
    system = { version: r.error ? undefined : /Yosys [\d.+]+/.exec(r.stdout)?.[0] };
  }
  return system.version;
}

/** `system`: the yosys on the PATH; `wasm`: @yowasp/yosys; `auto`: the first, else the second. */
export type YosysTool = 'auto' | 'system' | 'wasm';

export interface SynthResult {
  readonly tool: string;
  readonly top: string;
  readonly cells: number;
  readonly cellsByType: Readonly<Record<string, number>>;
  /** Cells whose type names a flip-flop ($_DFF…, $_SDFF…, $_DFFE…, …): one per stored bit. */
  readonly flipFlops: number;
  readonly latches: number;
  /**
   * Yosys' `stat -tech cmos` estimate (transistors of its CMOS gate models: a rough figure, not a layout). It covers
   * the logic gates only: flip-flops have no CMOS model there, and Yosys prints the count with a `+`.
   */
  readonly transistors: number;
  /** Whether Yosys left cells out of the transistor count (its `+`): the flip-flops, in a design that has any. */
  readonly transistorsExcludeCells: boolean;
  /** Gates on the longest path between flip-flops or ports (`ltp -noff`). */
  readonly logicDepth: number;
}

const scriptFor = (files: Readonly<Record<string, string>>, top: string): string => [
  // check before synth's optimizations too: they resolve a doubly driven net silently (with a warning). stat on the
  // hierarchy (its "design hierarchy" totals: every register as designed, none merged across modules); ltp on the
  // flattened netlist, so that a path through a submodule counts its gates.
  `read_verilog ${Object.keys(files).join(' ')}`, `hierarchy -check -top ${top}`, 'proc', 'check -assert', `synth -top ${top}`, 'check -assert',
  'tee -q -o stat.txt stat -tech cmos', 'flatten', 'tee -q -o ltp.txt ltp -noff',
].join('; ');

const failed = (said: string, files: Readonly<Record<string, string>>): SimError =>
  new SimError(`yosys synth failed: ${(said.split('\n').find((l) => /ERROR|error/.test(l)) ?? said.split('\n')[0] ?? '').trim()}`, { code: 'malformed', path: Object.keys(files).join(', ') });

/** Synthesizes `top` from the Verilog `files` (testbenches excluded by the caller). */
export async function synthesize(files: Readonly<Record<string, string>>, top: string, tool: YosysTool = 'auto'): Promise<SynthResult> {
  const version = tool === 'wasm' ? undefined : yosysVersion();
  if (version === undefined && tool === 'system') {
    throw new SimError('yosys is not installed', { code: 'missingTool', path: 'yosys', hint: 'Install it with `sudo apt-get install yosys` (Debian/Ubuntu), or run `npm run setup:rtl`; without it, rtl synth uses the npm package @yowasp/yosys.' });
  }
  return version === undefined ? synthesizeWasm(files, top) : synthesizeSystem(version, files, top);
}

/**
 * The same, synchronously, for the pricing path (simulate is synchronous): the Debian yosys directly, else
 * @yowasp/yosys in a child Node process (its API is asynchronous).
 */
export function synthesizeSync(files: Readonly<Record<string, string>>, top: string, tool: YosysTool = 'auto'): SynthResult {
  const version = tool === 'wasm' ? undefined : yosysVersion();
  if (version === undefined && tool === 'system') throw new SimError('yosys is not installed', { code: 'missingTool', path: 'yosys', hint: 'Install it with `sudo apt-get install yosys` (Debian/Ubuntu), or run `npm run setup:rtl`.' });
  if (version !== undefined) return synthesizeSystem(version, files, top);
  let url: string;
  try {
    url = pathToFileURL(nodeRequire.resolve('@yowasp/yosys')).href;
  } catch {
    throw new SimError('neither a yosys on the PATH nor the npm package @yowasp/yosys is installed', { code: 'missingTool', path: 'yosys', hint: 'Run `npm install` in Systolab\'s folder (it brings @yowasp/yosys), or `sudo apt-get install yosys`.' });
  }
  const child = [
    `import { readFileSync } from 'node:fs';`,
    `const { runYosys, version, Exit } = await import(${JSON.stringify(url)});`,
    `const { files, script } = JSON.parse(readFileSync(0, 'utf8'));`,
    `let said = ''; const text = (b) => { if (b) said += new TextDecoder().decode(b); };`,
    `const dec = (f) => typeof f === 'string' ? f : new TextDecoder().decode(f);`,
    `try { const out = await runYosys(['-q', '-p', script], files, { stdout: text, stderr: text });`,
    `  process.stdout.write(JSON.stringify({ version, stat: dec(out['stat.txt']), ltp: dec(out['ltp.txt']) }));`,
    `} catch (e) { if (!(e instanceof Exit)) throw e; process.stdout.write(JSON.stringify({ failed: said || 'exit ' + e.code })); }`,
  ].join('\n');
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', child], { input: JSON.stringify({ files, script: scriptFor(files, top) }), encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new SimError(`@yowasp/yosys failed: ${(r.stderr || `exit ${r.status}`).trim().split('\n')[0]}`, { code: 'internal', path: 'yosys' });
  const o = JSON.parse(r.stdout) as { version: string; stat: string; ltp: string } | { failed: string };
  if ('failed' in o) throw failed(o.failed, files);
  return parseSynth(`Yosys ${o.version} (@yowasp/yosys, WebAssembly)`, top, o.stat, o.ltp);
}

function synthesizeSystem(version: string, files: Readonly<Record<string, string>>, top: string): SynthResult {
  const dir = mkdtempSync(join(tmpdir(), 'systolab-yosys-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const r = spawnSync('yosys', ['-q', '-p', scriptFor(files, top)], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.status !== 0) throw failed(`${r.stdout}${r.stderr}` || `exit ${r.status}`, files);
    return parseSynth(version, top, readFileSync(join(dir, 'stat.txt'), 'utf8'), readFileSync(join(dir, 'ltp.txt'), 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function synthesizeWasm(files: Readonly<Record<string, string>>, top: string): Promise<SynthResult> {
  let yowasp: typeof import('@yowasp/yosys');
  try {
    yowasp = await import('@yowasp/yosys');
  } catch {
    throw new SimError('neither a yosys on the PATH nor the npm package @yowasp/yosys is installed', { code: 'missingTool', path: 'yosys', hint: 'Run `npm install` in Systolab\'s folder (it brings @yowasp/yosys), or `sudo apt-get install yosys`.' });
  }
  let said = '';
  const text = (b: Uint8Array | null): void => { if (b !== null) said += new TextDecoder().decode(b); };
  let out: Awaited<ReturnType<typeof yowasp.runYosys>>;
  try {
    out = await yowasp.runYosys(['-q', '-p', scriptFor(files, top)], { ...files }, { stdout: text, stderr: text });
  } catch (e) {
    if (e instanceof yowasp.Exit) throw failed(said || `exit ${e.code}`, files);
    throw e;
  }
  const file = (name: string): string => {
    const f = (out as Record<string, unknown> | undefined)?.[name];
    if (typeof f === 'string') return f;
    if (f instanceof Uint8Array) return new TextDecoder().decode(f);
    throw new SimError(`@yowasp/yosys wrote no ${name}`, { code: 'internal', path: 'yosys' });
  };
  return parseSynth(`Yosys ${yowasp.version} (@yowasp/yosys, WebAssembly)`, top, file('stat.txt'), file('ltp.txt'));
}

/** Reads `stat -tech cmos` and `ltp -noff` output. Exported for its test. */
export function parseSynth(tool: string, top: string, stat: string, ltp: string): SynthResult {
  // A design of several modules: its totals are the "design hierarchy" section; one module: its only section.
  const hierarchy = stat.indexOf('=== design hierarchy ===');
  const totals = hierarchy >= 0 ? stat.slice(hierarchy) : stat;
  const cellsByType: Record<string, number> = {};
  const list = /Number of cells:\s+\d+\n((?:[ \t]+\S+[ \t]+\d+[ \t]*\n)*)/.exec(totals)?.[1] ?? '';
  for (const m of list.matchAll(/^\s+(\S+)\s+(\d+)\s*$/gm)) cellsByType[m[1]] = Number(m[2]);
  const count = (re: RegExp) => Object.entries(cellsByType).filter(([t]) => re.test(t)).reduce((s, [, n]) => s + n, 0);
  const number = (re: RegExp, text: string, what: string): number => {
    const m = re.exec(text);
    if (!m) throw new SimError(`could not read ${what} from yosys' output`, { code: 'internal', path: 'yosys' });
    return Number(m[1]);
  };
  return {
    tool, top, cells: number(/Number of cells:\s+(\d+)/, totals, 'the cell count'), cellsByType,
    flipFlops: count(/^\$_(S?DFF|DFFE|SDFFE|SDFFCE|ALDFF|DFFSR)/), latches: count(/^\$_DLATCH/),
    transistors: number(/Estimated number of transistors:\s+(\d+)/, totals, 'the transistor estimate'),
    transistorsExcludeCells: /Estimated number of transistors:\s+\d+\+/.test(totals),
    logicDepth: number(/Longest topological path in \S+ \(length=(\d+)\)/, ltp, 'the logic depth'),
  };
}

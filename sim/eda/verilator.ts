/**
 * Verilator (Debian `verilator`): its lint (`--lint-only -Wall`; without Verilator the answer says so instead of
 * failing), and the testbench built with `--binary` as the fast simulator for big arrays (cached by its sources).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimError } from '../base/errors.js';

let verilator: { version: string | undefined } | undefined;
/** The installed Verilator version, or undefined when it is not installed (asked once per process). */
export function verilatorVersion(): string | undefined {
  if (verilator === undefined) {
    const r = spawnSync('verilator', ['--version'], { encoding: 'utf8' });
    verilator = { version: r.error ? undefined : /Verilator [\d.]+/.exec(r.stdout)?.[0] };
  }
  return verilator.version;
}

export interface LintResult {
  readonly status: 'clean' | 'warnings' | 'not run';
  /** One line: what was run and what it said. */
  readonly text: string;
}

/** Lints the design files (the testbench too, with --timing for its delays) with `top` as the root. */
export function verilatorLint(files: Readonly<Record<string, string>>, top: string): LintResult {
  const version = verilatorVersion();
  if (version === undefined) return { status: 'not run', text: 'verilator not installed here (apt-get install verilator): not linted' };
  const dir = mkdtempSync(join(tmpdir(), 'systolab-lint-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const sources = Object.keys(files).filter((f) => f.endsWith('.v'));
    const r = spawnSync('verilator', ['--lint-only', '-Wall', '--timing', '--top-module', top, ...sources], { cwd: dir, encoding: 'utf8' });
    const said = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.startsWith('%'));
    if (r.status === 0 && said.length === 0) return { status: 'clean', text: `${version}: verilator --lint-only -Wall, no warnings (design and testbench)` };
    return { status: 'warnings', text: `${version}: ${said[0] ?? `exit ${r.status}`}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * How the testbench is built. The C++ is compiled at -O1 (the model's hot code) and -O0 (its once-run code) instead
 * of Verilator's -Os: on a 16×16 os array that halved the build (28.8 → 15.5 s on 2 cores) and ran a 128³ GEMM in
 * 0.37 s instead of 0.24 s; -O0 throughout built in 12.6 s but ran 5× slower.
 */
const BUILD_FLAGS = ['--binary', '--timing', '-j', '2', '-MAKEFLAGS', 'OPT_FAST=-O1 OPT_SLOW=-O0 OPT_GLOBAL=-O1'];

/**
 * Builds the testbench with `verilator --binary --timing` into `cacheDir/<hash of the sources and the version>` (a
 * build is reused whenever the same Verilog and flags come back: 16×16 takes about 15 s to compile on 2 cores, then
 * runs in well under a second), runs it on `inputs` in a fresh temporary folder and returns the file it writes (`output`).
 */
export function runVerilator(opts: {
  readonly files: Readonly<Record<string, string>>;
  readonly top: string;
  readonly inputs: Readonly<Record<string, string>>;
  readonly output: string;
  readonly cacheDir: string;
}): { log: string; cached: boolean } {
  const version = verilatorVersion();
  if (version === undefined) {
    throw new SimError('verilator is not installed', { code: 'missingTool', path: 'verilator', hint: 'Install it with `sudo apt-get install verilator` (Debian/Ubuntu), or run `npm run setup:rtl`.' });
  }
  const hash = createHash('sha256').update(version).update(BUILD_FLAGS.join(' ')).update(opts.top);
  for (const [name, text] of Object.entries(opts.files).sort(([x], [y]) => (x < y ? -1 : 1))) hash.update(`\0${name}\0${text}`);
  const build = join(opts.cacheDir, hash.digest('hex').slice(0, 16));
  const binary = join(build, 'obj_dir', 'vtb');
  const cached = existsSync(binary);
  if (!cached) {
    // Built aside and renamed into place, so a killed build never leaves a half-made binary in the cache.
    mkdirSync(opts.cacheDir, { recursive: true });
    const work = mkdtempSync(join(opts.cacheDir, 'build-'));
    try {
      for (const [name, text] of Object.entries(opts.files)) writeFileSync(join(work, name), text);
      const sources = Object.keys(opts.files).filter((f) => f.endsWith('.v'));
      const r = spawnSync('verilator', [...BUILD_FLAGS, '--top-module', opts.top, ...sources, '-o', 'vtb'], { cwd: work, encoding: 'utf8', maxBuffer: 1 << 28 });
      if (r.status !== 0) {
        const said = `${r.stdout}${r.stderr}`.split('\n').find((l) => l.startsWith('%Error')) ?? `exit ${r.status}`;
        throw new SimError(`verilator could not build the design: ${said}`, { code: 'malformed', path: sources.join(', ') });
      }
      if (!existsSync(binary)) renameSync(work, build);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'systolab-verilator-'));
  try {
    for (const [name, text] of Object.entries(opts.inputs)) writeFileSync(join(dir, name), text);
    const r = spawnSync(binary, [`+stimulus=${join(dir, 'stimulus.hex')}`, `+outputs=${join(dir, opts.output)}`], { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new SimError(`the Verilator build failed to run: ${r.stderr.split('\n')[0]}`, { code: 'internal', path: binary });
    return { log: existsSync(join(dir, opts.output)) ? readFileSync(join(dir, opts.output), 'utf8') : '', cached };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

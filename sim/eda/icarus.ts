/**
 * Runs Verilog under Icarus Verilog (Debian `iverilog`): compile the files with `iverilog -g2005`, run `vvp` in the
 * folder that holds the stimulus, return the testbench's log. A missing tool is bad setup, not a bug: a SimError
 * (exit 2) saying how to install it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimError } from '../base/errors.js';

const INSTALL = 'Install it with `sudo apt-get install iverilog` (Debian/Ubuntu), or run `npm run setup:rtl`.';

function tool(name: string, args: readonly string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(name, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new SimError(`${name} (Icarus Verilog) is not installed`, { code: 'missingTool', path: name, hint: INSTALL });
  }
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let icarus: { version: string | undefined } | undefined;
/** The installed Icarus version line, or undefined when it is not installed (asked once per process). */
export function icarusVersion(): string | undefined {
  if (icarus === undefined) {
    const r = spawnSync('iverilog', ['-V'], { encoding: 'utf8' });
    icarus = { version: r.error ? undefined : /Icarus Verilog version [^\n(]+/.exec(r.stdout)?.[0]?.trim() };
  }
  return icarus.version;
}

/**
 * Compiles `files` (name → text) with `top` as the root, writes `inputs` beside them, runs the simulation, and
 * returns the file the testbench writes (`output`), all in a fresh temporary folder that is removed afterwards.
 */
export function runIcarus(opts: {
  readonly files: Readonly<Record<string, string>>;
  readonly top: string;
  readonly inputs: Readonly<Record<string, string>>;
  readonly output: string;
}): { log: string } {
  const dir = mkdtempSync(join(tmpdir(), 'systolab-iverilog-'));
  try {
    for (const [name, text] of Object.entries({ ...opts.files, ...opts.inputs })) writeFileSync(join(dir, name), text);
    const sources = Object.keys(opts.files).filter((f) => f.endsWith('.v'));
    const compile = tool('iverilog', ['-g2005', '-Wall', '-s', opts.top, '-o', 'sim.vvp', ...sources], dir);
    if (compile.status !== 0) {
      throw new SimError(`iverilog could not compile the design: ${firstLine(compile.stderr || compile.stdout)}`, { code: 'malformed', path: sources.join(', ') });
    }
    const run = tool('vvp', ['-n', 'sim.vvp'], dir);
    if (run.status !== 0) throw new SimError(`vvp failed: ${firstLine(run.stderr || run.stdout)}`, { code: 'internal', path: 'vvp' });
    let log = '';
    try { log = readFileSync(join(dir, opts.output), 'utf8'); } catch { /* no log: the comparison reports it */ }
    return { log };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim() !== '')?.trim() ?? '(no message)';
}

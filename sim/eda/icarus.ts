/**
 * Runs Verilog under Icarus Verilog (Debian `iverilog`): compile the files with `iverilog -g2005` (`-g2012` when one
 * is SystemVerilog, .sv), run `vvp` in the folder that holds the stimulus, return the testbench's log. A missing tool
 * is bad setup, not a bug: a SimError (exit 2) saying how to install it.
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
 * `defines` become `-DNAME=VALUE`; `keep` names further files the run writes (a waveform) to hand back as bytes; a
 * run longer than `timeoutMs` is stopped (`timedOut`: a design that never lets time advance, e.g. a zero-delay loop).
 */
export function runIcarus(opts: {
  readonly files: Readonly<Record<string, string>>;
  readonly top: string;
  readonly inputs: Readonly<Record<string, string>>;
  readonly output: string;
  readonly defines?: Readonly<Record<string, string>>;
  readonly plusargs?: readonly string[];
  readonly keep?: readonly string[];
  readonly timeoutMs?: number;
}): { log: string; kept: Record<string, Buffer>; timedOut: boolean } {
  const dir = mkdtempSync(join(tmpdir(), 'systolab-iverilog-'));
  try {
    for (const [name, text] of Object.entries({ ...opts.files, ...opts.inputs })) writeFileSync(join(dir, name), text);
    const sources = Object.keys(opts.files).filter((f) => /\.s?v$/.test(f));
    // SystemVerilog sources (.sv, as some courses' labs are written) need Icarus' 2012 mode, which reads 2005 too.
    const standard = sources.some((f) => f.endsWith('.sv')) ? '-g2012' : '-g2005';
    const defines = Object.entries(opts.defines ?? {}).map(([k, v]) => `-D${k}=${v}`);
    const compile = tool('iverilog', [standard, '-Wall', ...defines, '-s', opts.top, '-o', 'sim.vvp', ...sources], dir);
    if (compile.status !== 0) {
      throw new SimError(`iverilog could not compile the design: ${firstLine(compile.stderr || compile.stdout)}`, { code: 'malformed', path: sources.join(', ') });
    }
    const run = spawnSync('vvp', ['-n', 'sim.vvp', ...(opts.plusargs ?? [])], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28, timeout: opts.timeoutMs, killSignal: 'SIGKILL' });
    const timedOut = (run.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
    if (run.error && !timedOut) {
      if ((run.error as NodeJS.ErrnoException).code === 'ENOENT') throw new SimError('vvp (Icarus Verilog) is not installed', { code: 'missingTool', path: 'vvp', hint: INSTALL });
      throw run.error;
    }
    if (!timedOut && run.status !== 0) throw new SimError(`vvp failed: ${firstLine(run.stderr || run.stdout)}`, { code: 'internal', path: 'vvp' });
    const read = (f: string): Buffer | undefined => { try { return readFileSync(join(dir, f)); } catch { return undefined; } };
    const kept: Record<string, Buffer> = {};
    for (const f of opts.keep ?? []) { const b = read(f); if (b !== undefined) kept[f] = b; }
    // No log: the comparison reports it.
    return { log: read(opts.output)?.toString('utf8') ?? '', kept, timedOut };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim() !== '')?.trim() ?? '(no message)';
}

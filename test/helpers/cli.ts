/** Runs the bundled `systolab` bin (what users run) in a child process: exit code, stdout, stderr. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'systolab.mjs');

export interface CliResult {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

export function systolab(args: readonly string[], cwd = ROOT): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

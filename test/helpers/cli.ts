/**
 * Runs the bundled `systolab` bin (what users run) in a child process: exit code, stdout, stderr. By default in
 * WORKSPACE, a temp folder outside the repository that holds only a link to the repository's `test/` (so fixture paths
 * like `test/fixtures/…` work): runs write their default `reports/…` folders there, never into the repository, and
 * shipped paths (`models/…`, `hw-configs/…`) resolve from the package as they do for an installed `systolab`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'systolab.cjs');

/** A fresh working folder per test file, with `test/` linked in. */
export const WORKSPACE = ((): string => {
  const dir = mkdtempSync(join(tmpdir(), 'systolab-cwd-'));
  symlinkSync(join(ROOT, 'test'), join(dir, 'test'), 'dir');
  return dir;
})();

export interface CliResult {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

export function systolab(args: readonly string[], cwd = WORKSPACE): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

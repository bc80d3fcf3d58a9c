/**
 * Verilator's lint (Debian `verilator`): `verilator --lint-only -Wall` on generated Verilog. Optional: without
 * Verilator the answer says so instead of failing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function verilatorVersion(): string | undefined {
  const r = spawnSync('verilator', ['--version'], { encoding: 'utf8' });
  if (r.error) return undefined;
  return /Verilator [\d.]+/.exec(r.stdout)?.[0];
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

/**
 * One fuzz case: the files it writes into a fresh folder, the command line a user would type, and the library call
 * the CLI makes for that command line (in-process). Plain data, so it crosses to the worker thread, prints in a
 * failure and becomes a reproduction folder. Paths inside `argv` and `call.args` are relative to the case folder;
 * in-process they are prefixed with `$DIR/`, which the runner replaces by the folder (worker threads cannot chdir).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The library functions the in-process runner can call (test/fuzz/inprocess-worker.ts maps each to the API). */
export const CALLS = ['simulate', 'trace', 'loadModel', 'import', 'run', 'train', 'check', 'sweep', 'merge'] as const;
export type CallName = (typeof CALLS)[number];

export interface FuzzCase {
  /** The input format under test (model-yaml, hw-cfg, onnx, …): campaigns count per format. */
  readonly format: string;
  /** What is hostile about it (valid, edge-number, wrong-type, missing-key, yaml-bomb, truncated, …). */
  readonly category: string;
  /** File name (relative, may hold a folder) → contents. */
  readonly files: Readonly<Record<string, string | Uint8Array>>;
  /** The CLI command line, run in the case folder. */
  readonly argv: readonly string[];
  /** The same command as a library call; absent where yargs rejects the command line before any call. */
  readonly call?: { readonly fn: CallName; readonly args: Readonly<Record<string, unknown>> };
  /** Exit 1 is a legitimate answer (check's threshold, train's divergence rule). */
  readonly exit1Allowed?: boolean;
  /** Text of a file the case names (e.g. /etc/passwd) that must never be echoed in a message. */
  readonly mustNotEcho?: string;
}

/** The folder marker in library-call arguments. */
export const DIR = '$DIR/';

/** Writes a case's files into `dir`. */
export function writeCaseFiles(c: FuzzCase, dir: string): void {
  for (const [name, contents] of Object.entries(c.files)) {
    const file = join(dir, name);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, contents);
  }
}

/** Library-call arguments with `$DIR/` replaced by `dir/` (deeply: sweep specs hold lists of paths). */
export function inDir(value: unknown, dir: string): unknown {
  if (typeof value === 'string') return value.startsWith(DIR) ? join(dir, value.slice(DIR.length)) : value;
  if (Array.isArray(value)) return value.map((v) => inDir(v, dir));
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inDir(v, dir)]));
  }
  return value;
}

/** A shell-quoted command line: in full for reproduction files, `short` (long values cut) for failure messages. */
export function shellLine(argv: readonly string[], short = false): string {
  const q = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  const shown = short ? argv.map((a) => (a.length > 80 ? `${a.slice(0, 80)}…(${a.length} chars)` : a)) : argv;
  return ['systolab', ...shown.map(q)].join(' ');
}

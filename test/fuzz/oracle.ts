/**
 * The fuzz oracle: what a run of one case may do, as pure checks over its outcome (docs/fuzz.md lists the rules).
 * A violation names its rule (`kind`) and the evidence; `classOf` groups violations into failure classes, so a
 * campaign reports one reproduction per class instead of a thousand copies of one bug.
 */
import type { FuzzCase } from './case.js';
import { TEMP_SUFFIX } from '../../sim/base/files.js';

/** Every case finishes within this (the CLI and the in-process call alike). */
export const CASE_LIMIT_MS = 10_000;
/** An error line longer than this echoes a value instead of abbreviating it (the longest deliberate message, the ONNX importer listing its supported operators, is about 600). */
export const MAX_MESSAGE_CHARS = 1000;

export interface Violation {
  readonly kind: string;
  readonly detail: string;
}

/** What the in-process runner reports for one library call. */
export type CallOutcome =
  | { readonly kind: 'ok'; readonly value: unknown; readonly ms: number }
  | { readonly kind: 'simError'; readonly code: string; readonly message: string; readonly ms: number }
  | { readonly kind: 'error'; readonly name: string; readonly message: string; readonly ms: number }
  | { readonly kind: 'timeout'; readonly ms: number }
  | { readonly kind: 'crash'; readonly message: string; readonly ms: number };

/** What the CLI runner reports for one command line. */
export interface CliOutcome {
  readonly code: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  /** Files in the case folder after the run, relative paths. */
  readonly files: readonly string[];
}

/** Keys whose numbers are counts: they must be exact integers (below 2^53). */
const COUNT_KEY = /(^|[a-z])(cycles|macs|words|bytes|folds|reads|writes|points|params|parameters)$/i;
/** Keys whose values are measured numbers: a null there is a NaN or Infinity that JSON could not hold. */
const NUMBER_KEY = /(^|[a-z])(cycles|macs|words|bytes|folds|energy|energyPj|utilization|efficiency|seconds|pj|mm2|edp|edpPjS|total|loss)$/i;
/** A NumericsReport's measured SQNR fields (never null; a rule's `maxSqnrDropDb` or a step's unmeasured SQNR may be). */
const SQNR_KEY = /^(sqnrDb|sqnrDropDb|outputSqnrDb|worstSqnrDropDb|idealSqnrDb)$/;

const short = (s: string, n = 160): string => (s.length > n ? `${s.slice(0, n)}…` : s);

/** Every number reachable from `value` is finite; every count is an exact integer; no null where a number belongs. */
export function checkNumbers(value: unknown, path = '$', out: Violation[] = []): Violation[] {
  if (out.length >= 5) return out;
  const key = path.slice(path.lastIndexOf('.') + 1);
  if (typeof value === 'number') {
    // ±Infinity is a defined SQNR (fixed point equal to float: docs/limits.md); NaN never is.
    if (!Number.isFinite(value) && !(SQNR_KEY.test(key) && !Number.isNaN(value))) out.push({ kind: 'non-finite', detail: `${path} = ${value}` });
    else if (COUNT_KEY.test(key) && !Number.isSafeInteger(value)) out.push({ kind: 'inexact-count', detail: `${path} = ${value}` });
  } else if (value === null) {
    if (NUMBER_KEY.test(key) || SQNR_KEY.test(key)) out.push({ kind: 'non-finite', detail: `${path} = null (a NaN or Infinity written as JSON)` });
  } else if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const xs = value as unknown as ArrayLike<number | bigint>;
    for (let i = 0; i < Math.min(xs.length, 100_000); i++) {
      if (typeof xs[i] === 'number' && !Number.isFinite(xs[i])) {
        out.push({ kind: 'non-finite', detail: `${path}[${i}] = ${xs[i]}` });
        break;
      }
    }
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => checkNumbers(v, `${path}[${i}]`, out));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) checkNumbers(v, `${path}.${k}`, out);
  }
  return out;
}

/** The in-process rule: the call returns sound numbers or throws a one-line SimError, in time. */
export function judgeCall(o: CallOutcome): Violation[] {
  if (o.ms > CASE_LIMIT_MS || o.kind === 'timeout') return [{ kind: 'timeout', detail: `over ${CASE_LIMIT_MS} ms` }];
  switch (o.kind) {
    case 'ok': return checkNumbers(o.value);
    case 'simError': {
      const v: Violation[] = [];
      if (o.code === 'internal') v.push({ kind: 'internal-error', detail: short(o.message) });
      if (o.message.includes('\n')) v.push({ kind: 'multi-line-message', detail: short(o.message) });
      if (o.message.length > MAX_MESSAGE_CHARS) v.push({ kind: 'long-message', detail: `${o.message.length} chars: ${short(o.message, 80)}` });
      return v;
    }
    case 'error': return [{ kind: 'not-a-SimError', detail: `${o.name}: ${short(o.message)}` }];
    case 'crash': return [{ kind: 'crash', detail: short(o.message) }];
  }
}

const STACK_LINE = /^\s+at .+(\(.*:\d+:\d+\)|:\d+:\d+)$/m;

/** The CLI rule (docs/fuzz.md): exit 0, exit 2 with one `systolab: ` line, or exit 1 where a rule allows it. */
export function judgeCli(c: FuzzCase, o: CliOutcome): Violation[] {
  const v: Violation[] = [];
  const errLines = o.stderr.split('\n').filter((l) => l !== '');
  if (o.ms > CASE_LIMIT_MS) v.push({ kind: 'timeout', detail: `over ${CASE_LIMIT_MS} ms` });
  const killedByUs = o.ms > CASE_LIMIT_MS && o.signal === 'SIGKILL';
  if (!killedByUs && (o.signal !== null || o.code === null || o.code > 128)) v.push({ kind: 'crash', detail: `exit ${o.code} signal ${o.signal}: ${short(errLines.slice(-1)[0] ?? '')}` });
  if (/internal error/i.test(o.stderr)) v.push({ kind: 'internal-error', detail: short(errLines.find((l) => /internal error/i.test(l)) ?? '') });
  if (STACK_LINE.test(o.stderr)) v.push({ kind: 'stack-trace', detail: short(errLines.find((l) => STACK_LINE.test(`${l}`)) ?? '') });
  if (o.code === 2) {
    if (errLines.length !== 1 || !errLines[0].startsWith('systolab: ')) v.push({ kind: 'not-one-line', detail: `${errLines.length} lines: ${short(errLines.join(' ⏎ '))}` });
    if (errLines.some((l) => l.length > MAX_MESSAGE_CHARS)) v.push({ kind: 'long-message', detail: `${Math.max(...errLines.map((l) => l.length))} chars` });
  } else if (o.code === 1 && !c.exit1Allowed && !v.some((x) => x.kind === 'internal-error')) {
    v.push({ kind: 'exit-code', detail: `exit 1 where no threshold or divergence rule applies: ${short(errLines.join(' ⏎ '))}` });
  } else if (o.code !== null && o.code !== 0 && o.code !== 1 && o.code <= 128) {
    v.push({ kind: 'exit-code', detail: `exit ${o.code}: ${short(errLines.join(' ⏎ '))}` });
  }
  if (o.code === 0) v.push(...checkStdout(c, o.stdout));
  const tmp = o.files.filter((f) => f.endsWith('.tmp') || f.endsWith(TEMP_SUFFIX));
  if (tmp.length) v.push({ kind: 'tmp-left', detail: tmp.slice(0, 3).join(', ') });
  if (c.mustNotEcho !== undefined && o.stderr.includes(c.mustNotEcho)) v.push({ kind: 'echoed-file', detail: `stderr quotes ${JSON.stringify(c.mustNotEcho)}` });
  return v;
}

/** stdout of a successful run: valid JSON with sound numbers when asked for JSON; no NaN/Infinity text otherwise. */
export function checkStdout(c: FuzzCase, stdout: string): Violation[] {
  const i = c.argv.indexOf('--format');
  if (i >= 0 && c.argv[i + 1] === 'json') {
    try {
      return checkNumbers(JSON.parse(stdout));
    } catch (e) {
      return [{ kind: 'not-json', detail: `${(e as Error).message}: ${short(stdout, 60)}` }];
    }
  }
  const input = [...c.argv, ...Object.values(c.files).filter((f) => typeof f === 'string')].join('\n');
  const bad = /\b(NaN|-?Infinity)\b/.exec(stdout);
  return bad && !input.includes(bad[1].replace('-', '')) ? [{ kind: 'non-finite', detail: `stdout prints ${bad[1]}` }] : [];
}

/** The rerun rule: the same command on the same files gives the same exit code and the same stdout bytes. */
export function judgeRerun(first: CliOutcome, again: CliOutcome): Violation[] {
  if (first.code === again.code && first.stdout === again.stdout) return [];
  const at = [...first.stdout].findIndex((ch, i) => again.stdout[i] !== ch);
  return [{ kind: 'nondeterministic', detail: `exit ${first.code} then ${again.code}; stdout differs at char ${at}: ${short(first.stdout.slice(Math.max(0, at - 20), at + 40), 80)}` }];
}

/** A failure class: the rule, the format, and the evidence with its numbers and quoted values blanked. */
export function classOf(format: string, v: Violation): string {
  const detail = v.detail.replace(/[^\s"']*systolab-fuzz[-\w]*\//g, '').replace(/"[^"]*"|'[^']*'/g, '"…"').replace(/-?\d[\d.e+]*/g, 'N').replace(/\$(\.[\w]+|\[N\])*/g, (m) => m.replace(/\[N\]/g, '[]'));
  return `${v.kind} · ${format} · ${detail.slice(0, 90)}`;
}

/**
 * How a failed command ends: the one stderr line and the exit code. Pure, so the mapping is tested on its own and
 * main.ts stays a thin call to it.
 * - 1: a documented threshold failed (`check`); set by the command itself, not here.
 * - 2: bad input: a SimError, or a usage error from yargs (reformatted to one line).
 * - 3: an internal error: anything else, including a SimError with code `internal` (a bug, never the input's fault).
 */
import { LIMIT_CHARS, oneLine, oneLineSentence, showValue, SimError } from '../base/errors.js';
import { withFlagSuggestions } from './suggest.js';

export const EXIT_CODES = { thresholdFailed: 1, badInput: 2, internal: 3 } as const;

export interface Failure {
  readonly exitCode: number;
  /** What to write to stderr: one line, plus the stack trace with --debug. */
  readonly stderr: string;
}

/** A thrown error → its failure: SimErrors are bad input, everything else is a bug. */
export function failureOf(e: unknown, debug: boolean): Failure {
  const stack = debug && e instanceof Error && e.stack !== undefined ? `${e.stack}\n` : '';
  if (e instanceof SimError && e.code !== 'internal') return { exitCode: EXIT_CODES.badInput, stderr: `systolab: ${e.message}\n${stack}` };
  const message = oneLine(e instanceof Error ? e.message : String(e), LIMIT_CHARS.problem);
  const how = debug ? 'please report it' : 'please report it, with the stack trace that --debug prints';
  return { exitCode: EXIT_CODES.internal, stderr: `systolab: internal error (a bug, ${how}): ${message}\n${stack}` };
}

/** How long a usage message may grow (yargs quotes what was typed: a 5,000-character flag stays one short line). */
const USAGE_CHARS = 200;

/** A yargs usage message (unknown flag, missing argument, a value outside `choices` …) → one line, exit 2. */
export function usageFailure(yargsMessage: string, knownFlags: readonly string[]): Failure {
  const message = choicesMessage(yargsMessage) ?? oneLineSentence(withFlagSuggestions(yargsMessage, knownFlags), USAGE_CHARS).replace(/(?<![.?!])$/, '.');
  return { exitCode: EXIT_CODES.badInput, stderr: `systolab: ${message} See \`systolab <command> --help\`.\n` };
}

/**
 * yargs' three-line "Invalid values:\n  Argument: compat, Given: "foo", Choices: "none", "scalesim"" → the line every
 * other bad flag value gets: `--compat: is not an allowed value (got "foo"). Allowed: none, scalesim.`
 */
function choicesMessage(yargsMessage: string): string | undefined {
  if (!yargsMessage.startsWith('Invalid values:')) return undefined;
  const parts = yargsMessage.split('\n').slice(1).map((line) => {
    const m = /^\s*Argument: (.+?), Given: (.*)$/.exec(line);
    const choicesAt = m?.[2].lastIndexOf(', Choices: ') ?? -1;
    if (!m || choicesAt < 0) return undefined;
    const given = m[2].slice(0, choicesAt), choices = m[2].slice(choicesAt + ', Choices: '.length);
    return `--${oneLine(m[1], LIMIT_CHARS.where)}: is not an allowed value (got ${shownGiven(given)}). Allowed: ${oneLine(listed(choices), LIMIT_CHARS.hint)}.`;
  });
  return parts.length > 0 && parts.every((p) => p !== undefined) ? parts.join(' ') : undefined;
}

/** yargs prints the given values as JSON joined by ", ". */
function shownGiven(given: string): string {
  try {
    const values = JSON.parse(`[${given}]`) as unknown[];
    return showValue(values.length === 1 ? values[0] : values);
  } catch {
    return oneLine(given, LIMIT_CHARS.value);
  }
}

function listed(choices: string): string {
  try {
    return (JSON.parse(`[${choices}]`) as unknown[]).map(String).join(', ');
  } catch {
    return choices;
  }
}

/**
 * Judging cases, shared by the fuzz tests (test/fuzz/*.test.ts) and the long campaign (campaign.ts): a case runs
 * in-process or through the CLI (optionally twice, for the rerun rule), its violations become failures, and
 * failures group into classes with one example each.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FuzzCase, shellLine } from './case.js';
import { type Violation, classOf, judgeCall, judgeCli, judgeRerun } from './oracle.js';
import { type InProcessRunner, runCli } from './runners.js';

export interface Failure {
  readonly side: 'in-process' | 'cli';
  readonly case: FuzzCase;
  readonly violations: readonly Violation[];
}

export async function inProcessFailure(runner: InProcessRunner, c: FuzzCase): Promise<Failure | undefined> {
  if (c.call === undefined) return undefined;
  const violations = judgeCall(await runner.run(c));
  return violations.length ? { side: 'in-process', case: c, violations } : undefined;
}

/** The CLI rules; with `rerun`, the command runs a second time in a fresh folder and must print the same bytes. */
export async function cliFailure(c: FuzzCase, rerun: boolean): Promise<Failure | undefined> {
  let first = await runCli(c);
  // A timeout on a busy machine may be the machine's: it counts when the case, run again alone, is still over the limit.
  if (judgeCli(c, first).some((v) => v.kind === 'timeout')) first = await runCli(c);
  const violations = [...judgeCli(c, first)];
  if (rerun && violations.length === 0 && first.ms < 3000) violations.push(...judgeRerun(first, await runCli(c, mkdtempSync(join(tmpdir(), 'systolab-fuzz-cli-')))));
  return violations.length ? { side: 'cli', case: c, violations } : undefined;
}

/** The class of a failure: its first violation's rule, the format and the evidence with numbers blanked. */
export const failureClass = (f: Failure): string => `${f.side} · ${classOf(f.case.format, f.violations[0])}`;

/** One line per class: how many cases, and the first example (its command line and what went wrong). */
export function classReport(failures: readonly Failure[]): string {
  const byClass = new Map<string, Failure[]>();
  for (const f of failures) byClass.set(failureClass(f), [...(byClass.get(failureClass(f)) ?? []), f]);
  return [...byClass].map(([cls, fs]) => {
    const f = fs[0];
    const call = f.side === 'in-process' ? ` call ${f.case.call?.fn}` : '';
    return `${fs.length}× ${cls}\n    e.g. [${f.case.category}]${call} ${shellLine(f.case.argv, true)} → ${f.violations.map((v) => `${v.kind}: ${v.detail}`).join('; ')}`;
  }).join('\n');
}

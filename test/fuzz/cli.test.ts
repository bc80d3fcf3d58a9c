/**
 * The fuzz suite in `npm test`, through the bundled CLI (what users run): generated inputs of every format (fixed
 * seed), each command line spawned in a fresh temp folder and killed after 10 s, judged by the CLI oracle (exit
 * codes, one-line errors, JSON stdout, sound numbers, no *.tmp left, the same bytes on a rerun for every 4th case).
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { FORMATS } from './formats.js';
import { mapLimit } from './runners.js';
import { type Failure, classReport, cliFailure } from './suite.js';

const SEED = 20;
/** "A few hundred" (the issue); 100 took 40 s of one vitest worker under a full `npm test`. The campaign runs more. */
const CASES = 250;
/** A spawn costs ~0.5 s here (two run at a time); minutes when a full `npm test` shares the cores. */
const LIMIT_MS = 300_000;
/** sweep, merge/report and train write charts (a second or more per run): fewer of them keeps the file under a minute. */
const HEAVY = new Set(['sweep-spec', 'results-jsonl', 'dataset-csv']);
const cliCase = fc.oneof(...Object.entries(FORMATS).map(([name, arbitrary]) => ({ weight: HEAVY.has(name) ? 1 : 3, arbitrary })));

it(`${CASES} generated command lines through the CLI: exit 0, or exit 2 with one line, sound output, same bytes twice`, async () => {
  const cases = fc.sample(cliCase, { seed: SEED, numRuns: CASES });
  const results = await mapLimit(cases, 2, (c, i) => cliFailure(c, i % 4 === 0));
  const failures = results.filter((f): f is Failure => f !== undefined);
  expect(classReport(failures).split('\n')).toEqual(['']);
}, LIMIT_MS);

/**
 * The fuzz suite in `npm test`, in-process: 2,200 cases over every input format (fixed seed), each the library call
 * the CLI makes for its command line, judged by the oracle (oracle.ts): a value with sound numbers or a one-line
 * SimError, within 10 s. Every failure is collected (not just the first) and reported one line per class with an
 * example; `npm run fuzz` runs the long campaign and writes shrunk reproductions (docs/fuzz.md).
 */
import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import { anyCase } from './formats.js';
import { InProcessRunner, ROOT } from './runners.js';
import { type Failure, classReport, inProcessFailure } from './suite.js';

const SEED = 19;
const CASES = 2200;
/** The whole file stays under a minute: a run that needs longer (hangs cost 10 s each) fails and says so. */
const BUDGET_MS = 45_000;

/** Two worker threads (the machine's two cores), each taking every other case. */
const runners = [new InProcessRunner(), new InProcessRunner()];
afterAll(() => Promise.all(runners.map((r) => r.close())));

it(`${CASES} generated inputs, in-process: values with sound numbers or one-line SimErrors, each within 10 s`, async () => {
  expect(existsSync(`${ROOT}/dist/test/fuzz/inprocess-worker.js`), 'npm run build compiles the fuzz worker').toBe(true);
  const cases = fc.sample(anyCase, { seed: SEED, numRuns: CASES });
  const failures: Failure[] = [];
  const start = Date.now();
  let ran = 0;
  await Promise.all(runners.map(async (runner, lane) => {
    for (let i = lane; i < cases.length && Date.now() - start < BUDGET_MS; i += runners.length) {
      const f = await inProcessFailure(runner, cases[i]);
      if (f) failures.push(f);
      ran++;
    }
  }));
  expect({ ran, failures: classReport(failures).split('\n') }).toEqual({ ran: CASES, failures: [''] });
}, 90_000);

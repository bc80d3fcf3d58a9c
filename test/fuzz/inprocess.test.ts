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
/**
 * About 45 s on this project's 2-core machine while other work runs, when no case hangs; each hang adds its 10 s
 * (an open failure class). The limit leaves room for a full `npm test` sharing the cores: every case always runs.
 */
const LIMIT_MS = 180_000;

/** Two worker threads (the machine's two cores), each taking every other case. */
const runners = [new InProcessRunner(), new InProcessRunner()];
afterAll(() => Promise.all(runners.map((r) => r.close())));

it(`${CASES} generated inputs, in-process: values with sound numbers or one-line SimErrors, each within 10 s`, async () => {
  expect(existsSync(`${ROOT}/dist/test/fuzz/inprocess-worker.js`), 'npm run build compiles the fuzz worker').toBe(true);
  const cases = fc.sample(anyCase, { seed: SEED, numRuns: CASES });
  const failures: Failure[] = [];
  await Promise.all(runners.map(async (runner, lane) => {
    for (let i = lane; i < cases.length; i += runners.length) {
      const f = await inProcessFailure(runner, cases[i]);
      if (f) failures.push(f);
    }
  }));
  expect(classReport(failures).split('\n')).toEqual(['']);
}, LIMIT_MS);

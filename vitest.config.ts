import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['dist/**', 'node_modules/**', 'test/bench/**'],
    testTimeout: 60_000,
    // vitest's default is one worker fewer than the cores — one worker on a 2-core machine, which then sits in
    // spawnSync while one CLI child runs: most of the suite is such spawns, so a worker per core keeps both busy.
    maxWorkers: availableParallelism(),
    globalSetup: ['./test/global-setup.ts'],
    reporters: ['default', './test/summary-reporter.ts'],
  },
});

/**
 * The in-process side of the fuzz suite: a worker thread that makes, for each case, the library call the CLI makes
 * for its command line, and classifies the outcome (a value, a SimError, anything else). It runs in a worker so that
 * a hang or a heap blow-up is a reported failure (test/fuzz/runners.ts terminates it) instead of a frozen suite.
 * Compiled by tsc to dist/test/fuzz/inprocess-worker.js; it calls the compiled library in dist/sim.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { SimError } from '../../sim/base/errors.js';
import { simulate, trace } from '../../sim/api/simulate.js';
import { train } from '../../sim/api/train.js';
import { checkPrecisions } from '../../sim/api/check.js';
import { loadAnyModel, resolveModel } from '../../sim/load/model.js';
import { importModelFile } from '../../sim/load/import.js';
import { readInputsFile } from '../../sim/load/tensors.js';
import { summarize } from '../../sim/lower/summary.js';
import { runModel } from '../../sim/run/run-model.js';
import { loadSweepSpecFile } from '../../sim/sweep/spec.js';
import { sweep } from '../../sim/sweep/run.js';
import { mergeSweeps } from '../../sim/sweep/merge.js';
import { type CallName, type FuzzCase, inDir, writeCaseFiles } from './case.js';
import type { CallOutcome } from './oracle.js';

type Args = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- each call names its own fields

/** Each call: exactly what the CLI command calls, with the case's arguments. */
const CALL: Record<CallName, (a: Args) => unknown> = {
  simulate: (a) => simulate(a),
  trace: (a) => trace(a as Parameters<typeof trace>[0]),
  loadModel: (a) => summarize(loadAnyModel(resolveModel(a.model))),
  import: (a) => importModelFile(a.file, a).document,
  run: (a) => {
    const graph = loadAnyModel(resolveModel(a.model));
    const inputs = readInputsFile(a.input, graph.layers.filter((l) => l.kind === 'input').map((l) => l.name));
    return runModel({ graph, inputs, training: false, seed: 0 });
  },
  train: (a) => train(a as Parameters<typeof train>[0]),
  check: (a) => checkPrecisions(a),
  sweep: (a) => sweep(loadSweepSpecFile(a.spec), { jobs: 1, out: a.out }),
  merge: (a) => mergeSweeps(a.dirs, a.out).records,
};

async function runCase(c: FuzzCase): Promise<CallOutcome> {
  const dir = mkdtempSync(join(tmpdir(), 'systolab-fuzz-'));
  const start = performance.now();
  const ms = (): number => Math.round(performance.now() - start);
  try {
    writeCaseFiles(c, dir);
    if (c.call === undefined) return { kind: 'ok', value: undefined, ms: ms() };
    const value = await CALL[c.call.fn](inDir(c.call.args, dir) as Args);
    return { kind: 'ok', value, ms: ms() };
  } catch (e) {
    if (e instanceof SimError) return { kind: 'simError', code: e.code, message: e.message, ms: ms() };
    const err = e instanceof Error ? e : new Error(String(e));
    return { kind: 'error', name: err.name, message: err.message, ms: ms() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

parentPort?.on('message', (c: FuzzCase) => {
  void runCase(c).then((o) => {
    try {
      parentPort?.postMessage(o);
    } catch {
      // The value does not clone (a function, a huge buffer): judge what can be judged.
      parentPort?.postMessage(o.kind === 'ok' ? { ...o, value: JSON.parse(JSON.stringify(o.value) ?? 'null') } : o);
    }
  });
});

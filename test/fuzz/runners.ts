/**
 * Runs fuzz cases: in-process (the library calls, in a worker thread that is terminated after the time limit or when
 * its heap blows up) and through the bundled CLI (a child process per case, killed after the time limit). Both give
 * the outcome the oracle (oracle.ts) judges. Works from test/fuzz (vitest) and from dist/test/fuzz (the campaign).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type FuzzCase, writeCaseFiles } from './case.js';
import { CASE_LIMIT_MS, type CallOutcome, type CliOutcome } from './oracle.js';

/** The repository: the first folder above this file holding package.json (from test/fuzz or dist/test/fuzz). */
export const ROOT = ((): string => {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, 'package.json'))) dir = join(dir, '..');
  return dir;
})();
export const CLI = join(ROOT, 'dist', 'systolab.cjs');
const WORKER = join(ROOT, 'dist', 'test', 'fuzz', 'inprocess-worker.js');

/** Heap of one case (MB): a blow-up beyond it is a failure, not a machine brought to its knees. */
export const HEAP_LIMIT_MB = 1536;

/** One worker thread, reused across cases; replaced after a timeout or a crash. */
export class InProcessRunner {
  private worker: Worker | undefined;

  private spawn(): Worker {
    if (this.worker === undefined) {
      this.worker = new Worker(WORKER, { resourceLimits: { maxOldGenerationSizeMb: HEAP_LIMIT_MB }, stdout: true, stderr: true });
      this.worker.stdout.resume(); // what a library call prints is not judged in-process (the CLI cases judge output)
      this.worker.stderr.resume();
    }
    return this.worker;
  }

  run(c: FuzzCase): Promise<CallOutcome> {
    const worker = this.spawn();
    const start = performance.now();
    const ms = (): number => Math.round(performance.now() - start);
    return new Promise((done) => {
      const finish = (o: CallOutcome, dead: boolean): void => {
        clearTimeout(timer);
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        if (dead) {
          void worker.terminate();
          this.worker = undefined;
        }
        done(o);
      };
      const onMessage = (o: CallOutcome): void => finish(o, false);
      const onError = (e: Error): void => finish({ kind: 'crash', message: `${e.name}: ${e.message}`, ms: ms() }, true);
      const onExit = (code: number): void => finish({ kind: 'crash', message: `worker exited with ${code}`, ms: ms() }, true);
      const timer = setTimeout(() => finish({ kind: 'timeout', ms: ms() }, true), CASE_LIMIT_MS);
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
      worker.postMessage(c);
    });
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
    this.worker = undefined;
  }
}

function listFiles(dir: string, root = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path, root) : [relative(root, path)];
  });
}

/** Runs the case's command line with the bundled CLI in `dir` (a fresh temp folder by default), killed at the limit. */
export function runCli(c: FuzzCase, dir = mkdtempSync(join(tmpdir(), 'systolab-fuzz-cli-')), keep = false): Promise<CliOutcome> {
  writeCaseFiles(c, dir);
  const start = performance.now();
  const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_LIMIT_MB}`, CLI, ...c.argv], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  const timer = setTimeout(() => child.kill('SIGKILL'), CASE_LIMIT_MS + 500);
  return new Promise((done) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const outcome: CliOutcome = {
        code, signal, ms: Math.round(performance.now() - start),
        stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), files: listFiles(dir),
      };
      if (!keep) rmSync(dir, { recursive: true, force: true });
      done(outcome);
    });
  });
}

/** Runs `f` over `items` with at most `n` in flight, results in order. */
export async function mapLimit<T, R>(items: readonly T[], n: number, f: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await f(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, lane));
  return results;
}

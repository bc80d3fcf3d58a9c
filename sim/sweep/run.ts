/**
 * Running a sweep: validate everything first (nothing is written for bad input), then evaluate the points on worker
 * threads (piscina) and append each finished point's line to DIR/results.jsonl; at the end write results.csv,
 * summary.json and summary.txt (atomically: temp file + rename) and run.json (run metadata: times, jobs, version).
 *
 * Atomicity: only this (main) thread writes. Workers return finished lines; each batch is appended with one
 * write(2) of complete, newline-terminated lines to a file opened with O_APPEND, so a SIGINT/SIGKILL leaves whole
 * lines only (a crash inside write(2) itself could at worst leave a trailing fragment; `--resume` truncates one if it
 * is ever found). `--resume` skips the points whose id is already in results.jsonl; since a line depends only on its
 * point, the resumed file holds exactly the lines of an uninterrupted run. Lines are appended in completion order; once
 * every point is done, results.jsonl is rewritten (atomically) in the canonical order merge writes, so a complete
 * folder's bytes depend only on its grid.
 */
import { removeStaleTemps, writeError, writeFileAtomic } from '../base/files.js';
import { closeSync, existsSync, fstatSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SimError } from '../base/errors.js';
import type { HwConfig } from '../arch/types.js';
import { loadHwConfig } from '../load/hw.js';
import type { LayerGraph } from '../ir/types.js';

import { Evaluator, canonicalModel, pointErrorToException } from './evaluate.js';
import { type OutLock, lockOut } from './lock.js';
import { type SweepRecord, type SweepSummary, canonicalLines, parseRecordLine, sortRecords, summarize } from './record.js';
import { previousRunNote, readResultsFile, writeTables } from './results-file.js';
import {
  DEFAULT_SWEEP_HW, type Point, type Shard, type SweepSpec, expandGrid, gridHash, parseShard, parseSweepSpec, shardOf, sweepName,
} from './spec.js';
import { EVALUATIONS, type Evaluation, groupedByPlan } from './totals-only.js';
import type { SweepTask, SweepTaskResult } from './worker.js';

export interface SweepOptions {
  /** Worker threads [default: 1 for the totals-only evaluation, all cores for the full one]; 1 evaluates here. */
  readonly jobs?: number;
  /** `i/N` or { index, count }: run only that deterministic slice of the grid. */
  readonly shard?: Shard | string;
  /** Write results.jsonl, results.csv, summary and run.json into this folder; without it nothing is written. */
  readonly out?: string;
  /** Skip the points already in out/results.jsonl. Without it, an out folder that holds results is an error. */
  readonly resume?: boolean;
  /** Stop scheduling points (in-flight batches finish and are written). */
  readonly signal?: AbortSignal;
  /** Called after each finished batch: points done (resumed ones included) of the total. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Tool version recorded in run.json [default "library"]. */
  readonly version?: string;
  /** The spec file's name, for run.json and the default folder name. */
  readonly specFile?: string;
  /** Extra run metadata for run.json (e.g. the command line). */
  readonly meta?: Readonly<Record<string, unknown>>;
  /** The out folder's lock when the caller took it already (`lockOut(out)`); released when the sweep ends. */
  readonly lock?: OutLock;
  /**
   * How points are evaluated [default totals-only, or $SYSTOLAB_SWEEP_EVALUATION]: the same lines either way
   * (totals-only.ts); `full` builds every point's whole cost report, to time or cross-check the fast path.
   */
  readonly evaluation?: Evaluation;
}

export interface SweepPlan {
  readonly spec: SweepSpec;
  readonly base: HwConfig;
  readonly graphs: ReadonlyMap<string, LayerGraph>;
  /** Every point of the grid, canonical order. */
  readonly grid: readonly Point[];
  readonly gridHash: string;
  /** This shard's points. */
  readonly points: readonly Point[];
  readonly shard?: Shard;
  readonly jobs: number;
  readonly evaluation: Evaluation;
  readonly out?: string;
  /** Ids already in out/results.jsonl (resume). */
  readonly finished: ReadonlySet<string>;
  /** Bytes of a trailing partial line to cut from results.jsonl before appending (resume). */
  readonly truncateTo?: number;
  /** Continue the results already in `out` (re-read once the folder's lock is held). */
  readonly resume?: boolean;
  /** What the folder's previous run left, when it matters ("run.json says running but …: interrupted"). */
  readonly previous?: string;
}

export interface SweepOutcome {
  readonly plan: SweepPlan;
  /** Every record in the result set (resumed ones included), `sortRecords` order. */
  readonly records: SweepRecord[];
  /** The records' summary, when the sweep wrote its tables (with `out`, not interrupted): summarize(records). */
  readonly summary?: SweepSummary;
  /** Points evaluated in this run. */
  readonly evaluated: number;
  readonly interrupted: boolean;
  readonly seconds: number;
}

/** The default output folder: reports/sweep-NAME-GRIDHASH[-shardIofN], the same for the same grid (so --resume finds it). */
export function defaultSweepOut(spec: SweepSpec, hash: string, shard: Shard | undefined, specFile?: string): string {
  return join('reports', `sweep-${sweepName(spec, specFile)}-${hash.slice(0, 8)}${shard ? `-shard${shard.index}of${shard.count}` : ''}`);
}

function checkJobs(jobs: unknown): number {
  if (typeof jobs !== 'number' || !Number.isInteger(jobs) || jobs < 1) {
    throw new SimError('must be an integer ≥ 1', { code: 'badValue', path: '--jobs', value: jobs, hint: `Example: --jobs 4 (this machine has ${availableParallelism()} cores).` });
  }
  return jobs;
}

function evaluationOf(v: unknown): Evaluation {
  if (v === undefined || v === '') return 'totals-only';
  if (typeof v !== 'string' || !(EVALUATIONS as readonly string[]).includes(v)) {
    throw new SimError('is not an evaluation path', { code: 'badValue', path: 'SYSTOLAB_SWEEP_EVALUATION', value: v, hint: `Allowed: ${EVALUATIONS.join(', ')} (default totals-only).` });
  }
  return v as Evaluation;
}

/** Validates the spec and options, loads the base config and every model, expands the grid. Writes nothing. */
export function planSweep(specIn: SweepSpec, options: SweepOptions = {}): SweepPlan {
  const spec = parseSweepSpec(specIn as unknown as Record<string, unknown>);
  const evaluation = evaluationOf(options.evaluation ?? process.env.SYSTOLAB_SWEEP_EVALUATION);
  // Default: totals-only points cost ~0.1 ms, so worker threads' start-up (a bundle, the models lowered again, plans
  // built per thread) outweighs them on 2 cores (test/bench/sweep.ts: 20,000 points 10.5 s on the main thread, 12.5 s
  // on 2 workers); the full path's ~3 ms points gain from every core (59 s → 32 s).
  const jobs = checkJobs(options.jobs ?? (evaluation === 'full' ? availableParallelism() : 1));
  const shard = typeof options.shard === 'string' ? parseShard(options.shard) : options.shard;
  if (shard !== undefined) parseShard(`${shard.index}/${shard.count}`);
  const base = loadHwConfig(spec.hw ?? DEFAULT_SWEEP_HW);
  const graphs = new Map<string, LayerGraph>();
  const models: string[] = [];
  const evaluator = new Evaluator('plan');
  for (const m of spec.models) {
    const name = canonicalModel(m);
    if (!graphs.has(name)) graphs.set(name, evaluator.graph(name));
    if (!models.includes(name)) models.push(name);
  }
  const grid = expandGrid(spec, base, models);
  const hash = gridHash(grid);
  const points = shardOf(grid, shard);
  const plan: SweepPlan = { spec, base, graphs, grid, gridHash: hash, points, ...(shard ? { shard } : {}), jobs, evaluation, finished: new Set() };
  return options.out !== undefined ? withOut(plan, options.out, options.resume === true) : plan;
}

/** The plan writing into `out`: checks the folder (results there need `resume`) and reads the finished points. */
export function withOut(plan: SweepPlan, out: string, resume: boolean): SweepPlan {
  let finished = new Set<string>();
  let truncateTo: number | undefined;
  const file = join(out, 'results.jsonl');
  if (existsSync(file)) {
    const r = readResultsFile(file);
    if (r.totalBytes > 0 && !resume) {
      throw new SimError('already holds sweep results', {
        code: 'exists', file, hint: 'Add --resume to continue that sweep (finished points are skipped), or choose another --out.',
      });
    }
    finished = new Set(r.records.map((rec) => rec.id));
    if (r.completeBytes < r.totalBytes) truncateTo = r.completeBytes;
  }
  const previous = previousRunNote(out);
  return { ...plan, out, finished, resume, ...(truncateTo !== undefined ? { truncateTo } : {}), ...(previous ? { previous } : {}) };
}

/**
 * The worker thread's file, beside this module: dist/sweep-worker.mjs beside the CLI's bundle (dist/cli.cjs), or
 * dist/sim/sweep/worker.js when run from tsc's output (the library).
 */
function workerFile(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  return [join(here, 'sweep-worker.mjs'), join(here, 'worker.js')].find((f) => existsSync(f));
}

function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text, 'utf8');
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}

/**
 * Runs a planned sweep. With `out`, the folder's lock is held throughout (a second sweep there is refused), the
 * finished points are read again under it, and run.json ends "complete", "interrupted" or "failed" on every exit
 * this process sees (a SIGKILL it cannot see: lock.ts `effectiveStatus` reads that run.json as interrupted).
 */
export async function executeSweep(planned: SweepPlan, options: SweepOptions = {}): Promise<SweepOutcome> {
  if (planned.out === undefined) return runPoints(planned, options);
  const lock = options.lock ?? lockOut(planned.out);
  try {
    removeStaleTemps(planned.out);
    return await runPoints(withOut(planned, planned.out, planned.resume === true), options);
  } finally {
    lock.release();
  }
}

async function runPoints(plan: SweepPlan, options: SweepOptions): Promise<SweepOutcome> {
  const t0 = performance.now();
  const version = options.version ?? 'library';
  const evaluation = plan.evaluation;
  // Evaluated, and so written, grouped by totals plan (totals-only.ts groupedByPlan), canonical order within a group.
  const todo = groupedByPlan(plan.points.filter((p) => !plan.finished.has(p.id)));
  const total = plan.points.length;
  let done = total - todo.length;
  const lines: string[] = [];
  // The records of the lines written, when they are evaluated on this thread (worker threads send lines only).
  const made: SweepRecord[] = [];
  let fd: number | undefined;
  let startBytes = 0;
  const startedAt = new Date().toISOString();
  const runMeta = (status: string, evaluated: number, error?: string) => ({
    tool: { name: 'systolab', version }, status, startedAt, ...(status !== 'running' ? { finishedAt: new Date().toISOString(), seconds: (performance.now() - t0) / 1e3 } : {}),
    ...(options.specFile !== undefined ? { specFile: options.specFile } : {}), spec: plan.spec,
    gridPoints: plan.grid.length, gridHash: plan.gridHash, ...(plan.shard ? { shard: `${plan.shard.index}/${plan.shard.count}` } : {}),
    points: total, resumed: total - todo.length, evaluated, jobs: plan.jobs, evaluation, ...(error !== undefined ? { error } : {}), ...(options.meta ?? {}),
  });
  const results = plan.out !== undefined ? join(plan.out, 'results.jsonl') : undefined;
  const writeRun = (status: string, error?: string) => {
    if (plan.out !== undefined) writeFileAtomic(join(plan.out, 'run.json'), `${JSON.stringify(runMeta(status, lines.length, error), null, 1)}\n`);
  };
  // process.exit() mid-run (a second Ctrl-C) skips the finally blocks: say "interrupted" on the way out.
  const onExit = () => writeRun('interrupted');
  if (results !== undefined) writeRun('running');
  const accept = (batch: readonly string[]) => {
    if (batch.length === 0) return;
    if (fd !== undefined) {
      try {
        writeAll(fd, `${batch.join('\n')}\n`);
      } catch (e) {
        throw writeError(e, results!);
      }
    }
    for (const l of batch) lines.push(l);
    done += batch.length;
    options.onProgress?.(done, total);
  };
  const aborted = () => options.signal?.aborted === true;
  options.onProgress?.(done, total);
  let failure: Error | undefined;
  try {
    if (results !== undefined) {
      try {
        fd = openSync(results, 'a');
        if (plan.truncateTo !== undefined) ftruncateSync(fd, plan.truncateTo);
        startBytes = fstatSync(fd).size;
      } catch (e) {
        throw writeError(e, results);
      }
      process.on('exit', onExit);
    }
    const file = plan.jobs > 1 && todo.length > 1 ? workerFile() : undefined;
    const jobs = Math.min(plan.jobs, todo.length);
    // Batches of ~1/16 of a worker's share (at most 256 points, ~20 ms): few messages, frequent lines and progress.
    const size = Math.max(1, Math.min(256, Math.ceil(todo.length / (Math.max(1, jobs) * 16))));
    const batches: Point[][] = [];
    for (let i = 0; i < todo.length; i += size) batches.push(todo.slice(i, i + size));
    if (file === undefined) {
      const evaluator = new Evaluator(version, plan.graphs, evaluation);
      for (const batch of batches) {
        if (aborted()) break;
        const r = evaluator.lines(batch, plan.base, made);
        accept(r.lines);
        if (r.error) throw pointErrorToException(r.error);
        await new Promise((resolve) => setImmediate(resolve)); // let signals and timers in
      }
    } else {
      const { Piscina } = await import('piscina');
      const pool = new Piscina<SweepTask, SweepTaskResult>({ filename: file, minThreads: jobs, maxThreads: jobs, idleTimeout: 1000 });
      let next = 0;
      const lane = async () => {
        while (!aborted() && failure === undefined && next < batches.length) {
          const batch = batches[next++];
          const r = await pool.run({ version, base: plan.base, points: batch, evaluation });
          accept(r.lines);
          if (r.error && failure === undefined) failure = pointErrorToException(r.error);
        }
      };
      try {
        await Promise.all(Array.from({ length: jobs * 2 }, lane));
      } finally {
        await pool.destroy();
      }
      if (failure) throw failure;
    }
  } catch (e) {
    process.off('exit', onExit);
    // The first line of what went wrong (a SimError is one line already; a file-system error names its call).
    try {
      writeRun('failed', (e instanceof Error ? e.message : String(e)).split('\n')[0]);
    } catch {
      // run.json cannot be written either (a full disk): the first error is the one to report
    }
    throw e;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  process.off('exit', onExit);
  const interrupted = aborted() && done < total;
  // The records: results.jsonl's (the source of truth), except where this run wrote the whole file (no earlier lines):
  // then they are the lines just written — this thread's records (JSON.parse(recordLine(r)) equals r: finite numbers,
  // fixed keys), else the lines parsed.
  const wroteAll = plan.finished.size === 0 && (plan.truncateTo ?? 0) === 0 && startBytes === 0;
  const ours = () => (made.length === lines.length ? made : lines.map((l) => parseRecordLine(l)!));
  let records: SweepRecord[];
  let summary: SweepSummary | undefined;
  if (plan.out !== undefined) {
    const set = wroteAll ? { lines, records: ours() } : readResultsFile(results!);
    records = sortRecords(set.records);
    if (!interrupted) {
      // A complete result set is rewritten in the canonical order (record.ts compareRecords), the order merge writes:
      // the same grid gives the same bytes, however it was run (threads, shards, resumed).
      writeFileAtomic(results!, canonicalLines(set.lines, set.records));
      writeTables(plan.out, records, (summary = summarize(records)));
    }
    writeRun(interrupted ? 'interrupted' : 'complete');
  } else {
    records = sortRecords(ours());
  }
  return { plan, records, ...(summary ? { summary } : {}), evaluated: lines.length, interrupted, seconds: (performance.now() - t0) / 1e3 };
}

/**
 * The library entry: every record of the sweep (this shard's, when `shard` is given), in `sortRecords` order.
 * With `out`, also writes the result files (and resumes with `resume`).
 *
 *   const records = await sweep({ models: ['mobilenet-v2'], arrays: ['16x16', '32x32'], dataflows: ['os', 'ws'] });
 */
export async function sweep(spec: SweepSpec, options: SweepOptions = {}): Promise<SweepRecord[]> {
  return (await executeSweep(planSweep(spec, options), options)).records;
}

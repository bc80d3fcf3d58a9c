/**
 * A sweep as a Slurm job, on disk and in the queue (the edge): DIR/slurm/{job.json, sweep.sbatch, merge.sbatch, logs/},
 * DIR/shards/i (one sweep folder per task), and DIR itself for the merged result. Writes the scripts, submits them
 * (sbatch), and gathers what `slurm-status` reports (the shard folders, squeue, the merged folder's run.json).
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { SimError } from '../base/errors.js';
import { makeFolder, writeFileAtomic } from '../base/files.js';
import {
  SLURM_FILES, type SlurmJob, checkPartition, checkTime, mergeScript, sweepScript, taskCount,
} from './slurm-script.js';
import { type MergedState, SQUEUE_FORMAT, type ShardState, type SlurmRecord, type StatusReport, parseSqueue, slurmStatus } from './slurm-status.js';

/** What `sweep --slurm` knows before the job exists. */
export interface SlurmRequest {
  readonly out: string;
  readonly sweepArgs: readonly string[];
  readonly name: string;
  readonly gridPoints: number;
  readonly gridHash: string;
  readonly tasks?: unknown;
  readonly cpusPerTask?: unknown;
  readonly partition?: unknown;
  readonly time?: unknown;
  readonly version: string;
}

const realOrSelf = (p: string): string => {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
};

/** `systolab` on PATH, if there is one that can be run. */
function onPath(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const f = join(dir, name);
    try {
      accessSync(f, constants.X_OK);
      return f;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * How the tasks run Systolab: `systolab` when the `systolab` on PATH is this very program (a global install),
 * else this Node and this bundle (`node <checkout>/dist/systolab.cjs`, a shared checkout), by absolute paths.
 */
export function systolabInvocation(script = process.argv[1] ?? '', path = process.env.PATH): string[] {
  const self = realOrSelf(resolve(script));
  const found = onPath('systolab', path);
  return found !== undefined && realOrSelf(found) === self ? ['systolab'] : [process.execPath, self];
}

/** The job, its options checked (one-line errors naming the flag). */
export function slurmJobOf(req: SlurmRequest): SlurmJob {
  const cpus = req.cpusPerTask ?? 1;
  if (typeof cpus !== 'number' || !Number.isInteger(cpus) || cpus < 1) {
    throw new SimError('must be an integer ≥ 1', { code: 'badValue', path: '--jobs', value: cpus, hint: 'With --slurm, --jobs is the cores (and threads) of each task, e.g. --jobs 2.' });
  }
  const partition = checkPartition(req.partition), time = checkTime(req.time);
  return {
    dir: resolve(req.out), cwd: process.cwd(), systolab: systolabInvocation(), sweepArgs: [...req.sweepArgs], name: req.name,
    tasks: taskCount(req.tasks, req.gridPoints), gridPoints: req.gridPoints, gridHash: req.gridHash, cpusPerTask: cpus,
    ...(partition !== undefined ? { partition } : {}), ...(time !== undefined ? { time } : {}), version: req.version,
  };
}

interface JobFile extends SlurmJob {
  readonly submissions?: readonly { arrayJobId: number; mergeJobId: number; at: string }[];
}

function readJobFile(dir: string): JobFile | undefined {
  const file = join(dir, SLURM_FILES.job);
  if (!existsSync(file)) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new SimError('is not a Slurm job file (not JSON)', { code: 'malformed', file, hint: 'systolab sweep --slurm writes it; write it again with the same command.' });
  }
  const j = v as Partial<JobFile>;
  const ok = typeof j.dir === 'string' && typeof j.cwd === 'string' && Array.isArray(j.systolab) && Array.isArray(j.sweepArgs) && typeof j.name === 'string'
    && Number.isInteger(j.tasks) && Number.isInteger(j.gridPoints) && typeof j.gridHash === 'string' && Number.isInteger(j.cpusPerTask);
  if (!ok) throw new SimError('is not a Slurm job file (fields missing)', { code: 'malformed', file, hint: 'systolab sweep --slurm writes it; write it again with the same command.' });
  return j as JobFile;
}

/** The job of a folder `sweep --slurm` wrote. */
export function readSlurmJob(dir: string): SlurmJob {
  const job = readJobFile(dir);
  if (job === undefined) {
    throw new SimError('is not a Slurm sweep folder (no slurm/job.json)', { code: 'missingFile', file: dir, hint: 'systolab sweep … --slurm --out DIR writes one.' });
  }
  // The folder may have moved (a copy on another machine): its own paths are where it is now.
  return { ...job, dir: resolve(dir) };
}

/**
 * Writes DIR/slurm/{job.json, sweep.sbatch, merge.sbatch} and the logs and shards folders. Writing the same grid again
 * rewrites the scripts (the shards are kept: the tasks resume them); a folder of another grid, of a plain sweep, or
 * with shards of another task count is refused.
 */
export function writeSlurmJob(job: SlurmJob): { sweep: string; merge: string; files: { sweep: string; merge: string } } {
  const prev = readJobFile(job.dir);
  if (prev !== undefined && prev.gridHash !== job.gridHash) {
    throw new SimError(`holds a Slurm sweep of another grid (${prev.gridHash.slice(0, 8)}, ${prev.gridPoints} points)`, {
      code: 'exists', file: job.dir, hint: 'Choose another --out for this grid.',
    });
  }
  if (prev === undefined && existsSync(join(job.dir, 'results.jsonl'))) {
    throw new SimError('already holds sweep results', { code: 'exists', file: job.dir, hint: 'Choose another --out for the Slurm job (its shards and merged result go there).' });
  }
  const shardsDir = join(job.dir, SLURM_FILES.shards);
  if (prev !== undefined && prev.tasks !== job.tasks && existsSync(shardsDir) && readdirSync(shardsDir).length > 0) {
    throw new SimError(`has shards of ${prev.tasks} task(s); --slurm-tasks ${job.tasks} would slice the grid differently`, {
      code: 'exists', file: job.dir, hint: `Use --slurm-tasks ${prev.tasks} to continue it, or another --out.`,
    });
  }
  const sweep = sweepScript(job), merge = mergeScript(job);
  const files = { sweep: join(job.dir, SLURM_FILES.sweepScript), merge: join(job.dir, SLURM_FILES.mergeScript) };
  makeFolder(join(job.dir, SLURM_FILES.logs));
  makeFolder(shardsDir);
  writeFileAtomic(files.sweep, sweep);
  writeFileAtomic(files.merge, merge);
  writeFileAtomic(join(job.dir, SLURM_FILES.job), `${JSON.stringify({ ...job, ...(prev?.submissions ? { submissions: prev.submissions } : {}) }, null, 1)}\n`);
  return { sweep, merge, files };
}

/** Runs sbatch --parsable with `args`: the job id. sbatch missing or refusing the job is a one-line error. */
function sbatch(args: readonly string[]): number {
  let out: string;
  try {
    out = execFileSync('sbatch', ['--parsable', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') {
      throw new SimError('sbatch not found: this machine is not a Slurm login node', {
        code: 'missingTool', path: '--submit', hint: 'Run the command on the cluster (module load slurm, if it is a module), or copy the folder there and submit the printed line.',
      });
    }
    const why = (err.stderr ?? String(e)).split('\n').find((l) => l.trim() !== '') ?? 'no message';
    throw new SimError(`sbatch refused the job: ${why.trim()}`, { code: 'submitRejected', path: '--submit', hint: 'Check --partition and --time against sinfo (and your cluster\'s limits).' });
  }
  const id = Number(out.trim().split(';')[0]);
  if (!Number.isInteger(id) || id <= 0) throw new SimError(`sbatch printed no job id (${JSON.stringify(out.trim())})`, { code: 'submitRejected', path: '--submit' });
  return id;
}

/** Submits the array, then the merge with afterok on it; records both in job.json. */
export function submitSlurmJob(job: SlurmJob): { arrayJobId: number; mergeJobId: number } {
  const arrayJobId = sbatch([join(job.dir, SLURM_FILES.sweepScript)]);
  const mergeJobId = sbatch([`--dependency=afterok:${arrayJobId}`, join(job.dir, SLURM_FILES.mergeScript)]);
  const prev = readJobFile(job.dir);
  const submissions = [...(prev?.submissions ?? []), { arrayJobId, mergeJobId, at: new Date().toISOString() }];
  writeFileAtomic(join(job.dir, SLURM_FILES.job), `${JSON.stringify({ ...(prev ?? job), submissions }, null, 1)}\n`);
  return { arrayJobId, mergeJobId };
}

function readRunJson(dir: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Shard i's folder: its complete lines (newlines counted, not parsed) and run.json's status. */
function shardState(dir: string): ShardState | undefined {
  if (!existsSync(dir)) return undefined;
  let lines = 0;
  try {
    const buf = readFileSync(join(dir, 'results.jsonl'));
    for (let i = buf.indexOf(0x0a); i !== -1; i = buf.indexOf(0x0a, i + 1)) lines++;
  } catch {
    // no results yet
  }
  const run = readRunJson(dir);
  return {
    lines,
    ...(typeof run?.status === 'string' ? { status: run.status } : {}),
    ...(typeof run?.gridHash === 'string' ? { gridHash: run.gridHash } : {}),
    ...(typeof run?.points === 'number' ? { points: run.points } : {}),
    ...(typeof run?.error === 'string' ? { error: run.error } : {}),
  };
}

/** This user's jobs that the controller still holds (every state), or undefined when squeue cannot be run. */
function queue(): SlurmRecord[] | undefined {
  try {
    return parseSqueue(execFileSync('squeue', ['--me', '--states=all', '--array', '--noheader', `--format=${SQUEUE_FORMAT}`], {
      encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024,
    }));
  } catch {
    return undefined;
  }
}

/** What `systolab slurm-status DIR` reports. */
export function slurmStatusOf(dir: string): StatusReport {
  const job = readSlurmJob(dir);
  const shards = Array.from({ length: job.tasks }, (_, i) => shardState(join(job.dir, SLURM_FILES.shards, String(i + 1))));
  const run = readRunJson(job.dir);
  const merged: MergedState | undefined = run?.status === 'merged' && typeof run.points === 'number'
    ? { points: run.points, ...(typeof run.gridHash === 'string' ? { gridHash: run.gridHash } : {}) } : undefined;
  // Run inside the merge job (its last step), the merge job itself is running: it is not something to wait for.
  const self = Number(process.env.SLURM_JOB_ID);
  return slurmStatus(job, shards, queue()?.filter((r) => r.jobId !== self), merged);
}


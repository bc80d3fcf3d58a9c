/**
 * One sweep per output folder: `sweep` holds DIR/sweep.lock (created with O_EXCL, holding its pid and host) while it
 * writes, and a second sweep or merge on the same folder is refused. A lock whose pid no longer runs on this host is
 * stale (the sweep was killed): it is taken over, and said so. Under Slurm the lock also names the job and its restart
 * count: a lock left by an earlier run of the same job (requeued or preempted, perhaps on another node) is stale too,
 * since Slurm runs one instance of a job at a time. Also what a run.json that still says "running" means.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { SimError } from '../base/errors.js';
import { makeFolder, pidAlive, writeError } from '../base/files.js';

export const LOCK_FILE = 'sweep.lock';

export interface LockInfo {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
  /** $SLURM_JOB_ID and $SLURM_RESTART_COUNT of the holder, when it ran as a Slurm job. */
  readonly slurmJob?: string;
  readonly slurmRestart?: number;
}

export interface OutLock {
  readonly file: string;
  /** The killed sweep whose stale lock was taken over. */
  readonly tookOver?: LockInfo;
  /** Deletes the lock (once; later calls do nothing). */
  release(): void;
}

/** The lock file's holder, or undefined when there is no lock (or it is not one of ours). */
export function readLock(dir: string): LockInfo | undefined {
  try {
    const v = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as Partial<LockInfo>;
    if (typeof v.pid !== 'number' || typeof v.host !== 'string') return undefined;
    return {
      pid: v.pid, host: v.host, startedAt: String(v.startedAt),
      ...(typeof v.slurmJob === 'string' ? { slurmJob: v.slurmJob, slurmRestart: typeof v.slurmRestart === 'number' ? v.slurmRestart : 0 } : {}),
    };
  } catch {
    return undefined;
  }
}

/** This process's Slurm job and restart count ($SLURM_JOB_ID, $SLURM_RESTART_COUNT), outside Slurm undefined. */
function slurmRun(env: NodeJS.ProcessEnv = process.env): { slurmJob: string; slurmRestart: number } | undefined {
  const job = env.SLURM_JOB_ID;
  if (job === undefined || job === '') return undefined;
  const restart = Number(env.SLURM_RESTART_COUNT ?? 0);
  return { slurmJob: job, slurmRestart: Number.isInteger(restart) && restart >= 0 ? restart : 0 };
}

/**
 * Whether the holder still runs: an earlier run of this very Slurm job does not (Slurm requeued it: one run at a time);
 * on this host, its pid is alive; on another host it cannot be told, so it counts as alive.
 */
export function holderAlive(info: LockInfo, env: NodeJS.ProcessEnv = process.env): boolean {
  const me = slurmRun(env);
  if (me !== undefined && info.slurmJob === me.slurmJob && (info.slurmRestart ?? 0) < me.slurmRestart) return false;
  return info.host !== hostname() || pidAlive(info.pid);
}

/** Takes DIR's lock (sweep and merge do), creating DIR. Refused (SimError `busy`, exit 2) while another live sweep holds it. */
export function lockOut(dir: string): OutLock {
  makeFolder(dir);
  const file = join(dir, LOCK_FILE);
  const info: LockInfo = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), ...(slurmRun() ?? {}) };
  let tookOver: LockInfo | undefined;
  for (let attempt = 0; ; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw attempt > 0 ? busy(file, readLock(dir)) : writeError(e, file);
      const holder = readLock(dir);
      if (holder === undefined || holderAlive(holder)) throw busy(file, holder);
      tookOver = holder;
      rmSync(file, { force: true });
      continue;
    }
    writeSync(fd, `${JSON.stringify(info)}\n`);
    closeSync(fd);
    break;
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    if (readLock(dir)?.pid === process.pid) rmSync(file, { force: true });
  };
  process.on('exit', release); // process.exit() (a second Ctrl-C) still frees the folder
  return { file, ...(tookOver ? { tookOver } : {}), release };
}

function busy(file: string, holder: LockInfo | undefined): SimError {
  const who = holder ? `another sweep or merge (pid ${holder.pid} on ${holder.host}, since ${holder.startedAt})` : 'another sweep or merge';
  return new SimError(`is held by ${who}`, {
    code: 'busy', file, hint: 'Wait for it to finish or choose another --out; if no sweep is running there, delete the lock file.',
  });
}

/**
 * What a folder's run.json status means now: "running" with no live lock holder is a sweep that was killed
 * (SIGKILL, power loss) before it could say so: it counts as interrupted.
 */
export function effectiveStatus(dir: string, status: unknown): { status: string; note?: string } {
  if (status !== 'running') return { status: typeof status === 'string' ? status : 'unknown' };
  const found = readLock(dir);
  // This process's own lock (it just took the folder over) says nothing about the run that wrote run.json.
  const holder = found?.pid === process.pid && found.host === hostname() ? undefined : found;
  if (holder !== undefined && holderAlive(holder)) return { status: 'running', note: `a sweep (pid ${holder.pid}) is still writing ${dir}` };
  return {
    status: 'interrupted',
    note: `run.json says "running" but no sweep holds ${dir} any more: that sweep was killed, so it counts as interrupted`,
  };
}

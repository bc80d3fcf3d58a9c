/**
 * What `systolab slurm-status DIR` says (pure): each task's state from its shard folder (a complete shard is done,
 * whatever Slurm says) and from squeue (pending, running, or how it ended), the merge's state, and — for tasks that
 * did not finish — the commands that rerun only them and merge again. cluster/slurm.ts gathers the inputs. Many
 * small clusters have no accounting database (no sacct), so Slurm's side is what the controller still holds: a
 * finished job is forgotten after MinJobAge (300 s by default), and a shard that is not complete and that Slurm no
 * longer knows counts as not finished.
 */
import { SLURM_FILES, type SlurmJob, jobName, shardPoints, shellQuote } from './slurm-script.js';

/** One line of `squeue --states=all -r -o SQUEUE_FORMAT`: a job, or one array task. */
export interface SlurmRecord {
  readonly jobId: number;
  /** The array's job id and this task's id (absent for a job that is not an array). */
  readonly arrayJobId?: number;
  readonly arrayTask?: number;
  readonly state: string;
  readonly reason?: string;
  readonly nodes?: string;
  readonly name: string;
  /** The batch script's path, as it was given to sbatch (relative to where sbatch ran, if it was relative). */
  readonly command: string;
}

/** squeue's output format: job id, array job id, array task id, state, reason, nodes, job name, command (last: a path). */
export const SQUEUE_FORMAT = '%A|%F|%K|%T|%r|%N|%j|%o';

/** squeue output in SQUEUE_FORMAT → records. Lines that are not one are skipped. */
export function parseSqueue(text: string): SlurmRecord[] {
  const out: SlurmRecord[] = [];
  for (const line of text.split('\n')) {
    const f = line.split('|');
    if (f.length < 8) continue;
    const [id, array, task, state, reason, nodes, name] = f;
    const command = f.slice(7).join('|');
    const jobId = Number(id), arrayJobId = Number(array), arrayTask = Number(task);
    if (!Number.isInteger(jobId) || jobId <= 0 || !/^[A-Z_]+$/.test(state)) continue;
    out.push({
      jobId, state, name, command,
      ...(Number.isInteger(arrayTask) && arrayTask >= 0 && Number.isInteger(arrayJobId) ? { arrayJobId, arrayTask } : {}),
      ...(reason && reason !== 'None' ? { reason } : {}),
      ...(nodes ? { nodes } : {}),
    });
  }
  return out;
}

/** Slurm states in which a job will still run or is running. */
const ACTIVE = new Set(['PENDING', 'RUNNING', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'CONFIGURING', 'COMPLETING', 'SUSPENDED', 'RESIZING', 'SIGNALING', 'STAGE_OUT', 'RESV_DEL_HOLD']);

/** What a shard folder holds (cluster/slurm.ts reads it). */
export interface ShardState {
  /** Complete results lines in shards/i/results.jsonl. */
  readonly lines: number;
  /** run.json's status ("complete", "running", "interrupted", "failed"), if there is one. */
  readonly status?: string;
  /** run.json's grid hash and point count. */
  readonly gridHash?: string;
  readonly points?: number;
  /** run.json's error line (status "failed"). */
  readonly error?: string;
}

export type TaskVerdict = 'complete' | 'active' | 'unfinished';

export interface TaskReport {
  readonly task: number;
  readonly points: number;
  readonly done: number;
  readonly verdict: TaskVerdict;
  /** What the table says: "complete", "RUNNING on node07 (job 12_3)", "CANCELLED (job 12_3)", … */
  readonly state: string;
}

export interface StatusReport {
  readonly tasks: readonly TaskReport[];
  readonly text: string;
  /** Every task complete. */
  readonly complete: boolean;
  /** The tasks to rerun (unfinished, not pending or running). */
  readonly rerun: readonly number[];
}

/** The merged folder's run.json (status "merged"), if any. */
export interface MergedState {
  readonly points: number;
  readonly gridHash?: string;
}

/** This job folder's array tasks or merge jobs: by the script's path, or, when sbatch was given a relative path, its name and job name. */
const isOurs = (job: SlurmJob, kind: 'sweepScript' | 'mergeScript') => (r: SlurmRecord) => r.command === `${job.dir}/${SLURM_FILES[kind]}`
  || (!r.command.startsWith('/') && r.command.endsWith(SLURM_FILES[kind].replace(/^.*\//, '')) && r.name === jobName(job, kind));

/** Task i's latest record: the one with the highest array job id (a rerun's). */
function latestFor(task: number, records: readonly SlurmRecord[]): SlurmRecord | undefined {
  let best: SlurmRecord | undefined;
  for (const r of records) if (r.arrayTask === task && (best === undefined || r.arrayJobId! > best.arrayJobId!)) best = r;
  return best;
}

/** Compresses task ids to Slurm's --array syntax: 1,3,5-7. */
export function arraySpec(tasks: readonly number[]): string {
  const s = [...new Set(tasks)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j] + 1) j++;
    parts.push(j === i ? `${s[i]}` : `${s[i]}-${s[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/**
 * The status of a Slurm sweep. `shards[i-1]`: shard i's folder (undefined: none yet); `queue`: undefined when squeue
 * could not be asked (not on a cluster), else its records (any job; ours are picked by their script's path).
 */
export function slurmStatus(job: SlurmJob, shards: readonly (ShardState | undefined)[], queue: readonly SlurmRecord[] | undefined, merged: MergedState | undefined): StatusReport {
  const arrays = (queue ?? []).filter(isOurs(job, 'sweepScript')).filter((r) => r.arrayTask !== undefined);
  const merges = (queue ?? []).filter(isOurs(job, 'mergeScript')).sort((a, b) => b.jobId - a.jobId);
  const tasks: TaskReport[] = [];
  for (let task = 1; task <= job.tasks; task++) {
    const points = shardPoints(task, job.tasks, job.gridPoints);
    const shard = shards[task - 1];
    const done = Math.min(shard?.lines ?? 0, points);
    const rec = latestFor(task, arrays);
    const jobRef = rec ? ` (job ${rec.arrayJobId}_${task})` : '';
    if (shard?.status === 'complete' && shard.gridHash === job.gridHash && shard.points === points && shard.lines >= points) {
      tasks.push({ task, points, done: points, verdict: 'complete', state: 'complete' });
    } else if (rec && ACTIVE.has(rec.state)) {
      const where = rec.state === 'RUNNING' && rec.nodes ? ` on ${rec.nodes}` : rec.reason ? `, ${rec.reason}` : '';
      tasks.push({ task, points, done, verdict: 'active', state: `${rec.state}${where}${jobRef}` });
    } else {
      const why = rec ? `${rec.state}${jobRef}` : queue === undefined ? 'not complete (squeue unavailable: Slurm was not asked)' : 'not complete, and Slurm does not list it (cancelled while pending, never submitted, or ended over MinJobAge ago)';
      const detail = shard?.status === 'failed' && shard.error ? `: ${shard.error}` : shard?.status && shard.status !== 'complete' ? `, shard ${shard.status}` : '';
      tasks.push({ task, points, done, verdict: 'unfinished', state: `${why}${detail}` });
    }
  }
  const complete = tasks.every((t) => t.verdict === 'complete');
  const rerun = tasks.filter((t) => t.verdict === 'unfinished').map((t) => t.task);
  const active = tasks.filter((t) => t.verdict === 'active').length;
  const done = tasks.reduce((s, t) => s + t.done, 0);

  const out: string[] = [];
  const ids = [...new Set(arrays.map((r) => r.arrayJobId!))].sort((a, b) => a - b);
  out.push(`Slurm sweep ${job.dir}: ${job.gridPoints} point(s) in ${job.tasks} task(s), ${done} done`
    + `${ids.length ? ` (array job${ids.length > 1 ? 's' : ''} ${ids.join(', ')}${merges.length ? `; merge job ${merges.map((m) => m.jobId).reverse().join(', ')}` : ''})` : ''}`);
  const w = { task: Math.max(4, String(job.tasks).length), points: Math.max(6, String(job.gridPoints).length) };
  out.push(`${'task'.padStart(w.task)}  ${'points'.padStart(w.points)}  ${'done'.padStart(w.points)}  state`);
  for (const t of tasks) out.push(`${String(t.task).padStart(w.task)}  ${String(t.points).padStart(w.points)}  ${String(t.done).padStart(w.points)}  ${t.state}`);
  const mergeJob = merges[0];
  // run.json says "merged" before the charts are drawn: while the merge job runs, it is not done.
  const merging = mergeJob !== undefined && ACTIVE.has(mergeJob.state);
  const mergedAll = merged !== undefined && merged.gridHash === job.gridHash && merged.points === job.gridPoints && !merging;
  if (mergedAll) out.push(`merged: all ${job.gridPoints} points in ${job.dir}/results.csv (results.jsonl, summary.txt, index.html beside it)`);
  else {
    const m = mergeJob ? `merge job ${mergeJob.jobId}: ${mergeJob.state}${mergeJob.reason ? ` (${mergeJob.reason})` : ''}` : 'no merge job known to Slurm';
    out.push(`merged: ${merged ? `${merged.points} of ${job.gridPoints} points so far` : 'not yet'}; ${m}`);
  }
  if (complete && !mergedAll && !merging) {
    out.push('Every task is complete but the merge has not run. Merge now:', `  sbatch ${shellQuote(`${job.dir}/${SLURM_FILES.mergeScript}`)}`);
  }
  if (active > 0) out.push(`${active} task(s) pending or running: check again later (squeue --me lists them).`);
  if (rerun.length > 0) {
    const waiting = merges.filter((m) => ACTIVE.has(m.state)).map((m) => m.jobId);
    out.push(`${rerun.length} task(s) did not finish (${arraySpec(rerun)}). Rerun only ${rerun.length === 1 ? 'it' : 'them'} (each resumes its shard) with a merge after:`);
    if (waiting.length > 0) out.push(`  scancel ${waiting.join(' ')}`);
    // The new merge waits for the rerun and for the tasks still pending or running (ARRAY_TASK: one task of an array).
    const still = tasks.filter((t) => t.verdict === 'active').map((t) => `:${latestFor(t.task, arrays)!.arrayJobId}_${t.task}`).join('');
    out.push(`  sbatch --dependency=afterok:$(sbatch --parsable --array=${arraySpec(rerun)} ${shellQuote(`${job.dir}/${SLURM_FILES.sweepScript}`)})${still} ${shellQuote(`${job.dir}/${SLURM_FILES.mergeScript}`)}`);
    if (waiting.length > 0) out.push(`(the scancel removes the merge job that still waits for the unfinished task${rerun.length === 1 ? '' : 's'}: it would never start)`);
    out.push(`Logs: ${job.dir}/${SLURM_FILES.logs}/sweep-JOBID_TASK.out`);
  }
  return { tasks, text: `${out.join('\n')}\n`, complete, rerun };
}

/**
 * The two sbatch scripts of a Slurm sweep, as text (pure): a job array with one task per shard (`sweep --shard i/N
 * --resume` into DIR/shards/i, so a requeued or preempted task continues its shard) and a merge job that runs once the
 * array has finished (`--dependency=afterok`). A student reads these scripts: every line a newcomer to Slurm would not
 * know has a comment above it. The files are written by cluster/slurm.ts.
 */
import { SimError } from '../base/errors.js';

/** Everything the scripts need: plain data (slurm.ts writes it as DIR/slurm/job.json). */
export interface SlurmJob {
  /** Absolute job folder: the merged results land here; shards/, slurm/ are inside it. */
  readonly dir: string;
  /** Absolute folder the sweep was written from: the tasks run there, so relative paths in the flags hold. */
  readonly cwd: string;
  /** How a task runs Systolab: ['systolab'] (installed globally) or [node, <checkout>/dist/systolab.cjs]. */
  readonly systolab: readonly string[];
  /** The grid as sweep arguments (spec file and flags), without --out, --shard, --resume, --jobs. */
  readonly sweepArgs: readonly string[];
  /** Names the jobs in squeue: systolab-NAME and systolab-NAME-merge (NAME: the sweep's name and grid hash). */
  readonly name: string;
  readonly tasks: number;
  readonly gridPoints: number;
  readonly gridHash: string;
  /** Cores per task (the shard's --jobs). */
  readonly cpusPerTask: number;
  readonly partition?: string;
  readonly time?: string;
  readonly version: string;
}

/** The job folder's files, relative to DIR. */
export const SLURM_FILES = {
  sweepScript: 'slurm/sweep.sbatch',
  mergeScript: 'slurm/merge.sbatch',
  job: 'slurm/job.json',
  logs: 'slurm/logs',
  shards: 'shards',
} as const;

/**
 * Points per task by default. One task evaluates about 2,700 ResNet-50 points per CPU-second on the totals-only path
 * and 560 on the full one (test/bench/sweep.ts, docs/cluster.md): 50,000 points is ~20 s to ~1.5 min of work, well
 * above the seconds Slurm spends starting a task.
 */
export const DEFAULT_POINTS_PER_TASK = 50_000;

/** Slurm's default MaxArraySize is 1001: task ids up to 1000. */
export const DEFAULT_MAX_TASKS = 1000;

/** What squeue calls the two jobs. */
export const jobName = (job: SlurmJob, kind: 'sweepScript' | 'mergeScript'): string => `systolab-${job.name}${kind === 'mergeScript' ? '-merge' : ''}`;

/** The points of shard i of N over P points: indices ≡ i−1 (mod N) (spec.ts shardOf). */
export const shardPoints = (index: number, count: number, points: number): number => Math.max(0, Math.ceil((points - index + 1) / count));

/** --slurm-tasks: given, or one per DEFAULT_POINTS_PER_TASK points, at most DEFAULT_MAX_TASKS. */
export function taskCount(requested: unknown, points: number): number {
  if (requested === undefined) return Math.max(1, Math.min(Math.ceil(points / DEFAULT_POINTS_PER_TASK), DEFAULT_MAX_TASKS, points));
  if (typeof requested !== 'number' || !Number.isInteger(requested) || requested < 1 || requested > points) {
    throw new SimError(`must be an integer from 1 to the grid's ${points} point(s)`, {
      code: 'badValue', path: '--slurm-tasks', value: requested,
      hint: `Example: --slurm-tasks ${Math.min(points, 4)} (one job-array task per shard; default one per ${DEFAULT_POINTS_PER_TASK.toLocaleString('en-US')} points).`,
    });
  }
  return requested;
}

/** --time as sbatch takes it: MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS. */
export function checkTime(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^(\d+(:\d{1,2}){0,2}|\d+-\d{1,2}(:\d{1,2}){0,2})$/.test(v.trim())) {
    throw new SimError('is not a Slurm time limit', {
      code: 'badValue', path: '--time', value: v, hint: 'Allowed: MINUTES, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS, e.g. --time 2:00:00 or --time 1-00.',
    });
  }
  return v.trim();
}

/** --partition: a name, or a comma list of names (Slurm runs the job in the first that can). */
export function checkPartition(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*$/.test(v)) {
    throw new SimError('is not a partition name', { code: 'badValue', path: '--partition', value: v, hint: 'Letters, digits, _ . - (a comma list for several); sinfo lists the partitions.' });
  }
  return v;
}

/** A word for bash: unchanged when it is plain, else single-quoted (a ' inside becomes '\''). */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

const words = (xs: readonly string[]): string => xs.map(shellQuote).join(' ');

/** A path inside the job folder, quoted for bash. */
const at = (job: SlurmJob, rel: string): string => shellQuote(`${job.dir}/${rel}`);

/** The #SBATCH lines both jobs share: cores, partition, time limit, working folder. */
function commonOptions(job: SlurmJob, kind: 'sweepScript' | 'mergeScript'): string[] {
  const task = kind === 'sweepScript';
  return [
    task ? `# Each task is one process on ${job.cpusPerTask === 1 ? 'one core' : `${job.cpusPerTask} cores`} (the sweep's --jobs below is this count).`
      : '# One process on one core (merging reads and writes files: it needs no more).',
    '#SBATCH --ntasks=1',
    `#SBATCH --cpus-per-task=${task ? job.cpusPerTask : 1}`,
    ...(job.partition !== undefined ? ['# The partition (queue) to run in; sinfo lists them.', `#SBATCH --partition=${job.partition}`] : []),
    ...(job.time !== undefined ? [
      `# The wall-clock limit${task ? ' of each task' : ''} (MINUTES, MM:SS, HH:MM:SS or D-HH:MM:SS).${task ? ' At the limit Slurm sends SIGTERM:' : ''}`,
      ...(task ? ['# Systolab stops after the points in flight, keeps every finished point, and a rerun of the task continues.'] : []),
      `#SBATCH --time=${job.time}`,
    ] : []),
    '# Run in the folder the sweep was written from, so that relative paths in the flags mean the same thing.',
    `#SBATCH --chdir=${shellQuote(job.cwd)}`,
  ];
}

function preamble(job: SlurmJob): string[] {
  return [
    '',
    '# Stop at the first failing command (-e), treat unset variables as errors (-u), fail a pipe if any part fails.',
    'set -euo pipefail',
    '# How this job runs Systolab: `systolab` when it is installed on PATH (npm install -g), or a shared checkout\'s',
    '# bundle, `node <checkout>/dist/systolab.cjs`. Edit this line if Node lives elsewhere on the compute nodes',
    '# (e.g. after `module load nodejs`).',
    `systolab=(${words(job.systolab)})`,
  ];
}

/** DIR/slurm/sweep.sbatch: the job array. */
export function sweepScript(job: SlurmJob): string {
  const n = job.tasks;
  const per = shardPoints(1, n, job.gridPoints);
  const last = shardPoints(n, n, job.gridPoints);
  return [
    '#!/bin/bash',
    `# A Systolab sweep as a Slurm job array: ${job.gridPoints} design points in ${n} task(s); task i evaluates shard i/${n}`,
    `# (${per === last ? per : `${last}–${per}`} points each) into ${job.dir}/shards/i, and the merge job combines them.`,
    `# Written by \`systolab sweep --slurm\` (systolab ${job.version}), grid ${job.gridHash.slice(0, 16)}. Submit both with:`,
    `#   sbatch --dependency=afterok:$(sbatch --parsable ${at(job, SLURM_FILES.sweepScript)}) ${at(job, SLURM_FILES.mergeScript)}`,
    `# Progress, failed tasks and how to rerun only them: ${words([...job.systolab, 'slurm-status', job.dir])}`,
    '#',
    '# Lines that start with #SBATCH are options for sbatch (as if typed on its command line); bash skips them as comments.',
    `#SBATCH --job-name=${jobName(job, 'sweepScript')}`,
    `# A job array: Slurm runs tasks 1 to ${n} (as cores free up) and gives each its number in $SLURM_ARRAY_TASK_ID.`,
    `#SBATCH --array=1-${n}`,
    ...commonOptions(job, 'sweepScript'),
    '# If the task is preempted or its node fails, Slurm may put it back in the queue; it then resumes its shard.',
    '#SBATCH --requeue',
    '# Each task\'s output: %A is the array\'s job id, %a the task number; a requeued task appends to its log.',
    `#SBATCH --output=${at(job, `${SLURM_FILES.logs}/sweep-%A_%a.out`)}`,
    '#SBATCH --open-mode=append',
    ...preamble(job),
    '# ${VAR:?message}: stop with the message when the variable is unset (the script was run without sbatch).',
    'task=${SLURM_ARRAY_TASK_ID:?submit this script with sbatch: it is a job array}',
    `echo "systolab: task $task/${n} (job \${SLURM_JOB_ID:-?}, restart \${SLURM_RESTART_COUNT:-0}) on $(hostname) at $(date -Is)"`,
    `# --shard: this task's slice of the grid; --out: the shard's own folder; --resume: skip the points an earlier`,
    '# (requeued, preempted or timed-out) run of this task already wrote; --jobs: threads, the cores Slurm gave it;',
    '# --no-report: results and tables only (the merge draws the charts).',
    '# exec: Systolab replaces this shell, so Slurm\'s SIGTERM (time limit, scancel, preemption) reaches it directly.',
    `exec "\${systolab[@]}" sweep ${words(job.sweepArgs)} \\`,
    `  --shard "$task/${n}" --out ${at(job, SLURM_FILES.shards)}/"$task" --resume --jobs "\${SLURM_CPUS_PER_TASK:-1}" --no-report`,
    '',
  ].join('\n');
}

/** DIR/slurm/merge.sbatch: the merge, submitted to wait for the array. */
export function mergeScript(job: SlurmJob): string {
  const n = job.tasks;
  return [
    '#!/bin/bash',
    `# Merges the ${n} shard folder(s) of a Slurm sweep into ${job.dir}: results.jsonl, results.csv, summary, charts,`,
    '# index.html. Submitted to wait for the job array:',
    `#   sbatch --dependency=afterok:ARRAY_JOB_ID ${at(job, SLURM_FILES.mergeScript)}`,
    '# afterok: start only once every task of that job ended with exit code 0. A failed or cancelled task keeps this job',
    `# waiting (DependencyNeverSatisfied): \`${words([...job.systolab, 'slurm-status', job.dir])}\` says how to rerun it.`,
    '#',
    '# Lines that start with #SBATCH are options for sbatch (as if typed on its command line); bash skips them as comments.',
    `#SBATCH --job-name=${jobName(job, 'mergeScript')}`,
    ...commonOptions(job, 'mergeScript'),
    '# The merge\'s output: %j is this job\'s id.',
    `#SBATCH --output=${at(job, `${SLURM_FILES.logs}/merge-%j.out`)}`,
    ...preamble(job),
    `# The union of the shards, each point once (bash expands {1..${n}} to the ${n} shard folders). merge checks every line.`,
    `"\${systolab[@]}" merge ${at(job, SLURM_FILES.shards)}/{1..${n}} --out ${shellQuote(job.dir)}`,
    '# What every task did; exits 1, saying how to rerun them, when a shard is unfinished.',
    `exec "\${systolab[@]}" slurm-status ${shellQuote(job.dir)}`,
    '',
  ].join('\n');
}

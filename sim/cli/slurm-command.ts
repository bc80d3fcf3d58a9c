/**
 * `systolab sweep … --slurm [--slurm-tasks N] [--partition P] [--time T] [--submit]` and `systolab slurm-status DIR`:
 * a sweep as a Slurm job array plus a merge job (cluster/), and what became of it.
 */
import type { Argv } from 'yargs';
import { resolve } from 'node:path';
import { SimError } from '../base/errors.js';
import { packageVersion as version } from '../base/package-root.js';
import { slurmJobOf, slurmStatusOf, submitSlurmJob, writeSlurmJob } from '../cluster/slurm.js';
import { SLURM_FILES, shardPoints, shellQuote } from '../cluster/slurm-script.js';
import { defaultSweepOut, planSweep } from '../sweep/run.js';
import { type SweepSpec, sweepName } from '../sweep/spec.js';
import { HW_FLAGS, type HwFlagKey } from '../arch/flags.js';
import { GRID_FLAGS, type SweepArgs } from './sweep-command.js';

/** The grid as the tasks pass it: the spec file, then every grid flag as given (a repeated flag repeated), --hw, --allow-paths. */
export function gridArgs(args: SweepArgs): string[] {
  const out: string[] = [];
  if (args.spec !== undefined) out.push(args.spec);
  for (const [key] of GRID_FLAGS) {
    const v = args[key];
    if (v === undefined) continue;
    const flag = key === 'model' || key === 'mode' ? key : HW_FLAGS[key as HwFlagKey].flag;
    for (const x of ([] as unknown[]).concat(v)) out.push(`--${flag}`, String(x));
  }
  if (args.hw !== undefined) out.push('--hw', args.hw);
  if (args.allowPaths === true) out.push('--allow-paths');
  return out;
}

export async function slurmSweepCommand(args: SweepArgs, spec: SweepSpec): Promise<{ text: string; exitCode: number }> {
  if (args.shard !== undefined) {
    throw new SimError('cannot be combined with --slurm (each task of the job array runs its own shard)', { code: 'badValue', path: '--shard', value: args.shard, hint: 'Drop --shard; --slurm-tasks N sets how many shards.' });
  }
  const grid = planSweep(spec); // validates the whole grid (models, hardware) before anything is written
  const out = args.out ?? defaultSweepOut(grid.spec, grid.gridHash, undefined, args.spec);
  const job = slurmJobOf({
    out, sweepArgs: gridArgs(args), name: `${sweepName(grid.spec, args.spec).replace(/[^A-Za-z0-9_.=-]+/g, '_')}-${grid.gridHash.slice(0, 8)}`, // a spec file's name may hold spaces
    gridPoints: grid.grid.length, gridHash: grid.gridHash, tasks: args.slurmTasks, cpusPerTask: args.jobs,
    partition: args.partition, time: args.time, version: version(),
  });
  const written = writeSlurmJob(job);
  const lines: string[] = [
    `# ${written.files.sweep}`, written.sweep, `# ${written.files.merge}`, written.merge,
  ];
  const per = shardPoints(1, job.tasks, job.gridPoints);
  const status = [...job.systolab, 'slurm-status', job.dir].map(shellQuote).join(' ');
  lines.push(`Slurm sweep: ${job.gridPoints} point(s) in ${job.tasks} task(s) (up to ${per} point(s) each) → ${job.dir}`);
  if (args.submit === true) {
    const ids = submitSlurmJob(job);
    lines.push(
      `submitted: job array ${ids.arrayJobId} (tasks 1-${job.tasks}), merge job ${ids.mergeJobId} (starts after every task ends with exit 0)`,
      `merged results will appear in ${job.dir} (results.csv, results.jsonl, summary.txt, index.html); shards in ${resolve(job.dir, SLURM_FILES.shards)}`,
      `progress, failed tasks and how to rerun only them: ${status}`,
    );
  } else {
    lines.push(
      `submit both (on the cluster's login node), or run this command again with --submit:`,
      `  sbatch --dependency=afterok:$(sbatch --parsable ${shellQuote(written.files.sweep)}) ${shellQuote(written.files.merge)}`,
      `then: ${status}`,
    );
  }
  return { text: `${lines.join('\n')}\n`, exitCode: 0 };
}

export interface SlurmStatusArgs {
  dir: string;
}

export const SLURM_STATUS_EXAMPLES: readonly [string, string][] = [
  ['slurm-status reports/sweep-slurm', 'each task of the Slurm sweep in reports/sweep-slurm: done, pending, running or failed, and how to rerun only the failed ones'],
];

export function slurmStatusBuilder(y: Argv): Argv<SlurmStatusArgs> {
  return y.positional('dir', { type: 'string', describe: 'the folder `sweep --slurm` wrote (its --out)' })
    .example(SLURM_STATUS_EXAMPLES.map(([cmd, what]) => [`$0 ${cmd}`, what])) as unknown as Argv<SlurmStatusArgs>;
}

/** The report; exit 0 when every task's shard is complete, 1 otherwise (pending, running or failed: the text says which). */
export function slurmStatusCommand(args: SlurmStatusArgs): { text: string; exitCode: number } {
  const r = slurmStatusOf(args.dir); // a folder that is not a Slurm sweep: one line, exit 2
  return { text: r.text, exitCode: r.complete ? 0 : 1 };
}

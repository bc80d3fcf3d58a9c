/**
 * `systolab sweep` and `systolab merge`: flags or a spec file → a grid of design points, run on worker threads with a
 * progress display on stderr, results in a folder (sim/sweep/run.ts has the file formats and the atomicity rules).
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import cliProgress from 'cli-progress';
import { mergeSweeps } from '../sweep/merge.js';
import { defaultSweepOut, executeSweep, planSweep, withOut } from '../sweep/run.js';
import { lockOut } from '../sweep/lock.js';
import { HW_DIMENSIONS, type Point, type RawSpec, type SweepSpec, loadSweepSpecFile, parseSweepSpec } from '../sweep/spec.js';
import { HW_FLAGS, type HwFlagKey, MEMORY_FLAGS } from '../arch/flags.js';
import { hwFlagOptions } from './hw-flags.js';
import { summarize, summaryText } from '../sweep/record.js';
import { packageVersion as version } from '../base/package-root.js';
import { commandLine, writeSweepReport } from '../report/write-report.js';
import { prewarmChartThread } from '../report/chart-thread.js';
import { allowPathsAnywhere } from '../base/files.js';
import { ALLOW_PATHS_OPTION } from './allow-paths.js';
import { SimError } from '../base/errors.js';

/** The flags; every hardware flag (arch/flags.ts) takes a comma list here. */
export type SweepArgs = { [K in HwFlagKey]?: string | string[] } & {
  spec?: string;
  model?: string | string[];
  hw?: string;
  mode?: string | string[];
  jobs?: number;
  shard?: string;
  out?: string;
  resume: boolean;
  report?: boolean;
  allowPaths?: boolean;
  slurm?: boolean;
  slurmTasks?: number;
  partition?: string;
  time?: string;
  submit?: boolean;
};

export interface MergeArgs {
  dirs: string[];
  out: string;
}

export const SWEEP_EXAMPLES: readonly [string, string][] = [
  ['sweep --model resnet50 --array 8x8,16x16,32x32,16x64 --dataflow os,ws,is', 'ResNet-50 inference on 12 array shapes and dataflows'],
  ['sweep hw-configs/sweeps/mobilenet-sram.yaml', 'the grid of a spec file (array shapes × dataflows × SRAM sizes for MobileNet-v2)'],
  ['sweep --model tiny-cnn --mode inference,training --sram-kib 16,64 --shard 1/2 --out reports/sweep-tiny-1of2', 'the first half of a grid (a cluster job runs --shard i/N)'],
  ['sweep --model tiny-cnn --mode inference,training --sram-kib 16,64 --shard 2/2 --out reports/sweep-tiny-2of2', 'the second half'],
  ['merge reports/sweep-tiny-1of2 reports/sweep-tiny-2of2 --out reports/sweep-tiny', 'the halves as one result set: results.jsonl, results.csv, summary'],
  ['sweep --model resnet50 --mode inference,training --array 8x8,16x16,32x32 --sram-kib 32,64,128 --slurm --slurm-tasks 4 --out reports/sweep-slurm', 'a Slurm job array of 4 tasks and a merge job: writes and prints the two sbatch scripts (add --submit on a cluster to submit them)'],
];

/** The grid's flags: the flag's key in the args, the spec key it sets. */
export const GRID_FLAGS: readonly [keyof SweepArgs, string][] = [
  ['model', 'models'], ['mode', 'modes'], ...Object.entries(HW_DIMENSIONS).map(([specKey, key]) => [key, specKey] as [keyof SweepArgs, string]),
];

export function sweepBuilder(y: Argv): Argv<SweepArgs> {
  return y.positional('spec', { type: 'string', describe: 'a sweep spec file (hw-configs/sweeps/*.yaml); flags override its keys' })
    .option('model', { type: 'string', describe: 'model: file (YAML/JSON, SCALE-Sim .csv, .onnx) or built-in NAME[:key=value…]; repeat for several, or a comma list (an existing file whose name holds commas is one model)' })
    .option('mode', { type: 'string', describe: 'inference, training (comma list) [default inference]' })
    .options(hwFlagOptions((describe) => `${describe} (comma list: one point per value)`))
    .option('hw', { type: 'string', describe: 'base hardware config (preset or file) for everything not swept [default: scalesim-32x32]' })
    .option('jobs', { type: 'number', describe: `worker threads; 1 evaluates on the main thread [default: 1; all cores (${availableParallelism()} here) with SYSTOLAB_SWEEP_EVALUATION=full, the per-layer path]` })
    .option('shard', { type: 'string', describe: 'i/N: run only the i-th of N deterministic slices of the grid (merge them with systolab merge)' })
    .option('out', { type: 'string', describe: 'result folder [default: reports/sweep-NAME-GRIDHASH, the same for the same grid]' })
    .option('resume', { type: 'boolean', default: false, describe: 'continue a sweep in --out: skip the points already in results.jsonl' })
    .option('report', { type: 'boolean', default: true, describe: 'draw the charts and index.html (--no-report: results and tables only, as each Slurm task does)' })
    .option('allow-paths', ALLOW_PATHS_OPTION)
    .option('slurm', { type: 'boolean', describe: 'write a Slurm job array (one task per shard, resumable) and a merge job into --out, and print them (docs/cluster.md)' })
    .option('slurm-tasks', { type: 'number', describe: 'with --slurm: the job array\'s tasks (shards) [default: one per 50,000 points, at most 1,000]' })
    .option('partition', { type: 'string', describe: 'with --slurm: the Slurm partition (sbatch --partition)' })
    .option('time', { type: 'string', describe: 'with --slurm: the time limit per task, e.g. 2:00:00 (sbatch --time)' })
    .option('submit', { type: 'boolean', describe: 'with --slurm: submit the job array and the merge (sbatch) and print their job ids' })
    .example(SWEEP_EXAMPLES.filter(([c]) => c.startsWith('sweep')).map(([cmd, what]) => [`$0 ${cmd}`, what])) as unknown as Argv<SweepArgs>;
}

export function mergeBuilder(y: Argv): Argv<MergeArgs> {
  return y
    .positional('dirs', { type: 'string', array: true, describe: 'sweep result folders (each with results.jsonl)' })
    .option('out', { type: 'string', demandOption: true, describe: 'the merged folder (its own results, if any, are kept in the union)' })
    .example(SWEEP_EXAMPLES.filter(([c]) => c.startsWith('merge')).map(([cmd, what]) => [`$0 ${cmd}`, what])) as unknown as Argv<MergeArgs>;
}

/** Flags (and the spec file) → a validated spec. */
export function sweepSpecFromArgs(args: SweepArgs): SweepSpec {
  const fromFile: SweepSpec | undefined = args.spec !== undefined ? loadSweepSpecFile(args.spec) : undefined;
  const raw: Record<string, unknown> = { ...(fromFile ?? {}) };
  for (const [key, specKey] of GRID_FLAGS) if (args[key] !== undefined) raw[specKey] = args[key];
  if (args.hw !== undefined) raw.hw = args.hw;
  if (Array.isArray(raw.models) && args.model !== undefined) raw.models = ([] as string[]).concat(args.model);
  return parseSweepSpec(raw as RawSpec);
}

/** Why swept memory values may not move the cycles: points in CALC mode never stall on DRAM. */
function calcModeNote(spec: SweepSpec, points: readonly Point[]): string | undefined {
  const swept = MEMORY_FLAGS.filter((k) => spec[specKeyOf(k)] !== undefined).map((k) => `--${HW_FLAGS[k].flag}`);
  const calc = points.filter((p) => p.params.bandwidthMode === 'calc').length;
  if (swept.length === 0 || calc === 0) return undefined;
  return `bandwidth mode calc in ${calc} of ${points.length} point(s): DRAM bandwidth is computed as what the array needs, so ${swept.join(', ')} move traffic and energy, not cycles, there; add --bandwidth-mode user (or calc,user) to enforce the bandwidth and count the stalls`;
}
const specKeyOf = (k: HwFlagKey) => Object.entries(HW_DIMENSIONS).find(([, key]) => key === k)![0] as keyof SweepSpec;

const duration = (s: number) => (!Number.isFinite(s) ? '?' : s < 60 ? `${Math.ceil(s)} s` : s < 3600 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${(s / 3600).toFixed(1)} h`);

/** A progress display on stderr: a bar with rate and ETA on a TTY, a plain line every 2 s otherwise. */
function progressDisplay(): { update: (done: number, total: number) => void; stop: () => void } {
  const t0 = performance.now();
  let first: { done: number; t: number } | undefined;
  const rate = (done: number) => {
    const now = performance.now();
    if (!first) first = { done, t: now };
    const dt = (now - first.t) / 1e3;
    return dt > 0 ? (done - first.done) / dt : 0;
  };
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar({
      stream: process.stderr, format: 'sweep {bar} {percentage}% | {value}/{total} points | {rate} points/s | ETA {eta_formatted}',
      hideCursor: true, etaBuffer: 50, fps: 10,
    }, cliProgress.Presets.shades_classic);
    let started = false;
    return {
      update: (done, total) => {
        const r = rate(done);
        if (!started) { bar.start(total, done, { rate: '…' }); started = true; } else bar.update(done, { rate: r > 0 ? Math.round(r) : '…' });
      },
      stop: () => { if (started) bar.stop(); },
    };
  }
  let last = 0, latest = 0, latestTotal = 0, printed = -1;
  const line = (done: number, total: number) => {
    const r = rate(done);
    const eta = r > 0 ? duration((total - done) / r) : '?';
    process.stderr.write(`sweep: ${done}/${total} points (${total ? Math.floor((100 * done) / total) : 100}%), ${Math.round(r)} points/s, ETA ${eta}\n`);
    printed = done;
  };
  return {
    update: (done, total) => {
      rate(done);
      latest = done;
      latestTotal = total;
      const now = performance.now();
      if (now - t0 >= 1000 && now - last >= 2000) {
        last = now;
        line(done, total);
      }
    },
    stop: () => {
      if (printed !== -1 && printed !== latest) line(latest, latestTotal);
    },
  };
}

export async function sweepCommand(args: SweepArgs, argv: readonly string[] = []): Promise<{ text: string; exitCode: number }> {
  allowPathsAnywhere(args.allowPaths === true);
  const spec = sweepSpecFromArgs(args);
  if (args.slurm === true) return (await import('./slurm-command.js')).slurmSweepCommand(args, spec);
  const stray = (['slurmTasks', 'partition', 'time', 'submit'] as const).find((k) => args[k] !== undefined);
  if (stray !== undefined) {
    const flag = `--${stray === 'slurmTasks' ? 'slurm-tasks' : stray}`;
    throw new SimError('needs --slurm', { code: 'badValue', path: flag, value: args[stray], hint: `Example: systolab sweep … --slurm ${flag} … (docs/cluster.md).` });
  }
  // Plan (validates everything, writes nothing), then choose the default folder from the grid.
  const grid = planSweep(spec, { ...(args.jobs !== undefined ? { jobs: args.jobs } : {}), shard: args.shard });
  const out = args.out ?? defaultSweepOut(grid.spec, grid.gridHash, grid.shard, args.spec);
  const note = calcModeNote(grid.spec, grid.points);
  if (note) process.stderr.write(`sweep: ${note}\n`);
  const lock = lockOut(out); // before any output: a second sweep on this folder is refused with one line
  let plan;
  try {
    plan = withOut(grid, out, args.resume);
  } catch (e) {
    lock.release();
    throw e;
  }
  if (lock.tookOver) process.stderr.write(`sweep: ${lock.file} was left by pid ${lock.tookOver.pid}, which no longer runs: taken over\n`);
  if (plan.previous) process.stderr.write(`sweep: ${plan.previous}${args.resume ? '; resuming it' : ''}\n`);
  const options = { version: version(), ...(args.spec !== undefined ? { specFile: args.spec } : {}), meta: { argv: [...argv] } };
  const ac = new AbortController();
  const onSigint = () => {
    if (ac.signal.aborted) process.exit(130);
    ac.abort();
    process.stderr.write('\nsweep: interrupted: finishing the points in flight (Ctrl-C again to quit now; finished lines are safe)\n');
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint); // `kill PID`, a cluster's time limit: stop as after Ctrl-C
  // Charts follow the evaluation: vega loads on a second thread meanwhile, and draws there (report/chart-thread.ts).
  if (plan.points.length > 0 && args.report !== false) prewarmChartThread();
  const display = progressDisplay();
  const todo = plan.points.filter((p) => !plan.finished.has(p.id)).length;
  process.stderr.write(`sweep: ${plan.points.length} point(s)${plan.shard ? ` (shard ${plan.shard.index}/${plan.shard.count} of ${plan.grid.length})` : ''}`
    + `${plan.finished.size ? `, ${plan.points.length - todo} already done` : ''}, ${plan.jobs > 1 && todo > 1 ? `${Math.min(plan.jobs, todo)} worker threads` : 'on the main thread'} → ${out}\n`);
  let outcome;
  try {
    outcome = await executeSweep(plan, { ...options, lock, signal: ac.signal, onProgress: display.update });
  } finally {
    display.stop();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
  if (outcome.interrupted) {
    const done = outcome.records.length;
    process.stderr.write(`sweep: interrupted with ${done} of ${plan.points.length} points in ${join(out, 'results.jsonl')}; continue with --resume\n`);
    return { text: '', exitCode: 130 };
  }
  const rate = outcome.evaluated / Math.max(outcome.seconds, 1e-9);
  process.stderr.write(`sweep: ${outcome.evaluated} point(s) evaluated in ${outcome.seconds.toFixed(2)} s (${Math.round(rate)} points/s); results in ${out}\n`);
  if (outcome.records.length > 0 && args.report !== false) {
    const written = await writeSweepReport(out, outcome.records, commandLine(argv), outcome.summary);
    process.stderr.write(`sweep: charts in ${join(out, 'charts')}, report ${written.html}\n`);
  }
  return { text: summaryText(outcome.summary ?? summarize(outcome.records)), exitCode: 0 };
}

export async function mergeCommand(args: MergeArgs, argv: readonly string[]): Promise<string> {
  prewarmChartThread(); // vega loads there while the folders are read
  const r = mergeSweeps(args.dirs ?? [], args.out, version());
  const complete = r.gridPoints !== undefined ? ` (${r.records.length} of the grid's ${r.gridPoints} points${r.records.length < r.gridPoints ? ': some shards are missing or unfinished' : ''})` : '';
  process.stderr.write(`merge: ${r.inputs} folder(s), ${r.records.length} point(s)${complete}, ${r.duplicates} duplicate line(s)`
    + `${r.conflicts ? `, ${r.conflicts} conflicting (same point, different line: the first kept)` : ''} → ${args.out}\n`);
  if (r.records.length > 0) {
    const written = await writeSweepReport(args.out, r.records, commandLine(argv));
    process.stderr.write(`merge: charts in ${join(args.out, 'charts')}, report ${written.html}\n`);
  }
  return r.summary;
}

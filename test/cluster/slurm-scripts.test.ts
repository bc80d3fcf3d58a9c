/**
 * The Slurm job's pieces without a cluster (test/slurm/ runs them on a real one): the scripts are valid bash and,
 * run with a stand-in for Systolab, call it with exactly the arguments meant, for paths with spaces and quotes; every
 * #SBATCH line has a comment; shell quoting, squeue parsing and --array specs round-trip (fast-check); slurm-status
 * decides complete / active / unfinished from the shard folders and squeue, and prints the rerun commands; the CLI's
 * bad flags are one line, exit 2; `systolab` is used by name only when PATH's systolab is this program.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type SlurmJob, checkTime, mergeScript, shardPoints, shellQuote, sweepScript, taskCount } from '../../sim/cluster/slurm-script.js';
import { type ShardState, type SlurmRecord, arraySpec, parseSqueue, slurmStatus } from '../../sim/cluster/slurm-status.js';
import { systolabInvocation } from '../../sim/cluster/slurm.js';
import { CLI, WORKSPACE } from '../helpers/cli.js';
import { SWEEP_EXAMPLES } from '../../sim/cli/sweep-command.js';
import { SLURM_STATUS_EXAMPLES } from '../../sim/cli/slurm-command.js';

const tmp = mkdtempSync(join(tmpdir(), 'systolab-slurm-scripts-'));

/** A stand-in for Systolab: appends its arguments (NUL-separated, one call per line) to CALLS. */
const CALLS = join(tmp, 'calls');
const FAKE = join(tmp, 'fake systolab.sh');
writeFileSync(FAKE, `#!/bin/bash\nprintf '%s\\0' "$@" >> ${shellQuote(CALLS)}\necho >> ${shellQuote(CALLS)}\n`);
chmodSync(FAKE, 0o755);
const calls = (): string[][] => (existsSync(CALLS) ? readFileSync(CALLS, 'utf8').split('\n').filter((l) => l !== '').map((l) => l.split('\0').slice(0, -1)) : []);

const job = (over: Partial<SlurmJob> = {}): SlurmJob => ({
  dir: join(tmp, "a job's folder"), cwd: join(tmp, 'where it ran'), systolab: [FAKE], name: 'resnet50-1a2b3c4d',
  sweepArgs: ['--model', 'resnet50', '--model', 'my model.yaml', '--array', '8x8,16x16', '--hw', "it's.yaml"],
  tasks: 4, gridPoints: 10, gridHash: '1a2b3c4d'.repeat(8), cpusPerTask: 1, version: '0.1.0', ...over,
});

function runScript(text: string, env: Record<string, string>): { code: number | null; out: string; err: string } {
  const file = join(tmp, `script-${Math.random().toString(36).slice(2)}.sh`);
  writeFileSync(file, text);
  const r = spawnSync('bash', [file], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('the sbatch scripts', () => {
  it('are valid bash, and run the sweep of task $SLURM_ARRAY_TASK_ID and the merge with exactly the arguments meant', () => {
    const j = job();
    for (const text of [sweepScript(j), mergeScript(j)]) expect(spawnSync('bash', ['-n', '-c', text]).status).toBe(0);
    writeFileSync(CALLS, '');
    const r = runScript(sweepScript(j), { SLURM_ARRAY_TASK_ID: '3', SLURM_JOB_ID: '77', SLURM_CPUS_PER_TASK: '2' });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^systolab: task 3\/4 \(job 77, restart 0\) on /);
    expect(calls()).toEqual([['sweep', ...j.sweepArgs, '--shard', '3/4', '--out', `${j.dir}/shards/3`, '--resume', '--jobs', '2', '--no-report']]);
    writeFileSync(CALLS, '');
    expect(runScript(mergeScript(j), {}).code).toBe(0);
    expect(calls()).toEqual([
      ['merge', ...[1, 2, 3, 4].map((i) => `${j.dir}/shards/${i}`), '--out', j.dir],
      ['slurm-status', j.dir],
    ]);
  });

  it('run without sbatch, the array script stops with one line and does not call Systolab', () => {
    writeFileSync(CALLS, '');
    const r = runScript(sweepScript(job()), {});
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/submit this script with sbatch/);
    expect(calls()).toEqual([]);
  });

  it('a failing merge stops the merge job (set -e): slurm-status is not reached', () => {
    const failing = join(tmp, 'failing.sh');
    writeFileSync(failing, `#!/bin/bash\nprintf '%s\\0' "$@" >> ${shellQuote(CALLS)}\necho >> ${shellQuote(CALLS)}\nexit 2\n`);
    chmodSync(failing, 0o755);
    writeFileSync(CALLS, '');
    expect(runScript(mergeScript(job({ systolab: [failing] })), {}).code).toBe(2);
    expect(calls().map((c) => c[0])).toEqual(['merge']);
  });

  it('every #SBATCH line has a comment above it (or above the #SBATCH lines it is grouped with); options as asked', () => {
    for (const j of [job(), job({ partition: 'gpu,cpu', time: '1-02:00:00', cpusPerTask: 4, tasks: 1 })]) {
      for (const text of [sweepScript(j), mergeScript(j)]) {
        const lines = text.split('\n');
        lines.forEach((l, i) => {
          if (!l.startsWith('#SBATCH')) return;
          let k = i - 1;
          while (k >= 0 && lines[k].startsWith('#SBATCH')) k--;
          expect(lines[k], `${l}\n${text}`).toMatch(/^# \S/);
        });
        // Every sbatch directive comes before the first command (sbatch stops reading them there).
        const firstCommand = lines.findIndex((l, i) => i > 0 && l !== '' && !l.startsWith('#'));
        expect(lines.slice(firstCommand).some((l) => l.startsWith('#SBATCH'))).toBe(false);
      }
      const s = sweepScript(j);
      expect(s).toContain(`#SBATCH --array=1-${j.tasks}\n`);
      expect(s).toContain(`#SBATCH --cpus-per-task=${j.cpusPerTask}\n`);
      expect(s).toContain('#SBATCH --requeue\n');
      expect(s).toContain('#SBATCH --open-mode=append\n');
      expect(s.includes('--partition=')).toBe(j.partition !== undefined);
      expect(s.includes('--time=')).toBe(j.time !== undefined);
      if (j.partition) expect(s).toContain(`#SBATCH --partition=${j.partition}\n`);
      if (j.time) expect(mergeScript(j)).toContain(`#SBATCH --time=${j.time}\n`);
      expect(mergeScript(j)).toContain('#SBATCH --cpus-per-task=1\n');
    }
  });
});

describe('shell quoting, squeue lines, --array specs', () => {
  it('shellQuote: bash reads every string back unchanged (fast-check, 300 strings)', () => {
    const strings = fc.sample(fc.string({ unit: fc.constantFrom('a', ' ', "'", '"', '$', '\\', '`', '!', '*', '\n', ';', '&', '|', '(', '{', '~', '#', 'é', '%', '=') , maxLength: 12 }), { numRuns: 300, seed: 25 });
    const script = strings.map((s) => `printf '%s\\0' ${shellQuote(s)}`).join('\n');
    const out = execFileSync('bash', ['-c', script], { encoding: 'utf8' });
    expect(out.split('\0').slice(0, -1)).toEqual(strings);
    expect(shellQuote('--out=/plain/path_1.yaml')).toBe('--out=/plain/path_1.yaml');
  });

  it('arraySpec compresses task ids into ranges that expand back to the same set (fast-check)', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 30 }), (ids) => {
      const spec = arraySpec(ids);
      const back = spec.split(',').flatMap((p) => {
        const [a, b] = p.split('-').map(Number);
        return Array.from({ length: (b ?? a) - a + 1 }, (_, i) => a + i);
      });
      expect(back).toEqual([...new Set(ids)].sort((x, y) => x - y));
      expect(spec).not.toMatch(/(\d+)-\1\b/);
    }), { seed: 25 });
    expect(arraySpec([5, 1, 2, 3, 7])).toBe('1-3,5,7');
  });

  it('parseSqueue reads SQUEUE_FORMAT lines (array tasks, plain jobs, paths with |), and skips others', () => {
    const text = ['12|12|3|RUNNING|None|node07|systolab-x|/a/slurm/sweep.sbatch', '13|13|N/A|PENDING|DependencyNeverSatisfied||systolab-x-merge|/a|b/merge.sbatch',
      'slurm_load_jobs error: Unable to contact slurm controller', ''].join('\n');
    expect(parseSqueue(text)).toEqual([
      { jobId: 12, arrayJobId: 12, arrayTask: 3, state: 'RUNNING', nodes: 'node07', name: 'systolab-x', command: '/a/slurm/sweep.sbatch' },
      { jobId: 13, state: 'PENDING', reason: 'DependencyNeverSatisfied', name: 'systolab-x-merge', command: '/a|b/merge.sbatch' },
    ]);
  });

  it('taskCount, checkTime: the defaults and the one-line errors', () => {
    expect(taskCount(undefined, 288)).toBe(1);
    expect(taskCount(undefined, 100_001)).toBe(3);
    expect(taskCount(undefined, 50_000_000)).toBe(1000);
    expect(taskCount(4, 288)).toBe(4);
    for (const bad of [0, 289, 2.5, '4']) expect(() => taskCount(bad, 288)).toThrow(/--slurm-tasks: must be an integer from 1 to the grid's 288/);
    for (const ok of ['30', '10:00', '2:00:00', '1-00', '1-2:30', '7-00:00:00']) expect(checkTime(ok)).toBe(ok);
    for (const bad of ['2h', '1:2:3:4', '', '-1']) expect(() => checkTime(bad)).toThrow(/--time: is not a Slurm time limit/);
    // The shards partition the grid.
    fc.assert(fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 300 }), (points, n) => {
      const tasks = Math.min(n, points);
      const sizes = Array.from({ length: tasks }, (_, i) => shardPoints(i + 1, tasks, points));
      expect(sizes.reduce((a, b) => a + b)).toBe(points);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }), { seed: 25 });
  });
});

describe('slurm-status', () => {
  const j = job({ tasks: 3, gridPoints: 9, systolab: ['systolab'] });
  const done = (task: number): ShardState => ({ lines: 3, status: 'complete', gridHash: j.gridHash, points: shardPoints(task, 3, 9) });
  const rec = (task: number | undefined, state: string, over: Partial<SlurmRecord> = {}): SlurmRecord => ({
    jobId: 100 + (task ?? 50), state, name: `systolab-${j.name}${task === undefined ? '-merge' : ''}`,
    command: `${j.dir}/slurm/${task === undefined ? 'merge' : 'sweep'}.sbatch`, ...(task !== undefined ? { arrayJobId: 100, arrayTask: task } : {}), ...over,
  });

  it('complete shards are done whatever Slurm says; an active task waits; a cancelled one is listed with its rerun', () => {
    const r = slurmStatus(j, [done(1), { lines: 1, status: 'running' }, { lines: 2, status: 'interrupted' }],
      [rec(1, 'CANCELLED'), rec(2, 'RUNNING', { nodes: 'node07' }), rec(3, 'CANCELLED'), rec(undefined, 'PENDING', { reason: 'DependencyNeverSatisfied' })], undefined);
    expect(r.tasks.map((t) => [t.verdict, t.done])).toEqual([['complete', 3], ['active', 1], ['unfinished', 2]]);
    expect(r.tasks[1].state).toBe('RUNNING on node07 (job 100_2)');
    expect(r.tasks[2].state).toBe('CANCELLED (job 100_3), shard interrupted');
    expect(r.complete).toBe(false);
    expect(r.rerun).toEqual([3]);
    expect(r.text).toContain('1 task(s) pending or running');
    expect(r.text).toContain('  scancel 150\n');
    // The new merge also waits for task 2, still running.
    expect(r.text).toContain(`  sbatch --dependency=afterok:$(sbatch --parsable --array=3 ${shellQuote(`${j.dir}/slurm/sweep.sbatch`)}):100_2 ${shellQuote(`${j.dir}/slurm/merge.sbatch`)}\n`);
    const none = slurmStatus(j, [done(1), done(2), undefined], [rec(3, 'FAILED')], undefined);
    expect(none.text).toContain(`--array=3 ${shellQuote(`${j.dir}/slurm/sweep.sbatch`)}) ${shellQuote(`${j.dir}/slurm/merge.sbatch`)}\n`);
    expect(none.text).not.toContain('scancel');
  });

  it('a rerun (a later array job) decides a task\'s state; a shard of another grid is not complete', () => {
    const r = slurmStatus(j, [done(1), done(2), { ...done(3), gridHash: 'other' }], [rec(3, 'CANCELLED'), rec(3, 'PENDING', { arrayJobId: 200, reason: 'Priority' })], undefined);
    expect(r.tasks[2]).toMatchObject({ verdict: 'active', state: 'PENDING, Priority (job 200_3)' });
    expect(r.rerun).toEqual([]);
  });

  it('every shard complete: merged, or "merge now"; a merge still running is not done yet', () => {
    const all = [done(1), done(2), done(3)];
    const merged = { points: 9, gridHash: j.gridHash };
    expect(slurmStatus(j, all, [], merged).text).toMatch(/merged: all 9 points/);
    expect(slurmStatus(j, all, [], merged).complete).toBe(true);
    expect(slurmStatus(j, all, [rec(undefined, 'RUNNING')], merged).text).toMatch(/merged: 9 of 9 points so far; merge job 150: RUNNING/);
    expect(slurmStatus(j, all, [], undefined).text).toContain(`Merge now:\n  sbatch ${shellQuote(`${j.dir}/slurm/merge.sbatch`)}`);
  });

  it('without squeue, or with a job Slurm no longer lists, an unfinished shard is to be rerun; relative script paths are matched by job name', () => {
    expect(slurmStatus(j, [done(1), done(2), undefined], undefined, undefined).tasks[2].state).toMatch(/squeue unavailable/);
    expect(slurmStatus(j, [done(1), done(2), undefined], [], undefined).rerun).toEqual([3]);
    const relative = rec(3, 'RUNNING', { command: 'slurm/sweep.sbatch' });
    expect(slurmStatus(j, [done(1), done(2), undefined], [relative], undefined).tasks[2].verdict).toBe('active');
    expect(slurmStatus(j, [done(1), done(2), undefined], [{ ...relative, name: 'someone-else' }], undefined).tasks[2].verdict).toBe('unfinished');
  });
});

describe('the CLI', () => {
  const systolab = (args: string[], env: Record<string, string | undefined> = process.env) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd: WORKSPACE, env, encoding: 'utf8' });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const GRID = ['sweep', '--model', 'tiny-cnn', '--array', '8x8,16x16', '--sram-kib', '16,64'];

  it('bad --slurm flags are one line, exit 2, and write nothing', () => {
    const cases: [string[], RegExp][] = [
      [['--slurm', '--shard', '1/2'], /--shard: cannot be combined with --slurm/],
      [['--submit'], /--submit: needs --slurm/],
      [['--partition', 'x'], /--partition: needs --slurm/],
      [['--slurm', '--time', '2h'], /--time: is not a Slurm time limit/],
      [['--slurm', '--slurm-tasks', '5'], /--slurm-tasks: must be an integer from 1 to the grid's 4/],
      [['--slurm', '--partition', 'a b'], /--partition: is not a partition name/],
    ];
    for (const [extra, message] of cases) {
      const out = join(tmp, `bad-${Math.random().toString(36).slice(2)}`);
      const r = systolab([...GRID, ...extra, '--out', out]);
      expect(r.code, r.err).toBe(2);
      expect(r.err.trimEnd().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(message);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('--submit without sbatch on PATH says so (exit 2); the scripts stay written; another grid in the folder is refused', () => {
    const out = join(tmp, 'no-sbatch');
    const r = systolab([...GRID, '--slurm', '--out', out, '--submit'], { ...process.env, PATH: '/nonexistent' });
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(/sbatch not found/);
    expect(existsSync(join(out, 'slurm', 'sweep.sbatch'))).toBe(true);
    const other = systolab(['sweep', '--model', 'tiny-cnn', '--array', '4x4', '--slurm', '--out', out]);
    expect(other.code).toBe(2);
    expect(other.err).toMatch(/holds a Slurm sweep of another grid/);
    const status = systolab(['slurm-status', out]);
    expect(status.code).toBe(1);
    expect(status.out).toMatch(/4 point\(s\) in 1 task\(s\), 0 done/);
    expect(systolab(['slurm-status', tmp]).err).toMatch(/is not a Slurm sweep folder/);
  });

  it('the --help examples of sweep --slurm and slurm-status work', () => {
    const help = (systolab(['sweep', '--help']).out + systolab(['slurm-status', '--help']).out).replace(/\s+/g, ' ');
    const dir = join(tmp, 'examples');
    const [sweepCmd, what] = SWEEP_EXAMPLES.find(([c]) => c.includes('--slurm'))!;
    expect(help).toContain(what);
    const w = systolab(sweepCmd.split(' ').map((a) => a.replace(/^reports\//, `${dir}/`)));
    expect(w.code, w.err).toBe(0);
    expect(w.out).toContain('#SBATCH --array=1-4');
    for (const [cmd, does] of SLURM_STATUS_EXAMPLES) {
      expect(help).toContain(does);
      const r = systolab(cmd.split(' ').map((a) => a.replace(/^reports\//, `${dir}/`)));
      expect(r.code, r.err).toBe(1); // written, not submitted: no task is complete
      expect(r.out).toMatch(/in 4 task\(s\), 0 done/);
    }
  });

  it('the scripts name `systolab` when PATH\'s systolab is this program, else this node and this bundle', () => {
    const bin = join(tmp, 'bin');
    mkdirSync(bin, { recursive: true });
    symlinkSync(CLI, join(bin, 'systolab'));
    expect(systolabInvocation(CLI, bin)).toEqual(['systolab']);
    expect(systolabInvocation(CLI, '/nonexistent')).toEqual([process.execPath, CLI]);
    const elsewhere = join(tmp, 'bin2');
    mkdirSync(elsewhere);
    writeFileSync(join(elsewhere, 'systolab'), '#!/bin/sh\n');
    chmodSync(join(elsewhere, 'systolab'), 0o755);
    expect(systolabInvocation(CLI, elsewhere)).toEqual([process.execPath, CLI]); // another systolab: not ours
  });
});

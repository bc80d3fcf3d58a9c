/**
 * Sweeps on a real single-node Slurm (test/slurm/cluster.sh: munged, slurmctld and slurmd on localhost), through the
 * bundled CLI as a user runs it:
 *   0. the harness: a 4-task job array and a job that waits for it (afterok);
 *   1. `sweep --slurm --slurm-tasks 4 --submit` (288 points): the merged results.csv and results.jsonl equal a local
 *      unsharded sweep's byte for byte;
 *   2. a running task requeued part-way (`scontrol requeue`) resumes its shard (its run.json says how many points it
 *      kept), and the merge still matches;
 *   3. a task cancelled (`scancel`): slurm-status lists it, and its printed commands (cancel the stuck merge, rerun
 *      only that task with a merge after it) complete the sweep, which matches again.
 * Each run logs its job ids, states and timings (the note quotes them). Skipped with a one-line reason where
 * slurm-wlm/munge are missing or the tests do not run as root.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';

const SCRIPT = join(import.meta.dirname, 'cluster.sh');
const missing = ['munged', 'slurmctld', 'slurmd', 'sbatch'].filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
const SKIP = missing.length > 0 ? `${missing.join(', ')} missing (apt-get install -y slurm-wlm munge); skipping the Slurm tests`
  : process.getuid?.() !== 0 ? 'the Slurm tests start slurmd, which needs root; skipping them' : '';
if (SKIP) console.warn(`test/slurm/slurm.test.ts: ${SKIP}`);

// 2 models × 2 modes × 4 arrays × 3 dataflows × 3 SRAM sizes × 2 bandwidth modes = 288 points.
const GRID = ['--model', 'tiny-cnn,resnet18', '--mode', 'inference,training', '--array', '8x8,16x16,32x32,16x64', '--dataflow', 'os,ws,is',
  '--sram-kib', '16,64,256', '--bandwidth-mode', 'calc,user'];
const GRID_POINTS = 288;
// Slow enough to requeue a task part-way: ResNet-50 on 20 arrays × 3 dataflows × 2 modes × 10 SRAM sizes × 2
// bandwidths = 2,400 points, evaluated on the full per-layer path in the cluster (SYSTOLAB_SWEEP_EVALUATION=full,
// ~5–10 ms a point; the totals-only default gives the same lines, test/sweep/totals-only.test.ts).
const ARRAYS = [4, 8, 16, 32, 64].flatMap((r) => [8, 16, 32, 64].map((c) => `${r}x${c}`)).join(',');
const SLOW_GRID = ['--model', 'resnet50', '--mode', 'inference,training', '--array', ARRAYS, '--dataflow', 'os,ws,is',
  '--sram-kib', '8,16,32,64,128,256,512,1024,2048,4096', '--dram-bytes-per-cycle', '8,32'];
const SLOW_POINTS = 2400;

describe.skipIf(SKIP !== '')(`a single-node Slurm on localhost${SKIP ? ` — SKIPPED: ${SKIP}` : ''}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'systolab-slurm-'));
  const cwd = mkdtempSync(join(tmpdir(), 'systolab-slurm-cwd-'));
  const env = { ...process.env, SLURM_CONF: join(dir, 'slurm.conf') };
  const t0 = Date.now();
  const log = (msg: string) => console.log(`[slurm ${((Date.now() - t0) / 1e3).toFixed(1)} s] ${msg}`);
  beforeAll(() => { execFileSync('bash', [SCRIPT, 'start', dir], { encoding: 'utf8', timeout: 60_000 }); log(`cluster up (${dir})`); }, 70_000);
  afterAll(() => { spawnSync('bash', [SCRIPT, 'stop', dir]); });

  const systolab = (args: string[], extraEnv: Record<string, string> = {}) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env: { ...env, ...extraEnv }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const sh = (line: string) => execFileSync('bash', ['-c', line], { cwd, env, encoding: 'utf8' }).trim();
  /** Every job and array task of ours: "ARRAY_TASK" or "JOB" → state. */
  const states = (): Map<string, string> => {
    const m = new Map<string, string>();
    for (const l of sh("squeue --states=all --array --noheader --format='%F|%K|%T|%r'").split('\n')) {
      const [job, task, state] = l.split('|');
      if (job) m.set(task === 'N/A' ? job : `${job}_${task}`, state);
    }
    return m;
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  async function until<T>(what: string, f: () => T | undefined, timeoutMs: number): Promise<T> {
    const start = Date.now();
    for (;;) {
      const v = f();
      if (v !== undefined && v !== false) return v;
      if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; squeue: ${JSON.stringify([...states()])}`);
      await sleep(200);
    }
  }
  const DONE = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'OUT_OF_MEMORY', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE']);
  const finished = (job: string) => (DONE.has(states().get(job) ?? '') ? states().get(job) : undefined);
  const submitted = (out: string) => {
    const m = /submitted: job array (\d+) \(tasks 1-(\d+)\), merge job (\d+)/.exec(out);
    expect(m, out).not.toBeNull();
    return { array: m![1], tasks: Number(m![2]), merge: m![3] };
  };
  const file = (d: string, f: string) => readFileSync(join(d, f), 'utf8');
  const run = (d: string) => JSON.parse(file(d, 'run.json')) as Record<string, unknown>;
  const lineCount = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').length - 1 : 0);
  /** The local unsharded reference of a grid. */
  const reference = (name: string, grid: string[]) => {
    const out = join(cwd, name);
    const r = systolab(['sweep', ...grid, '--out', out, '--no-report']);
    expect(r.code, r.err).toBe(0);
    return out;
  };
  const expectSame = (job: string, ref: string, points: number) => {
    expect(run(job)).toMatchObject({ status: 'merged', points });
    expect(file(job, 'results.csv')).toBe(file(ref, 'results.csv'));
    expect(file(job, 'results.jsonl')).toBe(file(ref, 'results.jsonl'));
    expect(file(job, 'results.jsonl').split('\n').length - 1).toBe(points);
    expect(existsSync(join(job, 'index.html'))).toBe(true); // the merge draws the report
  };
  const taskStates = (array: string, tasks: number) => Array.from({ length: tasks }, (_, i) => `${i + 1}:${states().get(`${array}_${i + 1}`) ?? 'not listed'}`).join(' ');

  it('runs a 4-task job array and a job that waits for it (afterok)', async () => {
    const script = join(dir, 'array.sh');
    writeFileSync(script, `#!/bin/bash\n#SBATCH --array=1-4 --output=${dir}/task-%a.out\necho "$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT"\n`);
    const array = sh(`sbatch --parsable ${script}`);
    const after = sh(`sbatch --parsable --dependency=afterok:${array} --output=${dir}/after.out --wrap 'cat ${dir}/task-*.out'`);
    expect(await until(`job ${after}`, () => finished(after), 60_000)).toBe('COMPLETED');
    expect(readFileSync(join(dir, 'after.out'), 'utf8').trim().split('\n').sort()).toEqual(['1/4', '2/4', '3/4', '4/4']);
  }, 90_000);

  const ref = { grid: '', slow: '' };
  it('a 4-task Slurm sweep of 288 points: the merged results.csv and results.jsonl equal a local unsharded sweep, byte for byte', async () => {
    ref.grid = reference('ref', GRID);
    const out = join(cwd, 'job1');
    const r = systolab(['sweep', ...GRID, '--slurm', '--slurm-tasks', '4', '--out', out, '--submit']);
    expect(r.code, r.err).toBe(0);
    const ids = submitted(r.out);
    log(`run 1: array job ${ids.array} (4 tasks), merge job ${ids.merge} submitted`);
    expect(await until(`merge job ${ids.merge}`, () => finished(ids.merge), 120_000)).toBe('COMPLETED');
    log(`run 1: tasks ${taskStates(ids.array, 4)}; merge ${ids.merge} COMPLETED`);
    expectSame(out, ref.grid, GRID_POINTS);
    const status = systolab(['slurm-status', out]);
    expect(status.code, status.out).toBe(0);
    expect(status.out).toMatch(new RegExp(`merged: all ${GRID_POINTS} points`));
    expect(readFileSync(join(out, 'slurm', 'logs', `merge-${ids.merge}.out`), 'utf8')).toMatch(/288 of the grid's 288 points/);
  }, 180_000);

  it('a task requeued part-way (scontrol requeue) resumes its shard, and the merge still matches', async () => {
    ref.slow = reference('ref-slow', SLOW_GRID);
    const out = join(cwd, 'job2');
    const r = systolab(['sweep', ...SLOW_GRID, '--slurm', '--slurm-tasks', '4', '--out', out, '--submit'], { SYSTOLAB_SWEEP_EVALUATION: 'full' });
    expect(r.code, r.err).toBe(0);
    const ids = submitted(r.out);
    log(`run 2: array job ${ids.array} (4 tasks, ${SLOW_POINTS} points), merge job ${ids.merge} submitted`);
    // Task 1 once it has written some of its 600 points and is still running.
    const shard1 = join(out, 'shards', '1');
    const kept = await until('task 1 part-way', () => {
      const n = lineCount(join(shard1, 'results.jsonl'));
      return n > 0 && states().get(`${ids.array}_1`) === 'RUNNING' ? n : undefined;
    }, 120_000);
    sh(`scontrol requeue ${ids.array}_1`);
    log(`run 2: task ${ids.array}_1 requeued with ${kept} of 600 points written`);
    // A requeued job may start again only after a delay (BeginTime, about 2 minutes): start it now.
    await until('task 1 back in the queue', () => states().get(`${ids.array}_1`) === 'PENDING', 60_000);
    sh(`scontrol update JobId=${ids.array}_1 StartTime=now`);
    expect(await until(`merge job ${ids.merge}`, () => finished(ids.merge), 240_000)).toBe('COMPLETED');
    log(`run 2: tasks ${taskStates(ids.array, 4)}; merge ${ids.merge} COMPLETED`);
    const shard = run(shard1);
    log(`run 2: shard 1 run.json: resumed ${shard.resumed}, evaluated ${shard.evaluated} of ${shard.points}`);
    expect(shard.status).toBe('complete');
    expect(shard.resumed as number).toBeGreaterThanOrEqual(kept); // the first run's points were kept, not redone
    expect(shard.evaluated as number).toBeGreaterThan(0);
    expect((shard.resumed as number) + (shard.evaluated as number)).toBe(600);
    const taskLog = readFileSync(join(out, 'slurm', 'logs', `sweep-${ids.array}_1.out`), 'utf8');
    expect(taskLog).toMatch(/restart 0\)/);
    expect(taskLog).toMatch(/restart 1\)/);
    expect(taskLog).toMatch(/interrupted: finishing the points in flight/); // SIGTERM: stopped cleanly
    expectSame(out, ref.slow, SLOW_POINTS);
  }, 420_000);

  it('a cancelled task (scancel) is listed by slurm-status, and its printed rerun and merge commands complete the sweep', async () => {
    const out = join(cwd, 'job3');
    const r = systolab(['sweep', ...GRID, '--slurm', '--slurm-tasks', '4', '--out', out, '--submit']);
    expect(r.code, r.err).toBe(0);
    const ids = submitted(r.out);
    sh(`scancel ${ids.array}_3`);
    log(`run 3: array job ${ids.array}, merge job ${ids.merge} submitted; task ${ids.array}_3 cancelled`);
    // The other three finish; task 3 ends CANCELLED, or, cancelled while still pending, leaves squeue altogether.
    await until('the other tasks', () => [1, 2, 3, 4].every((t) => t === 3 ? !['PENDING', 'RUNNING', 'COMPLETING'].includes(states().get(`${ids.array}_3`) ?? '')
      : DONE.has(states().get(`${ids.array}_${t}`) ?? '')), 120_000);
    log(`run 3: tasks ${taskStates(ids.array, 4)}; merge ${ids.merge} ${states().get(ids.merge)}`);
    expect(states().get(ids.merge)).toBe('PENDING'); // afterok can no longer be met: the merge waits for ever
    const status = systolab(['slurm-status', out]);
    log(`run 3: slurm-status (exit ${status.code}):\n${status.out}`);
    expect(status.code, status.out).toBe(1);
    expect(status.out).toMatch(/1 task\(s\) did not finish \(3\)/);
    expect(status.out).toMatch(new RegExp(`^ +3 +72 +0 +(CANCELLED \\(job ${ids.array}_3\\)|not complete, and Slurm does not list it \\(cancelled while pending)`, 'm'));
    for (const t of [1, 2, 4]) expect(status.out).toMatch(new RegExp(`^ +${t} +72 +72 +complete$`, 'm'));
    const commands = status.out.split('\n').filter((l) => /^ {2}(scancel|sbatch) /.test(l)).map((l) => l.trim());
    expect(commands).toEqual([`scancel ${ids.merge}`, expect.stringMatching(/^sbatch --dependency=afterok:\$\(sbatch --parsable --array=3 /)]);
    const printed = commands.map((c) => sh(c)).at(-1)!;
    const newMerge = /^Submitted batch job (\d+)$/.exec(printed)?.[1];
    expect(newMerge, printed).toBeDefined();
    log(`run 3: ran "${commands[0]}" and the rerun line: ${printed}`);
    expect(await until(`the resubmitted merge ${newMerge}`, () => finished(newMerge!), 120_000)).toBe('COMPLETED');
    expect(states().get(ids.merge)).toBe('CANCELLED');
    const again = await until('slurm-status to say complete', () => {
      const s = systolab(['slurm-status', out]);
      return s.code === 0 && /merged: all/.test(s.out) ? s.out : undefined;
    }, 60_000);
    log(`run 3: after the rerun:\n${again}`);
    expect(again).toMatch(new RegExp(`^ +3 +72 +72 +complete`, 'm'));
    expectSame(out, ref.grid, GRID_POINTS);
  }, 300_000);

  it('stopping the cluster leaves no daemon, job step or job process behind', async () => {
    execFileSync('bash', [SCRIPT, 'stop', dir]);
    // Processes started with this cluster's paths (munged, slurmctld, slurmd) or carrying its SLURM_CONF (job steps, jobs).
    const ours = () => readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid).filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(`${dir}/`) || readFileSync(`/proc/${p}/environ`, 'utf8').split('\0').includes(`SLURM_CONF=${dir}/slurm.conf`);
      } catch {
        return false; // gone meanwhile
      }
    });
    const start = Date.now();
    while (ours().length > 0 && Date.now() - start < 10_000) await sleep(200);
    expect(ours().map((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' '))).toEqual([]);
  }, 20_000);
});

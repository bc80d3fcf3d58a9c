/**
 * Sweep output folders through the bundled CLI in temp folders: one sweep per --out (two at once: one refuses with
 * one line, exit 2, and the folder holds every point once); a stale lock of a dead pid is taken over and said so; a
 * run.json left "running" by a killed sweep is read as interrupted; run.json says "failed" when a sweep fails; an
 * unwritable --out is one line naming the path; temp files of killed writes are cleaned and never read; a model
 * file with commas in its name is one model.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pidAlive, removeStaleTemps, tempName, writeError, writeFileAtomic } from '../../sim/base/files.js';
import { SimError } from '../../sim/base/errors.js';
import { LOCK_FILE, effectiveStatus, holderAlive, lockOut, readLock } from '../../sim/sweep/lock.js';
import { executeSweep, planSweep } from '../../sim/sweep/run.js';
import { CLI, ROOT, systolab } from '../helpers/cli.js';

const folder = () => mkdtempSync(join(tmpdir(), 'systolab-out-'));
const resultLines = (dir: string) => readFileSync(join(dir, 'results.jsonl'), 'utf8').split('\n').filter((l) => l !== '');
const runJson = (dir: string) => JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as { status: string; error?: string };
/** A pid that surely does not run: a child that has exited. */
function deadPid(): number {
  const r = spawn(process.execPath, ['-e', '0']);
  const pid = r.pid!;
  return pid;
}
const waitExit = (pid: number) => new Promise<void>((done) => {
  const poll = () => (pidAlive(pid) ? setTimeout(poll, 20) : done());
  poll();
});
const oneLine = (err: string) => err.trimEnd().split('\n').filter((l) => l.startsWith('systolab:'));
const GRID = ['--model', 'resnet50', '--array', '8x8,16x16,32x32,8x32', '--dataflow', 'os,ws,is', '--sram-kib', '16,64,256', '--jobs', '1'];

describe('one sweep per --out', () => {
  it('two sweeps on one --out at once: one exits 0, the other 2 with one line; every point once', async () => {
    const cwd = folder();
    const run = () => new Promise<{ code: number | null; err: string }>((done) => {
      const c = spawn(process.execPath, [CLI, 'sweep', ...GRID, '--out', 'o'], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      c.stderr.on('data', (d: Buffer) => (err += d.toString()));
      c.on('close', (code) => done({ code, err }));
    });
    const [a, b] = await Promise.all([run(), run()]);
    const codes = [a.code, b.code].sort();
    expect(codes).toEqual([0, 2]);
    const refused = a.code === 2 ? a : b;
    expect(oneLine(refused.err)).toHaveLength(1);
    expect(refused.err).toMatch(/o[\\/](sweep\.lock: is held by another sweep|results\.jsonl: already holds sweep results)/);
    const ids = resultLines(join(cwd, 'o')).map((l) => (JSON.parse(l) as { id: string }).id);
    expect(ids).toHaveLength(36);
    expect(new Set(ids).size).toBe(36);
    expect(existsSync(join(cwd, 'o', LOCK_FILE))).toBe(false);
  });

  it('a live holder refuses --resume too (one line naming the lock and the pid); a dead one is taken over, said so', () => {
    const cwd = folder();
    mkdirSync(join(cwd, 'o'));
    writeFileSync(join(cwd, 'o', LOCK_FILE), JSON.stringify({ pid: process.pid, host: hostname(), startedAt: 'now' }));
    const r = systolab(['sweep', '--model', 'tiny-cnn', '--jobs', '1', '--out', 'o', '--resume'], cwd);
    expect(r.code).toBe(2);
    expect(r.err.trimEnd().split('\n')).toEqual([expect.stringContaining(`sweep.lock: is held by another sweep or merge (pid ${process.pid}`)]);
    expect(systolab(['merge', 'o', '--out', 'o'], cwd).code).toBe(2);
  });

  it('a stale lock and a run.json left "running" (SIGKILL): --resume takes over, says so, and ends complete', async () => {
    const cwd = folder();
    expect(systolab(['sweep', '--model', 'tiny-cnn', '--array', '8x8,16x16', '--jobs', '1', '--out', 'o'], cwd).code).toBe(0);
    const pid = deadPid();
    await waitExit(pid);
    writeFileSync(join(cwd, 'o', LOCK_FILE), JSON.stringify({ pid, host: hostname(), startedAt: 'then' }));
    writeFileSync(join(cwd, 'o', 'run.json'), JSON.stringify({ status: 'running' }));
    expect(effectiveStatus(join(cwd, 'o'), 'running').status).toBe('interrupted');
    const report = systolab(['report', 'o'], cwd);
    expect(report.code).toBe(0);
    const r = systolab(['sweep', '--model', 'tiny-cnn', '--array', '8x8,16x16', '--jobs', '1', '--out', 'o', '--resume'], cwd);
    expect(r.code).toBe(0);
    expect(r.err).toContain(`was left by pid ${pid}, which no longer runs: taken over`);
    expect(r.err).toContain('counts as interrupted; resuming it');
    expect(runJson(join(cwd, 'o')).status).toBe('complete');
    expect(resultLines(join(cwd, 'o'))).toHaveLength(2);
  });

  it('mutation: effectiveStatus with a live holder stays "running"; lockOut twice in one folder is refused', () => {
    const dir = folder();
    const lock = lockOut(dir);
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: process.ppid, host: hostname(), startedAt: 'x' }));
    expect(effectiveStatus(dir, 'running').status).toBe('running');
    expect(() => lockOut(dir)).toThrow(/is held by another sweep/);
    lock.release();
  });
});

describe('a lock left by an earlier run of the same Slurm job', () => {
  // Slurm runs one instance of a job at a time, so a requeued task may take over its own earlier run's lock, even one
  // that ran on another node; any other holder elsewhere still counts as alive.
  const other = { pid: process.pid, host: `${hostname()}-elsewhere`, startedAt: '2026-01-01T00:00:00.000Z' };
  it('an earlier restart of this job is not alive; the same restart, another job, or no Slurm job stays alive', () => {
    const env = { SLURM_JOB_ID: '42', SLURM_RESTART_COUNT: '1' };
    expect(holderAlive({ ...other, slurmJob: '42', slurmRestart: 0 }, env)).toBe(false);
    expect(holderAlive({ ...other, slurmJob: '42', slurmRestart: 1 }, env)).toBe(true);
    expect(holderAlive({ ...other, slurmJob: '43', slurmRestart: 0 }, env)).toBe(true);
    expect(holderAlive({ ...other }, env)).toBe(true);
    expect(holderAlive({ ...other, slurmJob: '42', slurmRestart: 0 }, {})).toBe(true);
  });
  it('the lock records the job and restart count, and --resume in a requeued run takes the folder over', () => {
    const dir = mkdtempSync(join(tmpdir(), 'systolab-slurm-lock-'));
    writeFileSync(join(dir, LOCK_FILE), `${JSON.stringify({ ...other, slurmJob: '42', slurmRestart: 0 })}\n`);
    expect(readLock(dir)).toEqual({ ...other, slurmJob: '42', slurmRestart: 0 });
    const env = { ...process.env, SLURM_JOB_ID: '42', SLURM_RESTART_COUNT: '1' };
    const r = spawnSync(process.execPath, [CLI, 'sweep', '--model', 'tiny-cnn', '--array', '8x8', '--out', dir, '--resume', '--no-report'], { env, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/which no longer runs: taken over/);
    expect(existsSync(join(dir, 'index.html'))).toBe(false); // --no-report: tables only
    expect(existsSync(join(dir, 'results.csv'))).toBe(true);
    // Without the Slurm job, the same lock on another host is refused.
    writeFileSync(join(dir, LOCK_FILE), `${JSON.stringify({ ...other, slurmJob: '42', slurmRestart: 0 })}\n`);
    const refused = systolab(['sweep', '--model', 'tiny-cnn', '--array', '8x8', '--out', dir, '--resume']);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/is held by another sweep/);
  });
});

describe('run.json and unwritable folders', () => {
  it('a failing point leaves run.json "failed" with the error, and frees the folder', async () => {
    const out = join(folder(), 'o');
    const plan = planSweep({ models: ['tiny-cnn'], arrays: ['8x8', '16x16'] }, { jobs: 1, out });
    // Fault: the second point names a model that does not exist, so the sweep fails part-way.
    const points = plan.points.map((p, i) => (i === 1 ? { ...p, params: { ...p.params, model: 'no-such-model' } } : p));
    await expect(executeSweep({ ...plan, points })).rejects.toThrow(/no-such-model/);
    expect(runJson(out).status).toBe('failed');
    expect(runJson(out).error).toMatch(/no-such-model/);
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);
    await executeSweep({ ...plan, resume: true });
    expect(runJson(out).status).toBe('complete');
  });

  it('--out under a file, and under /proc (where Node\'s recursive mkdir never returns), is one line naming the path, exit 2', () => {
    const cwd = folder();
    writeFileSync(join(cwd, 'f'), 'x');
    for (const out of ['f/o', '/proc/systolab-test/o']) {
      const r = systolab(['sweep', '--model', 'tiny-cnn', '--jobs', '1', '--out', out], cwd);
      expect(r.code).toBe(2);
      expect(r.err.trimEnd().split('\n')).toEqual([expect.stringMatching(new RegExp(`^systolab: ${out.replace(/\//g, '\\/')}.*: cannot be written: `))]);
      expect(r.err).not.toContain('internal error');
    }
  });

  it('writeError: ENOSPC and EROFS name the path; other errors pass through (mutation: no code → unchanged)', () => {
    const nospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const e = writeError(nospc, 'out/results.csv') as SimError;
    expect(e).toBeInstanceOf(SimError);
    expect(e.message).toBe('out/results.csv: cannot be written: no space left on the disk. Choose another --out folder, or free space / fix the permissions.');
    expect((writeError(Object.assign(new Error('x'), { code: 'EROFS' }), 'o') as SimError).code).toBe('cannotWrite');
    const plain = new TypeError('bug');
    expect(writeError(plain, 'o')).toBe(plain);
  });
});

describe('temp files', () => {
  it('writeFileAtomic writes through a dot-named temp; a dead pid\'s temp is removed, a live one kept', async () => {
    const dir = folder();
    writeFileAtomic(join(dir, 'a.json'), '1');
    expect(readdirSync(dir)).toEqual(['a.json']);
    const pid = deadPid();
    await waitExit(pid);
    const stale = tempName(join(dir, 'results.csv'), pid);
    const live = tempName(join(dir, 'summary.json'), process.ppid);
    writeFileSync(stale, 'half');
    writeFileSync(live, 'in progress');
    expect(stale).toMatch(/[\\/]\.results\.csv\.\d+\.systolab-tmp$/);
    expect(removeStaleTemps(dir)).toEqual([stale.split(/[\\/]/).pop()]);
    expect(existsSync(live)).toBe(true);
  });

  it('a sweep cleans the temps a killed run left in its --out, and report ignores them', async () => {
    const cwd = folder();
    expect(systolab(['sweep', '--model', 'tiny-cnn', '--jobs', '1', '--out', 'o'], cwd).code).toBe(0);
    const pid = deadPid();
    await waitExit(pid);
    writeFileSync(tempName(join(cwd, 'o', 'results.jsonl'), pid), '{"garbage"');
    expect(systolab(['report', 'o'], cwd).code).toBe(0);
    expect(systolab(['sweep', '--model', 'tiny-cnn', '--jobs', '1', '--out', 'o', '--resume'], cwd).code).toBe(0);
    expect(readdirSync(join(cwd, 'o')).filter((n) => n.endsWith('.systolab-tmp'))).toEqual([]);
  });
});

describe('model paths with commas', () => {
  it('--model "a,b.yaml" (an existing file) is one model; a comma list of built-ins is still two', () => {
    const cwd = folder();
    writeFileSync(join(cwd, 'a,b.yaml'), readFileSync(join(ROOT, 'models', 'tiny-cnn.yaml')));
    const r = systolab(['sweep', '--model', 'a,b.yaml', '--jobs', '1', '--out', 'o'], cwd);
    expect(r.code).toBe(0);
    expect(resultLines(join(cwd, 'o')).map((l) => (JSON.parse(l) as { params: { model: string } }).params.model)).toEqual(['a,b.yaml']);
    const two = systolab(['sweep', '--model', 'tiny-cnn,perceptron', '--jobs', '1', '--out', 'o2'], cwd);
    expect(two.code).toBe(0);
    expect(resultLines(join(cwd, 'o2'))).toHaveLength(2);
  });
});

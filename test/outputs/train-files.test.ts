/**
 * `train` writes history.json, model.json and training.json together or not at all (base/files.ts
 * writeFilesTogether: a sibling temp folder swapped into place). SIGKILL at three random times during a second train into
 * the same --out leaves the first run's three files or the second's, never a mix; the leftovers of a kill between the
 * two renames are put right by the next write (recoverFolderSwap).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pidAlive, recoverFolderSwap, writeFilesTogether } from '../../sim/base/files.js';
import { CLI, systolab } from '../helpers/cli.js';

const RUN_FILES = ['history.json', 'model.json', 'training.json'];
const TRAIN = ['train', '--model', 'pass-fail-mlp', '--dataset', 'pass-fail', '--optimizer', 'adam', '--lr', '0.05'];
const A = [...TRAIN, '--epochs', '20'], B = [...TRAIN, '--epochs', '60'];
const folder = () => mkdtempSync(join(tmpdir(), 'systolab-train-files-'));
const triple = (dir: string) => RUN_FILES.map((f) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8') : undefined));

/** Which run a folder holds: 'A', 'B', or 'mixed' (files of different runs, or some missing). */
function runOf(dir: string, refs: Record<'A' | 'B', (string | undefined)[]>): 'A' | 'B' | 'mixed' {
  const t = triple(dir);
  for (const k of ['A', 'B'] as const) if (t.every((x, i) => x === refs[k][i])) return k;
  return 'mixed';
}

/** Deterministic delays (a linear congruential generator, seed 19). */
function delays(n: number, lo: number, hi: number): number[] {
  let s = 19;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return lo + (s / 2 ** 31) * (hi - lo);
  });
}

describe('train writes a run\'s files together', () => {
  const cwd = folder();
  const refs = { A: [] as (string | undefined)[], B: [] as (string | undefined)[] };

  it('reference runs (uninterrupted): A\'s history and model differ from B\'s', () => {
    expect(systolab([...A, '--out', 'refA'], cwd).code).toBe(0);
    expect(systolab([...B, '--out', 'refB'], cwd).code).toBe(0);
    refs.A = triple(join(cwd, 'refA'));
    refs.B = triple(join(cwd, 'refB'));
    expect(refs.A.every((x) => x !== undefined)).toBe(true);
    expect(refs.A[0]).not.toBe(refs.B[0]); // history.json
    expect(refs.A[1]).not.toBe(refs.B[1]); // model.json (training.json names the data and split, the same for both)
  });

  it('mutation: the check flags a folder holding B\'s history beside A\'s model (what two separate renames left)', () => {
    const dir = join(cwd, 'mixed');
    mkdirSync(dir);
    writeFileSync(join(dir, 'history.json'), refs.B[0]!);
    writeFileSync(join(dir, 'model.json'), refs.A[1]!);
    writeFileSync(join(dir, 'training.json'), refs.A[2]!);
    expect(runOf(dir, refs)).toBe('mixed');
    expect(runOf(join(cwd, 'refA'), refs)).toBe('A');
  });

  it('SIGKILL at random times during train B over train A\'s folder: A or B whole, never a mix', async () => {
    expect(systolab([...A, '--out', 'o'], cwd).code).toBe(0);
    const t0 = performance.now();
    expect(systolab([...B, '--out', 'timing'], cwd).code).toBe(0);
    const ms = performance.now() - t0;
    const seen: string[] = [];
    for (const delay of delays(3, 0.3 * ms, 1.1 * ms)) {
      const child = spawn(process.execPath, [CLI, ...B, '--out', 'o'], { cwd, stdio: 'ignore' });
      // Listen before the delay: a run that ends first (a late kill) has closed before a later listener would attach.
      const closed = new Promise((r) => child.on('close', r));
      await new Promise((r) => setTimeout(r, delay));
      child.kill('SIGKILL');
      await closed;
      recoverFolderSwap(join(cwd, 'o')); // what the next train does first
      const state = runOf(join(cwd, 'o'), refs);
      seen.push(state);
      expect(state).not.toBe('mixed');
      expect(readdirSync(cwd).filter((n) => n.includes('systolab-tmp') && !pidAlive(Number(n.split('.')[2])))).toEqual([]);
    }
    expect(seen.length).toBe(3);
  }, 180_000); // five train runs: up to a minute on a loaded 2-core machine
});

describe('writeFilesTogether / recoverFolderSwap (in-process)', () => {
  const pidOfDead = 2 ** 22 + 17; // above Linux's pid_max default: never a running process
  it('a kill between the two renames (no folder, the previous run aside): the previous run comes back whole', () => {
    const parent = folder();
    const target = join(parent, 'o');
    const aside = join(parent, `.o.${pidOfDead}.old.systolab-tmp`), fresh = join(parent, `.o.${pidOfDead}.new.systolab-tmp`);
    mkdirSync(aside);
    mkdirSync(fresh);
    for (const f of RUN_FILES) writeFileSync(join(aside, f), `old ${f}`);
    writeFileSync(join(fresh, 'history.json'), 'half-written');
    expect(recoverFolderSwap(target)).toHaveLength(2);
    expect(readdirSync(parent)).toEqual(['o']);
    expect(RUN_FILES.map((f) => readFileSync(join(target, f), 'utf8'))).toEqual(RUN_FILES.map((f) => `old ${f}`));
  });

  it('the new run replaces the old; entries only the old folder had (charts/) move over', () => {
    const parent = folder();
    const target = join(parent, 'o');
    writeFilesTogether(target, { 'history.json': '1', 'model.json': '1' });
    mkdirSync(join(target, 'charts'));
    writeFileSync(join(target, 'charts', 'loss.svg'), 'svg');
    writeFilesTogether(target, { 'history.json': '2', 'model.json': '2' });
    expect(readdirSync(parent)).toEqual(['o']);
    expect(readFileSync(join(target, 'history.json'), 'utf8')).toBe('2');
    expect(readFileSync(join(target, 'charts', 'loss.svg'), 'utf8')).toBe('svg');
  });

  it('mutation: a live process\'s leftovers are not touched', () => {
    const parent = folder();
    const live = join(parent, '.o.1.old.systolab-tmp'); // pid 1 (init) always runs
    mkdirSync(live);
    expect(recoverFolderSwap(join(parent, 'o'))).toEqual([]);
    expect(existsSync(live)).toBe(true);
  });
});

/**
 * Same input, same bytes: the same simulation in ≥ 50 fresh processes prints identical output, in --compat scalesim
 * and in default mode — and the same bytes as with V8's optimizing compiler off (--no-opt) or on one thread, so that
 * no JIT tier or compile timing can change a number. The compat case is the one that once gave 6,273 instead of
 * 6,272 DRAM filter reads in a few processes out of 200 (conv7x7s2_pair, 8×32 ws, 8 kB, CALC).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WORKSPACE } from '../helpers/cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'systolab.cjs');
const LARGE = join(ROOT, 'test', 'fixtures', 'scalesim', 'large');
const PROCESSES = 50;

/** node [flags] argv → stdout. */
function node(argv: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { cwd: WORKSPACE });
    let out = '', err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${err}`))));
  });
}

/** Runs `count` fresh processes, two at a time; returns how many times each distinct output occurred. */
const run = (args: readonly string[], nodeFlags: readonly string[] = []) => node([...nodeFlags, CLI, ...args]);

async function outputs(argv: readonly string[], count: number): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const out = await node(argv);
      seen.set(out, (seen.get(out) ?? 0) + 1);
    }
  };
  await Promise.all([worker(), worker()]);
  return seen;
}

const CASES: [string, string[]][] = [
  ['--compat scalesim, conv7x7s2_pair on 8×32 ws 8 kB CALC', ['simulate', '--model', join(LARGE, 'topologies', 'conv7x7s2_pair.csv'), '--hw', join(LARGE, 'configs', '8x32_ws_8k_calc.cfg'), '--compat', 'scalesim', '--format', 'json']],
  ['default mode, the README\'s main job (ResNet-18 on scalesim-32x32)', ['simulate', '--format', 'json']],
];

describe(`identical bytes in ${PROCESSES} fresh processes, and with the JIT off`, () => {
  for (const [name, args] of CASES) {
    it(name, async () => {
      const seen = await outputs([CLI, ...args], PROCESSES);
      expect([...seen.values()], 'distinct outputs (count of each)').toEqual([PROCESSES]);
      const [only] = seen.keys();
      expect(JSON.parse(only).layers.length).toBeGreaterThan(0);
      for (const flags of [['--no-opt'], ['--single-threaded']]) expect(await run(args, flags), flags.join(' ')).toBe(only);
    }, 240_000);
  }
});

it('the check sees a difference between processes when there is one', async () => {
  const seen = await outputs(['-e', 'console.log(process.pid)'], 4);
  expect(seen.size).toBe(4);
});

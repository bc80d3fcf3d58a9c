/**
 * `systolab` as a user gets it: the packed package (`npm pack`) installed globally into a temp prefix, offline, then
 * run from a folder that is not the checkout — built-in models, presets and energy tables must come from the
 * installed package, outputs land in the working folder. npm resolves an installed tarball's dependency ranges from
 * registry metadata that `npm ci` alone does not cache, so `.ci/run` fills the cache with one online install first;
 * where the cache lacks a package (a machine that never did), the test skips itself and says so in one line.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

const npm = (args: string[], cwd: string) => spawnSync('npm', ['--no-audit', '--no-fund', '--loglevel', 'error', ...args], { cwd, encoding: 'utf8' });

/** Packs the built checkout and installs it offline into a temp prefix: the bin, or why it could not. */
function install(): { bin?: string; reason?: string; error?: string } {
  const dir = mkdtempSync(join(tmpdir(), 'systolab-install-'));
  const pack = npm(['pack', '--ignore-scripts', '--pack-destination', dir], ROOT);
  if (pack.status !== 0) return { reason: `npm pack failed: ${pack.stderr.trim().split('\n')[0]}` };
  const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
  const prefix = join(dir, 'prefix');
  const r = npm(['install', '-g', '--offline', '--prefix', prefix, join(dir, tgz)], dir);
  if (r.status !== 0) {
    const missing = /request to \S+\/([^/\s]+) failed: cache mode is 'only-if-cached'/.exec(r.stderr);
    if (missing) return { reason: `npm's cache lacks ${decodeURIComponent(missing[1])} (run .ci/run's cache step online once)` };
    return { error: r.stderr };
  }
  return { bin: join(prefix, 'bin', 'systolab') };
}

const installed = install();
if (installed.reason) console.log(`install.test: skipped: ${installed.reason}`);

describe.skipIf(installed.reason !== undefined)('npm pack → npm install -g --offline → systolab in any folder', () => {
  const run = (args: string[], cwd: string) => spawnSync(installed.bin!, args, { cwd, encoding: 'utf8' });

  it('installs (a failure that is not a missing cache entry fails here)', () => {
    expect(installed.error).toBeUndefined();
    expect(existsSync(installed.bin!)).toBe(true);
  });

  it('sweep --slurm from the global install names `systolab` in its scripts, and the scripts run (task by task, then the merge)', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'systolab-user-'));
    const env = { ...process.env, PATH: `${dirname(installed.bin!)}${delimiter}${process.env.PATH ?? ''}` };
    const w = spawnSync('systolab', ['sweep', '--model', 'tiny-cnn', '--array', '8x8,16x16', '--slurm', '--slurm-tasks', '2', '--out', 'job'], { cwd, env, encoding: 'utf8' });
    expect(w.status, w.stderr).toBe(0);
    const script = readFileSync(join(cwd, 'job', 'slurm', 'sweep.sbatch'), 'utf8');
    expect(script).toMatch(/^systolab=\(systolab\)$/m);
    // What Slurm would do, without Slurm: each array task, then the merge (its slurm-status finds every shard complete).
    for (const task of ['1', '2']) {
      const t = spawnSync('bash', [join(cwd, 'job', 'slurm', 'sweep.sbatch')], { cwd, env: { ...env, SLURM_ARRAY_TASK_ID: task }, encoding: 'utf8' });
      expect(t.status, t.stderr).toBe(0);
    }
    const m = spawnSync('bash', [join(cwd, 'job', 'slurm', 'merge.sbatch')], { cwd, env, encoding: 'utf8' });
    expect(m.status, m.stderr).toBe(0);
    expect(m.stdout).toMatch(/merged: all 2 points/);
    expect(readFileSync(join(cwd, 'job', 'results.csv'), 'utf8').split('\n')).toHaveLength(4); // header, 2 rows, ''
  });

  it('systolab hw lists the shipped presets from a temp folder', () => {
    const r = run(['hw'], mkdtempSync(join(tmpdir(), 'systolab-user-')));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/scalesim-32x32/);
    expect(r.stdout).toMatch(/tpu-v1/);
  });

  it('systolab simulate runs the default model and writes its report into the working folder', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'systolab-user-'));
    const r = run(['simulate'], cwd);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/scalesim-resnet18/);
    expect(existsSync(join(cwd, 'reports', 'simulate-scalesim-resnet18-scalesim-32x32-inference', 'index.html'))).toBe(true);
    // a shipped file named by its path in the README also resolves from the package; a user's path from the folder
    expect(run(['simulate', '--model', 'models/tiny-cnn.yaml', '--hw', 'hw-configs/tpu-v1.yaml', '--format', 'json'], cwd).status).toBe(0);
    const missing = run(['simulate', '--model', 'mine.yaml'], cwd);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/mine\.yaml: file not found/);
  });

  it('the lab\'s example design ships: rtl lab prints its installed path, and rtl check finds it by its README path', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'systolab-user-'));
    const lab = run(['rtl', 'lab', '--gemm', '4x4x4', '--out', 'p'], cwd);
    expect(lab.status, lab.stderr).toBe(0);
    const printed = /systolab rtl check --dut (\S+systolic_array\.v)/.exec(lab.stdout)?.[1];
    expect(printed !== undefined && existsSync(printed), lab.stdout).toBe(true);
    const check = run(['rtl', 'check', '--dut', 'sim/rtl/lab-example/systolic_array.v', '--patterns', 'p'], cwd);
    // Without Icarus the command says so (exit 2); with it, the example passes.
    expect(check.status === 0 || /iverilog \(Icarus Verilog\) is not installed/.test(check.stderr), check.stdout + check.stderr).toBe(true);
  });
});

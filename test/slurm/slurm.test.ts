/**
 * The single-node Slurm the cluster tests run on (test/slurm/cluster.sh): it starts, runs a 4-task job array and a
 * job that waits for it (afterok), and stops. The issue-25 sweep tests build on this harness. Skipped with a one-line
 * reason where slurm-wlm/munge are missing or the tests do not run as root.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SCRIPT = join(import.meta.dirname, 'cluster.sh');
const missing = ['munged', 'slurmctld', 'slurmd', 'sbatch'].filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
const SKIP = missing.length > 0 ? `${missing.join(', ')} missing (apt-get install -y slurm-wlm munge); skipping the Slurm tests`
  : process.getuid?.() !== 0 ? 'the Slurm tests start slurmd, which needs root; skipping them' : '';
if (SKIP) console.warn(`test/slurm/slurm.test.ts: ${SKIP}`);

describe.skipIf(SKIP !== '')(`a single-node Slurm on localhost${SKIP ? ` — SKIPPED: ${SKIP}` : ''}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'systolab-slurm-'));
  const env = { ...process.env, SLURM_CONF: join(dir, 'slurm.conf') };
  beforeAll(() => { execFileSync('bash', [SCRIPT, 'start', dir], { encoding: 'utf8', timeout: 60_000 }); }, 70_000);
  afterAll(() => { spawnSync('bash', [SCRIPT, 'stop', dir]); });

  const state = (job: string) => /JobState=(\w+)/.exec(execFileSync('scontrol', ['show', 'job', job], { env, encoding: 'utf8' }))?.[1];
  async function waitFor(job: string, timeoutMs: number) {
    const t0 = Date.now();
    for (;;) {
      const s = state(job);
      if (s === 'COMPLETED' || s === 'FAILED' || s === 'CANCELLED') return s;
      if (Date.now() - t0 > timeoutMs) throw new Error(`job ${job} still ${s} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  it('runs a 4-task job array and a job that waits for it (afterok)', async () => {
    const script = join(dir, 'array.sh');
    writeFileSync(script, `#!/bin/bash\n#SBATCH --array=1-4 --output=${dir}/task-%a.out\necho "$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT"\n`);
    const array = execFileSync('sbatch', ['--parsable', script], { env, encoding: 'utf8' }).trim();
    const after = execFileSync('sbatch', ['--parsable', `--dependency=afterok:${array}`, `--output=${dir}/after.out`, '--wrap', `cat ${dir}/task-*.out`], { env, encoding: 'utf8' }).trim();
    expect(await waitFor(after, 60_000)).toBe('COMPLETED');
    expect(readFileSync(join(dir, 'after.out'), 'utf8').trim().split('\n').sort()).toEqual(['1/4', '2/4', '3/4', '4/4']);
    expect(existsSync(join(dir, 'log', 'slurmctld.log'))).toBe(true);
  }, 90_000);
});

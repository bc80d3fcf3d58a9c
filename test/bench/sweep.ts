/**
 * Sweep speed (`npm run bench`), one JSON line per case; every case is the whole `systolab sweep` process (the
 * bundled CLI, start-up, worker start-up, result files, summary, charts and index.html included). Wall time, and the
 * CPU time of the process and its threads (Linux: the children's user + system time from /proc/self/stat; absent
 * elsewhere):
 *   - ResNet-50 inference over 1,000 hardware points (10 × 10 array shapes × 10 SRAM sizes) on 2 worker threads and
 *     on the main thread alone (--jobs 1);
 *   - hw-configs/sweeps/resnet50-20k.yaml: 10,000 hardware points × inference and training = 20,000 points (target
 *     ≤ 2 s on 2 cores), before (the full path: SYSTOLAB_SWEEP_EVALUATION=full) and after (the totals-only path), on
 *     the main thread and on 2 workers, in the same run. Every case checks its lines against the first 20k case's;
 *   - one Slurm task's work (docs/cluster.md): shard 1/4 of that spec (5,000 points) on one thread with --no-report,
 *     on both paths — `pointsPerCpuSecond` is the points/s per core that sizes a job array.
 * The machine's other load moves these numbers: run it on an idle machine and take the best of a few runs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../sim/base/package-root.js';

const root = packageRoot();
const cli = join(root, 'dist', 'systolab.cjs');
const tmp = mkdtempSync(join(tmpdir(), 'systolab-bench-sweep-'));
const sizes = [4, 8, 12, 16, 24, 32, 48, 64, 96, 128];
const arrays = sizes.flatMap((r) => sizes.map((c) => `${r}x${c}`)).join(',');
const sram = '8,16,24,32,48,64,96,128,192,256';

/** CPU seconds of the children this process has waited for (fields 16–17 of /proc/self/stat, in clock ticks). */
function childCpuSeconds(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100; // cutime, cstime (fields 16, 17); USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/** A case's lines: a complete sweep writes them in the canonical order, so cases compare byte for byte. */
const resultLines = (out: string) => readFileSync(join(out, 'results.jsonl'), 'utf8').split('\n').filter((l) => l !== '').join('\n');

function run(name: string, args: string[], points: number, jobs: number, options: { targetMs?: number; env?: Record<string, string>; sameAs?: string } = {}): string {
  const out = join(tmp, name);
  const cpu0 = childCpuSeconds();
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, 'sweep', ...args, '--jobs', String(jobs), '--out', out], { cwd: root, encoding: 'utf8', env: { ...process.env, ...options.env } });
  const ms = performance.now() - t0;
  const cpu1 = childCpuSeconds();
  if (r.status !== 0) throw new Error(`${name}: ${r.stderr}`);
  const lines = resultLines(out);
  if (lines.split('\n').length !== points) throw new Error(`${name}: ${lines.split('\n').length} lines, expected ${points}`);
  if (options.sameAs !== undefined && lines !== resultLines(options.sameAs)) throw new Error(`${name}: its lines differ from ${options.sameAs}'s`);
  console.log(JSON.stringify({
    case: name, points, jobs, cores: availableParallelism(), ms: Math.round(ms),
    ...(cpu0 !== undefined && cpu1 !== undefined ? { cpuMs: Math.round((cpu1 - cpu0) * 1e3), pointsPerCpuSecond: Math.round(points / Math.max(cpu1 - cpu0, 0.01)) } : {}),
    pointsPerSecond: Math.round(points / (ms / 1e3)), ...(options.targetMs !== undefined ? { targetMs: options.targetMs } : {}),
    ...(options.env ? { env: options.env } : {}),
  }));
  return out;
}

try {
  const grid1k = ['--model', 'resnet50', '--array', arrays, '--sram-kib', sram];
  run('sweep_resnet50_inference_1000_points_2_workers', grid1k, 1000, 2, { targetMs: 2000 });
  run('sweep_resnet50_inference_1000_points_main_thread', grid1k, 1000, 1);
  const spec = [join(root, 'hw-configs', 'sweeps', 'resnet50-20k.yaml')];
  const full = { SYSTOLAB_SWEEP_EVALUATION: 'full' };
  const before = run('sweep_resnet50_20k_before_full_path_2_workers', spec, 20000, 2, { env: full });
  run('sweep_resnet50_20k_before_full_path_main_thread', spec, 20000, 1, { env: full, sameAs: before });
  run('sweep_resnet50_20k_after_totals_only_main_thread', spec, 20000, 1, { targetMs: 2000, sameAs: before });
  run('sweep_resnet50_20k_after_totals_only_2_workers', spec, 20000, 2, { targetMs: 2000, sameAs: before });
  const task = [...spec, '--shard', '1/4', '--no-report'];
  run('slurm_task_resnet50_20k_shard_1of4_totals_only', task, 5000, 1);
  run('slurm_task_resnet50_20k_shard_1of4_full_path', task, 5000, 1, { env: full });
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

/**
 * Sweep speed (`npm run bench`), one JSON line per case; every case is the whole `systolab sweep` process (the
 * bundled CLI, start-up, worker start-up, result files and summary included):
 *   - ResNet-50 inference over 1,000 hardware points (10 × 10 array shapes × 10 SRAM sizes) on 2 worker threads
 *     (target ≤ 2 s on a 2-core machine), and on the main thread alone (--jobs 1) for comparison;
 *   - ResNet-50 over 10,000 hardware points (… × 10 DRAM bandwidths) × inference and training = 20,000 points, all
 *     cores (target ≤ 10 s).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../sim/base/package-root.js';

const root = packageRoot();
const cli = join(root, 'dist', 'systolab.mjs');
const tmp = mkdtempSync(join(tmpdir(), 'systolab-bench-sweep-'));
const sizes = [4, 8, 12, 16, 24, 32, 48, 64, 96, 128];
const arrays = sizes.flatMap((r) => sizes.map((c) => `${r}x${c}`)).join(',');
const sram = '8,16,24,32,48,64,96,128,192,256';

function run(name: string, args: string[], points: number, targetMs: number | undefined, jobs: number): void {
  const out = join(tmp, name);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, 'sweep', ...args, '--jobs', String(jobs), '--out', out], { cwd: root, encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${name}: ${r.stderr}`);
  const lines = readFileSync(join(out, 'results.jsonl'), 'utf8').split('\n').length - 1;
  if (lines !== points) throw new Error(`${name}: ${lines} lines, expected ${points}`);
  console.log(JSON.stringify({
    case: name, points, jobs, cores: availableParallelism(), ms: Math.round(ms), pointsPerSecond: Math.round(points / (ms / 1e3)),
    ...(targetMs !== undefined ? { targetMs } : {}),
  }));
}

try {
  const grid1k = ['--model', 'resnet50', '--array', arrays, '--sram-kib', sram];
  run('sweep_resnet50_inference_1000_points_2_workers', grid1k, 1000, 2000, 2);
  run('sweep_resnet50_inference_1000_points_main_thread', grid1k, 1000, undefined, 1);
  // 100 arrays × 10 SRAM sizes × 10 DRAM bandwidths = 10,000 hardware points, × inference and training.
  const grid10k = [...grid1k, '--dram-bytes-per-cycle', '4,6,8,10,12,16,24,32,48,64', '--mode', 'inference,training'];
  run('sweep_resnet50_10000_hw_points_inference_and_training', grid10k, 20000, 10000, availableParallelism());
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

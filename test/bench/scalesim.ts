/**
 * `--compat scalesim` speed (`npm run bench`), one JSON line per case: the CPU time (user + system, the whole
 * process) of `systolab simulate --compat scalesim --format json`, median and best of SYSTOLAB_BENCH_REPS (default 7)
 * fresh processes, and its ratio to SCALE-Sim v2's own CPU time on the same layers. SCALE-Sim is not installed here,
 * so its figures are the ones measured for issue 17 on this 2-core machine (scale-sim-v2 22f88b1, Python 3.11):
 * ResNet-18 at 32×32 os 190.9 s, at 128×128 os about 100 s, AlexNet conv1 at 8×8 os about 175 s. The default mode's
 * process is measured beside it, in the same run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = process.cwd();
const cli = join(root, 'dist', 'systolab.cjs');
const REPS = Number(process.env.SYSTOLAB_BENCH_REPS ?? 7);
const dir = mkdtempSync(join(tmpdir(), 'systolab-bench-'));
// A preload that prints the process's own CPU time (all threads) as it exits.
const probe = join(dir, 'cpu.cjs');
writeFileSync(probe, "process.on('exit', () => { const u = process.cpuUsage(); require('fs').writeSync(2, `\\nSYSTOLAB_CPU_US ${u.user + u.system}\\n`); });\n");
const alexnet = readFileSync(join(root, 'models', 'scalesim', 'alexnet.csv'), 'utf8').trim().split('\n');
const conv1 = join(dir, 'alexnet-conv1.csv');
writeFileSync(conv1, `${alexnet[0]}\n${alexnet[1]}\n`);

function cpuMs(args: readonly string[]): number {
  const r = spawnSync(process.execPath, ['-r', probe, cli, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  const m = /SYSTOLAB_CPU_US (\d+)/.exec(r.stderr);
  if (!m) throw new Error('no CPU figure');
  return Number(m[1]) / 1000;
}

const cases: { name: string; args: string[]; scalesimCpuS?: number }[] = [
  { name: 'ResNet-18 32x32 os, --compat scalesim', args: ['simulate', '--compat', 'scalesim', '--format', 'json'], scalesimCpuS: 190.9 },
  { name: 'ResNet-18 32x32 os, default mode', args: ['simulate', '--format', 'json'] },
  { name: 'ResNet-18 128x128 os, --compat scalesim', args: ['simulate', '--array', '128x128', '--compat', 'scalesim', '--format', 'json'], scalesimCpuS: 100 },
  { name: 'AlexNet conv1 8x8 os, --compat scalesim', args: ['simulate', '--model', conv1, '--array', '8x8', '--compat', 'scalesim', '--format', 'json'], scalesimCpuS: 175 },
  { name: 'node -e "" (the floor)', args: [] },
];

const samples = cases.map(() => [] as number[]);
for (let rep = 0; rep < REPS; rep++) {
  cases.forEach((c, i) => {
    if (c.args.length === 0) {
      const r = spawnSync(process.execPath, ['-r', probe, '-e', ''], { encoding: 'utf8' });
      samples[i].push(Number(/SYSTOLAB_CPU_US (\d+)/.exec(r.stderr)![1]) / 1000);
    } else samples[i].push(cpuMs(c.args));
  });
}
cases.forEach((c, i) => {
  const s = [...samples[i]].sort((a, b) => a - b), median = s[Math.floor(s.length / 2)];
  console.log(JSON.stringify({
    bench: 'scalesim', case: c.name, reps: REPS, cpuMsMedian: Number(median.toFixed(1)), cpuMsBest: Number(s[0].toFixed(1)),
    ...(c.scalesimCpuS ? { scalesimCpuS: c.scalesimCpuS, speedupVsScalesim: Math.round((c.scalesimCpuS * 1000) / median) } : {}),
  }));
});

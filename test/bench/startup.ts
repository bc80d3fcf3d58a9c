/**
 * Start-up of the whole process (`npm run bench`), one JSON line per case: `systolab simulate --model resnet18
 * --format json`, best of 10 wall-clock runs (SYSTOLAB_BENCH_REPS to change), beside bare `node -e ''` measured in the same run. With
 * SYSTOLAB_BASELINE=<path to another systolab.mjs> (e.g. a build of the previous commit) the same command of that
 * bundle is measured in the same run, interleaved, so the two figures are comparable.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = process.cwd();
const ARGS = ['simulate', '--model', 'resnet18', '--format', 'json'];
const REPS = Number(process.env.SYSTOLAB_BENCH_REPS ?? 10);

function wallMs(argv: readonly string[], cwd: string): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, argv, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr}`);
  return ms;
}

const cases: { name: string; argv: string[]; cwd: string }[] = [
  { name: 'node -e ""', argv: ['-e', ''], cwd: root },
  { name: 'systolab simulate --model resnet18 --format json', argv: [join(root, 'dist', 'systolab.mjs'), ...ARGS], cwd: root },
];
const baseline = process.env.SYSTOLAB_BASELINE;
if (baseline) cases.push({ name: `baseline ${baseline}: simulate --model resnet18 --format json`, argv: [baseline, ...ARGS], cwd: join(baseline, '..', '..') });

const best = cases.map(() => Infinity);
for (let rep = 0; rep < REPS; rep++) cases.forEach((c, i) => { best[i] = Math.min(best[i], wallMs(c.argv, c.cwd)); });
cases.forEach((c, i) => console.log(JSON.stringify({ bench: 'startup', case: c.name, bestOf: REPS, wallMs: Number(best[i].toFixed(1)) })));

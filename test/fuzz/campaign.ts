/**
 * The long fuzz campaign: `npm run fuzz -- --cases 50000 --seed S [--cli-every 20] [--out DIR]`.
 * Reproductions go to --out, by default a new folder in the system's temp folder (printed at the start and the end).
 * Every case runs in-process; every `--cli-every`-th also through the bundled CLI, every other one of those twice (the
 * rerun rule). Each failure is written as a reproduction folder (the input files, the command line, what the oracle
 * saw); the first failure of each class is first shrunk by fast-check to a minimal case. Prints the folder and a
 * count per format, category and class. Exit 0 when no case failed, 1 otherwise. docs/fuzz.md describes the oracle.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { type FuzzCase, shellLine, writeCaseFiles } from './case.js';
import { FORMATS, anyCase } from './formats.js';
import { type Failure, classReport, cliFailure, failureClass, inProcessFailure } from './suite.js';
import { InProcessRunner } from './runners.js';

const BATCH = 250;

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}
const cases = Number(flag('cases', '2000'));
const seed = Number(flag('seed', '19'));
const cliEvery = Number(flag('cli-every', '20'));
const out = flag('out', '') || mkdtempSync(join(tmpdir(), `systolab-fuzz-seed${flag('seed', '19')}-`));
for (const [name, v] of [['cases', cases], ['seed', seed], ['cli-every', cliEvery]] as const) {
  if (!Number.isSafeInteger(v) || v < (name === 'seed' ? -(2 ** 31) : 1)) {
    process.stderr.write(`fuzz: --${name} must be an integer${name === 'seed' ? '' : ' ≥ 1'} (got ${flag(name, '')})\n`);
    process.exit(2);
  }
}

/** Batch b's cases: fast-check's sample of `anyCase` from the batch seed (index i is fast-check path `i`). */
const batchSeed = (b: number): number => (seed * 1_000_003 + b) | 0;

const runner = new InProcessRunner();
const judge = async (c: FuzzCase, side: Failure['side'], rerun: boolean): Promise<Failure | undefined> =>
  side === 'cli' ? cliFailure(c, rerun) : inProcessFailure(runner, c);

/** fast-check's shrink of a failing case: the smallest case the same arbitrary gives that fails in the same class. */
async function shrink(f: Failure, b: number, i: number): Promise<FuzzCase> {
  const cls = failureClass(f);
  let smallest = f.case;
  const r = await fc.check(fc.asyncProperty(anyCase, async (c) => {
    const g = await judge(c, f.side, false);
    if (g !== undefined && failureClass(g) === cls) {
      smallest = c;
      return false;
    }
    return true;
  }), { seed: batchSeed(b), path: String(i), numRuns: 1, interruptAfterTimeLimit: 60_000 });
  return r.failed ? smallest : f.case;
}

function writeRepro(n: number, f: Failure, shrunk: boolean): void {
  const dir = join(out, `${String(n).padStart(4, '0')}-${f.side}-${f.case.format}-${f.violations[0].kind}`);
  mkdirSync(join(dir, 'files'), { recursive: true });
  writeCaseFiles(f.case, join(dir, 'files'));
  writeFileSync(join(dir, 'command.sh'), `#!/bin/sh\n# ${f.side === 'cli' ? 'through the CLI' : `in-process: ${f.case.call?.fn}(${JSON.stringify(f.case.call?.args)}), $DIR = files/`}\ncd "$(dirname "$0")/files" && ${shellLine(f.case.argv)}\n`, { mode: 0o755 });
  const caseJson = JSON.stringify(f.case, (_k, v: unknown) => (v instanceof Uint8Array ? { base64: Buffer.from(v).toString('base64') } : v), 1);
  writeFileSync(join(dir, 'case.json'), `${caseJson}\n`);
  writeFileSync(join(dir, 'failure.txt'), `${failureClass(f)}\n${shrunk ? 'shrunk by fast-check' : 'as generated (its class was shrunk in an earlier folder)'}\n${f.violations.map((v) => `${v.kind}: ${v.detail}`).join('\n')}\n`);
}

const start = Date.now();
const counts = new Map<string, number>();
const failures: Failure[] = [];
const shrunkClasses = new Set<string>();
mkdirSync(out, { recursive: true });
process.stderr.write(`fuzz: seed ${seed}, ${cases} cases; failures go to ${out}\n`);
for (let b = 0, done = 0; done < cases; b++) {
  const batch = fc.sample(anyCase, { seed: batchSeed(b), numRuns: Math.min(BATCH, cases - done) });
  for (const [i, c] of batch.entries()) {
    const key = `${c.format} · ${c.category}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const index = done + i;
    const sides: [Failure['side'], boolean][] = [['in-process', false], ...(index % cliEvery === 0 ? [['cli', index % (2 * cliEvery) === 0] as [Failure['side'], boolean]] : [])];
    for (const [side, rerun] of sides) {
      const f = await judge(c, side, rerun);
      if (f === undefined) continue;
      const cls = failureClass(f);
      const first = !shrunkClasses.has(cls);
      shrunkClasses.add(cls);
      const kept = first ? { ...f, case: await shrink(f, b, i) } : f;
      const again = first ? ((await judge(kept.case, side, false)) ?? f) : f;
      failures.push(again);
      writeRepro(failures.length, again, first);
    }
  }
  done += batch.length;
  process.stderr.write(`fuzz: ${done}/${cases} cases, ${failures.length} failures, ${Math.round((Date.now() - start) / 1000)} s\n`);
}
await runner.close();

const perFormat = new Map<string, number>();
for (const [k, n] of counts) perFormat.set(k.split(' · ')[0], (perFormat.get(k.split(' · ')[0]) ?? 0) + n);
const summary = [
  `fuzz campaign: seed ${seed}, ${cases} cases (every ${cliEvery}th also through the CLI), ${Math.round((Date.now() - start) / 1000)} s`,
  `generators: ${Object.keys(FORMATS).join(', ')}`,
  `cases per format: ${[...perFormat].sort().map(([k, n]) => `${k} ${n}`).join(', ')}`,
  `cases per format and category:`, ...[...counts].sort().map(([k, n]) => `  ${k}: ${n}`),
  `failures: ${failures.length} in ${shrunkClasses.size} classes${failures.length ? ` — reproductions in ${out}/` : ''}`,
  classReport(failures),
].join('\n');
writeFileSync(join(out, 'summary.txt'), `${summary}\n`);
process.stdout.write(`${summary}\n`);
process.exit(failures.length ? 1 : 0);

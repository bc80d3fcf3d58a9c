/**
 * `systolab sweep` / `systolab merge` end to end through the bundled CLI (dist/systolab.cjs + dist/sweep-worker.mjs):
 * SIGKILL and SIGINT part-way then --resume give exactly the lines of an uninterrupted run (SIGINT leaves whole lines;
 * SIGKILL at most a cut last line, which --resume drops);
 * shards 1/3, 2/3, 3/3 merged equal the unsharded sweep; bad input → one line, exit 2, nothing written; the help
 * examples run; the library's sweep() gives the same records; Pareto fronts and energy/area fields.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SWEEP_EXAMPLES } from '../../sim/cli/sweep-command.js';
import { executeSweep, planSweep, sweep } from '../../sim/sweep/run.js';
import { readResultsFile } from '../../sim/sweep/results-file.js';
import { paretoFront, recordLine, recordsToCsv, sortRecords, summarize, toRecord } from '../../sim/sweep/record.js';
import { type Point, pointId } from '../../sim/sweep/spec.js';
import type { CostReport } from '../../sim/run/cost-report.js';
import { WORKSPACE } from '../helpers/cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'systolab.cjs');
const tmp = mkdtempSync(join(tmpdir(), 'systolab-sweep-'));

function systolab(args: string[], cwd = WORKSPACE) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const lines = (dir: string) => readFileSync(join(dir, 'results.jsonl'), 'utf8');
const lineSet = (dir: string) => lines(dir).split('\n').filter((l) => l !== '').sort();

/** Every line complete (the file ends with a newline) and a record. */
function expectWholeLines(dir: string) {
  const text = lines(dir);
  if (text !== '') expect(text.endsWith('\n')).toBe(true);
  for (const l of text.split('\n').slice(0, -1)) expect(() => JSON.parse(l)).not.toThrow();
}

/**
 * After SIGKILL: whole records, then at most one partial last line. Linux may cut a write short between pages when a
 * fatal signal arrives, so a batch of lines can end part-way; `--resume` drops that tail (and the test checks it does).
 * Returns the number of whole lines.
 */
function expectRecordsThenTail(dir: string): number {
  const parts = lines(dir).split('\n');
  const whole = parts.slice(0, -1);
  for (const l of whole) expect(() => JSON.parse(l)).not.toThrow();
  return whole.length;
}

// A grid big enough to interrupt part-way: ResNet-50, 20 array shapes × 3 dataflows × 3 SRAM sizes × 2 modes = 360 points.
const ARRAYS = [4, 8, 16, 32, 64].flatMap((r) => [8, 16, 32, 64].map((c) => `${r}x${c}`)).join(',');
const GRID = ['--model', 'resnet50', '--array', ARRAYS, '--dataflow', 'os,ws,is', '--sram-kib', '16,64,256', '--mode', 'inference,training'];
const GRID_POINTS = 360;

const reference = join(tmp, 'reference');
const ref = systolab(['sweep', ...GRID, '--out', reference, '--jobs', '2']);

/** Starts the sweep, waits until results.jsonl has at least `min` lines, then sends `signal`; resolves with the exit. */
function interruptAfter(args: string[], dir: string, min: number, signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; err: string }> {
  return new Promise((resolve) => {
    const child: ChildProcess = spawn(process.execPath, [CLI, ...args], { cwd: WORKSPACE, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d) => (err += String(d)));
    const file = join(dir, 'results.jsonl');
    const poll = setInterval(() => {
      if (existsSync(file) && readFileSync(file, 'utf8').split('\n').length - 1 >= min) {
        clearInterval(poll);
        child.kill(signal);
      }
    }, 2);
    child.on('exit', (code, sig) => {
      clearInterval(poll);
      resolve({ code, signal: sig, err });
    });
  });
}

describe('an uninterrupted sweep', () => {
  it('writes one line per point, the CSV with a Pareto column, the summary and run.json', () => {
    expect(ref.code, ref.err).toBe(0);
    expect(lineSet(reference)).toHaveLength(GRID_POINTS);
    expectWholeLines(reference);
    const first = JSON.parse(lines(reference).split('\n')[0]);
    expect(Object.keys(first)).toEqual(['id', 'params', 'totals']);
    expect(first.id).toBe(pointId(first.params));
    expect(Object.keys(first.totals)).toEqual(expect.arrayContaining(['cycles', 'seconds', 'utilization', 'dramBytes']));
    expect(lines(reference)).not.toMatch(/20\d\d-\d\d-\d\dT/); // no timestamps in result lines
    const csv = readFileSync(join(reference, 'results.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(GRID_POINTS + 1);
    expect(csv[0]).toMatch(/^id,model,mode,hw,rows,cols,dataflow,.*,pareto$/);
    expect(csv.filter((l) => l.endsWith(',1')).length).toBeGreaterThanOrEqual(2); // a front per (model, mode)
    const run = JSON.parse(readFileSync(join(reference, 'run.json'), 'utf8'));
    expect(run).toMatchObject({ status: 'complete', gridPoints: GRID_POINTS, points: GRID_POINTS, evaluated: GRID_POINTS, jobs: 2 });
    expect(JSON.parse(readFileSync(join(reference, 'summary.json'), 'utf8')).groups).toHaveLength(2);
    expect(ref.out).toMatch(/resnet50, training: 180 point\(s\)/);
  });

  it('gives the same lines on one thread (in-process) as on workers', () => {
    const dir = join(tmp, 'one-job');
    const r = systolab(['sweep', ...GRID, '--out', dir, '--jobs', '1', '--shard', '1/4']);
    expect(r.code, r.err).toBe(0);
    const ids = new Set(lineSet(dir).map((l) => JSON.parse(l).id));
    expect(ids.size).toBe(GRID_POINTS / 4);
    expect(lineSet(dir)).toEqual(lineSet(reference).filter((l) => ids.has(JSON.parse(l).id)));
  });
});

describe('interrupted sweeps resume to the same lines', () => {
  it('SIGKILL part-way (twice), then --resume: the same set of lines; a cut last line is dropped', async () => {
    const dir = join(tmp, 'killed');
    const args = ['sweep', ...GRID, '--out', dir, '--jobs', '2'];
    const first = await interruptAfter(args, dir, 1, 'SIGKILL');
    expect(first.signal).toBe('SIGKILL');
    const afterFirst = expectRecordsThenTail(dir);
    expect(afterFirst).toBeGreaterThan(0);
    expect(afterFirst).toBeLessThan(GRID_POINTS);
    const second = await interruptAfter([...args, '--resume'], dir, afterFirst + 1, 'SIGKILL');
    expect(second.signal).toBe('SIGKILL');
    const done = expectRecordsThenTail(dir);
    expect(done).toBeGreaterThan(afterFirst);
    const r = systolab([...args, '--resume']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(new RegExp(`${done} already done`));
    expectWholeLines(dir);
    expect(lines(dir)).toBe(lines(reference)); // complete: rewritten in the canonical order, byte for byte
    expect(readFileSync(join(dir, 'results.csv'), 'utf8')).toBe(readFileSync(join(reference, 'results.csv'), 'utf8'));
  });

  it('SIGINT: finishes the points in flight, exits 130, run.json says interrupted; --resume completes', async () => {
    const dir = join(tmp, 'sigint');
    const args = ['sweep', ...GRID, '--out', dir, '--jobs', '2'];
    const r1 = await interruptAfter(args, dir, 1, 'SIGINT');
    expect(r1.code, r1.err).toBe(130);
    expect(r1.err).toMatch(/interrupted/);
    expectWholeLines(dir);
    expect(lineSet(dir).length).toBeLessThan(GRID_POINTS);
    expect(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')).status).toBe('interrupted');
    const r2 = systolab([...args, '--resume']);
    expect(r2.code, r2.err).toBe(0);
    expect(lines(dir)).toBe(lines(reference));
  });

  it('--resume cuts a trailing partial line if one is ever found', () => {
    const dir = join(tmp, 'partial');
    mkdirSync(dir);
    const some = lines(reference).split('\n').slice(0, GRID_POINTS - 10);
    writeFileSync(join(dir, 'results.jsonl'), `${some.join('\n')}\n${lines(reference).split('\n')[GRID_POINTS - 5].slice(0, 40)}`);
    const r = systolab(['sweep', ...GRID, '--out', dir, '--jobs', '2', '--resume']);
    expect(r.code, r.err).toBe(0);
    expectWholeLines(dir);
    expect(lines(dir)).toBe(lines(reference));
  });
});

describe('shards', () => {
  it('1/3, 2/3, 3/3 are disjoint and, merged, equal the unsharded sweep (files byte for byte)', () => {
    const dirs = [1, 2, 3].map((i) => join(tmp, `shard-${i}`));
    const sizes = dirs.map((dir, i) => {
      const r = systolab(['sweep', ...GRID, '--shard', `${i + 1}/3`, '--out', dir]);
      expect(r.code, r.err).toBe(0);
      return lineSet(dir).length;
    });
    expect(sizes.reduce((a, b) => a + b)).toBe(GRID_POINTS);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    const merged = join(tmp, 'merged');
    const m = systolab(['merge', ...dirs, '--out', merged]);
    expect(m.code, m.err).toBe(0);
    expect(m.err).toMatch(new RegExp(`${GRID_POINTS} of the grid's ${GRID_POINTS} points`));
    expect(lines(merged)).toBe(lines(reference)); // merge writes the canonical order a complete sweep ends in
    for (const f of ['results.csv', 'summary.json', 'summary.txt']) expect(readFileSync(join(merged, f), 'utf8'), f).toBe(readFileSync(join(reference, f), 'utf8'));
    // Merging again (the output's own results included, a shard twice) changes nothing.
    const again = systolab(['merge', dirs[0], dirs[0], '--out', merged]);
    expect(again.code, again.err).toBe(0);
    expect(lines(merged)).toBe(lines(reference));
    // Two shards only: the merge says points are missing.
    const part = systolab(['merge', dirs[0], dirs[1], '--out', join(tmp, 'part')]);
    expect(part.err).toMatch(/some shards are missing/);
  });
});

describe('bad input: one line, exit 2, nothing written', () => {
  const out = join(tmp, 'never');
  const cases: [string, string[], RegExp][] = [
    ['zero array size', ['--model', 'tiny-cnn', '--array', '0x8'], /--array: must be ROWSxCOLS/],
    ['--jobs 0', ['--model', 'tiny-cnn', '--jobs', '0'], /--jobs: must be an integer ≥ 1/],
    ['unknown dataflow', ['--model', 'tiny-cnn', '--dataflow', 'os,xs'], /--dataflow: is not an allowed value \(got "xs"\)/],
    ['unreadable spec', [join(tmp, 'no-such-spec.yaml')], /no-such-spec\.yaml: file not found/],
    ['--shard 4/3', ['--model', 'tiny-cnn', '--shard', '4/3'], /--shard: must be i\/N/],
    ['no model', ['--array', '8x8'], /--model: is required/],
    ['unknown model', ['--model', 'resnet51'], /resnet51/],
    ['bad SRAM size', ['--model', 'tiny-cnn', '--sram-kib=-4'], /--sram-kib: must be a positive number/],
    ['unknown precision', ['--model', 'tiny-cnn', '--precision', 'int33'], /--precision: is not an allowed value \(got "int33"\)\. Allowed: int2 … int32, fp16, bf16, fp32\./],
    ['unknown bandwidth mode', ['--model', 'tiny-cnn', '--bandwidth-mode', 'calc,fast'], /--bandwidth-mode: is not an allowed value \(got "fast"\)\. Allowed: calc, user\./],
  ];
  for (const [what, args, pattern] of cases) {
    it(what, () => {
      const r = systolab(['sweep', ...args, '--out', out]);
      expect(r.code, r.out + r.err).toBe(2);
      expect(r.err).toMatch(pattern);
      expect(r.err.trim().split('\n')[0]).toMatch(/^systolab: /);
      expect(r.err).not.toMatch(/\n\s+at /);
      expect(r.out).toBe('');
      expect(existsSync(out)).toBe(false);
    });
  }

  it('a bad key in a spec file names the file and key', () => {
    const spec = join(tmp, 'bad-spec.yaml');
    writeFileSync(spec, 'models: [tiny-cnn]\narrays: [8x8, 0x4]\n');
    const r = systolab(['sweep', spec, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad-spec\.yaml: arrays\[1\]: must be ROWSxCOLS/);
    writeFileSync(spec, 'models: [tiny-cnn]\narray: [8x8]\n');
    expect(systolab(['sweep', spec, '--out', out]).err).toMatch(/array: is not a field of a sweep spec/);
    expect(existsSync(out)).toBe(false);
  });

  it('an --out that holds results needs --resume (the results untouched)', () => {
    const before = lines(reference);
    const r = systolab(['sweep', ...GRID, '--out', reference]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/already holds sweep results.*--resume/);
    expect(lines(reference)).toBe(before);
  });

  it('merge of a folder without results', () => {
    const r = systolab(['merge', join(tmp, 'nothing-here'), '--out', out]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/nothing-here: has no results\.jsonl/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('the hardware flags simulate shares', () => {
  it('--bandwidth-mode calc,user sweeps the mode: only enforced bandwidth lets SRAM move the cycles, and stderr says so', () => {
    const out = join(tmp, 'bw-modes');
    const r = systolab(['sweep', '--model', 'tiny-cnn', '--hw', 'edge-16x16', '--sram-kib', '0.125,64', '--dram-bytes-per-cycle', '1', '--bandwidth-mode', 'calc,user', '--jobs', '1', '--out', out]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/sweep: bandwidth mode calc in 2 of 4 point\(s\): .*--sram-kib, --dram-bytes-per-cycle move traffic and energy, not cycles/);
    const recs = lineSet(out).map((l) => JSON.parse(l));
    const cycles = (mode: string, kib: number) => recs.find((x) => x.params.bandwidthMode === mode && x.params.ifmapKib === kib).totals.cycles;
    expect(cycles('calc', 0.125)).toBe(cycles('calc', 64));
    expect(cycles('user', 0.125)).toBeGreaterThan(cycles('user', 64));
    // The same point as simulate with the same flags: the same cycles.
    const sim = systolab(['simulate', '--model', 'tiny-cnn', '--hw', 'edge-16x16', '--sram-kib', '0.125', '--dram-bytes-per-cycle', '1', '--bandwidth-mode', 'user', '--format', 'json']);
    expect(sim.code, sim.err).toBe(0);
    expect(JSON.parse(sim.out).totals.totalCycles).toBe(cycles('user', 0.125));
    const only = systolab(['sweep', '--model', 'tiny-cnn', '--hw', 'edge-16x16', '--sram-kib', '16', '--jobs', '1', '--out', join(tmp, 'bw-user')]);
    expect(only.err).not.toMatch(/bandwidth mode calc/); // edge-16x16 enforces its bandwidth
  });
});

describe('help, spec file, library', () => {
  it('every sweep/merge --help example works', () => {
    const help = systolab(['sweep', '--help']).out.replace(/\s+/g, ' ') + systolab(['merge', '--help']).out.replace(/\s+/g, ' ');
    const dir = join(tmp, 'examples');
    SWEEP_EXAMPLES.forEach(([cmd, what], i) => {
      expect(help).toContain(what);
      const args = cmd.split(' ').map((a) => a.replace(/^reports\//, `${dir}/`));
      if (!args.includes('--out')) args.push('--out', join(dir, `example-${i}`));
      const r = systolab(args);
      expect(r.code, `${cmd}\n${r.err}`).toBe(0);
    });
    expect(lineSet(join(dir, 'sweep-tiny')).length).toBe(4);
    expect(lineSet(join(dir, 'example-1')).length).toBe(54); // the shipped spec file: 6 arrays × 3 dataflows × 3 SRAM sizes
  });

  it('the default folder is reports/sweep-NAME-GRIDHASH, the same for the same grid (so --resume finds it)', () => {
    const cwd = join(tmp, 'cwd');
    mkdirSync(cwd);
    const r = systolab(['sweep', '--model', 'tiny-cnn', '--array', '8x8,16x16'], cwd);
    expect(r.code, r.err).toBe(0);
    const [name] = readdirSync(join(cwd, 'reports'));
    expect(name).toMatch(/^sweep-tiny-cnn-[0-9a-f]{8}$/);
    const again = systolab(['sweep', '--model', 'tiny-cnn', '--array', '16x16,8x8', '--resume'], cwd);
    expect(again.code, again.err).toBe(0);
    expect(again.err).toMatch(/2 already done/);
    expect(statSync(join(cwd, 'reports', name, 'results.jsonl')).size).toBeGreaterThan(0);
  });

  it('sweep(spec) returns the records the CLI writes', async () => {
    const records = await sweep({ models: ['tiny-cnn'], arrays: ['8x8', '16x16'], dataflows: ['os', 'ws'], modes: ['inference', 'training'] }, { jobs: 2 });
    const dir = join(tmp, 'lib-cli');
    const r = systolab(['sweep', '--model', 'tiny-cnn', '--array', '8x8,16x16', '--dataflow', 'os,ws', '--mode', 'inference,training', '--out', dir]);
    expect(r.code, r.err).toBe(0);
    expect(records).toHaveLength(8);
    expect(records.map(recordLine).sort()).toEqual(lineSet(dir));
    const inProcess = await sweep({ models: ['tiny-cnn'], arrays: ['8x8', '16x16'], dataflows: ['os', 'ws'], modes: ['inference', 'training'] }, { jobs: 1 });
    expect(inProcess).toEqual(records);
  });

  it("a sweep's records and summary are its results.jsonl's (the records it made, or, resumed, the file's), key order included", async () => {
    const spec = { models: ['tiny-cnn'], arrays: ['8x8', '16x16', '4x32'], dataflows: ['os', 'ws'] as ('os' | 'ws')[], sramKib: [4, 64], modes: ['inference', 'training'] as ('inference' | 'training')[] };
    const check = (outcome: Awaited<ReturnType<typeof executeSweep>>, dir: string) => {
      const fromFile = sortRecords(readResultsFile(join(dir, 'results.jsonl')).records);
      expect(outcome.records.map(recordLine)).toEqual(fromFile.map(recordLine));
      expect(outcome.records).toEqual(fromFile);
      expect(JSON.stringify(outcome.summary)).toBe(JSON.stringify(summarize(fromFile)));
    };
    for (const jobs of [1, 2]) {
      const dir = join(tmp, `records-of-file-${jobs}`);
      const outcome = await executeSweep(planSweep(spec, { jobs, out: dir }));
      expect(outcome.records).toHaveLength(24);
      check(outcome, dir);
    }
    // Resumed: half the lines there (written by another run, in another order), the rest evaluated now.
    const dir = join(tmp, 'records-of-file-resumed');
    mkdirSync(dir);
    const whole = lines(join(tmp, 'records-of-file-1')).split('\n').filter((l) => l !== '');
    writeFileSync(join(dir, 'results.jsonl'), `${whole.slice(0, 12).reverse().join('\n')}\n`);
    const resumed = await executeSweep(planSweep(spec, { jobs: 1, out: dir, resume: true }));
    expect(resumed.evaluated).toBe(12);
    check(resumed, dir);
    expect(resumed.records.map(recordLine)).toEqual(sortRecords(whole.map((l) => JSON.parse(l))).map(recordLine));
  });
});

describe('records and Pareto fronts', () => {
  const params = { model: 'm', mode: 'inference' as const, hw: 'h', rows: 8, cols: 8, dataflow: 'os' as const, ifmapKib: 64, filterKib: 64, ofmapKib: 64, dramBytesPerCycle: 10, bandwidthMode: 'calc' as const, precision: 'int8', clockMhz: 1000 };
  const point = (rows: number): Point => { const p = { ...params, rows }; return { id: pointId(p), params: p }; };
  const report = (seconds: number, energyPj?: number, areaMm2?: number) => ({
    totals: {
      totalCycles: seconds * 1e9, computeCycles: 0, stallCycles: 0, gemmCycles: 0, vectorCycles: 0, seconds, macs: 1, mappingEfficiency: 1,
      computeUtilization: 1, overallUtilization: 1, dramReadBytes: 3, dramWriteBytes: 4,
      // A run priced with a normalized table has no energy in pJ.
      energy: energyPj !== undefined ? { unit: 'pJ', total: energyPj } : { unit: 'normalized', total: 3 }, ...(areaMm2 !== undefined ? { areaMm2 } : {}),
    },
  }) as unknown as CostReport;

  it('carries energy, area and EDP when the simulator reports them, and not otherwise', () => {
    const withEnergy = toRecord(point(8), report(2, 5, 7));
    expect(withEnergy.totals).toMatchObject({ energyPj: 5, areaMm2: 7, edpPjS: 10, dramBytes: 7 });
    const without = toRecord(point(8), report(2));
    expect(Object.keys(without.totals)).not.toContain('energyPj');
    expect(Object.keys(without.totals)).not.toContain('edpPjS');
    expect(recordLine(toRecord(point(8), report(2)))).toBe(recordLine(without)); // same point, same bytes
  });

  it('the front over (latency, energy, area) keeps exactly the non-dominated points', () => {
    const rs = [
      toRecord(point(1), report(1, 10, 5)), // fastest
      toRecord(point(2), report(2, 5, 5)), // less energy
      toRecord(point(3), report(2, 6, 5)), // dominated by 2
      toRecord(point(4), report(3, 9, 1)), // smallest
      toRecord(point(5), report(3, 9, 2)), // dominated by 4
    ];
    const front = paretoFront(rs, ['seconds', 'energyPj', 'areaMm2']);
    expect([...front].sort()).toEqual([rs[0].id, rs[1].id, rs[3].id].sort());
    const csv = recordsToCsv(rs).trim().split('\n');
    expect(csv[0]).toMatch(/,energyPj,areaMm2,edpPjS,pareto$/);
    expect(csv.filter((l) => l.endsWith(',1'))).toHaveLength(3);
  });
});

/**
 * Charts drawn on the second thread (sim/report/chart-thread.ts, the worker dist/sim/report/chart-worker.js from tsc's
 * output): writeCharts gives the same files byte for byte with the thread as without it, whichever thread drew each
 * chart; a chart's SVG does not depend on the charts drawn before it on its thread (vega numbers gradients and clip
 * paths per thread); a chart the thread cannot draw is an error of writeCharts, not a hang; a thread started and
 * never used (an interrupted sweep) does not keep the process alive; and the worker file is
 * found from compiled code only (under the TypeScript sources charts render on the calling thread).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChartThread, chartWorkerFile } from '../../sim/report/chart-thread.js';
import { sweepCharts } from '../../sim/report/charts/sweep-charts.js';
import { specToSvg, writeCharts } from '../../sim/report/render.js';
import { sampleSweep } from './samples.js';

const ROOT = join(import.meta.dirname, '..', '..');
const WORKER = join(ROOT, 'dist', 'sim', 'report', 'chart-worker.js');
const tmp = mkdtempSync(join(tmpdir(), 'systolab-chart-thread-'));
const files = (dir: string) => readdirSync(join(dir, 'charts')).sort();

describe.skipIf(!existsSync(WORKER))('charts on a second thread', () => {
  const charts = sweepCharts(sampleSweep());

  it('the same files, byte for byte, with the thread as without it (and with PNGs off)', async () => {
    const alone = join(tmp, 'alone'), shared = join(tmp, 'shared'), svgOnly = join(tmp, 'svg-only');
    const a = await writeCharts(alone, charts);
    const b = await writeCharts(shared, charts, { thread: new ChartThread(WORKER) });
    expect(b).toEqual(a.map((w) => ({ ...w, files: w.files.map((f) => f.replace(alone, shared)) })));
    expect(files(shared)).toEqual(files(alone));
    expect(files(alone).filter((f) => f.endsWith('.png'))).toHaveLength(charts.length);
    for (const f of files(alone)) expect(readFileSync(join(shared, 'charts', f)).equals(readFileSync(join(alone, 'charts', f))), f).toBe(true);
    await writeCharts(svgOnly, charts, { png: false, thread: new ChartThread(WORKER) });
    expect(files(svgOnly)).toEqual(files(alone).filter((f) => !f.endsWith('.png')));
  });

  it('the thread draws some of the charts (it is used, not only started)', async () => {
    const t = new ChartThread(WORKER);
    let used = 0;
    const render = t.render.bind(t), png = t.png.bind(t);
    t.render = (...args) => { used++; return render(...args); };
    t.png = (...args) => { used++; return png(...args); };
    await writeCharts(join(tmp, 'used'), charts, { thread: t });
    expect(used).toBeGreaterThan(0);
  });

  it('a thread started and never given a chart does not keep the process alive', () => {
    const thread = join(ROOT, 'dist', 'sim', 'report', 'chart-thread.js');
    const script = `import { ChartThread } from ${JSON.stringify(thread)}; new ChartThread(${JSON.stringify(WORKER)}); setTimeout(() => console.log('done'), 300);`;
    // A module file (under \`node -e\` the process exits either way).
    const file = join(tmp, 'unused-thread.mjs');
    writeFileSync(file, script);
    const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 20_000 });
    expect(r.signal, 'still running after 20 s').toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('done');
  });

  it('a chart the thread cannot draw is an error', async () => {
    const bad = { name: 'bad', title: 'bad', spec: { mark: 'nonsense-mark', data: { values: [{ a: 1 }] } } };
    const t = new ChartThread(WORKER);
    // The thread takes the largest chart first: make the bad one the largest.
    const big = { ...bad, spec: { ...bad.spec, data: { values: Array.from({ length: 10_000 }, (_, i) => ({ a: i })) } } };
    await expect(writeCharts(join(tmp, 'bad'), [...charts, big], { thread: t })).rejects.toThrow(/chart thread|nonsense/i);
  });
});

describe('an SVG on its own', () => {
  it("does not depend on what the thread drew before (the heat map's gradient, the clip paths)", async () => {
    const charts = sweepCharts(sampleSweep());
    const heat = charts.find((c) => c.name === 'utilization-heatmap')!;
    const first = await specToSvg(heat.spec);
    expect(first).toMatch(/gradient_0/);
    for (const c of charts) await specToSvg(c.spec);
    expect(await specToSvg(heat.spec)).toBe(first);
  });
});

describe('the worker file', () => {
  it('is not looked for under the TypeScript sources', () => {
    expect(chartWorkerFile()).toBeUndefined();
  });
});

/**
 * A second thread that renders charts (chart-worker.ts), so that a report with several large charts uses two cores:
 * `writeCharts` (render.ts) hands charts to it and renders others here, each chart whole on one thread, so the files
 * are the same bytes whichever thread drew them. Started early (`prewarmChartThread`, the sweep command calls it
 * before evaluating) so that vega loads there while this thread works; without that call nothing changes.
 * Only from compiled JavaScript (dist/): under the TypeScript sources (vitest) there is no worker file to start, and
 * charts render on this thread.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { packageRoot } from '../base/package-root.js';
import type { ChartJob, ChartJobResult } from './chart-worker.js';
import type { VlSpec } from './charts/types.js';

/** The worker's file: beside this module (tsc's output), else the package's dist/sim/report/ (from the CLI bundle). */
export function chartWorkerFile(): string | undefined {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) return undefined;
  return [join(dirname(here), 'chart-worker.js'), join(packageRoot(), 'dist', 'sim', 'report', 'chart-worker.js')].find((f) => existsSync(f));
}

export interface RenderedChart { readonly svg: string; readonly png?: Buffer }

export class ChartThread {
  private readonly worker: Worker;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (r: RenderedChart) => void; reject: (e: Error) => void }>();
  private broken: Error | undefined;

  constructor(file: string) {
    this.worker = new Worker(file);
    this.worker.on('message', (r: ChartJobResult) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      this.settled(r.id);
      if ('error' in r) p.reject(new Error(`chart thread: ${r.error}`));
      else p.resolve({ svg: r.svg ?? '', ...(r.png ? { png: Buffer.from(r.png.buffer, r.png.byteOffset, r.png.byteLength) } : {}) });
    });
    const fail = (e: Error) => {
      this.broken ??= e;
      for (const [id, p] of this.pending) { this.settled(id); p.reject(e); }
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`chart thread exited (code ${code})`)));
    this.worker.unref(); // idle, it never keeps the process alive (after the listeners: adding one refs it again)
  }

  private settled(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
  }

  /** The chart's SVG, and its PNG when `png`: specToSvg and svgToPng on the other thread. */
  render(spec: VlSpec, png: boolean): Promise<RenderedChart> {
    return this.send((id) => ({ id, kind: 'chart', spec, png }));
  }

  /** svgToPng on the other thread. */
  png(svg: string): Promise<Buffer> {
    return this.send((id) => ({ id, kind: 'png', svg })).then((r) => r.png!);
  }

  private send(job: (id: number) => ChartJob): Promise<RenderedChart> {
    if (this.broken) return Promise.reject(this.broken);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref(); // a job in flight keeps the process alive until it is back
      this.worker.postMessage(job(id));
    });
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}

let warm: ChartThread | undefined;

/** Starts the chart thread now (where there is a second core and a worker file), for the next `writeCharts`. */
export function prewarmChartThread(): void {
  if (warm || availableParallelism() < 2) return;
  const file = chartWorkerFile();
  if (file) warm = new ChartThread(file);
}

/** The prewarmed thread, handed over once (its taker closes it), or undefined. */
export function takeChartThread(): ChartThread | undefined {
  const t = warm;
  warm = undefined;
  return t;
}

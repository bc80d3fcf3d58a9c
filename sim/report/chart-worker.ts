/**
 * The chart thread's entry (chart-thread.ts starts it): loads vega, vega-lite and resvg as soon as it starts, then
 * does the jobs it is sent — a chart's spec to SVG and PNG, or an SVG to PNG (render.ts specToSvg, svgToPng: the same
 * bytes as on the main thread) — and sends the results back. Writes nothing. Run from tsc's output
 * (dist/sim/report/chart-worker.js).
 */
import { parentPort } from 'node:worker_threads';
import type { VlSpec } from './charts/types.js';
import { loadChartLibraries, specToSvg, svgToPng } from './render.js';

export type ChartJob =
  | { readonly id: number; readonly kind: 'chart'; readonly spec: VlSpec; readonly png: boolean }
  | { readonly id: number; readonly kind: 'png'; readonly svg: string };
export type ChartJobResult =
  | { readonly id: number; readonly svg?: string; readonly png?: Uint8Array }
  | { readonly id: number; readonly error: string };

/** A PNG in its own ArrayBuffer, to transfer. */
const transferable = (png: Buffer): Uint8Array => new Uint8Array(png);

async function run(job: ChartJob): Promise<{ result: ChartJobResult; transfer: ArrayBuffer[] }> {
  if (job.kind === 'png') {
    const png = transferable(svgToPng(job.svg));
    return { result: { id: job.id, png }, transfer: [png.buffer as ArrayBuffer] };
  }
  const svg = await specToSvg(job.spec);
  const png = job.png ? transferable(svgToPng(svg)) : undefined;
  return { result: { id: job.id, svg, ...(png ? { png } : {}) }, transfer: png ? [png.buffer as ArrayBuffer] : [] };
}

const port = parentPort;
if (port) {
  // One job at a time, in the order sent.
  let queue: Promise<unknown> = loadChartLibraries();
  port.on('message', (job: ChartJob) => {
    queue = queue.then(() => run(job)).then(
      ({ result, transfer }) => port.postMessage(result, transfer),
      (e: unknown) => port.postMessage({ id: job.id, error: e instanceof Error ? e.stack ?? e.message : String(e) } satisfies ChartJobResult),
    );
  });
}

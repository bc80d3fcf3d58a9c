/**
 * Rendering charts with no browser: vega-lite spec → vega (compile) → SVG (vega View, renderer "none") → PNG
 * (resvg, with DejaVu Sans loaded from the dejavu-fonts-ttf package and system fonts off, so text renders the same on
 * every machine). `writeCharts` writes DIR/charts/NAME.vl.json, .svg and .png for each chart.
 */
import { writeFileAtomic } from '../base/files.js';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { packageRoot } from '../base/package-root.js';

import { type ChartThread, takeChartThread } from './chart-thread.js';
import type { Chart, VlSpec } from './charts/types.js';

// vega, vega-lite (≈ 1.5 MB of JS) and resvg (native) load on first use only, so commands that draw no chart start
// fast; the CLI bundle keeps them external.
type VegaLibs = { readonly vega: typeof import('vega'); readonly compile: (typeof import('vega-lite'))['compile'] };
let vegaLibs: Promise<VegaLibs> | undefined;
const loadVega = (): Promise<VegaLibs> =>
  (vegaLibs ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vl]) => ({ vega, compile: vl.compile })));
const requireCjs = createRequire(import.meta.url);

/** Loads vega, vega-lite, resvg and the font (chart-worker.ts does it as it starts). */
export async function loadChartLibraries(): Promise<void> {
  await loadVega();
  requireCjs('@resvg/resvg-js');
  font();
}

/** A file of a dependency (`vega/build/vega.min.js`), found in node_modules above the package root (hoisted or not). */
export function dependencyFile(rel: string): string {
  let dir = packageRoot();
  for (;;) {
    const f = join(dir, 'node_modules', rel);
    if (existsSync(f)) return f;
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find node_modules/${rel} above ${packageRoot()}`);
    dir = up;
  }
}

export const FONT_FILE_REL = 'dejavu-fonts-ttf/ttf/DejaVuSans.ttf';
let fontFile: string | undefined;
function font(): string {
  return (fontFile ??= dependencyFile(FONT_FILE_REL));
}

/**
 * The chart's SVG. Its clip-path and gradient ids count from the start in every chart (vega's counters are per
 * thread and would otherwise carry on from the charts drawn before), so the bytes do not depend on what this thread
 * drew earlier.
 */
export async function specToSvg(spec: VlSpec): Promise<string> {
  const { vega, compile } = await loadVega();
  const compiled = compile(spec as never).spec;
  vega.resetSVGDefIds();
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

type ResvgLib = typeof import('@resvg/resvg-js');
const pngOptions = (scale: number): import('@resvg/resvg-js').ResvgRenderOptions => ({
  fitTo: { mode: 'zoom', value: scale },
  background: 'white',
  font: { loadSystemFonts: false, fontFiles: [font()], defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
});

/** SVG → PNG at `scale`× (2 = crisp on slides). */
export function svgToPng(svg: string, scale = 2): Buffer {
  const { Resvg } = requireCjs('@resvg/resvg-js') as ResvgLib;
  return new Resvg(svg, pngOptions(scale)).render().asPng();
}

/** svgToPng on one of libuv's threads: the same bytes, while this thread renders the next chart. */
async function svgToPngOffThread(svg: string, scale = 2): Promise<Buffer> {
  const { renderAsync } = requireCjs('@resvg/resvg-js') as ResvgLib;
  return (await renderAsync(svg, pngOptions(scale))).asPng();
}

export interface WrittenChart { readonly chart: Chart; readonly files: readonly string[] }

/** How much a chart costs to draw, roughly: its inlined rows. */
const rowsOf = (c: Chart): number => {
  const values = (c.spec as { data?: { values?: unknown } }).data?.values;
  return Array.isArray(values) ? values.length : 0;
};

/**
 * Writes every chart's .vl.json, .svg and .png into DIR/charts/.
 *
 * With `thread` (by default the one prewarmChartThread started, chart-thread.ts) the work is shared out: the other
 * thread, where vega is loaded already, draws the SVGs, smallest chart first, two in flight so that it never waits for
 * this one; this thread turns them into PNGs as they come (and loads no vega), and the other takes PNGs too once it
 * has drawn every SVG, one at a time. Each file is made whole by one thread, so the bytes do not depend on which.
 * Without a thread, SVGs are drawn here and the PNGs render on libuv's threads while vega draws the next chart (a
 * 20,000-point sweep's five PNGs took 2 s one after another).
 */
export async function writeCharts(dir: string, charts: readonly Chart[], options: { png?: boolean; thread?: ChartThread } = {}): Promise<WrittenChart[]> {
  const png = options.png !== false;
  const thread = options.thread ?? takeChartThread();
  const baseOf = (chart: Chart) => join(dir, 'charts', chart.name);
  const writeSvg = (chart: Chart, svg: string) => {
    writeFileAtomic(`${baseOf(chart)}.vl.json`, `${JSON.stringify(chart.spec, null, 1)}\n`);
    writeFileAtomic(`${baseOf(chart)}.svg`, svg);
  };
  const writePng = (chart: Chart, bytes: Buffer) => writeFileAtomic(`${baseOf(chart)}.png`, bytes);
  // Alone, the largest first (ties in order). With a thread, the smallest first: this thread waits for the first SVG.
  const order = thread ? 1 : -1;
  const svgs = charts.map((c, i) => ({ c, i, rows: rowsOf(c) })).sort((a, b) => order * (a.rows - b.rows) || a.i - b.i).map((x) => x.c);
  const pngJobs: { chart: Chart; svg: string }[] = [];
  const offThread: Promise<void>[] = [];
  let wake: (() => void) | undefined;
  const notify = () => { const w = wake; wake = undefined; w?.(); };
  const wait = () => new Promise<void>((resolve) => { const w = wake; wake = () => { w?.(); resolve(); }; });
  // Without a thread: SVGs here, PNGs on libuv's threads.
  const alone = async () => {
    for (let chart = svgs.shift(); chart; chart = svgs.shift()) {
      const svg = await specToSvg(chart.spec);
      writeSvg(chart, svg);
      if (!png) continue;
      const c = chart;
      const p = svgToPngOffThread(svg).then((bytes) => writePng(c, bytes));
      // Handled here so a failure while a later chart is still drawing is not an unhandled rejection; awaited below.
      p.catch(() => undefined);
      offThread.push(p);
    }
  };
  // With a thread: SVGs there (vega is loaded there already), PNGs here as the SVGs come, and there once it has drawn them all.
  let drawingThere = 0, lanesThere = 0, pngThere = false;
  const here = async () => {
    for (;;) {
      const job = pngJobs.shift();
      if (job) { writePng(job.chart, svgToPng(job.svg)); continue; }
      if ((svgs.length === 0 && drawingThere === 0) || lanesThere === 0) return;
      await wait();
    }
  };
  const there = async (t: ChartThread) => {
    lanesThere++;
    try {
      for (;;) {
        const chart = svgs.shift();
        if (chart) {
          drawingThere++;
          try {
            const r = await t.render(chart.spec, false);
            writeSvg(chart, r.svg);
            if (png) pngJobs.push({ chart, svg: r.svg });
          } finally {
            drawingThere--;
            notify();
          }
          continue;
        }
        // One PNG at a time there: a second would wait in the thread's queue while this thread may be free for it.
        if (pngThere) return;
        const job = pngJobs.shift();
        if (!job) return;
        pngThere = true;
        try {
          writePng(job.chart, await t.png(job.svg));
        } finally {
          pngThere = false;
        }
      }
    } finally {
      lanesThere--;
      notify();
    }
  };
  try {
    // The thread's two lanes first: it has vega loaded already, this one may not. All lanes end before an error is thrown.
    const lanes = await Promise.allSettled(thread ? [there(thread), there(thread), here()] : [alone()]);
    const failed = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
    if (failed) throw failed.reason;
    await Promise.all(offThread);
  } finally {
    if (thread) void thread.close();
  }
  return charts.map((chart) => ({ chart, files: [`${baseOf(chart)}.vl.json`, `${baseOf(chart)}.svg`, ...(png ? [`${baseOf(chart)}.png`] : [])] }));
}

/** The three browser libraries the HTML report inlines, read once. */
let libs: string[] | undefined;
export function browserLibraries(): readonly string[] {
  return (libs ??= ['vega/build/vega.min.js', 'vega-lite/build/vega-lite.min.js', 'vega-embed/build/vega-embed.min.js']
    .map((f) => readFileSync(dependencyFile(f), 'utf8')));
}

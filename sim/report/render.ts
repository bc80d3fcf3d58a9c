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

import type { Chart, VlSpec } from './charts/types.js';

// vega, vega-lite (≈ 1.5 MB of JS) and resvg (native) load on first use only, so commands that draw no chart start
// fast; the CLI bundle keeps them external.
type VegaLibs = { readonly vega: typeof import('vega'); readonly compile: (typeof import('vega-lite'))['compile'] };
let vegaLibs: Promise<VegaLibs> | undefined;
const loadVega = (): Promise<VegaLibs> =>
  (vegaLibs ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vl]) => ({ vega, compile: vl.compile })));
const requireCjs = createRequire(import.meta.url);

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

export async function specToSvg(spec: VlSpec): Promise<string> {
  const { vega, compile } = await loadVega();
  const compiled = compile(spec as never).spec;
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

/**
 * Writes every chart's .vl.json, .svg and .png into DIR/charts/. The PNGs render off this thread while vega draws the
 * next chart's SVG here (a 20,000-point sweep's five PNGs took 2 s one after another).
 */
export async function writeCharts(dir: string, charts: readonly Chart[], options: { png?: boolean } = {}): Promise<WrittenChart[]> {
  const out: WrittenChart[] = [];
  const pngs: Promise<void>[] = [];
  for (const chart of charts) {
    const base = join(dir, 'charts', chart.name);
    const svg = await specToSvg(chart.spec);
    writeFileAtomic(`${base}.vl.json`, `${JSON.stringify(chart.spec, null, 1)}\n`);
    writeFileAtomic(`${base}.svg`, svg);
    const files = [`${base}.vl.json`, `${base}.svg`];
    if (options.png !== false) {
      const png = svgToPngOffThread(svg).then((bytes) => writeFileAtomic(`${base}.png`, bytes));
      // Handled here so a failure while a later chart is still drawing is not an unhandled rejection; awaited below.
      png.catch(() => undefined);
      pngs.push(png);
      files.push(`${base}.png`);
    }
    out.push({ chart, files });
  }
  await Promise.all(pngs);
  return out;
}

/** The three browser libraries the HTML report inlines, read once. */
let libs: string[] | undefined;
export function browserLibraries(): readonly string[] {
  return (libs ??= ['vega/build/vega.min.js', 'vega-lite/build/vega-lite.min.js', 'vega-embed/build/vega-embed.min.js']
    .map((f) => readFileSync(dependencyFile(f), 'utf8')));
}

/**
 * Charts for a real network, through the bundled CLI: `simulate --model SqueezeNet-1.1 --mode training --out TMP`
 * (266 entries). From the vega-lite specs the CLI wrote: every chart, rendered, fits the page width; no axis label is
 * shortened with "…" and every y axis has room for its longest label; per-layer charts have one panel per pass with at
 * most TOP_LAYERS_PER_PASS + 1 bars named by layer (vector ops folded in) that still add up to the pass's energy; energies
 * print in one engineering unit per column or axis. In headless Chromium at 1400 and 800 px the page does not overflow
 * sideways and no chart label is cut. Each check is also run on a corrupted input, to show it can fail.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ENERGY_PJ } from '../../sim/base/display-units.js';
import { TOP_LAYERS_PER_PASS } from '../../sim/report/charts/layer-entries.js';
import { PAGE_WIDTH_PX, labelLimitFor } from '../../sim/report/charts/layout.js';
import type { VlSpec } from '../../sim/report/charts/types.js';
import type { CostReport } from '../../sim/run/cost-report.js';
import { specToSvg } from '../../sim/report/render.js';
import { ROOT, systolab } from '../helpers/cli.js';

const SQUEEZENET = join(ROOT, 'test', 'fixtures', 'onnx', 'tv-squeezenet1_1-noweights.onnx');
const dir = mkdtempSync(join(tmpdir(), 'systolab-real-network-'));
const run = systolab(['simulate', '--model', SQUEEZENET, '--mode', 'training', '--out', dir], dir);
const specs = run.code === 0
  ? Object.fromEntries(readdirSync(join(dir, 'charts')).filter((f) => f.endsWith('.vl.json')).map((f) => [f.replace('.vl.json', ''), JSON.parse(readFileSync(join(dir, 'charts', f), 'utf8')) as VlSpec]))
  : {};
const report = run.code === 0 ? JSON.parse(readFileSync(join(dir, 'cost-report.json'), 'utf8')) as CostReport : undefined;

const svgWidth = (svg: string) => Number(/^<svg[^>]* width="(\d+(?:\.\d+)?)"/.exec(svg)![1]);
/** Text elements vega shortened (it appends "…" when a label exceeds its limit). */
const truncated = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*…[^<]*)<\/text>/g)].map((m) => m[1]);

type Panel = { title?: { text: string }; transform?: { filter: { field: string; equal: string } }[]; encoding?: Record<string, { field?: string; type?: string; title?: string; axis?: { labelLimit?: number } }> };
const panelsOf = (spec: VlSpec): Panel[] => (spec.vconcat as Panel[] | undefined) ?? [spec as Panel];
const valuesOf = (spec: VlSpec) => (spec.data as { values: Record<string, unknown>[] }).values;

/** The y-axis problems of a spec: a nominal y whose labelLimit cannot hold its longest label. */
function labelRoomProblems(spec: VlSpec): string[] {
  const out: string[] = [];
  for (const p of panelsOf(spec)) {
    const y = p.encoding?.y;
    if (y?.type !== 'nominal' || !y.field) continue;
    const pass = p.transform?.[0]?.filter.equal;
    const labels = [...new Set(valuesOf(spec).filter((v) => pass === undefined || v.pass === pass).map((v) => String(v[y.field!])))];
    const need = labelLimitFor(labels, 11);
    if ((y.axis?.labelLimit ?? 180) < need) out.push(`${p.title?.text ?? 'chart'}: labelLimit ${y.axis?.labelLimit ?? 180} < ${need}`);
  }
  return out;
}

/** Per pass, the energies drawn (in pJ) against the report's by-pass totals; the relative differences. */
function energyGaps(spec: VlSpec, r: CostReport): number[] {
  return panelsOf(spec).map((p) => {
    const pass = p.transform![0].filter.equal as keyof NonNullable<CostReport['totals']['byPass']>;
    const unit = /energy \((.+)\)/.exec(p.encoding!.x.title!)![1];
    const perUnit = ENERGY_PJ.find((u) => u.unit === unit)!.perUnit;
    const drawn = valuesOf(spec).filter((v) => v.pass === pass).reduce((a, v) => a + (v.energy as number) * perUnit, 0);
    const want = r.totals.byPass![pass]!.energy.total;
    return Math.abs(drawn - want) / want;
  });
}

describe.skipIf(!existsSync(SQUEEZENET))('SqueezeNet-1.1 training: charts for a real network (CLI)', () => {
  it('simulate --out writes the four charts', () => {
    expect(run.code, run.err).toBe(0);
    expect(Object.keys(specs).sort()).toEqual(['energy-by-component', 'energy-per-layer', 'roofline', 'utilization']);
    expect(report!.layers.length).toBeGreaterThan(250);
  });

  it(`every chart, rendered, is at most ${PAGE_WIDTH_PX} px wide, and no label is cut with "…"`, async () => {
    for (const [name, spec] of Object.entries(specs)) {
      const svg = await specToSvg(spec);
      expect(svgWidth(svg), name).toBeLessThanOrEqual(PAGE_WIDTH_PX);
      expect(truncated(svg), name).toEqual([]);
      expect(labelRoomProblems(spec), name).toEqual([]);
    }
  });

  it('mutation: a chart 1400 px wide fails the width check; a labelLimit of 60 px cuts labels and fails both label checks', async () => {
    const spec = specs['energy-per-layer'];
    const wide = { ...spec, vconcat: panelsOf(spec).map((p) => ({ ...p, width: 1400 })) };
    expect(svgWidth(await specToSvg(wide))).toBeGreaterThan(PAGE_WIDTH_PX);
    const narrow = { ...spec, vconcat: panelsOf(spec).map((p) => ({ ...p, encoding: { ...p.encoding, y: { ...p.encoding!.y, axis: { labelLimit: 60 } } } })) };
    expect(truncated(await specToSvg(narrow)).length).toBeGreaterThan(0);
    expect(labelRoomProblems(narrow).length).toBeGreaterThan(0);
  });

  it(`per-layer charts: a panel per pass, at most ${TOP_LAYERS_PER_PASS} layers + one summed bar each, layer names (not op ids)`, () => {
    for (const name of ['energy-per-layer', 'utilization']) {
      const panels = panelsOf(specs[name]);
      const passes = panels.map((p) => p.transform![0].filter.equal);
      expect(passes, name).toEqual(name === 'utilization' ? ['forward', 'backwardData', 'backwardWeight'] : ['forward', 'backwardData', 'backwardWeight', 'update']);
      for (const pass of passes) {
        const labels = new Set(valuesOf(specs[name]).filter((v) => v.pass === pass).map((v) => String(v.layer)));
        expect(labels.size, `${name} ${pass}`).toBeLessThanOrEqual(TOP_LAYERS_PER_PASS + 1);
        expect([...labels].filter((l) => l.startsWith('other ')), `${name} ${pass}`).toHaveLength(1);
        for (const l of labels) expect(l, name).not.toMatch(/\.(forward|backwardData|backwardWeight|update)(\.|$)|\.bias$/);
      }
    }
    expect(panelsOf(specs['energy-per-layer'])[0].title!.text).toMatch(/^forward pass · \d+ layers · [\d.]+ [mµn]J in all$/);
  });

  it('the bars of each pass add up to its energy (vector ops folded in, the rest summed, nothing lost); mutation: dropping the summed bar is caught', () => {
    for (const gap of energyGaps(specs['energy-per-layer'], report!)) expect(gap).toBeLessThan(1e-9);
    const spec = specs['energy-per-layer'];
    const dropped = { ...spec, data: { values: valuesOf(spec).filter((v) => !String(v.layer).startsWith('other ')) } };
    expect(Math.max(...energyGaps(dropped, report!))).toBeGreaterThan(1e-3);
  });

  it('one engineering unit per column and axis: text, HTML and chart axes print energies below 1000 of their unit', () => {
    expect(run.out).toMatch(/energy \(mJ\)/);
    expect(run.out).toMatch(/Energy 10\.4\d* mJ/);
    expect(run.out).toMatch(/EDP [\d.]+ µJ·s/);
    expect(run.out).not.toMatch(/nJ\b.*\d{7}/);
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    expect(/<th>energy<\/th><td>10\.4\d* mJ<\/td>/.test(html)).toBe(true);
    expect(html.includes('<th>MACs</th><td>1,026,165,120</td>')).toBe(true);
    const big = report!.layers.find((l) => l.kind === 'gemm' && l.macs > 1e6)!;
    expect(big.kind === 'gemm' && html.includes(`<td class="n">${big.macs.toLocaleString('en-US')}</td>`)).toBe(true);   // the layer table
    for (const p of panelsOf(specs['energy-per-layer'])) {
      const pass = p.transform![0].filter.equal;
      const sums = new Map<string, number>();
      for (const v of valuesOf(specs['energy-per-layer']).filter((x) => x.pass === pass)) sums.set(String(v.layer), (sums.get(String(v.layer)) ?? 0) + (v.energy as number));
      const max = Math.max(...sums.values());
      expect(max, `${pass}: ${p.encoding!.x.title}`).toBeGreaterThanOrEqual(1);
      expect(max, `${pass}: ${p.encoding!.x.title}`).toBeLessThan(1000);
    }
  });
});

const CHROMIUM = '/usr/bin/chromium';
describe.skipIf(!existsSync(CHROMIUM) || !existsSync(SQUEEZENET))('SqueezeNet-1.1 training report in headless Chromium at 1400 and 800 px', () => {
  let browser: Browser;
  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
  }, 60_000);
  afterAll(async () => { await browser?.close(); });

  for (const width of [1400, 800]) {
    it(`${width} px: no sideways overflow, every chart inside its column, no label cut; screenshot taken`, async () => {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      await page.goto(pathToFileURL(join(dir, 'index.html')).href);
      await page.waitForFunction(() => (globalThis as unknown as { __chartsRendered?: number }).__chartsRendered !== undefined, undefined, { timeout: 60_000 });
      const layout = {
        scrollWidth: await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth),
        charts: await page.$$eval('div.chart', (divs) => divs.map((d) => {
          const svg = d.querySelector('svg')!;
          return { name: d.getAttribute('data-chart'), svgRight: svg.getBoundingClientRect().right, boxRight: d.getBoundingClientRect().right, cut: [...svg.querySelectorAll('text')].map((t) => t.textContent ?? '').filter((t) => t.includes('…')) };
        })),
      };
      expect(layout.scrollWidth).toBeLessThanOrEqual(width);
      for (const c of layout.charts) {
        expect(c.svgRight, c.name!).toBeLessThanOrEqual(c.boxRight + 0.5);
        expect(c.cut, c.name!).toEqual([]);
      }
      await page.screenshot({ path: join(dir, `report-${width}.png`), fullPage: true });
      expect(existsSync(join(dir, `report-${width}.png`))).toBe(true);
      await page.close();
    }, 90_000);
  }
});

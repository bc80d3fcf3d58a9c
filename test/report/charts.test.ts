/**
 * Charts: every spec the report modules emit validates against vega-lite's own JSON schema (draft-07, plain Ajv),
 * renders to SVG with no browser, and its PNG carries rendered text (DejaVu Sans from the npm package).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { loadAnyModel, resolveModel } from '../../sim/load/model.js';
import { loadHwConfig, resolveMachine } from '../../sim/load/hw.js';
import { withOverrides } from '../../sim/arch/parse.js';
import { type SimulateOptions, simulateGraph } from '../../sim/run/pipeline.js';
import type { HwConfig } from '../../sim/arch/types.js';
import type { LayerGraph } from '../../sim/ir/types.js';

import type { NumericsReport } from '../../sim/run/check.js';
import { simulateCharts } from '../../sim/report/charts/simulate-charts.js';
import { sweepCharts } from '../../sim/report/charts/sweep-charts.js';
import { checkCharts, gradientErrorChart } from '../../sim/report/charts/numerics-charts.js';
import { trainingCurvesChart } from '../../sim/report/train-charts.js';
import { CHART_CONFIG } from '../../sim/report/charts/palette.js';
import { VL_SCHEMA } from '../../sim/report/charts/types.js';
import { specToSvg, svgToPng } from '../../sim/report/render.js';
import { CHART_TEXT_CHARS, chartData, chartText } from '../../sim/report/charts/layout.js';
import fc from 'fast-check';
import { sampleCheck, sampleHistory, sampleSweep } from './samples.js';

/** The pipeline on a graph and a config, its energy table loaded. */
const simulate = (g: LayerGraph, hw: HwConfig, o: SimulateOptions) => simulateGraph(g, resolveMachine(hw), o);

const ROOT = join(import.meta.dirname, '..', '..');
const schema = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'vega-lite', 'build', 'vega-lite-schema.json'), 'utf8'));
const ajv = new Ajv({ allErrors: false, strict: false, validateFormats: false });
const validate = ajv.compile(schema);

const report = simulate(loadAnyModel(resolveModel('models/tiny-cnn.yaml')), withOverrides(loadHwConfig('scalesim-32x32'), { rows: 16, cols: 16, dataflow: 'ws' }), { mode: 'training', compat: 'none', version: 'test' });
const all = [
  ...simulateCharts(report),
  ...sweepCharts(sampleSweep()),
  ...sweepCharts(sampleSweep().filter((r) => r.params.model === 'tiny-cnn')),   // one group: no facet
  ...checkCharts(sampleCheck()),
  trainingCurvesChart(sampleHistory()),
  gradientErrorChart(sampleHistory())!,
];

describe('every emitted spec', () => {
  it('covers the chart kinds of the issue', () => {
    expect(new Set(all.map((c) => c.name))).toEqual(new Set([
      'utilization', 'energy-per-layer', 'energy-by-component', 'roofline', 'cycles-vs-array', 'utilization-heatmap', 'latency-vs-sram', 'pareto',
      'check-sqnr', 'check-error', 'loss-curves', 'gradient-error',
    ]));
  });
  for (const [i, c] of all.entries()) {
    it(`${c.name} (#${i}) validates against vega-lite's schema and renders to SVG`, async () => {
      const ok = validate(c.spec);
      expect(ok, JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
      expect(c.name).toMatch(/^[a-z0-9-]+$/);
      const svg = await specToSvg(c.spec);
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).toContain('<text');
    });
  }
  it('axis titles carry units', () => {
    const titles = JSON.stringify(all.map((c) => c.spec));
    for (const unit of ['(cycles', '(ms', '(µJ', '(dB)', 'MACs per cycle', 'MACs per DRAM byte', 'energy (pJ)', 'share of PE-cycles (%)']) expect(titles).toContain(unit);
  });
});

describe('PNG rendering', () => {
  const titled = (title: string) => ({
    $schema: VL_SCHEMA, config: CHART_CONFIG, title, width: 200, height: 60,
    data: { values: [] }, mark: 'point', encoding: {},
  });
  /** Dark pixels in an RGBA PNG (decoded by resvg itself: render the PNG as an <image> … simpler: count via SVG→raw pixels). */
  const darkPixels = async (title: string) => {
    const { Resvg } = await import('@resvg/resvg-js');
    const svg = await specToSvg(titled(title));
    const font = join(ROOT, 'node_modules', 'dejavu-fonts-ttf', 'ttf', 'DejaVuSans.ttf');
    const img = new Resvg(svg, { background: 'white', font: { loadSystemFonts: false, fontFiles: [font], defaultFontFamily: 'DejaVu Sans' } }).render();
    const px = img.pixels;
    let dark = 0;
    for (let i = 0; i < px.length; i += 4) if (px[i] < 128 && px[i + 1] < 128 && px[i + 2] < 128) dark++;
    return dark;
  };
  it('a title renders as glyphs (dark pixels), and svgToPng gives a different PNG than an empty title', async () => {
    expect(await darkPixels('')).toBe(0);
    expect(await darkPixels('Utilization per layer')).toBeGreaterThan(200);
    const a = svgToPng(await specToSvg(titled('Utilization per layer'))), b = svgToPng(await specToSvg(titled('')));
    expect(a.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(a.equals(b)).toBe(false);
  });
});

describe('long names in charts (fuzz campaign seed 20261202: a 5,000-character model name made a 48,250 × 40,138 px chart, 20 s to render)', () => {
  it('chartText keeps short text, shortens long text to a bounded, distinct, deterministic label', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), fc.string({ minLength: 1, maxLength: 5 }), (s, tail) => {
      const t = chartText(s);
      if (s.length <= CHART_TEXT_CHARS) return t === s;
      const long = `${s}${tail}`;
      return t.length < CHART_TEXT_CHARS + 40 && t.startsWith(s.slice(0, CHART_TEXT_CHARS - 1)) && chartText(s) === t
        && (long.length === s.length || chartText(long) !== t);
    }), { seed: 19 });
    expect(chartText(`${'x'.repeat(79)}😀`)).toMatch(/^x{79}…#/); // never half a surrogate pair
  });

  it('chartData shortens every string of a report, and the sweep charts stay page-sized', async () => {
    const long = 'x'.repeat(5000);
    const data = chartData(sampleSweep(long));
    expect(JSON.stringify(data)).not.toContain('x'.repeat(CHART_TEXT_CHARS + 1));
    for (const c of sweepCharts(data)) {
      const [, w, h] = /width="(\d+)" height="(\d+)"/.exec(await specToSvg(c.spec))!.map(Number);
      expect(w * h, c.name).toBeLessThan(4_000_000);
    }
    // Mutation: without chartData the same records give a chart tens of thousands of pixels across.
    const raw = await specToSvg(sweepCharts(sampleSweep(long))[0].spec);
    const [, rw, rh] = /width="(\d+)" height="(\d+)"/.exec(raw)!.map(Number);
    expect(Math.max(rw, rh)).toBeGreaterThan(20_000);
  });
});

// keep the fixture type honest
const _check: NumericsReport = sampleCheck();
void _check;

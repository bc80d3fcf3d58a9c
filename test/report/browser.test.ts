/**
 * index.html in headless Chromium from file://: every chart rendered (an <svg> or <canvas> inside each chart div), no
 * console error, no network, and a model named <script>alert(1)</script> shows as text (no dialog opens). Needs
 * Debian's chromium at /usr/bin/chromium (.ci/run installs it); without it the tests skip and say why.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumSkip, launchChromium } from '../helpers/chromium.js';
import type { Browser } from 'playwright-core';
import { writeCheckReport, writeSimulateReport, writeSweepReport } from '../../sim/report/write-report.js';
import { resolveMachine, loadHwConfig } from '../../sim/load/hw.js';
import { type SimulateOptions, simulateGraph } from '../../sim/run/pipeline.js';
import type { HwConfig } from '../../sim/arch/types.js';
import type { LayerGraph } from '../../sim/ir/types.js';

import { loadAnyModel, resolveModel } from '../../sim/load/model.js';
import { sampleCheck, sampleSweep } from './samples.js';

/** The pipeline on a graph and a config, its energy table loaded. */
const simulate = (g: LayerGraph, hw: HwConfig, o: SimulateOptions) => simulateGraph(g, resolveMachine(hw), o);

const EVIL = '<script>alert(1)</script>';
const SKIP = chromiumSkip('test/report/browser.test.ts', 'the browser test');

describe.skipIf(SKIP !== '')(`index.html in headless Chromium${SKIP ? ` — SKIPPED: ${SKIP}` : ''}`, () => {
  let browser: Browser;
  beforeAll(async () => { browser = await launchChromium(); }, 60_000);
  afterAll(async () => { await browser?.close(); });

  async function open(html: string, expectedCharts: number) {
    const page = await browser.newPage();
    const errors: string[] = [], requests: string[] = [], dialogs: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url()); });
    page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
    await page.goto(pathToFileURL(html).href);
    await page.waitForFunction(() => (globalThis as unknown as { __chartsRendered?: number }).__chartsRendered !== undefined, undefined, { timeout: 30_000 });
    const charts = await page.$$eval('div.chart', (divs) => divs.map((d) => ({ name: d.getAttribute('data-chart'), drawn: d.querySelector('svg, canvas') !== null })));
    expect(charts).toHaveLength(expectedCharts);
    for (const c of charts) expect(c.drawn, `chart ${c.name} did not render`).toBe(true);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    expect(dialogs).toEqual([]);
    return page;
  }

  it('simulate report: 4 charts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'systolab-browser-'));
    const r = simulate(loadAnyModel(resolveModel('models/tiny-cnn.yaml')), loadHwConfig('scalesim-32x32'), { mode: 'training', compat: 'none', version: 'test' });
    const w = await writeSimulateReport(dir, { ...r, model: EVIL }, `systolab simulate --model '${EVIL}'`);
    const page = await open(w.html, 4);
    expect(await page.textContent('h1')).toContain(EVIL);   // shown as text
    expect(await page.textContent('#command')).toContain(EVIL);
    await page.close();
  });

  it('sweep report (a model named <script>alert(1)</script>): 4 charts (the samples sweep SRAM)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'systolab-browser-'));
    const w = await writeSweepReport(dir, sampleSweep(EVIL));
    const page = await open(w.html, 4);
    expect(await page.textContent('h1')).toContain(EVIL);
    await page.close();
  });

  it('check report: 2 charts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'systolab-browser-'));
    const w = await writeCheckReport(dir, sampleCheck(EVIL));
    const page = await open(w.html, 2);
    expect(await page.textContent('#summary')).toContain(EVIL);
    await page.close();
  });
});

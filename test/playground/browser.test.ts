/**
 * The playground in Debian's Chromium (playwright-core, never a downloaded browser), loaded from file:// as a student
 * opens it: spiral trains to ≥ 90 % test accuracy within 200 epochs with the curve `systolab train` prints for the
 * same options; the array goes 8×8 → 16×16 and the latency becomes what `systolab simulate --mode training` prints
 * for the exported model and config; 10 steps of the PE array show the values `simulate --trace` prints; a shared
 * URL restores the setup, classroom mode hides the controls; an uploaded CSV, iris and digits train; and the page
 * logs no console error and makes no network request. Without /usr/bin/chromium the tests skip and say why.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumSkip, launchChromium } from '../helpers/chromium.js';
import type { Browser, Page } from 'playwright-core';
import { train } from '../../sim/api/train.js';
import { datasetOf, planeSpec } from '../../sim/playground/data.js';
import { embeddedData } from '../../sim/playground/embed.js';
import { modelDocument, testSplitOf } from '../../sim/playground/network.js';
import { DEFAULT_STATE } from '../../sim/playground/state.js';
import { ROOT, systolab } from '../helpers/cli.js';

const PAGE = join(ROOT, 'dist', 'playground', 'index.html');
const SKIP = chromiumSkip('test/playground/browser.test.ts', 'the playground browser tests');

/** Epochs within which spiral (500 points, noise 0, 50 % training) reaches 90 % test accuracy with the defaults. */
const SPIRAL_EPOCHS = 200;

/**
 * What the page-side functions below use (they are serialized into the page and run there, where these exist; the
 * page's CSP forbids evaluating strings, so they must be functions). Declared for this module only.
 */
declare const document: {
  querySelector(s: string): { getAttribute(n: string): string | null; textContent: string | null } | null;
  querySelectorAll(s: string): { length: number };
};
declare const window: { systolabPlayground: { history(): { train: { loss: number }; test: { loss: number; accuracy: number } }[]; fixedHistory(): unknown[] } };

interface Watched { page: Page; errors: string[]; requests: string[] }

describe.skipIf(SKIP !== '')(`the playground in headless Chromium${SKIP ? ` — SKIPPED: ${SKIP}` : ''}`, () => {
  let browser: Browser;
  beforeAll(async () => { browser = await launchChromium(); }, 60_000);
  afterAll(async () => { await browser?.close(); });

  async function open(hash = '', url = pathToFileURL(PAGE).href): Promise<Watched> {
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1500, height: 1100 } });
    const page = await context.newPage();
    const errors: string[] = [], requests: string[] = [];
    const origin = url.startsWith('http') ? new URL(url).origin : undefined;
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => {
      const u = r.url();
      if (!(u.startsWith('file:') || u.startsWith('data:') || u.startsWith('blob:') || (origin !== undefined && u.startsWith(origin)))) requests.push(u);
    });
    await page.goto(`${url}${hash}`);
    await page.waitForFunction(() => document.querySelector('[data-testid=latency-cycles]')?.getAttribute('data-value') !== null, undefined, { timeout: 30_000 });
    return { page, errors, requests };
  }
  const value = (page: Page, id: string) => page.getAttribute(`[data-testid=${id}]`, 'data-value');
  async function set(page: Page, id: string, v: string) {
    await page.fill(`[data-testid=${id}]`, v);
    await page.dispatchEvent(`[data-testid=${id}]`, 'change');
  }
  async function download(page: Page, id: string, dir: string): Promise<string> {
    const [d] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid=${id}]`)]);
    const file = join(dir, d.suggestedFilename());
    await d.saveAs(file);
    return file;
  }

  it(`file://: spiral trains to ≥ 90 % test accuracy in ${SPIRAL_EPOCHS} epochs on systolab train's curve; 8×8 → 16×16 gives the CLI's latency; 10 PE cycles are simulate --trace's`, async () => {
    const { page, errors, requests } = await open();
    const dir = mkdtempSync(join(tmpdir(), 'systolab-playground-'));

    // The PE array: 10 steps of the seeded 4×4×4 GEMM on the 8×8 os array.
    for (let i = 0; i < 10; i++) await page.click('[data-testid=pe-step]');
    expect(await value(page, 'pe-cycle')).toBe('9');
    const cli = JSON.parse(systolab(['simulate', '--trace', '4x4x4', '--array', '8x8', '--dataflow', 'os', '--seed', '1', '--format', 'json']).out) as { cycles: { a: (number | null)[][]; b: (number | null)[][]; acc: number[][] }[] };
    const cells = await page.$$eval('[data-testid^=pe-]', (els) => els.filter((e) => /^pe-\d+-\d+$/.test(e.getAttribute('data-testid')!)).map((e) => ({
      id: e.getAttribute('data-testid')!, a: e.getAttribute('data-a'), b: e.getAttribute('data-b'), acc: e.getAttribute('data-acc'),
    })));
    expect(cells).toHaveLength(64);
    const show = (x: number | null) => (x === null ? '·' : String(x));
    const expected = (c: (typeof cli.cycles)[number]) => cells.map(({ id }) => {
      const [, i, j] = id.split('-').map(Number);
      return { id, a: show(c.a[i][j]), b: show(c.b[i][j]), acc: String(c.acc[i][j]) };
    });
    expect(cells).toEqual(expected(cli.cycles[9]));
    expect(cells).not.toEqual(expected(cli.cycles[8]));   // the comparison tells one cycle from the next
    await page.click('[data-testid=pe-1-2]');
    expect(await page.textContent('[data-testid=pe-values]')).toContain(`accumulator  ${cli.cycles[9].acc[1][2]}`);

    // Training: the page's history is systolab train's for the same options.
    await set(page, 'stop-epoch', String(SPIRAL_EPOCHS));
    await page.click('[data-testid=play]');
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=epoch]')?.getAttribute('data-value')) >= n && document.querySelector('[data-testid=play]')!.getAttribute('data-playing') === 'false', SPIRAL_EPOCHS, { timeout: 120_000 });
    expect(Number(await value(page, 'epoch'))).toBe(SPIRAL_EPOCHS);
    expect(Number(await value(page, 'test-accuracy'))).toBeGreaterThanOrEqual(0.9);
    const history = await page.evaluate(() => window.systolabPlayground.history());
    const s = DEFAULT_STATE;
    const { dataset } = datasetOf(s, embeddedData());
    const model = join(dir, 'network.json');
    writeFileSync(model, JSON.stringify(modelDocument(s, dataset)));
    const cliRun = train({ model, dataset: planeSpec(s), loss: s.loss, optimizer: s.optimizer, lr: s.lr, batch: s.batch, epochs: SPIRAL_EPOCHS, testSplit: testSplitOf(s), seed: s.seed }) as { epochs: { train: { loss: number }; test: { loss: number; accuracy: number } }[] };
    expect(history).toHaveLength(SPIRAL_EPOCHS);
    history.forEach((h, i) => {
      expect(h.train.loss).toBe(cliRun.epochs[i].train.loss);   // the same bits: fdlibm.ts, not the engine's Math
      expect(h.test.loss).toBe(cliRun.epochs[i].test.loss);
      expect(h.test.accuracy).toBe(cliRun.epochs[i].test.accuracy);
    });
    expect(Number(await value(page, 'fixed-test-accuracy'))).toBeGreaterThan(0.5);   // the int8 run beside float

    // The accelerator: 8×8 → 16×16, then the exported files through the CLI.
    const at8 = await value(page, 'latency-cycles');
    await set(page, 'rows', '16');
    await set(page, 'cols', '16');
    await page.waitForFunction((old) => document.querySelector('[data-testid=latency-cycles]')?.getAttribute('data-value') !== old, at8);
    const modelFile = await download(page, 'export-model', dir);
    const hwFile = await download(page, 'export-config', dir);
    const report = JSON.parse(systolab(['simulate', '--model', modelFile, '--hw', hwFile, '--mode', 'training', '--batch', String(s.batch), '--format', 'json']).out) as { totals: { totalCycles: number; energy: { total: number } }; hw: { array: { rows: number } } };
    expect(report.hw.array.rows).toBe(16);
    expect(Number(await value(page, 'latency-cycles'))).toBe(report.totals.totalCycles);
    expect(Number(await value(page, 'energy-total'))).toBe(report.totals.energy.total);
    expect(Number(at8)).not.toBe(report.totals.totalCycles);
    expect(new URL(page.url()).hash).toContain('rows=16&cols=16');

    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.context().close();
  }, 240_000);

  it('a shared URL restores the setup; classroom mode hides the controls; changing a control rewrites the URL', async () => {
    const { page, errors, requests } = await open('#dataset=xor&layers=4,4,4&rows=4&cols=4&dataflow=ws&classroom=1');
    expect(await page.inputValue('[data-testid=dataset]')).toBe('xor');
    expect(await page.inputValue('[data-testid=dataflow]')).toBe('ws');
    expect(await page.$$('[data-testid^=neurons-]')).toHaveLength(3);
    expect(await page.isVisible('[data-testid=rows]')).toBe(false);
    expect(await page.isVisible('[data-testid=play]')).toBe(true);
    await page.click('[data-testid=classroom]');
    expect(await page.isVisible('[data-testid=rows]')).toBe(true);
    await page.click('[data-testid=add-layer]');
    expect(await page.$$('[data-testid^=neurons-]')).toHaveLength(4);
    expect(decodeURIComponent(new URL(page.url()).hash)).toContain('layers=4,4,4,4');
    expect(new URL(page.url()).hash).not.toContain('classroom');
    for (let i = 0; i < 3; i++) await page.click('[data-testid=step]');
    await page.waitForFunction(() => document.querySelector('[data-testid=epoch]')?.getAttribute('data-value') === '3');
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('an uploaded CSV, iris and digits train; a dense layer\'s tile steps on the array', async () => {
    const { page, errors, requests } = await open('#rows=4&cols=4');
    const dir = mkdtempSync(join(tmpdir(), 'systolab-playground-'));
    const csv = join(dir, 'three.csv');
    const rows = ['a,b,kind'];
    for (let i = 0; i < 90; i++) rows.push(`${(i % 3) + 0.1 * (i % 7)},${(i % 3) * 2 - 0.05 * (i % 5)},${['red', 'green', 'blue'][i % 3]}`);
    writeFileSync(csv, `${rows.join('\n')}\n`);
    await page.selectOption('[data-testid=dataset]', 'csv');
    await page.setInputFiles('[data-testid=csv-file]', csv);
    await page.waitForFunction(() => document.querySelector('[data-testid=data-note]')!.textContent!.includes('45 training / 45 test'));
    for (const d of ['csv', 'iris', 'digits']) {
      if (d !== 'csv') await page.selectOption('[data-testid=dataset]', d);
      await page.click('[data-testid=step]');
      await page.waitForFunction(() => document.querySelector('[data-testid=epoch]')?.getAttribute('data-value') === '1', undefined, { timeout: 60_000 });
      const acc = Number(await value(page, 'test-accuracy'));
      expect(acc, d).toBeGreaterThan(0);
      expect(acc, d).toBeLessThanOrEqual(1);
    }
    // Trained in int8 beside float: the fixed-point run has its own history.
    await page.click('[data-testid=train-fixed]');
    for (let i = 0; i < 2; i++) await page.click('[data-testid=step]');
    await page.waitForFunction(() => document.querySelector('[data-testid=epoch]')?.getAttribute('data-value') === '2');
    expect(await page.evaluate(() => window.systolabPlayground.fixedHistory().length)).toBe(2);
    expect(await page.textContent('[data-testid=fixed-head]')).toBe('accuracy, trained in int8');
    await page.selectOption('[data-testid=trace-source]', 'layer');
    await page.waitForFunction(() => document.querySelectorAll('.pe').length > 0 && document.querySelector('[data-testid=pe-note]')!.textContent!.includes('int8 codes'));
    for (let i = 0; i < 3; i++) await page.click('[data-testid=pe-step]');
    expect(await value(page, 'pe-cycle')).toBe('2');
    expect(await page.$$('.pe.mac')).not.toHaveLength(0);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.context().close();
  }, 180_000);

  it('served by systolab playground on 127.0.0.1: the same page, no request elsewhere', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'systolab.cjs'), 'playground', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (b: Buffer) => { out += b.toString(); const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out); if (m) resolve(m[0]); });
        child.once('exit', (code) => reject(new Error(`playground exited ${code}`)));
      });
      const { page, errors, requests } = await open('', url);
      await page.click('[data-testid=step]');
      await page.waitForFunction(() => document.querySelector('[data-testid=epoch]')?.getAttribute('data-value') === '1');
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      await page.context().close();
    } finally {
      child.kill('SIGINT');
    }
  }, 120_000);
});

/**
 * The playground's frame time (`npm run bench`), one JSON line per case, in Debian's Chromium from file:// at a 4×4
 * array (issue goal: under 50 ms a frame):
 *   - a training update: what the page does with one message from its worker (the boundary on the 100×100 grid, the
 *     data, the loss curve, the network's weights), while the default spiral network trains for 5 s;
 *   - the interval between animation frames meanwhile (what a user sees: the worker keeps training off the page's thread);
 *   - one step of the PE array (4×4, the seeded 4×4×4 GEMM), 200 steps;
 *   - the accelerator panel's recomputation (one training step through simulateGraph) after a change of the array,
 *     timed in the page and, for reference, from the driver (its polling included).
 * Also the page's size. Without /usr/bin/chromium it prints one line saying so.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = join(import.meta.dirname, '..', '..', '..');
const PAGE = join(ROOT, 'dist', 'playground', 'index.html');
const GOAL_MS = 50;

const stats = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => Number(s[Math.min(s.length - 1, Math.floor(q * s.length))].toFixed(2));
  return { n: s.length, medianMs: at(0.5), p95Ms: at(0.95), maxMs: Number(s[s.length - 1].toFixed(2)) };
};

declare const window: {
  systolabPlayground: { frameTimes(): { update: number[]; pe: number[]; hardware: number[] }; history(): unknown[] };
  requestAnimationFrame(f: (t: number) => void): void;
  __rafIntervals?: number[];
};
declare const document: { querySelector(s: string): { getAttribute(n: string): string | null } | null };

if (!existsSync(CHROMIUM)) {
  console.log(JSON.stringify({ case: 'playground_frame_4x4', skipped: `${CHROMIUM} is missing (apt-get install -y chromium)` }));
} else {
  const size = JSON.parse(readFileSync(join(ROOT, 'dist', 'playground', 'bundle.json'), 'utf8')) as Record<string, number>;
  console.log(JSON.stringify({ case: 'playground_bundle', ...size }));
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage({ viewport: { width: 1500, height: 1100 } });
  const t0 = performance.now();
  await page.goto(`${pathToFileURL(PAGE).href}#rows=4&cols=4`);
  await page.waitForFunction(() => document.querySelector('[data-testid=latency-cycles]')?.getAttribute('data-value') !== null);
  console.log(JSON.stringify({ case: 'playground_load', ms: Number((performance.now() - t0).toFixed(1)), note: 'file:// until the accelerator panel has its first numbers' }));

  await page.evaluate(() => {
    const intervals: number[] = [];
    window.__rafIntervals = intervals;
    let last: number | undefined;
    const tick = (t: number) => { if (last !== undefined) intervals.push(t - last); last = t; window.requestAnimationFrame(tick); };
    window.requestAnimationFrame(tick);
  });
  await page.click('[data-testid=play]');
  await page.waitForTimeout(5000);
  await page.click('[data-testid=play]');
  const epochs = Number(await page.getAttribute('[data-testid=epoch]', 'data-value'));
  const update = (await page.evaluate(() => window.systolabPlayground.frameTimes())).update;
  const raf = await page.evaluate(() => window.__rafIntervals ?? []);
  console.log(JSON.stringify({ case: 'playground_frame_4x4_training_update', ...stats(update), goalMs: GOAL_MS, epochsIn5s: epochs, note: 'boundary 100×100 + data + loss curve + weights, per worker message' }));
  console.log(JSON.stringify({ case: 'playground_frame_4x4_animation_interval', ...stats(raf), goalMs: GOAL_MS, note: 'requestAnimationFrame interval while training runs in the worker' }));

  const before = (await page.evaluate(() => window.systolabPlayground.frameTimes())).pe.length;
  for (let i = 0; i < 200; i++) await page.click(i % 18 === 17 ? '[data-testid=pe-reset]' : '[data-testid=pe-step]');
  const pe = (await page.evaluate(() => window.systolabPlayground.frameTimes())).pe.slice(before);
  console.log(JSON.stringify({ case: 'playground_frame_4x4_pe_step', ...stats(pe), goalMs: GOAL_MS }));

  const hw: number[] = [];
  const hwBefore = (await page.evaluate(() => window.systolabPlayground.frameTimes())).hardware.length;
  for (let i = 0; i < 20; i++) {
    const old = await page.getAttribute('[data-testid=latency-cycles]', 'data-value');
    const s = performance.now();
    await page.fill('[data-testid=cols]', String(i % 2 === 0 ? 8 : 4));
    await page.dispatchEvent('[data-testid=cols]', 'change');
    await page.waitForFunction((o) => document.querySelector('[data-testid=latency-cycles]')!.getAttribute('data-value') !== o, old);
    hw.push(performance.now() - s);
  }
  const inPage = (await page.evaluate(() => window.systolabPlayground.frameTimes())).hardware.slice(hwBefore);
  console.log(JSON.stringify({ case: 'playground_array_change', ...stats(inPage), goalMs: GOAL_MS, note: 'the page\'s recomputation of the accelerator panel (simulateGraph of one training step, tables, charts)' }));
  console.log(JSON.stringify({ case: 'playground_array_change_round_trip', ...stats(hw), note: 'the same seen from playwright: fill, change event, polling until the readout changes' }));
  await browser.close();
}

/**
 * The playground's screenshots in docs/img/ (README, docs/playground.md), taken in Debian's Chromium from the built
 * page: spiral trained 300 epochs at the default setup on a 16×16 array, and the PE array 6 cycles into the seeded
 * 4×4×4 GEMM on a 4×4 array with PE (1, 1) clicked. Run after `npm run build`: node scripts/playground-screenshots.mjs
 */
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const page0 = pathToFileURL(join(import.meta.dirname, '..', 'dist', 'playground', 'index.html')).href;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
await page.goto(`${page0}#rows=16&cols=16`);
await page.fill('[data-testid=stop-epoch]', '300');
await page.dispatchEvent('[data-testid=stop-epoch]', 'change');
await page.click('[data-testid=play]');
await page.waitForFunction(() => document.querySelector('[data-testid=epoch]').getAttribute('data-value') === '300'
  && document.querySelector('[data-testid=play]').getAttribute('data-playing') === 'false', undefined, { timeout: 120_000 });
await page.waitForTimeout(300);
await page.screenshot({ path: 'docs/img/playground.png' });

await page.goto(`${page0}#rows=4&cols=4`);
await page.waitForFunction(() => document.querySelectorAll('.pe').length === 16);
for (let i = 0; i < 7; i++) await page.click('[data-testid=pe-step]');
await page.click('[data-testid=pe-1-1]');
const box = await page.locator('section.panel.array').boundingBox();
await page.screenshot({ path: 'docs/img/playground-array.png', clip: box });
await browser.close();

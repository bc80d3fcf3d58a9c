#!/usr/bin/env node
/**
 * Screenshots of an HTML report in headless Chromium (playwright-core, Debian's /usr/bin/chromium), for the README:
 *   node test/report/screenshots.mjs REPORT/index.html OUT-PREFIX [WIDTH…]
 * writes OUT-PREFIX-WIDTH.png for each viewport width (default 1400 and 800 px): the page from its "Charts" heading
 * down, 1200 px tall, as a reader scrolled there sees it. Not a test: it writes where it is told (docs/img/ for the
 * README), so nothing under test/ runs it.
 */
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [html, prefix, ...widthArgs] = process.argv.slice(2);
if (!html || !prefix) {
  console.error('usage: node test/report/screenshots.mjs REPORT/index.html OUT-PREFIX [WIDTH…]  (e.g. docs/img/squeezenet-training 1400 800)');
  process.exit(2);
}
const widths = widthArgs.length ? widthArgs.map(Number) : [1400, 800];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
try {
  for (const width of widths) {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    await page.goto(pathToFileURL(html).href);
    await page.waitForFunction(() => globalThis.__chartsRendered !== undefined, undefined, { timeout: 60_000 });
    const top = await page.evaluate(() => [...document.querySelectorAll('h2')].find((h) => h.textContent === 'Charts').getBoundingClientRect().top + window.scrollY);
    const file = `${prefix}-${width}.png`;
    await page.screenshot({ path: file, fullPage: true, clip: { x: 0, y: top - 8, width, height: 1200 } });
    console.log(file);
    await page.close();
  }
} finally {
  await browser.close();
}

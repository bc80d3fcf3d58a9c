/**
 * Debian's Chromium for the browser tests (playwright-core drives it; never a downloaded browser): where it is, why a
 * test skips without it, and a headless launch with nothing that would reach the network on its own.
 */
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** '' when Chromium is installed; else the one-line reason `what` skips (and the warning says so). */
export function chromiumSkip(file: string, what: string): string {
  if (existsSync(CHROMIUM)) return '';
  const reason = `${CHROMIUM} is missing (install Debian's chromium: apt-get install -y chromium); skipping ${what}`;
  console.warn(`${file}: ${reason}`);
  return reason;
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/**
 * Headless Chromium for the page tests: Debian's package driven by playwright-core (nothing downloaded),
 * with what goes wrong inside the page written to the test's output.
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';

/** Debian's chromium (scripts/bootstrap.mjs installs it for the tests), or CHROMIUM_PATH. */
export function chromiumPath(): string {
  const found = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
    (p): p is string => !!p && existsSync(p),
  );
  if (!found)
    throw new Error('No Chromium: run `node scripts/bootstrap.mjs --for test` or set CHROMIUM_PATH');
  return found;
}

export async function launchBrowser(): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: ['--no-sandbox', '--disable-gpu'],
  });
  const page = await browser.newPage({ viewport: { width: 1366, height: 800 }, locale: 'ca-ES' });
  page.on('pageerror', (err) => process.stderr.write(`[page error] ${err.message}\n`));
  page.on('console', (m) => {
    if (m.type() === 'error') process.stderr.write(`[page console] ${m.text()}\n`);
  });
  return { browser, page };
}

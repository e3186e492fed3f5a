/**
 * Debian's Chromium driven by playwright-core over the built pages (dist-web/): for the browser
 * tests and the dashboard benchmark.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const WEB_DIR = path.resolve('dist-web');

/** Throws, saying what to do, when the pages are not built or Chromium is missing. */
export function checkBrowser(): void {
  if (!fs.existsSync(path.join(WEB_DIR, 'report.html'))) throw new Error('The web pages are not built: run `npm run build:web` (npm install and npm test do it).');
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium fonts-noto-cjk (or set CHROMIUM_PATH)`);
}

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage', '--lang=zh-CN'] });

/** A browser context signed in by a session cookie (a test client's, or one from signing in through the API). */
export async function signedIn(browser: Browser, url: string, client: { cookie: string }, opts: { mobile?: boolean; viewport?: { width: number; height: number } } = {}): Promise<BrowserContext> {
  const context = await browser.newContext({
    locale: 'zh-CN', ...(opts.mobile ? { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : { viewport: opts.viewport ?? { width: 1440, height: 900 } }),
  });
  const u = new URL(url);
  const eq = client.cookie.indexOf('=');
  const [name, value] = [client.cookie.slice(0, eq), client.cookie.slice(eq + 1)];
  await context.addCookies([{ name, value, domain: u.hostname, path: '/', httpOnly: true, sameSite: 'Strict' }]);
  return context;
}

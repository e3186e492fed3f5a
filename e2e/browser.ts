/**
 * Browser tests: the real server (a test database, the built pages in dist-web/) on a free port,
 * and Debian's Chromium driven by playwright-core. Screenshots go to test-results/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { testDatabase } from '../src/test-support/test-db.js';
import { testApp, testClock, type Client } from '../src/test-support/app.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.resolve('test-results');
const WEB_DIR = path.resolve('dist-web');

export async function startServer(opts: { now?: () => Date } = {}) {
  if (!fs.existsSync(path.join(WEB_DIR, 'report.html'))) throw new Error('The web pages are not built: run `npm run build:web` (npm install and npm test do it).');
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium fonts-noto-cjk (or set CHROMIUM_PATH)`);
  const database = await testDatabase('fixture');
  const t = await testApp(database, { PINGAN_WEB_DIR: WEB_DIR }, opts);
  const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage', '--lang=zh-CN'] });
  return {
    ...t, database, browser, url: address,
    async close() {
      await browser.close();
      await t.app.close();
      await database.drop();
    },
  };
}

/** A browser context signed in as a client made by testApp (its session cookie). */
export async function signedIn(browser: Browser, url: string, client: Client, opts: { mobile?: boolean } = {}): Promise<BrowserContext> {
  const context = await browser.newContext({
    locale: 'zh-CN', ...(opts.mobile ? { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : { viewport: { width: 1440, height: 900 } }),
  });
  const u = new URL(url);
  const eq = client.cookie.indexOf('=');
  const [name, value] = [client.cookie.slice(0, eq), client.cookie.slice(eq + 1)];
  await context.addCookies([{ name, value, domain: u.hostname, path: '/', httpOnly: true, sameSite: 'Strict' }]);
  return context;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** A phone page as one tall screen (so a sticky header and tab bar sit at its ends, not mid-page). */
export async function phoneScreenshot(page: Page, name: string): Promise<void> {
  const size = page.viewportSize()!;
  const height = await page.evaluate<number>('document.documentElement.scrollHeight');
  await page.setViewportSize({ width: size.width, height: Math.max(size.height, height) });
  await screenshot(page, name);
  await page.setViewportSize(size);
}

export { testClock };

/**
 * Browser tests: the real server (a test database, the built pages in dist-web/) on a free port,
 * and Debian's Chromium driven by playwright-core. Screenshots go to test-results/.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { testDatabase } from '../src/test-support/test-db.js';
import { demoDatabase } from '../src/test-support/demo-db.js';
import { testApp, testClock } from '../src/test-support/app.js';
import { checkBrowser, launchChromium, WEB_DIR } from './chromium.js';

export { chromiumInUse, signedIn } from './chromium.js';
export const SCREENSHOTS = path.resolve('test-results');

/** On the test fixture, or (`demo`) on the demo as `npm start` seeds it, with the demo accounts. */
export async function startServer(opts: { now?: () => Date; demo?: boolean } = {}) {
  await checkBrowser();
  const database = opts.demo ? await demoDatabase() : await testDatabase('fixture');
  const t = await testApp(database, { PINGAN_WEB_DIR: WEB_DIR }, opts);
  const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const browser = await launchChromium();
  return {
    ...t, database, browser, url: address,
    async close() {
      await browser.close();
      await t.app.close();
      await database.drop();
    },
  };
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

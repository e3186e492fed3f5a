/**
 * The Chromium driven by playwright-core over the built pages (dist-web/), for the browser tests
 * and the dashboard benchmark. Found in this order:
 *   1. CHROMIUM_PATH, when it names a file (a path that does not exist is reported and skipped);
 *   2. the system's Chromium (/usr/bin/chromium, /usr/bin/chromium-browser, /usr/bin/google-chrome);
 *   3. the one shipped inside the npm devDependency @sparticuz/chromium, unpacked into the
 *      node_modules/.cache/pingan on first use (no download: the binary comes with npm install).
 * PINGAN_CHROMIUM=bundled skips 1 and 2 (CI proves the npm-shipped path with it);
 * PINGAN_CHROMIUM=system refuses 3.
 *
 * Fonts: the browser tests read the DOM and need no fonts. The screenshots in test-results/ and
 * the dashboard benchmark's render show Chinese as boxes without a CJK font: Debian's
 * fonts-noto-cjk (or any Noto Sans CJK SC the system's fontconfig finds) draws it. The
 * npm-shipped Chromium brings only its own fallback fonts.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export const WEB_DIR = path.resolve('dist-web');
export const SYSTEM_CHROMIUMS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export type ChromiumSource = 'CHROMIUM_PATH' | 'system' | 'npm';
export interface FoundChromium { path: string; source: ChromiumSource }

const FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--lang=zh-CN',
];

/**
 * Which Chromium to drive, by the order above; `env` and `exists` are parameters so the order is
 * tested without touching the machine. Throws, saying what to do, when none is found.
 */
export async function findChromium(
  env: NodeJS.ProcessEnv = process.env,
  exists: (file: string) => boolean = fs.existsSync,
  bundled: () => Promise<string> = bundledChromium,
  warn: (message: string) => void = (m) => console.warn(m),
): Promise<FoundChromium> {
  const mode = env.PINGAN_CHROMIUM ?? '';
  if (mode !== '' && mode !== 'bundled' && mode !== 'system') {
    throw new Error(`PINGAN_CHROMIUM must be "bundled" or "system", not "${mode}"`);
  }
  if (mode !== 'bundled') {
    const given = env.CHROMIUM_PATH;
    if (given) {
      if (exists(given)) return { path: given, source: 'CHROMIUM_PATH' };
      warn(`CHROMIUM_PATH=${given} does not exist; looking for the system's Chromium instead`);
    }
    const system = SYSTEM_CHROMIUMS.find((file) => exists(file));
    if (system) return { path: system, source: 'system' };
    if (mode === 'system') throw new Error(`No system Chromium (${SYSTEM_CHROMIUMS.join(', ')}) and PINGAN_CHROMIUM=system: apt-get install -y chromium fonts-noto-cjk, or set CHROMIUM_PATH`);
  }
  try {
    return { path: await bundled(), source: 'npm' };
  } catch (err) {
    throw new Error(`No Chromium found: not at CHROMIUM_PATH, not in ${SYSTEM_CHROMIUMS.join(', ')}, and the npm-shipped one (@sparticuz/chromium, a devDependency: run npm install) did not unpack: ${(err as Error).message}`);
  }
}

/**
 * The npm-shipped Chromium (the brotli-packed binary in @sparticuz/chromium's bin/), unpacked once
 * into node_modules/.cache/pingan/chromium-<version>/ (written aside and renamed, so test files
 * starting at once never see half a binary). It needs neither its fonts nor its GL libraries
 * for headless pages with --disable-gpu.
 */
export async function bundledChromium(cache = path.resolve('node_modules/.cache/pingan')): Promise<string> {
  const root = path.resolve(path.dirname(createRequire(import.meta.url).resolve('@sparticuz/chromium')), '../..');
  const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  const file = path.join(cache, `chromium-${version}`, 'chromium');
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const part = `${file}.${process.pid}.part`;
  await pipeline(fs.createReadStream(path.join(root, 'bin', 'chromium.br')), zlib.createBrotliDecompress(), fs.createWriteStream(part, { mode: 0o755 }));
  fs.renameSync(part, file);
  return file;
}

let found: Promise<FoundChromium> | null = null;
/** The Chromium of this process, found once. */
export const chromiumInUse = (): Promise<FoundChromium> => (found ??= findChromium());

/** Throws, saying what to do, when the pages are not built or no Chromium is found. */
export async function checkBrowser(): Promise<void> {
  if (!fs.existsSync(path.join(WEB_DIR, 'report.html'))) throw new Error('The web pages are not built: run `npm run build:web` (npm install and npm test do it).');
  await chromiumInUse();
}

export async function launchChromium(): Promise<Browser> {
  const { path: executablePath } = await chromiumInUse();
  return chromium.launch({ executablePath, args: FLAGS });
}

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

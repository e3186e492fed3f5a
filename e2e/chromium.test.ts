import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import { bundledChromium, findChromium, SYSTEM_CHROMIUMS } from './chromium.js';

const npm = async () => '/cache/chromium-147/chromium';
const on = (...files: string[]) => (file: string) => files.includes(file);

describe('finding a Chromium for the browser tests', () => {
  it('takes CHROMIUM_PATH first, when it names a file', async () => {
    expect(await findChromium({ CHROMIUM_PATH: '/opt/c/chrome' }, on('/opt/c/chrome', '/usr/bin/chromium'), npm)).toEqual({ path: '/opt/c/chrome', source: 'CHROMIUM_PATH' });
  });

  it('says so and goes on to the system Chromium when CHROMIUM_PATH does not exist', async () => {
    const warnings: string[] = [];
    const found = await findChromium({ CHROMIUM_PATH: '/nowhere/chrome' }, on('/usr/bin/chromium'), npm, (m) => warnings.push(m));
    expect(found).toEqual({ path: '/usr/bin/chromium', source: 'system' });
    expect(warnings).toEqual(['CHROMIUM_PATH=/nowhere/chrome does not exist; looking for the system\'s Chromium instead']);
  });

  it('takes the system Chromium in the order listed, before the npm-shipped one', async () => {
    expect(await findChromium({}, on(...SYSTEM_CHROMIUMS.slice(1)), npm)).toEqual({ path: SYSTEM_CHROMIUMS[1], source: 'system' });
  });

  it('falls back to the npm-shipped Chromium on a machine without one', async () => {
    expect(await findChromium({}, on(), npm)).toEqual({ path: '/cache/chromium-147/chromium', source: 'npm' });
  });

  it('PINGAN_CHROMIUM=bundled skips CHROMIUM_PATH and the system; =system refuses the npm-shipped one', async () => {
    expect(await findChromium({ PINGAN_CHROMIUM: 'bundled', CHROMIUM_PATH: '/opt/c/chrome' }, on('/opt/c/chrome', '/usr/bin/chromium'), npm)).toEqual({ path: '/cache/chromium-147/chromium', source: 'npm' });
    await expect(findChromium({ PINGAN_CHROMIUM: 'system' }, on(), npm)).rejects.toThrow(/No system Chromium.*apt-get install -y chromium/);
    expect(await findChromium({ PINGAN_CHROMIUM: 'system' }, on('/usr/bin/chromium'), npm)).toEqual({ path: '/usr/bin/chromium', source: 'system' });
  });

  it('refuses an unknown PINGAN_CHROMIUM, and says what to do when nothing is found', async () => {
    await expect(findChromium({ PINGAN_CHROMIUM: 'yes' }, on('/usr/bin/chromium'), npm)).rejects.toThrow('PINGAN_CHROMIUM must be "bundled" or "system", not "yes"');
    await expect(findChromium({}, on(), async () => { throw new Error('ENOENT bin/chromium.br'); })).rejects.toThrow(/No Chromium found.*@sparticuz\/chromium.*ENOENT bin\/chromium\.br/);
  });

  it('unpacks the npm-shipped Chromium once, atomically, and it renders Chinese text from a page', async () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-chromium-'));
    try {
      const file = await bundledChromium(cache);
      expect(file.startsWith(cache)).toBe(true);
      expect(fs.readdirSync(path.dirname(file))).toEqual(['chromium']);
      const { mtimeMs } = fs.statSync(file);
      expect(await bundledChromium(cache)).toBe(file);
      expect(fs.statSync(file).mtimeMs).toBe(mtimeMs);
      const browser = await chromium.launch({ executablePath: file, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
      try {
        const page = await browser.newPage();
        await page.setContent('<h1 lang="zh-CN">平安浙江</h1>');
        expect(await page.textContent('h1')).toBe('平安浙江');
      } finally {
        await browser.close();
      }
    } finally {
      fs.rmSync(cache, { recursive: true, force: true });
    }
  }, 120_000);
});

/** The web pages' server side: configuration, the 503 when pages are not built, and what logs keep of a URL. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../test-support/test-db.js';
import { testApp } from '../test-support/app.js';
import { ConfigError, loadConfig } from './config.js';
import { logRequest } from './app.js';

const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-web-'));
const database = await testDatabase('fixture');
const t = await testApp(database, { PINGAN_WEB_DIR: empty, PINGAN_TILE_URL: 'https://tiles.example.org/{z}/{x}/{y}.png' });
afterAll(async () => { await t.app.close(); await database.drop(); fs.rmSync(empty, { recursive: true, force: true }); });

describe('web pages', () => {
  it('tells the pages the optional base-map tiles, before sign-in', async () => {
    const res = await t.anonymous('GET', '/api/v1/web-config');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ tileUrl: 'https://tiles.example.org/{z}/{x}/{y}.png', region: '33' });
    expect(res.headers['content-security-policy']).toContain('https://tiles.example.org');
  });

  it('answers 503 with the command to run when the pages are not built', async () => {
    for (const page of ['report', 'worker', 'console', 'dashboard', 'admin']) {
      const res = await t.anonymous('GET', `/${page}`);
      expect(res.statusCode).toBe(503);
      expect(res.body).toContain('npm run build:web');
    }
  });

  it('refuses a tile URL that is not an http(s) template', () => {
    expect(() => loadConfig({ PINGAN_TILE_URL: 'ftp://x/{z}/{x}/{y}' })).toThrow(ConfigError);
    expect(() => loadConfig({ PINGAN_TILE_URL: 'https://x/tiles.png' })).toThrow(/PINGAN_TILE_URL/);
  });

  it('keeps no secret of a query string in the request log', () => {
    expect(logRequest({ method: 'GET', url: '/open311/v2/servicerequestupdates.json?start_date=x&api_key=pak_secret&end_date=y', ip: '1.2.3.4' }))
      .toEqual({ method: 'GET', url: '/open311/v2/servicerequestupdates.json?start_date=x&api_key=***&end_date=y', remoteAddress: '1.2.3.4' });
  });
});

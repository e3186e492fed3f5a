/**
 * Grid import and export over HTTP: POST /api/v1/grids/import (dry run or for real) and
 * GET /api/v1/grids/export, for holders of grids.import, within their own org subtree.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { testDatabase } from '../../test-support/test-db.js';
import { testApp, type Client } from '../../test-support/app.js';
import type { Database } from '../../platform/db/database.js';
import { AppError } from '../../platform/errors.js';
import { listAudit } from '../../platform/audit/index.js';
import * as org from '../org/index.js';
import { toMulti, type MultiCoords } from './geometry.js';
import { currentRevision, listByLevel } from './grids.repository.js';
import { exportGrids } from './grids.service.js';
import type { LocatorService } from './locate.service.js';

let database: Database & { drop(): Promise<void> };
let t: Awaited<ReturnType<typeof testApp>>;
let locator: LocatorService;
let sysadmin: Client;

beforeAll(async () => {
  database = await testDatabase('fixture');
  t = await testApp(database);
  locator = t.locator;
  sysadmin = await t.as('sysadmin', '330106-center'); // scope: 西湖区 330106
});
afterAll(async () => {
  await t?.app.close();
  await database?.drop();
});

const URL = '/api/v1/grids/import';

/** The n-th village of a county, with its polygon and a point inside it. */
async function village(county: string, n: number) {
  const v = (await org.areasOfLevel(database.db, 'village', county))[n];
  const b = (await listByLevel(database.db, 'village', county)).find((r) => r.unitId === v.id)!;
  return { code: v.code, coords: toMulti(b.geom), lon: b.lon, lat: b.lat };
}
const geometryOf = (coords: MultiCoords) => (coords.length === 1 ? { type: 'Polygon', coordinates: coords[0] } : { type: 'MultiPolygon', coordinates: coords });
const feature = (code: string, parent: string, geometry: unknown, name = '测试网格') => ({ type: 'Feature', properties: { code, name, parent_code: parent }, geometry });
const collection = (...features: unknown[]) => ({ type: 'FeatureCollection', features });
/** A village's whole polygon as one grid `<village>9xx`. */
const wholeVillage = (v: { code: string; coords: MultiCoords }, suffix = '901', name = '测试网格') => feature(`${v.code}${suffix}`, v.code, geometryOf(v.coords), name);

/** What an import could change: unit counts, the villages' grids, the boundary revision. */
async function snapshot(...villages: string[]) {
  const grids = await Promise.all(villages.map(async (code) => (await exportGrids(database.db, code)).features.map((f) => f.properties.code)));
  return { units: await org.countUnits(database.db), grids, revision: await currentRevision(database.db) };
}

const importAs = (client: Client, body: unknown, query = '', headers: Record<string, string> = {}): Promise<LightMyRequestResponse> =>
  client.send('POST', `${URL}${query}`, body, headers);

describe('POST /api/v1/grids/import', () => {
  it('dry run: checks the file and counts what would change, writing and auditing nothing', async () => {
    const v = await village('330106', 3);
    const before = await snapshot(v.code);
    const audits = (await listAudit(database.db, { action: 'grids.import', limit: 1000 })).items.length;
    const res = await importAs(sysadmin, collection(wholeVillage(v)), '?dryRun=true');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ villages: 1, created: 1, updated: 0, removed: before.grids[0].length, dryRun: true });
    expect(await snapshot(v.code)).toEqual(before);
    expect((await listAudit(database.db, { action: 'grids.import', limit: 1000 })).items).toHaveLength(audits);
  });

  it('imports a village’s grids, audits the administrator, and the locator routes a point to the new grid', async () => {
    const v = await village('330106', 4);
    const before = await snapshot(v.code);
    expect(before.grids[0].length).toBeGreaterThanOrEqual(3);
    const res = await importAs(sysadmin, collection(wholeVillage(v, '901', '真实网格一')), '', { 'user-agent': 'grid-import-test' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ villages: 1, created: 1, updated: 0, removed: before.grids[0].length, dryRun: false });
    expect((await snapshot(v.code)).grids).toEqual([[`${v.code}901`]]);

    const [audit] = (await listAudit(database.db, { action: 'grids.import', limit: 1 })).items;
    expect(audit).toMatchObject({
      actorId: sysadmin.userId, actorName: sysadmin.username, actorRole: 'sysadmin', userAgent: 'grid-import-test',
      result: 'success', targetType: 'villages', targetId: v.code, details: { villages: 1, created: 1, removed: before.grids[0].length },
    });

    await locator.refresh(database.db); // the route started the rebuild; this waits for it
    const located = (await sysadmin.get(`/api/v1/locate?lon=${v.lon}&lat=${v.lat}`)).json();
    expect(located.grid).toMatchObject({ code: `${v.code}901`, name: '真实网格一' });
  });

  it('exports a village’s grids as a file that imports again unchanged (application/geo+json)', async () => {
    const v = await village('330106', 4);
    const res = await sysadmin.get(`/api/v1/grids/export?under=${v.code}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/geo\+json/);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="grids-${v.code}.geojson"`);
    const fc = res.json();
    expect(fc.features.map((f: { properties: { code: string } }) => f.properties.code)).toEqual([`${v.code}901`]);
    const again = await importAs(sysadmin, res.body, '', { 'content-type': 'application/geo+json' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ villages: 1, created: 0, updated: 1, removed: 0, dryRun: false });
  });

  it('refuses a body that is not JSON (400) or not JSON at all (415), changing nothing', async () => {
    const v = await village('330106', 3);
    const before = await snapshot(v.code);
    const bad = await importAs(sysadmin, '{"type":"FeatureCollection","features":[', '', { 'content-type': 'application/json' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'BAD_REQUEST', message: { zh: expect.stringContaining('请求格式错误'), en: expect.stringContaining('JSON') } });
    const text = await importAs(sysadmin, JSON.stringify(collection(wholeVillage(v))), '', { 'content-type': 'text/plain' });
    expect(text.statusCode).toBe(415);
    expect(text.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(await snapshot(v.code)).toEqual(before);
  });

  it('refuses a file with a bad polygon, naming the feature and the reason, and imports none of it', async () => {
    const v = await village('330106', 3);
    const before = await snapshot(v.code);
    const bowtie = { type: 'Polygon', coordinates: [[[120, 30], [120.003, 30.001], [120.003, 30], [120, 30.002], [120, 30]]] };
    for (const dryRun of ['', '?dryRun=true']) {
      const res = await importAs(sysadmin, collection(wholeVillage(v), feature(`${v.code}902`, v.code, bowtie)), dryRun);
      expect(res.statusCode).toBe(422);
      const { error } = res.json();
      expect(error.code).toBe('INVALID_DATA');
      expect(error.message.en).toMatch(/feature #1: .*intersects itself/);
      expect(error.message.zh).toMatch(/要素 #1：/);
      expect(error.details[0]).toMatchObject({ index: 1, field: 'geometry' });
    }
    expect(await snapshot(v.code)).toEqual(before);
  });

  it('refuses a body over 20 MB with 413, naming the limit', async () => {
    const huge = `{"type":"FeatureCollection","features":[${' '.repeat(20 * 1_048_576)}]}`;
    const res = await importAs(sysadmin, huge, '', { 'content-type': 'application/json' });
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: { en: 'The request body is larger than the limit of 20 MB' } });
  });

  it('refuses callers without a session (401), without the CSRF token (403) or without grids.import (403), changing nothing', async () => {
    const v = await village('330106', 3);
    const before = await snapshot(v.code);
    const body = collection(wholeVillage(v));
    expect((await t.anonymous('POST', URL, body)).statusCode).toBe(401);
    const noCsrf = await importAs(sysadmin, body, '', { 'x-csrf-token': 'not-the-token' });
    expect([noCsrf.statusCode, noCsrf.json().error.code]).toEqual([403, 'CSRF_FAILED']);
    for (const role of ['leader', 'operator', 'secadmin']) {
      const other = await t.as(role, '330106-center');
      const res = await importAs(other, body);
      expect([res.statusCode, res.json().error.code]).toEqual([403, 'FORBIDDEN']);
      expect((await other.get(`/api/v1/grids/export?under=${v.code}`)).statusCode).toBe(403);
    }
    const [denied] = (await listAudit(database.db, { action: 'access.denied', limit: 1 })).items;
    expect(denied).toMatchObject({ reason: 'needs grids.import', targetId: 'GET /api/v1/grids/export' });
    // the permission is checked before the body is read: a broken or huge body from them is a 403, not a 400 or 413
    const operator = await t.as('operator', '330106-center');
    for (const raw of ['{"type": "FeatureCollection", "features": [', `{"features":[${' '.repeat(21 * 1_048_576)}]}`]) {
      const res = await importAs(operator, raw, '', { 'content-type': 'application/json' });
      expect([res.statusCode, res.json().error.code]).toEqual([403, 'FORBIDDEN']);
    }
    expect(await snapshot(v.code)).toEqual(before);
  });

  it('refuses villages outside the administrator’s subtree as unknown, and imports nothing of a mixed file', async () => {
    const mine = await village('330106', 3);
    const theirs = await village('330902', 2); // 定海区: another county
    const before = await snapshot(mine.code, theirs.code);
    for (const file of [collection(wholeVillage(theirs)), collection(wholeVillage(mine), wholeVillage(theirs))]) {
      const res = await importAs(sysadmin, file);
      expect(res.statusCode).toBe(422);
      const { error } = res.json();
      // the same answer as for a village that does not exist: nothing says the code exists elsewhere
      expect(error.message.en).toMatch(new RegExp(`feature #${file.features.length - 1}: unknown parent ${theirs.code}`));
      expect(error.details).toHaveLength(1);
    }
    expect(await snapshot(mine.code, theirs.code)).toEqual(before);
    // a sysadmin of 定海区 may
    const theirAdmin = await t.as('sysadmin', '330902-center');
    expect((await importAs(theirAdmin, collection(wholeVillage(theirs)), '?dryRun=true')).json()).toMatchObject({ villages: 1, created: 1 });
  });
});

describe('GET /api/v1/grids/export', () => {
  it('exports only within the caller’s subtree: another county is 404, the province above it only the caller’s grids', async () => {
    const theirs = await village('330902', 2);
    const res = await sysadmin.get(`/api/v1/grids/export?under=${theirs.code}`);
    expect([res.statusCode, res.json().error.code]).toEqual([404, 'NOT_FOUND']);
    const province = (await sysadmin.get('/api/v1/grids/export?under=33')).json();
    expect(province.features.length).toBeGreaterThan(100);
    expect(province.features.every((f: { properties: { code: string } }) => f.properties.code.startsWith('330106'))).toBe(true);
    expect((await sysadmin.get('/api/v1/grids/export')).statusCode).toBe(400);
  });

  it('refuses more grids than one export holds, naming the unit', async () => {
    const err = await exportGrids(database.db, '330106', { max: 10 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'VALIDATION_FAILED', field: 'under' });
  });
});

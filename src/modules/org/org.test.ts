import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../../test-support/test-db.js';
import { testApp } from '../../test-support/app.js';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Database } from '../../platform/db/database.js';
import * as org from './index.js';

let database: Database & { drop(): Promise<void> };
let app: FastifyInstance;
let get: (url: string) => Promise<LightMyRequestResponse>;

beforeAll(async () => {
  database = await testDatabase('fixture');
  const t = await testApp(database);
  app = t.app;
  // a province-level leader sees the whole tree
  const leader = await t.as('leader', '33-center');
  get = (url: string) => leader.get(url);
});
afterAll(async () => {
  await app?.close();
  await database?.drop();
});

describe('org units', () => {
  it('returns a unit by code and by id, the same unit', async () => {
    const byCode = await get('/api/v1/org/units/330106');
    expect(byCode.statusCode).toBe(200);
    expect(byCode.json()).toMatchObject({ code: '330106', name: '西湖区', nameEn: 'Xihu District', level: 'county', kind: 'area', countyCode: '330106', synthetic: false });
    const byId = await get(`/api/v1/org/units/id:${byCode.json().id}`);
    expect(byId.json()).toEqual(byCode.json());
  });

  it('lists a county’s children: townships, its center and its departments', async () => {
    const res = await get('/api/v1/org/units/330106/children');
    const items = res.json().items as { code: string; kind: string; level: string; type: string | null }[];
    expect(items.filter((i) => i.kind === 'area').every((i) => i.level === 'township' && i.code.startsWith('330106'))).toBe(true);
    expect(items.filter((i) => i.kind === 'center').map((i) => i.code)).toEqual(['330106-center']);
    const depts = items.filter((i) => i.kind === 'department').map((i) => i.type);
    for (const t of ['public_security', 'urban_management', 'emergency_management', 'market_supervision', 'housing_construction', 'transport', 'civil_affairs', 'natural_resources']) {
      expect(depts).toContain(t);
    }
    const onlyCenters = await get('/api/v1/org/units/330106/children?kind=center');
    expect(onlyCenters.json().items).toHaveLength(1);
  });

  it('gives each township a center and the four platforms', async () => {
    const townships = (await get('/api/v1/org/units/330106/children?kind=area')).json().items as { code: string }[];
    expect(townships.length).toBeGreaterThan(5);
    for (const t of townships.slice(0, 3)) {
      const kids = (await get(`/api/v1/org/units/${t.code}/children`)).json().items as { kind: string; type: string }[];
      expect(kids.filter((k) => k.kind === 'center')).toHaveLength(1);
      expect(kids.filter((k) => k.kind === 'platform').map((k) => k.type).sort()).toEqual(['comprehensive_governance', 'law_enforcement', 'market_supervision', 'public_service']);
    }
  });

  it('lists ancestors from the province down, for a grid', async () => {
    const grid = (await get('/api/v1/org/units/330106/subtree?level=grid&limit=1')).json().items[0];
    expect(grid.code).toMatch(/^330106\d{9}$/);
    const res = await get(`/api/v1/org/units/${grid.code}/ancestors`);
    expect(res.json().items.map((u: { code: string }) => u.code)).toEqual(['33', '3301', '330106', grid.code.slice(0, 9), grid.code.slice(0, 12)]);
  });

  it('pages through a subtree without repeats', async () => {
    const township = (await get('/api/v1/org/units/330106/children?kind=area')).json().items[0].code as string;
    const seen: string[] = [];
    let after = '';
    for (let page = 0; page < 50; page++) {
      const res = await get(`/api/v1/org/units/${township}/subtree?limit=7${after ? `&after=${after}` : ''}`);
      const body = res.json();
      seen.push(...body.items.map((i: { code: string }) => i.code));
      if (!body.next) break;
      after = body.next;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.every((c) => c.startsWith(township))).toBe(true);
    expect(seen.length).toBeGreaterThan(7);
  });

  it('searches by Chinese name, code prefix, pinyin and pinyin initials', async () => {
    const names = async (q: string) => (await get(`/api/v1/org/search?q=${encodeURIComponent(q)}&level=county&kind=area`)).json().items.map((u: { name: string }) => u.name);
    expect(await names('西湖')).toEqual(['西湖区']);
    expect(await names('xhq')).toEqual(['西湖区']);
    expect(await names('xihu')).toEqual(['西湖区']);
    expect(await names('330902')).toEqual(['定海区']);
    expect((await get('/api/v1/org/search?q=%25')).json().items).toEqual([]); // LIKE wildcards are literal
  });
});

describe('look-ups other modules make (in their own transaction)', () => {
  it('finds units by code and by id, with their path', async () => {
    const [county] = await org.findByCodes(database.db, ['330106']);
    expect(county).toMatchObject({ code: '330106', level: 'county', kind: 'area', type: null, depth: 2 });
    expect(county.path).toMatch(new RegExp(`/${county.id}/$`));
    expect(await org.findByIds(database.db, [county.id])).toEqual([county]);
    expect(await org.findByIds(database.db, [])).toEqual([]);
    expect(await org.findByCodes(database.db, ['no-such-unit'])).toEqual([]);
  });

  it('gives the areas right under a unit', async () => {
    const ids = await org.childAreaIds(database.db, '330106');
    const units = await org.findByIds(database.db, ids);
    expect(units.length).toBeGreaterThan(5);
    expect(units.every((u) => u.level === 'township' && u.kind === 'area')).toBe(true);
    expect(await org.childAreaIds(database.db, '330106-center')).toEqual([]);
  });

  it('gives the center above each center, and none above the top one', async () => {
    const [township] = await org.findByIds(database.db, (await org.childAreaIds(database.db, '330106')).slice(0, 1));
    const units = await org.findByCodes(database.db, ['33-center', '330106-center', org.centerCode(township.code)]);
    const id = (code: string) => units.find((u) => u.code === code)!.id;
    const above = await org.parentCenters(database.db, units.map((u) => u.id));
    expect(above.get(id(org.centerCode(township.code)))?.code).toBe('330106-center');
    expect(above.get(id('330106-center'))).toMatchObject({ code: '3301-center', kind: 'center', level: 'city' });
    expect(above.has(id('33-center'))).toBe(false);
  });
});

describe('org bad input', () => {
  it.each([
    ['/api/v1/org/units/999999', 404, 'NOT_FOUND', 'ref'],
    ['/api/v1/org/units/id:99999999', 404, 'NOT_FOUND', 'ref'],
    ["/api/v1/org/units/33'%20or%201=1--", 400, 'VALIDATION_FAILED', 'ref'],
    ['/api/v1/org/units/33/subtree?limit=100000', 400, 'VALIDATION_FAILED', 'limit'],
    ['/api/v1/org/units/33/subtree?level=planet', 400, 'VALIDATION_FAILED', 'level'],
    ['/api/v1/org/units/33/children?kind=1', 400, 'VALIDATION_FAILED', 'kind'],
    ['/api/v1/org/search', 400, 'VALIDATION_FAILED', 'q'],
    [`/api/v1/org/search?q=${'x'.repeat(51)}`, 400, 'VALIDATION_FAILED', 'q'],
    ['/api/v1/org/search?q=%E2%80%8B', 400, 'VALIDATION_FAILED', 'q'],
  ])('%s → %i %s naming %s', async (url, status, code, field) => {
    const res = await get(url);
    expect(res.statusCode).toBe(status);
    const body = res.json();
    expect(body.error.code).toBe(code);
    expect(body.error.field).toContain(field);
    expect(body.error.message.zh).toBeTruthy();
    expect(body.error.message.en).toBeTruthy();
  });

  it('answers an unknown route with a JSON 404', async () => {
    const res = await get('/api/v1/nothing-here');
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('NOT_FOUND');
  });
});

describe('platform routes', () => {
  it('serves the OpenAPI document and its UI at /docs', async () => {
    const doc = (await get('/docs/json')).json();
    expect(doc.openapi).toMatch(/^3\./);
    for (const p of ['/api/v1/locate', '/api/v1/org/units/{ref}', '/api/v1/org/search', '/api/v1/boundaries/{ref}/children', '/healthz', '/readyz']) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
    expect((await get('/docs')).statusCode).toBeLessThan(400);
  });

  it('answers /healthz and /readyz', async () => {
    expect((await get('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await get('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json().checks.database).toBe('ok');
  });
});

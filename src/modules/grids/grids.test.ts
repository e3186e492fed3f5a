import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import gcoordModule from 'gcoord';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { testDatabase } from '../../test-support/test-db.js';
import { testApp } from '../../test-support/app.js';
import type { Database } from '../../platform/db/database.js';
import { AppError } from '../../platform/errors.js';
import { listAudit } from '../../platform/audit/index.js';
import * as org from '../org/index.js';
import { bboxOf, planarArea, toMulti, union, type MultiCoords, type Position } from './geometry.js';
import { listByLevel } from './grids.repository.js';
import { exportGrids, gridAtLabelPoint } from './grids.service.js';
import { importGrids } from './import-grids.js';
import type { LocatorService } from './locate.service.js';

const gcoord = gcoordModule as unknown as { transform(p: number[], a: string, b: string): [number, number]; GCJ02: string; BD09: string; WGS84: string };

let database: Database & { drop(): Promise<void> };
let app: FastifyInstance;
let locator: LocatorService;
let get: (url: string) => Promise<LightMyRequestResponse>;

beforeAll(async () => {
  database = await testDatabase('fixture');
  const t = await testApp(database);
  ({ app, locator } = t);
  const leader = await t.as('leader', '33-center');
  get = (url: string) => leader.get(url);
});
afterAll(async () => {
  await app?.close();
  await database?.drop();
});

async function gridsOf(countyCode: string) {
  const rows = await listByLevel(database.db, 'grid', countyCode);
  const codes = new Map((await org.areasOfLevel(database.db, 'grid', countyCode)).map((g) => [g.id, g.code]));
  return rows.map((r) => ({ ...r, code: codes.get(r.unitId)!, coords: toMulti(r.geom) }));
}

describe('locate', () => {
  it('finds the grid of points inside known grids, with its whole chain and township center', async () => {
    const grids = await gridsOf('330106');
    expect(grids.length).toBeGreaterThan(100);
    for (const g of grids.filter((_, i) => i % 25 === 0)) {
      const res = await get(`/api/v1/locate?lon=${g.lon}&lat=${g.lat}`);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.grid.code).toBe(g.code);
      expect(body.village.code).toBe(g.code.slice(0, 12));
      expect(body.township.code).toBe(g.code.slice(0, 9));
      expect(body.county).toMatchObject({ code: '330106', name: '西湖区' });
      expect(body.city).toMatchObject({ code: '3301', name: '杭州市' });
      expect(body.province).toMatchObject({ code: '33', name: '浙江省' });
      expect(body.center.code).toBe(`${g.code.slice(0, 9)}-center`);
    }
  });

  it('names the grid holding a village’s label point as the locator does (where the demo’s story happens); none without a polygon or grids below', async () => {
    const villages = (await org.areasOfLevel(database.db, 'village', '330781')).filter((_, i) => i % 40 === 0);
    expect(villages.length).toBeGreaterThan(5);
    for (const v of [{ code: '330781004267' }, ...villages]) {
      const at = (await gridAtLabelPoint(database.db, v.code))!;
      expect(at.grid.slice(0, 12)).toBe(v.code);
      expect((await get(`/api/v1/locate?lon=${at.lon}&lat=${at.lat}`)).json()).toMatchObject({ village: { code: v.code }, grid: { code: at.grid } });
    }
    expect(await gridAtLabelPoint(database.db, '330106-center')).toBeNull(); // no polygon
    expect(await gridAtLabelPoint(database.db, '330781004267001')).toBeNull(); // a grid: no grids below it
    expect(await gridAtLabelPoint(database.db, '330781999999')).toBeNull(); // no such unit
  });

  it('resolves a point on the border of two grids to the smaller code, every time', async () => {
    const grids = await gridsOf('330106');
    // a vertex shared by two grids of one village
    let shared: { point: Position; codes: string[] } | undefined;
    outer: for (let i = 0; i < grids.length - 1; i++) {
      const a = grids[i], b = grids[i + 1];
      if (a.code.slice(0, 12) !== b.code.slice(0, 12)) continue;
      const keys = new Set(a.coords[0][0].map((p) => p.join(',')));
      for (const p of b.coords[0][0]) if (keys.has(p.join(','))) { shared = { point: p, codes: [a.code, b.code] }; break outer; }
    }
    expect(shared).toBeDefined();
    const [lon, lat] = shared!.point;
    const answers = new Set<string>();
    for (let k = 0; k < 3; k++) answers.add((await get(`/api/v1/locate?lon=${lon}&lat=${lat}`)).json().grid.code);
    expect([...answers]).toHaveLength(1);
    const winner = [...answers][0];
    expect(shared!.codes).toContain(winner);
    expect(winner <= shared!.codes.reduce((m, c) => (c < m ? c : m))).toBe(true);
  });

  it('converts GCJ-02 and BD-09 input to WGS-84 before looking up', async () => {
    const g = (await gridsOf('330106'))[40];
    const [gx, gy] = gcoord.transform([g.lon, g.lat], gcoord.WGS84, gcoord.GCJ02);
    const viaGcj = (await get(`/api/v1/locate?lon=${gx}&lat=${gy}&crs=gcj02`)).json();
    expect(viaGcj.grid.code).toBe(g.code);
    expect(viaGcj.wgs84.lon).toBeCloseTo(g.lon, 5);
    const [bx, by] = gcoord.transform([g.lon, g.lat], gcoord.WGS84, gcoord.BD09);
    expect((await get(`/api/v1/locate?lon=${bx}&lat=${by}&crs=bd09`)).json().grid.code).toBe(g.code);
    // the same GCJ-02 numbers read as WGS-84 land ~500 m away: the offset is real
    expect(Math.hypot(gx - g.lon, gy - g.lat)).toBeGreaterThan(0.003);
  });

  it('finds islands of 定海区 (a MultiPolygon county)', async () => {
    const grids = await gridsOf('330902');
    const g = grids[grids.length - 1];
    expect((await get(`/api/v1/locate?lon=${g.lon}&lat=${g.lat}`)).json().county.code).toBe('330902');
  });

  it('answers a point outside the province with 422 OUTSIDE_JURISDICTION', async () => {
    for (const [lon, lat] of [[116.4, 39.9], [0, 0], [121.47, 31.23]]) {
      const res = await get(`/api/v1/locate?lon=${lon}&lat=${lat}`);
      expect(res.statusCode).toBe(422);
      expect(res.json().error.code).toBe('OUTSIDE_JURISDICTION');
    }
  });

  it.each([
    ['lon=200&lat=30', 'lon'],
    ['lon=120&lat=-91', 'lat'],
    ['lon=abc&lat=30', 'lon'],
    ['lat=30', 'lon'],
    ['lon=120&lat=30&crs=utm', 'crs'],
    ['lon=&lat=30', 'lon'],
  ])('rejects %s naming %s', async (qs, field) => {
    const res = await get(`/api/v1/locate?${qs}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.field).toBe(field);
  });
});

describe('boundaries', () => {
  it('serves a county boundary, simplified more at lower zoom', async () => {
    const full = (await get('/api/v1/boundaries/330106')).json();
    expect(full).toMatchObject({ type: 'Feature', id: '330106', properties: { code: '330106', level: 'county', synthetic: false } });
    const count = (g: { coordinates: unknown }) => JSON.stringify(g.coordinates).split('],[').length;
    const z8 = (await get('/api/v1/boundaries/330106?zoom=8')).json();
    expect(count(z8.geometry)).toBeLessThan(count(full.geometry));
    expect((await get('/api/v1/boundaries/330106?zoom=23')).statusCode).toBe(400);
  });

  it('serves the children of a township as a FeatureCollection of synthetic villages', async () => {
    const township = (await get('/api/v1/org/units/330106/children?kind=area')).json().items[0].code;
    const fc = (await get(`/api/v1/boundaries/${township}/children?zoom=14`)).json();
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.features.length).toBeGreaterThan(1);
    expect(fc.features.every((f: { properties: { level: string; synthetic: boolean } }) => f.properties.level === 'village' && f.properties.synthetic)).toBe(true);
  });

  it('404s for a unit without a boundary', async () => {
    expect((await get('/api/v1/boundaries/330106-center')).statusCode).toBe(404);
  });
});

describe('stored generated polygons', () => {
  it('tile their parents: a village’s grids add up to it and stay inside it', async () => {
    const villages = await listByLevel(database.db, 'village', '330902');
    const ids = new Map((await org.areasOfLevel(database.db, 'village', '330902')).map((v) => [v.id, v.code]));
    const grids = await gridsOf('330902');
    for (const v of villages.slice(0, 20)) {
      const code = ids.get(v.unitId)!;
      const children = grids.filter((g) => g.code.startsWith(code));
      expect(children.length).toBeGreaterThanOrEqual(3);
      const parent = toMulti(v.geom);
      const sum = children.reduce((s, g) => s + planarArea(g.coords), 0);
      expect(Math.abs(sum - planarArea(parent)) / planarArea(parent)).toBeLessThan(1e-4); // stored rounded to 1e-7° (≈1 cm)
      expect(Math.abs(planarArea(union(...children.map((c) => c.coords))) - planarArea(parent)) / planarArea(parent)).toBeLessThan(1e-4);
    }
  });
});

describe('grid import', () => {
  async function snapshot() {
    return { units: await org.countUnits(database.db), grids: (await exportGrids(database.db, '330106')).features.length };
  }

  const square = (x: number, y: number, d: number): MultiCoords => [[[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]];
  async function village() {
    const v = (await org.areasOfLevel(database.db, 'village', '330106'))[5];
    const b = (await listByLevel(database.db, 'village', '330106')).find((r) => r.unitId === v.id)!;
    return { code: v.code, coords: toMulti(b.geom), lon: b.lon, lat: b.lat };
  }
  const feature = (code: string, parent: string, geometry: unknown, name = '测试网格') => ({ type: 'Feature', properties: { code, name, parent_code: parent }, geometry });

  it.each([
    ['not GeoJSON', () => ({ hello: 'world' }), /not a GeoJSON FeatureCollection/],
    ['no features', () => ({ type: 'FeatureCollection', features: [] }), /no features/],
    ['a point', (v: string) => ({ type: 'FeatureCollection', features: [feature(`${v}901`, v, { type: 'Point', coordinates: [120, 30] })] }), /#0.*Polygon or MultiPolygon/],
    ['an open ring', (v: string) => ({ type: 'FeatureCollection', features: [feature(`${v}901`, v, { type: 'Polygon', coordinates: [[[120, 30], [120.001, 30], [120.001, 30.001], [120, 30.001]]] })] }), /not closed/],
    ['a self-intersection', (v: string) => ({ type: 'FeatureCollection', features: [feature(`${v}901`, v, { type: 'Polygon', coordinates: [[[120, 30], [120.003, 30.001], [120.003, 30], [120, 30.002], [120, 30]]] })] }), /intersects itself/],
    ['an unknown parent', () => ({ type: 'FeatureCollection', features: [feature('330106999999901', '330106999999', { type: 'Polygon', coordinates: square(120.1, 30.2, 0.001)[0] })] }), /unknown parent/],
    ['a code not extending its parent', (v: string) => ({ type: 'FeatureCollection', features: [feature('330999000000001', v, { type: 'Polygon', coordinates: square(120.1, 30.2, 0.001)[0] })] }), /parent village code followed/],
    ['coordinates out of range', (v: string) => ({ type: 'FeatureCollection', features: [feature(`${v}901`, v, { type: 'Polygon', coordinates: square(190, 30, 0.001)[0] })] }), /out of range/],
    ['a grid outside its parent', (v: string) => ({ type: 'FeatureCollection', features: [feature(`${v}901`, v, { type: 'Polygon', coordinates: square(119, 29, 0.001)[0] })] }), /outside its parent/],
    ['an empty name', (v: string) => ({ type: 'FeatureCollection', features: [feature(`${v}901`, v, { type: 'Polygon', coordinates: square(120, 30, 0.001)[0] }, '  ')] }), /name/],
  ])('rejects %s, naming the feature, and imports nothing', async (_name, make, reason) => {
    const v = await village();
    const before = await snapshot();
    const err = await importGrids(database, make(v.code)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('INVALID_DATA');
    expect((err as AppError).message).toMatch(reason);
    expect(await snapshot()).toEqual(before);
  });

  it('rejects a file where one of several features is bad (duplicate codes), importing none', async () => {
    const v = await village();
    const [minX, minY] = bboxOf(v.coords);
    void minX; void minY;
    const part = { type: 'Polygon', coordinates: v.coords[0] };
    const before = await snapshot();
    const err = await importGrids(database, { type: 'FeatureCollection', features: [feature(`${v.code}901`, v.code, part), feature(`${v.code}901`, v.code, part)] }).catch((e: unknown) => e);
    expect((err as AppError).message).toMatch(/duplicates feature #0/);
    expect((err as AppError).details?.[0].index).toBe(1);
    expect(await snapshot()).toEqual(before);
  });

  it('imports real grids for a village, replacing its synthetic ones, and the locator follows', async () => {
    const v = await village();
    const part = v.coords.length === 1 ? { type: 'Polygon', coordinates: v.coords[0] } : { type: 'MultiPolygon', coordinates: v.coords };
    const result = await importGrids(database, { type: 'FeatureCollection', features: [feature(`${v.code}901`, v.code, part, '真实网格一')] });
    expect(result).toMatchObject({ created: 1, villages: 1 });
    const [audit] = (await listAudit(database.db, { action: 'grids.import', limit: 1 })).items;
    expect(audit).toMatchObject({ actorName: 'cli', result: 'success', targetId: v.code, details: { created: 1 } });
    expect(result.removed).toBeGreaterThanOrEqual(3);
    await locator.refresh(database.db);
    const body = (await get(`/api/v1/locate?lon=${v.lon}&lat=${v.lat}`)).json();
    expect(body.grid).toMatchObject({ code: `${v.code}901`, name: '真实网格一' });

    // export → import round trip leaves the same grids
    const exported = await exportGrids(database.db, v.code);
    expect(exported.features).toHaveLength(1);
    const again = await importGrids(database, exported);
    expect(again).toMatchObject({ created: 0, updated: 1, removed: 0 });
  });
});

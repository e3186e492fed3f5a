import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { backend, testDatabase } from '../test-support/test-db.js';
import { rows, type Database } from '../platform/db/database.js';
import { migrate } from '../platform/db/migrator.js';
import * as grids from '../modules/grids/index.js';
import { seedDatabase } from './seed.js';

let database: Database & { drop(): Promise<void> };
let report: Awaited<ReturnType<typeof seedDatabase>>;

beforeAll(async () => {
  database = await testDatabase('empty');
  await migrate(database);
  report = await seedDatabase(database, { region: '33', scale: 'demo' });
}, 300_000);
afterAll(async () => database?.drop());

const count = (level: string, kind: string) => report.units.find((u) => u.level === level && u.kind === kind)?.n ?? 0;

describe(`demo seed on ${backend}`, () => {
  it('loads Zhejiang’s real tree: 11 cities, 90 counties, 1,387 townships, 25,547 villages', () => {
    expect(count('province', 'area')).toBe(1);
    expect(count('city', 'area')).toBe(11);
    expect(count('county', 'area')).toBe(90);
    expect(count('township', 'area')).toBe(1387);
    expect(count('village', 'area')).toBe(25547);
  });

  it('gives centers to province, cities, counties and townships; platforms and departments', () => {
    expect(count('province', 'center') + count('city', 'center') + count('county', 'center') + count('township', 'center')).toBe(1 + 11 + 90 + 1387);
    expect(count('township', 'platform')).toBe(4 * 1387);
    expect(count('county', 'department')).toBeGreaterThanOrEqual(8 * 90);
  });

  it('keeps the tree whole: parents exist, codes extend their parent’s, paths and depths agree', async () => {
    const [bad] = await rows<{ orphans: number; badCodes: number; badPaths: number }>(database.db, sql`
      select
        count(*) filter (where c.parent_id is not null and p.id is null)::int as "orphans",
        count(*) filter (where c.kind = 'area' and p.kind = 'area' and not starts_with(c.code, p.code))::int as "badCodes",
        count(*) filter (where p.id is not null and (c.path <> p.path || c.id || '/' or c.depth <> p.depth + 1))::int as "badPaths"
      from org_units c left join org_units p on p.id = c.parent_id`);
    expect(bad).toEqual({ orphans: 0, badCodes: 0, badPaths: 0 });
  });

  it('gives every county and township a polygon, and grids in the showcase counties', async () => {
    expect(report.boundaries.county).toBe(90);
    expect(report.boundaries.township).toBe(1387);
    expect(report.boundaries.city).toBe(11);
    expect(report.boundaries.province).toBe(1);
    expect(report.grids).toBeGreaterThan(1000);
    const counts = await grids.countBoundaries(database.db);
    expect(counts.find((c) => c.level === 'township')).toMatchObject({ n: 1387, synthetic: 1387 });
    expect(counts.find((c) => c.level === 'county')).toMatchObject({ n: 90, synthetic: 0 });
  });

  it('refuses to seed twice', async () => {
    await expect(seedDatabase(database, { region: '33', scale: 'demo' })).rejects.toThrow(/already holds an org tree/);
  });

  it('locates down to the township outside the showcase counties (宁波 鄞州)', async () => {
    const locator = new grids.LocatorService();
    await locator.refresh(database.db, true);
    const hit = locator.locate(121.55, 29.82);
    expect(hit.county.code.slice(0, 4)).toBe('3302');
    expect(hit.township).not.toBeNull();
    expect(hit.center?.code).toBe(`${hit.township!.code}-center`);
    expect(hit.grid).toBeNull();
  });
});

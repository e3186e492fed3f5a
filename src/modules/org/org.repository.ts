/** SQL for the org tree. No HTTP, no rules: those are in org.service.ts. */
import { and, asc, eq, gt, inArray, like, or, sql, type SQL } from 'drizzle-orm';
import { alias, boolean, integer, pgTable, smallint, text, timestamp } from 'drizzle-orm/pg-core';
import { rows, type Db } from '../../platform/db/database.js';
import type { Kind, Level, NewUnit, OrgUnit } from './org.schemas.js';

export const orgUnits = pgTable('org_units', {
  id: integer('id').primaryKey(),
  code: text('code').notNull(),
  name: text('name').notNull(),
  nameEn: text('name_en'),
  pinyin: text('pinyin').notNull(),
  initials: text('initials').notNull(),
  level: text('level').$type<Level>().notNull(),
  kind: text('kind').$type<Kind>().notNull(),
  type: text('type'),
  parentId: integer('parent_id'),
  path: text('path').notNull(),
  depth: smallint('depth').notNull(),
  countyCode: text('county_code'),
  synthetic: boolean('synthetic').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

/** org_units again, in self-joins: a unit's parent, the area above it, a center. */
const parent = alias(orgUnits, 'p');
const area = alias(orgUnits, 'a');
const center = alias(orgUnits, 'c');

/** The columns a unit is shown with, and its path, of `t`: org_units or the center of a self-join. */
const columnsOf = (t: typeof orgUnits | typeof center) => ({
  id: t.id,
  code: t.code,
  name: t.name,
  nameEn: t.nameEn,
  level: t.level,
  kind: t.kind,
  type: t.type,
  parentId: t.parentId,
  depth: t.depth,
  countyCode: t.countyCode,
  synthetic: t.synthetic,
  path: t.path,
});
const { path: _path, ...publicColumns } = columnsOf(orgUnits);
const rowColumns = columnsOf(orgUnits);

export type UnitRow = OrgUnit & { path: string };

export async function findBy(db: Db, by: { id: number } | { code: string }): Promise<UnitRow | undefined> {
  const cond = 'id' in by ? eq(orgUnits.id, by.id) : eq(orgUnits.code, by.code);
  const [row] = await db.select(rowColumns).from(orgUnits).where(cond).limit(1);
  return row;
}

export async function listChildren(db: Db, parentId: number, kind?: Kind, within?: string): Promise<OrgUnit[]> {
  const conds: SQL[] = [eq(orgUnits.parentId, parentId)];
  if (kind) conds.push(eq(orgUnits.kind, kind));
  if (within) conds.push(like(orgUnits.path, `${within}%`));
  return db.select(publicColumns).from(orgUnits).where(and(...conds)).orderBy(asc(orgUnits.kind), asc(orgUnits.code));
}

export async function listByIds(db: Db, ids: number[]): Promise<OrgUnit[]> {
  if (ids.length === 0) return [];
  return db.select(publicColumns).from(orgUnits).where(inArray(orgUnits.id, ids)).orderBy(asc(orgUnits.depth));
}

export async function listSubtree(
  db: Db,
  path: string,
  f: { level?: Level; kind?: Kind; after?: string; limit: number },
): Promise<OrgUnit[]> {
  const conds: SQL[] = [like(orgUnits.path, `${path}%`)];
  if (f.level) conds.push(eq(orgUnits.level, f.level));
  if (f.kind) conds.push(eq(orgUnits.kind, f.kind));
  if (f.after) conds.push(gt(orgUnits.code, f.after));
  return db.select(publicColumns).from(orgUnits).where(and(...conds)).orderBy(asc(orgUnits.code)).limit(f.limit);
}

/** Name contains the text, or the code / pinyin / pinyin initials start with it. */
export async function search(db: Db, q: { text: string; level?: Level; kind?: Kind; limit: number; within?: string }): Promise<OrgUnit[]> {
  const escaped = q.text.replace(/[\\%_]/g, (c) => `\\${c}`);
  const lower = escaped.toLowerCase();
  const conds: (SQL | undefined)[] = [
    or(
      like(orgUnits.name, `%${escaped}%`),
      like(orgUnits.code, `${escaped}%`),
      like(orgUnits.initials, `${lower}%`),
      like(orgUnits.pinyin, `${lower}%`),
    ),
  ];
  if (q.level) conds.push(eq(orgUnits.level, q.level));
  if (q.kind) conds.push(eq(orgUnits.kind, q.kind));
  if (q.within) conds.push(like(orgUnits.path, `${q.within}%`));
  return db
    .select(publicColumns)
    .from(orgUnits)
    .where(and(...conds))
    .orderBy(
      sql`case when ${orgUnits.name} = ${q.text} or ${orgUnits.code} = ${q.text} then 0 when ${orgUnits.name} like ${`${escaped}%`} then 1 else 2 end`,
      asc(orgUnits.depth),
      asc(orgUnits.code),
    )
    .limit(q.limit);
}

export type InsertRow = NewUnit & { pinyin: string; initials: string };

/**
 * Inserts units whose parents already exist (or roots), computing id, path and depth in SQL.
 * One statement per call; returns how many rows were inserted (fewer than given = unknown parent).
 */
export async function insertUnits(db: Db, units: InsertRow[]): Promise<number> {
  if (units.length === 0) return 0;
  const payload = JSON.stringify(
    units.map((u) => ({
      code: u.code, name: u.name, name_en: u.nameEn, pinyin: u.pinyin, initials: u.initials, level: u.level,
      kind: u.kind, type: u.type, parent_code: u.parentCode, county_code: u.countyCode, synthetic: u.synthetic,
    })),
  );
  const result = await rows<{ n: number }>(
    db,
    sql`with r as (
      select x.*, nextval(pg_get_serial_sequence('org_units', 'id'))::int as nid
      from jsonb_to_recordset(${payload}::jsonb) as x(code text, name text, name_en text, pinyin text, initials text,
        level text, kind text, type text, parent_code text, county_code text, synthetic boolean)
    ), ins as (
      insert into org_units (id, code, name, name_en, pinyin, initials, level, kind, type, parent_id, path, depth, county_code, synthetic)
      select r.nid, r.code, r.name, r.name_en, r.pinyin, r.initials, r.level, r.kind, r.type, p.id,
        coalesce(p.path, '/') || r.nid || '/', coalesce(p.depth + 1, 0), r.county_code, r.synthetic
      from r left join org_units p on p.code = r.parent_code
      where r.parent_code is null or p.id is not null
      returning 1
    ) select count(*)::int as n from ins`,
  );
  return result[0]?.n ?? 0;
}

export async function deleteByCodes(db: Db, codes: string[]): Promise<number> {
  if (codes.length === 0) return 0;
  const result = await rows<{ n: number }>(
    db,
    sql`with d as (delete from org_units where code = any(${sql.param(codes)}::text[]) returning 1) select count(*)::int as n from d`,
  );
  return result[0]?.n ?? 0;
}

export async function updateName(db: Db, code: string, name: string, pinyin: string, initials: string): Promise<void> {
  await db.update(orgUnits).set({ name, pinyin, initials, updatedAt: sql`now()` }).where(eq(orgUnits.code, code));
}

export async function countByLevelAndKind(db: Db): Promise<{ level: Level; kind: Kind; n: number }[]> {
  return rows(db, sql`select level, kind, count(*)::int as n from org_units group by level, kind order by level, kind`);
}

export async function countAll(db: Db): Promise<number> {
  const [r] = await rows<{ n: number }>(db, sql`select count(*)::int as n from org_units`);
  return r.n;
}

/** Compact rows for in-process indexes (the locator): areas and centers only. */
export async function listForIndex(db: Db): Promise<{ id: number; code: string; name: string; level: Level; kind: Kind; parentId: number | null }[]> {
  return db
    .select({ id: orgUnits.id, code: orgUnits.code, name: orgUnits.name, level: orgUnits.level, kind: orgUnits.kind, parentId: orgUnits.parentId })
    .from(orgUnits)
    .where(inArray(orgUnits.kind, ['area', 'center']));
}

export async function listByParentCodes(db: Db, parentCodes: string[], level: Level): Promise<{ code: string; name: string; parentCode: string }[]> {
  if (parentCodes.length === 0) return [];
  return rows(
    db,
    sql`select c.code, c.name, p.code as "parentCode" from org_units c join org_units p on p.id = c.parent_id
        where p.code = any(${sql.param(parentCodes)}::text[]) and c.level = ${level} and c.kind = 'area' order by c.code`,
  );
}

export async function idsByCodes(db: Db, codes: string[]): Promise<Map<string, number>> {
  const map = new Map<string, number>();
  for (let i = 0; i < codes.length; i += 5000) {
    const found = await db.select({ id: orgUnits.id, code: orgUnits.code }).from(orgUnits).where(inArray(orgUnits.code, codes.slice(i, i + 5000)));
    for (const r of found) map.set(r.code, r.id);
  }
  return map;
}

/** Units by code, in code order (the database's); unknown codes are left out. */
export async function findByCodes(db: Db, codes: string[]): Promise<UnitRow[]> {
  if (codes.length === 0) return [];
  return db.select(rowColumns).from(orgUnits).where(sql`${orgUnits.code} = any(${sql.param(codes)}::text[])`).orderBy(asc(orgUnits.code));
}

/** Units by id, in code order (the database's); unknown ids are left out. */
export async function findByIds(db: Db, ids: number[]): Promise<UnitRow[]> {
  if (ids.length === 0) return [];
  return db.select(rowColumns).from(orgUnits).where(sql`${orgUnits.id} = any(${sql.param(ids)}::int[])`).orderBy(asc(orgUnits.code));
}

/** The ids of the area units right under the unit `code` (a village's grids). */
export async function childAreaIds(db: Db, code: string): Promise<number[]> {
  const list = await db.select({ id: orgUnits.id }).from(orgUnits).innerJoin(parent, eq(parent.id, orgUnits.parentId))
    .where(and(eq(parent.code, code), eq(orgUnits.kind, 'area')));
  return list.map((r) => r.id);
}

/**
 * For each unit, the center of the area above the area it belongs to (a township center → its
 * county's center): unit id → center. Units with no center above them are left out.
 */
export async function parentCenters(db: Db, unitIds: number[]): Promise<Map<number, UnitRow>> {
  if (unitIds.length === 0) return new Map();
  const list = await db.select({ of: orgUnits.id, center: columnsOf(center) }).from(orgUnits)
    .innerJoin(area, eq(area.id, orgUnits.parentId))
    .innerJoin(center, and(eq(center.parentId, area.parentId), eq(center.kind, 'center')))
    .where(sql`${orgUnits.id} = any(${sql.param(unitIds)}::int[])`);
  const map = new Map<number, UnitRow>();
  for (const r of list) if (!map.has(r.of)) map.set(r.of, r.center);
  return map;
}

/** Areas of one level (optionally under a path), with their parent's code. */
export async function listAreasOfLevel(db: Db, level: Level, underPath?: string): Promise<{ id: number; code: string; name: string; parentCode: string; synthetic: boolean }[]> {
  const under = underPath ? sql`and c.path like ${`${underPath}%`}` : sql``;
  return rows(
    db,
    sql`select c.id, c.code, c.name, p.code as "parentCode", c.synthetic from org_units c join org_units p on p.id = c.parent_id
        where c.level = ${level} and c.kind = 'area' ${under} order by c.code`,
  );
}

export async function idsUnderPath(db: Db, path: string): Promise<number[]> {
  const r = await db.select({ id: orgUnits.id }).from(orgUnits).where(like(orgUnits.path, `${path}%`));
  return r.map((x) => x.id);
}

/** A grid with what places a case in it: its village and township, and the centers that own its cases. */
export interface GridPlace {
  gridId: number; gridCode: string; gridPath: string; villageId: number; villageCode: string; villagePath: string;
  townshipCode: string; countyCode: string; centerId: number; centerPath: string; countyCenterId: number; countyCenterPath: string;
}

/** The area grids (of `counties`, or all) with their village, township and owning centers. */
export async function listGridPlaces(db: Db, counties?: string[]): Promise<GridPlace[]> {
  if (counties && counties.length === 0) return [];
  const only = counties ? sql`and g.county_code in (${sql.join(counties.map((c) => sql`${c}`), sql`, `)})` : sql``;
  return rows<GridPlace>(db, sql`select g.id as "gridId", g.code as "gridCode", g.path as "gridPath", v.id as "villageId", v.code as "villageCode",
      v.path as "villagePath", t.code as "townshipCode", g.county_code as "countyCode", ce.id as "centerId", ce.path as "centerPath",
      cc.id as "countyCenterId", cc.path as "countyCenterPath"
    from org_units g join org_units v on v.id = g.parent_id join org_units t on t.id = v.parent_id
      join org_units ce on ce.code = t.code || '-center' join org_units cc on cc.code = g.county_code || '-center'
    where g.level = 'grid' and g.kind = 'area' ${only} order by g.id`);
}

/** The platforms and departments (of `counties`, or all) that handle cases: id, code, path, level. */
export async function listHandlerUnits(db: Db, counties?: string[]): Promise<{ id: number; code: string; path: string; level: string }[]> {
  if (counties && counties.length === 0) return [];
  const only = counties ? sql`and county_code in (${sql.join(counties.map((c) => sql`${c}`), sql`, `)})` : sql``;
  return rows(db, sql`select id, code, path, level from org_units where kind in ('platform', 'department') ${only} order by id`);
}

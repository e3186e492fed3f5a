/** SQL for boundaries and the boundary revision. */
import { asc, eq, inArray, sql } from 'drizzle-orm';
import { boolean, doublePrecision, integer, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { rows, type Db } from '../../platform/db/database.js';
import type { AreaGeometry } from './geometry.js';

export const boundaries = pgTable('boundaries', {
  unitId: integer('unit_id').primaryKey(),
  level: text('level').notNull(),
  countyCode: text('county_code'),
  geom: jsonb('geom').$type<AreaGeometry>().notNull(),
  minLon: doublePrecision('min_lon').notNull(),
  minLat: doublePrecision('min_lat').notNull(),
  maxLon: doublePrecision('max_lon').notNull(),
  maxLat: doublePrecision('max_lat').notNull(),
  lon: doublePrecision('lon').notNull(),
  lat: doublePrecision('lat').notNull(),
  h3: text('h3').notNull(),
  areaKm2: doublePrecision('area_km2').notNull(),
  synthetic: boolean('synthetic').notNull(),
  source: text('source').notNull(),
});

export type BoundaryRow = typeof boundaries.$inferSelect;

/** Inserts or replaces boundaries, many per statement. */
export async function upsertBoundaries(db: Db, items: BoundaryRow[], batch = 1000): Promise<void> {
  for (let i = 0; i < items.length; i += batch) {
    const payload = JSON.stringify(
      items.slice(i, i + batch).map((b) => ({
        unit_id: b.unitId, level: b.level, county_code: b.countyCode, geom: b.geom, min_lon: b.minLon, min_lat: b.minLat,
        max_lon: b.maxLon, max_lat: b.maxLat, lon: b.lon, lat: b.lat, h3: b.h3, area_km2: b.areaKm2, synthetic: b.synthetic, source: b.source,
      })),
    );
    await db.execute(sql`insert into boundaries (unit_id, level, county_code, geom, min_lon, min_lat, max_lon, max_lat, lon, lat, h3, area_km2, synthetic, source)
      select * from jsonb_to_recordset(${payload}::jsonb) as x(unit_id int, level text, county_code text, geom jsonb, min_lon float8, min_lat float8,
        max_lon float8, max_lat float8, lon float8, lat float8, h3 text, area_km2 float8, synthetic boolean, source text)
      on conflict (unit_id) do update set level = excluded.level, county_code = excluded.county_code, geom = excluded.geom,
        min_lon = excluded.min_lon, min_lat = excluded.min_lat, max_lon = excluded.max_lon, max_lat = excluded.max_lat,
        lon = excluded.lon, lat = excluded.lat, h3 = excluded.h3, area_km2 = excluded.area_km2, synthetic = excluded.synthetic,
        source = excluded.source, updated_at = now()`);
  }
}

export async function findBoundary(db: Db, unitId: number): Promise<BoundaryRow | undefined> {
  const [row] = await db.select().from(boundaries).where(eq(boundaries.unitId, unitId)).limit(1);
  return row;
}

export async function listBoundaries(db: Db, unitIds: number[]): Promise<BoundaryRow[]> {
  if (unitIds.length === 0) return [];
  return db.select().from(boundaries).where(inArray(boundaries.unitId, unitIds)).orderBy(asc(boundaries.unitId));
}

/** Geometry as JSON text for the index: parsing in JS is faster than through the driver's row decoding. */
export async function listForIndex(db: Db, levels: readonly string[]): Promise<{ unitId: number; level: string; geom: string }[]> {
  return rows(db, sql`select unit_id as "unitId", level, geom::text as geom from boundaries where level = any(${sql.param(levels)}::text[])`);
}

export async function listByLevel(db: Db, level: string, countyCode?: string): Promise<BoundaryRow[]> {
  const cond = countyCode ? sql`${boundaries.level} = ${level} and ${boundaries.countyCode} = ${countyCode}` : eq(boundaries.level, level);
  return db.select().from(boundaries).where(cond).orderBy(asc(boundaries.unitId));
}

export async function countByLevel(db: Db): Promise<{ level: string; n: number; synthetic: number }[]> {
  return rows(db, sql`select level, count(*)::int as n, count(*) filter (where synthetic)::int as synthetic from boundaries group by level order by level`);
}

export async function bumpRevision(db: Db): Promise<number> {
  const [r] = await rows<{ revision: number }>(db, sql`update boundary_revision set revision = revision + 1, changed_at = now() returning revision::int as revision`);
  return r.revision;
}

export async function currentRevision(db: Db): Promise<number> {
  const [r] = await rows<{ revision: number }>(db, sql`select revision::int as revision from boundary_revision`);
  return r?.revision ?? 0;
}

/** A grid's representative point and the size of its bounding box (degrees). */
export interface GridPoint { unitId: number; lon: number; lat: number; h3: string | null; dx: number; dy: number }

/** The representative points of the grids (of `counties`, or all). */
export async function gridPoints(db: Db, counties?: string[]): Promise<GridPoint[]> {
  if (counties && counties.length === 0) return [];
  const only = counties ? sql`and county_code in (${sql.join(counties.map((c) => sql`${c}`), sql`, `)})` : sql``;
  return rows<GridPoint>(db, sql`select unit_id as "unitId", lon, lat, h3, max_lon - min_lon as dx, max_lat - min_lat as dy
    from boundaries where level = 'grid' ${only} order by unit_id`);
}

/** Boundaries for maps (simplified by zoom) and the grid export. */
import * as org from '../org/index.js';
import { AppError } from '../../platform/errors.js';
import type { Db } from '../../platform/db/database.js';
import { simplify, toGeometry, toMulti, type AreaGeometry } from './geometry.js';
import { findBoundary, listBoundaries, type BoundaryRow } from './grids.repository.js';
import { Locator } from './locator.js';

export interface BoundaryFeature {
  type: 'Feature';
  id: string;
  properties: { code: string; name: string; level: string; synthetic: boolean; source: string; lon: number; lat: number; areaKm2: number };
  bbox: [number, number, number, number];
  geometry: AreaGeometry;
}

/** Half a pixel at this web-map zoom, in degrees (256-px tiles). 0 = no simplification. */
export function toleranceForZoom(zoom: number | undefined): number {
  if (zoom === undefined) return 0;
  return 360 / (256 * 2 ** zoom) / 2;
}

function feature(unit: { code: string; name: string }, b: BoundaryRow, tolerance: number): BoundaryFeature {
  return {
    type: 'Feature',
    id: unit.code,
    properties: { code: unit.code, name: unit.name, level: b.level, synthetic: b.synthetic, source: b.source, lon: b.lon, lat: b.lat, areaKm2: Math.round(b.areaKm2 * 1000) / 1000 },
    bbox: [b.minLon, b.minLat, b.maxLon, b.maxLat],
    geometry: tolerance > 0 ? toGeometry(simplify(toMulti(b.geom), tolerance)) : b.geom,
  };
}

export async function boundaryOf(db: Db, ref: string, zoom?: number, within?: string): Promise<BoundaryFeature> {
  const unit = await org.visibleUnit(db, ref, within);
  const b = await findBoundary(db, unit.id);
  if (!b) throw new AppError('NOT_FOUND', { zh: `${unit.name}（${unit.code}）没有边界`, en: `${unit.code} has no boundary` }, { field: 'ref' });
  return feature(unit, b, toleranceForZoom(zoom));
}

export async function childBoundaries(db: Db, ref: string, zoom?: number, within?: string): Promise<{ type: 'FeatureCollection'; features: BoundaryFeature[] }> {
  const children = await org.childrenOf(db, ref, 'area', within);
  const bounds = new Map((await listBoundaries(db, children.map((c) => c.id))).map((b) => [b.unitId, b]));
  const tolerance = toleranceForZoom(zoom);
  return {
    type: 'FeatureCollection',
    features: children.flatMap((c) => {
      const b = bounds.get(c.id);
      return b ? [feature(c, b, tolerance)] : [];
    }),
  };
}

/** A grid as exported: what `importGrids` reads, and where it came from. */
export interface GridFeature {
  type: 'Feature';
  properties: { code: string; name: string; parent_code: string; synthetic: boolean; source: string };
  geometry: AreaGeometry;
}

/** The most grids one export over HTTP holds (about the 20 MB an import over HTTP takes back). */
export const MAX_EXPORT_GRIDS = 20_000;

/**
 * Grids (optionally under one unit, and within the caller's scope `within`) as a FeatureCollection
 * that `importGrids` takes back. `max`: more grids than that is a VALIDATION_FAILED naming `under`.
 */
export async function exportGrids(db: Db, under?: string, opts: { within?: string; max?: number } = {}): Promise<{ type: 'FeatureCollection'; features: GridFeature[] }> {
  const grids = await org.areasOfLevel(db, 'grid', under, opts.within);
  if (opts.max !== undefined && grids.length > opts.max) {
    throw new AppError('VALIDATION_FAILED', {
      zh: `该单位下有 ${grids.length} 个网格，超过一次导出的上限 ${opts.max}：请选择下级单位，或在服务器上用 npx pingan export grids 导出`,
      en: `${grids.length} grids lie under this unit, more than one export holds (${opts.max}): choose a unit below it, or run npx pingan export grids on the server`,
    }, { field: 'under' });
  }
  const features: GridFeature[] = [];
  for (let i = 0; i < grids.length; i += 5000) {
    const slice = grids.slice(i, i + 5000);
    const bounds = new Map((await listBoundaries(db, slice.map((g) => g.id))).map((b) => [b.unitId, b]));
    for (const g of slice) {
      const b = bounds.get(g.id);
      if (!b) continue;
      features.push({ type: 'Feature', properties: { code: g.code, name: g.name, parent_code: g.parentCode, synthetic: b.synthetic, source: b.source }, geometry: b.geom });
    }
  }
  return { type: 'FeatureCollection', features };
}

/**
 * A unit's label point (inside its polygon) and the grid below it that holds the point, found
 * as the locator finds it (a border point goes to the smallest code): the demo's story happens
 * there. Null when the unit has no polygon or no grid below it holds the point.
 */
export async function gridAtLabelPoint(db: Db, code: string): Promise<{ lon: number; lat: number; grid: string } | null> {
  const [unit] = await org.findByCodes(db, [code]);
  const b = unit && (await findBoundary(db, unit.id));
  if (!b) return null;
  const grids = (await childBoundaries(db, code)).features.filter((f) => f.properties.level === 'grid');
  const found = new Locator(grids.map((f, i) => ({ unitId: i, code: f.properties.code, level: 'grid' as const, coords: toMulti(f.geometry) }))).locate(b.lon, b.lat);
  return found && { lon: b.lon, lat: b.lat, grid: found.code };
}

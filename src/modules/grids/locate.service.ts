/**
 * The locator of a running server: builds the in-process index from the database at start,
 * and rebuilds it when the boundary revision changes (on this node or any other).
 */
import gcoordModule from 'gcoord';
import * as org from '../org/index.js';
import { AppError } from '../../platform/errors.js';
import type { Db } from '../../platform/db/database.js';
import { toMulti, type AreaGeometry } from './geometry.js';
import { currentRevision, listForIndex } from './grids.repository.js';
import { INDEXED_LEVELS, Locator } from './locator.js';

export const CRS = ['wgs84', 'gcj02', 'bd09'] as const;
export type Crs = (typeof CRS)[number];

export interface UnitRef {
  id: number;
  code: string;
  name: string;
}

export interface Location {
  lon: number;
  lat: number;
  crs: Crs;
  /** The point in WGS-84, as stored. */
  wgs84: { lon: number; lat: number };
  grid: UnitRef | null;
  village: UnitRef | null;
  township: UnitRef | null;
  county: UnitRef;
  city: UnitRef | null;
  province: UnitRef | null;
  /** The governance center responsible: the township's, or the county's where no township is known. */
  center: UnitRef | null;
}

const PREFIX_LENGTHS: [keyof Location & ('village' | 'township' | 'county' | 'city' | 'province'), number][] = [
  ['village', 12], ['township', 9], ['county', 6], ['city', 4], ['province', 2],
];

// gcoord is CommonJS with an ESM-style default in its types: take the runtime object and type it here.
const gcoord = gcoordModule as unknown as {
  transform(p: [number, number], from: string, to: string): [number, number];
  GCJ02: string; BD09: string; WGS84: string;
};

export function toWgs84(lon: number, lat: number, crs: Crs): [number, number] {
  if (crs === 'wgs84') return [lon, lat];
  const [x, y] = gcoord.transform([lon, lat], crs === 'gcj02' ? gcoord.GCJ02 : gcoord.BD09, gcoord.WGS84);
  return [x, y];
}

export class LocatorService {
  private locator: Locator | null = null;
  private units = new Map<string, UnitRef & { level: string }>();
  private codeById = new Map<number, string>();
  private revision = -1;
  private building: Promise<void> | null = null;

  get ready(): boolean {
    return this.locator !== null;
  }

  get indexedAreas(): number {
    return this.locator?.size ?? 0;
  }

  /** Rebuilds the index if the boundaries changed since the last build. */
  async refresh(db: Db, force = false): Promise<boolean> {
    if (this.building) {
      await this.building;
      if (!force) return false;
    }
    const revision = await currentRevision(db);
    if (!force && revision === this.revision) return false;
    this.building = this.build(db, revision);
    try {
      await this.building;
    } finally {
      this.building = null;
    }
    return true;
  }

  private async build(db: Db, revision: number): Promise<void> {
    const units = await org.listForIndex(db);
    const byCode = new Map<string, UnitRef & { level: string }>();
    const codeById = new Map<number, string>();
    for (const u of units) {
      byCode.set(u.code, { id: u.id, code: u.code, name: u.name, level: u.level });
      codeById.set(u.id, u.code);
    }
    const geoms = await listForIndex(db, INDEXED_LEVELS);
    const areas = geoms.flatMap((g) => {
      const code = codeById.get(g.unitId);
      return code ? [{ unitId: g.unitId, code, level: g.level as (typeof INDEXED_LEVELS)[number], coords: toMulti(JSON.parse(g.geom) as AreaGeometry) }] : [];
    });
    this.locator = new Locator(areas);
    this.units = byCode;
    this.codeById = codeById;
    this.revision = revision;
  }

  locate(lon: number, lat: number, crs: Crs = 'wgs84'): Location {
    if (!this.locator) throw new AppError('UNAVAILABLE', { zh: '空间索引尚未就绪，请稍后重试', en: 'The spatial index is not ready yet; retry shortly' });
    const [x, y] = toWgs84(lon, lat, crs);
    const hit = this.locator.locate(x, y);
    if (!hit) {
      throw new AppError('OUTSIDE_JURISDICTION', {
        zh: `位置（${lon}, ${lat}）不在本系统管辖范围内`,
        en: `The location (${lon}, ${lat}) is outside the jurisdiction`,
      });
    }
    const ref = (code: string): UnitRef | null => {
      const u = this.units.get(code);
      return u ? { id: u.id, code: u.code, name: u.name } : null;
    };
    const out: Location = {
      lon, lat, crs, wgs84: { lon: x, lat: y },
      grid: hit.level === 'grid' ? ref(hit.code) : null,
      village: null, township: null, county: ref(hit.code.slice(0, 6))!, city: null, province: null, center: null,
    };
    for (const [key, len] of PREFIX_LENGTHS) if (hit.code.length >= len) out[key] = ref(hit.code.slice(0, len)) as never;
    const owner = out.township ?? out.county;
    out.center = owner ? ref(org.centerCode(owner.code)) : null;
    return out;
  }
}

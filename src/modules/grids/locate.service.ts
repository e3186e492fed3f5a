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
import { INDEXED_LEVELS, Locator, type IndexedArea } from './locator.js';

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

type Chain = Pick<Location, 'grid' | 'village' | 'township' | 'county' | 'city' | 'province' | 'center'>;

export class LocatorService {
  /** Each indexed area carries its resolved chain (grid → province, and the center), built once per index. */
  private locator: Locator<IndexedArea & { chain: Chain }> | null = null;
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
    const units = new Map<string, UnitRef>();
    const codeById = new Map<number, string>();
    for (const u of await org.listForIndex(db)) {
      units.set(u.code, { id: u.id, code: u.code, name: u.name });
      codeById.set(u.id, u.code);
    }
    const geoms = await listForIndex(db, INDEXED_LEVELS);
    const areas = geoms.flatMap((g) => {
      const code = codeById.get(g.unitId);
      return code ? [{ unitId: g.unitId, code, level: g.level as (typeof INDEXED_LEVELS)[number], coords: toMulti(JSON.parse(g.geom) as AreaGeometry) }] : [];
    });
    this.locator = new Locator(areas.map((a) => ({ ...a, chain: chainOf(a.code, a.level === 'grid', units) })));
    this.revision = revision;
  }

  /** The location of a point, or null outside every indexed area. */
  find(lon: number, lat: number, crs: Crs = 'wgs84'): Location | null {
    if (!this.locator) throw new AppError('UNAVAILABLE', { zh: '空间索引尚未就绪，请稍后重试', en: 'The spatial index is not ready yet; retry shortly' });
    let x = lon, y = lat;
    if (crs !== 'wgs84') [x, y] = toWgs84(lon, lat, crs);
    const hit = this.locator.locate(x, y);
    if (!hit) return null;
    const c = hit.chain;
    return { lon, lat, crs, wgs84: { lon: x, lat: y }, grid: c.grid, village: c.village, township: c.township, county: c.county, city: c.city, province: c.province, center: c.center };
  }

  /** Like find, but a point outside the jurisdiction is an OUTSIDE_JURISDICTION error. */
  locate(lon: number, lat: number, crs: Crs = 'wgs84'): Location {
    const found = this.find(lon, lat, crs);
    if (!found) {
      throw new AppError('OUTSIDE_JURISDICTION', {
        zh: `位置（${lon}, ${lat}）不在本系统管辖范围内`,
        en: `The location (${lon}, ${lat}) is outside the jurisdiction`,
      });
    }
    return found;
  }
}

/** Ancestors follow from the code (grid 15+ → village 12 → township 9 → county 6 → city 4 → province 2). */
function chainOf(code: string, isGrid: boolean, units: Map<string, UnitRef>): Chain {
  const ref = (len: number) => (code.length >= len ? (units.get(code.slice(0, len)) ?? null) : null);
  const chain: Chain = {
    grid: isGrid ? (units.get(code) ?? null) : null,
    village: ref(12), township: ref(9), county: ref(6)!, city: ref(4), province: ref(2), center: null,
  };
  const owner = chain.township ?? chain.county;
  chain.center = owner ? (units.get(org.centerCode(owner.code)) ?? null) : null;
  return chain;
}

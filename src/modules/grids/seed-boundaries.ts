/**
 * Boundaries for a seeded tree: real county polygons from `data/regions/<code>/counties.geojson`,
 * cities and the province as their unions, and synthetic township → village → grid polygons
 * generated inside them (see synthetic.ts). Creates the grid units through the org module.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as org from '../org/index.js';
import type { Db } from '../../platform/db/database.js';
import { toMulti, union, type AreaGeometry, type MultiCoords } from './geometry.js';
import { boundaryRow } from './boundary-row.js';
import { bumpRevision, upsertBoundaries, type BoundaryRow } from './grids.repository.js';
import { partition, rngFor } from './synthetic.js';

export type Scale = 'demo' | 'province';

export interface SeedOptions {
  region: string;
  scale: Scale;
  /** Text that seeds the generator: the same seed gives the same polygons. */
  seed: string;
  /** Limit to these county codes (tests, quick trials). */
  counties?: string[];
  onProgress?: (done: number, total: number, label: string) => void;
}

export interface SeedResult {
  boundaries: Record<string, number>;
  grids: number;
}

export function loadCountyPolygons(region: string): { code: string; name: string; coords: MultiCoords; source: string }[] {
  const file = path.join(org.REGIONS_DIR, region, 'counties.geojson');
  const fc = JSON.parse(fs.readFileSync(file, 'utf8')) as { features: { properties: { code: string; name: string; source: string }; geometry: AreaGeometry }[] };
  return fc.features.map((f) => ({ code: f.properties.code, name: f.properties.name, coords: toMulti(f.geometry), source: f.properties.source }));
}

/**
 * The demo keeps first start quick: every county and township gets a polygon, but villages and
 * grids only in three showcase counties: 西湖区 (Hangzhou, urban), 诸暨市 (home of 枫桥经验) and
 * 兰溪市 (the seed's story, in 凌家村 of 永昌街道). Elsewhere the locator answers down to the
 * township. The province scale does every county.
 */
export const DEMO_COUNTIES = ['330106', '330681', '330781'];

/** 3 or 4 grids per village: ≈ 85,000 for Zhejiang's 25,547 villages, the real system's size. */
function gridsPerVillage(villageCode: string, seed: string): number {
  return rngFor(`${seed}:count:${villageCode}`)() < 0.33 ? 4 : 3;
}

const shortVillageName = (name: string) => name.replace(/(社区居民委员会|社区居委会|村民委员会|居民委员会|村委会|居委会)$/, (m) => (m.startsWith('社区') ? '社区' : m.startsWith('村') ? '村' : ''));

export async function seedBoundaries(db: Db, opts: SeedOptions): Promise<SeedResult> {
  const counties = loadCountyPolygons(opts.region).filter((c) => !opts.counties || opts.counties.includes(c.code));
  const counts: Record<string, number> = {};
  let gridCount = 0;
  const pending: { code: string; level: string; countyCode: string | null; coords: MultiCoords; synthetic: boolean; source: string }[] = [];
  const flush = async () => {
    const ids = await org.idsByCodes(db, pending.map((p) => p.code));
    const rows: BoundaryRow[] = pending.map((p) => {
      const unitId = ids.get(p.code);
      if (unitId === undefined) throw new Error(`No org unit ${p.code} for its boundary`);
      counts[p.level] = (counts[p.level] ?? 0) + 1;
      return boundaryRow({ unitId, level: p.level, countyCode: p.countyCode, coords: p.coords, synthetic: p.synthetic, source: p.source });
    });
    await upsertBoundaries(db, rows);
    pending.length = 0;
  };

  const byCity = new Map<string, MultiCoords[]>();
  let done = 0;
  for (const county of counties) {
    opts.onProgress?.(done, counties.length, `${county.code} ${county.name}`);
    pending.push({ code: county.code, level: 'county', countyCode: county.code, coords: county.coords, synthetic: false, source: county.source });
    byCity.set(county.code.slice(0, 4), [...(byCity.get(county.code.slice(0, 4)) ?? []), county.coords]);

    const townships = await org.listAreasUnder(db, [county.code], 'township');
    const townshipAreas = partition(county.coords, townships.length, `${opts.seed}:${county.code}`);
    const detailed = opts.scale === 'province' || DEMO_COUNTIES.includes(county.code);
    const villages = detailed ? await org.listAreasUnder(db, townships.map((t) => t.code), 'village') : [];
    const villagesOf = new Map<string, typeof villages>();
    for (const v of villages) villagesOf.set(v.parentCode, [...(villagesOf.get(v.parentCode) ?? []), v]);
    const newGrids: org.NewUnit[] = [];
    townships.forEach((t, ti) => {
      pending.push({ code: t.code, level: 'township', countyCode: county.code, coords: townshipAreas[ti], synthetic: true, source: 'synthetic' });
      const vs = villagesOf.get(t.code) ?? [];
      const villageAreas = partition(townshipAreas[ti], vs.length, `${opts.seed}:${t.code}`);
      vs.forEach((v, vi) => {
        pending.push({ code: v.code, level: 'village', countyCode: county.code, coords: villageAreas[vi], synthetic: true, source: 'synthetic' });
        const n = gridsPerVillage(v.code, opts.seed);
        const gridAreas = partition(villageAreas[vi], n, `${opts.seed}:${v.code}`);
        gridAreas.forEach((coords, gi) => {
          const code = `${v.code}${String(gi + 1).padStart(3, '0')}`;
          newGrids.push({
            code, name: `${shortVillageName(v.name)}第${gi + 1}网格`, nameEn: `Grid ${gi + 1}`, level: 'grid', kind: 'area', type: 'grid',
            parentCode: v.code, countyCode: county.code, synthetic: true,
          });
          pending.push({ code, level: 'grid', countyCode: county.code, coords, synthetic: true, source: 'synthetic' });
        });
      });
    });
    gridCount += await org.createUnits(db, newGrids);
    await flush();
    done++;
  }
  opts.onProgress?.(done, counties.length, 'cities');
  const cityAreas: MultiCoords[] = [];
  for (const [city, parts] of [...byCity].sort()) {
    const coords = union(...parts);
    cityAreas.push(coords);
    pending.push({ code: city, level: 'city', countyCode: null, coords, synthetic: false, source: 'union of its counties' });
  }
  if (!opts.counties && cityAreas.length) {
    pending.push({ code: opts.region, level: 'province', countyCode: null, coords: union(...cityAreas), synthetic: false, source: 'union of its counties' });
  }
  await flush();
  await bumpRevision(db);
  return { boundaries: counts, grids: gridCount };
}

import { latLngToCell } from 'h3-js';
import { areaKm2, bboxOf, labelPoint, normalize, round, toGeometry, type MultiCoords } from './geometry.js';
import type { BoundaryRow } from './grids.repository.js';
import { insideArea } from './synthetic.js';

/** H3 resolution of a boundary's label point (res 8 ≈ 0.7 km²), for SQL aggregation by area. */
export const H3_RESOLUTION = 8;

export function boundaryRow(u: { unitId: number; level: string; countyCode: string | null; coords: MultiCoords; synthetic: boolean; source: string }): BoundaryRow {
  const coords = normalize(round(u.coords));
  const [minLon, minLat, maxLon, maxLat] = bboxOf(coords);
  const [lon, lat] = labelPoint(coords, (p) => insideArea(coords, p));
  return {
    unitId: u.unitId, level: u.level, countyCode: u.countyCode, geom: toGeometry(coords),
    minLon, minLat, maxLon, maxLat, lon, lat, h3: latLngToCell(lat, lon, H3_RESOLUTION),
    areaKm2: areaKm2(coords), synthetic: u.synthetic, source: u.source,
  };
}

/**
 * Point → area look-up in process: a Flatbush (packed R-tree) of bounding boxes per level,
 * then an exact point-in-polygon test. Grids first; where no grid covers the point (real data
 * imported for part of a county), the village, township and county layers answer instead.
 * A point on a border shared by several areas goes to the one with the smallest code.
 */
import Flatbush from 'flatbush';
import pointInPolygon from 'point-in-polygon-hao';
import { bboxOf, type MultiCoords } from './geometry.js';

export const INDEXED_LEVELS = ['grid', 'village', 'township', 'county'] as const;
export type IndexedLevel = (typeof INDEXED_LEVELS)[number];

export interface IndexedArea {
  unitId: number;
  code: string;
  level: IndexedLevel;
  coords: MultiCoords;
}

interface Layer {
  index: Flatbush;
  areas: IndexedArea[];
}

export class Locator {
  private readonly layers: Layer[] = [];
  readonly size: number;

  constructor(areas: IndexedArea[]) {
    for (const level of INDEXED_LEVELS) {
      const items = areas.filter((a) => a.level === level).sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
      if (items.length === 0) continue;
      const index = new Flatbush(items.length);
      for (const a of items) {
        const [minX, minY, maxX, maxY] = bboxOf(a.coords);
        index.add(minX, minY, maxX, maxY);
      }
      index.finish();
      this.layers.push({ index, areas: items });
    }
    this.size = areas.length;
  }

  /** The finest area containing the point (border points: the smallest code), or null. */
  locate(lon: number, lat: number): IndexedArea | null {
    for (const layer of this.layers) {
      // items are sorted by code, so the first containing hit in index order is the smallest code
      const hits = layer.index.search(lon, lat, lon, lat);
      if (hits.length > 1) hits.sort((a, b) => a - b);
      for (const i of hits) if (contains(layer.areas[i].coords, lon, lat)) return layer.areas[i];
    }
    return null;
  }
}

function contains(m: MultiCoords, lon: number, lat: number): boolean {
  const p = [lon, lat];
  for (const poly of m) if (pointInPolygon(p, poly) !== false) return true;
  return false;
}

/**
 * Point → area look-up in process: a Flatbush (packed R-tree) of bounding boxes per level,
 * then an exact point-in-polygon test. Grids first; where no grid covers the point (real data
 * imported for part of a county), the village, township and county layers answer instead.
 * A point on a border shared by several areas goes to the one with the smallest code.
 */
import Flatbush from 'flatbush';
import { bboxOf, type MultiCoords } from './geometry.js';

export const INDEXED_LEVELS = ['grid', 'village', 'township', 'county'] as const;
export type IndexedLevel = (typeof INDEXED_LEVELS)[number];

export interface IndexedArea {
  unitId: number;
  code: string;
  level: IndexedLevel;
  coords: MultiCoords;
}

interface Layer<A extends IndexedArea> {
  index: Flatbush;
  areas: A[];
  /** Each area's rings as flat [x0, y0, x1, y1, …] with ring end offsets: a tight loop, no allocation. */
  shapes: { xy: Float64Array; ends: Uint32Array }[];
}

function flatten(m: MultiCoords): { xy: Float64Array; ends: Uint32Array } {
  let n = 0, rings = 0;
  for (const poly of m) for (const ring of poly) (n += ring.length), rings++;
  const xy = new Float64Array(2 * n);
  const ends = new Uint32Array(rings);
  let k = 0, r = 0;
  for (const poly of m) for (const ring of poly) {
    for (const [x, y] of ring) (xy[k++] = x), (xy[k++] = y);
    ends[r++] = k;
  }
  return { xy, ends };
}

/**
 * Even–odd crossing test over every ring of the area (outer rings, holes and the parts of a
 * MultiPolygon alike, as they do not overlap); a point on an edge counts as inside.
 */
export function containsPoint(shape: { xy: Float64Array; ends: Uint32Array }, x: number, y: number): boolean {
  const { xy, ends } = shape;
  let inside = false;
  let start = 0;
  for (let r = 0; r < ends.length; r++) {
    const end = ends[r];
    for (let i = start; i < end - 2; i += 2) {
      const x1 = xy[i], y1 = xy[i + 1], x2 = xy[i + 2], y2 = xy[i + 3];
      if ((y1 > y) !== (y2 > y)) {
        const cross = (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1);
        if (cross === 0) return true; // on the edge
        if ((cross > 0) === (y2 > y1)) inside = !inside;
      } else if (y1 === y && y2 === y && x >= Math.min(x1, x2) && x <= Math.max(x1, x2)) {
        return true; // on a horizontal edge
      } else if (x1 === x && y1 === y) {
        return true; // on a vertex
      }
    }
    start = end;
  }
  return inside;
}

/** A may carry what the caller wants back with a hit (the service attaches the resolved chain). */
export class Locator<A extends IndexedArea = IndexedArea> {
  private readonly layers: Layer<A>[] = [];
  readonly size: number;

  constructor(areas: A[]) {
    for (const level of INDEXED_LEVELS) {
      const items = areas.filter((a) => a.level === level).sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
      if (items.length === 0) continue;
      const index = new Flatbush(items.length);
      for (const a of items) {
        const [minX, minY, maxX, maxY] = bboxOf(a.coords);
        index.add(minX, minY, maxX, maxY);
      }
      index.finish();
      this.layers.push({ index, areas: items, shapes: items.map((a) => flatten(a.coords)) });
    }
    this.size = areas.length;
  }

  /** The finest area containing the point (border points: the smallest code), or null. */
  locate(lon: number, lat: number): A | null {
    for (const layer of this.layers) {
      // items are sorted by code, so the first containing hit in index order is the smallest code
      const hits = layer.index.search(lon, lat, lon, lat);
      if (hits.length > 1) hits.sort((a, b) => a - b);
      for (const i of hits) if (containsPoint(layer.shapes[i], lon, lat)) return layer.areas[i];
    }
    return null;
  }
}


/**
 * Plain geometry on GeoJSON coordinates (WGS-84 degrees), shared by the generator, the importer,
 * the locator and the boundary API. Internally every area is a MultiPolygon's coordinates.
 */
import clip, { type Geom } from 'polygon-clipping';
import polylabel from 'polylabel';
import simplifyLine from 'simplify-js';

export type Position = [number, number];
export type Ring = Position[];
export type PolygonCoords = Ring[];
export type MultiCoords = PolygonCoords[];
export type AreaGeometry = { type: 'Polygon'; coordinates: PolygonCoords } | { type: 'MultiPolygon'; coordinates: MultiCoords };
export type BBox = [number, number, number, number];

export const toMulti = (g: AreaGeometry): MultiCoords => (g.type === 'Polygon' ? [g.coordinates] : g.coordinates);
export const toGeometry = (m: MultiCoords): AreaGeometry =>
  m.length === 1 ? { type: 'Polygon', coordinates: m[0] } : { type: 'MultiPolygon', coordinates: m };

export function bboxOf(m: MultiCoords): BBox {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const poly of m) for (const [x, y] of poly[0]) {
    if (x < minX) minX = x;
    if (y < minY) minY = y;
    if (x > maxX) maxX = x;
    if (y > maxY) maxY = y;
  }
  return [minX, minY, maxX, maxY];
}

/** Signed planar area in square degrees (positive = counter-clockwise). */
export function ringSignedArea(ring: Ring): number {
  let s = 0;
  for (let i = 0, n = ring.length - 1; i < n; i++) s += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return s / 2;
}

export function planarArea(m: MultiCoords): number {
  let a = 0;
  for (const poly of m) poly.forEach((ring, i) => (a += (i === 0 ? 1 : -1) * Math.abs(ringSignedArea(ring))));
  return a;
}

const EARTH_RADIUS_KM = 6378.137;
const rad = (d: number) => (d * Math.PI) / 180;

/** Area on the sphere in km² (the formula of d3-geo/turf area, good to ~0.5 %). */
export function areaKm2(m: MultiCoords): number {
  const ringArea = (ring: Ring) => {
    let total = 0;
    const n = ring.length;
    if (n < 4) return 0;
    for (let i = 0; i < n - 1; i++) {
      const p1 = ring[i], p2 = ring[(i + 1) % (n - 1)], p3 = ring[(i + 2) % (n - 1)];
      total += (rad(p3[0]) - rad(p1[0])) * Math.sin(rad(p2[1]));
    }
    return Math.abs((total * EARTH_RADIUS_KM * EARTH_RADIUS_KM) / 2);
  };
  let a = 0;
  for (const poly of m) poly.forEach((ring, i) => (a += (i === 0 ? 1 : -1) * ringArea(ring)));
  return a;
}

/** Closes rings, drops repeated points and degenerate rings, orients outer rings CCW and holes CW (RFC 7946). */
export function normalize(m: MultiCoords): MultiCoords {
  const out: MultiCoords = [];
  for (const poly of m) {
    const rings: Ring[] = [];
    poly.forEach((ring, i) => {
      const r: Ring = [];
      for (const p of ring) {
        const last = r[r.length - 1];
        if (!last || last[0] !== p[0] || last[1] !== p[1]) r.push([p[0], p[1]]);
      }
      if (r.length > 1 && r[0][0] === r[r.length - 1][0] && r[0][1] === r[r.length - 1][1]) r.pop();
      if (r.length < 3) return;
      r.push([r[0][0], r[0][1]]);
      const area = ringSignedArea(r);
      if (area === 0) return;
      if ((i === 0) !== (area > 0)) r.reverse();
      rings.push(r);
    });
    if (rings.length && ringSignedArea(rings[0]) > 0 && poly.length > 0) out.push(rings);
  }
  return out;
}

function isConvexRing(ring: Ring): boolean {
  let sign = 0;
  const n = ring.length - 1;
  for (let i = 0; i < n; i++) {
    const a = ring[i], b = ring[(i + 1) % n], c = ring[(i + 2) % n];
    const cross = (b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0]);
    if (cross !== 0) {
      if (sign === 0) sign = Math.sign(cross);
      else if (Math.sign(cross) !== sign) return false;
    }
  }
  return true;
}

/** Sutherland–Hodgman: a convex subject clipped by a convex CCW clip ring. */
function clipConvex(subject: Ring, clipRing: Ring): Ring {
  let output = subject.slice(0, -1);
  const n = clipRing.length - 1;
  for (let i = 0; i < n && output.length; i++) {
    const a = clipRing[i], b = clipRing[i + 1];
    const inside = (p: Position) => (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]) >= 0;
    const input = output;
    output = [];
    for (let j = 0; j < input.length; j++) {
      const p = input[j], q = input[(j + 1) % input.length];
      const pin = inside(p), qin = inside(q);
      if (pin) output.push(p);
      if (pin !== qin) {
        const dx1 = q[0] - p[0], dy1 = q[1] - p[1], dx2 = b[0] - a[0], dy2 = b[1] - a[1];
        const t = (dx2 * (p[1] - a[1]) - dy2 * (p[0] - a[0])) / (dy2 * dx1 - dx2 * dy1);
        output.push([p[0] + t * dx1, p[1] + t * dy1]);
      }
    }
  }
  if (output.length < 3) return [];
  output.push(output[0]);
  return output;
}

/** The part of a convex ring inside an area. */
export function clipToArea(convex: Ring, area: MultiCoords): MultiCoords {
  if (area.length === 1 && area[0].length === 1 && isConvexRing(area[0][0])) {
    const r = clipConvex(normalize([[convex]])[0][0], area[0][0]);
    return r.length ? normalize([[r]]) : [];
  }
  return normalize(clip.intersection([convex], area as Geom) as MultiCoords);
}

export const union = (...areas: MultiCoords[]): MultiCoords => normalize(clip.union(...(areas as [Geom, ...Geom[]])) as MultiCoords);
export const difference = (a: MultiCoords, ...b: MultiCoords[]): MultiCoords => normalize(clip.difference(a as Geom, ...(b as Geom[])) as MultiCoords);
export const intersection = (a: MultiCoords, b: MultiCoords): MultiCoords => normalize(clip.intersection(a as Geom, b as Geom) as MultiCoords);

/** A point inside the area, good for a label: the centroid of the largest part if inside, else its pole of inaccessibility. */
export function labelPoint(m: MultiCoords, contains: (p: Position) => boolean): Position {
  let best = m[0];
  let bestArea = -1;
  for (const poly of m) {
    const a = Math.abs(ringSignedArea(poly[0]));
    if (a > bestArea) (best = poly), (bestArea = a);
  }
  const ring = best[0];
  let cx = 0, cy = 0, a6 = 0;
  for (let i = 0; i < ring.length - 1; i++) {
    const f = ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
    cx += (ring[i][0] + ring[i + 1][0]) * f;
    cy += (ring[i][1] + ring[i + 1][1]) * f;
    a6 += f * 3;
  }
  const c: Position = [cx / a6, cy / a6];
  if (Number.isFinite(c[0]) && contains(c)) return c;
  const p = polylabel(best, 1e-5);
  return [p[0], p[1]];
}

/** Douglas–Peucker per ring with a tolerance in degrees; rings that would collapse keep their bbox corners. */
export function simplify(m: MultiCoords, tolerance: number): MultiCoords {
  if (tolerance <= 0) return m;
  const out: MultiCoords = [];
  for (const poly of m) {
    const [minX, minY, maxX, maxY] = bboxOf([poly]);
    if (maxX - minX < tolerance && maxY - minY < tolerance) continue; // smaller than a pixel
    const rings: Ring[] = [];
    for (const ring of poly) {
      const pts = simplifyLine(ring.map(([x, y]) => ({ x, y })), tolerance, true);
      if (pts.length >= 4) rings.push(pts.map((p) => [p.x, p.y] as Position));
      else if (rings.length === 0) rings.push(ring);
    }
    out.push(rings);
  }
  return out.length ? out : m;
}

export const round = (m: MultiCoords, digits = 7): MultiCoords => {
  const f = 10 ** digits;
  return m.map((poly) => poly.map((ring) => ring.map(([x, y]) => [Math.round(x * f) / f, Math.round(y * f) / f] as Position)));
};

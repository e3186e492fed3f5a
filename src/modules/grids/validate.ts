/**
 * Validity of area geometries (OGC simple features rules that matter to us): numeric positions
 * in range, closed rings of at least 4 positions, no ring crossing itself or another ring.
 * Returns reasons in Chinese and English; an empty list means valid.
 */
import type { Message } from '../../platform/errors.js';
import { ringSignedArea, type MultiCoords, type Position, type Ring } from './geometry.js';

const m = (zh: string, en: string): Message => ({ zh, en });

function isPosition(p: unknown): p is Position {
  return Array.isArray(p) && (p.length === 2 || p.length === 3) && p.every((n) => typeof n === 'number' && Number.isFinite(n));
}

/** Shape and ranges; returns the coordinates as a MultiPolygon when they are usable. */
export function checkShape(geometry: unknown): { reasons: Message[]; coords?: MultiCoords } {
  if (!geometry || typeof geometry !== 'object') return { reasons: [m('缺少几何图形', 'geometry is missing')] };
  const g = geometry as { type?: unknown; coordinates?: unknown };
  if (g.type !== 'Polygon' && g.type !== 'MultiPolygon') {
    return { reasons: [m(`几何类型必须是 Polygon 或 MultiPolygon（实际为 ${String(g.type)}）`, `geometry must be a Polygon or MultiPolygon (got ${String(g.type)})`)] };
  }
  const polys = (g.type === 'Polygon' ? [g.coordinates] : g.coordinates) as unknown;
  if (!Array.isArray(polys) || polys.length === 0) return { reasons: [m('坐标为空', 'coordinates are empty')] };
  const reasons: Message[] = [];
  polys.forEach((poly, pi) => {
    if (!Array.isArray(poly) || poly.length === 0) return reasons.push(m(`第 ${pi} 个多边形没有环`, `polygon ${pi} has no rings`));
    poly.forEach((ring: unknown, ri: number) => {
      const where = `polygon ${pi} ring ${ri}`;
      const whereZh = `第 ${pi} 个多边形第 ${ri} 个环`;
      if (!Array.isArray(ring)) return reasons.push(m(`${whereZh}不是坐标数组`, `${where} is not an array of positions`));
      const bad = ring.findIndex((p) => !isPosition(p));
      if (bad >= 0) return reasons.push(m(`${whereZh}第 ${bad} 个点不是 [经度, 纬度] 数字`, `${where} position ${bad} is not a [lon, lat] pair of numbers`));
      const out = ring.findIndex(([x, y]: Position) => x < -180 || x > 180 || y < -90 || y > 90);
      if (out >= 0) return reasons.push(m(`${whereZh}第 ${out} 个点超出经纬度范围`, `${where} position ${out} is out of range (lon −180..180, lat −90..90)`));
      if (ring.length < 4) return reasons.push(m(`${whereZh}少于 4 个点`, `${where} has fewer than 4 positions`));
      const [a, z] = [ring[0], ring[ring.length - 1]];
      if (a[0] !== z[0] || a[1] !== z[1]) return reasons.push(m(`${whereZh}未闭合（首尾点不同）`, `${where} is not closed (first and last positions differ)`));
      if (ringSignedArea(ring as Ring) === 0) return reasons.push(m(`${whereZh}面积为零`, `${where} has zero area`));
    });
  });
  if (reasons.length) return { reasons };
  return { reasons, coords: (polys as number[][][][]).map((p) => p.map((r) => r.map((q) => [q[0], q[1]] as Position))) };
}

interface Seg {
  ax: number; ay: number; bx: number; by: number;
  minX: number; maxX: number; minY: number; maxY: number;
  ring: number; idx: number; ringLen: number;
}

const orient = (ax: number, ay: number, bx: number, by: number, cx: number, cy: number) => {
  const v = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
  return v > 0 ? 1 : v < 0 ? -1 : 0;
};
const onSegment = (s: Seg, x: number, y: number) =>
  x >= Math.min(s.ax, s.bx) && x <= Math.max(s.ax, s.bx) && y >= Math.min(s.ay, s.by) && y <= Math.max(s.ay, s.by);

/** 'cross' (interiors cross or overlap along a line), 'touch' (meet at an end point), or null. */
function relate(s: Seg, t: Seg): 'cross' | 'touch' | null {
  const o1 = orient(s.ax, s.ay, s.bx, s.by, t.ax, t.ay);
  const o2 = orient(s.ax, s.ay, s.bx, s.by, t.bx, t.by);
  const o3 = orient(t.ax, t.ay, t.bx, t.by, s.ax, s.ay);
  const o4 = orient(t.ax, t.ay, t.bx, t.by, s.bx, s.by);
  if (o1 === 0 && o2 === 0) {
    // collinear: overlap of positive length is a crossing, a shared end point a touch
    const overlap = onSegment(s, t.ax, t.ay) || onSegment(s, t.bx, t.by) || onSegment(t, s.ax, s.ay) || onSegment(t, s.bx, s.by);
    if (!overlap) return null;
    const lo = Math.max(Math.min(s.ax, s.bx), Math.min(t.ax, t.bx)), hi = Math.min(Math.max(s.ax, s.bx), Math.max(t.ax, t.bx));
    const loY = Math.max(Math.min(s.ay, s.by), Math.min(t.ay, t.by)), hiY = Math.min(Math.max(s.ay, s.by), Math.max(t.ay, t.by));
    return hi > lo || hiY > loY ? 'cross' : 'touch';
  }
  if (o1 !== o2 && o3 !== o4) {
    return o1 === 0 || o2 === 0 || o3 === 0 || o4 === 0 ? 'touch' : 'cross';
  }
  return null;
}

/** Rings that cross themselves or each other (a sweep over x, so big rings stay fast). */
export function checkIntersections(coords: MultiCoords): Message[] {
  const segs: Seg[] = [];
  let ringId = 0;
  for (const poly of coords) for (const ring of poly) {
    const n = ring.length - 1;
    for (let i = 0; i < n; i++) {
      const [ax, ay] = ring[i], [bx, by] = ring[i + 1];
      segs.push({ ax, ay, bx, by, minX: Math.min(ax, bx), maxX: Math.max(ax, bx), minY: Math.min(ay, by), maxY: Math.max(ay, by), ring: ringId, idx: i, ringLen: n });
    }
    ringId++;
  }
  segs.sort((a, b) => a.minX - b.minX);
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i];
    for (let j = i + 1; j < segs.length && segs[j].minX <= s.maxX; j++) {
      const t = segs[j];
      if (t.minY > s.maxY || t.maxY < s.minY) continue;
      const r = relate(s, t);
      if (!r) continue;
      if (s.ring === t.ring) {
        const d = Math.abs(s.idx - t.idx);
        const adjacent = d === 1 || d === s.ringLen - 1;
        if (adjacent && r === 'touch') continue;
        return [m(`环自相交（约在 ${s.ax.toFixed(6)}, ${s.ay.toFixed(6)} 附近）`, `a ring intersects itself (near ${s.ax.toFixed(6)}, ${s.ay.toFixed(6)})`)];
      }
      if (r === 'cross') return [m(`两个环相交（约在 ${s.ax.toFixed(6)}, ${s.ay.toFixed(6)} 附近）`, `two rings cross (near ${s.ax.toFixed(6)}, ${s.ay.toFixed(6)})`)];
    }
  }
  return [];
}

export function validateAreaGeometry(geometry: unknown): { reasons: Message[]; coords?: MultiCoords } {
  const shape = checkShape(geometry);
  if (!shape.coords) return shape;
  const reasons = checkIntersections(shape.coords);
  return reasons.length ? { reasons } : shape;
}

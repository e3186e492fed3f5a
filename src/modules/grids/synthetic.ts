/**
 * Synthetic subdivision: no public township, village or grid boundaries exist, so demo data
 * splits each parent polygon into n children by the Voronoi cells of n random points inside it,
 * each cell clipped to the parent. Deterministic: the points come from a PRNG seeded by
 * (seed, parent code). The cells tile the plane, so the children tile the parent.
 */
import { Delaunay } from 'd3-delaunay';
import earcut, { flatten } from 'earcut';
import pointInPolygon from 'point-in-polygon-hao';
import { bboxOf, clipToArea, type MultiCoords, type Position, type Ring } from './geometry.js';

/** sfc32 seeded through a 32-bit FNV-1a hash of the text: small, fast, and the same everywhere. */
export function rngFor(text: string): () => number {
  let h = 0x811c9dc5;
  const seeds: number[] = [];
  for (let k = 0; k < 4; k++) {
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ k, 0x01000193);
    seeds.push(h >>> 0);
  }
  let [a, b, c, d] = seeds;
  return () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

export function insideArea(m: MultiCoords, p: Position): boolean {
  for (const poly of m) if (pointInPolygon(p, poly) === true) return true;
  return false;
}

/**
 * n random points strictly inside the area: triangulate it (earcut), pick a triangle by area,
 * then a uniform point in it. No rejection sampling, so thin slivers and scattered islands
 * cost the same as compact shapes.
 */
function randomPointsInside(m: MultiCoords, n: number, rng: () => number): Position[] {
  const triangles: [Position, Position, Position][] = [];
  const cumulative: number[] = [];
  let total = 0;
  for (const poly of m) {
    const { vertices, holes, dimensions } = flatten(poly.map((ring) => ring.slice(0, -1)));
    const idx = earcut(vertices, holes, dimensions);
    for (let i = 0; i < idx.length; i += 3) {
      const t = [idx[i], idx[i + 1], idx[i + 2]].map((k) => [vertices[2 * k], vertices[2 * k + 1]] as Position) as [Position, Position, Position];
      const area = Math.abs((t[1][0] - t[0][0]) * (t[2][1] - t[0][1]) - (t[2][0] - t[0][0]) * (t[1][1] - t[0][1])) / 2;
      if (area === 0) continue;
      total += area;
      triangles.push(t);
      cumulative.push(total);
    }
  }
  if (!triangles.length) throw new Error('cannot place points in an area without surface');
  const points: Position[] = [];
  while (points.length < n) {
    const target = rng() * total;
    let lo = 0, hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < target) lo = mid + 1;
      else hi = mid;
    }
    const [a, b, c] = triangles[lo];
    let r1 = rng(), r2 = rng();
    if (r1 + r2 >= 1) (r1 = 1 - r1), (r2 = 1 - r2);
    if (r1 === 0 || r2 === 0 || r1 + r2 >= 1) continue; // on an edge: draw again
    points.push([a[0] + r1 * (b[0] - a[0]) + r2 * (c[0] - a[0]), a[1] + r1 * (b[1] - a[1]) + r2 * (c[1] - a[1])]);
  }
  return points;
}

/**
 * n areas tiling `parent`, in the order of their seed points (west to east, so codes run that
 * way). Points that are (nearly) collinear or coincident give degenerate cells: draw again.
 */
export function partition(parent: MultiCoords, n: number, seed: string): MultiCoords[] {
  if (n <= 0) return [];
  if (n === 1) return [parent];
  for (let attempt = 0; attempt < 20; attempt++) {
    const pieces = tryPartition(parent, n, rngFor(attempt === 0 ? seed : `${seed}#${attempt}`));
    if (pieces) return pieces;
  }
  throw new Error(`could not split an area into ${n} parts (seed ${seed})`);
}

function tryPartition(parent: MultiCoords, n: number, rng: () => number): MultiCoords[] | null {
  const points = randomPointsInside(parent, n, rng).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const [minX, minY, maxX, maxY] = bboxOf(parent);
  const pad = Math.max(maxX - minX, maxY - minY) * 0.01 + 1e-6;
  const voronoi = Delaunay.from(points).voronoi([minX - pad, minY - pad, maxX + pad, maxY + pad]);
  const pieces: MultiCoords[] = [];
  for (let i = 0; i < n; i++) {
    const cell = voronoi.cellPolygon(i) as unknown as Ring | null;
    if (!cell) return null;
    const piece = clipToArea(cell, parent);
    if (piece.length === 0) return null;
    pieces.push(piece);
  }
  return pieces;
}

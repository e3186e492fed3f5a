/**
 * Synthetic subdivision: no public township, village or grid boundaries exist, so demo data
 * splits each parent polygon into n children by the Voronoi cells of n random points inside it,
 * each cell clipped to the parent. Deterministic: the points come from a PRNG seeded by
 * (seed, parent code). The cells tile the plane, so the children tile the parent.
 */
import { Delaunay } from 'd3-delaunay';
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

function randomPointsInside(m: MultiCoords, n: number, rng: () => number): Position[] {
  const [minX, minY, maxX, maxY] = bboxOf(m);
  const points: Position[] = [];
  for (let tries = 0; points.length < n; tries++) {
    if (tries > 2000 * n) throw new Error(`could not place ${n} points inside the area`);
    const p: Position = [minX + rng() * (maxX - minX), minY + rng() * (maxY - minY)];
    if (insideArea(m, p)) points.push(p);
  }
  return points;
}

/** n areas tiling `parent`, in the order of their seed points (west to east, so codes run that way). */
export function partition(parent: MultiCoords, n: number, seed: string): MultiCoords[] {
  if (n <= 0) return [];
  if (n === 1) return [parent];
  const rng = rngFor(seed);
  const points = randomPointsInside(parent, n, rng).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const [minX, minY, maxX, maxY] = bboxOf(parent);
  const pad = Math.max(maxX - minX, maxY - minY) * 0.01 + 1e-6;
  const voronoi = Delaunay.from(points).voronoi([minX - pad, minY - pad, maxX + pad, maxY + pad]);
  return points.map((_, i) => {
    const cell = voronoi.cellPolygon(i) as unknown as Ring | null;
    if (!cell) throw new Error('degenerate Voronoi cell');
    const piece = clipToArea(cell, parent);
    if (piece.length === 0) throw new Error('empty Voronoi piece');
    return piece;
  });
}

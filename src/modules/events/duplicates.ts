/**
 * Duplicate candidates (DESIGN.md §4): open cases of the same category reported within 200 m
 * and 48 hours. Offered to the operator at intake and in the case, and to a citizen as
 * "already reported: follow that one".
 */
import type { Db } from '../../platform/db/database.js';
import { openInBox } from './events.repository.js';
import type { Status } from './events.lifecycle.js';

export const DUPLICATE_RADIUS_M = 200;
export const DUPLICATE_WINDOW_MS = 48 * 3600_000;

export interface DuplicateCandidate {
  id: number;
  status: Status;
  distanceM: number;
  createdAt: Date;
}

/** Great-circle distance in metres (haversine, mean Earth radius). */
export function distanceM(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.min(1, Math.sqrt(a)));
}

export async function findDuplicates(db: Db, category: string, lon: number, lat: number, now: Date, exclude: number | null): Promise<DuplicateCandidate[]> {
  // a box a little larger than the circle, then the exact distance
  const dLat = (DUPLICATE_RADIUS_M * 1.01) / 111_195;
  const dLon = dLat / Math.max(Math.cos((lat * Math.PI) / 180), 0.01);
  const since = new Date(now.getTime() - DUPLICATE_WINDOW_MS);
  const near = await openInBox(db, category, since, [lon - dLon, lat - dLat, lon + dLon, lat + dLat], exclude);
  return near
    .map((c) => ({ id: c.id, status: c.status, createdAt: c.createdAt, distanceM: Math.round(distanceM(lon, lat, c.lon, c.lat)) }))
    .filter((c) => c.distanceM <= DUPLICATE_RADIUS_M)
    .sort((a, b) => a.distanceM - b.distanceM)
    .slice(0, 10);
}

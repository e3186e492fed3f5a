/** What the dashboard reads from the API. */
import { api } from '../shared/api.js';

export interface Indicators {
  org: { code: string; name: string; level: string };
  from: string; to: string;
  reported: number; accepted: number; closed: number; dueToClose: number; closedOnTime: number;
  closureRate: number | null; onTimeRate: number | null; reworkRate: number | null; avgHandlingSeconds: number | null;
  rated: number; satisfactionRate: number | null; localResolutionRate: number | null;
  categories: { code: string; n: number }[];
}
export interface SeriesPoint { bucket: string; reported: number; accepted: number; closed: number; closedOnTime: number; rated: number; satisfied: number }
export interface Category { code: string; name: string; nameEn: string; group: string; groupName: string; groupNameEn: string }
export interface Change { id: number; eventId: number; action: string; from: string | null; to: string; at: string; countyCode: string }
export interface CaseBrief { id: number; status: string; updatedAt: string; category: { name: string; nameEn: string }; area: { name: string }; statusName: { zh: string; en: string } }

const qs = (p: Record<string, string | undefined>) =>
  new URLSearchParams(Object.entries(p).filter((e): e is [string, string] => e[1] !== undefined)).toString();

/** Requests started before they are asked for (while the session is checked); each is used once, and a failed one is asked again. */
const early = new Map<string, Promise<unknown>>();
function getOnce<T>(path: string): Promise<T> {
  const p = early.get(path) as Promise<T> | undefined;
  if (!p) return api.get<T>(path);
  early.delete(path);
  return p.catch(() => api.get<T>(path));
}
function prefetch(path: string) {
  const p = api.get(path);
  p.catch(() => undefined);
  early.set(path, p);
}

const indicatorsPath = (org: string | undefined, from: string, to: string) => `/api/v1/events/indicators?${qs({ org, from, to })}`;
const seriesPath = (org: string | undefined, from: string, to: string, interval: 'day' | 'month') => `/api/v1/events/indicators/series?${qs({ org, from, to, interval })}`;
const childCountsPath = (org: string | undefined, from: string, to: string) => `/api/v1/events/counts?${qs({ org, from, to, children: 'true' })}`;
const pointsPath = (org: string | undefined, from: string, to: string) => `/api/v1/events/geojson?${qs({ org, from, to, limit: '3000' })}`;

export const indicators = (org: string | undefined, from: string, to: string) => getOnce<Indicators>(indicatorsPath(org, from, to));

export const series = (org: string | undefined, from: string, to: string, interval: 'day' | 'month') =>
  getOnce<{ points: SeriesPoint[] }>(seriesPath(org, from, to, interval)).then((r) => r.points);

/** The first figures, heat and case points of the user's own area, asked for at once. */
export function prefetchFirst(p: { from: string; to: string; trendFrom: string; interval: 'day' | 'month' }) {
  prefetch(indicatorsPath(undefined, p.from, p.to));
  prefetch(seriesPath(undefined, p.trendFrom, p.to, p.interval));
  prefetch(childCountsPath(undefined, p.from, p.to));
  prefetch(pointsPath(undefined, p.from, p.to));
}

let cats: Promise<Map<string, Category>> | null = null;
/** Every category, retired ones too (old cases keep theirs), by code. */
export const categories = () =>
  (cats ??= api.get<{ items: Category[] }>('/api/v1/event-categories?all=true').then((r) => new Map(r.items.map((c) => [c.code, c]))).catch((e) => { cats = null; throw e; }));

/** Cases of the period per area below `org` (those without any are left out). */
export const childCounts = (org: string | undefined, from: string, to: string) =>
  getOnce<{ children: { code: string; n: number }[] }>(childCountsPath(org, from, to)).then((r) => new Map(r.children.map((c) => [c.code, c.n])));

export interface CasePoint { type: 'Feature'; geometry: { type: 'Point'; coordinates: [number, number] }; properties: { id: number; status: string; category: string; deadline: string; urgent: boolean; createdAt: string } }
export const points = (org: string | undefined, from: string, to: string) => getOnce<{ features: CasePoint[] }>(pointsPath(org, from, to)).then((r) => r.features);

/** The latest cases of the user's area (newest first). */
export const recentCases = (n: number) => api.get<{ items: CaseBrief[] }>(`/api/v1/events?limit=${n}`).then((r) => r.items);

/** A case's category and place, for the feed (the list view: no timeline, no photos). */
export const caseBrief = (id: number) =>
  api.get<{ items: CaseBrief[] }>(`/api/v1/events?${qs({ q: `#${id}`, limit: '1' })}`).then((r) => r.items[0] ?? null);

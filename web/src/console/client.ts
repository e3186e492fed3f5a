/** The console's calls to the API: the queue, the case, the org tree, the actions. */
import { api } from '../shared/api.js';
import type { Category, ConsoleAction, Counts, EventDetail, EventView, Filters, Me, OrgUnit } from './types.js';

/** The query string of the filters (shared by the list, the counts, the map and the exports). */
export function filterQuery(f: Filters, extra: Record<string, string | number | undefined> = {}): string {
  const p = new URLSearchParams();
  if (f.status) p.set('status', f.status);
  if (f.category?.length) p.set('category', f.category.join(','));
  if (f.org) p.set('org', f.org);
  if (f.channel) p.set('channel', f.channel);
  if (f.overdue) p.set('overdue', 'true');
  if (f.from) p.set('from', f.from);
  if (f.to) p.set('to', f.to);
  if (f.q?.trim()) p.set('q', f.q.trim());
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

export const listEvents = (f: Filters, cursor?: string, limit = 50) =>
  api.get<{ items: EventView[]; nextCursor: string | null }>(`/api/v1/events${filterQuery(f, { cursor, limit })}`);

export const countEvents = (f: Filters) => api.get<Counts>(`/api/v1/events/counts${filterQuery({ ...f, status: undefined })}`);

export interface CasePoint { type: 'Feature'; id: number; geometry: { type: 'Point'; coordinates: [number, number] }; properties: { id: number; status: string; category: string; deadline: string; urgent: boolean } }
export const casePoints = (f: Filters, bbox: string) =>
  api.get<{ features: CasePoint[] }>(`/api/v1/events/geojson${filterQuery(f, { bbox, limit: 2000 })}`);

export const getEvent = (id: number) => api.get<EventDetail>(`/api/v1/events/${id}`);

export const actOn = (id: number, action: ConsoleAction, body: Record<string, unknown>) =>
  api.post<EventView>(`/api/v1/events/${id}/${action.replace(/_/g, '-')}`, body);

let categories: Promise<Category[]> | null = null;
export const listCategories = () => (categories ??= api.get<{ items: Category[] }>('/api/v1/event-categories').then((r) => r.items, (e) => { categories = null; throw e; }));

export const orgUnit = (ref: string) => api.get<OrgUnit>(`/api/v1/org/units/${encodeURIComponent(ref)}`);
export const orgChildren = (ref: string, kind?: OrgUnit['kind']) =>
  api.get<{ items: OrgUnit[] }>(`/api/v1/org/units/${encodeURIComponent(ref)}/children${kind ? `?kind=${kind}` : ''}`).then((r) => r.items);

export const me = () => api.get<Me>('/api/v1/users/me');

/** The area an operator works in: their unit when it is an area, else the area it belongs to (a center's township). */
export async function scopeArea(m: Me): Promise<OrgUnit> {
  const unit = await orgUnit(m.org.code);
  if (unit.kind === 'area' || unit.parentId === null) return unit;
  return orgUnit(`id:${unit.parentId}`);
}

export const exportUrl = (f: Filters, format: 'csv' | 'xlsx') => `/api/v1/events/export.${format}${filterQuery(f)}`;

/**
 * Reading cases: the list (filters, cursor pages), the detail (timeline, photos, duplicates),
 * map points, counts per status, and the indicators (DESIGN.md §4) per area and period.
 * Staff and keys read within their org subtree; citizens read what they reported or follow.
 */
import type { Actor } from '../../platform/auth/actor.js';
import { AppError } from '../../platform/errors.js';
import type { Db } from '../../platform/db/database.js';
import * as accounts from '../accounts/index.js';
import * as org from '../org/index.js';
import { canSee, partiesOf, type EventsContext } from './events.context.js';
import { STATUSES } from './events.lifecycle.js';
import * as repo from './events.repository.js';
import * as q from './queries.repository.js';
import { findDuplicates } from './duplicates.js';
import { photoView, timelineView, toViews } from './events.view.js';
import type { ListQueryT } from './events.schemas.js';

export interface Area {
  level: string;
  code: string;
  name: string;
  path: string;
  /** a province's cities: its figures are read city by city (queries.repository `areaOf`) */
  cities?: string[];
}

async function areaOfUnit(db: Db, u: { level: string; code: string; name: string; path: string }): Promise<Area> {
  const area: Area = { level: u.level, code: u.code, name: u.name, path: u.path };
  if (u.level === 'province') area.cities = (await org.childrenOf(db, u.code, 'area')).map((c) => c.code);
  return area;
}

/** The area a staff member or key reads by default: the unit of their scope. */
async function scopeArea(db: Db, actor: Actor): Promise<Area> {
  if (actor.kind === 'citizen') throw new AppError('FORBIDDEN');
  const id = Number(/(\d+)\/$/.exec(actor.scopePath)?.[1]);
  const [u] = await org.findByIds(db, [id]);
  return areaOfUnit(db, u);
}

/** An area code from a query, checked against the caller's scope (outside it: NOT_FOUND, as if absent). */
export async function areaFor(db: Db, actor: Actor, code: string | undefined): Promise<Area> {
  const own = await scopeArea(db, actor);
  if (!code) return own;
  const [u] = await org.findByCodes(db, [code]);
  if (!u || u.kind !== 'area' || !u.path.startsWith(own.path)) {
    throw new AppError('NOT_FOUND', { zh: `区域 ${code} 不存在或不在您的管辖范围内`, en: `Area ${code} does not exist or is outside your scope` }, { field: 'org' });
  }
  return areaOfUnit(db, u);
}

const split = (s: string | undefined) => (s ? [...new Set(s.split(','))] : undefined);

/** The filter of a list query for this actor. */
export async function filterFor(db: Db, actor: Actor, query: Omit<ListQueryT, 'cursor' | 'limit'>): Promise<q.Filter> {
  const f: q.Filter = {};
  if (actor.kind === 'citizen') {
    if (query.mine === 'reported') f.reporter = actor.id;
    else f.followerOf = actor.id;
  } else if (actor.kind === 'key' && !actor.permissions.has('events.read')) {
    f.keyReporter = actor.id;
  } else {
    if (query.mine === 'assigned' && actor.kind === 'staff') f.assignedTo = { userId: actor.id, unitId: actor.orgId };
    else if (query.mine === 'reported') f.reporter = actor.id;
    else if (query.mine === 'following') f.followerOf = actor.id;
    // what is assigned to me may lie outside my area (a neighbouring grid); everything else is within it
    if (!f.assignedTo) {
      const area = await areaFor(db, actor, query.org);
      f.area = area;
    }
  }
  const cats = split(query.category);
  f.categories = cats?.filter((c) => c.length === 4);
  f.groups = cats?.filter((c) => c.length === 2);
  f.statuses = split(query.status);
  const unknown = f.statuses?.filter((s) => !(STATUSES as readonly string[]).includes(s));
  if (unknown?.length) throw new AppError('VALIDATION_FAILED', { zh: `未知的状态：${unknown.join(', ')}`, en: `Unknown status: ${unknown.join(', ')}` }, { field: 'status' });
  f.channel = query.channel;
  f.deadlineStates = query.overdue ? ['overdue', 'escalated'] : query.deadline ? [query.deadline] : undefined;
  f.supervised = query.supervised;
  f.from = query.from ? new Date(query.from) : undefined;
  f.to = query.to ? new Date(query.to) : undefined;
  const text = query.q?.trim();
  if (text && /^#\d{1,15}$/.test(text)) f.id = Number(text.slice(1));
  else if (text) f.text = text;
  return f;
}

export async function listCases(ctx: EventsContext, actor: Actor, query: ListQueryT) {
  const db = ctx.database.db;
  const f = await filterFor(db, actor, query);
  const limit = query.limit ?? 50;
  if (query.cursor) f.before = Number(query.cursor);
  const list = await repo.listEvents(db, q.whereOf(f), limit + 1);
  const page = list.slice(0, limit);
  return { items: await toViews(db, actor, page), nextCursor: list.length > limit ? String(page[page.length - 1].id) : null };
}

/** A case the actor may see, or NOT_FOUND (a case outside one's scope does not exist for one). */
export async function visibleCase(db: Db, actor: Actor, id: number): Promise<repo.EventRow> {
  const e = await repo.getEvent(db, id);
  if (!e || !canSee(actor, e, actor.kind === 'citizen' && (await repo.isFollower(db, id, actor.id)))) {
    throw new AppError('NOT_FOUND', { zh: `案件 #${id} 不存在`, en: `Case #${id} not found` });
  }
  return e;
}

export async function caseDetail(ctx: EventsContext, actor: Actor, id: number) {
  const db = ctx.database.db;
  const e = await visibleCase(db, actor, id);
  const [v] = await toViews(db, actor, [e]);
  const staff = actor.kind === 'staff';
  const merged = (await repo.listEvents(db, q.mergedInto(e.id), 100)).map((m) => m.id);
  const ids = [e.id, ...merged];
  const photos = await repo.photosOf(db, ids);
  const center = v.allowedActions.some((a) => a === 'accept' || a === 'dispatch' || a === 'merge');
  const duplicates = center && e.lon !== null && e.lat !== null && ['reported', 'accepted', 'returned'].includes(e.status)
    ? await findDuplicates(db, e.categoryCode, e.lon, e.lat, ctx.now(), e.id) : [];
  return {
    ...v,
    timeline: await timelineView(db, actor, ids, photos),
    photos: photos.filter((p) => p.eventId === e.id).map((p) => photoView(p, staff)),
    duplicates: duplicates.map((d) => ({ ...d, createdAt: d.createdAt.toISOString() })),
    mergedCases: merged,
    following: actor.kind !== 'key' && (await repo.isFollower(db, e.id, actor.id)),
  };
}

/**
 * Timeline rows of the cases of an area (default the caller's, within their scope) written in a
 * period, oldest first, for feeds of updates (Open311's service request updates). Staff and keys
 * with events.read; the rows carry every note, as the case detail shows them to staff.
 */
export async function timelineBetween(ctx: EventsContext, actor: Actor, query: { org?: string; from: Date; to: Date; actions?: string[]; categories?: string[]; limit: number; offset?: number }) {
  if (actor.kind === 'citizen' || !actor.permissions.has('events.read')) throw new AppError('FORBIDDEN', { zh: '无权读取案件（需要权限 events.read）', en: 'You may not read cases (needs events.read)' });
  const db = ctx.database.db;
  const area = await areaFor(db, actor, query.org);
  if (query.categories && !query.categories.length) return [];
  return q.transitionsBetween(db, { area, categories: query.categories }, query.from, query.to, query.actions, query.limit, query.offset ?? 0);
}

export async function mapOf(ctx: EventsContext, actor: Actor, query: Omit<ListQueryT, 'cursor' | 'limit'> & { bbox?: string; limit?: number }) {
  const db = ctx.database.db;
  const f = await filterFor(db, actor, query);
  const b = query.bbox?.split(',').map(Number) as [number, number, number, number] | undefined;
  if (b && (b.some((x) => !Number.isFinite(x)) || b[0] > b[2] || b[1] > b[3])) {
    throw new AppError('VALIDATION_FAILED', { zh: 'bbox 应为 minLon,minLat,maxLon,maxLat', en: 'bbox must be minLon,minLat,maxLon,maxLat' }, { field: 'bbox' });
  }
  f.bbox = b;
  const points = await q.mapPoints(db, f, query.limit ?? 5000);
  return {
    type: 'FeatureCollection' as const,
    features: points.map((p) => ({
      type: 'Feature' as const, id: p.id, geometry: { type: 'Point' as const, coordinates: [p.lon, p.lat] },
      properties: { id: p.id, status: p.status, category: p.categoryCode, deadline: p.deadlineState, urgent: p.urgent, createdAt: p.createdAt.toISOString() },
    })),
  };
}

export async function countsOf(ctx: EventsContext, actor: Actor, query: Omit<ListQueryT, 'cursor' | 'limit'> & { children?: boolean }) {
  const db = ctx.database.db;
  const f = await filterFor(db, actor, { ...query, status: undefined });
  const [list, children] = await Promise.all([q.countByStatus(db, f), query.children ? q.countByChild(db, f) : undefined]);
  return { total: list.reduce((n, r) => n + r.n, 0), overdue: list.reduce((n, r) => n + r.overdue, 0), byStatus: list, ...(children ? { children } : {}) };
}

const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 10000) / 10000 : null);

export async function indicatorsOf(ctx: EventsContext, actor: Actor, query: { org?: string; from: string; to: string }) {
  const db = ctx.database.db;
  const area = await areaFor(db, actor, query.org);
  const from = new Date(query.from), to = new Date(query.to);
  if (!(from < to)) throw new AppError('VALIDATION_FAILED', { zh: '开始时间应早于结束时间', en: 'from must be before to' }, { field: 'from' });
  const [r, categories] = await Promise.all([
    q.indicators(db, area, from, to, ctx.now()),
    q.categoryBreakdown(db, area, from, to),
  ]);
  const due = r.closed + r.dueOpen;
  return {
    org: { code: area.code, name: area.name, level: area.level },
    from: from.toISOString(), to: to.toISOString(),
    reported: r.reported,
    accepted: r.accepted,
    closed: r.closed,
    dueToClose: due,
    closedOnTime: r.closedOnTime,
    closureRate: ratio(r.closed, due),
    onTimeRate: ratio(r.closedOnTime, due),
    reworkRate: ratio(r.rework, r.closed),
    avgHandlingSeconds: r.handlingSeconds === null ? null : Math.round(r.handlingSeconds),
    rated: r.rated,
    satisfactionRate: ratio(r.satisfied, r.rated),
    localResolutionRate: ratio(r.local, r.closed),
    categories,
  };
}

export async function seriesOf(ctx: EventsContext, actor: Actor, query: { org?: string; from: string; to: string; interval?: 'day' | 'week' | 'month' }) {
  const db = ctx.database.db;
  const area = await areaFor(db, actor, query.org);
  const from = new Date(query.from), to = new Date(query.to);
  if (!(from < to)) throw new AppError('VALIDATION_FAILED', { zh: '开始时间应早于结束时间', en: 'from must be before to' }, { field: 'from' });
  if (to.getTime() - from.getTime() > 3 * 366 * 86_400_000) throw new AppError('VALIDATION_FAILED', { zh: '时间跨度不能超过 3 年', en: 'The span may not exceed 3 years' }, { field: 'to' });
  const list = await q.series(db, area, from, to, query.interval ?? 'day');
  return { org: { code: area.code, name: area.name, level: area.level }, interval: query.interval ?? 'day', points: list.map((p) => ({ ...p, satisfactionRate: ratio(p.satisfied, p.rated) })) };
}


/**
 * For the center dispatching a case: the grid workers of its grid (or village) and the handlers of
 * the category's unit and of the township's platforms — the people a dispatch may name.
 */
export async function assigneesFor(ctx: EventsContext, actor: Actor, id: number) {
  const db = ctx.database.db;
  const e = await visibleCase(db, actor, id);
  if (!partiesOf(actor, e).includes('center')) throw new AppError('FORBIDDEN', { zh: '只有负责该案件的综治中心可以派遣', en: 'Only the responsible center dispatches' });
  const codes = [e.gridCode, e.villageCode, ...(e.townshipCode ? ['comprehensive-governance', 'market-supervision', 'law-enforcement', 'public-service'].map((p) => `${e.townshipCode}-platform-${p}`) : [])].filter((c): c is string => !!c);
  const units = await org.findByCodes(db, codes);
  const grids = e.gridCode ? [] : e.villageCode ? await org.childAreaIds(db, e.villageCode) : [];
  const ids = [...units.map((u) => u.id), ...grids, ...(e.handlerUnitId ? [e.handlerUnitId] : [])];
  const people = await workersOf(db, [...new Set(ids)]);
  // the category's own unit first, then the case's grid
  const rank = (unitId: number) => (unitId === e.handlerUnitId ? 0 : units.find((u) => u.id === unitId)?.code === e.gridCode ? 1 : 2);
  return { items: people.sort((a, b) => rank(a.unit.id) - rank(b.unit.id)) };
}

/** Who may take a case: active grid workers and handlers of the units, with their unit, by unit code then name. */
async function workersOf(db: Db, unitIds: number[], limit = 200) {
  const byCode = await org.findByIds(db, unitIds);
  const unit = new Map(byCode.map((u) => [u.id, { id: u.id, code: u.code, name: u.name }]));
  const staff = await accounts.rosterOf(db, byCode.map((u) => u.id), ['grid_worker', 'handler'], limit);
  return staff.map((s) => ({ id: s.id, name: s.name, roles: s.roles, unit: unit.get(s.orgId)! }));
}

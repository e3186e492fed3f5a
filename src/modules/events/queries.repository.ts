/** SQL of the case queries: filters, pages, map points, counts, indicators. */
import { sql, type SQL } from 'drizzle-orm';
import { rows, type Db } from '../../platform/db/database.js';
import { toDate } from './events.repository.js';

export const LEVEL_COLUMN: Record<string, string> = { city: 'city_code', county: 'county_code', township: 'township_code', village: 'village_code', grid: 'grid_code' };

export interface Filter {
  /** the area: a level column and a code ('province' means all) */
  /** `cities`: a province's, so that its figures are read city by city */
  area?: { level: string; code: string; cities?: string[] };
  /** citizens and "mine": restrict to cases the user follows / reported / is assigned */
  followerOf?: number;
  reporter?: number;
  assignedTo?: { userId: number; unitId: number | null };
  keyReporter?: number;
  statuses?: string[];
  categories?: string[];
  groups?: string[];
  channel?: string;
  deadlineStates?: string[];
  supervised?: boolean;
  from?: Date;
  to?: Date;
  text?: string;
  id?: number;
  before?: number;
  bbox?: [number, number, number, number];
}

/**
 * An area's condition. `byCity`, for a period: led by the city (the province by its cities), so that
 * the city's index of the period's moment (created, accepted, closed, due: migration 0006) reads
 * only the period's rows at every level.
 */
function areaOf(area: NonNullable<Filter['area']>, byCity: boolean): SQL | null {
  if (area.level === 'province') {
    return byCity && area.cities ? sql`e.city_code = any(${sql.param(area.cities)}::text[])` : null;
  }
  const own = sql`${sql.raw(`e.${LEVEL_COLUMN[area.level]}`)} = ${area.code}`;
  return byCity && area.level !== 'city' ? sql`${own} and e.city_code = ${area.code.slice(0, 4)}` : own;
}

export function whereOf(f: Filter): SQL {
  const parts: SQL[] = [];
  const area = f.area && areaOf(f.area, f.from !== undefined);
  if (area) parts.push(area);
  if (f.followerOf !== undefined) parts.push(sql`e.id in (select event_id from event_followers where user_id = ${f.followerOf})`);
  if (f.reporter !== undefined) parts.push(sql`e.reporter_user_id = ${f.reporter}`);
  if (f.keyReporter !== undefined) parts.push(sql`e.reporter_key_id = ${f.keyReporter}`);
  if (f.assignedTo) {
    parts.push(f.assignedTo.unitId
      ? sql`(e.assignee_user_id = ${f.assignedTo.userId} or (e.assignee_user_id is null and e.assignee_unit_id = ${f.assignedTo.unitId}))`
      : sql`e.assignee_user_id = ${f.assignedTo.userId}`);
  }
  if (f.statuses?.length) parts.push(sql`e.status = any(${sql.param(f.statuses)}::text[])`);
  if (f.categories?.length || f.groups?.length) {
    const or: SQL[] = [];
    if (f.categories?.length) or.push(sql`e.category_code = any(${sql.param(f.categories)}::text[])`);
    if (f.groups?.length) or.push(sql`left(e.category_code, 2) = any(${sql.param(f.groups)}::text[])`);
    parts.push(sql`(${sql.join(or, sql` or `)})`);
  }
  if (f.channel) parts.push(sql`e.channel = ${f.channel}`);
  if (f.deadlineStates?.length) parts.push(sql`e.deadline_state = any(${sql.param(f.deadlineStates)}::text[])`);
  if (f.supervised !== undefined) parts.push(sql`e.supervised = ${f.supervised}`);
  if (f.from) parts.push(sql`e.created_at >= ${f.from.toISOString()}::timestamptz`);
  if (f.to) parts.push(sql`e.created_at < ${f.to.toISOString()}::timestamptz`);
  if (f.id !== undefined) parts.push(sql`e.id = ${f.id}`);
  if (f.text) {
    const like = `%${f.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    parts.push(sql`(e.description ilike ${like} or e.address ilike ${like})`);
  }
  if (f.before !== undefined) parts.push(sql`e.id < ${f.before}`);
  if (f.bbox) parts.push(sql`e.lon between ${f.bbox[0]} and ${f.bbox[2]} and e.lat between ${f.bbox[1]} and ${f.bbox[3]}`);
  return parts.length ? sql.join(parts, sql` and `) : sql`true`;
}

/** The cases merged into one. */
export const mergedInto = (id: number): SQL => sql`e.merged_into = ${id}`;

export interface FeedRow {
  id: number;
  eventId: number;
  categoryCode: string;
  action: string;
  fromStatus: string | null;
  toStatus: string;
  note: string | null;
  at: Date;
}

/** Timeline rows of the cases matching `f` written in [from, to), oldest first; `actions` narrows them (feeds of updates). */
export async function transitionsBetween(db: Db, f: Filter, from: Date, to: Date, actions: string[] | undefined, limit: number, offset: number): Promise<FeedRow[]> {
  const only = actions ? sql`and t.action = any(${sql.param(actions)}::text[])` : sql``;
  const list = await rows<FeedRow & { at: unknown }>(db, sql`select t.id::int as id, t.event_id::int as "eventId", e.category_code as "categoryCode", t.action, t.from_status as "fromStatus", t.to_status as "toStatus", t.note, t.at
    from event_transitions t join events e on e.id = t.event_id
    where ${whereOf(f)} and t.at >= ${from.toISOString()}::timestamptz and t.at < ${to.toISOString()}::timestamptz ${only}
    order by t.at, t.id limit ${limit} offset ${offset}`);
  return list.map((r) => ({ ...r, at: toDate(r.at)! }));
}

export interface MapPoint {
  id: number;
  lon: number;
  lat: number;
  status: string;
  categoryCode: string;
  deadlineState: string;
  urgent: boolean;
  createdAt: Date;
}

export async function mapPoints(db: Db, f: Filter, limit: number): Promise<MapPoint[]> {
  const list = await rows<MapPoint & { id: string }>(db, sql`select e.id, e.lon, e.lat, e.status, e.category_code as "categoryCode", e.deadline_state as "deadlineState", e.urgent, e.created_at as "createdAt"
    from events e where ${whereOf(f)} and e.lon is not null order by e.id desc limit ${limit}`);
  return list.map((p) => ({ ...p, id: Number(p.id), createdAt: toDate(p.createdAt)! }));
}

export async function countByStatus(db: Db, f: Filter): Promise<{ status: string; n: number; overdue: number }[]> {
  return rows(db, sql`select e.status, count(*)::int as n, count(*) filter (where e.deadline_state in ('overdue', 'escalated'))::int as overdue
    from events e where ${whereOf(f)} group by e.status order by e.status`);
}

const CHILD_LEVEL: Record<string, string> = { province: 'city', city: 'county', county: 'township', township: 'village', village: 'grid' };

/** Cases per area one level below the filter's area, those with any (none below a grid, or without an area). */
export async function countByChild(db: Db, f: Filter): Promise<{ code: string; n: number }[]> {
  const level = f.area && CHILD_LEVEL[f.area.level];
  if (!level) return [];
  const col = sql.raw(`e.${LEVEL_COLUMN[level]}`);
  return rows(db, sql`select ${col} as code, count(*)::int as n from events e where ${whereOf(f)} and ${col} is not null group by 1 order by 1`);
}

export interface IndicatorRow {
  reported: number;
  accepted: number;
  closed: number;
  closedOnTime: number;
  dueOpen: number;
  rework: number;
  handlingSeconds: number | null;
  rated: number;
  satisfied: number;
  local: number;
}

/** An area's filter for period queries (areaOf by the city). */
const periodArea = (area: Filter['area']): SQL => (area && areaOf(area, true)) ?? sql`true`;

/**
 * The cases of an area counted at each moment of the period, each a range of its own index:
 * reported, accepted, closed (with what is measured at closing), and `dueOpen`: still open at the
 * period's end (or now) with their handling deadline inside it.
 */
export async function indicators(db: Db, area: Filter['area'], from: Date, to: Date, now: Date): Promise<IndicatorRow> {
  const f = from.toISOString(), t = to.toISOString();
  const dueEnd = (to < now ? to : now).toISOString();
  const areaSql = periodArea(area);
  const [r] = await rows<IndicatorRow>(db, sql`select * from
    (select count(*)::int as reported from events e where ${areaSql} and e.created_at >= ${f}::timestamptz and e.created_at < ${t}::timestamptz) r,
    (select count(*)::int as accepted from events e where ${areaSql} and e.accepted_at >= ${f}::timestamptz and e.accepted_at < ${t}::timestamptz) a,
    (select count(*)::int as closed,
        count(*) filter (where e.closed_on_time)::int as "closedOnTime",
        count(*) filter (where e.rework_count > 0)::int as rework,
        avg(e.handling_seconds)::float8 as "handlingSeconds",
        count(e.rating)::int as rated,
        count(*) filter (where e.rating >= 4)::int as satisfied,
        count(*) filter (where e.closed_level in ('grid', 'village') and e.escalation_count = 0)::int as local
      from events e where ${areaSql} and e.closed_at >= ${f}::timestamptz and e.closed_at < ${t}::timestamptz) c,
    (select count(*)::int as "dueOpen" from events e where ${areaSql} and e.closed_at is null and e.due_at is not null
        and e.status not in ('rejected', 'withdrawn', 'merged') and e.due_at >= ${f}::timestamptz and e.due_at < ${dueEnd}::timestamptz) d`);
  return r;
}

/** Counts per period bucket (Asia/Shanghai days, weeks, months): accepted, closed, on time, satisfied. */
export async function series(db: Db, area: Filter['area'], from: Date, to: Date, interval: 'day' | 'week' | 'month') {
  const f = from.toISOString(), t = to.toISOString();
  const areaSql = periodArea(area);
  const unit = sql.raw(`'${interval}'`);
  const list = await rows<{ bucket: string; accepted: number; closed: number; closedOnTime: number; rated: number; satisfied: number; reported: number }>(db, sql`
    with marks as (
      select date_trunc(${unit}, e.created_at at time zone 'Asia/Shanghai') as b, 1 as reported, 0 as accepted, 0 as closed, 0 as on_time, 0 as rated, 0 as satisfied
        from events e where ${areaSql} and e.created_at >= ${f}::timestamptz and e.created_at < ${t}::timestamptz
      union all
      select date_trunc(${unit}, e.accepted_at at time zone 'Asia/Shanghai'), 0, 1, 0, 0, 0, 0
        from events e where ${areaSql} and e.accepted_at >= ${f}::timestamptz and e.accepted_at < ${t}::timestamptz
      union all
      select date_trunc(${unit}, e.closed_at at time zone 'Asia/Shanghai'), 0, 0, 1, case when e.closed_on_time then 1 else 0 end,
          case when e.rating is not null then 1 else 0 end, case when e.rating >= 4 then 1 else 0 end
        from events e where ${areaSql} and e.closed_at >= ${f}::timestamptz and e.closed_at < ${t}::timestamptz
    )
    select to_char(b, 'YYYY-MM-DD') as bucket, sum(reported)::int as reported, sum(accepted)::int as accepted, sum(closed)::int as closed,
      sum(on_time)::int as "closedOnTime", sum(rated)::int as rated, sum(satisfied)::int as satisfied
    from marks group by b order by b`);
  return list;
}

export async function categoryBreakdown(db: Db, area: Filter['area'], from: Date, to: Date): Promise<{ code: string; n: number }[]> {
  return rows(db, sql`select e.category_code as code, count(*)::int as n from events e
    where ${periodArea(area)} and e.created_at >= ${from.toISOString()}::timestamptz and e.created_at < ${to.toISOString()}::timestamptz
    group by e.category_code order by n desc, code limit 100`);
}

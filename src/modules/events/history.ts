/**
 * Generated case history, set-based in SQL: the demo's 90 days in the showcase counties (marked
 * `demo`, no reporter accounts) and the benchmarks' year of a province. The same generator for
 * both, so the dashboard the demo shows is the one the benchmark measures.
 */
import { sql } from 'drizzle-orm';
import { rows, type Db } from '../../platform/db/database.js';

export interface ChunkOptions {
  /** cases lo..hi (1-based) of n, oldest first */
  lo: number; hi: number; n: number;
  /** how many rows history_grids and history_cats hold */
  grids: number; cats: number;
  now: Date; days: number;
  /** demo data: marked, and no reporter account or key */
  demo: boolean;
}

/** Seconds of a stage's limit in a category's `limits` (a working day counted as 1.4 calendar days, for weekends). */
const span = (stage: string) => `(c.limits->'${stage}'->>'amount')::float8 * (case c.limits->'${stage}'->>'unit' when 'minutes' then 60 when 'hours' then 3600 else 120960 end)`;

/** A grid cases are generated in: where it is, its village and township, the centers that own its cases. */
export interface HistoryGrid {
  gridId: number; gridCode: string; gridPath: string; villageId: number; villageCode: string; villagePath: string;
  townshipCode: string; countyCode: string; centerId: number; centerPath: string; countyCenterId: number; countyCenterPath: string;
  lon: number; lat: number; h3: string | null; dx: number; dy: number;
}

const GRID_COLUMNS: [keyof HistoryGrid, string, string][] = [
  ['gridId', 'grid_id', 'int'], ['gridCode', 'grid_code', 'text'], ['gridPath', 'grid_path', 'text'], ['villageId', 'village_id', 'int'],
  ['villageCode', 'village_code', 'text'], ['villagePath', 'village_path', 'text'], ['townshipCode', 'township_code', 'text'],
  ['countyCode', 'county_code', 'text'], ['centerId', 'center_id', 'int'], ['centerPath', 'center_path', 'text'],
  ['countyCenterId', 'county_center_id', 'int'], ['countyCenterPath', 'county_center_path', 'text'],
  ['lon', 'lon', 'float8'], ['lat', 'lat', 'float8'], ['h3', 'h3', 'text'], ['dx', 'dx', 'float8'], ['dy', 'dy', 'float8'],
];

/**
 * The temp tables the chunks draw from: the grids given (HISTORY_GRIDS_INSERT fills it, $1 the
 * grids as historyGridsJson), and the active categories with their stage limits.
 */
export function historySourcesSql(): string[] {
  return [
    `create temp table history_grids (gn int, ${GRID_COLUMNS.map(([, c, t]) => `${c} ${t}`).join(', ')}, city_code text generated always as (left(county_code, 4)) stored)`,
    'create temp table history_handlers (id int, code text primary key, path text, level text)',
    `create temp table history_cats as
      select row_number() over (order by c.code)::int as cn, c.code, c.version, c.priority, c.urgent, c.name, c.handler_kind, replace(c.handler_type, '_', '-') as kebab,
        ${span('accept')} as s_accept, ${span('dispatch')} as s_dispatch, ${span('sign')} as s_sign, ${span('handle')} as s_handle, ${span('verify')} as s_verify
      from event_categories c where c.active`,
  ];
}

export const HISTORY_GRIDS_INSERT = `insert into history_grids (gn, ${GRID_COLUMNS.map(([, c]) => c).join(', ')})
  select row_number() over (order by x.grid_id)::int, x.* from jsonb_to_recordset($1::jsonb) as x(${GRID_COLUMNS.map(([, c, t]) => `${c} ${t}`).join(', ')})`;

export const HISTORY_HANDLERS_INSERT = `insert into history_handlers select * from jsonb_to_recordset($1::jsonb) as x(id int, code text, path text, level text)`;

export interface HistoryHandler { id: number; code: string; path: string; level: string }

export const historyGridsJson = (grids: HistoryGrid[]): string =>
  JSON.stringify(grids.map((g) => Object.fromEntries(GRID_COLUMNS.map(([k, c]) => [c, g[k]]))));

export const HISTORY_COUNTS_SQL = 'select (select count(*)::int from history_grids) as grids, (select count(*)::int from history_cats) as cats';
export const HISTORY_DROP_SQL = 'drop table if exists history_grids, history_handlers, history_cats';

export interface DemoHistory { cases: number; byStatus: Record<string, number> }

/**
 * The demo's history: `n` cases over the `days` before `now` in the `grids` given,
 * deterministic for a `seed` (PostgreSQL's setseed), marked demo; a few of the withdrawn ones
 * became duplicates merged into an earlier case of their township and category, so every state
 * of the lifecycle is there. Inside the seed's transaction.
 */
export async function seedDemoHistory(tx: Db, o: { grids: HistoryGrid[]; handlers: HistoryHandler[]; now: Date; days: number; n: number; seed: number }): Promise<DemoHistory> {
  await tx.execute(sql`select setseed(${o.seed})`);
  for (const q of historySourcesSql()) await tx.execute(sql.raw(q));
  const withJson = (text: string, json: string) => {
    const [before, after] = text.split('$1');
    return sql.join([sql.raw(before), sql`${json}`, sql.raw(after)]);
  };
  await tx.execute(withJson(HISTORY_GRIDS_INSERT, historyGridsJson(o.grids)));
  await tx.execute(withJson(HISTORY_HANDLERS_INSERT, JSON.stringify(o.handlers)));
  const [{ grids, cats }] = await rows<{ grids: number; cats: number }>(tx, sql.raw(HISTORY_COUNTS_SQL));
  if (grids > 0 && cats > 0) {
    await tx.execute(sql.raw(historyChunkSql({ lo: 1, hi: o.n, n: o.n, grids, cats, now: o.now, days: o.days, demo: true })));
    await tx.execute(sql`with w as (
        select e.id, (select p.id from events p where p.demo and p.township_code = e.township_code and p.category_code = e.category_code
          and p.id < e.id and p.status not in ('rejected', 'withdrawn', 'merged') order by p.id desc limit 1) as into_id
        from (select id, township_code, category_code, row_number() over (order by created_at) as r from events where demo and status = 'withdrawn') e
        where e.r % 3 <> 0)
      update events set status = 'merged', merged_into = w.into_id from w where events.id = w.id and w.into_id is not null`);
  }
  await tx.execute(sql.raw(HISTORY_DROP_SQL));
  const counted = await rows<{ status: string; n: number }>(tx, sql`select status, count(*)::int as n from events where demo group by status order by status`);
  return { cases: counted.reduce((a, r) => a + r.n, 0), byStatus: Object.fromEntries(counted.map((r) => [r.status, r.n])) };
}


/**
 * Cases i in [lo, hi] of n: created over the `days` before `now` in id order, at a point near the
 * representative point of a random grid, a category skewed toward the common ones. Whether a case
 * is still open depends on its age (90 % of the last day's, 7.5 % of those older than a month);
 * an open case sits in a state with its stage clock started after its earlier stages and its
 * deadline state as the sweep would have left it (old open cases are overdue or escalated, and
 * escalated ones belong to the county center). Finished cases went through every stage within
 * the category's limits mostly (some late), with the times, on-time flag, handling time, rating
 * and closing level filled in as the lifecycle does.
 */
export function historyChunkSql(o: ChunkOptions): string {
  const { lo, hi, n, grids, cats, days, demo } = o;
  const at = `'${o.now.toISOString()}'::timestamptz`;
  return `
  with s as (
    select i, ${at} - (${days} * 86400 * (1 - (i - random()) / ${n})) * interval '1 second' as created_at,
      random() as rg, random() as rc, random() as ro, random() as rs, random() as rch, random() as r1, random() as r2, random() as r3,
      random() as r4, random() as r5, random() as rd, random() as rr, random() as ra, random() as rx, random() as ry
    from generate_series(${lo}, ${hi}) i
  ), p as materialized (
    select s.*, g.*, c.*, extract(epoch from (${at} - s.created_at)) as age,
      c.s_accept * (0.05 + 0.9 * r1) as d1, c.s_dispatch * (0.05 + 1.0 * r2) as d2, c.s_sign * (0.05 + 0.9 * r3) as d3,
      c.s_handle * (0.1 + 1.1 * r4) as d4, c.s_verify * (0.05 + 0.8 * r5) as d5
    from s join history_grids g on g.gn = least(${grids}, 1 + floor(s.rg * ${grids})::int)
      join history_cats c on c.cn = least(${cats}, 1 + floor(power(s.rc, 1.7) * ${cats})::int)
  ), q as materialized (
    select p.*,
      case when ro < (case when age < 86400 then 0.9 when age < 7 * 86400 then 0.5 when age < 30 * 86400 then 0.2 else 0.075 end) then
        case when age < 86400 then
          case when rs < 0.25 then 'reported' when rs < 0.40 then 'accepted' when rs < 0.60 then 'dispatched' when rs < 0.90 then 'in_progress' else 'handled' end
        else
          case when rs < 0.02 then 'reported' when rs < 0.07 then 'accepted' when rs < 0.10 then 'returned' when rs < 0.20 then 'dispatched'
            when rs < 0.70 then 'in_progress' when rs < 0.85 then 'handled' else 'suspended' end
        end
      else case when rs < 0.011 then 'rejected' when rs < 0.0165 then 'withdrawn' else 'closed' end end as status
    from p
  ), k as materialized (
    select q.*,
      case status when 'reported' then 0 when 'accepted' then 1 when 'returned' then 1 when 'dispatched' then 2 when 'in_progress' then 3
        when 'suspended' then 3 when 'handled' then 4 when 'closed' then 5 else 0 end as k,
      case status when 'reported' then 'accept' when 'accepted' then 'dispatch' when 'returned' then 'dispatch' when 'dispatched' then 'sign'
        when 'in_progress' then 'handle' when 'suspended' then 'handle' when 'handled' then 'verify' end as stage,
      case status when 'reported' then s_accept when 'accepted' then s_dispatch when 'returned' then s_dispatch when 'dispatched' then s_sign
        when 'in_progress' then s_handle when 'suspended' then s_handle when 'handled' then s_verify end as stage_s
    from q
  ), t as materialized (
    select k.*,
      case k when 0 then 0 when 1 then d1 when 2 then d1 + d2 when 3 then d1 + d2 + d3 when 4 then d1 + d2 + d3 + d4 else d1 + d2 + d3 + d4 + d5 end as prior
    from k
  ), u as materialized (
    select t.*, least(1.0, (case when status = 'closed' then 0.95 else 0.9 end) * age / greatest(prior, 1)) as f from t
  ), v as materialized (
    select u.*,
      created_at + (f * d1) * interval '1 second' as at_accepted,
      created_at + (f * (d1 + d2)) * interval '1 second' as at_dispatched,
      created_at + (f * (d1 + d2 + d3 + d4)) * interval '1 second' as at_handled,
      created_at + (f * prior) * interval '1 second' as at_stage,
      created_at + (f * (d1 + d2)) * interval '1 second' + (s_sign + s_handle) * interval '1 second' as at_due
    from u
  ), w as materialized (
    select v.*,
      case when stage is null or status = 'suspended' then 'normal'
        when extract(epoch from (${at} - at_stage)) >= 2 * stage_s then 'escalated'
        when extract(epoch from (${at} - at_stage)) >= stage_s then 'overdue'
        when extract(epoch from (${at} - at_stage)) >= 0.8 * stage_s then 'warning' else 'normal' end as dstate,
      (status = 'closed' and rd < 0.02) as closed_escalated,
      case when k >= 2 or status = 'closed' then
        case when ra < 0.35 then 'grid' when ra < 0.5 then 'village' else 'handler' end end as assignee_kind
    from v
  )
  insert into events (city_code, county_code, township_code, village_code, grid_code, area_path, lon, lat, h3, address, category_code, category_version,
    priority, urgent, description, attributes, channel, reporter_user_id, reporter_key_id, reporter_name, anonymous, status, suspended_from, version,
    owner_unit_id, owner_path, owner_level, handler_unit_id, assignee_unit_id, assignee_path, stage, stage_started_at, stage_warn_at, stage_due_at,
    stage_escalate_at, deadline_state, next_check_at, due_at, suspended_at, supervised, rework_count, escalation_count, was_overdue, accepted_at,
    dispatched_at, handled_at, closed_at, closed_level, closed_on_time, handling_seconds, rating, rated_at, created_at, updated_at, demo)
  select w.city_code, w.county_code, w.township_code, w.village_code, w.grid_code, w.grid_path,
    w.lon + (rx - 0.5) * w.dx * 0.3, w.lat + (ry - 0.5) * w.dy * 0.3, w.h3,
    case when rx < 0.3 then '第' || (1 + (i % 300)) || '号附近' end,
    w.code, w.version, w.priority, w.urgent,
    w.name || '：' || (array['现场情况比较严重，请尽快派人处理。', '已经影响到周边居民的正常生活和出行，希望相关部门及时处置。', '附近经常有老人和小孩经过，存在安全隐患。', '之前反映过一次还没有解决，请核实后处理。'])[1 + (i % 4)],
    '{}'::jsonb,
    case when rch < 0.5 then 'citizen' when rch < 0.85 then 'patrol' when rch < 0.97 then 'hotline' else 'integration' end,
    ${demo ? 'null, null,' : `case when rch < 0.5 then 10000000 + (i::bigint * 7919) % 400000 when rch < 0.85 then 20000000 + w.gn end,
    case when rch >= 0.97 then 1 end,`}
    case when rch < 0.5 then '139****' || lpad(((i::bigint * 7919) % 10000)::text, 4, '0') when rch < 0.85 then '网格员' when rch < 0.97 then null else '城市运行平台' end,
    rch < 0.02,
    w.status, case when w.status = 'suspended' then 'in_progress' end,
    case when w.status = 'closed' then 7 when w.status in ('rejected', 'withdrawn') then 2 else 1 + w.k end,
    case when w.dstate = 'escalated' or w.closed_escalated then w.county_center_id else w.center_id end,
    case when w.dstate = 'escalated' or w.closed_escalated then w.county_center_path else w.center_path end,
    case when w.dstate = 'escalated' or w.closed_escalated then 'county' else 'township' end,
    hu.id,
    case w.assignee_kind when 'grid' then w.grid_id when 'village' then w.village_id when 'handler' then hu.id end,
    case w.assignee_kind when 'grid' then w.grid_path when 'village' then w.village_path when 'handler' then hu.path end,
    w.stage,
    case when w.stage is not null then w.at_stage end,
    case when w.stage is not null then w.at_stage + 0.8 * w.stage_s * interval '1 second' end,
    case when w.stage is not null then w.at_stage + w.stage_s * interval '1 second' end,
    case when w.stage is not null then w.at_stage + 2 * w.stage_s * interval '1 second' end,
    w.dstate,
    case when w.stage is null or w.status = 'suspended' then null
      when w.dstate = 'normal' then w.at_stage + 0.8 * w.stage_s * interval '1 second'
      when w.dstate = 'warning' then w.at_stage + w.stage_s * interval '1 second'
      when w.dstate = 'overdue' then w.at_stage + 2 * w.stage_s * interval '1 second' end,
    case when w.k >= 2 then w.at_due end,
    case when w.status = 'suspended' then w.at_stage + ((${at} - w.at_stage) / 2) end,
    w.dstate = 'escalated' or w.closed_escalated,
    case when w.status = 'closed' and w.r5 < 0.04 then 1 else 0 end,
    case when w.dstate = 'escalated' or w.closed_escalated then 1 else 0 end,
    w.dstate in ('overdue', 'escalated') or w.closed_escalated or (w.status = 'closed' and w.at_handled > w.at_due),
    case when w.k >= 1 then w.at_accepted end,
    case when w.k >= 2 and w.status <> 'returned' then w.at_dispatched end,
    case when w.k >= 4 then w.at_handled end,
    case when w.status = 'closed' then w.at_stage end,
    case when w.status = 'closed' then case w.assignee_kind when 'grid' then 'grid' when 'village' then 'village' else hu.level end end,
    case when w.status = 'closed' then w.at_handled <= w.at_due end,
    case when w.status = 'closed' then round(extract(epoch from (w.at_stage - w.at_accepted)))::int end,
    case when w.status = 'closed' and w.rr < 0.6 then case when w.rr < 0.42 then 5 when w.rr < 0.52 then 4 when w.rr < 0.56 then 3 when w.rr < 0.58 then 2 else 1 end end,
    case when w.status = 'closed' and w.rr < 0.6 then least(${at}, w.at_stage + (3600 + w.rr * 86400) * interval '1 second') end,
    w.created_at,
    case when w.status = 'closed' then w.at_stage when w.stage is not null then w.at_stage else w.created_at + interval '1 hour' end,
    ${demo}
  from w left join history_handlers hu on hu.code = case when w.handler_kind = 'platform' then w.township_code || '-platform-' || w.kebab else w.county_code || '-dept-' || w.kebab end`;
}

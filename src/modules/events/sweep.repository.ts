/** SQL of the deadline sweep: set-based, so a sweep over a million open cases stays in seconds. */
import { sql } from 'drizzle-orm';
import { rows, type Db } from '../../platform/db/database.js';

/** One sweep at a time across every server process (PostgreSQL advisory lock, released at commit). */
export async function trySweepLock(db: Db): Promise<boolean> {
  const [r] = await rows<{ ok: boolean }>(db, sql`select pg_try_advisory_xact_lock(7302114) as ok`);
  return r.ok;
}

export interface Marked {
  id: number;
  old: string;
  state: string;
  /** the unit that owns the case */
  owner: number;
}

/** Moves up to `batch` cases whose check time has come to their deadline state at `now`. */
export async function markDue(db: Db, now: Date, batch: number): Promise<Marked[]> {
  const t = now.toISOString();
  const list = await rows<{ id: string; old: string; state: string; owner: number }>(db, sql`
    with due as (
      select id, deadline_state as old from events
      where next_check_at <= ${t}::timestamptz and suspended_at is null
      order by next_check_at limit ${batch} for update skip locked
    )
    update events e set
      deadline_state = case when e.stage_escalate_at <= ${t}::timestamptz then 'escalated' when e.stage_due_at <= ${t}::timestamptz then 'overdue' else 'warning' end,
      next_check_at = case when e.stage_escalate_at <= ${t}::timestamptz then null when e.stage_due_at <= ${t}::timestamptz then e.stage_escalate_at else e.stage_due_at end,
      was_overdue = e.was_overdue or e.stage_due_at <= ${t}::timestamptz
    from due where e.id = due.id
    returning e.id, due.old, e.deadline_state as state, e.owner_unit_id as owner`);
  return list.map((r) => ({ id: Number(r.id), old: r.old, state: r.state, owner: Number(r.owner) }));
}

/** A unit and the center above it (org says which: `parentCenters`). */
export interface ParentCenter {
  unitId: number;
  id: number;
  path: string;
  level: string;
}

/** Hands cases to the center above their owner, flagged for supervision; returns those that moved. */
export async function escalateToParent(db: Db, ids: number[], centers: ParentCenter[], now: Date): Promise<number[]> {
  if (!ids.length) return [];
  const list = centers.length ? await rows<{ id: string }>(db, sql`
    update events e set owner_unit_id = pc.id, owner_path = pc.path, owner_level = pc.level, supervised = true,
      escalation_count = e.escalation_count + 1, version = e.version + 1, updated_at = ${now.toISOString()}::timestamptz
    from unnest(${sql.param(centers.map((c) => c.unitId))}::int[], ${sql.param(centers.map((c) => c.id))}::int[],
      ${sql.param(centers.map((c) => c.path))}::text[], ${sql.param(centers.map((c) => c.level))}::text[]) as pc(owner_id, id, path, level)
    where e.id = any(${sql.param(ids.map(String))}::bigint[]) and pc.owner_id = e.owner_unit_id
    returning e.id`) : [];
  // a case already at the top center is flagged for supervision all the same
  await db.execute(sql`update events set supervised = true where id = any(${sql.param(ids.map(String))}::bigint[]) and not supervised`);
  return list.map((r) => Number(r.id));
}

/** One timeline row per case, written by the system. */
export async function insertSystemTransitions(db: Db, ids: number[], action: string, noteZh: string, now: Date): Promise<void> {
  if (!ids.length) return;
  await db.execute(sql`insert into event_transitions (event_id, county_code, area_path, action, from_status, to_status, actor_kind, actor_name, owner_unit_id, assignee_unit_id, assignee_user_id, note, details, at)
    select id, county_code, area_path, ${action}, status, status, 'system', '系统', owner_unit_id, assignee_unit_id, assignee_user_id, ${noteZh},
      jsonb_build_object('stage', stage, 'dueAt', stage_due_at), ${now.toISOString()}::timestamptz
    from events where id = any(${sql.param(ids.map(String))}::bigint[])`);
}

/**
 * In-app messages (and SMS) to the supervisors of each case's owning center (`staff`: people
 * and their unit; accounts says who they are): one message per person per sweep (the cases
 * listed in it), not one per case — a bad morning is one SMS.
 */
export async function notifySupervisors(db: Db, ids: number[], staff: { id: number; orgId: number }[], kind: string, titleZh: string, titleEn: string, now: Date): Promise<void> {
  if (!ids.length || !staff.length) return;
  const t = now.toISOString();
  await db.execute(sql`insert into notifications (channel, user_id, event_id, kind, title_zh, title_en, payload, status, sent_at, next_attempt_at, created_at)
    select ch, x.uid, case when x.n = 1 then x.first end, ${kind},
      case when x.n = 1 then ${titleZh} || '（#' || x.first || '）' else ${titleZh} || '：' || x.n || ' 件' end,
      case when x.n = 1 then ${titleEn} || ' (#' || x.first || ')' else ${titleEn} || ': ' || x.n || ' cases' end,
      jsonb_build_object('count', x.n, 'ids', to_jsonb(x.ids)),
      case when ch = 'inbox' then 'sent' else 'pending' end, case when ch = 'inbox' then ${t}::timestamptz end, case when ch = 'inbox' then null else ${t}::timestamptz end, ${t}::timestamptz
    from (select u.id as uid, count(*)::int as n, min(e.id) as first, (array_agg(e.id order by e.id))[1:100] as ids
          from events e join unnest(${sql.param(staff.map((u) => u.id))}::int[], ${sql.param(staff.map((u) => u.orgId))}::int[]) as u(id, org_id) on u.org_id = e.owner_unit_id
          where e.id = any(${sql.param(ids.map(String))}::bigint[]) group by u.id) x
      cross join unnest(array['inbox', 'sms']) as ch`);
}

/**
 * The notification outbox: rows written in the same transaction as the change they announce,
 * so nothing is announced that did not happen and nothing that happened goes unannounced.
 * Inbox rows are delivered when written; SMS and webhook rows are sent by the dispatcher
 * (notify.dispatcher.ts), retried with backoff.
 */
import { sql } from 'drizzle-orm';
import { rows, type Db } from '../../platform/db/database.js';
import type { Message } from '../../platform/errors.js';
import { activeStaffIn } from '../accounts/index.js';

export interface Notice {
  kind: string;
  eventId: number | null;
  title: Message;
  payload?: Record<string, unknown>;
}

/** Active staff of the units holding one of the roles: who hears of something there. */
export async function staffOf(db: Db, unitIds: number[], roles: string[]): Promise<number[]> {
  return (await activeStaffIn(db, unitIds, roles)).map((s) => s.id);
}

/** In-app messages to users, and an SMS too when `sms` is set (the dispatcher finds the phone). */
export async function notifyUsers(db: Db, userIds: number[], n: Notice, opts: { sms?: boolean; now: Date }): Promise<void> {
  const ids = [...new Set(userIds)];
  if (!ids.length) return;
  const payload = JSON.stringify(n.payload ?? {});
  const channels = opts.sms ? ['inbox', 'sms'] : ['inbox'];
  await db.execute(sql`insert into notifications (channel, user_id, event_id, kind, title_zh, title_en, payload, status, sent_at, next_attempt_at, created_at)
    select ch, u, ${n.eventId}, ${n.kind}, ${n.title.zh}, ${n.title.en}, ${payload}::jsonb,
      case when ch = 'inbox' then 'sent' else 'pending' end,
      case when ch = 'inbox' then ${opts.now.toISOString()}::timestamptz end,
      case when ch = 'inbox' then null else ${opts.now.toISOString()}::timestamptz end,
      ${opts.now.toISOString()}::timestamptz
    from unnest(${sql.param(ids)}::int[]) as u, unnest(${sql.param(channels)}::text[]) as ch`);
}

/** A webhook delivery for every active webhook whose subtree holds the case. */
export async function notifyWebhooks(db: Db, areaPath: string, n: Notice, now: Date): Promise<void> {
  await db.execute(sql`insert into notifications (channel, webhook_id, event_id, kind, title_zh, title_en, payload, next_attempt_at, created_at)
    select 'webhook', w.id, ${n.eventId}, ${n.kind}, ${n.title.zh}, ${n.title.en}, ${JSON.stringify(n.payload ?? {})}::jsonb, ${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz
    from webhooks w where w.active and ${areaPath} like w.scope_path || '%'`);
}

export interface InboxItem {
  id: number;
  kind: string;
  eventId: number | null;
  title: Message;
  payload: Record<string, unknown>;
  read: boolean;
  createdAt: string;
}

export async function inbox(db: Db, userId: number, opts: { unreadOnly?: boolean; before?: number; limit: number }): Promise<{ items: InboxItem[]; unread: number }> {
  const list = await rows<{ id: string; kind: string; eventId: string | null; zh: string; en: string; payload: Record<string, unknown>; readAt: unknown; createdAt: unknown }>(db,
    sql`select id, kind, event_id as "eventId", title_zh as zh, title_en as en, payload, read_at as "readAt", created_at as "createdAt" from notifications
      where channel = 'inbox' and user_id = ${userId} ${opts.unreadOnly ? sql`and read_at is null` : sql``} ${opts.before ? sql`and id < ${opts.before}` : sql``}
      order by id desc limit ${opts.limit}`);
  const [{ n }] = await rows<{ n: number }>(db, sql`select count(*)::int as n from notifications where channel = 'inbox' and user_id = ${userId} and read_at is null`);
  return {
    unread: n,
    items: list.map((r) => ({
      id: Number(r.id), kind: r.kind, eventId: r.eventId === null ? null : Number(r.eventId), title: { zh: r.zh, en: r.en }, payload: r.payload ?? {},
      read: r.readAt !== null, createdAt: new Date(String(r.createdAt).replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00')).toISOString(),
    })),
  };
}

/** Marks inbox items read; only the user's own. Returns how many changed. */
export async function markRead(db: Db, userId: number, ids: number[] | 'all', now: Date): Promise<number> {
  const which = ids === 'all' ? sql`true` : sql`id = any(${sql.param(ids.map(String))}::bigint[])`;
  const r = await rows(db, sql`update notifications set read_at = ${now.toISOString()}::timestamptz where channel = 'inbox' and user_id = ${userId} and read_at is null and ${which} returning 1`);
  return r.length;
}

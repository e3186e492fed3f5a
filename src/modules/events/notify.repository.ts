/**
 * SQL of the notification dispatcher (the outbox's SMS and webhook rows) and of the webhook
 * subscriptions. SQL only: the rules live in notify.dispatcher.ts and webhooks.service.ts.
 */
import { sql } from 'drizzle-orm';
import { rows, type Db } from '../../platform/db/database.js';
import { toDate } from './events.repository.js';

// --- the dispatcher

export interface ClaimedNotification {
  id: number;
  channel: 'sms' | 'webhook';
  kind: string;
  eventId: number | null;
  titleZh: string;
  titleEn: string;
  payload: Record<string, unknown>;
  /** after this claim: 1 on the first attempt */
  attempts: number;
  createdAt: Date;
  /** whom an SMS row goes to (accounts has the phone) */
  userId: number | null;
  webhookId: number | null;
  /** the webhook (webhook rows); null url when the webhook row is gone */
  url: string | null;
  secretEnc: string | null;
  webhookActive: boolean | null;
}

/**
 * Takes up to `batch` due rows (oldest due first) that no other transaction holds, and leases
 * them: one more attempt, and not due again before `leaseUntil` — so another process does not
 * take them while they are being sent outside this transaction.
 */
export async function claimDue(db: Db, now: Date, leaseUntil: Date, batch: number): Promise<ClaimedNotification[]> {
  const list = await rows<Record<string, unknown>>(db, sql`
    with due as (
      select id from notifications
      where status = 'pending' and channel <> 'inbox' and next_attempt_at <= ${now.toISOString()}::timestamptz
      order by next_attempt_at, id
      limit ${batch}
      for update skip locked
    ), claimed as (
      update notifications n set attempts = n.attempts + 1, next_attempt_at = ${leaseUntil.toISOString()}::timestamptz
      from due where n.id = due.id
      returning n.id, n.channel, n.kind, n.event_id, n.title_zh, n.title_en, n.payload, n.attempts, n.created_at, n.user_id, n.webhook_id
    )
    select c.id, c.channel, c.kind, c.event_id as "eventId", c.title_zh as "titleZh", c.title_en as "titleEn", c.payload, c.attempts,
      c.created_at as "createdAt", c.user_id as "userId",
      c.webhook_id as "webhookId", w.url, w.secret_enc as "secretEnc", w.active as "webhookActive"
    from claimed c
      left join webhooks w on c.channel = 'webhook' and w.id = c.webhook_id
    order by c.id`);
  return list.map((r) => ({
    ...(r as unknown as ClaimedNotification),
    id: Number(r.id),
    eventId: r.eventId === null ? null : Number(r.eventId),
    attempts: Number(r.attempts),
    payload: (r.payload ?? {}) as Record<string, unknown>,
    createdAt: toDate(r.createdAt)!,
    userId: r.userId === null ? null : Number(r.userId),
    webhookId: r.webhookId === null ? null : Number(r.webhookId),
  }));
}

/**
 * The outcome of one attempt. `attempts` is the claim's count: when another process took the row
 * again in the meantime (our lease ran out), its outcome is the one that counts and this one is dropped.
 */
export async function markSent(db: Db, id: number, attempts: number, at: Date): Promise<boolean> {
  const r = await rows(db, sql`update notifications set status = 'sent', sent_at = ${at.toISOString()}::timestamptz, next_attempt_at = null
    where id = ${id} and attempts = ${attempts} and status = 'pending' returning 1`);
  return r.length > 0;
}

/** A failed attempt: try again at `retryAt`, or give up (`retryAt` null: status 'failed'). */
export async function markFailedAttempt(db: Db, id: number, attempts: number, error: string, retryAt: Date | null): Promise<boolean> {
  const r = await rows(db, sql`update notifications set last_error = ${error},
      status = ${retryAt ? 'pending' : 'failed'}, next_attempt_at = ${retryAt ? retryAt.toISOString() : null}::timestamptz
    where id = ${id} and attempts = ${attempts} and status = 'pending' returning 1`);
  return r.length > 0;
}

// --- webhooks

export interface WebhookRow {
  id: number;
  name: string;
  url: string;
  orgId: number;
  scopePath: string;
  active: boolean;
  createdBy: number | null;
  createdAt: Date;
}

const WEBHOOK_COLUMNS = sql`w.id, w.name, w.url, w.org_id as "orgId", w.scope_path as "scopePath",
  w.active, w.created_by as "createdBy", w.created_at as "createdAt"`;
const webhookFromDb = (r: Record<string, unknown>): WebhookRow => ({
  ...(r as unknown as WebhookRow), id: Number(r.id), orgId: Number(r.orgId), createdBy: r.createdBy === null ? null : Number(r.createdBy), createdAt: toDate(r.createdAt)!,
});

export async function insertWebhook(db: Db, w: { name: string; url: string; secretEnc: string; orgId: number; scopePath: string; createdBy: number | null; at: Date }): Promise<number> {
  const [r] = await rows<{ id: number }>(db, sql`insert into webhooks (name, url, secret_enc, org_id, scope_path, created_by, created_at)
    values (${w.name}, ${w.url}, ${w.secretEnc}, ${w.orgId}, ${w.scopePath}, ${w.createdBy}, ${w.at.toISOString()}::timestamptz) returning id`);
  return Number(r.id);
}

export async function findWebhook(db: Db, id: number): Promise<WebhookRow | undefined> {
  const [r] = await rows<Record<string, unknown>>(db, sql`select ${WEBHOOK_COLUMNS} from webhooks w where w.id = ${id}`);
  return r ? webhookFromDb(r) : undefined;
}

/** Webhooks covering an area inside `scopePath`, newest first. */
export async function listWebhooks(db: Db, scopePath: string): Promise<WebhookRow[]> {
  const list = await rows<Record<string, unknown>>(db, sql`select ${WEBHOOK_COLUMNS} from webhooks w
    where w.scope_path like ${`${scopePath}%`} order by w.id desc`);
  return list.map(webhookFromDb);
}

/** Returns false when it was already disabled. */
export async function disableWebhook(db: Db, id: number): Promise<boolean> {
  return (await rows(db, sql`update webhooks set active = false where id = ${id} and active returning 1`)).length > 0;
}

export interface DeliveryRow {
  id: number;
  kind: string;
  eventId: number | null;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  lastError: string | null;
  nextAttemptAt: Date | null;
  sentAt: Date | null;
  createdAt: Date;
}

/** The last `limit` deliveries of a webhook, newest first. */
export async function listDeliveries(db: Db, webhookId: number, limit: number): Promise<DeliveryRow[]> {
  const list = await rows<Record<string, unknown>>(db, sql`select id, kind, event_id as "eventId", status, attempts, last_error as "lastError",
      next_attempt_at as "nextAttemptAt", sent_at as "sentAt", created_at as "createdAt"
    from notifications where channel = 'webhook' and webhook_id = ${webhookId} order by id desc limit ${limit}`);
  return list.map((r) => ({
    ...(r as unknown as DeliveryRow), id: Number(r.id), eventId: r.eventId === null ? null : Number(r.eventId), attempts: Number(r.attempts),
    nextAttemptAt: toDate(r.nextAttemptAt), sentAt: toDate(r.sentAt), createdAt: toDate(r.createdAt)!,
  }));
}

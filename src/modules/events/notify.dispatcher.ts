/**
 * The notification dispatcher: sends the outbox's SMS and webhook rows (notify.ts writes them in
 * the transaction of the change they announce).
 *
 * One pass: claim due rows in a short transaction (FOR UPDATE SKIP LOCKED, so several processes
 * share the work without taking one row twice) and lease them (one more attempt, not due again
 * for LEASE_MS); send outside any transaction; record each outcome. A failed attempt is retried
 * after 30 s × 2^(attempts−1), at most an hour, and given up after MAX_ATTEMPTS. A process that
 * dies mid-send leaves its rows to be taken again when the lease runs out.
 *
 * Webhook deliveries are signed: `x-pingan-signature: sha256=<hex HMAC-SHA256(secret,
 * timestamp + "." + body)>` with `x-pingan-timestamp` in Unix seconds, so a receiver can check
 * both who sent it and that it is fresh.
 */
import crypto from 'node:crypto';
import { type OutboundPost, postOutbound, RefusedAddressError } from '../../platform/net/outbound.js';
import { smsToUser } from '../accounts/index.js';
import type { EventsContext } from './events.context.js';
import * as repo from './notify.repository.js';

export const MAX_ATTEMPTS = 8;
export const DEFAULT_BATCH = 100;
export const DEFAULT_TIMEOUT_MS = 5_000;
export const WEBHOOK_SECRET_CONTEXT = 'webhooks.secret';
const BACKOFF_BASE_MS = 30_000;
const BACKOFF_MAX_MS = 3_600_000;
/** How long a claimed row is left alone while it is being sent. */
const LEASE_MS = 5 * 60_000;
/** Rows of one pass sent at the same time. */
const PARALLEL = 8;

export interface DispatchOptions {
  now?: Date;
  batch?: number;
  /** the name resolver behind the connect-time address check (tests inject one; default the system's) */
  resolve?: OutboundPost['resolve'];
  timeoutMs?: number;
}

export interface DispatchResult {
  sent: number;
  retried: number;
  failed: number;
}

/** The wait before attempt `attempts + 1`: 30 s, 1 min, 2 min, … at most 1 h. */
export function backoffMs(attempts: number): number {
  return Math.min(BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1), BACKOFF_MAX_MS);
}

/** `sha256=<hex>` of `timestamp.body` under the webhook's secret. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

type Send = (url: string, post: Omit<OutboundPost, 'resolve'>) => Promise<number>;

type Outcome = { ok: true } | { ok: false; error: string; retry: boolean };

export async function dispatchNotifications(ctx: EventsContext, opts: DispatchOptions = {}): Promise<DispatchResult> {
  const now = opts.now ?? ctx.now();
  const batch = opts.batch ?? DEFAULT_BATCH;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const send: Send = (url, post) => postOutbound(url, { ...post, resolve: opts.resolve });
  const leaseUntil = new Date(now.getTime() + Math.max(LEASE_MS, 2 * timeoutMs));
  const claimed = await ctx.database.transaction((tx) => repo.claimDue(tx, now, leaseUntil, batch));

  const result: DispatchResult = { sent: 0, retried: 0, failed: 0 };
  let next = 0;
  const worker = async () => {
    while (next < claimed.length) {
      const n = claimed[next++];
      const outcome = await attempt(ctx, n, now, send, timeoutMs);
      if (outcome.ok) {
        if (await repo.markSent(ctx.database.db, n.id, n.attempts, now)) result.sent++;
        continue;
      }
      const retryAt = outcome.retry && n.attempts < MAX_ATTEMPTS ? new Date(now.getTime() + backoffMs(n.attempts)) : null;
      if (await repo.markFailedAttempt(ctx.database.db, n.id, n.attempts, outcome.error.slice(0, 500), retryAt)) {
        if (retryAt) result.retried++;
        else result.failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, claimed.length) }, worker));
  return result;
}

async function attempt(ctx: EventsContext, n: repo.ClaimedNotification, now: Date, send: Send, timeoutMs: number): Promise<Outcome> {
  try {
    return n.channel === 'sms' ? await sendSms(ctx, n) : await sendWebhook(ctx, n, now, send, timeoutMs);
  } catch (err) {
    return { ok: false, error: describe(err), retry: true };
  }
}

async function sendSms(ctx: EventsContext, n: repo.ClaimedNotification): Promise<Outcome> {
  const sent = n.userId === null ? 'no phone' : await smsToUser(ctx, ctx.database.db, n.userId, `【平安】${n.titleZh} ${n.titleEn}`);
  return sent === 'sent' ? { ok: true } : { ok: false, error: sent, retry: false };
}

async function sendWebhook(ctx: EventsContext, n: repo.ClaimedNotification, now: Date, send: Send, timeoutMs: number): Promise<Outcome> {
  if (!n.url || !n.secretEnc) return { ok: false, error: 'webhook deleted', retry: false };
  if (!n.webhookActive) return { ok: false, error: 'webhook disabled', retry: false };
  let secret: string;
  try {
    secret = ctx.crypto.decrypt(n.secretEnc, WEBHOOK_SECRET_CONTEXT);
  } catch {
    return { ok: false, error: 'secret unreadable', retry: false };
  }
  const body = JSON.stringify({
    id: n.id, kind: n.kind, eventId: n.eventId, title: { zh: n.titleZh, en: n.titleEn }, payload: n.payload, createdAt: n.createdAt.toISOString(),
  });
  const timestamp = String(Math.floor(now.getTime() / 1000));
  let status: number;
  try {
    status = await send(n.url, {
      body,
      timeoutMs,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Pingan-Webhook/1',
        'x-pingan-delivery': String(n.id),
        'x-pingan-event': n.kind,
        'x-pingan-timestamp': timestamp,
        'x-pingan-signature': signWebhook(secret, timestamp, body),
      },
    });
  } catch (err) {
    if (err instanceof RefusedAddressError) return { ok: false, error: err.message, retry: false };
    const name = (err as Error)?.name;
    return { ok: false, error: name === 'TimeoutError' || name === 'AbortError' ? `timeout after ${timeoutMs} ms` : describe(err), retry: true };
  }
  // a redirect (3xx) is not followed and not a delivery
  if (status >= 200 && status < 300) return { ok: true };
  return { ok: false, error: `HTTP ${status}`, retry: true };
}

/** An error as a short line for last_error: the network code when there is one (ECONNREFUSED). */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause as { code?: string; message?: string } | undefined;
  const detail = cause?.code ?? cause?.message;
  return detail ? `${err.message}: ${detail}` : err.message;
}

/**
 * How fast one reporter may file cases: per reporter (a citizen, a staff account entering patrol
 * or hotline reports, an API key) and, for citizens, per device (X-Device-Id), in the last hour
 * and the last day. A report that repeats the reporter's own open case of a few minutes ago (same
 * category, near-identical text, same place, no new photo) is no new case: intake answers with
 * the first one. Counting runs under a transaction-scoped advisory lock per reporter, so
 * parallel requests cannot all slip under the limit.
 */
import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import { rows, type Db } from '../../platform/db/database.js';
import { AppError } from '../../platform/errors.js';
import type { Actor } from '../../platform/auth/actor.js';
import type { EventsContext, Limit } from './events.context.js';
import { distanceM } from './duplicates.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** How near and how alike a repeat of one's own report must be (how far back: PINGAN_INTAKE_REPEAT_MINUTES). */
export const REPEAT_RADIUS_M = 100;
export const REPEAT_SIMILARITY = 0.85;

export const DEVICE_PATTERN = '^[A-Za-z0-9_-]{16,64}$';

/** The device id as stored: a hash, so the table does not keep what the app sent. */
export const deviceKey = (device: string | null | undefined): string | null =>
  device ? crypto.createHash('sha256').update(`pingan-device:${device}`).digest('hex').slice(0, 32) : null;

export const limitOf = (ctx: EventsContext, actor: Actor): Limit => ctx.intakeLimits[actor.kind];

/**
 * Holds the reporter's (and device's) intake for this transaction: parallel reports of one
 * reporter are counted, and told apart from repeats, one after the other.
 */
export async function lockIntake(tx: Db, by: string, device: string | null): Promise<void> {
  for (const key of [by, ...(device ? [`device:${device}`] : [])].sort()) {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`intake:${key}`}, 0))`);
  }
}

/** Refuses when a limit is reached (under lockIntake). */
export async function assertIntakeAllowed(tx: Db, limit: Limit, by: string, device: string | null, now: Date): Promise<void> {
  const since = new Date(now.getTime() - DAY);
  const checks: [string, string | null][] = [['intake_by', by], ['intake_device', device]];
  for (const [column, value] of checks) {
    if (!value) continue;
    const [c] = await rows<{ hour: number; day: number; first_hour: string | null; first_day: string | null }>(tx, sql`
      select count(*) filter (where created_at > ${new Date(now.getTime() - HOUR).toISOString()}::timestamptz)::int as hour, count(*)::int as day,
        min(created_at) filter (where created_at > ${new Date(now.getTime() - HOUR).toISOString()}::timestamptz) as first_hour, min(created_at) as first_day
      from events where ${sql.raw(column)} = ${value} and created_at > ${since.toISOString()}::timestamptz`);
    const perDevice = column === 'intake_device';
    if (c.hour >= limit.hour) throw limited(limit, 'hour', perDevice, new Date(c.first_hour!).getTime() + HOUR - now.getTime());
    if (c.day >= limit.day) throw limited(limit, 'day', perDevice, new Date(c.first_day!).getTime() + DAY - now.getTime());
  }
}

function limited(limit: Limit, window: 'hour' | 'day', perDevice: boolean, retryMs: number): AppError {
  const minutes = Math.max(1, Math.ceil(retryMs / 60_000));
  const who = perDevice ? { zh: '这台设备', en: 'this device' } : { zh: '您', en: 'you' };
  const n = window === 'hour' ? limit.hour : limit.day;
  return new AppError('RATE_LIMITED', {
    zh: `上报过于频繁：${who.zh}${window === 'hour' ? '每小时' : '每天'}最多上报 ${n} 件，请 ${minutes} 分钟后再试；紧急情况请拨打 110 或 12345`,
    en: `Too many reports: ${who.en} may file ${n} a ${window}; try again in ${minutes} min. In an emergency call 110 or 12345`,
  }, { retryAfterSeconds: Math.max(1, Math.ceil(retryMs / 1000)) });
}

/** The text as compared: width-folded, lower case, without spaces and punctuation. */
export function normalized(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, '');
}

/** Dice's coefficient of the character bigrams of two normalized texts (1: the same). */
export function similarity(a: string, b: string): number {
  const x = normalized(a), y = normalized(b);
  if (x === y) return 1;
  if (x.length < 2 || y.length < 2) return 0;
  const grams = new Map<string, number>();
  for (let i = 0; i < x.length - 1; i++) grams.set(x.slice(i, i + 2), (grams.get(x.slice(i, i + 2)) ?? 0) + 1);
  let shared = 0;
  for (let i = 0; i < y.length - 1; i++) {
    const g = y.slice(i, i + 2), n = grams.get(g) ?? 0;
    if (n > 0) { shared++; grams.set(g, n - 1); }
  }
  return (2 * shared) / (x.length - 1 + y.length - 1);
}

/** The reporter's own open case of the last minutes that this report repeats, if any. */
export async function repeatOf(tx: Db, by: string, report: { categoryCode: string; description: string; lon: number | null; lat: number | null }, now: Date, minutes: number): Promise<number | null> {
  if (minutes <= 0) return null;
  const recent = await rows<{ id: number; description: string; lon: number | null; lat: number | null }>(tx, sql`
    select id::int as id, description, lon, lat from events
    where intake_by = ${by} and created_at > ${new Date(now.getTime() - minutes * 60_000).toISOString()}::timestamptz and category_code = ${report.categoryCode}
      and status in ('reported', 'accepted', 'returned', 'dispatched', 'in_progress', 'handled', 'suspended')
    order by created_at desc limit 20`);
  const same = recent.find((e) => {
    const near = e.lon === null || report.lon === null ? e.lon === report.lon : distanceM(e.lon, e.lat!, report.lon, report.lat!) <= REPEAT_RADIUS_M;
    return near && similarity(e.description, report.description) >= REPEAT_SIMILARITY;
  });
  return same?.id ?? null;
}

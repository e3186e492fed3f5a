/** SQL of the open311 tables (migrations/0005_open311.sql): request extras, batch tokens, client update ids. */
import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import { rows, type Db } from '../../platform/db/database.js';

export interface RequestExtra {
  eventId: number;
  keyId: number;
  mediaUrl: string | null;
  emailEnc: string | null;
  deviceId: string | null;
  accountId: string | null;
}

/** Once per case: a retried submission (same Idempotency-Key) keeps the first row. */
export async function saveRequestExtra(db: Db, r: RequestExtra): Promise<void> {
  await db.execute(sql`insert into open311_requests (event_id, key_id, media_url, email_enc, device_id, account_id)
    values (${r.eventId}, ${r.keyId}, ${r.mediaUrl}, ${r.emailEnc}, ${r.deviceId}, ${r.accountId}) on conflict (event_id) do nothing`);
}

/** The media URLs of cases created through Open311. */
export async function mediaUrls(db: Db, eventIds: number[]): Promise<Map<number, string>> {
  if (!eventIds.length) return new Map();
  const list = await rows<{ eventId: number; mediaUrl: string }>(db, sql`select event_id::int as "eventId", media_url as "mediaUrl" from open311_requests
    where event_id = any(${sql.param(eventIds.map(String))}::bigint[]) and media_url is not null`);
  return new Map(list.map((r) => [r.eventId, r.mediaUrl]));
}

/** The token of a case submitted in batch form: made once, the same for a retry. */
export async function tokenFor(db: Db, eventId: number, keyId: number): Promise<string> {
  await db.execute(sql`insert into open311_tokens (token, event_id, key_id) values (${crypto.randomBytes(12).toString('hex')}, ${eventId}, ${keyId}) on conflict (event_id) do nothing`);
  const [r] = await rows<{ token: string }>(db, sql`select token from open311_tokens where event_id = ${eventId}`);
  return r.token;
}

export async function eventOfToken(db: Db, token: string): Promise<number | null> {
  const [r] = await rows<{ eventId: number }>(db, sql`select event_id::int as "eventId" from open311_tokens where token = ${token}`);
  return r?.eventId ?? null;
}

export async function findUpdate(db: Db, keyId: number, clientUpdateId: string): Promise<{ eventId: number; transitionId: number } | null> {
  const [r] = await rows<{ eventId: number; transitionId: number }>(db, sql`select event_id::int as "eventId", transition_id::int as "transitionId" from open311_updates
    where key_id = ${keyId} and client_update_id = ${clientUpdateId}`);
  return r ?? null;
}

export async function saveUpdate(db: Db, keyId: number, clientUpdateId: string, eventId: number, transitionId: number): Promise<void> {
  await db.execute(sql`insert into open311_updates (key_id, client_update_id, event_id, transition_id) values (${keyId}, ${clientUpdateId}, ${eventId}, ${transitionId})
    on conflict do nothing`);
}

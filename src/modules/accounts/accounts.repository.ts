/** SQL for users, sessions, API keys and SMS codes. */
import { sql } from 'drizzle-orm';
import { rows, type Db } from '../../platform/db/database.js';

export interface UserRow {
  id: number;
  kind: 'staff' | 'citizen';
  username: string | null;
  displayName: string;
  orgId: number | null;
  countyCode: string | null;
  roles: string[];
  grants: string[];
  passwordHash: string | null;
  mustChangePassword: boolean;
  totpSecret: string | null;
  totpEnabled: boolean;
  totpLastStep: number;
  phoneEnc: string | null;
  phoneIndex: string | null;
  failedLogins: number;
  lockedUntil: Date | null;
  failureWindowStart: Date | null;
  failuresInWindow: number;
  disabled: boolean;
  demo: boolean;
  createdAt: Date;
}

const USER_COLUMNS = sql`id, kind, username, display_name as "displayName", org_id as "orgId", county_code as "countyCode", roles, grants,
  password_hash as "passwordHash", must_change_password as "mustChangePassword", totp_secret as "totpSecret", totp_enabled as "totpEnabled",
  totp_last_step::int as "totpLastStep", phone_enc as "phoneEnc", phone_index as "phoneIndex", failed_logins as "failedLogins",
  locked_until as "lockedUntil", failure_window_start as "failureWindowStart", failures_in_window as "failuresInWindow", disabled, demo, created_at as "createdAt"`;

/**
 * Raw queries return timestamps as text on both drivers (Drizzle takes over their parsers):
 * turn the date columns of these rows into Dates.
 */
const DATE_KEYS = /(At|Until|Start)$/;
function withDates<T>(list: T[]): T[] {
  for (const row of list as Record<string, unknown>[]) {
    for (const k of Object.keys(row)) {
      const v = row[k];
      if (typeof v === 'string' && DATE_KEYS.test(k)) row[k] = parseTimestamp(v);
    }
  }
  return list;
}
const first = <T>(r: T[]) => withDates(r)[0];

/** '2026-11-29 05:55:00.123+00' (PostgreSQL text) → Date. */
export function parseTimestamp(v: string): Date {
  const iso = v.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
  return new Date(/[zZ]|[+-]\d\d:\d\d$/.test(iso) ? iso : `${iso}Z`);
}

export async function findUserById(db: Db, id: number): Promise<UserRow | undefined> {
  return first(await rows<UserRow>(db, sql`select ${USER_COLUMNS} from users where id = ${id}`));
}

export async function findUserByUsername(db: Db, username: string): Promise<UserRow | undefined> {
  return first(await rows<UserRow>(db, sql`select ${USER_COLUMNS} from users where username = ${username}`));
}

export async function findUserByPhoneIndex(db: Db, phoneIndex: string): Promise<UserRow | undefined> {
  return first(await rows<UserRow>(db, sql`select ${USER_COLUMNS} from users where phone_index = ${phoneIndex}`));
}

export async function insertUser(db: Db, u: { kind: 'staff' | 'citizen'; username: string | null; displayName: string; orgId: number | null; countyCode: string | null; roles: string[]; passwordHash: string | null; mustChangePassword: boolean; totpSecret: string | null; totpEnabled: boolean; phoneEnc: string | null; phoneIndex: string | null; demo: boolean }): Promise<number> {
  const r = await rows<{ id: number }>(db, sql`insert into users (kind, username, display_name, org_id, county_code, roles, password_hash, must_change_password, totp_secret, totp_enabled, phone_enc, phone_index, demo)
    values (${u.kind}, ${u.username}, ${u.displayName}, ${u.orgId}, ${u.countyCode}, ${sql.param(u.roles)}::text[], ${u.passwordHash}, ${u.mustChangePassword}, ${u.totpSecret}, ${u.totpEnabled}, ${u.phoneEnc}, ${u.phoneIndex}, ${u.demo})
    returning id`);
  return r[0].id;
}

/** Only the named fields change; the callers decide which fields a role may set. */
export async function updateUser(db: Db, id: number, f: Partial<{ displayName: string; orgId: number; countyCode: string | null; roles: string[]; grants: string[]; passwordHash: string; mustChangePassword: boolean; totpSecret: string | null; totpEnabled: boolean; totpLastStep: number; disabled: boolean; lockedUntil: Date | null; failedLogins: number; failureWindowStart: Date | null; failuresInWindow: number; demo: boolean }>): Promise<void> {
  const sets = [];
  if (f.displayName !== undefined) sets.push(sql`display_name = ${f.displayName}`);
  if (f.orgId !== undefined) sets.push(sql`org_id = ${f.orgId}`);
  if (f.countyCode !== undefined) sets.push(sql`county_code = ${f.countyCode}`);
  if (f.roles !== undefined) sets.push(sql`roles = ${sql.param(f.roles)}::text[]`);
  if (f.grants !== undefined) sets.push(sql`grants = ${sql.param(f.grants)}::text[]`);
  if (f.passwordHash !== undefined) sets.push(sql`password_hash = ${f.passwordHash}, password_changed_at = now()`);
  if (f.mustChangePassword !== undefined) sets.push(sql`must_change_password = ${f.mustChangePassword}`);
  if (f.totpSecret !== undefined) sets.push(sql`totp_secret = ${f.totpSecret}`);
  if (f.totpEnabled !== undefined) sets.push(sql`totp_enabled = ${f.totpEnabled}`);
  if (f.totpLastStep !== undefined) sets.push(sql`totp_last_step = ${f.totpLastStep}`);
  if (f.disabled !== undefined) sets.push(sql`disabled = ${f.disabled}`);
  if (f.lockedUntil !== undefined) sets.push(sql`locked_until = ${f.lockedUntil}`);
  if (f.failedLogins !== undefined) sets.push(sql`failed_logins = ${f.failedLogins}`);
  if (f.failureWindowStart !== undefined) sets.push(sql`failure_window_start = ${f.failureWindowStart}`);
  if (f.failuresInWindow !== undefined) sets.push(sql`failures_in_window = ${f.failuresInWindow}`);
  if (f.demo !== undefined) sets.push(sql`demo = ${f.demo}`);
  if (!sets.length) return;
  await db.execute(sql`update users set ${sql.join(sets, sql`, `)}, updated_at = now() where id = ${id}`);
}

/** Staff whose org lies under the path prefix, newest first. */
export async function listStaff(db: Db, f: { orgIds: number[] | null; q?: string; after?: number; limit: number }): Promise<UserRow[]> {
  const inOrgs = f.orgIds ? sql`and org_id = any(${sql.param(f.orgIds)}::int[])` : sql``;
  const q = f.q ? sql`and (username like ${`%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`} or display_name like ${`%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`})` : sql``;
  const after = f.after ? sql`and id > ${f.after}` : sql``;
  return withDates(await rows(db, sql`select ${USER_COLUMNS} from users where kind = 'staff' ${inOrgs} ${q} ${after} order by id limit ${f.limit}`));
}

export async function setPhone(db: Db, id: number, phoneEnc: string | null, phoneIndex: string | null): Promise<void> {
  await db.execute(sql`update users set phone_enc = ${phoneEnc}, phone_index = ${phoneIndex}, updated_at = now() where id = ${id}`);
}

// staff and names, for other modules (the case loop): in the caller's transaction

export interface StaffMember {
  id: number;
  name: string;
  orgId: number;
  roles: string[];
  disabled: boolean;
}

const STAFF_COLUMNS = sql`id, display_name as name, org_id as "orgId", roles, disabled`;
const activeIn = (unitIds: number[], roles: string[]) =>
  sql`kind = 'staff' and not disabled and org_id = any(${sql.param(unitIds)}::int[]) and roles && ${sql.param(roles)}::text[]`;

export async function staffById(db: Db, id: number): Promise<StaffMember | undefined> {
  return first(await rows<StaffMember>(db, sql`select ${STAFF_COLUMNS} from users where id = ${id} and kind = 'staff'`));
}

/** Active staff of some units holding one of the roles (who hears of something there), by id. */
export async function activeStaffIn(db: Db, unitIds: number[], roles: string[]): Promise<StaffMember[]> {
  if (!unitIds.length) return [];
  return rows<StaffMember>(db, sql`select ${STAFF_COLUMNS} from users where ${activeIn(unitIds, roles)} order by id`);
}

/** The same as a list to choose from: unit by unit in the order given, by name within a unit, at most `limit`. */
export async function rosterOf(db: Db, unitIds: number[], roles: string[], limit: number): Promise<StaffMember[]> {
  if (!unitIds.length) return [];
  return rows<StaffMember>(db, sql`select ${STAFF_COLUMNS} from users where ${activeIn(unitIds, roles)}
    order by array_position(${sql.param(unitIds)}::int[], org_id), display_name limit ${limit}`);
}

/** Display names of accounts (staff or citizens) by id; unknown ids are left out. */
export async function displayNames(db: Db, ids: number[]): Promise<Map<number, string>> {
  if (!ids.length) return new Map();
  const list = await rows<{ id: number; name: string }>(db, sql`select id, display_name as name from users where id = any(${sql.param(ids)}::int[])`);
  return new Map(list.map((u) => [u.id, u.name]));
}

export async function phoneOf(db: Db, id: number): Promise<{ phoneEnc: string | null; phoneIndex: string | null } | undefined> {
  return first(await rows(db, sql`select phone_enc as "phoneEnc", phone_index as "phoneIndex" from users where id = ${id}`));
}

export async function countActiveDemoUsers(db: Db): Promise<number> {
  // the demo administrators' TOTP secret is public too: only a disabled demo account is harmless
  const r = await rows<{ n: number }>(db, sql`select count(*)::int as n from users where demo and not disabled`);
  return r[0].n;
}

// sessions

export interface SessionRow {
  id: string;
  userId: number;
  csrfToken: string;
  stage: 'full' | 'change_password';
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}

export async function insertSession(db: Db, s: { id: string; userId: number; csrfToken: string; stage: string; expiresAt: Date; ip: string | null; userAgent: string | null }): Promise<void> {
  await db.execute(sql`insert into sessions (id, user_id, csrf_token, stage, expires_at, ip, user_agent) values (${s.id}, ${s.userId}, ${s.csrfToken}, ${s.stage}, ${s.expiresAt}, ${s.ip}, ${s.userAgent})`);
}

export async function findSession(db: Db, id: string): Promise<SessionRow | undefined> {
  return first(await rows<SessionRow>(db, sql`select id, user_id as "userId", csrf_token as "csrfToken", stage, created_at as "createdAt", last_seen_at as "lastSeenAt", expires_at as "expiresAt", revoked_at as "revokedAt" from sessions where id = ${id}`));
}

export async function touchSession(db: Db, id: string): Promise<void> {
  await db.execute(sql`update sessions set last_seen_at = now() where id = ${id}`);
}

export async function setSessionStage(db: Db, id: string, stage: string): Promise<void> {
  await db.execute(sql`update sessions set stage = ${stage} where id = ${id}`);
}

export async function revokeSession(db: Db, id: string): Promise<void> {
  await db.execute(sql`update sessions set revoked_at = now() where id = ${id} and revoked_at is null`);
}

export async function revokeUserSessions(db: Db, userId: number, exceptId?: string): Promise<number> {
  const r = await rows<{ n: number }>(db, sql`with u as (update sessions set revoked_at = now() where user_id = ${userId} and revoked_at is null and id <> ${exceptId ?? ''} returning 1) select count(*)::int as n from u`);
  return r[0].n;
}

// API keys

export interface KeyRow {
  id: number;
  name: string;
  prefix: string;
  secretHash: string;
  orgId: number;
  permissions: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const KEY_COLUMNS = sql`id, name, prefix, secret_hash as "secretHash", org_id as "orgId", permissions, created_at as "createdAt", last_used_at as "lastUsedAt", revoked_at as "revokedAt"`;

export async function insertKey(db: Db, k: { name: string; prefix: string; secretHash: string; orgId: number; permissions: string[]; createdBy: number | null }): Promise<number> {
  const r = await rows<{ id: number }>(db, sql`insert into api_keys (name, prefix, secret_hash, org_id, permissions, created_by) values (${k.name}, ${k.prefix}, ${k.secretHash}, ${k.orgId}, ${sql.param(k.permissions)}::text[], ${k.createdBy}) returning id`);
  return r[0].id;
}

export async function findKeyByPrefix(db: Db, prefix: string): Promise<KeyRow | undefined> {
  return first(await rows<KeyRow>(db, sql`select ${KEY_COLUMNS} from api_keys where prefix = ${prefix}`));
}

export async function findKeyById(db: Db, id: number): Promise<KeyRow | undefined> {
  return first(await rows<KeyRow>(db, sql`select ${KEY_COLUMNS} from api_keys where id = ${id}`));
}

export async function listKeys(db: Db, orgIds: number[] | null): Promise<KeyRow[]> {
  const inOrgs = orgIds ? sql`where org_id = any(${sql.param(orgIds)}::int[])` : sql``;
  return withDates(await rows(db, sql`select ${KEY_COLUMNS} from api_keys ${inOrgs} order by id`));
}

export async function touchKey(db: Db, id: number): Promise<void> {
  await db.execute(sql`update api_keys set last_used_at = now() where id = ${id}`);
}

export async function revokeKey(db: Db, id: number): Promise<boolean> {
  const r = await rows<{ n: number }>(db, sql`with u as (update api_keys set revoked_at = now() where id = ${id} and revoked_at is null returning 1) select count(*)::int as n from u`);
  return r[0].n > 0;
}

// SMS codes

/** Namespace of the per-phone advisory locks (the audit chain uses 7_262_100, the migrator 7_262_001). */
const SMS_LOCK_SPACE = 7_262_300;

/** Holds a lock on one phone (by its blind index) until the transaction ends: sends for it queue up, across processes. */
export async function lockPhone(tx: Db, phoneIndex: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${SMS_LOCK_SPACE}::integer, hashtext(${phoneIndex}::text))`);
}

export async function insertSmsCode(db: Db, phoneIndex: string, codeHash: string, expiresAt: Date): Promise<void> {
  await db.execute(sql`update sms_codes set used_at = now() where phone_index = ${phoneIndex} and used_at is null`);
  await db.execute(sql`insert into sms_codes (phone_index, code_hash, expires_at) values (${phoneIndex}, ${codeHash}, ${expiresAt})`);
}

export async function smsSentSince(db: Db, phoneIndex: string, since: Date): Promise<number> {
  const r = await rows<{ n: number }>(db, sql`select count(*)::int as n from sms_codes where phone_index = ${phoneIndex} and created_at > ${since}`);
  return r[0].n;
}

export async function lastSmsCode(db: Db, phoneIndex: string): Promise<{ id: number; codeHash: string; attempts: number; expiresAt: Date; usedAt: Date | null; createdAt: Date } | undefined> {
  return first(await rows(db, sql`select id, code_hash as "codeHash", attempts, expires_at as "expiresAt", used_at as "usedAt", created_at as "createdAt" from sms_codes where phone_index = ${phoneIndex} order by id desc limit 1`));
}

export async function countSmsAttempt(db: Db, id: number): Promise<void> {
  await db.execute(sql`update sms_codes set attempts = attempts + 1 where id = ${id}`);
}

export async function useSmsCode(db: Db, id: number): Promise<boolean> {
  const r = await rows<{ n: number }>(db, sql`with u as (update sms_codes set used_at = now() where id = ${id} and used_at is null returning 1) select count(*)::int as n from u`);
  return r[0].n > 0;
}

/**
 * Counts a failed sign-in in one statement (parallel attempts cannot overwrite each other) and
 * locks the account when a limit is reached: `lockAfter` failures in a row lock for `lockMs`;
 * `maxPerHour` failures in the hour's window lock to the end of that window.
 */
export async function countLoginFailure(db: Db, id: number, lockAfter: number, lockMs: number, maxPerHour: number): Promise<{ failed: number; inWindow: number; lockedUntil: Date | null }> {
  const r = await rows<{ failed: number; inWindow: number; lockedUntil: string | Date | null }>(db, sql`
    with f as (
      select case when failure_window_start > now() - interval '1 hour' then failures_in_window + 1 else 1 end as in_window,
             case when failure_window_start > now() - interval '1 hour' then failure_window_start else now() end as window_start,
             failed_logins + 1 as failed
      from users where id = ${id} for update
    )
    update users u set
      failures_in_window = f.in_window,
      failure_window_start = f.window_start,
      locked_until = case
        when f.in_window >= ${maxPerHour} then f.window_start + interval '1 hour'
        when f.failed >= ${lockAfter} then now() + ${`${lockMs} milliseconds`}::interval
        else u.locked_until end,
      failed_logins = case when f.failed >= ${lockAfter} or f.in_window >= ${maxPerHour} then 0 else f.failed end
    from f where u.id = ${id}
    returning f.failed as "failed", f.in_window as "inWindow", case when f.failed >= ${lockAfter} or f.in_window >= ${maxPerHour} then u.locked_until end as "lockedUntil"`);
  const row = r[0];
  return { failed: row.failed, inWindow: row.inWindow, lockedUntil: row.lockedUntil ? (typeof row.lockedUntil === 'string' ? parseTimestamp(row.lockedUntil) : row.lockedUntil) : null };
}

/** Takes a TOTP time step if it is newer than the last one used; false when another request took it first. */
export async function takeTotpStep(db: Db, id: number, step: number): Promise<boolean> {
  const r = await rows<{ n: number }>(db, sql`with u as (update users set totp_last_step = ${step} where id = ${id} and totp_last_step < ${step} returning 1) select count(*)::int as n from u`);
  return r[0].n > 0;
}

/** Spends one of a code's tries; returns its hash only while it is usable (unused, unexpired, tries left). */
export async function spendSmsTry(db: Db, id: number, maxTries: number): Promise<string | null> {
  const r = await rows<{ codeHash: string }>(db, sql`update sms_codes set attempts = attempts + 1
    where id = ${id} and attempts < ${maxTries} and used_at is null and expires_at > now() returning code_hash as "codeHash"`);
  return r[0]?.codeHash ?? null;
}

/**
 * The audit log (DESIGN.md §6): append-only, hash-chained, kept at least 180 days.
 *
 * Every row carries the hash of the row before it and its own hash:
 *
 *   hash = sha256_hex( (prev_hash ?? '') + '\n' + canonical(row) )
 *
 * where canonical(row) is the JSON text of the row's columns except `id` and `hash`, keyed by
 * column name (`action`, `actor_id`, `actor_name`, `actor_role`, `at`, `details`, `ip`, `org_id`,
 * `prev_hash`, `reason`, `result`, `target_id`, `target_type`, `user_agent`), every absent value
 * an explicit `null`, `at` as ISO-8601 UTC with milliseconds (`2025-01-02T03:04:05.678Z`), and
 * object keys sorted at every depth, no whitespace: JSON.stringify with sorted keys, which is the
 * JSON Canonicalization Scheme (RFC 8785) for these values. `details` is canonicalised when
 * written and again when verified (jsonb keeps its own key order).
 *
 * Writers are serialised by a transaction-scoped advisory lock and assign ids 1, 2, 3, … without
 * gaps, so `verifyAuditChain` can tell an altered row (hash), a removed or reordered row
 * (prev_hash, id gap). A trigger refuses UPDATE, DELETE and TRUNCATE. There is no function to
 * change or delete rows, by design.
 *
 * What the chain cannot show by itself: rows removed from the END, or a chain rewritten whole by
 * someone who can write the table as its owner. Record `auditHead()` outside the database (logs,
 * reports) from time to time so that either is caught.
 *
 * Callers must not put secrets in an entry: no passwords, tokens, TOTP or SMS codes, keys, session
 * ids, and no unmasked personal data (national ID numbers: record the masked form or the record's
 * id). As a safety net, `details` keys that look like secrets are removed (see `isSecretKey`).
 */
import crypto from 'node:crypto';
import type { Db } from '../db/database.js';
import * as repo from './audit.repository.js';
import type { NewRow, StoredRow } from './audit.repository.js';

export type AuditResult = 'success' | 'failure' | 'denied';

export interface AuditEntry {
  actorId?: number | null;
  actorName?: string | null;
  actorRole?: string | null;
  orgId?: number | null;
  ip?: string | null;
  userAgent?: string | null;
  /** dotted, `<area>.<verb>`: `auth.login`, `user.create`, `pii.unmask`, `grids.import` */
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  result: AuditResult;
  reason?: string | null;
  /** context for the auditor; never secrets or unmasked personal data */
  details?: Record<string, unknown> | null;
}

export interface AuditRow {
  id: number;
  /** ISO-8601 UTC, milliseconds */
  at: string;
  actorId: number | null;
  actorName: string | null;
  actorRole: string | null;
  orgId: number | null;
  ip: string | null;
  userAgent: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  result: AuditResult;
  reason: string | null;
  details: Record<string, unknown> | null;
  prevHash: string | null;
  hash: string;
}

export interface AuditFilter {
  /** at ≥ from */
  from?: Date;
  /** at < to */
  to?: Date;
  actorId?: number;
  /** exact (`auth.login`), or a prefix with a trailing `.*` (`auth.*`) */
  action?: string;
  result?: AuditResult;
  targetType?: string;
  targetId?: string;
}

export interface AuditListFilter extends AuditFilter {
  /** id cursor: rows older than this id (the `next` of the previous page) */
  before?: number;
  /** 1–1000 */
  limit: number;
}

/** `rows`: how many rows were found sound (when not ok, the rows before `firstBadId`). */
export type AuditVerification = { ok: true; rows: number } | { ok: false; rows: number; firstBadId: number; reason: string };

/** Longest kept value per field, in UTF-16 code units; longer values are cut and end with '…'. */
export const AUDIT_LIMITS = {
  actorName: 200,
  actorRole: 64,
  ip: 64,
  userAgent: 512,
  action: 128,
  targetType: 64,
  targetId: 256,
  reason: 1000,
  /** each string inside details */
  detailString: 2000,
  /** items kept of each array inside details */
  detailArray: 200,
  /** nesting depth inside details */
  detailDepth: 8,
  /** the whole details JSON; larger details are replaced by a note of their size */
  detailsJson: 65_536,
} as const;

const RESULTS: readonly string[] = ['success', 'failure', 'denied'];
const VERIFY_BATCH = 5000;
const EXPORT_WINDOW = 2000;

// ---------------------------------------------------------------------------------------------
// Writing

/**
 * Appends one entry to the chain and returns its id and hash. Runs in a transaction of its own,
 * or in a savepoint of the caller's: then the row commits or rolls back with the caller's work,
 * and the chain lock is held until the caller's transaction ends (record last, keep it short).
 * Record failures and refusals outside a transaction that is about to roll back.
 */
export async function recordAudit(db: Db, entry: AuditEntry): Promise<{ id: number; hash: string }> {
  if (!RESULTS.includes(entry.result)) throw new TypeError(`Audit result must be success, failure or denied: ${String(entry.result)}`);
  const action = clip(entry.action, AUDIT_LIMITS.action);
  if (!action) throw new TypeError('Audit action is required');
  const actorId = integerOrNull(entry.actorId, 'actorId');
  const orgId = integerOrNull(entry.orgId, 'orgId');
  const detailsJson = entry.details == null ? null : canonicalDetails(entry.details);
  return db.transaction(async (tx) => {
    await repo.lockChain(tx as unknown as Db);
    const last = await repo.head(tx as unknown as Db);
    const row: Omit<NewRow, 'hash'> = {
      id: (last?.id ?? 0) + 1,
      at: new Date().toISOString(), // taken under the lock: ids and times go up together on one node
      actor_id: actorId,
      actor_name: clip(entry.actorName, AUDIT_LIMITS.actorName),
      actor_role: clip(entry.actorRole, AUDIT_LIMITS.actorRole),
      org_id: orgId,
      ip: clip(entry.ip, AUDIT_LIMITS.ip),
      user_agent: clip(entry.userAgent, AUDIT_LIMITS.userAgent),
      action,
      target_type: clip(entry.targetType, AUDIT_LIMITS.targetType),
      target_id: clip(entry.targetId, AUDIT_LIMITS.targetId),
      result: entry.result,
      reason: clip(entry.reason, AUDIT_LIMITS.reason),
      details: detailsJson,
      prev_hash: last?.hash ?? null,
    };
    const hash = rowHash({ ...row, details: detailsJson === null ? null : (JSON.parse(detailsJson) as unknown) });
    await repo.insertRow(tx as unknown as Db, { ...row, hash });
    return { id: row.id, hash };
  });
}

/** The last row's id and hash, to be kept outside the database (see the module comment). */
export async function auditHead(db: Db): Promise<{ id: number; hash: string } | null> {
  return (await repo.head(db)) ?? null;
}

// ---------------------------------------------------------------------------------------------
// Verifying

/**
 * Walks the whole log in id order, in batches, and recomputes every hash. Reports the first row
 * that was altered (its hash does not match its content) or that does not follow the row before
 * it (prev_hash, or a gap in ids: rows were removed or reordered).
 */
export async function verifyAuditChain(db: Db): Promise<AuditVerification> {
  let prev: { id: number; hash: string } | undefined;
  let count = 0;
  for (;;) {
    const batch = await repo.rowsAfter(db, prev?.id ?? 0, VERIFY_BATCH);
    for (const r of batch) {
      const bad = checkRow(r, prev);
      if (bad) return { ok: false, rows: count, firstBadId: r.id, reason: bad };
      count++;
      prev = { id: r.id, hash: r.hash };
    }
    if (batch.length < VERIFY_BATCH) return { ok: true, rows: count };
  }
}

function checkRow(r: StoredRow, prev: { id: number; hash: string } | undefined): string | undefined {
  if (!prev) {
    if (r.prev_hash !== null) return `row ${r.id}: prev_hash is set but no row precedes it — the row(s) before it were removed`;
    if (r.id !== 1) return `row ${r.id}: the log starts at id ${r.id} — row(s) ${range(1, r.id - 1)} are missing`;
  } else if (r.prev_hash !== prev.hash) {
    return r.id === prev.id + 1
      ? `row ${r.id}: prev_hash does not match row ${prev.id}'s hash — row ${prev.id}'s hash was rewritten, or rows were reordered or replaced`
      : `row ${r.id}: prev_hash does not match row ${prev.id}'s hash — row(s) between were removed (${range(prev.id + 1, r.id - 1)})`;
  } else if (r.id !== prev.id + 1) {
    return `row ${r.id}: ids jump from ${prev.id} to ${r.id} — row(s) ${range(prev.id + 1, r.id - 1)} are missing or ids were changed`;
  }
  let details: unknown = null;
  if (r.details !== null) {
    try {
      details = JSON.parse(r.details);
    } catch {
      return `row ${r.id}: details are not readable JSON — the row was altered`;
    }
  }
  const expected = rowHash({ ...r, at: toMillisIso(r.at), details });
  if (expected !== r.hash) return `row ${r.id}: hash does not match the row's content — the row was altered`;
  return undefined;
}

const range = (a: number, b: number) => (a === b ? `${a}` : `${a}–${b}`);

// ---------------------------------------------------------------------------------------------
// Reading

/** Matching rows newest first; `next` is the cursor (`before`) of the following page, null at the end. */
export async function listAudit(db: Db, f: AuditListFilter): Promise<{ items: AuditRow[]; next: number | null }> {
  const limit = Math.min(1000, Math.max(1, Math.floor(f.limit) || 1));
  const found = await repo.listNewestFirst(db, f, limit + 1);
  const items = found.slice(0, limit).map(toAuditRow);
  return { items, next: found.length > limit ? items[items.length - 1].id : null };
}

/**
 * Every matching row oldest first, read in batches (for CSV / NDJSON export of any size). The
 * export stops at the head as it was when it started: rows written meanwhile are not included.
 *
 * The export walks windows of ids (ids have no gaps), so that it costs one pass over the rows in
 * range whatever the planner knows: PGlite never runs autovacuum, and without statistics filters
 * served by indexes out of id order (time, action prefix) made every batch re-read and re-sort
 * the whole match. The time range is turned into an id range once; the time and action-prefix
 * tests are then applied here, equality filters in SQL.
 */
export async function* exportAudit(db: Db, f: AuditFilter = {}): AsyncGenerator<AuditRow> {
  let upTo = (await repo.head(db))?.id ?? 0;
  let after = 0;
  if (f.from || f.to) {
    const { first, last } = await repo.idBounds(db, f.from, f.to);
    if ((f.from && first === null) || (f.to && last === null)) return;
    if (first !== null) after = first - 1;
    if (last !== null) upTo = Math.min(upTo, last);
  }
  const prefix = f.action !== undefined && f.action.endsWith('.*') ? f.action.slice(0, -1) : undefined;
  const exactAction = f.action !== undefined && f.action !== '*' && prefix === undefined ? f.action : undefined;
  const from = f.from?.getTime();
  const to = f.to?.getTime();
  const sqlFilter = { actorId: f.actorId, result: f.result, targetType: f.targetType, targetId: f.targetId, exactAction };
  while (after < upTo) {
    const end = Math.min(upTo, after + EXPORT_WINDOW);
    for (const r of await repo.listWindow(db, sqlFilter, after, end)) {
      if (prefix !== undefined && !r.action.startsWith(prefix)) continue;
      if (from !== undefined || to !== undefined) {
        const t = Date.parse(toMillisIso(r.at));
        if ((from !== undefined && t < from) || (to !== undefined && t >= to)) continue;
      }
      yield toAuditRow(r);
    }
    after = end;
  }
}

function toAuditRow(r: StoredRow): AuditRow {
  return {
    id: r.id,
    at: toMillisIso(r.at),
    actorId: r.actor_id,
    actorName: r.actor_name,
    actorRole: r.actor_role,
    orgId: r.org_id,
    ip: r.ip,
    userAgent: r.user_agent,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    result: r.result,
    reason: r.reason,
    details: r.details === null ? null : (JSON.parse(r.details) as Record<string, unknown>),
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/** '…:05.678000Z' → '…:05.678Z' (as written). A time with microseconds stays as read, and so fails verification. */
function toMillisIso(at: string): string {
  return /\.\d{3}000Z$/.test(at) ? `${at.slice(0, -4)}Z` : at;
}

// ---------------------------------------------------------------------------------------------
// Hashing and canonical form

type HashedFields = Omit<NewRow, 'id' | 'hash' | 'details'> & { details: unknown };

/** sha256 hex of (prev_hash or '') + '\n' + canonical JSON of the row without id and hash. */
export function rowHash(r: HashedFields): string {
  const canonical = canonicalJson({
    at: r.at,
    actor_id: r.actor_id,
    actor_name: r.actor_name,
    actor_role: r.actor_role,
    org_id: r.org_id,
    ip: r.ip,
    user_agent: r.user_agent,
    action: r.action,
    target_type: r.target_type,
    target_id: r.target_id,
    result: r.result,
    reason: r.reason,
    details: r.details,
    prev_hash: r.prev_hash,
  });
  return crypto.createHash('sha256').update(`${r.prev_hash ?? ''}\n${canonical}`, 'utf8').digest('hex');
}

/** JSON with object keys sorted (UTF-16 order) at every depth and no whitespace; for JSON values. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/** Details as stored: secrets removed, strings made storable and clipped, then canonical JSON. */
function canonicalDetails(details: Record<string, unknown>): string {
  const clean = cleanValue(details, 0);
  let json = canonicalJson(clean);
  if (json.length > AUDIT_LIMITS.detailsJson) json = canonicalJson({ _truncated: true, _chars: json.length });
  return json;
}

function cleanValue(v: unknown, depth: number): unknown {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'string':
      return clip(v, AUDIT_LIMITS.detailString);
    case 'number':
      return Number.isFinite(v) ? v : null;
    case 'boolean':
      return v;
    case 'bigint':
      return v.toString();
    case 'object':
      break;
    default:
      return null; // functions, symbols
  }
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (depth >= AUDIT_LIMITS.detailDepth) return '[too deep]';
  if (Array.isArray(v)) {
    const kept = v.slice(0, AUDIT_LIMITS.detailArray).map((x) => cleanValue(x, depth + 1));
    if (v.length > AUDIT_LIMITS.detailArray) kept.push(`… ${v.length - AUDIT_LIMITS.detailArray} more`);
    return kept;
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
    if (isSecretKey(k) && typeof x !== 'boolean') continue; // a flag (passwordChanged: true) holds no secret
    out[storable(k)] = cleanValue(x, depth + 1);
  }
  return out;
}

const SECRET_WORDS = new Set([
  'password', 'passwords', 'passwd', 'pwd', 'passphrase', 'secret', 'secrets', 'token', 'tokens', 'otp', 'totp', 'hotp',
  'pin', 'cookie', 'cookies', 'authorization', 'credential', 'credentials', 'apikey', 'privatekey', 'signature',
]);
// in keys written as one word: 'newpassword', 'accesstoken', 'otpcode'
const SECRET_PARTS = ['password', 'passwd', 'passphrase', 'token', 'apikey', 'privatekey', 'clientsecret', 'secretkey', 'sessionid', 'otpcode', 'smscode', 'mfacode', 'authcode', 'verificationcode', 'verifycode', 'recoverycode', 'backupcode', 'resetcode'];
const CODE_QUALIFIERS = new Set(['otp', 'totp', 'hotp', 'mfa', 'sms', 'verification', 'verify', 'auth', 'recovery', 'backup', 'reset', 'activation', 'captcha', 'security', 'one', 'login']);
const KEY_QUALIFIERS = new Set(['api', 'private', 'secret', 'access', 'signing', 'encryption', 'session', 'master']);

/**
 * Whether a details key names a secret: password / passwd / pwd / passphrase, secret, token, otp /
 * totp, pin, cookie, authorization, credential(s), signature, api / private / access … key, session
 * id, and `code` alone or qualified as otp / mfa / sms / verification / auth / recovery … code.
 * Codes of things (`unitCode`, `countyCode`) are kept; a bare `code` is not (it is often a
 * one-time code): name an org code `unitCode` or put it in targetId. Such keys are removed with
 * their value at any depth, unless the value is true / false (a flag holds no secret).
 */
export function isSecretKey(key: string): boolean {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  const flat = words.join('');
  if (words.some((w) => SECRET_WORDS.has(w)) || SECRET_PARTS.some((p) => flat.includes(p))) return true;
  if (flat === 'code') return true;
  if (words.includes('code') && words.some((w) => CODE_QUALIFIERS.has(w))) return true;
  if (words.includes('key') && words.some((w) => KEY_QUALIFIERS.has(w))) return true;
  if (words.includes('session') && words.includes('id')) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------
// Text

/**
 * Text as PostgreSQL stores it and reads it back identically: NUL removed (text and jsonb refuse
 * it), lone UTF-16 surrogates replaced by U+FFFD (UTF-8 cannot carry them).
 */
function storable(s: string): string {
  return s.replace(/\u0000/g, '').replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** Storable text cut to `max` UTF-16 code units (never inside a surrogate pair), ending with '…' when cut. */
function clip(v: string | null | undefined, max: number): string | null {
  if (v === null || v === undefined) return null;
  const s = storable(String(v));
  if (s.length <= max) return s;
  let cut = s.slice(0, max - 1);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

function integerOrNull(v: number | null | undefined, name: string): number | null {
  if (v === null || v === undefined) return null;
  if (!Number.isInteger(v) || v < -2_147_483_648 || v > 2_147_483_647) throw new TypeError(`Audit ${name} must be an integer: ${v}`);
  return v;
}

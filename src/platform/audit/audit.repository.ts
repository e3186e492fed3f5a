/**
 * SQL on audit_log: insert (with an id chosen by the caller under the chain lock), read the
 * chain's head, read rows by id ranges and filters. There is deliberately no UPDATE or DELETE
 * here (and a trigger refuses them): the log is append-only.
 */
import { sql, type SQL } from 'drizzle-orm';
import { rows, type Db } from '../db/database.js';

/** A row as stored. `at` is read as an ISO-8601 UTC string with microseconds, so that nothing is rounded away. */
export interface StoredRow {
  id: number;
  at: string;
  actor_id: number | null;
  actor_name: string | null;
  actor_role: string | null;
  org_id: number | null;
  ip: string | null;
  user_agent: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  result: 'success' | 'failure' | 'denied';
  reason: string | null;
  /** jsonb as text (parsed by the caller: the same on both drivers) */
  details: string | null;
  prev_hash: string | null;
  hash: string;
}

/** A row to insert: the same fields (`at` with millisecond precision, `details` as canonical JSON text). */
export type NewRow = StoredRow;

/** The key of the transaction-scoped advisory lock that serialises writers of the chain (the migrator uses 7_262_001). */
export const AUDIT_LOCK_KEY = 7_262_100;

const columns = sql.raw(`id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at,
  actor_id, actor_name, actor_role, org_id, ip, user_agent, action, target_type, target_id,
  result, reason, details::text AS details, prev_hash, hash`);

export async function lockChain(db: Db): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(${sql.raw(String(AUDIT_LOCK_KEY))})`);
}

/** The last row's id and hash (the head of the chain), or undefined when the log is empty. */
export async function head(db: Db): Promise<{ id: number; hash: string } | undefined> {
  const [row] = await rows<{ id: number; hash: string }>(db, sql`select id, hash from audit_log order by id desc limit 1`);
  return row ? { id: Number(row.id), hash: row.hash } : undefined;
}

/**
 * Ids are assigned by the writer (last id + 1 under the chain lock), not by the identity
 * sequence: a sequence leaves gaps when a transaction rolls back, and gapless ids let the
 * verifier report a missing row as such. A writer that read a stale head collides on the
 * primary key instead of forking the chain.
 */
export async function insertRow(db: Db, r: NewRow): Promise<void> {
  await db.execute(sql`insert into audit_log (id, at, actor_id, actor_name, actor_role, org_id, ip, user_agent,
      action, target_type, target_id, result, reason, details, prev_hash, hash)
    overriding system value
    values (${r.id}::bigint, ${r.at}::timestamptz, ${r.actor_id}::integer, ${r.actor_name}::text, ${r.actor_role}::text,
      ${r.org_id}::integer, ${r.ip}::text, ${r.user_agent}::text, ${r.action}::text, ${r.target_type}::text,
      ${r.target_id}::text, ${r.result}::text, ${r.reason}::text, ${r.details}::jsonb, ${r.prev_hash}::text, ${r.hash}::text)`);
}

/** Up to `limit` rows with id > `afterId`, in id order (the verifier's batches). */
export async function rowsAfter(db: Db, afterId: number, limit: number): Promise<StoredRow[]> {
  return normalise(await rows<StoredRow>(db, sql`select ${columns} from audit_log where id > ${afterId}::bigint order by id limit ${limit}::integer`));
}

export interface Filter {
  from?: Date;
  to?: Date;
  actorId?: number;
  action?: string;
  result?: 'success' | 'failure' | 'denied';
  targetType?: string;
  targetId?: string;
}

function conditions(f: Filter): SQL[] {
  const conds: SQL[] = [];
  if (f.from) conds.push(sql`at >= ${f.from.toISOString()}::timestamptz`);
  if (f.to) conds.push(sql`at < ${f.to.toISOString()}::timestamptz`);
  if (f.actorId !== undefined) conds.push(sql`actor_id = ${f.actorId}::integer`);
  if (f.action !== undefined && f.action !== '*') {
    if (f.action.endsWith('.*')) {
      const prefix = f.action.slice(0, -1).replace(/[\\%_]/g, (c) => `\\${c}`); // 'auth.*' → 'auth.%'
      conds.push(sql`action like ${`${prefix}%`}::text`);
    } else {
      conds.push(sql`action = ${f.action}::text`);
    }
  }
  if (f.result) conds.push(sql`result = ${f.result}::text`);
  if (f.targetType !== undefined) conds.push(sql`target_type = ${f.targetType}::text`);
  if (f.targetId !== undefined) conds.push(sql`target_id = ${f.targetId}::text`);
  return conds;
}

const where = (conds: SQL[]) => (conds.length ? sql`where ${sql.join(conds, sql` and `)}` : sql``);

/** Matching rows newest first, with id < `before` when given. */
export async function listNewestFirst(db: Db, f: Filter & { before?: number }, limit: number): Promise<StoredRow[]> {
  const conds = conditions(f);
  if (f.before !== undefined) conds.push(sql`id < ${f.before}::bigint`);
  return normalise(await rows<StoredRow>(db, sql`select ${columns} from audit_log ${where(conds)} order by id desc limit ${limit}::integer`));
}

/**
 * Rows with afterId < id ≤ toId oldest first, filtered by equality only (the export's windows).
 * Callers keep the window small: every plan then costs about the window's size, even without
 * statistics (a planner without them takes a two-sided id range for a few rows and may sort it).
 */
export async function listWindow(
  db: Db,
  f: Pick<Filter, 'actorId' | 'result' | 'targetType' | 'targetId'> & { exactAction?: string },
  afterId: number,
  toId: number,
): Promise<StoredRow[]> {
  const conds = [...conditions({ ...f, action: f.exactAction }), sql`id > ${afterId}::bigint`, sql`id <= ${toId}::bigint`];
  return normalise(await rows<StoredRow>(db, sql`select ${columns} from audit_log ${where(conds)} order by id`));
}

/** The smallest id with at ≥ from and the largest with at < to (each null when there is none). One query, run once per export. */
export async function idBounds(db: Db, from?: Date, to?: Date): Promise<{ first: number | null; last: number | null }> {
  const first = from ? sql`(select min(id) from audit_log where at >= ${from.toISOString()}::timestamptz)` : sql`null::bigint`;
  const last = to ? sql`(select max(id) from audit_log where at < ${to.toISOString()}::timestamptz)` : sql`null::bigint`;
  const [r] = await rows<{ first: number | null; last: number | null }>(db, sql`select ${first} as first, ${last} as last`);
  return { first: r.first === null ? null : Number(r.first), last: r.last === null ? null : Number(r.last) };
}

// bigint and integer columns as numbers whatever the driver's parsers
function normalise(list: StoredRow[]): StoredRow[] {
  for (const r of list) {
    r.id = Number(r.id);
    if (r.actor_id !== null) r.actor_id = Number(r.actor_id);
    if (r.org_id !== null) r.org_id = Number(r.org_id);
  }
  return list;
}

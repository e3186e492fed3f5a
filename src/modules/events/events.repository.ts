/** SQL of the case loop: cases, timeline, photos, followers, idempotency keys. No HTTP errors here. */
import { sql, type SQL } from 'drizzle-orm';
import { rows, type Db } from '../../platform/db/database.js';
import type { Limit } from './work-calendar.js';
import type { Stage } from './categories.data.js';
import type { Status } from './events.lifecycle.js';

export type Channel = 'citizen' | 'patrol' | 'hotline' | 'integration';
export type DeadlineState = 'normal' | 'warning' | 'overdue' | 'escalated';

export interface EventRow {
  id: number;
  cityCode: string;
  countyCode: string;
  townshipCode: string | null;
  villageCode: string | null;
  gridCode: string | null;
  areaPath: string;
  lon: number | null;
  lat: number | null;
  h3: string | null;
  address: string | null;
  categoryCode: string;
  categoryVersion: number;
  priority: number;
  urgent: boolean;
  description: string;
  attributes: Record<string, unknown>;
  channel: Channel;
  reporterUserId: number | null;
  reporterKeyId: number | null;
  reporterName: string | null;
  reporterPhoneEnc: string | null;
  reporterPhoneMasked: string | null;
  anonymous: boolean;
  status: Status;
  suspendedFrom: Status | null;
  version: number;
  ownerUnitId: number;
  ownerPath: string;
  ownerLevel: string;
  handlerUnitId: number | null;
  assigneeUnitId: number | null;
  assigneePath: string | null;
  assigneeUserId: number | null;
  stage: Stage | null;
  stageStartedAt: Date | null;
  stageWarnAt: Date | null;
  stageDueAt: Date | null;
  stageEscalateAt: Date | null;
  deadlineState: DeadlineState;
  nextCheckAt: Date | null;
  dueAt: Date | null;
  suspendedAt: Date | null;
  suspendedSeconds: number;
  extensionRequest: { until: string; reason: string; by: number; at: string } | null;
  supervised: boolean;
  reworkCount: number;
  reopenCount: number;
  escalationCount: number;
  wasOverdue: boolean;
  resolvedOnSpot: boolean;
  mergedInto: number | null;
  acceptedAt: Date | null;
  dispatchedAt: Date | null;
  handledAt: Date | null;
  closedAt: Date | null;
  closedLevel: string | null;
  closedOnTime: boolean | null;
  handlingSeconds: number | null;
  rating: number | null;
  ratingComment: string | null;
  ratedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /** The category's limits at the version the case started with. */
  limits: Record<Stage, Limit>;
  /** Whether that version requires photo evidence to close. */
  evidenceRequired: boolean;
}

const COLUMNS: Record<keyof Omit<EventRow, 'limits' | 'evidenceRequired'>, string> = {
  id: 'id', cityCode: 'city_code', countyCode: 'county_code', townshipCode: 'township_code', villageCode: 'village_code', gridCode: 'grid_code',
  areaPath: 'area_path', lon: 'lon', lat: 'lat', h3: 'h3', address: 'address', categoryCode: 'category_code', categoryVersion: 'category_version',
  priority: 'priority', urgent: 'urgent', description: 'description', attributes: 'attributes', channel: 'channel',
  reporterUserId: 'reporter_user_id', reporterKeyId: 'reporter_key_id', reporterName: 'reporter_name', reporterPhoneEnc: 'reporter_phone_enc',
  reporterPhoneMasked: 'reporter_phone_masked', anonymous: 'anonymous', status: 'status', suspendedFrom: 'suspended_from', version: 'version',
  ownerUnitId: 'owner_unit_id', ownerPath: 'owner_path', ownerLevel: 'owner_level', handlerUnitId: 'handler_unit_id',
  assigneeUnitId: 'assignee_unit_id', assigneePath: 'assignee_path', assigneeUserId: 'assignee_user_id', stage: 'stage',
  stageStartedAt: 'stage_started_at', stageWarnAt: 'stage_warn_at', stageDueAt: 'stage_due_at', stageEscalateAt: 'stage_escalate_at',
  deadlineState: 'deadline_state', nextCheckAt: 'next_check_at', dueAt: 'due_at', suspendedAt: 'suspended_at', suspendedSeconds: 'suspended_seconds',
  extensionRequest: 'extension_request', supervised: 'supervised', reworkCount: 'rework_count', reopenCount: 'reopen_count',
  escalationCount: 'escalation_count', wasOverdue: 'was_overdue', resolvedOnSpot: 'resolved_on_spot', mergedInto: 'merged_into',
  acceptedAt: 'accepted_at', dispatchedAt: 'dispatched_at', handledAt: 'handled_at', closedAt: 'closed_at', closedLevel: 'closed_level',
  closedOnTime: 'closed_on_time', handlingSeconds: 'handling_seconds', rating: 'rating', ratingComment: 'rating_comment', ratedAt: 'rated_at',
  createdAt: 'created_at', updatedAt: 'updated_at',
};
const DATE_KEYS = new Set(Object.keys(COLUMNS).filter((k) => k.endsWith('At')));

const SELECT = sql.raw(Object.entries(COLUMNS).map(([k, c]) => `e.${c} as "${k}"`).join(', ') + `, v.data->'limits' as "limits", coalesce((v.data->>'evidenceRequired')::boolean, false) as "evidenceRequired"`);
const FROM = sql.raw('events e join event_category_versions v on v.code = e.category_code and v.version = e.category_version');

/** Timestamps come back as text from raw queries on some drivers; numbers as strings for bigint. */
export function toDate(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v;
  const s = String(v);
  const iso = s.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
  return new Date(/[zZ]|[+-]\d\d:\d\d$/.test(iso) ? iso : `${iso}Z`);
}

function fromDb(r: Record<string, unknown>): EventRow {
  for (const k of DATE_KEYS) r[k] = toDate(r[k]);
  r.id = Number(r.id);
  if (r.mergedInto != null) r.mergedInto = Number(r.mergedInto);
  return r as unknown as EventRow;
}

export async function getEvent(db: Db, id: number, forUpdate = false): Promise<EventRow | undefined> {
  const lock = forUpdate ? sql.raw(' for update of e') : sql.raw('');
  const [r] = await rows<Record<string, unknown>>(db, sql`select ${SELECT} from ${FROM} where e.id = ${id}${lock}`);
  return r ? fromDb(r) : undefined;
}

export async function listEvents(db: Db, where: SQL, limit: number): Promise<EventRow[]> {
  return (await rows<Record<string, unknown>>(db, sql`select ${SELECT} from ${FROM} where ${where} order by e.id desc limit ${limit}`)).map(fromDb);
}

type Later = 'id' | 'version' | 'updatedAt' | 'limits' | 'evidenceRequired' | 'suspendedSeconds' | 'reworkCount' | 'reopenCount' | 'escalationCount' | 'wasOverdue' | 'supervised'
  | 'extensionRequest' | 'suspendedAt' | 'suspendedFrom' | 'mergedInto' | 'closedLevel' | 'closedOnTime' | 'handlingSeconds' | 'rating' | 'ratingComment'
  | 'ratedAt' | 'closedAt' | 'acceptedAt' | 'dispatchedAt' | 'handledAt';
export type NewEvent = Omit<EventRow, Later> & Partial<Pick<EventRow, 'acceptedAt' | 'handledAt'>>;

const value = (k: string, v: unknown): SQL => {
  if (v === null || v === undefined) return sql`null`;
  if (v instanceof Date) return sql`${v.toISOString()}::timestamptz`;
  if (k === 'attributes' || k === 'extensionRequest') return sql`${JSON.stringify(v)}::jsonb`;
  return sql`${v}`;
};

/** `intake`: who filed it and from which device (hashed), for the intake limits. */
export async function insertEvent(db: Db, e: NewEvent, intake: { by: string; device: string | null }): Promise<number> {
  const keys = Object.keys(e).filter((k) => k in COLUMNS) as (keyof typeof COLUMNS)[];
  const cols = sql.raw(keys.map((k) => COLUMNS[k]).join(', '));
  const vals = sql.join(keys.map((k) => value(k, (e as Record<string, unknown>)[k])), sql`, `);
  const [r] = await rows<{ id: string | number }>(db, sql`insert into events (${cols}, intake_by, intake_device, updated_at)
    values (${vals}, ${intake.by}, ${intake.device}, ${e.createdAt.toISOString()}::timestamptz) returning id`);
  return Number(r.id);
}

/** Applies a patch and bumps the version; false when the version moved meanwhile. */
export async function updateEvent(db: Db, id: number, version: number, patch: Partial<EventRow>, now: Date): Promise<boolean> {
  const sets = Object.entries(patch)
    .filter(([k]) => k in COLUMNS && k !== 'id' && k !== 'version')
    .map(([k, v]) => sql`${sql.raw(COLUMNS[k as keyof typeof COLUMNS])} = ${value(k, v)}`);
  const r = await rows<{ id: number }>(db, sql`update events set ${sql.join([...sets, sql`version = version + 1`, sql`updated_at = ${now.toISOString()}::timestamptz`], sql`, `)}
    where id = ${id} and version = ${version} returning id`);
  return r.length === 1;
}

export interface NewTransition {
  eventId: number;
  countyCode: string;
  areaPath: string;
  action: string;
  fromStatus: string | null;
  toStatus: string;
  actorKind: 'staff' | 'citizen' | 'key' | 'system';
  actorId: number | null;
  actorName: string;
  ownerUnitId: number | null;
  assigneeUnitId: number | null;
  assigneeUserId: number | null;
  note: string | null;
  details: Record<string, unknown> | null;
  at: Date;
}

export async function insertTransition(db: Db, t: NewTransition): Promise<number> {
  const [r] = await rows<{ id: string }>(db, sql`insert into event_transitions (event_id, county_code, area_path, action, from_status, to_status, actor_kind, actor_id, actor_name, owner_unit_id, assignee_unit_id, assignee_user_id, note, details, at)
    values (${t.eventId}, ${t.countyCode}, ${t.areaPath}, ${t.action}, ${t.fromStatus}, ${t.toStatus}, ${t.actorKind}, ${t.actorId}, ${t.actorName}, ${t.ownerUnitId}, ${t.assigneeUnitId}, ${t.assigneeUserId}, ${t.note},
      ${t.details ? JSON.stringify(t.details) : null}::jsonb, ${t.at.toISOString()}::timestamptz) returning id`);
  return Number(r.id);
}

export interface TimelineRow {
  id: number;
  eventId: number;
  action: string;
  fromStatus: string | null;
  toStatus: string;
  actorKind: string;
  actorId: number | null;
  actorName: string;
  ownerUnitId: number | null;
  assigneeUnitId: number | null;
  assigneeUserId: number | null;
  note: string | null;
  details: Record<string, unknown> | null;
  at: Date;
}

export async function timeline(db: Db, eventIds: number[]): Promise<TimelineRow[]> {
  const list = await rows<TimelineRow & { at: unknown }>(db, sql`select t.id::int as id, t.event_id::int as "eventId", t.action, t.from_status as "fromStatus", t.to_status as "toStatus",
      t.actor_kind as "actorKind", t.actor_id as "actorId", t.actor_name as "actorName", t.owner_unit_id as "ownerUnitId",
      t.assignee_unit_id as "assigneeUnitId", t.assignee_user_id as "assigneeUserId", t.note, t.details, t.at
    from event_transitions t
    where t.event_id = any(${sql.param(eventIds.map(String))}::bigint[]) order by t.id`);
  return list.map((r) => ({ ...r, at: toDate(r.at)! }));
}

// --- photos

export interface PhotoRow {
  id: number;
  token: string;
  uploader: string;
  originalSha256: string;
  publicSha256: string;
  thumbSha256: string;
  mime: string;
  width: number;
  height: number;
  bytes: number;
  eventId: number | null;
  transitionId: number | null;
  createdAt: Date;
}
const PHOTO = sql.raw(`id::int as id, token, uploader, original_sha256 as "originalSha256", public_sha256 as "publicSha256", thumb_sha256 as "thumbSha256", mime, width, height, bytes,
  event_id::int as "eventId", transition_id::int as "transitionId", created_at as "createdAt"`);
const photoFromDb = (r: PhotoRow) => ({ ...r, createdAt: toDate(r.createdAt)! });

export async function insertPhoto(db: Db, p: Omit<PhotoRow, 'id' | 'eventId' | 'transitionId' | 'createdAt'>): Promise<void> {
  await db.execute(sql`insert into event_photos (token, uploader, original_sha256, public_sha256, thumb_sha256, mime, width, height, bytes)
    values (${p.token}, ${p.uploader}, ${p.originalSha256}, ${p.publicSha256}, ${p.thumbSha256}, ${p.mime}, ${p.width}, ${p.height}, ${p.bytes})`);
}

export async function photosByTokens(db: Db, tokens: string[]): Promise<PhotoRow[]> {
  return (await rows<PhotoRow>(db, sql`select ${PHOTO} from event_photos where token = any(${sql.param(tokens)}::text[]) for update`)).map(photoFromDb);
}

export async function photoByToken(db: Db, token: string): Promise<PhotoRow | undefined> {
  const [r] = await rows<PhotoRow>(db, sql`select ${PHOTO} from event_photos where token = ${token}`);
  return r ? photoFromDb(r) : undefined;
}

export async function attachPhotos(db: Db, tokens: string[], eventId: number, transitionId: number): Promise<void> {
  await db.execute(sql`update event_photos set event_id = ${eventId}, transition_id = ${transitionId} where token = any(${sql.param(tokens)}::text[])`);
}

export async function photosOf(db: Db, eventIds: number[]): Promise<PhotoRow[]> {
  return (await rows<PhotoRow>(db, sql`select ${PHOTO} from event_photos where event_id = any(${sql.param(eventIds.map(String))}::bigint[]) order by id`)).map(photoFromDb);
}

// --- followers

export async function follow(db: Db, eventId: number, userId: number, reason: string): Promise<boolean> {
  const r = await rows<{ e: number }>(db, sql`insert into event_followers (event_id, user_id, reason) values (${eventId}, ${userId}, ${reason}) on conflict do nothing returning 1 as e`);
  return r.length > 0;
}

export async function isFollower(db: Db, eventId: number, userId: number): Promise<boolean> {
  return (await rows(db, sql`select 1 from event_followers where event_id = ${eventId} and user_id = ${userId}`)).length > 0;
}

export async function followers(db: Db, eventId: number): Promise<number[]> {
  return (await rows<{ userId: number }>(db, sql`select user_id as "userId" from event_followers where event_id = ${eventId} order by created_at`)).map((r) => r.userId);
}

// --- idempotency

/**
 * Claims (caller, key) for this transaction. A concurrent claim of the same key waits for this
 * transaction and then finds the stored row; returns that row when the key was taken before.
 */
export async function claimIdempotencyKey(db: Db, caller: string, key: string, hash: string): Promise<{ requestHash: string; eventId: number | null } | null> {
  const claimed = await rows(db, sql`insert into idempotency_keys (caller, key, request_hash) values (${caller}, ${key}, ${hash}) on conflict do nothing returning 1`);
  if (claimed.length) return null;
  const [r] = await rows<{ requestHash: string; eventId: string | null }>(db, sql`select request_hash as "requestHash", event_id as "eventId" from idempotency_keys where caller = ${caller} and key = ${key}`);
  return { requestHash: r.requestHash, eventId: r.eventId === null ? null : Number(r.eventId) };
}

export async function settleIdempotencyKey(db: Db, caller: string, key: string, eventId: number): Promise<void> {
  await db.execute(sql`update idempotency_keys set event_id = ${eventId} where caller = ${caller} and key = ${key}`);
}

export async function purgeIdempotencyKeys(db: Db, before: Date): Promise<number> {
  return (await rows(db, sql`delete from idempotency_keys where created_at < ${before.toISOString()}::timestamptz returning 1`)).length;
}

// --- duplicates

export interface Candidate {
  id: number;
  status: Status;
  lon: number;
  lat: number;
  createdAt: Date;
  description: string;
}

/** Open cases of a category created since `since` inside a lon/lat box (the caller filters by distance). */
export async function openInBox(db: Db, category: string, since: Date, box: [number, number, number, number], exclude: number | null): Promise<Candidate[]> {
  const list = await rows<Candidate & { id: string }>(db, sql`select id, status, lon, lat, created_at as "createdAt", description from events
    where category_code = ${category} and status in ('reported', 'accepted', 'returned', 'dispatched', 'in_progress', 'handled', 'suspended')
      and lat between ${box[1]} and ${box[3]} and lon between ${box[0]} and ${box[2]}
      and created_at >= ${since.toISOString()}::timestamptz and id <> ${exclude ?? 0}
    order by created_at desc limit 50`);
  return list.map((c) => ({ ...c, id: Number(c.id), createdAt: toDate(c.createdAt)! }));
}

/** SQL of the live feed: reads of the case timeline (event_transitions) by id. */
import { sql } from 'drizzle-orm';
import { rows, type Db } from '../../platform/db/database.js';
import { toDate } from './events.repository.js';

export interface Change {
  /** The transition's id (the SSE event id). */
  id: number;
  eventId: number;
  action: string;
  from: string | null;
  to: string;
  /** ISO 8601 UTC */
  at: string;
  countyCode: string;
  /** The org path of the case's area; for scoping, not sent to clients. */
  areaPath: string;
}

interface ChangeDbRow { id: string | number; eventId: string | number; action: string; from: string | null; to: string; at: unknown; countyCode: string; areaPath: string }
const COLS = sql.raw(`id, event_id as "eventId", action, from_status as "from", to_status as "to", at, county_code as "countyCode", area_path as "areaPath"`);
const fromDb = (r: ChangeDbRow): Change => ({ ...r, id: Number(r.id), eventId: Number(r.eventId), at: toDate(r.at)!.toISOString() });

/** The highest transition id (0 when none). */
export async function headChangeId(db: Db): Promise<number> {
  const [r] = await rows<{ id: string | number | null }>(db, sql`select max(id) as id from event_transitions`);
  return Number(r?.id ?? 0);
}

/** Rows after `afterId`, and those of `missing` (ids skipped earlier) that are now visible, by id. */
export async function changesAfter(db: Db, afterId: number, limit: number, missing: number[] = []): Promise<Change[]> {
  const where = missing.length
    ? sql`id > ${afterId} or id = any(${sql.param(missing.map(String))}::bigint[])`
    : sql`id > ${afterId}`;
  return (await rows<ChangeDbRow>(db, sql`select ${COLS} from event_transitions where ${where} order by id limit ${limit + missing.length}`)).map(fromDb);
}

/**
 * A reconnecting client's missed rows: after `afterId`, within `scopePath`, oldest first, looking
 * at no more than `window` ids (so an old or forged Last-Event-ID costs one bounded range scan).
 * `complete` is false when more rows may exist than were returned: the client should reload.
 */
export async function replayChanges(db: Db, scopePath: string, afterId: number, limit: number, window = 100_000): Promise<{ items: Change[]; complete: boolean }> {
  const list = (await rows<ChangeDbRow>(db, sql`select ${COLS} from event_transitions
    where id > ${afterId} and id <= ${afterId + window} and starts_with(area_path, ${scopePath}) order by id limit ${limit + 1}`)).map(fromDb);
  const items = list.slice(0, limit);
  const complete = list.length <= limit && (await headChangeId(db)) <= afterId + window;
  return { items, complete };
}

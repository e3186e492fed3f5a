/** What the case services need, built once by the app, and how an actor stands to a case. */
import type { Database } from '../../platform/db/database.js';
import type { FieldCrypto } from '../../platform/pii/index.js';
import type { BlobStore } from '../../platform/storage/index.js';
import type { Actor } from '../../platform/auth/actor.js';
import type { LocatorService } from '../grids/index.js';
import type { SmsSender } from '../accounts/index.js';
import type { EventRow } from './events.repository.js';
import { allowedActions, type Action, type Party } from './events.lifecycle.js';

export interface EventsContext {
  database: Database;
  locator: LocatorService;
  crypto: FieldCrypto;
  blobs: BlobStore;
  sms: SmsSender;
  /** The time, injectable so tests can move it. */
  now: () => Date;
  /** Cases per reporter (and citizen's device) per hour and day (server config). */
  intakeLimits: { citizen: Limit; staff: Limit; key: Limit; /** a repeat of one's own open case within this is no new case (0: off) */ repeatMinutes: number };
}

export interface Limit { hour: number; day: number }

export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
  /** X-Device-Id: a citizen app's id for the device (a random string it keeps) */
  device?: string | null;
}

export const REPORTER_PHONE_CONTEXT = 'events.reporter_phone';

/** Who acts: the org path prefix of staff and keys; nothing for citizens. */
const scope = (actor: Actor) => (actor.kind === 'citizen' ? null : actor.scopePath);

/** The parties the actor is to the case (events.lifecycle decides what each may do). */
export function partiesOf(actor: Actor, e: EventRow): Party[] {
  const parties: Party[] = [];
  if (actor.kind === 'staff') {
    if (actor.permissions.has('events.manage') && e.ownerPath.startsWith(actor.scopePath)) parties.push('center');
    if (actor.permissions.has('events.work') && (e.assigneeUserId === actor.id || (e.assigneeUserId === null && e.assigneeUnitId === actor.orgId))) parties.push('assignee');
    if (actor.roles.includes('leader') && actor.permissions.has('events.supervise') && e.areaPath.startsWith(actor.scopePath)) parties.push('leader');
  }
  // a key reports for someone (an Open311 client for its user): it stands as the reporter of the cases it reported
  if (actor.kind === 'key' ? e.reporterKeyId === actor.id : e.reporterUserId === actor.id) parties.push('reporter');
  return parties;
}

/**
 * What the actor may do to the case now: the state machine's actions for their parties, less those
 * the case's own facts rule out (so a button never leads to a 409, and a 409 lists exactly these).
 */
export function actionsFor(actor: Actor, e: EventRow): Action[] {
  return allowedActions(e.status, partiesOf(actor, e)).filter((a) => {
    switch (a) {
      case 'grant_extension': case 'deny_extension': return e.extensionRequest !== null;
      case 'request_extension': return e.extensionRequest === null;
      case 'rate': return e.rating === null && actor.kind !== 'key';
      case 'escalate': return e.ownerLevel !== 'province';
      default: return true;
    }
  });
}

/**
 * Whether the actor may see the case: staff and keys with events.read within their subtree (where
 * it is, who owns it, who has it) or as its assignee; citizens when they reported or follow it.
 */
export function canSee(actor: Actor, e: EventRow, follower: boolean): boolean {
  if (actor.kind === 'citizen') return e.reporterUserId === actor.id || follower;
  if (!actor.permissions.has('events.read')) return actor.kind === 'key' && e.reporterKeyId === actor.id;
  const s = scope(actor)!;
  return e.areaPath.startsWith(s) || e.ownerPath.startsWith(s) || (e.assigneePath?.startsWith(s) ?? false) || (actor.kind === 'staff' && e.assigneeUserId === actor.id);
}

/** Staff see who reported (masked); citizens and keys see only the public view. */
export const isStaff = (actor: Actor) => actor.kind === 'staff';

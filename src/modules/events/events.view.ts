/**
 * Cases as the API shows them: names resolved in one query per page, the reporter only for staff
 * (masked, withheld when anonymous), what the caller may do now, and for the detail the timeline
 * with its photos.
 */
import type { Actor } from '../../platform/auth/actor.js';
import type { Db } from '../../platform/db/database.js';
import { redactPersonalData as redact } from '../../platform/pii/index.js';
import * as accounts from '../accounts/index.js';
import * as org from '../org/index.js';
import { ACTION_NAMES, STATUS_NAMES } from './events.lifecycle.js';
import { actionsFor } from './events.context.js';
import * as repo from './events.repository.js';
import type { EventRow, PhotoRow } from './events.repository.js';
import type { EventViewT } from './events.schemas.js';
import { sql } from 'drizzle-orm';
import { rows } from '../../platform/db/database.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

interface Names {
  units: Map<number, org.UnitRow>;
  byCode: Map<string, org.UnitRow>;
  users: Map<number, string>;
  categories: Map<string, { name: string; nameEn: string }>;
}

async function names(db: Db, list: EventRow[]): Promise<Names> {
  const ids = new Set<number>();
  const codes = new Set<string>();
  const users = new Set<number>();
  for (const e of list) {
    for (const id of [e.ownerUnitId, e.assigneeUnitId, e.handlerUnitId]) if (id) ids.add(id);
    codes.add(e.gridCode ?? e.villageCode ?? e.townshipCode ?? e.countyCode);
    if (e.assigneeUserId) users.add(e.assigneeUserId);
  }
  const [units, areas, people, cats] = await Promise.all([
    org.findByIds(db, [...ids]),
    org.findByCodes(db, [...codes]),
    accounts.displayNames(db, [...users]),
    rows<{ code: string; name: string; nameEn: string }>(db, sql`select code, name, name_en as "nameEn" from event_categories where code = any(${sql.param([...new Set(list.map((e) => e.categoryCode))])}::text[])`),
  ]);
  return {
    units: new Map(units.map((u) => [u.id, u])),
    byCode: new Map(areas.map((u) => [u.code, u])),
    users: people,
    categories: new Map(cats.map((c) => [c.code, c])),
  };
}

const ref = (u: org.UnitRow | undefined) => (u ? { id: u.id, code: u.code, name: u.name } : null);

function view(actor: Actor, e: EventRow, n: Names): EventViewT {
  const cat = n.categories.get(e.categoryCode);
  const areaCode = e.gridCode ?? e.villageCode ?? e.townshipCode ?? e.countyCode;
  const staff = actor.kind === 'staff';
  // a citizen following someone else's case reads it with personal data hidden
  const others = actor.kind === 'citizen' && e.reporterUserId !== actor.id;
  const hide = (text: string | null) => (others ? redact(text) : text);
  return {
    id: e.id, version: e.version, status: e.status, statusName: STATUS_NAMES[e.status],
    category: { code: e.categoryCode, name: cat?.name ?? e.categoryCode, nameEn: cat?.nameEn ?? e.categoryCode, version: e.categoryVersion },
    priority: e.priority, urgent: e.urgent, channel: e.channel, description: hide(e.description)!, address: hide(e.address), attributes: others ? redactedAttributes(e.attributes) : e.attributes,
    location: e.lon !== null && e.lat !== null ? { lon: e.lon, lat: e.lat } : null,
    area: { city: e.cityCode, county: e.countyCode, township: e.townshipCode, village: e.villageCode, grid: e.gridCode, name: n.byCode.get(areaCode)?.name ?? areaCode },
    owner: ref(n.units.get(e.ownerUnitId)) ?? { id: e.ownerUnitId, code: '', name: '' },
    handler: e.handlerUnitId ? ref(n.units.get(e.handlerUnitId)) : null,
    assignee: {
      unit: e.assigneeUnitId ? ref(n.units.get(e.assigneeUnitId)) : null,
      // the person is for staff; the public sees the unit
      user: e.assigneeUserId && actor.kind !== 'citizen' ? { id: e.assigneeUserId, name: n.users.get(e.assigneeUserId) ?? '' } : null,
    },
    deadline: { stage: e.stage, state: e.deadlineState, startedAt: iso(e.stageStartedAt), warnAt: iso(e.stageWarnAt), dueAt: iso(e.stageDueAt), escalateAt: iso(e.stageEscalateAt) },
    dueAt: iso(e.dueAt), supervised: e.supervised,
    extensionRequest: e.extensionRequest ? { until: e.extensionRequest.until, reason: actor.kind === 'citizen' ? redact(e.extensionRequest.reason) : e.extensionRequest.reason } : null,
    reworkCount: e.reworkCount, reopenCount: e.reopenCount, escalationCount: e.escalationCount, resolvedOnSpot: e.resolvedOnSpot, mergedInto: e.mergedInto,
    reporter: staff ? { name: e.anonymous ? '匿名' : e.reporterName, phone: e.anonymous ? null : e.reporterPhoneMasked, anonymous: e.anonymous } : null,
    acceptedAt: iso(e.acceptedAt), dispatchedAt: iso(e.dispatchedAt), handledAt: iso(e.handledAt), closedAt: iso(e.closedAt),
    closedOnTime: e.closedOnTime, closedLevel: e.closedLevel, handlingSeconds: e.handlingSeconds, rating: e.rating, ratingComment: hide(e.ratingComment),
    createdAt: e.createdAt.toISOString(), updatedAt: e.updatedAt.toISOString(),
    allowedActions: actionsFor(actor, e),
  };
}

function redactedAttributes(attributes: EventRow['attributes']): EventRow['attributes'] {
  return Object.fromEntries(Object.entries(attributes ?? {}).map(([k, v]) => [k, typeof v === 'string' ? redact(v) : Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? redact(x) : x)) : v]));
}

export async function toViews(db: Db, actor: Actor, list: EventRow[]): Promise<EventViewT[]> {
  if (!list.length) return [];
  const n = await names(db, list);
  return list.map((e) => view(actor, e, n));
}

export function photoView(p: PhotoRow, staff: boolean) {
  const base = `/api/v1/photos/${p.token}`;
  return { token: p.token, mime: p.mime, width: p.width, height: p.height, url: base, thumbnailUrl: `${base}/thumb`, originalUrl: staff ? `${base}/original` : null };
}

/** The timeline with each transition's photos; citizens do not see staff names, only roles. */
export async function timelineView(db: Db, actor: Actor, eventIds: number[], photos: PhotoRow[]) {
  const staff = actor.kind === 'staff' || actor.kind === 'key';
  const list = await repo.timeline(db, eventIds);
  const unitIds = new Set<number>();
  for (const t of list) for (const id of [t.ownerUnitId, t.assigneeUnitId]) if (id) unitIds.add(id);
  const [units, people] = await Promise.all([
    org.findByIds(db, [...unitIds]).then((found) => new Map(found.map((u) => [u.id, u.name]))),
    accounts.displayNames(db, [...new Set(list.flatMap((t) => (t.assigneeUserId ? [t.assigneeUserId] : [])))]),
  ]);
  const unitName = (id: number | null) => (id ? units.get(id) ?? null : null);
  return list.map((t) => ({
    id: t.id,
    eventId: t.eventId,
    action: t.action,
    actionName: ACTION_NAMES[t.action as keyof typeof ACTION_NAMES] ?? SYSTEM_ACTIONS[t.action] ?? { zh: t.action, en: t.action },
    from: t.fromStatus,
    to: t.toStatus,
    actor: { kind: t.actorKind, name: staff || t.actorKind === 'citizen' || t.actorKind === 'system' ? t.actorName : STAFF_LABEL },
    owner: unitName(t.ownerUnitId),
    assignee: assigneeOf(unitName(t.assigneeUnitId), t.assigneeUserId ? people.get(t.assigneeUserId) ?? null : null, staff),
    // the public sees the notes meant for it; internal ones (returns, extensions, instructions) only staff
    // and what others wrote in them with personal data hidden
    note: staff ? t.note : PUBLIC_NOTES.has(t.action) ? (t.actorKind === 'citizen' && t.actorId === actor.id ? t.note : redact(t.note)) : null,
    details: staff ? t.details : null,
    photos: photos.filter((p) => p.transitionId === t.id).map((p) => photoView(p, actor.kind === 'staff')),
    at: t.at.toISOString(),
  }));
}

/** The unit that has the case, and for staff the person too. */
const assigneeOf = (unit: string | null, person: string | null, staff: boolean) => (person && staff ? `${unit ?? ''} ${person}`.trim() : unit);

const STAFF_LABEL = '工作人员';
const PUBLIC_NOTES = new Set(['report', 'report_resolved', 'accept', 'reject', 'report_handled', 'verify_pass', 'add_info', 'withdraw', 'reopen', 'rate', 'merge', 'merged_in']);
const SYSTEM_ACTIONS: Record<string, { zh: string; en: string }> = {
  report: { zh: '上报', en: 'reported' },
  report_resolved: { zh: '巡查上报（就地解决）', en: 'reported, resolved on the spot' },
  overdue: { zh: '超期', en: 'overdue' },
  auto_escalate: { zh: '超时自动上报并督办', en: 'escalated for being overdue' },
  merged_in: { zh: '并入重复报告', en: 'a duplicate merged in' },
};

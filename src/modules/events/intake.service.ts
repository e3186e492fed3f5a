/**
 * Intake: every channel (citizen app, grid-worker patrol, hotline operator, integration key)
 * goes through `reportEvent`, in one transaction: category, location → grid and center,
 * idempotency, photos, the first transition, the audit row, the alerts of urgent cases.
 */
import crypto from 'node:crypto';
import { latLngToCell } from 'h3-js';
import { recordAudit, canonicalJson } from '../../platform/audit/index.js';
import { auditActor, type Actor } from '../../platform/auth/actor.js';
import { AppError } from '../../platform/errors.js';
import { assertPhone, maskPhone } from '../../platform/pii/index.js';
import type { Db } from '../../platform/db/database.js';
import type { Crs } from '../grids/index.js';
import * as org from '../org/index.js';
import { getCategory, type Category } from './categories.service.js';
import { clockFor } from './events.clock.js';
import { REPORTER_PHONE_CONTEXT, type EventsContext, type RequestMeta } from './events.context.js';
import * as repo from './events.repository.js';
import type { Channel, EventRow } from './events.repository.js';
import { findDuplicates, type DuplicateCandidate } from './duplicates.js';
import { notifyUsers, notifyWebhooks, staffOf } from './notify.js';
import { claimPhotos } from './photos.service.js';
import { validateAttributes } from './attributes.js';
import { assertIntakeAllowed, deviceKey, limitOf, lockIntake, repeatOf } from './intake-limits.js';

export interface IntakeInput {
  categoryCode: string;
  description: string;
  location?: { lon: number; lat: number; crs?: Crs };
  /** Instead of a point: an area (village, grid, township) chosen from the tree, with an address. */
  unitCode?: string;
  address?: string;
  attributes?: Record<string, unknown>;
  photos?: string[];
  /** The reporter's name is withheld from handlers (the center still reaches them through the system). */
  anonymous?: boolean;
  /** Staff only: which staff channel (a grid worker's patrol, an operator's hotline call). */
  channel?: 'patrol' | 'hotline';
  /** Hotline: the caller. Integration: the person the key reports for (an Open311 client's name and phone). */
  caller?: { name?: string; phone?: string };
  /** Integration: a note on the report's timeline row (an Open311 media_url). */
  note?: string;
  /** Patrol: already resolved on the spot (就地解决), with evidence: goes straight to verification. */
  resolvedOnSpot?: boolean;
}

export interface IntakeResult {
  event: EventRow;
  duplicates: DuplicateCandidate[];
  replayed: boolean;
  /** The report repeated the reporter's own open case of a few minutes ago: `event` is that case, nothing new was stored. */
  repeated?: boolean;
}

export const MAX_PHOTOS = 9;
export const MAX_DESCRIPTION = 4000;

/** The channel follows from who reports; staff say which of theirs, and must hold its permission. */
function channelOf(actor: Actor, input: IntakeInput): Channel {
  if (actor.kind === 'citizen') {
    if (!actor.permissions.has('events.report')) throw new AppError('FORBIDDEN', { zh: '无上报权限', en: 'You may not report (needs events.report)' });
    return 'citizen';
  }
  if (actor.kind === 'key') {
    if (!actor.permissions.has('events.report')) throw new AppError('FORBIDDEN', { zh: '该 API 密钥无上报权限（events.report）', en: 'This API key may not report (needs events.report)' });
    return 'integration';
  }
  const ch = input.channel;
  if (!ch) throw new AppError('VALIDATION_FAILED', { zh: '工作人员上报须注明渠道：patrol（巡查）或 hotline（热线）', en: 'Staff must give the channel: patrol or hotline' }, { field: 'channel' });
  const perm = ch === 'patrol' ? 'events.patrol' : 'events.hotline';
  if (!actor.permissions.has(perm)) throw new AppError('FORBIDDEN', { zh: `无权通过该渠道上报（需要权限 ${perm}）`, en: `You may not report through ${ch} (needs ${perm})` });
  return ch;
}

interface Place {
  cityCode: string; countyCode: string; townshipCode: string | null; villageCode: string | null; gridCode: string | null;
  areaPath: string; townshipPath: string | null; lon: number | null; lat: number | null; center: org.UnitRow;
}

/** Where the case is: from a point (the locator) or from a chosen area unit. */
async function placeOf(ctx: EventsContext, db: Db, input: IntakeInput): Promise<Place> {
  let codes: { city: string | null; county: string; township: string | null; village: string | null; grid: string | null };
  let lon: number | null = null, lat: number | null = null;
  if (input.location) {
    const loc = ctx.locator.locate(input.location.lon, input.location.lat, input.location.crs ?? 'wgs84');
    codes = { city: loc.city?.code ?? null, county: loc.county.code, township: loc.township?.code ?? null, village: loc.village?.code ?? null, grid: loc.grid?.code ?? null };
    lon = loc.wgs84.lon;
    lat = loc.wgs84.lat;
  } else if (input.unitCode) {
    const unit = await org.getUnit(db, input.unitCode).catch(() => null);
    if (!unit || unit.kind !== 'area' || !['township', 'village', 'grid'].includes(unit.level)) {
      throw new AppError('INVALID_DATA', { zh: `所选区域 ${input.unitCode} 不存在或不是乡镇、村社区或网格`, en: `${input.unitCode} is not a known township, village or grid` }, { field: 'unitCode' });
    }
    const chain = [...(await org.ancestorsOf(db, unit.code)), unit];
    const at = (level: string) => chain.find((u) => u.level === level)?.code ?? null;
    codes = { city: at('city'), county: at('county')!, township: at('township'), village: at('village'), grid: at('grid') };
  } else {
    throw new AppError('VALIDATION_FAILED', { zh: '请提供位置（经纬度）或选择所在区域', en: 'Give a location (lon/lat) or choose an area' }, { field: 'location' });
  }
  const areaCode = codes.grid ?? codes.village ?? codes.township ?? codes.county;
  const ownerArea = codes.township ?? codes.county;
  const units = await org.findByCodes(db, [areaCode, ownerArea, org.centerCode(ownerArea)]);
  const area = units.find((u) => u.code === areaCode);
  const center = units.find((u) => u.code === org.centerCode(ownerArea));
  const township = units.find((u) => u.code === codes.township);
  if (!area || !center) throw new AppError('OUTSIDE_JURISDICTION', { zh: '该位置没有负责的综治中心', en: 'No governance center is responsible for this location' });
  return {
    cityCode: codes.city ?? codes.county.slice(0, 4), countyCode: codes.county, townshipCode: codes.township, villageCode: codes.village, gridCode: codes.grid,
    areaPath: area.path, townshipPath: township?.path ?? null, lon, lat, center,
  };
}

/** Staff and keys report within their subtree; a grid worker anywhere in the township of their grid. */
function assertWithinReach(actor: Actor, place: Place): void {
  if (actor.kind === 'citizen') return;
  if (place.areaPath.startsWith(actor.scopePath)) return;
  if (actor.kind === 'staff' && actor.roles.includes('grid_worker') && place.townshipPath && actor.scopePath.startsWith(place.townshipPath)) return;
  throw new AppError('OUTSIDE_JURISDICTION', { zh: '该位置不在您的管辖范围内', en: 'This location is outside your area' }, { field: 'location' });
}

/** The platform (of the township) or department (of the county) the category says handles it. */
async function handlerUnit(db: Db, category: Category, place: Place): Promise<org.UnitRow | null> {
  const kebab = category.handler.type.replace(/_/g, '-');
  const code = category.handler.kind === 'platform'
    ? (place.townshipCode ? `${place.townshipCode}-platform-${kebab}` : null)
    : `${place.countyCode}-dept-${kebab}`;
  if (!code) return null;
  return (await org.findByCodes(db, [code]))[0] ?? null;
}

export function requestHash(input: IntakeInput): string {
  return crypto.createHash('sha256').update(canonicalJson(input as unknown as Record<string, unknown>)).digest('hex');
}

export const callerOf = (actor: Actor) => `${actor.kind}:${actor.id}`;

/**
 * `within` runs inside the intake's transaction once the case and its first transition exist (not
 * on a replay): an adapter (Open311) stores what belongs to the case — its extras, a photo sent
 * with the report — in the same transaction, so nothing is half-written.
 */
export async function reportEvent(ctx: EventsContext, actor: Actor, input: IntakeInput, meta: RequestMeta, idempotencyKey?: string, within?: (tx: Db, eventId: number, transitionId: number) => Promise<void>): Promise<IntakeResult> {
  const channel = channelOf(actor, input);
  const description = input.description.trim();
  if (!description) throw new AppError('VALIDATION_FAILED', { zh: '请填写问题描述', en: 'The description is empty' }, { field: 'description' });
  if (input.resolvedOnSpot && channel !== 'patrol') {
    throw new AppError('VALIDATION_FAILED', { zh: '只有网格员巡查上报可以标记为就地解决', en: 'Only a patrol report can be resolved on the spot' }, { field: 'resolvedOnSpot' });
  }
  if (input.caller && channel !== 'hotline' && channel !== 'integration') throw new AppError('VALIDATION_FAILED', { zh: '来电人信息只用于热线受理和系统对接', en: 'Caller details are for hotline and integration reports only' }, { field: 'caller' });
  if (input.note !== undefined && channel !== 'integration') throw new AppError('VALIDATION_FAILED', { zh: '上报备注只用于系统对接', en: 'A report note is for integration reports only' }, { field: 'note' });
  const photos = [...new Set(input.photos ?? [])];
  const callerPhone = input.caller?.phone ? assertPhone(input.caller.phone, 'caller.phone') : null;
  const now = ctx.now();
  const caller = callerOf(actor);

  return ctx.database.transaction(async (tx) => {
    if (idempotencyKey) {
      const prior = await repo.claimIdempotencyKey(tx, caller, idempotencyKey, requestHash(input));
      if (prior) {
        if (prior.requestHash !== requestHash(input) || prior.eventId === null) {
          throw new AppError('CONFLICT', {
            zh: '该 Idempotency-Key 已用于另一份不同的上报；重试时请保持内容不变，新的上报请使用新的键',
            en: 'This Idempotency-Key was used for a different report; retry with the same body, or use a new key for a new report',
          }, { field: 'Idempotency-Key' });
        }
        return { event: (await repo.getEvent(tx, prior.eventId))!, duplicates: [], replayed: true };
      }
    }
    const category = await getCategory(tx, input.categoryCode).catch(() => null);
    if (!category || !category.active) {
      throw new AppError('INVALID_DATA', { zh: `未知或已停用的事件类别：${input.categoryCode}`, en: `Unknown or retired category: ${input.categoryCode}` }, { field: 'categoryCode' });
    }
    const attributes = validateAttributes(category.fields, input.attributes ?? {});
    const place = await placeOf(ctx, tx, input);
    assertWithinReach(actor, place);
    if (input.resolvedOnSpot && category.evidenceRequired && photos.length === 0) {
      throw new AppError('VALIDATION_FAILED', { zh: `「${category.name}」就地解决须上传处置照片`, en: `Resolving ${category.nameEn} on the spot needs a photo` }, { field: 'photos' });
    }
    // the reporter's own report of a few minutes ago again (no new photo): answered with that case
    const device = actor.kind === 'citizen' ? deviceKey(meta.device) : null;
    await lockIntake(tx, caller, device);
    if (photos.length === 0) {
      const first = await repeatOf(tx, caller, { categoryCode: category.code, description, lon: place.lon, lat: place.lat }, now, ctx.intakeLimits.repeatMinutes);
      if (first !== null) {
        if (idempotencyKey) await repo.settleIdempotencyKey(tx, caller, idempotencyKey, first);
        return { event: (await repo.getEvent(tx, first))!, duplicates: [], replayed: false, repeated: true };
      }
    }
    await assertIntakeAllowed(tx, limitOf(ctx, actor), caller, device, now);
    const handler = await handlerUnit(tx, category, place);
    const duplicates = place.lon !== null && place.lat !== null ? await findDuplicates(tx, category.code, place.lon, place.lat, now, null) : [];

    const onSpot = !!input.resolvedOnSpot && actor.kind === 'staff';
    const status = onSpot ? 'handled' : 'reported';
    const clock = clockFor(status, category.limits, now);
    const reporterName = actor.kind === 'key' ? (input.caller?.name?.trim() || actor.name) : channel === 'hotline' ? (input.caller?.name?.trim() || null) : actor.name;
    const id = await repo.insertEvent(tx, {
      cityCode: place.cityCode, countyCode: place.countyCode, townshipCode: place.townshipCode, villageCode: place.villageCode, gridCode: place.gridCode,
      areaPath: place.areaPath, lon: place.lon, lat: place.lat, h3: place.lon !== null ? latLngToCell(place.lat!, place.lon, 9) : null,
      address: input.address?.trim() || null, categoryCode: category.code, categoryVersion: category.version, priority: category.priority, urgent: category.urgent,
      description, attributes, channel,
      reporterUserId: actor.kind === 'key' || channel === 'hotline' ? null : actor.id,
      reporterKeyId: actor.kind === 'key' ? actor.id : null,
      reporterName, reporterPhoneEnc: callerPhone ? ctx.crypto.encrypt(callerPhone, REPORTER_PHONE_CONTEXT) : null,
      reporterPhoneMasked: callerPhone ? maskPhone(callerPhone) : null, anonymous: !!input.anonymous,
      status, ownerUnitId: place.center.id, ownerPath: place.center.path, ownerLevel: place.center.level, handlerUnitId: handler?.id ?? null,
      assigneeUnitId: onSpot && actor.kind === 'staff' ? actor.orgId : null, assigneePath: null, assigneeUserId: onSpot ? actor.id : null,
      ...clock, dueAt: onSpot ? now : null, resolvedOnSpot: onSpot, handledAt: onSpot ? now : null, acceptedAt: onSpot ? now : null, createdAt: now,
    }, { by: caller, device });
    const transitionId = await repo.insertTransition(tx, {
      eventId: id, countyCode: place.countyCode, areaPath: place.areaPath, action: onSpot ? 'report_resolved' : 'report', fromStatus: null, toStatus: status,
      actorKind: actor.kind, actorId: actor.id, actorName: actor.kind === 'key' ? actor.name : (reporterName ?? actor.name), ownerUnitId: place.center.id, assigneeUnitId: null, assigneeUserId: null,
      note: input.note?.trim().slice(0, 2000) || null, details: { channel, ...(duplicates.length ? { duplicateCandidates: duplicates.map((d) => d.id) } : {}) }, at: now,
    });
    if (photos.length) await claimPhotos(tx, caller, photos, id, transitionId);
    if (actor.kind !== 'key' && channel !== 'hotline') await repo.follow(tx, id, actor.id, 'reporter');
    if (idempotencyKey) await repo.settleIdempotencyKey(tx, caller, idempotencyKey, id);
    if (within) await within(tx, id, transitionId);
    await recordAudit(tx, {
      ...auditActor(actor, meta), action: 'event.report', result: 'success', targetType: 'event', targetId: String(id),
      details: { channel, category: category.code, status, area: place.gridCode ?? place.villageCode ?? place.townshipCode ?? place.countyCode, photos: photos.length },
    });
    const notice = { kind: 'event.reported', eventId: id, title: { zh: `新上报：${category.name}（#${id}）`, en: `New report: ${category.nameEn} (#${id})` }, payload: { status, category: category.code } };
    if (category.urgent) await alertUrgent(tx, place, { ...notice, kind: 'event.urgent', title: { zh: `紧急：${category.name}（#${id}）`, en: `Urgent: ${category.nameEn} (#${id})` } }, now);
    await notifyWebhooks(tx, place.areaPath, notice, now);
    return { event: (await repo.getEvent(tx, id))!, duplicates, replayed: false };
  });
}

/** An urgent case (a missing elder) alerts at once the owning center, the county center and the county public-security department. */
async function alertUrgent(tx: Db, place: Place, notice: Parameters<typeof notifyUsers>[2], now: Date): Promise<void> {
  const units = await org.findByCodes(tx, [org.centerCode(place.countyCode), `${place.countyCode}-dept-public-security`]);
  const ids = [place.center.id, ...units.map((u) => u.id)];
  const staff = await staffOf(tx, ids, ['operator', 'handler', 'leader']);
  await notifyUsers(tx, staff, notice, { sms: true, now });
}

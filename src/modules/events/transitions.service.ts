/**
 * Transitions: one function, `act`, for every action of the lifecycle. In one transaction it
 * locks the case, checks the version (optimistic concurrency: a stale change is a 409), asks the
 * state machine, applies the action's own rules, writes the case, the timeline row, the photos,
 * the audit row and the notifications.
 */
import { recordAudit } from '../../platform/audit/index.js';
import { auditActor, type Actor } from '../../platform/auth/actor.js';
import { AppError, type Message } from '../../platform/errors.js';
import type { Db } from '../../platform/db/database.js';
import { redactPersonalData as redact } from '../../platform/pii/index.js';
import * as accounts from '../accounts/index.js';
import * as org from '../org/index.js';
import { clockFor, handlingDue, shifted } from './events.clock.js';
import { actionsFor, canSee, partiesOf, type EventsContext, type RequestMeta } from './events.context.js';
import { ACTION_NAMES, decide, isOpen, type Action } from './events.lifecycle.js';
import * as repo from './events.repository.js';
import type { EventRow } from './events.repository.js';
import { notifyUsers, notifyWebhooks, staffOf, type Notice } from './notify.js';
import { claimPhotos, MAX_PHOTOS } from './photos.service.js';

export const REOPEN_WINDOW_MS = 7 * 86_400_000;

export interface ActionInput {
  version: number;
  note?: string;
  photos?: string[];
  /** dispatch: a person (grid worker, handler) or a unit (platform, department, grid); default: the category's handler */
  assignee?: { userId?: number; unitCode?: string };
  /** dispatch: the handling deadline, instead of the category's */
  dueAt?: string;
  /** request_extension: the deadline asked for */
  until?: string;
  /** merge: the case this one duplicates */
  into?: number;
  /** rate */
  rating?: number;
}

/** What an action changes beyond the state machine's `to`; built by the action's rule. */
interface Effect {
  patch: Partial<EventRow>;
  details?: Record<string, unknown>;
  /** notices to send after the change, in the same transaction */
  notify?: (tx: Db, e: EventRow) => Promise<void>;
}

interface Step {
  ctx: EventsContext;
  tx: Db;
  actor: Actor;
  e: EventRow;
  input: ActionInput;
  now: Date;
  to: EventRow['status'];
}

const need = (v: string | undefined, field: string, what: Message): string => {
  const s = v?.trim();
  if (!s) throw new AppError('VALIDATION_FAILED', { zh: `请填写${what.zh}`, en: `${what.en} is required` }, { field });
  return s;
};
const conflict = (zh: string, en: string, field?: string) => new AppError('CONFLICT', { zh, en }, { field });

/** Staff of a unit who work cases (handlers, grid workers); the person when one is named. */
async function assigneesOf(tx: Db, e: EventRow): Promise<number[]> {
  if (e.assigneeUserId) return [e.assigneeUserId];
  if (e.assigneeUnitId) return staffOf(tx, [e.assigneeUnitId], ['handler', 'grid_worker']);
  return [];
}
const centerStaff = (tx: Db, e: EventRow) => staffOf(tx, [e.ownerUnitId], ['operator']);
const reporters = async (tx: Db, e: EventRow) => repo.followers(tx, e.id);

function notice(e: EventRow, kind: string, zh: string, en: string): Notice {
  return { kind, eventId: e.id, title: { zh: `${zh}（#${e.id}）`, en: `${en} (#${e.id})` }, payload: { status: e.status } };
}

/** Whom a dispatch goes to: a named staff member, a unit, or by default the category's handler unit. */
async function resolveAssignee(s: Step): Promise<{ unit: org.UnitRow; userId: number | null }> {
  const { tx, e, input } = s;
  const ownerArea = e.ownerPath.replace(/\d+\/$/, '');
  const countyUnit = (await org.findByCodes(tx, [e.countyCode]))[0];
  const reachable = (u: org.UnitRow) => u.path.startsWith(ownerArea) || (u.kind === 'department' && countyUnit && u.path.startsWith(countyUnit.path));
  const refuse = (zh: string, en: string) => new AppError('INVALID_DATA', { zh, en }, { field: 'assignee' });
  if (input.assignee?.userId !== undefined) {
    const person = await accounts.staffById(tx, input.assignee.userId);
    if (!person || person.disabled || !person.roles.some((r) => r === 'grid_worker' || r === 'handler')) {
      throw refuse('指派对象不存在、已停用，或不是网格员/处置人员', 'The assignee does not exist, is disabled, or is not a grid worker or handler');
    }
    const [unit] = await org.findByIds(tx, [person.orgId]);
    if (!reachable(unit)) throw refuse('指派对象不在本中心的辖区内', 'The assignee is outside this center’s area');
    return { unit, userId: person.id };
  }
  const unit = input.assignee?.unitCode
    ? (await org.findByCodes(tx, [input.assignee.unitCode]))[0]
    : e.handlerUnitId ? (await org.findByIds(tx, [e.handlerUnitId]))[0] : undefined;
  if (!unit) throw refuse('请选择承办单位或人员（该类别没有默认承办单位）', 'Choose a unit or person (the category has no default handler here)');
  if (unit.kind === 'center' || (unit.kind === 'area' && !['grid', 'village'].includes(unit.level))) {
    throw refuse('只能派遣给网格、村社区、平台、部门或个人', 'Dispatch goes to a grid, village, platform, department or person');
  }
  if (!reachable(unit)) throw refuse('承办单位不在本中心的辖区内', 'The unit is outside this center’s area');
  return { unit, userId: null };
}

const futureDate = (v: string | undefined, field: string, now: Date, after?: Date | null): Date | undefined => {
  if (v === undefined) return undefined;
  const d = new Date(v);
  if (Number.isNaN(d.getTime()) || d <= now || (after && d <= after)) {
    throw new AppError('VALIDATION_FAILED', { zh: '期限必须是将来的时间' + (after ? '，且晚于当前期限' : ''), en: 'The deadline must be in the future' + (after ? ', after the current one' : '') }, { field });
  }
  return d;
};

type Rule = (s: Step) => Promise<Effect> | Effect;

const RULES: Record<Action, Rule> = {
  accept: ({ e, now, to }) => ({
    patch: { acceptedAt: now, ...clockFor(to, e.limits, now) },
    notify: async (tx, x) => notifyUsers(tx, await reporters(tx, x), notice(x, 'event.accepted', '您的报告已受理立案', 'Your report was accepted'), { sms: true, now }),
  }),
  reject: ({ e, input, now, to }) => {
    const reason = need(input.note, 'note', { zh: '不予立案的理由', en: 'The reason' });
    return {
      patch: clockFor(to, e.limits, now), details: { reason },
      // the reporter and followers (citizens) read the staff's reason with personal data hidden
      notify: async (tx, x) => notifyUsers(tx, await reporters(tx, x), notice(x, 'event.rejected', `您的报告不予立案：${redact(reason)}`, `Your report was not accepted: ${redact(reason)}`), { sms: true, now }),
    };
  },
  dispatch: async (s) => {
    const { e, now, to, input } = s;
    const who = await resolveAssignee(s);
    const dueAt = futureDate(input.dueAt, 'dueAt', now) ?? handlingDue(e.limits, now);
    return {
      patch: { assigneeUnitId: who.unit.id, assigneePath: who.unit.path, assigneeUserId: who.userId, dispatchedAt: now, dueAt, extensionRequest: null, ...clockFor(to, e.limits, now) },
      details: { assignee: { unit: who.unit.code, userId: who.userId }, dueAt: dueAt.toISOString() },
      notify: async (tx, x) => notifyUsers(tx, await assigneesOf(tx, x), notice(x, 'event.dispatched', '您有新的派遣任务', 'A case was dispatched to you'), { sms: true, now }),
    };
  },
  sign: ({ actor, e, now, to }) => ({
    patch: { assigneeUserId: actor.id, ...clockFor(to, e.limits, now, e.dueAt && e.dueAt > now ? e.dueAt : null) },
  }),
  return: ({ e, input, now, to }) => {
    const reason = need(input.note, 'note', { zh: '退回理由', en: 'The reason' });
    return {
      patch: { assigneeUnitId: null, assigneePath: null, assigneeUserId: null, extensionRequest: null, ...clockFor(to, e.limits, now) },
      details: { reason, from: { unitId: e.assigneeUnitId, userId: e.assigneeUserId } },
      notify: async (tx, x) => notifyUsers(tx, await centerStaff(tx, x), notice(x, 'event.returned', `案件被退回：${reason}`, `A case was returned: ${reason}`), { now }),
    };
  },
  request_extension: ({ actor, e, input, now }) => {
    if (e.extensionRequest) throw conflict('已有待审批的延期申请', 'An extension request is already pending');
    const reason = need(input.note, 'note', { zh: '延期理由', en: 'The reason' });
    const until = futureDate(input.until, 'until', now, e.stageDueAt);
    if (!until) throw new AppError('VALIDATION_FAILED', { zh: '请填写申请延期到的时间', en: 'Give the deadline asked for (until)' }, { field: 'until' });
    return {
      patch: { extensionRequest: { until: until.toISOString(), reason, by: actor.id, at: now.toISOString() } }, details: { until: until.toISOString(), reason },
      notify: async (tx, x) => notifyUsers(tx, await centerStaff(tx, x), notice(x, 'event.extension_requested', '有新的延期申请', 'An extension was requested'), { now }),
    };
  },
  grant_extension: ({ e, now, to }) => {
    if (!e.extensionRequest) throw conflict('没有待审批的延期申请', 'No extension request is pending');
    const until = new Date(e.extensionRequest.until);
    const clock = clockFor(to, e.limits, e.stageStartedAt ?? now, until);
    return {
      patch: { extensionRequest: null, dueAt: until, ...clock, deadlineState: 'normal', nextCheckAt: clock.stageWarnAt! > now ? clock.stageWarnAt : until },
      details: { until: until.toISOString() },
      notify: async (tx, x) => notifyUsers(tx, await assigneesOf(tx, x), notice(x, 'event.extension_granted', '延期申请已批准', 'The extension was granted'), { now }),
    };
  },
  deny_extension: ({ e, input, now }) => {
    if (!e.extensionRequest) throw conflict('没有待审批的延期申请', 'No extension request is pending');
    const reason = need(input.note, 'note', { zh: '驳回理由', en: 'The reason' });
    return {
      patch: { extensionRequest: null }, details: { reason },
      notify: async (tx, x) => notifyUsers(tx, await assigneesOf(tx, x), notice(x, 'event.extension_denied', `延期申请被驳回：${reason}`, `The extension was denied: ${reason}`), { now }),
    };
  },
  report_handled: ({ e, input, now, to }) => {
    need(input.note, 'note', { zh: '处置情况', en: 'What was done' });
    if (e.evidenceRequired && !input.photos?.length) {
      throw new AppError('VALIDATION_FAILED', { zh: '该类别须上传处置后照片', en: 'This category needs a photo of the result' }, { field: 'photos' });
    }
    return { patch: { handledAt: now, extensionRequest: null, ...clockFor(to, e.limits, now) } };
  },
  verify_pass: async ({ tx, e, now, to }) => {
    const units = e.assigneeUnitId ? await org.findByIds(tx, [e.assigneeUnitId]) : [];
    const closedLevel = units[0]?.level ?? e.ownerLevel;
    const handledAt = e.handledAt ?? now;
    const handling = e.acceptedAt ? Math.max(0, Math.round((now.getTime() - e.acceptedAt.getTime()) / 1000) - e.suspendedSeconds) : 0;
    return {
      patch: { closedAt: now, closedLevel, closedOnTime: !e.dueAt || handledAt <= e.dueAt, handlingSeconds: handling, ...clockFor(to, e.limits, now) },
      notify: async (tx2, x) => notifyUsers(tx2, await reporters(tx2, x), notice(x, 'event.closed', '您的报告已办结，欢迎评价', 'Your report was resolved; please rate it'), { sms: true, now }),
    };
  },
  verify_fail: ({ e, input, now, to }) => {
    const reason = need(input.note, 'note', { zh: '核查不通过的理由', en: 'The reason' });
    return {
      patch: { reworkCount: e.reworkCount + 1, handledAt: null, ...clockFor(to, e.limits, now) }, details: { reason, rework: e.reworkCount + 1 },
      notify: async (tx, x) => notifyUsers(tx, await assigneesOf(tx, x), notice(x, 'event.rework', `核查不通过，请返工：${reason}`, `Verification failed, rework: ${reason}`), { sms: true, now }),
    };
  },
  escalate: async ({ tx, e, input, now }) => {
    const reason = need(input.note, 'note', { zh: '上报理由', en: 'The reason' });
    const parent = (await org.parentCenters(tx, [e.ownerUnitId])).get(e.ownerUnitId);
    if (!parent) throw conflict('已是最高一级综治中心，无法继续上报', 'This is the top-level center; there is nowhere to escalate');
    return {
      patch: { ownerUnitId: parent.id, ownerPath: parent.path, ownerLevel: parent.level, escalationCount: e.escalationCount + 1 },
      details: { reason, to: parent.code },
      notify: async (tx2, x) => notifyUsers(tx2, await staffOf(tx2, [parent.id], ['operator']), notice(x, 'event.escalated', `下级上报案件：${reason}`, `A case was escalated to you: ${reason}`), { now }),
    };
  },
  suspend: ({ e, input, now }) => {
    const reason = need(input.note, 'note', { zh: '挂起理由', en: 'The reason' });
    return { patch: { suspendedFrom: e.status, suspendedAt: now, nextCheckAt: null }, details: { reason } };
  },
  resume: ({ e, now }) => {
    const ms = e.suspendedAt ? Math.max(0, now.getTime() - e.suspendedAt.getTime()) : 0;
    const times = shifted(e, ms);
    const nextCheckAt = e.deadlineState === 'normal' ? times.stageWarnAt : e.deadlineState === 'warning' ? times.stageDueAt : e.deadlineState === 'overdue' ? times.stageEscalateAt : null;
    return {
      patch: { ...times, nextCheckAt, suspendedFrom: null, suspendedAt: null, suspendedSeconds: e.suspendedSeconds + Math.round(ms / 1000) },
      details: { suspendedSeconds: Math.round(ms / 1000) },
    };
  },
  merge: async ({ ctx, tx, actor, e, input, now }) => {
    if (!input.into || input.into === e.id) throw new AppError('VALIDATION_FAILED', { zh: '请选择要合并到的案件', en: 'Choose the case to merge into' }, { field: 'into' });
    const target = await repo.getEvent(tx, input.into, true);
    if (!target || !canSee(actor, target, false)) throw new AppError('INVALID_DATA', { zh: `案件 #${input.into} 不存在`, en: `Case #${input.into} does not exist` }, { field: 'into' });
    if (['closed', 'rejected', 'withdrawn', 'merged'].includes(target.status)) {
      throw conflict(`案件 #${target.id} 已结束，不能合并到它`, `Case #${target.id} is finished; nothing can be merged into it`, 'into');
    }
    // both timelines stay; the target's shows what joined it, and the second reporter follows it
    await repo.insertTransition(tx, {
      eventId: target.id, countyCode: target.countyCode, areaPath: target.areaPath, action: 'merged_in', fromStatus: target.status, toStatus: target.status,
      actorKind: 'staff', actorId: actor.id, actorName: actor.name, ownerUnitId: target.ownerUnitId, assigneeUnitId: target.assigneeUnitId, assigneeUserId: target.assigneeUserId,
      note: input.note?.trim() || null, details: { from: e.id }, at: now,
    });
    await repo.updateEvent(tx, target.id, target.version, {}, now);
    for (const u of await repo.followers(tx, e.id)) await repo.follow(tx, target.id, u, 'merged');
    void ctx;
    return {
      patch: { mergedInto: target.id, nextCheckAt: null, stage: null }, details: { into: target.id },
      notify: async (tx2, x) => notifyUsers(tx2, await reporters(tx2, x), notice(x, 'event.merged', `您的报告与案件 #${target.id} 重复，已合并，请关注该案件`, `Your report duplicates case #${target.id}; follow that one`), { now }),
    };
  },
  supervise: ({ actor, input, now }) => {
    const instruction = need(input.note, 'note', { zh: '督办意见', en: 'The instruction' });
    const kind = actor.kind === 'staff' && actor.roles.includes('leader') ? 'instruction' : 'supervision';
    return {
      patch: { supervised: true }, details: { kind, instruction },
      notify: async (tx, x) => notifyUsers(tx, [...(await assigneesOf(tx, x)), ...(await centerStaff(tx, x))], notice(x, 'event.supervised', kind === 'instruction' ? `领导批示：${instruction}` : `督办：${instruction}`, `Supervision: ${instruction}`), { now }),
    };
  },
  add_info: ({ input, now }) => {
    need(input.note, 'note', { zh: '补充内容', en: 'The information' });
    return { patch: {}, notify: async (tx, x) => notifyUsers(tx, [...(await assigneesOf(tx, x)), ...(await centerStaff(tx, x))], notice(x, 'event.info_added', '报告人补充了信息', 'The reporter added information'), { now }) };
  },
  withdraw: ({ e, now, to }) => ({ patch: clockFor(to, e.limits, now) }),
  reopen: ({ e, input, now, to }) => {
    const reason = need(input.note, 'note', { zh: '重新打开的理由', en: 'The reason' });
    if (!e.closedAt || now.getTime() - e.closedAt.getTime() > REOPEN_WINDOW_MS) {
      throw conflict('结案已超过 7 天，不能重新打开；请重新上报', 'The case closed more than 7 days ago; report it again instead');
    }
    return {
      patch: {
        reopenCount: e.reopenCount + 1, closedAt: null, closedLevel: null, closedOnTime: null, handlingSeconds: null, handledAt: null,
        rating: null, ratingComment: null, ratedAt: null, assigneeUnitId: null, assigneePath: null, assigneeUserId: null, ...clockFor(to, e.limits, now),
      },
      details: { reason },
      notify: async (tx, x) => notifyUsers(tx, await centerStaff(tx, x), notice(x, 'event.reopened', `报告人重新打开了案件：${reason}`, `The reporter reopened a case: ${reason}`), { now }),
    };
  },
  rate: ({ actor, e, input, now }) => {
    // satisfaction is a person's: an integration that reported the case does not rate it
    if (actor.kind === 'key') throw new AppError('FORBIDDEN', { zh: '评价只能由报告人本人作出', en: 'Only the person who reported may rate' });
    if (e.rating !== null) throw conflict('您已评价过该案件', 'You have already rated this case');
    if (!input.rating || !Number.isInteger(input.rating) || input.rating < 1 || input.rating > 5) {
      throw new AppError('VALIDATION_FAILED', { zh: '评分应为 1–5 的整数', en: 'The rating must be an integer from 1 to 5' }, { field: 'rating' });
    }
    return { patch: { rating: input.rating, ratingComment: input.note?.trim() || null, ratedAt: now }, details: { rating: input.rating } };
  },
};

/** Performs `action` on case `id` for `actor`. Returns the case as it is afterwards. */
export async function act(ctx: EventsContext, actor: Actor, id: number, action: Action, input: ActionInput, meta: RequestMeta): Promise<EventRow> {
  if ((input.photos?.length ?? 0) > MAX_PHOTOS) throw new AppError('VALIDATION_FAILED', { zh: `每次最多 ${MAX_PHOTOS} 张照片`, en: `At most ${MAX_PHOTOS} photos` }, { field: 'photos' });
  return ctx.database.transaction(async (tx) => {
    const e = await repo.getEvent(tx, id, true);
    if (!e || !canSee(actor, e, actor.kind === 'citizen' && (await repo.isFollower(tx, id, actor.id)))) throw new AppError('NOT_FOUND', { zh: `案件 #${id} 不存在`, en: `Case #${id} not found` });
    if (input.version !== e.version) {
      throw new AppError('CONFLICT', { zh: `案件已被他人更新（当前版本 ${e.version}），请刷新后重试`, en: `The case changed meanwhile (now version ${e.version}); reload and retry` }, { field: 'version', details: [{ field: 'version', message: { zh: String(e.version), en: String(e.version) } }] });
    }
    const decision = decide(e.status, action, partiesOf(actor, e), e.suspendedFrom, actionsFor(actor, e));
    if (!decision.ok) throw new AppError(decision.reason === 'state' ? 'CONFLICT' : 'FORBIDDEN', decision.message);
    const now = ctx.now();
    const effect = await RULES[action]({ ctx, tx, actor, e, input, now, to: decision.to });
    const patch: Partial<EventRow> = { ...effect.patch, status: decision.to };
    await repo.updateEvent(tx, e.id, e.version, patch, now);
    const after = { ...e, ...patch } as EventRow;
    const transitionId = await repo.insertTransition(tx, {
      eventId: e.id, countyCode: e.countyCode, areaPath: e.areaPath, action, fromStatus: e.status, toStatus: decision.to,
      actorKind: actor.kind, actorId: actor.id, actorName: actor.name, ownerUnitId: after.ownerUnitId, assigneeUnitId: after.assigneeUnitId,
      assigneeUserId: after.assigneeUserId, note: input.note?.trim() || null, details: effect.details ?? null, at: now,
    });
    if (input.photos?.length) await claimPhotos(tx, `${actor.kind}:${actor.id}`, [...new Set(input.photos)], e.id, transitionId);
    await recordAudit(tx, {
      ...auditActor(actor, meta), action: `event.${action}`, result: 'success', targetType: 'event', targetId: String(e.id),
      details: { from: e.status, to: decision.to, version: e.version + 1, ...(effect.details ?? {}) },
    });
    if (effect.notify) await effect.notify(tx, after);
    await notifyWebhooks(tx, e.areaPath, { kind: `event.${action}`, eventId: e.id, title: { zh: `${ACTION_NAMES[action].zh}（#${e.id}）`, en: `${ACTION_NAMES[action].en} (#${e.id})` }, payload: { from: e.status, to: decision.to } }, now);
    return (await repo.getEvent(tx, e.id))!;
  });
}

/**
 * A citizen follows an open case — "already reported nearby: follow that one". Any open case may
 * be followed: what a follower sees (the public view) holds no personal data.
 */
export async function followCase(ctx: EventsContext, actor: Actor, id: number, meta: RequestMeta): Promise<{ following: boolean }> {
  if (actor.kind !== 'citizen') throw new AppError('FORBIDDEN', { zh: '只有群众可以关注案件', en: 'Only citizens follow cases' });
  return ctx.database.transaction(async (tx) => {
    const e = await repo.getEvent(tx, id);
    if (!e || !isOpen(e.status)) throw new AppError('NOT_FOUND', { zh: `案件 #${id} 不存在或已结束`, en: `Case #${id} not found or finished` });
    await repo.follow(tx, e.id, actor.id, 'follow');
    await recordAudit(tx, { ...auditActor(actor, meta), action: 'event.follow', result: 'success', targetType: 'event', targetId: String(e.id) });
    return { following: true };
  });
}

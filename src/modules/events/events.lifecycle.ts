/**
 * The state machine of a case (DESIGN.md §4), pure: which action is allowed in which state, by
 * whom, and where it leads. No database, no clock; the service applies the result.
 *
 *   reported ─accept→ accepted ─dispatch→ dispatched ─sign→ in_progress ─report_handled→ handled ─verify_pass→ closed
 *       │ reject → rejected           ↑        │ return → returned ─dispatch┘           │ verify_fail → in_progress (返工)
 *       │ withdraw → withdrawn        └────────┴── suspend → suspended ─resume→ (back)   closed ─reopen→ accepted (≤ 7 days)
 *       └ merge → merged (also from accepted, returned)
 *
 * Actions that keep the state (escalate, supervise, add_info, extensions, rate) are transitions
 * too: each is a row of the timeline.
 */
import type { Message } from '../../platform/errors.js';
import type { Stage } from './categories.data.js';

export const STATUSES = ['reported', 'accepted', 'returned', 'dispatched', 'in_progress', 'handled', 'suspended', 'closed', 'rejected', 'withdrawn', 'merged'] as const;
export type Status = (typeof STATUSES)[number];

export const ACTIONS = [
  'accept', 'reject', 'dispatch', 'sign', 'return', 'request_extension', 'grant_extension', 'deny_extension',
  'report_handled', 'verify_pass', 'verify_fail', 'escalate', 'suspend', 'resume', 'merge', 'supervise',
  'add_info', 'withdraw', 'reopen', 'rate',
] as const;
export type Action = (typeof ACTIONS)[number];

/** How the actor stands to the case: the owning center (or one above), the assignee, the reporter, a leader. */
export type Party = 'center' | 'assignee' | 'reporter' | 'leader';

export const STATUS_NAMES: Record<Status, Message> = {
  reported: { zh: '待受理', en: 'reported' },
  accepted: { zh: '已立案', en: 'accepted' },
  returned: { zh: '已退回', en: 'returned' },
  dispatched: { zh: '已派遣', en: 'dispatched' },
  in_progress: { zh: '处置中', en: 'in progress' },
  handled: { zh: '待核查', en: 'handled' },
  suspended: { zh: '已挂起', en: 'suspended' },
  closed: { zh: '已结案', en: 'closed' },
  rejected: { zh: '不予立案', en: 'rejected' },
  withdrawn: { zh: '已撤回', en: 'withdrawn' },
  merged: { zh: '已合并', en: 'merged' },
};

export const ACTION_NAMES: Record<Action, Message> = {
  accept: { zh: '立案', en: 'accept' },
  reject: { zh: '不予立案', en: 'reject' },
  dispatch: { zh: '派遣', en: 'dispatch' },
  sign: { zh: '签收', en: 'sign for' },
  return: { zh: '退回', en: 'return' },
  request_extension: { zh: '申请延期', en: 'request an extension' },
  grant_extension: { zh: '批准延期', en: 'grant the extension' },
  deny_extension: { zh: '驳回延期', en: 'deny the extension' },
  report_handled: { zh: '处置反馈', en: 'report handled' },
  verify_pass: { zh: '核查通过', en: 'pass verification' },
  verify_fail: { zh: '核查不通过（返工）', en: 'fail verification (rework)' },
  escalate: { zh: '上报上级', en: 'escalate' },
  suspend: { zh: '挂起', en: 'suspend' },
  resume: { zh: '恢复', en: 'resume' },
  merge: { zh: '合并', en: 'merge' },
  supervise: { zh: '督办', en: 'supervise' },
  add_info: { zh: '补充信息', en: 'add information' },
  withdraw: { zh: '撤回', en: 'withdraw' },
  reopen: { zh: '重新打开', en: 'reopen' },
  rate: { zh: '评价', en: 'rate' },
};

const OPEN: Status[] = ['reported', 'accepted', 'returned', 'dispatched', 'in_progress', 'handled', 'suspended'];
const WORKING: Status[] = ['accepted', 'returned', 'dispatched', 'in_progress'];

interface Rule {
  from: readonly Status[];
  /** the next state; 'same' keeps it; 'previous' returns to the state before suspension */
  to: Status | 'same' | 'previous';
  by: readonly Party[];
}

export const RULES: Record<Action, Rule> = {
  accept: { from: ['reported'], to: 'accepted', by: ['center'] },
  reject: { from: ['reported'], to: 'rejected', by: ['center'] },
  dispatch: { from: WORKING, to: 'dispatched', by: ['center'] },
  sign: { from: ['dispatched'], to: 'in_progress', by: ['assignee'] },
  return: { from: ['dispatched', 'in_progress'], to: 'returned', by: ['assignee'] },
  request_extension: { from: ['dispatched', 'in_progress'], to: 'same', by: ['assignee'] },
  grant_extension: { from: ['dispatched', 'in_progress'], to: 'same', by: ['center'] },
  deny_extension: { from: ['dispatched', 'in_progress'], to: 'same', by: ['center'] },
  report_handled: { from: ['in_progress'], to: 'handled', by: ['assignee'] },
  verify_pass: { from: ['handled'], to: 'closed', by: ['center'] },
  verify_fail: { from: ['handled'], to: 'in_progress', by: ['center'] },
  escalate: { from: ['reported', ...WORKING], to: 'same', by: ['center'] },
  suspend: { from: WORKING, to: 'suspended', by: ['center'] },
  resume: { from: ['suspended'], to: 'previous', by: ['center'] },
  merge: { from: ['reported', 'accepted', 'returned'], to: 'merged', by: ['center'] },
  supervise: { from: OPEN, to: 'same', by: ['center', 'leader'] },
  add_info: { from: OPEN, to: 'same', by: ['reporter'] },
  withdraw: { from: ['reported'], to: 'withdrawn', by: ['reporter'] },
  reopen: { from: ['closed'], to: 'accepted', by: ['reporter'] },
  rate: { from: ['closed'], to: 'same', by: ['reporter'] },
};

export const isOpen = (s: Status) => OPEN.includes(s);

/** The stage whose time limit runs in a state; none while suspended or finished. */
export function stageOf(status: Status): Stage | null {
  switch (status) {
    case 'reported': return 'accept';
    case 'accepted': case 'returned': return 'dispatch';
    case 'dispatched': return 'sign';
    case 'in_progress': return 'handle';
    case 'handled': return 'verify';
    default: return null;
  }
}

export type Decision =
  | { ok: true; to: Status }
  | { ok: false; reason: 'state' | 'party'; message: Message; allowed: Action[] };

/** The actions a party may take in a state, in the order of ACTIONS. */
export function allowedActions(status: Status, parties: readonly Party[]): Action[] {
  return ACTIONS.filter((a) => RULES[a].from.includes(status) && RULES[a].by.some((p) => parties.includes(p)));
}

/**
 * Whether `parties` may take `action` on a case in `status`; `suspendedFrom` is the state a
 * suspended case returns to. A refusal says why, in words for the person who tried, naming what
 * they may do instead: `allowed` (the case's facts can narrow the state machine's list further).
 */
export function decide(status: Status, action: Action, parties: readonly Party[], suspendedFrom: Status | null = null, allowed: Action[] = allowedActions(status, parties)): Decision {
  const rule = RULES[action];
  const a = ACTION_NAMES[action];
  const s = STATUS_NAMES[status];
  if (!rule.from.includes(status)) {
    const may = allowed.map((x) => ACTION_NAMES[x]);
    return {
      ok: false, reason: 'state', allowed,
      message: {
        zh: `案件当前状态为「${s.zh}」，不能${a.zh}。` + (may.length ? `此状态下您可以：${may.map((m) => m.zh).join('、')}。` : '此状态下您无可执行的操作。'),
        en: `The case is ${s.en}: it cannot ${a.en} now.` + (may.length ? ` You may: ${may.map((m) => m.en).join(', ')}.` : ' There is nothing you can do in this state.'),
      },
    };
  }
  if (!rule.by.some((p) => parties.includes(p))) {
    const who = rule.by.map((p) => PARTY_NAMES[p]);
    return {
      ok: false, reason: 'party', allowed,
      message: {
        zh: `只有${who.map((w) => w.zh).join('或')}可以${a.zh}。`,
        en: `Only ${who.map((w) => w.en).join(' or ')} may ${a.en}.`,
      },
    };
  }
  const to = rule.to === 'same' ? status : rule.to === 'previous' ? (suspendedFrom ?? 'accepted') : rule.to;
  return { ok: true, to };
}

export const PARTY_NAMES: Record<Party, Message> = {
  center: { zh: '负责该案件的综治中心', en: 'the responsible governance center' },
  assignee: { zh: '承办人', en: 'the assignee' },
  reporter: { zh: '报告人', en: 'the reporter' },
  leader: { zh: '领导', en: 'a leader' },
};

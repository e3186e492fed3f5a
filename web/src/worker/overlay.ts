/**
 * What the worker sees of a case while their actions wait in the queue: the server's last view
 * with the queued actions applied (the state machine of DESIGN.md §4 as it concerns the assignee),
 * the version moved on by one per action, so the next action is queued on the right version.
 */
import type { ActionOp, QueuedOp } from './store.js';
import type { EventView } from './types.js';

const STATUS: Record<string, { zh: string; en: string }> = {
  in_progress: { zh: '处置中', en: 'in progress' },
  returned: { zh: '已退回', en: 'returned' },
  handled: { zh: '待核查', en: 'handled' },
};

/** The assignee's actions in a state, in the server's order (events.lifecycle.ts ACTIONS). */
export function assigneeActions(status: string, extensionPending: boolean): string[] {
  const list = status === 'dispatched' ? ['sign', 'return', 'request_extension'] : status === 'in_progress' ? ['return', 'request_extension', 'report_handled'] : [];
  return list.filter((a) => !(a === 'request_extension' && extensionPending));
}

export interface Shown<T extends EventView> { view: T; queued: ActionOp[]; blocked: boolean }

export function overlay<T extends EventView>(view: T, ops: readonly QueuedOp[]): Shown<T> {
  const queued = ops.filter((o): o is ActionOp => o.kind === 'action' && o.eventId === view.id);
  let v: T = view;
  for (const op of queued) {
    if (op.state !== 'pending') continue;
    const next = { ...v, version: v.version + 1 };
    if (op.action === 'sign') Object.assign(next, { status: 'in_progress' });
    if (op.action === 'return') Object.assign(next, { status: 'returned' });
    if (op.action === 'report_handled') Object.assign(next, { status: 'handled' });
    if (op.action === 'request_extension') Object.assign(next, { extensionRequest: { until: op.until ?? '', reason: op.note ?? '' } });
    if (STATUS[next.status] && next.status !== v.status) next.statusName = STATUS[next.status];
    next.allowedActions = assigneeActions(next.status, !!next.extensionRequest);
    v = next;
  }
  const blocked = queued.some((o) => o.state !== 'pending');
  // while an action waits for the worker's decision, nothing else is queued on top of it
  if (blocked) v = { ...v, allowedActions: [] };
  return { view: v, queued, blocked };
}

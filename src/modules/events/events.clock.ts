/**
 * The clock of a case: each open state runs the time limit of one stage (events.lifecycle
 * stageOf), taken from the category version the case started with. A stage's deadline comes
 * from the work calendar (minutes and hours are wall-clock, working days skip holidays); the
 * warning falls at 80 % and the escalation at 200 % of the stage's span. Suspension stops the
 * clock: on resume every time is pushed back by the time spent suspended.
 */
import type { Stage } from './categories.data.js';
import { addLimit, type Limit } from './work-calendar.js';
import type { DeadlineState, EventRow } from './events.repository.js';
import { stageOf, type Status } from './events.lifecycle.js';

export const WARN_RATIO = 0.8;
export const ESCALATE_RATIO = 2;

/** The clock's columns of a case. */
export type Clock = Pick<EventRow, 'stage' | 'stageStartedAt' | 'stageWarnAt' | 'stageDueAt' | 'stageEscalateAt' | 'deadlineState' | 'nextCheckAt'>;

const STOPPED: Clock = { stage: null, stageStartedAt: null, stageWarnAt: null, stageDueAt: null, stageEscalateAt: null, deadlineState: 'normal', nextCheckAt: null };

const at = (start: Date, span: number, ratio: number) => new Date(start.getTime() + Math.round(span * ratio));

/** The clock for a case entering `status` at `now`; `dueOverride` replaces the stage's deadline (a dispatch with a deadline, a granted extension). */
export function clockFor(status: Status, limits: Record<Stage, Limit>, now: Date, dueOverride?: Date | null): Clock {
  const stage = stageOf(status);
  if (!stage) return STOPPED;
  const due = dueOverride ?? addLimit(now, limits[stage]);
  const span = Math.max(due.getTime() - now.getTime(), 0);
  const warn = at(now, span, WARN_RATIO);
  return {
    stage, stageStartedAt: now, stageWarnAt: warn, stageDueAt: due, stageEscalateAt: at(now, span, ESCALATE_RATIO),
    deadlineState: 'normal', nextCheckAt: warn,
  };
}

/** The deadline of the whole handling, set at dispatch: sign, then handle. */
export function handlingDue(limits: Record<Stage, Limit>, now: Date): Date {
  return addLimit(addLimit(now, limits.sign), limits.handle);
}

/** The clock as it was, with every time moved later by `ms` (after a suspension). */
export function shifted(e: Pick<EventRow, 'stageStartedAt' | 'stageWarnAt' | 'stageDueAt' | 'stageEscalateAt' | 'nextCheckAt' | 'dueAt'>, ms: number) {
  const move = (d: Date | null) => (d ? new Date(d.getTime() + ms) : null);
  return {
    stageStartedAt: move(e.stageStartedAt), stageWarnAt: move(e.stageWarnAt), stageDueAt: move(e.stageDueAt),
    stageEscalateAt: move(e.stageEscalateAt), nextCheckAt: move(e.nextCheckAt), dueAt: move(e.dueAt),
  };
}

/** The deadline state at `now` (what the sweep would set). */
export function stateAt(e: Pick<EventRow, 'stageWarnAt' | 'stageDueAt' | 'stageEscalateAt' | 'deadlineState'>, now: Date): DeadlineState {
  if (!e.stageDueAt) return 'normal';
  if (e.deadlineState === 'escalated' || (e.stageEscalateAt && e.stageEscalateAt <= now)) return 'escalated';
  if (e.stageDueAt <= now) return 'overdue';
  if (e.stageWarnAt && e.stageWarnAt <= now) return 'warning';
  return 'normal';
}

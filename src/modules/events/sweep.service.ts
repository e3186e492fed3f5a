/**
 * The deadline sweep (DESIGN.md §4): a case whose stage passes 80 % of its limit turns
 * `warning`, at 100 % `overdue` (its supervisors hear of it), at 200 % it is escalated to the
 * parent center with a supervision flag. Suspended cases are skipped (their clock stopped).
 * Safe with many server processes on one PostgreSQL: one sweep at a time (advisory lock), and
 * rows are claimed with SKIP LOCKED so a case being changed by a user is simply seen next time.
 */
import { recordAudit } from '../../platform/audit/index.js';
import type { Database } from '../../platform/db/database.js';
import { activeStaffIn } from '../accounts/index.js';
import { parentCenters } from '../org/index.js';
import * as repo from './sweep.repository.js';

/** Who hears of a case overdue or escalated: the operators and leaders of the center that owns it. */
const SUPERVISORS = ['operator', 'leader'];

export interface SweepResult {
  /** false when another process held the sweep */
  ran: boolean;
  warned: number;
  overdue: number;
  escalated: number;
}

export async function sweepDeadlines(database: Database, now: Date, batch = 5000): Promise<SweepResult> {
  const total: SweepResult = { ran: false, warned: 0, overdue: 0, escalated: 0 };
  for (;;) {
    const step = await database.transaction(async (tx) => {
      if (!(await repo.trySweepLock(tx))) return null;
      const marked = await repo.markDue(tx, now, batch);
      const newly = (s: string, olds: string[]) => marked.filter((m) => m.state === s && olds.includes(m.old)).map((m) => m.id);
      const warned = newly('warning', ['normal']);
      const overdue = marked.filter((m) => (m.state === 'overdue' || m.state === 'escalated') && (m.old === 'normal' || m.old === 'warning')).map((m) => m.id);
      const escalate = newly('escalated', ['normal', 'warning', 'overdue']);
      // org and accounts answer for every unit of this batch at once: the center above each owner, and the supervisors of both
      const ownerOf = new Map(marked.map((m) => [m.id, m.owner]));
      const owners = (list: number[]) => [...new Set(list.map((id) => ownerOf.get(id)!))];
      const above = await parentCenters(tx, owners(escalate));
      const centers = [...above].map(([unitId, c]) => ({ unitId, id: c.id, path: c.path, level: c.level }));
      const staff = await activeStaffIn(tx, [...new Set([...owners(overdue), ...centers.map((c) => c.id)])], SUPERVISORS);
      await repo.insertSystemTransitions(tx, overdue, 'overdue', '已超过办理时限', now);
      await repo.notifySupervisors(tx, overdue, staff, 'event.overdue', '案件超期', 'Case overdue', now);
      const moved = await repo.escalateToParent(tx, escalate, centers, now);
      await repo.insertSystemTransitions(tx, escalate, 'auto_escalate', '超过时限两倍未办结，自动上报上级综治中心并督办', now);
      await repo.notifySupervisors(tx, moved, staff, 'event.escalated', '超时案件自动上报', 'Overdue case escalated to you', now);
      if (marked.length) {
        await recordAudit(tx, {
          actorName: 'system', actorRole: 'system', action: 'event.sweep', result: 'success', targetType: 'event', targetId: null,
          details: { warned: warned.length, overdue: overdue.length, escalated: escalate.length, moved: moved.length, ids: marked.slice(0, 100).map((m) => m.id) },
        });
      }
      return { n: marked.length, warned: warned.length, overdue: overdue.length, escalated: escalate.length };
    });
    if (!step) return total;
    total.ran = true;
    total.warned += step.warned;
    total.overdue += step.overdue;
    total.escalated += step.escalated;
    if (step.n < batch) return total;
  }
}

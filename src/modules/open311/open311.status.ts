/**
 * How Ping'an's states and transitions read in Open311: the two statuses of GeoReport v2
 * (open, closed) and the extended statuses of mySociety's service request updates. The table
 * is the one in README.md ("Open311"); change both together.
 */

/** Our states that are `closed` in Open311; every other state is `open`. */
export const CLOSED_STATES = ['closed', 'rejected', 'withdrawn', 'merged'] as const;
export const OPEN_STATES = ['reported', 'accepted', 'returned', 'dispatched', 'in_progress', 'handled', 'suspended'] as const;

export const openOrClosed = (state: string): 'open' | 'closed' => ((CLOSED_STATES as readonly string[]).includes(state) ? 'closed' : 'open');

/** The extended statuses (mySociety's extension, as FixMyStreet reads them). */
export const EXTENDED_STATUSES = [
  'OPEN', 'INVESTIGATING', 'IN_PROGRESS', 'ACTION_SCHEDULED', 'FIXED', 'CLOSED', 'DUPLICATE', 'NOT_COUNCILS_RESPONSIBILITY',
  'NO_FURTHER_ACTION', 'INTERNAL_REFERRAL', 'FOR_TRIAGE', 'CANCELLED', 'REOPEN',
] as const;
export type ExtendedStatus = (typeof EXTENDED_STATUSES)[number];

/** The statuses a client may send that mean "closed" (a citizen saying it is done, or a duplicate). */
export const CLOSING_STATUSES: readonly ExtendedStatus[] = ['FIXED', 'CLOSED', 'DUPLICATE', 'NOT_COUNCILS_RESPONSIBILITY', 'NO_FURTHER_ACTION', 'CANCELLED'];

/**
 * Which transitions are updates, and the status each one means. Not published: the report itself
 * (it is the request), what the reporter wrote (add_info, rate: the client sent it), and the
 * center's internal work (extensions, supervision, overdue marks, a duplicate merged in).
 */
export const UPDATE_STATUS: Record<string, ExtendedStatus> = {
  accept: 'INVESTIGATING',
  reject: 'NOT_COUNCILS_RESPONSIBILITY',
  dispatch: 'ACTION_SCHEDULED',
  sign: 'IN_PROGRESS',
  return: 'FOR_TRIAGE',
  report_handled: 'IN_PROGRESS',
  verify_pass: 'FIXED',
  verify_fail: 'IN_PROGRESS',
  escalate: 'INTERNAL_REFERRAL',
  auto_escalate: 'INTERNAL_REFERRAL',
  suspend: 'ACTION_SCHEDULED',
  resume: 'IN_PROGRESS', // replaced by the state it resumes to, below
  merge: 'DUPLICATE',
  withdraw: 'CANCELLED',
  reopen: 'REOPEN',
};
export const UPDATE_ACTIONS = Object.keys(UPDATE_STATUS);

/** A state read as an extended status (for a resumed case, and as a fallback). */
export const STATE_STATUS: Record<string, ExtendedStatus> = {
  reported: 'OPEN', accepted: 'INVESTIGATING', returned: 'FOR_TRIAGE', dispatched: 'ACTION_SCHEDULED', in_progress: 'IN_PROGRESS', handled: 'IN_PROGRESS',
  suspended: 'ACTION_SCHEDULED', closed: 'FIXED', rejected: 'NOT_COUNCILS_RESPONSIBILITY', withdrawn: 'CANCELLED', merged: 'DUPLICATE',
};

export function updateStatus(action: string, toState: string): ExtendedStatus {
  if (action === 'resume') return STATE_STATUS[toState] ?? 'OPEN';
  return UPDATE_STATUS[action] ?? STATE_STATUS[toState] ?? (openOrClosed(toState) === 'closed' ? 'CLOSED' : 'OPEN');
}

/**
 * Notes the whole public may read (status_notes, update descriptions): the center's public word
 * on the case. The events module shows a reporter more (their own add_info, reopen reason,
 * rating comment); those are the reporter's and never published here.
 */
export const PUBLIC_NOTE_ACTIONS = new Set(['accept', 'reject', 'report_handled', 'verify_pass', 'merge']);

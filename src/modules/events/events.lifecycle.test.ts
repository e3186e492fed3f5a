import { describe, expect, it } from 'vitest';
import { ACTIONS, STATUSES, allowedActions, decide, stageOf, type Action, type Party, type Status } from './events.lifecycle.js';

// The expected machine, written out independently of RULES: "status action → next (by whom)".
const EXPECTED = `
reported accept → accepted (center)
reported reject → rejected (center)
reported escalate → reported (center)
reported merge → merged (center)
reported supervise → reported (center leader)
reported add_info → reported (reporter)
reported withdraw → withdrawn (reporter)
accepted dispatch → dispatched (center)
accepted escalate → accepted (center)
accepted suspend → suspended (center)
accepted merge → merged (center)
accepted supervise → accepted (center leader)
accepted add_info → accepted (reporter)
returned dispatch → dispatched (center)
returned escalate → returned (center)
returned suspend → suspended (center)
returned merge → merged (center)
returned supervise → returned (center leader)
returned add_info → returned (reporter)
dispatched dispatch → dispatched (center)
dispatched sign → in_progress (assignee)
dispatched return → returned (assignee)
dispatched request_extension → dispatched (assignee)
dispatched grant_extension → dispatched (center)
dispatched deny_extension → dispatched (center)
dispatched escalate → dispatched (center)
dispatched suspend → suspended (center)
dispatched supervise → dispatched (center leader)
dispatched add_info → dispatched (reporter)
in_progress dispatch → dispatched (center)
in_progress return → returned (assignee)
in_progress request_extension → in_progress (assignee)
in_progress grant_extension → in_progress (center)
in_progress deny_extension → in_progress (center)
in_progress report_handled → handled (assignee)
in_progress escalate → in_progress (center)
in_progress suspend → suspended (center)
in_progress supervise → in_progress (center leader)
in_progress add_info → in_progress (reporter)
handled verify_pass → closed (center)
handled verify_fail → in_progress (center)
handled supervise → handled (center leader)
handled add_info → handled (reporter)
suspended resume → * (center)
suspended supervise → suspended (center leader)
suspended add_info → suspended (reporter)
closed reopen → accepted (reporter)
closed rate → closed (reporter)
`;

const table = new Map<string, { to: string; by: Party[] }>();
for (const line of EXPECTED.trim().split('\n')) {
  const m = /^(\w+) (\w+) → (\S+) \(([\w ]+)\)$/.exec(line.trim())!;
  table.set(`${m[1]} ${m[2]}`, { to: m[3], by: m[4].split(' ') as Party[] });
}
const PARTIES: Party[] = ['center', 'assignee', 'reporter', 'leader'];

describe('the case state machine', () => {
  it('has the expected table for every state × action × party', () => {
    let allowedCount = 0;
    for (const status of STATUSES) {
      for (const action of ACTIONS) {
        const expected = table.get(`${status} ${action}`);
        for (const party of PARTIES) {
          const d = decide(status, action, [party], 'dispatched');
          const mayAct = !!expected && expected.by.includes(party);
          expect(d.ok, `${status} ${action} by ${party}`).toBe(mayAct);
          if (d.ok) {
            allowedCount++;
            expect(d.to).toBe(expected!.to === '*' ? 'dispatched' : expected!.to);
          } else {
            expect(d.reason).toBe(expected ? 'party' : 'state');
          }
        }
      }
    }
    expect(allowedCount).toBe([...table.values()].reduce((n, e) => n + e.by.length, 0));
  });

  it('explains a refusal by the state, naming what may be done instead', () => {
    const d = decide('closed', 'sign', ['reporter']);
    expect(d.ok).toBe(false);
    if (d.ok) return;
    expect(d.reason).toBe('state');
    expect(d.message.zh).toContain('已结案');
    expect(d.message.zh).toContain('签收');
    expect(d.message.zh).toContain('评价');
    expect(d.message.en).toContain('closed');
    expect(d.allowed).toEqual(['reopen', 'rate']);
    const none = decide('withdrawn', 'accept', ['center']);
    expect(!none.ok && none.message.zh).toContain('无可执行的操作');
  });

  it('explains a refusal by the party', () => {
    const d = decide('dispatched', 'sign', ['center']);
    expect(d.ok).toBe(false);
    if (d.ok) return;
    expect(d.reason).toBe('party');
    expect(d.message.zh).toBe('只有承办人可以签收。');
  });

  it('returns a resumed case to the state before suspension', () => {
    for (const s of ['accepted', 'returned', 'dispatched', 'in_progress'] as Status[]) {
      const d = decide('suspended', 'resume', ['center'], s);
      expect(d.ok && d.to).toBe(s);
    }
  });

  it('lists the actions of several parties together', () => {
    expect(allowedActions('dispatched', ['center', 'assignee'])).toEqual([
      'dispatch', 'sign', 'return', 'request_extension', 'grant_extension', 'deny_extension', 'escalate', 'suspend', 'supervise',
    ] satisfies Action[]);
    expect(allowedActions('closed', ['center', 'leader'])).toEqual([]);
  });

  it('runs a clock in every open state but suspension', () => {
    expect(STATUSES.map((s) => [s, stageOf(s)])).toEqual([
      ['reported', 'accept'], ['accepted', 'dispatch'], ['returned', 'dispatch'], ['dispatched', 'sign'], ['in_progress', 'handle'],
      ['handled', 'verify'], ['suspended', null], ['closed', null], ['rejected', null], ['withdrawn', null], ['merged', null],
    ]);
  });
});

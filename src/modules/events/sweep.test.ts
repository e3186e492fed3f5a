/**
 * The deadline sweep on its own: thresholds at 80 %, 100 %, 200 %; suspended cases skipped;
 * working-day limits over a holiday; and two sweeps at once (two server processes) never mark
 * a case twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { rows } from '../../platform/db/database.js';
import { openDatabase } from '../../platform/db/database.js';
import { testDatabase } from '../../test-support/test-db.js';
import { testApp, testClock, type Client } from '../../test-support/app.js';
import { sweepDeadlines } from './sweep.service.js';

const database = await testDatabase('fixture');
// Tuesday 29 September 2026, 10:00 in Zhejiang: the National Day holiday starts on Thursday
const clock = testClock(new Date('2026-09-29T02:00:00Z'));
const t = await testApp(database, {}, { now: clock.now });
afterAll(async () => { await t.app.close(); await database.drop(); });

let point: { lon: number; lat: number; code: string };
let township: string;
let citizen: Client, op: Client;
let glass: string, dispute: string;

beforeAll(async () => {
  [point] = await rows<{ code: string; lon: number; lat: number }>(database.db, sql`select u.code, b.lon, b.lat from boundaries b join org_units u on u.id = b.unit_id
    where b.level = 'grid' and u.code like '330902%' order by u.code limit 1`);
  township = point.code.slice(0, 9);
  const cats = (await t.anonymous('GET', '/api/v1/event-categories')).json().items as { code: string; name: string }[];
  glass = cats.find((c) => c.name.includes('碎玻璃'))!.code;
  dispute = cats.find((c) => c.name.includes('邻里'))!.code;
  citizen = await t.citizen('13700000001');
  op = await t.as('operator', `${township}-center`);
});

const report = async (categoryCode: string) => {
  const res = await citizen.send('POST', '/api/v1/events', { categoryCode, description: '测试期限', location: { lon: point.lon, lat: point.lat } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().event as { id: number; version: number; deadline: { dueAt: string; startedAt: string } };
};
const transitions = (id: number) => rows<{ action: string }>(database.db, sql`select action from event_transitions where event_id = ${id} order by id`);

describe('the deadline sweep', () => {
  it('counts working days across the National Day holiday', async () => {
    const e = await report(dispute); // 邻里纠纷: sign within 1 working day, handle within 10
    await op.send('POST', `/api/v1/events/${e.id}/accept`, { version: e.version });
    const a = (await op.get(`/api/v1/events/${e.id}`)).json();
    const d = (await op.send('POST', `/api/v1/events/${e.id}/dispatch`, { version: a.version })).json();
    // dispatched Tue 29 Sep 10:00: sign by Wed 30 Sep 10:00; then 10 working days, skipping 1–7 October and
    // counting the make-up Saturday 10 October: 8, 9, 10, 12, 13, 14, 15, 16, 19, 20 October
    expect(d.deadline).toMatchObject({ stage: 'sign', dueAt: '2026-09-30T02:00:00.000Z' });
    expect(d.dueAt).toBe('2026-10-20T02:00:00.000Z');
  });

  it('skips suspended cases and picks them up again after resuming', async () => {
    const e = await report(glass);
    await op.send('POST', `/api/v1/events/${e.id}/accept`, { version: e.version });
    const accepted = (await op.get(`/api/v1/events/${e.id}`)).json();
    await op.send('POST', `/api/v1/events/${e.id}/suspend`, { version: accepted.version, note: '等待天亮' });
    clock.advance(10 * 3600_000);
    await sweepDeadlines(database, clock.now());
    expect((await transitions(e.id)).map((x) => x.action)).toEqual(['report', 'accept', 'suspend']);
    const s = (await op.get(`/api/v1/events/${e.id}`)).json();
    const resumed = (await op.send('POST', `/api/v1/events/${e.id}/resume`, { version: s.version })).json();
    expect(resumed.deadline.state).toBe('normal');
    clock.advance(Date.parse(resumed.deadline.dueAt) - clock.now().getTime() + 1000);
    await sweepDeadlines(database, clock.now());
    expect((await op.get(`/api/v1/events/${e.id}`)).json().deadline.state).toBe('overdue');
  });

  it('never marks a case twice when two processes sweep at once', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 30; i++) ids.push((await report(glass)).id);
    clock.advance(3 * 3600_000); // past twice the 30-minute accept limit
    // a second connection where the database allows it (PostgreSQL); PGlite has one process
    const second = database.url ? await openDatabase({ url: database.url }) : null;
    const results = await Promise.all([sweepDeadlines(database, clock.now(), 7), sweepDeadlines(second ?? database, clock.now(), 7)]);
    await second?.close();
    // whatever one sweep skipped, the next run takes
    await sweepDeadlines(database, clock.now());
    expect(results.some((r) => r.ran)).toBe(true);
    const counts = await rows<{ id: string; overdue: number; escalated: number }>(database.db, sql`select event_id as id,
        count(*) filter (where action = 'overdue')::int as overdue, count(*) filter (where action = 'auto_escalate')::int as escalated
      from event_transitions where event_id = any(${sql.param(ids.map(String))}::bigint[]) group by event_id`);
    expect(counts).toHaveLength(30);
    expect(counts.every((c) => c.overdue === 1 && c.escalated === 1)).toBe(true);
    const owners = await rows<{ owner: string }>(database.db, sql`select distinct o.code as owner from events e join org_units o on o.id = e.owner_unit_id where e.id = any(${sql.param(ids.map(String))}::bigint[])`);
    expect(owners).toEqual([{ owner: '330902-center' }]);
    // the township's operator heard of them in a few summary messages (one per sweep batch), not thirty
    const overdue = (await op.get('/api/v1/inbox?limit=100')).json().items.filter((n: { kind: string; payload: { ids: number[] } }) => n.kind === 'event.overdue' && n.payload.ids.some((i) => ids.includes(i)));
    expect(overdue.length).toBeLessThanOrEqual(Math.ceil(30 / 7) + 1);
    expect(new Set(overdue.flatMap((n: { payload: { ids: number[] } }) => n.payload.ids).filter((i: number) => ids.includes(i))).size).toBe(30);
  });
});

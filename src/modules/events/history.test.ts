/**
 * The demo's generated history: every state of the lifecycle, only in the counties asked for,
 * inside the period, marked demo with no reporter account, the same cases for the same seed and
 * day, and a leader's indicators, trend and heat counting them.
 */
import crypto from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { rows } from '../../platform/db/database.js';
import { testDatabase } from '../../test-support/test-db.js';
import { testApp } from '../../test-support/app.js';
import { STATUSES } from './events.lifecycle.js';
import { seedDemoHistory } from './history.js';
import { historyGrids } from '../../server/seed.js';
import * as org from '../org/index.js';

const database = await testDatabase('fixture');
const now = new Date('2026-12-01T02:00:00Z');
const t = await testApp(database, {}, { now: () => now });
afterAll(async () => { await t.app.close(); await database.drop(); });

const DAY = 86_400_000;
const COUNTIES = ['330106', '330781'];
const seed = () => database.transaction(async (tx) => seedDemoHistory(tx, { grids: await historyGrids(tx, COUNTIES), handlers: await org.listHandlerUnits(tx, COUNTIES), now, days: 90, n: 4_500, seed: 0.2026 }));
/** What the generator decided, without the ids the sequence gave. */
async function digest(): Promise<string> {
  const r = await rows<Record<string, unknown>>(database.db, sql`select created_at, grid_code, category_code, status, deadline_state, rating, closed_on_time,
      (select m.created_at from events m where m.id = e.merged_into) as merged_into_created
    from events e where demo order by created_at, grid_code, category_code`);
  return crypto.createHash('sha256').update(JSON.stringify(r)).digest('hex');
}

describe('the demo’s history', () => {
  it('puts cases in every state in the counties asked for, over the 90 days, marked demo', async () => {
    const h = await seed();
    expect(h.cases).toBe(4_500);
    for (const s of STATUSES) expect(h.byStatus[s] ?? 0, s).toBeGreaterThan(0);
    const [r] = await rows<Record<string, number | string>>(database.db, sql`select count(*)::int as n,
        count(*) filter (where not demo)::int as not_demo,
        count(*) filter (where county_code not in ('330106', '330781'))::int as elsewhere,
        count(*) filter (where grid_code is null or left(grid_code, 6) <> county_code or left(grid_code, 9) <> township_code)::int as ungridded,
        count(*) filter (where reporter_user_id is not null or reporter_key_id is not null)::int as with_account,
        count(distinct county_code)::int as counties,
        count(*) filter (where handler_unit_id is null)::int as no_handler,
        count(*) filter (where owner_level not in ('township', 'county'))::int as bad_owner,
        min(created_at) as first, max(created_at) as last,
        count(*) filter (where status = 'merged' and (merged_into is null or merged_into = id))::int as bad_merge,
        count(*) filter (where status = 'closed' and (closed_at is null or accepted_at is null or closed_at < created_at))::int as bad_closed
      from events`);
    expect(r).toMatchObject({ n: 4_500, not_demo: 0, elsewhere: 0, ungridded: 0, with_account: 0, counties: 2, no_handler: 0, bad_owner: 0, bad_merge: 0, bad_closed: 0 });
    expect(new Date(r.first as string).getTime()).toBeGreaterThanOrEqual(now.getTime() - 90 * DAY);
    expect(new Date(r.last as string).getTime()).toBeLessThanOrEqual(now.getTime());
    // merged cases point at an earlier, unfinished-or-closed case of their township and category
    const bad = await rows(database.db, sql`select e.id from events e join events m on m.id = e.merged_into
      where e.status = 'merged' and (m.township_code <> e.township_code or m.category_code <> e.category_code or m.created_at > e.created_at or m.status in ('rejected', 'withdrawn', 'merged'))`);
    expect(bad).toEqual([]);
  });

  it('generates the same cases again for the same seed and day', async () => {
    const first = await digest();
    await database.db.execute(sql`update events set merged_into = null where demo`);
    await database.db.execute(sql`delete from events where demo`);
    await seed();
    expect(await digest()).toBe(first);
  });

  it('is what a county leader’s dashboard counts: indicators, a weekly trend and heat per township', async () => {
    const leader = await t.as('leader', '330781-center');
    const q = `org=330781&from=${new Date(now.getTime() - 90 * DAY).toISOString()}&to=${now.toISOString()}`;
    const ind = (await leader.get(`/api/v1/events/indicators?${q}`)).json();
    const [db] = await rows<{ n: number; closed: number }>(database.db, sql`select count(*) filter (where accepted_at is not null)::int as n,
      count(*) filter (where status = 'closed')::int as closed from events where county_code = '330781'`);
    expect(ind.accepted).toBe(db.n);
    expect(ind.closed).toBe(db.closed);
    expect(ind.closed / ind.accepted).toBeGreaterThan(0.5);
    const series = (await leader.get(`/api/v1/events/indicators/series?${q}&interval=week`)).json();
    expect(series.interval).toBe('week');
    expect((series.points as { accepted: number }[]).filter((p) => p.accepted > 0).length).toBeGreaterThanOrEqual(12);
    const counts = (await leader.get('/api/v1/events/counts?org=330781&children=true')).json() as { total: number; children: { code: string; n: number }[] };
    expect(counts.total).toBeGreaterThan(1_000);
    // heat: cases in many of 兰溪市's townships, each within the county
    expect(counts.children.length).toBeGreaterThan(5);
    expect(counts.children.every((c) => c.code.startsWith('330781') && c.n > 0)).toBe(true);
    // another county's leader sees none of it
    const other = await t.as('leader', '330902-center');
    expect((await other.get(`/api/v1/events/indicators?${q.replace('330781', '330902')}`)).json().accepted).toBe(0);
  });
});

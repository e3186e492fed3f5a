/**
 * The seed's story, end to end through the API: a citizen reports broken glass on a village road
 * in 兰溪市; the township center accepts it and dispatches it to that grid's worker, who signs
 * and reports it handled with a photo; the center verifies and closes it; the citizen rates it.
 * Then: a second report 50 m away is offered as a duplicate, and a case left alone goes overdue
 * and is escalated to the county.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { sql } from 'drizzle-orm';
import { rows } from '../../platform/db/database.js';
import { testDatabase } from '../../test-support/test-db.js';
import { testApp, testClock, type Client } from '../../test-support/app.js';
import { sweepDeadlines } from './sweep.service.js';

const database = await testDatabase('fixture');
const clock = testClock(new Date('2026-06-10T02:00:00Z')); // a Wednesday, 10:00 in Zhejiang
const t = await testApp(database, {}, { now: clock.now });
afterAll(async () => { await t.app.close(); await database.drop(); });

async function jpeg(color: string): Promise<Buffer> {
  return sharp({ create: { width: 640, height: 480, channels: 3, background: color } }).jpeg().toBuffer();
}

let grid: { code: string; lon: number; lat: number };
let village: string, township: string;
let glass: string;
let citizen: Client, operator: Client, worker: Client;

beforeAll(async () => {
  // a grid of a known village of 兰溪市, and a point inside it (its representative point)
  [grid] = await rows<{ code: string; lon: number; lat: number }>(database.db, sql`select u.code, b.lon, b.lat from boundaries b join org_units u on u.id = b.unit_id
    where b.level = 'grid' and u.code like '330781%' order by u.code limit 1`);
  village = grid.code.slice(0, 12);
  township = grid.code.slice(0, 9);
  const cats = (await t.anonymous('GET', '/api/v1/event-categories')).json().items as { code: string; name: string }[];
  glass = cats.find((c) => c.name.includes('碎玻璃'))!.code;
  citizen = await t.citizen('13812340001');
  operator = await t.as('operator', `${township}-center`);
  worker = await t.as('grid_worker', grid.code);
});

describe('the seed’s story', () => {
  let id: number;
  let version: number;
  const step = async (c: Client, action: string, body: Record<string, unknown> = {}) => {
    const res = await c.send('POST', `/api/v1/events/${id}/${action}`, { version, ...body });
    expect(res.statusCode, `${action}: ${res.body}`).toBe(200);
    version = res.json().version;
    return res.json();
  };

  it('runs from the citizen’s report to the rating, and the indicators count it', async () => {
    const photo = await citizen.photo(await jpeg('#777'));
    const res = await citizen.send('POST', '/api/v1/events', {
      categoryCode: glass, description: '村道上有一地碎玻璃，容易扎伤行人', location: { lon: grid.lon, lat: grid.lat }, photos: [photo],
    });
    expect(res.statusCode, res.body).toBe(201);
    const reported = res.json().event;
    id = reported.id;
    version = reported.version;
    expect(reported).toMatchObject({
      status: 'reported', channel: 'citizen', owner: { code: `${township}-center` },
      area: { county: '330781', township, village, grid: grid.code }, handler: { code: `${township}-platform-law-enforcement` },
      reporter: null, // citizens do not see the staff-only reporter block
    });
    expect(reported.allowedActions).toEqual(['add_info', 'withdraw']);

    // the township center sees it in its queue
    const queue = (await operator.get('/api/v1/events?status=reported')).json();
    expect(queue.items.map((e: { id: number }) => e.id)).toContain(id);
    const seen = (await operator.get(`/api/v1/events/${id}`)).json();
    expect(seen.reporter).toMatchObject({ name: expect.any(String), anonymous: false });
    expect(seen.allowedActions).toEqual(expect.arrayContaining(['accept', 'reject', 'escalate', 'merge']));

    await step(operator, 'accept');
    const dispatched = await step(operator, 'dispatch', { assignee: { userId: worker.userId }, note: '请尽快清理' });
    expect(dispatched).toMatchObject({ status: 'dispatched', assignee: { unit: { code: grid.code }, user: { id: worker.userId } } });

    // a second report of the same category 50 m away is offered as a duplicate
    const other = await t.citizen('13812340002');
    const near = { lon: grid.lon + 50 / (111_195 * Math.cos((grid.lat * Math.PI) / 180)), lat: grid.lat };
    const pre = (await other.get(`/api/v1/events/duplicates?category=${glass}&lon=${near.lon}&lat=${near.lat}`)).json();
    expect(pre.items).toEqual([expect.objectContaining({ id, distanceM: 50 })]);
    const second = await other.send('POST', '/api/v1/events', { categoryCode: glass, description: '路上有碎玻璃', location: near });
    expect(second.json().duplicates).toEqual([expect.objectContaining({ id, status: 'dispatched', distanceM: 50 })]);
    // the operator sees the candidate too, and merges: both timelines stay, the second reporter follows the first case
    const dup = second.json().event;
    expect((await operator.get(`/api/v1/events/${dup.id}`)).json().duplicates).toEqual([expect.objectContaining({ id, distanceM: 50 })]);
    const merged = await operator.send('POST', `/api/v1/events/${dup.id}/merge`, { version: dup.version, into: id, note: '同一处碎玻璃' });
    expect(merged.json()).toMatchObject({ status: 'merged', mergedInto: id });
    version++; // the merge wrote a row on the first case's timeline
    expect((await other.get(`/api/v1/events/${id}`)).json()).toMatchObject({ id, following: true, mergedCases: [dup.id] });

    // the grid worker has it among their tasks, signs, cleans, reports with a photo
    clock.advance(5 * 60_000);
    const tasks = (await worker.get('/api/v1/events?mine=assigned')).json();
    expect(tasks.items.map((e: { id: number }) => e.id)).toEqual([id]);
    await step(worker, 'sign');
    clock.advance(25 * 60_000);
    const after = await worker.photo(await jpeg('#3a3'));
    const noPhoto = await worker.send('POST', `/api/v1/events/${id}/report-handled`, { version, note: '已清扫干净' });
    expect(noPhoto.statusCode).toBe(400);
    expect(noPhoto.json().error.field).toBe('photos');
    await step(worker, 'report-handled', { note: '已清扫干净', photos: [after] });

    // the center verifies and closes; the citizen rates
    const closed = await step(operator, 'verify-pass', { note: '现场核查已清理' });
    expect(closed).toMatchObject({ status: 'closed', closedOnTime: true, closedLevel: 'grid' });
    const rated = await step(citizen, 'rate', { rating: 5, note: '处理很快' });
    expect(rated.rating).toBe(5);

    // the timeline shows every step, with the photos where they were added
    const detail = (await citizen.get(`/api/v1/events/${id}`)).json();
    const mine = detail.timeline; // with the merged duplicate's rows, in order
    expect(mine.map((s: { action: string }) => s.action)).toEqual(['report', 'accept', 'dispatch', 'report', 'merged_in', 'merge', 'sign', 'report_handled', 'verify_pass', 'rate']);
    const handled = mine.find((s: { action: string }) => s.action === 'report_handled');
    expect(mine[0].photos).toHaveLength(1);
    expect(handled.photos).toHaveLength(1);
    expect(handled.photos[0].originalUrl).toBeNull(); // citizens get no original (EXIF) copy
    const img = await citizen.get(handled.photos[0].url);
    expect(img.statusCode).toBe(200);
    expect(img.headers['content-type']).toBe('image/jpeg');

    // the reporter heard of acceptance and closure; the second reporter of the merge and the closure
    const box = (await citizen.get('/api/v1/inbox')).json();
    expect(box.items.map((n: { kind: string }) => n.kind)).toEqual(['event.closed', 'event.accepted']);
    expect((await other.get('/api/v1/inbox')).json().items.map((n: { kind: string }) => n.kind)).toEqual(['event.closed', 'event.merged']);

    // the indicators count it: one accepted, one closed on time, at grid level, rated 5
    const from = '2026-06-01T00:00:00+08:00', to = '2026-07-01T00:00:00+08:00';
    const ind = (await operator.get(`/api/v1/events/indicators?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`)).json();
    expect(ind).toMatchObject({
      org: { code: township }, reported: 2, accepted: 1, closed: 1, dueToClose: 1, closedOnTime: 1, closureRate: 1, onTimeRate: 1,
      reworkRate: 0, avgHandlingSeconds: 30 * 60, satisfactionRate: 1, localResolutionRate: 1,
    });
    expect(ind.categories).toEqual([{ code: glass, n: 2 }]);
    // and per day, in Zhejiang's calendar; the county above sees the same
    const series = (await operator.get(`/api/v1/events/indicators/series?interval=day&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`)).json();
    expect(series.points).toEqual([{ bucket: '2026-06-10', reported: 2, accepted: 1, closed: 1, closedOnTime: 1, rated: 1, satisfied: 1, satisfactionRate: 1 }]);
    const county = await t.as('leader', '330781-center');
    expect((await county.get(`/api/v1/events/indicators?org=330781&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`)).json()).toMatchObject({ accepted: 1, closed: 1 });
  });

  it('escalates a case left alone to the county center, with supervision', async () => {
    const county = await t.as('operator', '330781-center');
    const res = await citizen.send('POST', '/api/v1/events', { categoryCode: glass, description: '另一处碎玻璃无人处理', location: { lon: grid.lon, lat: grid.lat }, address: '村口' });
    const left = res.json().event;
    expect(left.deadline).toMatchObject({ stage: 'accept', state: 'normal' });
    const limitMs = Date.parse(left.deadline.dueAt) - Date.parse(left.deadline.startedAt);

    clock.advance(limitMs * 0.9);
    expect(await sweepDeadlines(database, clock.now())).toMatchObject({ ran: true, warned: 1, overdue: 0, escalated: 0 });
    clock.advance(limitMs * 0.2);
    expect(await sweepDeadlines(database, clock.now())).toMatchObject({ overdue: 1, escalated: 0 });
    expect((await operator.get(`/api/v1/events/${left.id}`)).json().deadline.state).toBe('overdue');
    clock.advance(limitMs);
    expect(await sweepDeadlines(database, clock.now())).toMatchObject({ escalated: 1 });

    const now = (await county.get(`/api/v1/events/${left.id}`)).json();
    expect(now).toMatchObject({ status: 'reported', owner: { code: '330781-center' }, supervised: true, deadline: { state: 'escalated' }, escalationCount: 1 });
    expect(now.timeline.map((s: { action: string }) => s.action)).toEqual(['report', 'overdue', 'auto_escalate']);
    // the county center may now act on it; the township no longer owns it
    expect(now.allowedActions).toContain('accept');
    expect((await operator.get(`/api/v1/events/${left.id}`)).json().allowedActions).not.toContain('accept');
    const countyInbox = (await county.get('/api/v1/inbox')).json();
    expect(countyInbox.items.map((n: { kind: string; eventId: number }) => [n.kind, n.eventId])).toContainEqual(['event.escalated', left.id]);
    // nothing more happens on the next sweep
    expect(await sweepDeadlines(database, clock.now())).toMatchObject({ warned: 0, overdue: 0, escalated: 0 });
  });
});

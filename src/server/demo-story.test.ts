/**
 * The seed's story on the demo's own data, as `npm start` seeds it, with the demo accounts and
 * their published password: a citizen reports broken glass on a road in 凌家村 (330781004267) of
 * 永昌街道 (330781004), 兰溪市 (330781); lanxi.operator accepts it and dispatches it to
 * lanxi.worker, the worker of the grid holding the point, who signs and reports it handled with
 * a photo; the operator verifies and closes it; the citizen rates it; lanxi.leader counts it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import * as org from '../modules/org/index.js';
import { countActiveDemoUsers, findStaffId, lockUser, staffById, storyPlace, DEMO_PASSWORD, STORY_COUNTY, STORY_TOWNSHIP, STORY_VILLAGE } from '../modules/accounts/index.js';
import { demoDatabase } from '../test-support/demo-db.js';
import { testApp, type Client } from '../test-support/app.js';

const database = await demoDatabase();
const t = await testApp(database);
afterAll(async () => { await t.app.close(); await database.drop(); });

/** A demo account signed in through the API with its published password, as a visitor would. */
async function demo(username: string): Promise<Client> {
  return t.client({ ...(await t.login(username, DEMO_PASSWORD, null)), username, totpSecret: null });
}
/** The unit and roles a demo account holds. */
async function heldBy(c: Client) {
  const u = (await staffById(database.db, c.userId))!;
  return { org: (await org.findByIds(database.db, [u.orgId]))[0].code, roles: u.roles };
}
const jpeg = (color: string) => sharp({ create: { width: 640, height: 480, channels: 3, background: color } }).jpeg().toBuffer();

describe('the seed’s story on the demo (npm start’s data, the demo accounts)', () => {
  it('兰溪市 is a showcase county: 凌家村 has a polygon and grids, and the story’s point locates to lanxi.worker’s grid', async () => {
    const place = (await storyPlace(database.db))!;
    expect(place.grid).toMatch(new RegExp(`^${STORY_VILLAGE}\\d{3}$`));
    const leader = await demo('lanxi.leader');
    const located = (await leader.get(`/api/v1/locate?lon=${place.lon}&lat=${place.lat}`)).json();
    expect(located).toMatchObject({
      county: { code: STORY_COUNTY, name: '兰溪市' }, township: { code: STORY_TOWNSHIP, name: '永昌街道' },
      village: { code: STORY_VILLAGE, name: expect.stringContaining('凌家村') }, grid: { code: place.grid },
    });
    const worker = await demo('lanxi.worker');
    expect(await heldBy(worker)).toEqual({ org: place.grid, roles: ['grid_worker'] });
  });

  it('runs from the citizen’s report at 凌家村 to the rating, with lanxi.operator and lanxi.worker', async () => {
    const place = (await storyPlace(database.db))!;
    const cats = (await t.anonymous('GET', '/api/v1/event-categories')).json().items as { code: string; name: string }[];
    const glass = cats.find((c) => c.name.includes('碎玻璃'))!.code;
    const citizen = await t.citizen('13812347781');
    const operator = await demo('lanxi.operator');
    const worker = await demo('lanxi.worker');
    const leader = await demo('lanxi.leader');
    const counted = async () => (await leader.get(`/api/v1/events/indicators?org=${STORY_COUNTY}&from=2020-01-01T00:00:00%2B08:00&to=2100-01-01T00:00:00%2B08:00`)).json();
    // the demo's generated history counts already; the story adds one case accepted and closed at the grid
    const before = await counted();
    expect(before.accepted).toBeGreaterThan(100);

    const res = await citizen.send('POST', '/api/v1/events', {
      categoryCode: glass, description: '凌家村村道上有一地碎玻璃，容易扎伤行人', location: { lon: place.lon, lat: place.lat }, photos: [await citizen.photo(await jpeg('#777'))],
    });
    expect(res.statusCode, res.body).toBe(201);
    const reported = res.json().event;
    const id: number = reported.id;
    let version: number = reported.version;
    expect(reported).toMatchObject({
      status: 'reported', owner: { code: `${STORY_TOWNSHIP}-center` },
      area: { county: STORY_COUNTY, township: STORY_TOWNSHIP, village: STORY_VILLAGE, grid: place.grid },
      handler: { code: `${STORY_TOWNSHIP}-platform-law-enforcement` },
    });
    const step = async (c: Client, action: string, body: Record<string, unknown> = {}) => {
      const r = await c.send('POST', `/api/v1/events/${id}/${action}`, { version, ...body });
      expect(r.statusCode, `${action}: ${r.body}`).toBe(200);
      version = r.json().version;
      return r.json();
    };

    // it lands in 永昌街道's queue, where lanxi.operator accepts it and dispatches it to the grid's worker
    expect((await operator.get('/api/v1/events?status=reported')).json().items.map((e: { id: number }) => e.id)).toContain(id);
    await step(operator, 'accept');
    const dispatched = await step(operator, 'dispatch', { assignee: { userId: worker.userId }, note: '请尽快清理' });
    expect(dispatched).toMatchObject({ status: 'dispatched', assignee: { unit: { code: place.grid }, user: { id: worker.userId } } });

    // lanxi.worker has it among their tasks, signs, and reports it handled with a photo
    expect((await worker.get('/api/v1/events?mine=assigned')).json().items.map((e: { id: number }) => e.id)).toContain(id);
    await step(worker, 'sign');
    await step(worker, 'report-handled', { note: '已清扫干净', photos: [await worker.photo(await jpeg('#3a3'))] });

    // lanxi.operator verifies and closes it; the citizen rates it
    expect(await step(operator, 'verify-pass', { note: '现场核查已清理' })).toMatchObject({ status: 'closed', closedLevel: 'grid' });
    expect((await step(citizen, 'rate', { rating: 5 })).rating).toBe(5);
    const timeline = (await citizen.get(`/api/v1/events/${id}`)).json().timeline as { action: string; photos: unknown[] }[];
    expect(timeline.map((s) => s.action)).toEqual(['report', 'accept', 'dispatch', 'sign', 'report_handled', 'verify_pass', 'rate']);
    expect(timeline.find((s) => s.action === 'report_handled')!.photos).toHaveLength(1);

    // 兰溪市's leader counts it
    const ind = await counted();
    expect(ind).toMatchObject({ org: { code: STORY_COUNTY }, accepted: before.accepted + 1, closed: before.closed + 1 });
  });

  it('lanxi.handler takes a case of 凌家村 dispatched to 永昌街道’s platform; 西湖区’s operator does not see 兰溪市’s cases', async () => {
    const place = (await storyPlace(database.db))!;
    const handler = await demo('lanxi.handler');
    expect(await heldBy(handler)).toEqual({ org: `${STORY_TOWNSHIP}-platform-law-enforcement`, roles: ['handler'] });
    const citizen = await t.citizen('13812347782');
    const operator = await demo('lanxi.operator');
    const r = await citizen.send('POST', '/api/v1/events', { categoryCode: '0101', description: '村口又有碎玻璃', location: { lon: place.lon, lat: place.lat } });
    expect(r.statusCode, r.body).toBe(201);
    const { id } = r.json().event;
    const a = await operator.send('POST', `/api/v1/events/${id}/accept`, { version: r.json().event.version });
    const d = await operator.send('POST', `/api/v1/events/${id}/dispatch`, { version: a.json().version, assignee: { unitCode: `${STORY_TOWNSHIP}-platform-law-enforcement` } });
    expect(d.statusCode, d.body).toBe(200);
    // the newest of the platform's cases (the generated history's come before it)
    const assigned = (await handler.get('/api/v1/events?mine=assigned')).json().items as { id: number; area: { township: string } }[];
    expect(assigned[0].id).toBe(id);
    expect(assigned.every((e) => e.area.township === STORY_TOWNSHIP)).toBe(true);
    const signed = await handler.send('POST', `/api/v1/events/${id}/sign`, { version: d.json().version });
    expect(signed.json()).toMatchObject({ status: 'in_progress' });
    const westLake = await demo('demo.operator');
    const seen = (await westLake.get('/api/v1/events')).json().items as { id: number; area: { county: string } }[];
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.filter((e) => e.area.county !== '330106')).toEqual([]);
    expect((await westLake.get(`/api/v1/events/${id}`)).statusCode).toBe(404);
  });

  it('the README’s story reports where the seed puts it, and names lanxi.worker’s grid', async () => {
    const place = (await storyPlace(database.db))!;
    const readme = fs.readFileSync(path.resolve('README.md'), 'utf8');
    const [, lon, lat] = /put the point at lon ([\d.]+), lat ([\d.]+)/.exec(readme)!;
    expect([Number(lon), Number(lat)]).toEqual([Number(place.lon.toFixed(6)), Number(place.lat.toFixed(6))]);
    expect(readme).toContain(`| \`lanxi.worker\` | grid_worker (专职网格员) | 凌家村第3网格 (${place.grid})`);
    // the rounded point is still in that grid
    const located = (await (await demo('lanxi.leader')).get(`/api/v1/locate?lon=${lon}&lat=${lat}`)).json();
    expect(located.grid).toMatchObject({ code: place.grid, name: '凌家村第3网格' });
  });

  it('production still refuses to start while the 兰溪 accounts are active, after 西湖区’s are locked', async () => {
    expect(await countActiveDemoUsers(database.db)).toBe(11);
    for (const u of ['demo.operator', 'demo.worker', 'demo.handler', 'demo.leader', 'demo.sysadmin', 'demo.secadmin', 'demo.auditor']) {
      await lockUser(t.ctx, null, await findStaffId(t.ctx, u), true, { ip: null, userAgent: 'test' });
    }
    expect(await countActiveDemoUsers(database.db)).toBe(4);
  });
});

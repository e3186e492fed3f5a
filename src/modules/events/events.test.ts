/**
 * The case loop over HTTP: every channel of intake, idempotency, bad input, the lifecycle's side
 * roads (return, rework, extension, suspension, escalation, supervision, reopen), categories
 * with versions, and the scope of every route (a neighbouring township sees nothing).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { sql } from 'drizzle-orm';
import { rows } from '../../platform/db/database.js';
import { testDatabase } from '../../test-support/test-db.js';
import { testApp, testClock, type Client } from '../../test-support/app.js';
import { createKey } from '../accounts/index.js';
import { ACTIONS, ACTION_NAMES, type Action } from './events.lifecycle.js';

const database = await testDatabase('fixture');
const clock = testClock(new Date('2026-06-10T02:00:00Z'));
const t = await testApp(database, {}, { now: clock.now });
afterAll(async () => { await t.app.close(); await database.drop(); });

type Grid = { code: string; lon: number; lat: number };
const gridsOf = (township: string) => rows<Grid>(database.db, sql`select u.code, b.lon, b.lat from boundaries b join org_units u on u.id = b.unit_id
  where b.level = 'grid' and u.code like ${`${township}%`} order by u.code limit 3`);
const count = async (table: string) => (await rows<{ n: number }>(database.db, sql`select count(*)::int as n from ${sql.raw(table)}`))[0].n;

let A: Grid, A2: Grid, B: Grid; // two grids of one township of 西湖区, one of the next township
let TA: string, TB: string;
let glass: string, missing: string, dispute: string;
let citizen: Client, opA: Client, opB: Client, workerA: Client, handlerA: Client, leader: Client, countyOp: Client, sysadmin: Client;

beforeAll(async () => {
  const towns = await rows<{ code: string }>(database.db, sql`select code from org_units where level = 'township' and kind = 'area' and code like '330106%' order by code limit 2`);
  [TA, TB] = towns.map((r) => r.code);
  [A, A2] = await gridsOf(TA);
  [B] = await gridsOf(TB);
  const cats = (await t.anonymous('GET', '/api/v1/event-categories')).json().items as { code: string; name: string; urgent: boolean; evidenceRequired: boolean }[];
  glass = cats.find((c) => c.name.includes('碎玻璃'))!.code;
  missing = cats.find((c) => c.name.includes('老人走失'))!.code;
  dispute = cats.find((c) => c.name.includes('邻里'))!.code;
  citizen = await t.citizen('13900000001');
  opA = await t.as('operator', `${TA}-center`);
  opB = await t.as('operator', `${TB}-center`);
  workerA = await t.as('grid_worker', A.code);
  handlerA = await t.as('handler', `${TA}-platform-law-enforcement`);
  leader = await t.as('leader', '330106-center');
  countyOp = await t.as('operator', '330106-center');
  sysadmin = await t.as('sysadmin', '330106-center');
});

async function report(c: Client, body: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  return c.send('POST', '/api/v1/events', { categoryCode: glass, description: '路面有碎玻璃', location: { lon: A.lon, lat: A.lat }, ...body }, headers);
}
async function newCase(body: Record<string, unknown> = {}) {
  const res = await report(citizen, body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json().event as { id: number; version: number; status: string };
}
async function doAct(c: Client, id: number, action: string, body: Record<string, unknown> = {}) {
  const cur = (await opA.get(`/api/v1/events/${id}`)).json();
  return c.send('POST', `/api/v1/events/${id}/${action}`, { version: cur.version, ...body });
}
async function ok(c: Client, id: number, action: string, body: Record<string, unknown> = {}) {
  const res = await doAct(c, id, action, body);
  expect(res.statusCode, `${action}: ${res.body}`).toBe(200);
  return res.json();
}
async function upload(c: Client) {
  const img = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#456' } }).jpeg().toBuffer();
  return c.photo(img);
}

describe('intake', () => {
  it('routes a point to its grid, the township center and the category’s platform', async () => {
    const e = await newCase();
    const d = (await opA.get(`/api/v1/events/${e.id}`)).json();
    expect(d).toMatchObject({ area: { grid: A.code, township: TA, county: '330106', city: '3301' }, owner: { code: `${TA}-center` }, handler: { code: `${TA}-platform-law-enforcement` }, deadline: { stage: 'accept', state: 'normal' } });
    expect(Date.parse(d.deadline.dueAt) - Date.parse(d.deadline.startedAt)).toBe(30 * 60_000);
  });

  it('accepts GCJ-02 input and stores WGS-84', async () => {
    const { transform, GCJ02, WGS84 } = (await import('gcoord')).default as unknown as { transform(p: number[], a: string, b: string): number[]; GCJ02: string; WGS84: string };
    const [lon, lat] = transform([A.lon, A.lat], WGS84, GCJ02);
    const e = (await report(citizen, { location: { lon, lat, crs: 'gcj02' } })).json().event;
    expect(e.area.grid).toBe(A.code);
    expect(e.location.lon).toBeCloseTo(A.lon, 5);
  });

  it('takes a hotline call for a caller, masking the caller’s phone', async () => {
    const res = await report(opA, { channel: 'hotline', caller: { name: '王先生', phone: '13512345678' } });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().event).toMatchObject({ channel: 'hotline', reporter: { name: '王先生', phone: '135****5678', anonymous: false } });
    // a grid worker may not take hotline calls, a citizen may not name a channel's caller
    expect((await report(workerA, { channel: 'hotline' })).statusCode).toBe(403);
    expect((await report(citizen, { caller: { name: 'x' } })).statusCode).toBe(400);
  });

  it('takes a patrol report resolved on the spot straight to verification', async () => {
    expect((await report(workerA, { channel: 'patrol', resolvedOnSpot: true })).json().error.field).toBe('photos');
    const photo = await upload(workerA);
    const res = await report(workerA, { channel: 'patrol', resolvedOnSpot: true, photos: [photo], location: { lon: A2.lon, lat: A2.lat } });
    expect(res.statusCode, res.body).toBe(201);
    const e = res.json().event;
    expect(e).toMatchObject({ status: 'handled', resolvedOnSpot: true, channel: 'patrol', deadline: { stage: 'verify' }, assignee: { user: { id: workerA.userId } } });
    const closed = await ok(opA, e.id, 'verify-pass');
    expect(closed).toMatchObject({ status: 'closed', closedLevel: 'grid', closedOnTime: true });
    // a grid worker reports within the township of their grid, not beyond
    expect((await report(workerA, { channel: 'patrol', location: { lon: B.lon, lat: B.lat } })).statusCode).toBe(422);
  });

  it('takes reports from an integration key and lets it read only its own', async () => {
    const { secret } = await createKey(t.ctx, null, { name: 'sensor', orgCode: '330106', permissions: ['events.report'] }, { ip: null, userAgent: null });
    const auth = { authorization: `Bearer ${secret}` };
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/events', headers: auth, payload: { categoryCode: glass, description: '传感器告警：路面异物', location: { lon: A.lon, lat: A.lat } } });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().event.channel).toBe('integration');
    const mine = (await t.app.inject({ method: 'GET', url: '/api/v1/events', headers: auth })).json();
    expect(mine.items.map((e: { id: number }) => e.id)).toEqual([res.json().event.id]);
  });

  it('takes an integration report for a person, and lets the key stand as its reporter', async () => {
    const keyOf = async (name: string, permissions: string[]) => ({ authorization: `Bearer ${(await createKey(t.ctx, null, { name, orgCode: '330106', permissions }, { ip: null, userAgent: null })).secret}` });
    const auth = await keyOf('12345 热线对接', ['events.report']);
    const keyAct = async (headers: Record<string, string>, id: number, action: string, body: Record<string, unknown> = {}) => {
      const cur = (await opA.get(`/api/v1/events/${id}`)).json();
      return t.app.inject({ method: 'POST', url: `/api/v1/events/${id}/${action}`, headers, payload: { version: cur.version, ...body } });
    };
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/events', headers: auth, payload: { categoryCode: glass, description: '路口有碎玻璃', location: { lon: A.lon, lat: A.lat }, caller: { name: '赵先生', phone: '13612345678' } } });
    expect(res.statusCode, res.body).toBe(201);
    const e = res.json().event;
    expect(e.allowedActions).toEqual(['add_info', 'withdraw']);
    const seen = (await opA.get(`/api/v1/events/${e.id}`)).json();
    expect(seen.reporter).toEqual({ name: '赵先生', phone: '136****5678', anonymous: false });
    expect(seen.timeline[0].actor).toEqual({ kind: 'key', name: '12345 热线对接' });
    expect((await keyAct(auth, e.id, 'add-info', { note: '来电人补充：玻璃在公交站旁' })).statusCode).toBe(200);
    // another key is not the reporter: one that may read the case is refused, one that may not does not find it
    expect((await keyAct(await keyOf('other reader', ['events.read', 'events.report']), e.id, 'add-info', { note: 'x' })).statusCode).toBe(403);
    expect((await keyAct(await keyOf('other', ['events.report']), e.id, 'add-info', { note: 'x' })).statusCode).toBe(404);
    // closed, the key reopens it for the person
    await ok(opA, e.id, 'accept');
    await ok(opA, e.id, 'dispatch', { assignee: { userId: workerA.userId } });
    await ok(workerA, e.id, 'sign');
    await ok(workerA, e.id, 'report-handled', { note: '已清理', photos: [await upload(workerA)] });
    await ok(opA, e.id, 'verify-pass');
    expect((await keyAct(auth, e.id, 'rate', { rating: 5 })).statusCode).toBe(403); // satisfaction is a person's
    const reopened = await keyAct(auth, e.id, 'reopen', { note: '来电人说还有玻璃' });
    expect(reopened.statusCode, reopened.body).toBe(200);
    expect(reopened.json()).toMatchObject({ status: 'accepted', reopenCount: 1 });
    expect((await opA.get(`/api/v1/events/${e.id}`)).json().timeline.map((s: { action: string; actor: { kind: string } }) => `${s.action}:${s.actor.kind}`))
      .toEqual(['report:key', 'add_info:key', 'accept:staff', 'dispatch:staff', 'sign:staff', 'report_handled:staff', 'verify_pass:staff', 'reopen:key']);
  });

  it('alerts the county center and public security at once for an urgent case', async () => {
    const police = await t.as('handler', '330106-dept-public-security');
    const attributes = { age: 78, gender: 'female', clothing: '蓝色外套，灰色裤子', last_seen_at: '2026-06-10T01:30:00Z', last_seen_place: '菜市场门口', guardian_phone: '13600000000' };
    expect((await report(citizen, { categoryCode: missing, description: '老人走失' })).json().error.field).toBe('attributes.age');
    expect((await report(citizen, { categoryCode: missing, description: '老人走失', attributes: { ...attributes, age: 'old' } })).json().error.field).toBe('attributes.age');
    const e = await newCase({ categoryCode: missing, description: '一位老人走失，穿蓝色外套', attributes });
    expect((await opA.get(`/api/v1/events/${e.id}`)).json()).toMatchObject({ urgent: true, priority: 1, attributes: { age: 78, last_seen_at: '2026-06-10T01:30:00.000Z' } });
    const box = (await police.get('/api/v1/inbox')).json();
    expect(box.items[0]).toMatchObject({ kind: 'event.urgent', eventId: e.id });
    expect((await countyOp.get('/api/v1/inbox')).json().items.map((n: { eventId: number }) => n.eventId)).toContain(e.id);
  });

  it('withholds an anonymous reporter’s name from staff', async () => {
    const e = await newCase({ anonymous: true });
    expect((await opA.get(`/api/v1/events/${e.id}`)).json().reporter).toEqual({ name: '匿名', phone: null, anonymous: true });
    expect((await citizen.get(`/api/v1/events/${e.id}`)).json().id).toBe(e.id);
  });

  it('returns the first case for a retried Idempotency-Key, and refuses a different body', async () => {
    const before = await count('events');
    const key = { 'idempotency-key': 'retry-key-0001' };
    const first = await report(citizen, {}, key);
    expect(first.statusCode, first.body).toBe(201);
    const again = await report(citizen, {}, key);
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ replayed: true, event: { id: first.json().event.id } });
    const other = await report(citizen, { description: '另一件事' }, key);
    expect(other.statusCode).toBe(409);
    expect(other.json().error.field).toBe('Idempotency-Key');
    // the same key from someone else is their own key
    expect((await report(await t.citizen('13900000002'), {}, key)).statusCode).toBe(201);
    expect(await count('events')).toBe(before + 2);
  });

  it('makes one case of concurrent retries with one key', async () => {
    const before = await count('events');
    const key = { 'idempotency-key': 'concurrent-0001' };
    const all = await Promise.all(Array.from({ length: 5 }, () => report(citizen, {}, key)));
    expect(all.map((r) => r.statusCode).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(all.map((r) => r.json().event.id)).size).toBe(1);
    expect(await count('events')).toBe(before + 1);
  });

  it('rejects bad reports with a clear error and writes nothing', async () => {
    const photoOfOther = await upload(opA);
    const before = { events: await count('events'), transitions: await count('event_transitions'), audit: await count('audit_log') };
    const cases: [Record<string, unknown>, number, string?][] = [
      [{ location: { lon: 116.4, lat: 39.9 } }, 422], // Beijing: outside the province
      [{ categoryCode: '9999' }, 422, 'categoryCode'],
      [{ categoryCode: 'glass' }, 400],
      [{ description: '' }, 400],
      [{ description: '   ' }, 400, 'description'],
      [{ description: '长'.repeat(4001) }, 400],
      [{ description: 'x\u202ey' }, 400],
      [{ location: undefined }, 400, 'location'],
      [{ location: { lon: 'a', lat: 30 } }, 400],
      [{ location: { lon: 200, lat: 30 } }, 400],
      [{ photos: Array.from({ length: 10 }, (_, i) => `${'a'.repeat(23)}${i}`) }, 400],
      [{ photos: ['b'.repeat(24)] }, 422, 'photos'],
      [{ photos: [photoOfOther] }, 422, 'photos'],
      [{ unitCode: '330106-center', location: undefined }, 422, 'unitCode'],
      [{ extra: 1 }, 400],
      [{ categoryCode: missing, attributes: { shoe_size: '42' } }, 400],
    ];
    for (const [body, status, field] of cases) {
      const res = await report(citizen, body);
      expect(res.statusCode, `${JSON.stringify(body).slice(0, 80)}: ${res.body}`).toBe(status);
      expect(res.json().error.message.zh).toBeTruthy();
      if (field) expect(res.json().error.field).toBe(field);
    }
    expect((await t.anonymous('POST', '/api/v1/events', { categoryCode: glass, description: 'x', location: { lon: A.lon, lat: A.lat } })).statusCode).toBe(401);
    expect((await citizen.send('POST', '/api/v1/events', { categoryCode: glass, description: 'x', location: { lon: A.lon, lat: A.lat } }, { 'x-csrf-token': 'wrong' })).statusCode).toBe(403);
    const big = await t.app.inject({ method: 'POST', url: '/api/v1/events', payload: JSON.stringify({ categoryCode: glass, description: 'x'.repeat(2_000_000) }), headers: { cookie: citizen.cookie, 'x-csrf-token': citizen.csrf, 'content-type': 'application/json' } });
    expect(big.statusCode).toBe(413);
    expect({ events: await count('events'), transitions: await count('event_transitions'), audit: await count('audit_log') }).toEqual(before);
  });

  it('reports by choosing a village and an address', async () => {
    const village = A.code.slice(0, 12);
    const res = await report(citizen, { location: undefined, unitCode: village, address: '村委会门口' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().event).toMatchObject({ area: { village, grid: null, township: TA }, location: null, address: '村委会门口', owner: { code: `${TA}-center` } });
  });
});

describe('photos', () => {
  it('recognises images by their bytes and refuses the rest', async () => {
    const send = (payload: Buffer, type: string) => t.app.inject({ method: 'POST', url: '/api/v1/photos', payload, headers: { cookie: citizen.cookie, 'x-csrf-token': citizen.csrf, 'content-type': type } });
    const png = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#f00' } }).png().toBuffer();
    expect((await send(png, 'image/jpeg')).json()).toMatchObject({ mime: 'image/png', width: 10, height: 10 }); // the bytes decide, not the label
    expect((await send(Buffer.from('GIF89a....'), 'image/png')).statusCode).toBe(422);
    expect((await send(Buffer.from('%PDF-1.4'), 'application/octet-stream')).statusCode).toBe(422);
    expect((await send(Buffer.alloc(10 * 1024 * 1024 + 70 * 1024, 1), 'image/jpeg')).statusCode).toBe(413);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/photos', payload: 'x', headers: { cookie: citizen.cookie, 'x-csrf-token': citizen.csrf, 'content-type': 'text/plain' } })).statusCode).toBe(415);
  });

  it('shows staff the original and nobody else; strangers see nothing', async () => {
    const token = await upload(citizen);
    const e = (await report(citizen, { photos: [token] })).json().event;
    const d = (await opA.get(`/api/v1/events/${e.id}`)).json();
    expect(d.photos[0].originalUrl).toBe(`/api/v1/photos/${token}/original`);
    expect((await opA.get(`/api/v1/photos/${token}/original`)).statusCode).toBe(200);
    expect((await citizen.get(`/api/v1/photos/${token}/original`)).statusCode).toBe(404);
    expect((await citizen.get(`/api/v1/photos/${token}/thumb`)).headers['content-type']).toBe('image/webp');
    expect((await opB.get(`/api/v1/photos/${token}`)).statusCode).toBe(404);
    expect((await (await t.citizen('13900000003')).get(`/api/v1/photos/${token}`)).statusCode).toBe(404);
  });
});

describe('lifecycle over HTTP', () => {
  it('refuses a stale version and an action the state does not allow, with the reason', async () => {
    const e = await newCase();
    const stale = await opA.send('POST', `/api/v1/events/${e.id}/accept`, { version: e.version + 5 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.field).toBe('version');
    const wrong = await doAct(opA, e.id, 'verify-pass');
    expect(wrong.statusCode).toBe(409);
    expect(wrong.json().error.message.zh).toContain('待受理');
    const notYours = await doAct(workerA, e.id, 'accept');
    expect(notYours.statusCode).toBe(403);
    // nothing changed
    expect((await opA.get(`/api/v1/events/${e.id}`)).json()).toMatchObject({ version: e.version, status: 'reported' });
  });

  it('names in a refusal exactly the actions the case offers the caller now', async () => {
    const e = await newCase();
    await ok(opA, e.id, 'accept');
    await ok(opA, e.id, 'dispatch', { assignee: { userId: workerA.userId } });
    const refusedWithHint = async (c: Client, action: string) => {
      const res = await doAct(c, e.id, action);
      expect(res.statusCode, res.body).toBe(409);
      const allowed: Action[] = (await c.get(`/api/v1/events/${e.id}`)).json().allowedActions;
      expect(allowed.length).toBeGreaterThan(0);
      const { zh, en } = res.json().error.message as { zh: string; en: string };
      expect(zh.slice(zh.indexOf('此状态下'))).toBe(`此状态下您可以：${allowed.map((a) => ACTION_NAMES[a].zh).join('、')}。`);
      expect(en.slice(en.indexOf(' You may'))).toBe(` You may: ${allowed.map((a) => ACTION_NAMES[a].en).join(', ')}.`);
      return allowed;
    };
    // dispatched, no extension asked: the center is not offered to grant or deny one
    const center = await refusedWithHint(opA, 'verify-pass');
    expect(center).not.toContain('grant_extension');
    expect(center).toContain('dispatch');
    await ok(workerA, e.id, 'sign');
    const until = new Date(Date.parse((await opA.get(`/api/v1/events/${e.id}`)).json().deadline.dueAt) + 86_400_000).toISOString();
    await ok(workerA, e.id, 'request-extension', { note: '需要配合', until });
    // now asked: the center may decide it, the assignee may not ask again
    expect(await refusedWithHint(opA, 'accept')).toEqual(expect.arrayContaining(['grant_extension', 'deny_extension']));
    expect(await refusedWithHint(workerA, 'sign')).not.toContain('request_extension');
  });

  it('rejects with a reason and tells the reporter', async () => {
    const e = await newCase();
    expect((await doAct(opA, e.id, 'reject')).json().error.field).toBe('note');
    expect((await ok(opA, e.id, 'reject', { note: '重复上报，已由 13912345678 处理' })).status).toBe('rejected');
    // the staff's reason reaches the citizen with personal data hidden
    expect((await citizen.get('/api/v1/inbox')).json().items[0]).toMatchObject({ kind: 'event.rejected', eventId: e.id, title: { zh: `您的报告不予立案：重复上报，已由 [已隐去] 处理（#${e.id}）` } });
    expect((await citizen.get(`/api/v1/events/${e.id}`)).json().timeline.find((x: { action: string }) => x.action === 'reject').note).toBe('重复上报，已由 [已隐去] 处理');
    expect((await opA.get(`/api/v1/events/${e.id}`)).json().timeline.find((x: { action: string }) => x.action === 'reject').note).toBe('重复上报，已由 13912345678 处理');
  });

  it('lets a platform return a case, the center redispatch, and counts rework', async () => {
    const e = await newCase();
    await ok(opA, e.id, 'accept');
    // the people the center may name: the category's platform first, then the case's grid
    const who = (await opA.get(`/api/v1/events/${e.id}/assignees`)).json().items;
    expect(who.map((p: { id: number }) => p.id)).toEqual([handlerA.userId, workerA.userId]);
    expect(who[1].unit.code).toBe(A.code);
    expect((await opB.get(`/api/v1/events/${e.id}/assignees`)).statusCode).toBe(404);
    expect((await workerA.get(`/api/v1/events/${e.id}/assignees`)).statusCode).toBe(403);
    const d = await ok(opA, e.id, 'dispatch'); // default: the category's platform
    expect(d.assignee.unit.code).toBe(`${TA}-platform-law-enforcement`);
    expect((await handlerA.get('/api/v1/events?mine=assigned')).json().items.map((x: { id: number }) => x.id)).toContain(e.id);
    expect((await ok(handlerA, e.id, 'return', { note: '不属于本平台' })).status).toBe('returned');
    // the reporter sees the step, not the internal reason
    const seen = (await citizen.get(`/api/v1/events/${e.id}`)).json().timeline.at(-1);
    expect(seen).toMatchObject({ action: 'return', note: null, details: null, actor: { name: '工作人员' } });
    expect((await opA.get(`/api/v1/events/${e.id}`)).json().timeline.at(-1).note).toBe('不属于本平台');
    await ok(opA, e.id, 'dispatch', { assignee: { userId: workerA.userId } });
    await ok(workerA, e.id, 'sign');
    const p1 = await upload(workerA);
    await ok(workerA, e.id, 'report-handled', { note: '已处理', photos: [p1] });
    const rework = await ok(opA, e.id, 'verify-fail', { note: '还有残留' });
    expect(rework).toMatchObject({ status: 'in_progress', reworkCount: 1 });
    const p2 = await upload(workerA);
    await ok(workerA, e.id, 'report-handled', { note: '已彻底清理', photos: [p2] });
    expect((await ok(opA, e.id, 'verify-pass')).status).toBe('closed');
    // the dispatch may not go outside the center's area
    const other = await newCase();
    await ok(opA, other.id, 'accept');
    expect((await doAct(opA, other.id, 'dispatch', { assignee: { unitCode: `${TB}-platform-law-enforcement` } })).statusCode).toBe(422);
    expect((await doAct(opA, other.id, 'dispatch', { assignee: { unitCode: `${TA}-center` } })).statusCode).toBe(422);
  });

  it('handles an extension request, and suspension stops the clock', async () => {
    const e = await newCase({ categoryCode: dispute, description: '楼上楼下噪音纠纷' });
    await ok(opA, e.id, 'accept');
    await ok(opA, e.id, 'dispatch', { assignee: { userId: workerA.userId } });
    const signed = await ok(workerA, e.id, 'sign');
    const until = new Date(Date.parse(signed.deadline.dueAt) + 3 * 86_400_000).toISOString();
    expect((await doAct(workerA, e.id, 'request-extension', { note: '需当事人到场', until: '2020-01-01T00:00:00Z' })).statusCode).toBe(400);
    expect((await opA.get(`/api/v1/events/${e.id}`)).json().allowedActions).not.toContain('grant_extension'); // nothing asked yet
    await ok(workerA, e.id, 'request-extension', { note: '需当事人到场', until });
    expect((await opA.get(`/api/v1/events/${e.id}`)).json().allowedActions).toEqual(expect.arrayContaining(['grant_extension', 'deny_extension']));
    expect((await workerA.get(`/api/v1/events/${e.id}`)).json().allowedActions).not.toContain('request_extension');
    expect((await doAct(workerA, e.id, 'request-extension', { note: '再次', until })).statusCode).toBe(409);
    const granted = await ok(opA, e.id, 'grant-extension');
    expect(granted).toMatchObject({ extensionRequest: null, dueAt: until, deadline: { dueAt: until } });

    const susp = await ok(opA, e.id, 'suspend', { note: '等待司法鉴定' });
    expect(susp.status).toBe('suspended');
    clock.advance(2 * 86_400_000);
    const resumed = await ok(opA, e.id, 'resume');
    expect(resumed.status).toBe('in_progress');
    expect(Date.parse(resumed.deadline.dueAt) - Date.parse(until)).toBe(2 * 86_400_000);
    expect(Date.parse(resumed.dueAt) - Date.parse(until)).toBe(2 * 86_400_000);
  });

  it('escalates by hand, lets a leader give an instruction, and the county act', async () => {
    const e = await newCase();
    const up = await ok(opA, e.id, 'escalate', { note: '涉及多个乡镇' });
    expect(up).toMatchObject({ owner: { code: '330106-center' }, escalationCount: 1 });
    expect((await doAct(opA, e.id, 'accept')).statusCode).toBe(403);
    const sup = await ok(leader, e.id, 'supervise', { note: '请三日内办结' });
    expect(sup.supervised).toBe(true);
    const d = (await countyOp.get(`/api/v1/events/${e.id}`)).json();
    expect(d.timeline.at(-1)).toMatchObject({ action: 'supervise', details: { kind: 'instruction', instruction: '请三日内办结' } });
    expect((await ok(countyOp, e.id, 'accept')).status).toBe('accepted');
  });

  it('lets the reporter add information, withdraw before acceptance, reopen within 7 days and rate once', async () => {
    const w = await newCase();
    await ok(citizen, w.id, 'add-info', { note: '补充：在公交站旁' });
    expect((await ok(citizen, w.id, 'withdraw')).status).toBe('withdrawn');

    const e = await newCase();
    const photo = await upload(workerA);
    await ok(opA, e.id, 'accept');
    await ok(opA, e.id, 'dispatch', { assignee: { userId: workerA.userId } });
    await ok(workerA, e.id, 'sign');
    await ok(workerA, e.id, 'report-handled', { note: '已清理', photos: [photo] });
    await ok(opA, e.id, 'verify-pass');
    expect((await doAct(citizen, e.id, 'rate', { rating: 6 })).statusCode).toBe(400);
    const other = await t.citizen('13900000004');
    expect((await doAct(other, e.id, 'rate', { rating: 1 })).statusCode).toBe(404);
    const reopened = await ok(citizen, e.id, 'reopen', { note: '又出现了' });
    expect(reopened).toMatchObject({ status: 'accepted', reopenCount: 1, closedAt: null });
    const photo2 = await upload(workerA);
    await ok(opA, e.id, 'dispatch', { assignee: { userId: workerA.userId } });
    await ok(workerA, e.id, 'sign');
    await ok(workerA, e.id, 'report-handled', { note: '再次清理', photos: [photo2] });
    await ok(opA, e.id, 'verify-pass');
    await ok(citizen, e.id, 'rate', { rating: 4 });
    expect((await doAct(citizen, e.id, 'rate', { rating: 5 })).statusCode).toBe(409);
    clock.advance(8 * 86_400_000);
    const late = await doAct(citizen, e.id, 'reopen', { note: '又来了' });
    expect(late.statusCode).toBe(409);
    expect(late.json().error.message.zh).toContain('7 天');
  });
});

describe('scope of every route', () => {
  it('hides a case of one township from the next township’s staff, on every route', async () => {
    const e = await newCase();
    const probes: [string, string][] = [['GET', `/api/v1/events/${e.id}`], ...ACTIONS.map((a) => ['POST', `/api/v1/events/${e.id}/${a.replace(/_/g, '-')}`] as [string, string])];
    for (const [method, url] of probes) {
      const res = method === 'GET' ? await opB.get(url) : await opB.send('POST', url, { version: e.version, note: 'x' });
      expect(res.statusCode, url).toBe(404);
    }
    expect((await opB.get('/api/v1/events')).json().items.map((x: { id: number }) => x.id)).not.toContain(e.id);
    expect((await opB.get(`/api/v1/events?org=${TA}`)).statusCode).toBe(404);
    expect((await opB.get(`/api/v1/events/indicators?org=${TA}&from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z`)).statusCode).toBe(404);
    expect((await opB.get(`/api/v1/events/counts?org=${TA}`)).statusCode).toBe(404);
    expect((await opB.get(`/api/v1/events/geojson?bbox=119,29,121,31&org=${TA}`)).statusCode).toBe(404);
    // and the county sees both townships
    expect((await countyOp.get(`/api/v1/events/${e.id}`)).statusCode).toBe(200);
    // another citizen sees nothing of it
    expect((await (await t.citizen('13900000005')).get(`/api/v1/events/${e.id}`)).statusCode).toBe(404);
  });

  it('lists with filters and a cursor, counts, and serves the map', async () => {
    const list = async (q: string) => (await opA.get(`/api/v1/events?${q}`)).json();
    const p1 = await list('limit=3');
    expect(p1.items).toHaveLength(3);
    const p2 = await list(`limit=3&cursor=${p1.nextCursor}`);
    expect(p2.items[0].id).toBeLessThan(p1.items[2].id);
    expect((await list('status=closed')).items.every((x: { status: string }) => x.status === 'closed')).toBe(true);
    expect((await list('channel=hotline')).items.every((x: { channel: string }) => x.channel === 'hotline')).toBe(true);
    expect((await list(`q=${encodeURIComponent('噪音')}`)).items.map((x: { description: string }) => x.description)).toEqual(['楼上楼下噪音纠纷']);
    expect((await list('q=%25')).items).toEqual([]); // a % is literal text
    const counts = (await opA.get('/api/v1/events/counts')).json();
    expect(counts.total).toBe(counts.byStatus.reduce((n: number, s: { n: number }) => n + s.n, 0));
    expect(counts.children).toBeUndefined();
    // per area below, for the dashboard's heat: the county's townships, in one request, and the same as asking each
    const county = (await countyOp.get('/api/v1/events/counts?children=true&from=2020-01-01T00:00:00Z')).json();
    expect(county.children.map((c: { code: string }) => c.code)).toEqual(expect.arrayContaining([TA]));
    for (const c of county.children as { code: string; n: number }[]) {
      expect((await countyOp.get(`/api/v1/events/counts?org=${c.code}&from=2020-01-01T00:00:00Z`)).json().total).toBe(c.n);
    }
    expect((await opA.get(`/api/v1/events/counts?org=${A.code}&children=true`)).json().children).toEqual([]); // nothing below a grid
    const map = (await opA.get(`/api/v1/events/geojson?bbox=${A.lon - 0.01},${A.lat - 0.01},${A.lon + 0.01},${A.lat + 0.01}`)).json();
    expect(map.type).toBe('FeatureCollection');
    expect(map.features.length).toBeGreaterThan(0);
    expect(map.features[0].geometry.type).toBe('Point');
    // without a box: the whole area (its cases with a location)
    const all = (await opA.get(`/api/v1/events/geojson?org=${TA}`)).json();
    expect(all.features.length).toBeGreaterThanOrEqual(map.features.length);
    expect(all.features.length).toBeLessThanOrEqual(counts.total);
    expect((await opA.get('/api/v1/events?status=bogus')).statusCode).toBe(400);
    expect((await opA.get('/api/v1/events?limit=1000')).statusCode).toBe(400);
    expect((await opA.get('/api/v1/events?cursor=abc')).statusCode).toBe(400);
    expect((await opA.get('/api/v1/events/geojson?bbox=1,2,3')).statusCode).toBe(400);
    expect((await opA.get('/api/v1/events/indicators?from=2027-01-01T00:00:00Z&to=2026-01-01T00:00:00Z')).statusCode).toBe(400);
  });

  it('lets a citizen follow an open case (already reported nearby), not a finished one', async () => {
    const e = await newCase();
    const other = await t.citizen('13900000006');
    expect((await other.send('POST', `/api/v1/events/${e.id}/follow`)).json()).toEqual({ following: true });
    expect((await other.get(`/api/v1/events/${e.id}`)).json()).toMatchObject({ id: e.id, following: true, reporter: null });
    expect((await opA.send('POST', `/api/v1/events/${e.id}/follow`)).statusCode).toBe(403);
    await ok(citizen, e.id, 'withdraw');
    expect((await (await t.citizen('13900000007')).send('POST', `/api/v1/events/${e.id}/follow`)).statusCode).toBe(404);
  });

  it('hides personal data a follower did not write: the description, the address and staff notes; the reporter and staff see them', async () => {
    const e = await newCase({ description: '路面有碎玻璃，我的电话 138 1234 5678，车牌浙A12345', address: '曙光路5号 联系 zhang@example.com' });
    await ok(opA, e.id, 'accept', { note: '已联系 13912345678' });
    await ok(citizen, e.id, 'add-info', { note: '补充：可打 13812345678' });
    const follower = await t.citizen('13900000008');
    expect((await follower.send('POST', `/api/v1/events/${e.id}/follow`)).statusCode).toBe(200);

    const seen = (await follower.get(`/api/v1/events/${e.id}`)).json();
    expect(seen.description).toBe('路面有碎玻璃，我的电话 [已隐去]，车牌[已隐去]');
    expect(seen.address).toBe('曙光路5号 联系 [已隐去]');
    const notes = (d: { timeline: { action: string; note: string | null }[] }) => d.timeline.filter((x) => x.note).map((x) => `${x.action}: ${x.note}`);
    expect(notes(seen)).toEqual(['accept: 已联系 [已隐去]', 'add_info: 补充：可打 [已隐去]']);
    expect((await follower.get('/api/v1/events?mine=following')).json().items.find((x: { id: number }) => x.id === e.id).description).toBe(seen.description);

    // the reporter reads what they wrote as written, and what staff wrote redacted
    const own = (await citizen.get(`/api/v1/events/${e.id}`)).json();
    expect(own.description).toContain('138 1234 5678');
    expect(notes(own)).toEqual(['accept: 已联系 [已隐去]', 'add_info: 补充：可打 13812345678']);
    const staff = (await opA.get(`/api/v1/events/${e.id}`)).json();
    expect([staff.description, staff.address]).toEqual(['路面有碎玻璃，我的电话 138 1234 5678，车牌浙A12345', '曙光路5号 联系 zhang@example.com']);
    expect(notes(staff)).toEqual(['accept: 已联系 13912345678', 'add_info: 补充：可打 13812345678']);
  });
});

describe('categories', () => {
  it('seeds at least 40 categories with limits, and versions every edit; a case keeps its limits', async () => {
    const all = (await t.anonymous('GET', '/api/v1/event-categories')).json().items;
    expect(all.length).toBeGreaterThanOrEqual(40);
    const before = await newCase();
    const cat = (await t.anonymous('GET', `/api/v1/event-categories/${glass}`)).json();
    const { code: _c, group: _g, groupName: _gn, groupNameEn: _ge, updatedAt: _u, version, ...rest } = cat;
    const edited = await sysadmin.send('PUT', `/api/v1/event-categories/${glass}`, { ...rest, version, limits: { ...rest.limits, accept: { amount: 2, unit: 'hours' } } });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json()).toMatchObject({ version: version + 1, limits: { accept: { amount: 2, unit: 'hours' } } });
    // a stale edit, a bad handler type, a non-admin
    expect((await sysadmin.send('PUT', `/api/v1/event-categories/${glass}`, { ...rest, version })).statusCode).toBe(409);
    expect((await sysadmin.send('PUT', `/api/v1/event-categories/${glass}`, { ...rest, handler: { kind: 'platform', type: 'public_security' } })).statusCode).toBe(400);
    expect((await opA.send('PUT', `/api/v1/event-categories/${glass}`, { ...rest })).statusCode).toBe(403);
    const versions = (await sysadmin.get(`/api/v1/event-categories/${glass}/versions`)).json().items;
    expect(versions.map((v: { version: number }) => v.version)).toEqual([version + 1, version]);
    const after = await newCase();
    const dueMs = async (id: number) => { const d = (await opA.get(`/api/v1/events/${id}`)).json().deadline; return Date.parse(d.dueAt) - Date.parse(d.startedAt); };
    expect(await dueMs(before.id)).toBe(30 * 60_000);
    expect(await dueMs(after.id)).toBe(2 * 3600_000);
    // put it back for the other tests
    await sysadmin.send('PUT', `/api/v1/event-categories/${glass}`, { ...rest });
  });
});

/**
 * Intake limits: per citizen and per device in the hour and the day (429 with Retry-After, and
 * nothing stored), staff accounts and API keys with their own limits, exact under parallel
 * requests; a near-identical repeat of one's own open case is answered with that case; and the
 * reports just outside each rule (another reporter, device, category, place, a photo, later) are
 * new cases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { sql } from 'drizzle-orm';
import { rows } from '../../platform/db/database.js';
import { testDatabase } from '../../test-support/test-db.js';
import { testApp, testClock, type Client } from '../../test-support/app.js';
import { createKey } from '../accounts/index.js';
import { normalized, similarity } from './intake-limits.js';

const database = await testDatabase('fixture');
const clock = testClock(new Date('2026-06-10T02:00:00Z'));
const t = await testApp(database, {
  PINGAN_INTAKE_CITIZEN_HOUR: '3', PINGAN_INTAKE_CITIZEN_DAY: '5', PINGAN_INTAKE_STAFF_HOUR: '2', PINGAN_INTAKE_STAFF_DAY: '50',
  PINGAN_INTAKE_KEY_HOUR: '2', PINGAN_INTAKE_KEY_DAY: '50', PINGAN_INTAKE_REPEAT_MINUTES: '10',
}, { now: clock.now });
afterAll(async () => { await t.app.close(); await database.drop(); });

const MIN = 60_000;
let A: { code: string; lon: number; lat: number }, far: { lon: number; lat: number };
let glass: string, lamp: string;
let n = 0;
const phone = () => `1391111${String(1000 + n++).padStart(4, '0')}`;
const count = async () => (await rows<{ n: number }>(database.db, sql`select count(*)::int as n from events`))[0].n;

beforeAll(async () => {
  const grids = await rows<{ code: string; lon: number; lat: number }>(database.db, sql`select u.code, b.lon, b.lat from boundaries b join org_units u on u.id = b.unit_id
    where b.level = 'grid' and u.code like '330106%' order by u.code limit 40`);
  A = grids[0];
  far = grids.find((g) => Math.abs(g.lat - A.lat) + Math.abs(g.lon - A.lon) > 0.01)!;
  const cats = (await t.anonymous('GET', '/api/v1/event-categories')).json().items as { code: string; name: string }[];
  glass = cats.find((c) => c.name.includes('碎玻璃'))!.code;
  lamp = cats.find((c) => c.name.includes('路灯'))!.code;
});

const report = (c: Client, description: string, more: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  c.send('POST', '/api/v1/events', { categoryCode: glass, description, location: { lon: A.lon, lat: A.lat }, ...more }, headers);

describe('intake limits', () => {
  it('lets a citizen file 3 in an hour; the 4th is 429 with Retry-After and stores nothing; an hour after the first, one more', async () => {
    const c = await t.citizen(phone());
    for (let i = 1; i <= 3; i++) {
      expect((await report(c, `第${i}处路面有碎玻璃`)).statusCode).toBe(201);
      clock.advance(5 * MIN);
    }
    const before = await count();
    const res = await report(c, '第4处路面有碎玻璃');
    expect(res.statusCode).toBe(429);
    expect(res.json().error).toMatchObject({ code: 'RATE_LIMITED', message: { zh: expect.stringContaining('每小时最多上报 3 件') } });
    // the first case leaves the hour 45 minutes from now
    expect(Number(res.headers['retry-after'])).toBe(45 * 60);
    expect(await count()).toBe(before);
    // another citizen is not held back by this one
    expect((await report(await t.citizen(phone()), '另一位居民：路面有碎玻璃')).statusCode).toBe(201);
    clock.advance(45 * MIN - 1000);
    expect((await report(c, '第5处路面有碎玻璃')).statusCode).toBe(429);
    clock.advance(1000);
    expect((await report(c, '第5处路面有碎玻璃')).statusCode).toBe(201);
  });

  it('holds a citizen to 5 a day, with Retry-After to when the day’s first leaves it', async () => {
    const c = await t.citizen(phone());
    for (let i = 1; i <= 5; i++) {
      expect((await report(c, `今日第${i}次：路面有碎玻璃`)).statusCode, `report ${i}`).toBe(201);
      clock.advance(61 * MIN);
    }
    const res = await report(c, '今日第6次：路面有碎玻璃');
    expect(res.statusCode).toBe(429);
    expect(res.json().error.message.zh).toContain('每天最多上报 5 件');
    expect(Number(res.headers['retry-after'])).toBe((24 * 60 - 5 * 61) * 60);
  });

  it('counts a device across accounts (X-Device-Id), not another device; a malformed id is 400 naming the header', async () => {
    const device = { 'x-device-id': 'dev-aaaaaaaaaaaaaaaaaaaa' };
    const [c1, c2] = [await t.citizen(phone()), await t.citizen(phone())];
    expect((await report(c1, '设备一号：井盖缺失了', {}, device)).statusCode).toBe(201);
    expect((await report(c2, '设备二号：路灯坏了', {}, device)).statusCode).toBe(201);
    expect((await report(c1, '设备三号：护栏倒了', {}, device)).statusCode).toBe(201);
    const res = await report(c2, '设备四号：树倒了', {}, device);
    expect(res.statusCode).toBe(429);
    expect(res.json().error.message.zh).toContain('这台设备');
    expect((await report(c2, '设备四号：树倒了', {}, { 'x-device-id': 'dev-bbbbbbbbbbbbbbbbbbbb' })).statusCode).toBe(201);
    const bad = await report(c2, '坏设备号', {}, { 'x-device-id': 'short' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe('x-device-id');
    // the stored device key is a hash, not what the app sent
    expect((await rows(database.db, sql`select 1 from events where intake_device like '%dev-aaaa%'`))).toEqual([]);
    clock.advance(2 * 60 * MIN);
  });

  it('lets exactly the limit through when a citizen sends 10 at once', async () => {
    const c = await t.citizen(phone());
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => report(c, `并发第${i}件：编号${'甲乙丙丁戊己庚辛壬癸'[i]}处有碎玻璃`)));
    expect(answers.map((r) => r.statusCode).sort()).toEqual([201, 201, 201, 429, 429, 429, 429, 429, 429, 429]);
    clock.advance(2 * 60 * MIN);
  });

  it('gives staff accounts (a grid worker’s patrol reports) and API keys their own limits', async () => {
    const worker = await t.as('grid_worker', A.code);
    for (let i = 1; i <= 2; i++) expect((await report(worker, `巡查第${i}处：碎玻璃`, { channel: 'patrol' })).statusCode).toBe(201);
    expect((await report(worker, '巡查第3处：碎玻璃', { channel: 'patrol' })).statusCode).toBe(429);
    const { secret } = await createKey(t.ctx, null, { name: 'sensor', orgCode: '330106', permissions: ['events.report'] }, { ip: null, userAgent: null });
    const send = (d: string) => t.app.inject({ method: 'POST', url: '/api/v1/events', headers: { authorization: `Bearer ${secret}` }, payload: { categoryCode: glass, description: d, location: { lon: A.lon, lat: A.lat } } });
    expect((await send('传感器告警一：路面异物')).statusCode).toBe(201);
    expect((await send('传感器告警二：井盖位移')).statusCode).toBe(201);
    const third = await send('传感器告警三：积水');
    expect(third.statusCode).toBe(429);
    expect(third.headers['retry-after']).toBeDefined();
    clock.advance(2 * 60 * MIN);
  });

  it('answers a retried Idempotency-Key with the first case even at the limit', async () => {
    const c = await t.citizen(phone());
    const first = await report(c, '幂等第1件：碎玻璃', {}, { 'idempotency-key': 'retry-key-0001' });
    expect(first.statusCode).toBe(201);
    expect((await report(c, '幂等第2件：井盖')).statusCode).toBe(201);
    expect((await report(c, '幂等第3件：路灯')).statusCode).toBe(201);
    const retry = await report(c, '幂等第1件：碎玻璃', {}, { 'idempotency-key': 'retry-key-0001' });
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toMatchObject({ replayed: true, event: { id: first.json().event.id } });
    clock.advance(2 * 60 * MIN);
  });
});

describe('a repeat of one’s own open case', () => {
  it('compares texts folded: width, case, spaces and punctuation do not matter; other words do', () => {
    expect(normalized('Ｋ１２３，路面 有碎玻璃！')).toBe('k123路面有碎玻璃');
    expect(similarity('路面有碎玻璃，请尽快处理', '路面有碎玻璃  请尽快处理!!')).toBe(1);
    expect(similarity('小区门口路面有很多碎玻璃，请尽快处理', '小区门口路面有碎玻璃，请尽快处理')).toBeGreaterThanOrEqual(0.85);
    expect(similarity('路面有很多碎玻璃', '路面有碎玻璃')).toBeLessThan(0.85);
    expect(similarity('第1处路灯不亮', '第2处路灯不亮')).toBeLessThan(0.85);
  });

  it('is answered with the first case (200, repeated) and stores nothing; not counted towards the limit', async () => {
    const c = await t.citizen(phone());
    const first = await report(c, '小区门口路面有碎玻璃，请尽快处理');
    expect(first.statusCode).toBe(201);
    const before = await count();
    for (const again of ['小区门口路面有碎玻璃，请尽快处理！', '小区门口 路面有碎玻璃 请尽快处理', '小区门口路面有很多碎玻璃，请尽快处理', '小区门口路面有碎玻璃，请尽快处理。。。']) {
      clock.advance(MIN);
      const r = await report(c, again);
      expect(r.statusCode, again).toBe(200);
      expect(r.json()).toMatchObject({ repeated: true, replayed: false, event: { id: first.json().event.id } });
    }
    expect(await count()).toBe(before);
    // still two more real reports this hour (the repeats were not counted)
    expect((await report(c, '楼道里堆满杂物，有火灾隐患', { categoryCode: lamp })).statusCode).toBe(201);
    clock.advance(2 * 60 * MIN);
  });

  it('makes one case of a burst of the same report sent at once', async () => {
    const c = await t.citizen(phone());
    const answers = await Promise.all(Array.from({ length: 6 }, () => report(c, '同时发出的同一份上报：路口有碎玻璃')));
    expect(answers.map((r) => r.statusCode).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    expect(new Set(answers.map((r) => r.json().event.id)).size).toBe(1);
    clock.advance(2 * 60 * MIN);
  });

  it('is a new case just outside the rule: another category, place, reporter, with a photo, later, or once the first is finished', async () => {
    const c = await t.citizen(phone());
    const text = '桥下路面有碎玻璃，很危险';
    const first = (await report(c, text)).json().event as { id: number; version: number };
    expect((await report(c, text, { categoryCode: lamp })).statusCode).toBe(201);
    expect((await report(c, text, { location: { lon: far.lon, lat: far.lat } })).statusCode).toBe(201);
    clock.advance(61 * MIN);
    expect((await report(await t.citizen(phone()), text)).statusCode).toBe(201);
    const c2 = await t.citizen(phone());
    const base = (await report(c2, text)).json().event as { id: number };
    const photo = await c2.photo(await sharp({ create: { width: 640, height: 480, channels: 3, background: '#555' } }).jpeg().toBuffer());
    const withPhoto = await report(c2, text, { photos: [photo] });
    expect(withPhoto.statusCode).toBe(201);
    expect(withPhoto.json().event.id).not.toBe(base.id);
    clock.advance(11 * MIN);
    const later = await report(c, text);
    expect(later.statusCode).toBe(201);
    expect(later.json().event.id).not.toBe(first.id);
    // the first withdrawn: a report of it again is a new case
    const c3 = await t.citizen(phone());
    const mine = (await report(c3, text)).json().event as { id: number; version: number };
    expect((await c3.send('POST', `/api/v1/events/${mine.id}/withdraw`, { version: mine.version })).statusCode).toBe(200);
    expect((await report(c3, text)).statusCode).toBe(201);
  });
});

/**
 * The notification dispatcher and webhook administration, against the real database and a real
 * HTTP receiver on 127.0.0.1: signed deliveries, retries with backoff (time driven by `now`),
 * giving up, disabled webhooks, subtree scoping, SMS to a citizen whose case is accepted, and
 * two dispatchers at once never sending a row twice.
 */
import http from 'node:http';
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { rows } from '../../platform/db/database.js';
import { testDatabase } from '../../test-support/test-db.js';
import { testApp, testClock, type Client } from '../../test-support/app.js';
import { PHONE_CONTEXT, readOutbox } from '../accounts/index.js';
import { dispatchNotifications, backoffMs, type DispatchOptions } from './notify.dispatcher.js';
import { notifyUsers } from './notify.js';
import { startScheduler } from './scheduler.js';

// the receiver below listens on 127.0.0.1: allowed only because NODE_ENV=test (src/platform/net/outbound.ts)
process.env.PINGAN_WEBHOOK_TEST_LOOPBACK = '1';

const database = await testDatabase('fixture');
const clock = testClock(new Date('2026-06-10T02:00:00Z')); // a Wednesday, 10:00 in Zhejiang
const t = await testApp(database, {}, { now: clock.now });
const db = database.db;

// --- the receiver: records every request; answers per path (a queue of statuses, then a default)
interface Received { path: string; headers: http.IncomingHttpHeaders; body: string; status: number }
const received: Received[] = [];
const queued = new Map<string, number[]>();
const fallback = new Map<string, number | 'hang'>();
let delayMs = 0;
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const path = req.url ?? '';
    const status = queued.get(path)?.shift() ?? fallback.get(path) ?? 200;
    received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status: status === 'hang' ? 0 : status });
    if (status === 'hang') return; // never answers
    setTimeout(() => res.writeHead(status, { 'content-type': 'text/plain' }).end('ok'), delayMs);
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await t.app.close();
  await database.drop();
});

const at = (path: string) => received.filter((r) => r.path === path);
const dispatch = (opts: DispatchOptions = {}) => dispatchNotifications(t.events, { now: clock.now(), ...opts });
const count = async (table: 'webhooks' | 'notifications' | 'audit_log', where = sql`true`) =>
  (await rows<{ n: number }>(db, sql`select count(*)::int as n from ${sql.raw(table)} where ${where}`))[0].n;

interface Delivery { id: number; status: string; attempts: number; lastError: string | null; nextMs: number | null; sentMs: number | null }
async function deliveryOf(webhookId: number, eventId: number): Promise<Delivery[]> {
  return rows<Delivery>(db, sql`select id::int as id, status, attempts, last_error as "lastError",
      (extract(epoch from next_attempt_at) * 1000)::float8 as "nextMs", (extract(epoch from sent_at) * 1000)::float8 as "sentMs"
    from notifications where channel = 'webhook' and webhook_id = ${webhookId} and event_id = ${eventId} order by id`);
}

type Grid = { code: string; lon: number; lat: number };
let grids: Grid[]; // one grid in each of several townships of 西湖区 (330106)
let elsewhere: Grid; // a grid of 兰溪市 (330781), another county
let category: string;
let admin: Client; // sysadmin of 西湖区
let reporter: Client;

async function report(grid: Grid, c: Client = reporter): Promise<{ id: number; version: number }> {
  const res = await c.send('POST', '/api/v1/events', { categoryCode: category, description: '人行道上有一地碎玻璃', location: { lon: grid.lon, lat: grid.lat } });
  expect(res.statusCode, res.body).toBe(201);
  return { id: res.json().event.id, version: res.json().event.version };
}

async function createHook(name: string, path: string, orgCode: string): Promise<{ id: number; secret: string }> {
  const res = await admin.send('POST', '/api/v1/webhooks', { name, url: `${base}${path}`, orgCode });
  expect(res.statusCode, res.body).toBe(201);
  return { id: res.json().webhook.id, secret: res.json().secret };
}

beforeAll(async () => {
  grids = await rows<Grid>(db, sql`select distinct on (substr(u.code, 1, 9)) u.code, b.lon, b.lat from boundaries b join org_units u on u.id = b.unit_id
    where b.level = 'grid' and u.code like '330106%' order by substr(u.code, 1, 9), u.code limit 6`);
  expect(grids.length).toBeGreaterThanOrEqual(5);
  [elsewhere] = await rows<Grid>(db, sql`select u.code, b.lon, b.lat from boundaries b join org_units u on u.id = b.unit_id
    where b.level = 'grid' and u.code like '330781%' order by u.code limit 1`);
  const cats = (await t.anonymous('GET', '/api/v1/event-categories')).json().items as { code: string; name: string }[];
  category = cats.find((c) => c.name.includes('碎玻璃'))!.code;
  admin = await t.as('sysadmin', '330106-center');
  reporter = await t.citizen('13812350001');
});

describe('webhook administration', () => {
  it('creates a webhook with a secret shown once and stored encrypted, lists it, audits it', async () => {
    const res = await admin.send('POST', '/api/v1/webhooks', { name: '区大数据平台', url: `${base}/hook/admin`, orgCode: '330106' });
    expect(res.statusCode, res.body).toBe(201);
    const { webhook, secret } = res.json();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(webhook).toMatchObject({ name: '区大数据平台', url: `${base}/hook/admin`, org: { code: '330106' }, active: true });
    const [stored] = await rows<{ secretEnc: string }>(db, sql`select secret_enc as "secretEnc" from webhooks where id = ${webhook.id}`);
    expect(stored.secretEnc).not.toContain(secret.slice(6));
    expect(t.events.crypto.decrypt(stored.secretEnc, 'webhooks.secret')).toBe(secret);
    const list = (await admin.get('/api/v1/webhooks')).json().items as { id: number }[];
    expect(list.map((w) => w.id)).toContain(webhook.id);
    expect(JSON.stringify(list)).not.toContain(secret);
    expect(await count('audit_log', sql`action = 'webhook.create' and target_id = ${String(webhook.id)}`)).toBe(1);

    // a center's webhook covers the center's area (its township)
    const township = grids[0].code.slice(0, 9);
    const centerHook = await admin.send('POST', '/api/v1/webhooks', { name: '街道中心', url: `${base}/hook/admin2`, orgCode: `${township}-center` });
    expect(centerHook.statusCode, centerHook.body).toBe(201);
    const [{ scopePath, townshipPath }] = await rows<{ scopePath: string; townshipPath: string }>(db, sql`select w.scope_path as "scopePath", u.path as "townshipPath"
      from webhooks w, org_units u where w.id = ${centerHook.json().webhook.id} and u.code = ${township}`);
    expect(scopePath).toBe(townshipPath);

    for (const id of [webhook.id, centerHook.json().webhook.id]) expect((await admin.send('POST', `/api/v1/webhooks/${id}/disable`)).statusCode).toBe(200);
  });

  it('rejects non-http URLs, malformed bodies, callers without the permission and orgs outside the scope, changing nothing', async () => {
    const operator = await t.as('operator', '330106-center');
    const hooks = await count('webhooks');
    const audits = await count('audit_log', sql`action like 'webhook.%'`);
    const good = { name: 'x', url: `${base}/hook/x`, orgCode: '330106' };

    for (const url of ['ftp://example.com/hook', 'javascript:alert(1)', 'file:///etc/passwd', 'not a url', '//example.com/hook', `https://example.com/${'a'.repeat(481)}`, 'http://']) {
      const res = await admin.send('POST', '/api/v1/webhooks', { ...good, url });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'url' });
    }
    for (const body of [{ url: good.url, orgCode: '330106' }, { ...good, extra: 1 }, { ...good, name: '' }, { ...good, orgCode: 330106 }, { ...good, name: 'a'.repeat(101) }]) {
      const res = await admin.send('POST', '/api/v1/webhooks', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
    }
    expect((await admin.send('POST', '/api/v1/webhooks', '{"name": "x", "url":', { 'content-type': 'application/json' })).statusCode).toBe(400);
    expect((await operator.send('POST', '/api/v1/webhooks', good)).statusCode).toBe(403);
    expect((await operator.get('/api/v1/webhooks')).statusCode).toBe(403);
    const other = await admin.send('POST', '/api/v1/webhooks', { ...good, orgCode: '330781' });
    expect(other.statusCode).toBe(404);
    expect(other.json().error).toMatchObject({ code: 'NOT_FOUND', field: 'orgCode' });
    expect((await admin.send('POST', '/api/v1/webhooks', { ...good, orgCode: '330781-center' })).statusCode).toBe(404);
    expect((await admin.send('POST', '/api/v1/webhooks', { ...good, orgCode: 'no-such-unit' })).statusCode).toBe(404);

    expect(await count('webhooks')).toBe(hooks);
    expect(await count('audit_log', sql`action like 'webhook.%'`)).toBe(audits);
  });

  it('hides a county’s webhooks from another county’s administrator', async () => {
    const mine = await createHook('西湖区', '/hook/mine', '330106');
    const stranger = await t.as('sysadmin', '330781-center');
    expect(((await stranger.get('/api/v1/webhooks')).json().items as { id: number }[]).map((w) => w.id)).not.toContain(mine.id);
    expect((await stranger.send('POST', `/api/v1/webhooks/${mine.id}/disable`)).statusCode).toBe(404);
    expect((await stranger.get(`/api/v1/webhooks/${mine.id}/deliveries`)).statusCode).toBe(404);
    expect((await admin.get('/api/v1/webhooks/999999/deliveries')).statusCode).toBe(404);
    expect((await admin.get('/api/v1/webhooks/abc/deliveries')).statusCode).toBe(400);
    expect((await rows<{ active: boolean }>(db, sql`select active from webhooks where id = ${mine.id}`))[0].active).toBe(true);
    expect((await admin.send('POST', `/api/v1/webhooks/${mine.id}/disable`)).json().active).toBe(false);
  });
});

describe('webhook deliveries', () => {
  it('signs each delivery with the secret returned at creation', async () => {
    const hook = await createHook('签名', '/hook/sig', '330106');
    const e = await report(grids[0]);
    const r = await dispatch();
    expect(r.sent).toBeGreaterThanOrEqual(1);

    const [got] = at('/hook/sig');
    expect(at('/hook/sig')).toHaveLength(1);
    const h = got.headers;
    expect(h['content-type']).toBe('application/json');
    expect(h['x-pingan-event']).toBe('event.reported');
    expect(h['x-pingan-timestamp']).toBe(String(Math.floor(clock.now().getTime() / 1000)));
    const expected = crypto.createHmac('sha256', hook.secret).update(`${h['x-pingan-timestamp']}.${got.body}`).digest('hex');
    expect(h['x-pingan-signature']).toBe(`sha256=${expected}`);
    // another secret does not verify
    expect(crypto.createHmac('sha256', 'whsec_other').update(`${h['x-pingan-timestamp']}.${got.body}`).digest('hex')).not.toBe(expected);

    const body = JSON.parse(got.body);
    const [row] = await deliveryOf(hook.id, e.id);
    expect(h['x-pingan-delivery']).toBe(String(row.id));
    expect(body).toEqual({
      id: row.id, kind: 'event.reported', eventId: e.id, title: { zh: expect.stringContaining(`#${e.id}`), en: expect.stringContaining(`#${e.id}`) },
      payload: { status: 'reported', category }, createdAt: clock.now().toISOString(),
    });
    expect(row).toMatchObject({ status: 'sent', attempts: 1, sentMs: clock.now().getTime() });

    const deliveries = (await admin.get(`/api/v1/webhooks/${hook.id}/deliveries`)).json().items;
    expect(deliveries[0]).toMatchObject({ id: row.id, kind: 'event.reported', eventId: e.id, status: 'sent', attempts: 1, lastError: null, sentAt: clock.now().toISOString() });

    // a case in another county is not announced to this county's webhook
    const far = await report(elsewhere);
    expect(await deliveryOf(hook.id, far.id)).toEqual([]);
    await dispatch();
    expect(at('/hook/sig').map((x) => JSON.parse(x.body).eventId)).not.toContain(far.id);
    await admin.send('POST', `/api/v1/webhooks/${hook.id}/disable`);
  });

  it('sends a webhook only the cases inside its subtree', async () => {
    const townshipB = grids[1].code.slice(0, 9);
    const hook = await createHook('街道 B', '/hook/sub', `${townshipB}-center`);
    const inA = await report(grids[2]);
    const inB = await report(grids[1]);
    const far = await report(elsewhere);
    expect(await deliveryOf(hook.id, inA.id)).toEqual([]);
    expect(await deliveryOf(hook.id, far.id)).toEqual([]);
    expect(await deliveryOf(hook.id, inB.id)).toHaveLength(1);
    await dispatch();
    expect(at('/hook/sub').map((x) => JSON.parse(x.body).eventId)).toEqual([inB.id]);
    await admin.send('POST', `/api/v1/webhooks/${hook.id}/disable`);
  });

  it('retries a receiver answering 500 with backoff until it answers 200', async () => {
    const township = grids[3].code.slice(0, 9);
    const hook = await createHook('不稳定', '/hook/flaky', township);
    queued.set('/hook/flaky', [500, 500]);
    const e = await report(grids[3]);
    const t0 = clock.now().getTime();

    expect((await dispatch()).retried).toBeGreaterThanOrEqual(1);
    expect(await deliveryOf(hook.id, e.id)).toEqual([expect.objectContaining({ status: 'pending', attempts: 1, lastError: 'HTTP 500', nextMs: t0 + 30_000 })]);
    // not due yet: nothing is sent
    await dispatch({ now: new Date(t0 + 29_999) });
    expect(at('/hook/flaky')).toHaveLength(1);

    clock.set(new Date(t0 + 30_000));
    await dispatch();
    expect(await deliveryOf(hook.id, e.id)).toEqual([expect.objectContaining({ status: 'pending', attempts: 2, lastError: 'HTTP 500', nextMs: t0 + 30_000 + 60_000 })]);
    await dispatch({ now: new Date(t0 + 89_999) });
    expect(at('/hook/flaky')).toHaveLength(2);

    clock.set(new Date(t0 + 90_000));
    await dispatch();
    expect(at('/hook/flaky').map((r) => r.status)).toEqual([500, 500, 200]);
    expect(new Set(at('/hook/flaky').map((r) => r.headers['x-pingan-delivery'])).size).toBe(1);
    expect(await deliveryOf(hook.id, e.id)).toEqual([expect.objectContaining({ status: 'sent', attempts: 3, nextMs: null, sentMs: t0 + 90_000 })]);
    await dispatch({ now: new Date(t0 + 10 * 3_600_000) });
    expect(at('/hook/flaky')).toHaveLength(3);
    await admin.send('POST', `/api/v1/webhooks/${hook.id}/disable`);
  });

  it('gives up after 8 failed attempts', async () => {
    expect([1, 2, 3, 7, 8, 9, 20].map(backoffMs)).toEqual([30_000, 60_000, 120_000, 1_920_000, 3_600_000, 3_600_000, 3_600_000]);
    const township = grids[4].code.slice(0, 9);
    const hook = await createHook('总是失败', '/hook/fail', township);
    fallback.set('/hook/fail', 500);
    const e = await report(grids[4]);
    for (let attempt = 1; attempt <= 8; attempt++) {
      await dispatch();
      const [row] = await deliveryOf(hook.id, e.id);
      expect(row.attempts).toBe(attempt);
      if (attempt < 8) {
        expect(row).toMatchObject({ status: 'pending', lastError: 'HTTP 500', nextMs: clock.now().getTime() + 30_000 * 2 ** (attempt - 1) });
        clock.set(new Date(row.nextMs!));
      } else {
        expect(row).toMatchObject({ status: 'failed', lastError: 'HTTP 500', nextMs: null });
      }
    }
    expect(at('/hook/fail')).toHaveLength(8);
    clock.advance(24 * 3_600_000);
    await dispatch();
    expect(at('/hook/fail')).toHaveLength(8);
    await admin.send('POST', `/api/v1/webhooks/${hook.id}/disable`);
  });

  it('retries a timeout and a refused connection', async () => {
    const township = grids[4].code.slice(0, 9);
    const hang = await createHook('不回答', '/hook/hang', township);
    fallback.set('/hook/hang', 'hang');
    // a port nobody listens on: a closed server's
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const res = await admin.send('POST', '/api/v1/webhooks', { name: '无人监听', url: `http://127.0.0.1:${deadPort}/hook`, orgCode: township });
    expect(res.statusCode, res.body).toBe(201);
    const dead = res.json().webhook.id as number;

    const e = await report(grids[4]);
    await dispatch({ timeoutMs: 300 });
    expect(await deliveryOf(hang.id, e.id)).toEqual([expect.objectContaining({ status: 'pending', attempts: 1, lastError: 'timeout after 300 ms', nextMs: clock.now().getTime() + 30_000 })]);
    const [refused] = await deliveryOf(dead, e.id);
    expect(refused).toMatchObject({ status: 'pending', attempts: 1, nextMs: clock.now().getTime() + 30_000 });
    expect(refused.lastError).toMatch(/ECONNREFUSED/);
    for (const id of [hang.id, dead]) await admin.send('POST', `/api/v1/webhooks/${id}/disable`);
  });

  it('sends nothing to a disabled webhook, and gives up its pending deliveries', async () => {
    const township = grids[1].code.slice(0, 9);
    const hook = await createHook('停用', '/hook/off', township);
    const before = await report(grids[1]);
    expect(await deliveryOf(hook.id, before.id)).toHaveLength(1);

    const off = await admin.send('POST', `/api/v1/webhooks/${hook.id}/disable`);
    expect(off.statusCode).toBe(200);
    expect(off.json()).toMatchObject({ id: hook.id, active: false });
    expect(await count('audit_log', sql`action = 'webhook.disable' and target_id = ${String(hook.id)}`)).toBe(1);
    // disabling again changes nothing
    expect((await admin.send('POST', `/api/v1/webhooks/${hook.id}/disable`)).statusCode).toBe(200);
    expect(await count('audit_log', sql`action = 'webhook.disable' and target_id = ${String(hook.id)}`)).toBe(1);

    const after = await report(grids[1]);
    expect(await deliveryOf(hook.id, after.id)).toEqual([]);
    await dispatch();
    expect(at('/hook/off')).toEqual([]);
    expect(await deliveryOf(hook.id, before.id)).toEqual([expect.objectContaining({ status: 'failed', attempts: 1, lastError: 'webhook disabled' })]);
    clock.advance(3_600_000);
    await dispatch();
    expect(at('/hook/off')).toEqual([]);
  });

  it('never sends one row twice when two dispatchers run at once', async () => {
    const township = grids[2].code.slice(0, 9);
    const hook = await createHook('并发', '/hook/many', township);
    const cases = [];
    for (let i = 0; i < 7; i++) cases.push(await report(grids[2]));
    const from = received.length;
    delayMs = 20;
    try {
      const results = await Promise.all([dispatch({ batch: 3 }), dispatch({ batch: 3 }), dispatch({ batch: 3 })]);
      expect(results.reduce((n, r) => n + r.sent, 0)).toBeGreaterThan(0);
      while ((await dispatch({ batch: 3 })).sent > 0) { /* the rest */ }
    } finally {
      delayMs = 0;
    }
    const window = received.slice(from);
    const ids = window.map((r) => r.headers['x-pingan-delivery']);
    expect(new Set(ids).size).toBe(ids.length);
    expect(at('/hook/many').map((r) => JSON.parse(r.body).eventId).sort()).toEqual(cases.map((c) => c.id).sort());
    for (const c of cases) expect(await deliveryOf(hook.id, c.id)).toEqual([expect.objectContaining({ status: 'sent', attempts: 1 })]);
    await admin.send('POST', `/api/v1/webhooks/${hook.id}/disable`);
  });
});

describe('SMS', () => {
  it('texts a citizen whose report is accepted', async () => {
    const phone = '13812350077';
    const citizen = await t.citizen(phone);
    const grid = grids[0];
    const e = await report(grid, citizen);
    const operator = await t.as('operator', `${grid.code.slice(0, 9)}-center`);
    const accepted = await operator.send('POST', `/api/v1/events/${e.id}/accept`, { version: e.version });
    expect(accepted.statusCode, accepted.body).toBe(200);
    const [pending] = await rows<{ status: string }>(db, sql`select status from notifications where channel = 'sms' and user_id = ${citizen.userId} and event_id = ${e.id}`);
    expect(pending.status).toBe('pending');

    await dispatch();
    const [sms] = await readOutbox(db, t.events.crypto.blindIndex(phone, PHONE_CONTEXT));
    expect(sms.body).toMatch(/^【平安】您的报告已受理立案/);
    expect(sms.body).toContain('Your report was accepted');
    expect(sms.phoneMasked).toBe('138****0077');
    const [row] = await rows<{ status: string; attempts: number }>(db, sql`select status, attempts from notifications where channel = 'sms' and user_id = ${citizen.userId} and event_id = ${e.id}`);
    expect(row).toEqual({ status: 'sent', attempts: 1 });
  });

  it('gives up at once on a user without a phone', async () => {
    const operator = await t.as('operator', '330106-center');
    await notifyUsers(db, [operator.userId], { kind: 'test.sms', eventId: null, title: { zh: '测试', en: 'Test' } }, { sms: true, now: clock.now() });
    await dispatch();
    const list = await rows<{ status: string; attempts: number; lastError: string }>(db, sql`select status, attempts, last_error as "lastError" from notifications where channel = 'sms' and user_id = ${operator.userId}`);
    expect(list).toEqual([{ status: 'failed', attempts: 1, lastError: 'no phone' }]);
  });
});

describe('the scheduler', () => {
  const until = async (ok: () => boolean | Promise<boolean>) => {
    for (let i = 0; i < 300 && !(await ok()); i++) await new Promise((r) => setTimeout(r, 10));
    expect(await ok()).toBe(true);
  };

  it('dispatches on its own, and logs a failing step without stopping the others', async () => {
    const township = grids[3].code.slice(0, 9);
    const hook = await createHook('定时', '/hook/timer', township);
    const e = await report(grids[3]);
    const warnings: string[] = [];
    const stop = startScheduler(t.events, 10, { warn: (_obj, msg) => warnings.push(msg) });
    try {
      // the receiver has it, and the dispatcher recorded it
      await until(async () => (await deliveryOf(hook.id, e.id))[0]?.status === 'sent');
    } finally {
      stop();
    }
    expect(at('/hook/timer')).toHaveLength(1);
    expect(warnings).toEqual([]);

    // a database that refuses transactions: the sweep and the dispatcher fail, are logged, and the purge still runs
    // (the clock is read by each step: read after two warnings, it is the purge's turn)
    let reachedPurge = false;
    const broken = {
      ...t.events,
      database: { ...t.events.database, transaction: () => Promise.reject(new Error('down')) },
      now: () => { reachedPurge ||= warnings.length >= 2; return clock.now(); },
    };
    const stopBroken = startScheduler(broken, 10, { warn: (_obj, msg) => warnings.push(msg) });
    try {
      await until(() => reachedPurge);
    } finally {
      stopBroken();
    }
    expect(warnings.slice(0, 2)).toEqual(['scheduler: deadline sweep failed', 'scheduler: notification dispatch failed']);
    await admin.send('POST', `/api/v1/webhooks/${hook.id}/disable`);
  });
});

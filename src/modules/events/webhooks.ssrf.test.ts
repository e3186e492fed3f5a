/**
 * Issue 21 finding 1: webhooks may not reach the server's own network. Refused at registration in
 * every spelling of an address, and again at delivery on the address actually resolved (DNS
 * rebinding), with redirects not followed. The only traffic here goes to a receiver on 127.0.0.1
 * that counts requests, to prove it gets none.
 */
import http from 'node:http';
import type dns from 'node:dns';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { rows } from '../../platform/db/database.js';
import { refusedAddress, refusedHost } from '../../platform/net/outbound.js';
import { testDatabase } from '../../test-support/test-db.js';
import { testApp, testClock, type Client } from '../../test-support/app.js';
import { dispatchNotifications } from './notify.dispatcher.js';

delete process.env.PINGAN_WEBHOOK_TEST_LOOPBACK;
delete process.env.PINGAN_WEBHOOK_ALLOW;

const database = await testDatabase('fixture');
const clock = testClock(new Date('2026-06-10T02:00:00Z'));
const t = await testApp(database, {}, { now: clock.now });
const db = database.db;

const hits: string[] = [];
const server = http.createServer((req, res) => {
  hits.push(req.url ?? '');
  if (req.url === '/hook/redirect') {
    res.writeHead(302, { location: '/hook/landed' }).end();
    return;
  }
  req.resume();
  req.on('end', () => res.writeHead(204).end());
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as AddressInfo).port;

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await t.app.close();
  await database.drop();
});
afterEach(() => {
  delete process.env.PINGAN_WEBHOOK_TEST_LOOPBACK;
  delete process.env.PINGAN_WEBHOOK_ALLOW;
});

/** A resolver that answers every name with 127.0.0.1: a public-looking name rebound to loopback. */
const toLoopback = (_host: string, _opts: dns.LookupAllOptions, cb: (err: NodeJS.ErrnoException | null, a: dns.LookupAddress[]) => void) =>
  cb(null, [{ address: '127.0.0.1', family: 4 }]);

const count = async (table: 'webhooks' | 'notifications', where = sql`true`) =>
  (await rows<{ n: number }>(db, sql`select count(*)::int as n from ${sql.raw(table)} where ${where}`))[0].n;

let admin: Client;
let reporter: Client;
let category: string;
let grid: { lon: number; lat: number };

beforeAll(async () => {
  [grid] = await rows<{ lon: number; lat: number }>(db, sql`select b.lon, b.lat from boundaries b join org_units u on u.id = b.unit_id
    where b.level = 'grid' and u.code like '330106%' order by u.code limit 1`);
  const cats = (await t.anonymous('GET', '/api/v1/event-categories')).json().items as { code: string; name: string }[];
  category = cats.find((c) => c.name.includes('碎玻璃'))!.code;
  admin = await t.as('sysadmin', '330106-center');
  reporter = await t.citizen('13812350077');
});

async function register(url: string) {
  return admin.send('POST', '/api/v1/webhooks', { name: '接收端', url, orgCode: '330106' });
}

/** Registered (201), then disabled at once, so no later delivery sends anything off this machine. */
async function accepted(url: string) {
  const res = await register(url);
  expect(res.statusCode, url).toBe(201);
  expect((await admin.send('POST', `/api/v1/webhooks/${res.json().webhook.id}/disable`)).statusCode).toBe(200);
}

async function report(): Promise<number> {
  const res = await reporter.send('POST', '/api/v1/events', { categoryCode: category, description: '人行道上有一地碎玻璃', location: grid });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().event.id;
}

const delivery = async (webhookId: number, eventId: number) =>
  rows<{ status: string; lastError: string | null }>(db, sql`select status, last_error as "lastError" from notifications
    where channel = 'webhook' and webhook_id = ${webhookId} and event_id = ${eventId}`);

describe('webhook registration refuses internal addresses', () => {
  it('answers 400 naming the url field for every spelling of loopback, link-local, metadata, unspecified, multicast and private addresses', async () => {
    const before = await count('webhooks');
    for (const host of [
      '127.0.0.1', `127.0.0.1:${port}`, '127.1', '2130706433', '0x7f000001', '0177.0.0.1', 'localhost', 'LOCALHOST.', 'api.localhost', '[::1]',
      '[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '0.0.0.0', '0', '[::]', '169.254.169.254', '[fe80::1]', '[::ffff:169.254.169.254]', 'metadata.google.internal',
      '224.0.0.1', '[ff02::1]', '255.255.255.255', '10.0.0.1', '192.168.1.1', '172.16.0.1', '172.31.255.254', '100.64.0.1', '[fd00::1]', '[::ffff:10.0.0.1]',
    ]) {
      const res = await register(`http://${host}/latest/meta-data/`);
      expect(res.statusCode, host).toBe(400);
      expect(res.json().error, host).toMatchObject({ code: 'VALIDATION_FAILED', field: 'url' });
      expect(res.json().error.message.en, host).toMatch(/PINGAN_WEBHOOK_ALLOW/);
    }
    expect(await count('webhooks')).toBe(before);
    // just outside the ranges: public addresses are accepted
    for (const host of ['172.32.0.1', '100.128.0.1', '11.0.0.1', 'hooks.gov.example']) await accepted(`https://${host}/hook`);
  });

  it('accepts a private range only when the operator lists it, and never loopback', async () => {
    process.env.PINGAN_WEBHOOK_ALLOW = '10.20.0.0/16, hooks.internal.example, 127.0.0.0/8';
    await accepted('http://10.20.3.4/hook');
    const outside = await register('http://10.30.3.4/hook');
    expect(outside.statusCode).toBe(400);
    expect(outside.json().error.field).toBe('url');
    expect((await register('http://127.0.0.1/hook')).statusCode).toBe(400); // listing loopback does not allow it
    await accepted('http://[::ffff:10.20.0.9]/hook');
  });

  it('cannot enable loopback outside NODE_ENV=test', () => {
    process.env.PINGAN_WEBHOOK_TEST_LOOPBACK = '1';
    expect(refusedAddress('127.0.0.1')).toBeNull();
    process.env.NODE_ENV = 'production';
    try {
      expect(refusedAddress('127.0.0.1')).not.toBeNull();
      expect(refusedHost(new URL('http://localhost/'))).not.toBeNull();
    } finally {
      process.env.NODE_ENV = 'test';
    }
  });
});

describe('webhook delivery checks the address it connects to', () => {
  it('refuses a name that resolves to loopback (DNS rebinding): the failure is recorded and nothing is POSTed', async () => {
    const res = await register(`http://receiver.example:${port}/hook/rebound`);
    expect(res.statusCode, res.body).toBe(201);
    const hook = res.json().webhook.id as number;
    const e = await report();
    hits.length = 0;
    await dispatchNotifications(t.events, { now: clock.now(), resolve: toLoopback });
    expect(hits).toEqual([]);
    const [d] = await delivery(hook, e);
    expect(d.status).toBe('failed');
    expect(d.lastError).toMatch(/refused address 127\.0\.0\.1/);

    // the same name and resolver reach the receiver when loopback is allowed (tests only): the check, not the resolver, refused it
    process.env.PINGAN_WEBHOOK_TEST_LOOPBACK = '1';
    const e2 = await report();
    await dispatchNotifications(t.events, { now: clock.now(), resolve: toLoopback });
    expect(hits).toEqual(['/hook/rebound']);
    expect((await delivery(hook, e2))[0].status).toBe('sent');
    await admin.send('POST', `/api/v1/webhooks/${hook}/disable`);
  });

  it('does not follow a redirect', async () => {
    process.env.PINGAN_WEBHOOK_TEST_LOOPBACK = '1';
    const res = await register(`http://127.0.0.1:${port}/hook/redirect`);
    expect(res.statusCode, res.body).toBe(201);
    const hook = res.json().webhook.id as number;
    const e = await report();
    hits.length = 0;
    await dispatchNotifications(t.events, { now: clock.now() });
    expect(hits).toEqual(['/hook/redirect']);
    expect((await delivery(hook, e))[0]).toMatchObject({ status: 'pending', lastError: 'HTTP 302' });
    await admin.send('POST', `/api/v1/webhooks/${hook}/disable`);
  });
});

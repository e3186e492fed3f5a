/**
 * Live case changes over Server-Sent Events: delivered within the caller's area and nowhere
 * else, replayed after Last-Event-ID (still scoped), refused to citizens; keep-alive pings,
 * connection caps and the stream's lifetime; the feed polls only while someone listens and
 * picks up rows that commit out of id order.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { sql } from 'drizzle-orm';
import { rows } from '../../platform/db/database.js';
import { registerErrorHandling } from '../../platform/http.js';
import { permissionsOf, type Actor } from '../../platform/auth/actor.js';
import { testDatabase } from '../../test-support/test-db.js';
import { testApp, type Client } from '../../test-support/app.js';
import { ChangeFeed, type Change } from './changes.js';
import { streamRoutes } from './stream.routes.js';

const database = await testDatabase('fixture');
const t = await testApp(database);
await t.app.listen({ port: 0, host: '127.0.0.1' });
const port = (t.app.server.address() as AddressInfo).port;
afterAll(async () => { await t.app.close(); await database.drop(); });

interface Message { id?: string; event?: string; data?: string; comment?: string; retry?: string }
interface Stream {
  status: number;
  headers: http.IncomingHttpHeaders;
  messages: Message[];
  body: () => string;
  ended: () => boolean;
  changes: () => (Change & { areaPath?: string })[];
  waitFor: (test: (m: Message) => boolean, ms?: number) => Promise<Message>;
  close: () => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Opens a stream with node's http client (inject cannot stream) and parses the messages as they come. */
function connect(to: number, headers: Record<string, string>): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: to, path: '/api/v1/events/stream', headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      res.setEncoding('utf8');
      let buf = '', raw = '', ended = false;
      const messages: Message[] = [];
      res.on('data', (chunk: string) => {
        raw += chunk;
        buf += chunk;
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          const m: Message = {};
          for (const line of buf.slice(0, i).split('\n')) {
            if (line.startsWith(':')) m.comment = line.slice(1).trim();
            else {
              const at = line.indexOf(':');
              (m as Record<string, string>)[line.slice(0, at)] = line.slice(at + 1).trimStart();
            }
          }
          messages.push(m);
          buf = buf.slice(i + 2);
        }
      });
      res.on('end', () => { ended = true; });
      res.on('close', () => { ended = true; });
      resolve({
        status: res.statusCode!, headers: res.headers, messages, body: () => raw, ended: () => ended,
        changes: () => messages.filter((m) => m.event === 'change').map((m) => JSON.parse(m.data!)),
        async waitFor(test, ms = 5000) {
          for (const end = Date.now() + ms; Date.now() < end; await sleep(20)) {
            const m = messages.find(test);
            if (m) return m;
          }
          throw new Error(`no such message in ${ms} ms; got ${JSON.stringify(messages)}`);
        },
        close: () => req.destroy(),
      });
    });
    req.on('error', (err) => { if (!req.destroyed) reject(err); });
  });
}
const as = (c: Client, headers: Record<string, string> = {}) => connect(port, { cookie: c.cookie, ...headers });
const isChange = (eventId: number, action: string) => (m: Message) => m.event === 'change' && JSON.parse(m.data!).eventId === eventId && JSON.parse(m.data!).action === action;

let gridA: { code: string; lon: number; lat: number }, gridB: { code: string; lon: number; lat: number };
let citizen: Client, operatorA: Client, operatorB: Client, leader: Client, worker: Client;
let category: string;
const open: Stream[] = [];

async function reportAndAccept(grid: { lon: number; lat: number }, operator: Client, description: string): Promise<number> {
  const res = await citizen.send('POST', '/api/v1/events', { categoryCode: category, description, location: { lon: grid.lon, lat: grid.lat } });
  expect(res.statusCode, res.body).toBe(201);
  const e = res.json().event;
  const accepted = await operator.send('POST', `/api/v1/events/${e.id}/accept`, { version: e.version });
  expect(accepted.statusCode, accepted.body).toBe(200);
  return e.id;
}

beforeAll(async () => {
  const gridIn = async (county: string) => (await rows<{ code: string; lon: number; lat: number }>(database.db, sql`select u.code, b.lon, b.lat from boundaries b join org_units u on u.id = b.unit_id
    where b.level = 'grid' and u.code like ${`${county}%`} order by u.code limit 1`))[0];
  gridA = await gridIn('330106');
  gridB = await gridIn('330902');
  category = ((await t.anonymous('GET', '/api/v1/event-categories')).json().items as { code: string; name: string }[]).find((c) => c.name.includes('碎玻璃'))!.code;
  citizen = await t.citizen('13812345701');
  operatorA = await t.as('operator', `${gridA.code.slice(0, 9)}-center`);
  operatorB = await t.as('operator', `${gridB.code.slice(0, 9)}-center`);
  leader = await t.as('leader', '330106-center');
  worker = await t.as('grid_worker', gridA.code);
});
afterAll(() => { for (const s of open) s.close(); });

describe('GET /api/v1/events/stream', () => {
  let caseA: number, caseB: number;
  let reportIdA: number;

  it('delivers each change to the streams whose area holds the case, and to no other', async () => {
    const [sA, sLeader, sWorker, sB] = await Promise.all([as(operatorA), as(leader), as(worker), as(operatorB)]);
    open.push(sA, sLeader, sWorker, sB);
    expect(sA.status).toBe(200);
    expect(sA.headers).toMatchObject({ 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
    expect(sA.headers['content-length']).toBeUndefined();

    caseA = await reportAndAccept(gridA, operatorA, '西湖区：路口有碎玻璃');
    caseB = await reportAndAccept(gridB, operatorB, '定海区：码头边有碎玻璃');

    const m = await sA.waitFor(isChange(caseA, 'accept'));
    const data = JSON.parse(m.data!);
    expect(Number(m.id)).toBe(data.id);
    expect(data).toEqual({ id: expect.any(Number), eventId: caseA, action: 'accept', from: 'reported', to: 'accepted', at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/), countyCode: '330106' });
    expect(data).not.toHaveProperty('areaPath');
    const report = await sA.waitFor(isChange(caseA, 'report'));
    reportIdA = Number(report.id);
    expect(reportIdA).toBeLessThan(data.id);
    await sLeader.waitFor(isChange(caseA, 'accept'));
    await sWorker.waitFor(isChange(caseA, 'accept'));

    // the other county's stream gets its own case (changed after ours), never ours
    await sB.waitFor(isChange(caseB, 'accept'));
    await sleep(1200); // one more poll
    expect(sB.changes().map((c) => c.eventId)).not.toContain(caseA);
    expect(sB.body()).not.toContain('西湖区');
    for (const s of [sA, sLeader, sWorker]) expect(s.changes().map((c) => c.eventId)).not.toContain(caseB);
    // in order of the timeline
    const idsA = sA.changes().map((c) => c.id);
    expect(idsA).toEqual([...idsA].sort((x, y) => x - y));
  });

  it('replays what a reconnecting client missed after Last-Event-ID, within its area', async () => {
    const again = await as(operatorA, { 'last-event-id': String(reportIdA) });
    open.push(again);
    const m = await again.waitFor(isChange(caseA, 'accept'), 1000); // before any poll: from the replay
    expect(Number(m.id)).toBeGreaterThan(reportIdA);
    expect(again.changes().map((c) => c.eventId)).not.toContain(caseB);
    expect(again.changes().some((c) => c.id <= reportIdA)).toBe(false);
    again.close();

    const other = await as(operatorB, { 'last-event-id': '0' });
    open.push(other);
    await other.waitFor(isChange(caseB, 'accept'), 1000);
    await other.waitFor(isChange(caseB, 'report'), 1000);
    expect(other.changes().map((c) => c.eventId)).not.toContain(caseA);
    // live changes follow the replay, each once
    const res = await operatorB.get(`/api/v1/events/${caseB}`);
    const added = await citizen.send('POST', `/api/v1/events/${caseB}/add-info`, { version: res.json().version, note: '玻璃碎片在码头入口处' });
    expect(added.statusCode, added.body).toBe(200);
    await other.waitFor(isChange(caseB, 'add_info'));
    await sleep(1200);
    const ids = other.changes().map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    other.close();
  });

  it('is refused to citizens and to callers not signed in', async () => {
    const s = await as(citizen);
    expect(s.status).toBe(403);
    await new Promise((r) => setTimeout(r, 50));
    expect(JSON.parse(s.body()).error.code).toBe('FORBIDDEN');
    const anonymous = await connect(port, {});
    expect(anonymous.status).toBe(401);
  });
});

describe('stream limits', () => {
  // a small app with only the stream: actors from a header, short timers
  let small: FastifyInstance;
  let smallPort: number;
  let scopePath: string;

  beforeAll(async () => {
    [{ path: scopePath }] = await rows<{ path: string }>(database.db, sql`select path from org_units where code = '330106'`);
    small = Fastify();
    registerErrorHandling(small);
    small.decorateRequest('actor', null);
    small.addHook('onRequest', async (req: FastifyRequest) => {
      const id = Number(req.headers['x-actor']);
      req.actor = id === 99
        ? { kind: 'citizen', id, name: 'c', permissions: permissionsOf([]), sessionId: 's', csrfToken: 'x', stage: 'full' }
        : { kind: 'key', id, name: `k${id}`, permissions: permissionsOf([]), orgId: 1, scopePath } satisfies Actor;
    });
    await small.register(streamRoutes, { ctx: t.events, pollMs: 50, pingMs: 100, maxClients: 2, maxPerCaller: 1, maxStreamMs: 1500 });
    await small.listen({ port: 0, host: '127.0.0.1' });
    smallPort = (small.server.address() as AddressInfo).port;
  });

  it('pings, caps streams per caller and per process, ends a stream after its lifetime, and closes with the app', async () => {
    const first = await connect(smallPort, { 'x-actor': '1' });
    expect(first.status).toBe(200);
    await first.waitFor((m) => m.comment === 'ping', 1000);
    expect(first.messages[0]).toEqual({ retry: '3000' });

    const same = await connect(smallPort, { 'x-actor': '1' });
    expect(same.status).toBe(429);
    const second = await connect(smallPort, { 'x-actor': '2' });
    expect(second.status).toBe(200);
    const third = await connect(smallPort, { 'x-actor': '3' });
    expect(third.status).toBe(503);
    await sleep(50);
    expect(JSON.parse(third.body()).error.code).toBe('UNAVAILABLE');
    const citizenStream = await connect(smallPort, { 'x-actor': '99' });
    expect(citizenStream.status).toBe(403);

    // a client that leaves frees its place
    second.close();
    await sleep(100);
    const fourth = await connect(smallPort, { 'x-actor': '4' });
    expect(fourth.status).toBe(200);

    // the server ends a stream after its lifetime (EventSource reconnects)
    for (const end = Date.now() + 3000; !first.ended() && Date.now() < end;) await sleep(50);
    expect(first.ended()).toBe(true);

    // closing the app ends the open streams instead of waiting for them
    await small.close();
    for (const end = Date.now() + 1000; !fourth.ended() && Date.now() < end;) await sleep(20);
    expect(fourth.ended()).toBe(true);
  });
});

describe('ChangeFeed', () => {
  const insertTransition = async (id: number | null, areaPath: string) => {
    const [e] = await rows<{ id: number; countyCode: string }>(database.db, sql`select id::int as id, county_code as "countyCode" from events order by id limit 1`);
    const idCol = id === null ? sql.raw('') : sql.raw('id, ');
    const idVal = id === null ? sql.raw('') : sql`${id}, `;
    await database.db.execute(sql`insert into event_transitions (${idCol}event_id, county_code, area_path, action, from_status, to_status, actor_kind, actor_name)
      values (${idVal}${e.id}, ${e.countyCode}, ${areaPath}, 'add_info', 'accepted', 'accepted', 'system', 'test')`);
  };

  it('polls only while someone listens, delivers by scope, and picks up a row that commits out of id order', async () => {
    const feed = new ChangeFeed(database.db, { pollMs: 60_000 });
    expect(feed.running).toBe(false);
    const got: Record<string, number[]> = { a: [], b: [] };
    const offA = await feed.subscribe('/1/2/', (c) => got.a.push(c.id));
    const offB = await feed.subscribe('/1/3/', (c) => got.b.push(c.id));
    expect(feed.running).toBe(true);
    expect(feed.size).toBe(2);

    const [{ head }] = await rows<{ head: number }>(database.db, sql`select coalesce(max(id), 0)::int as head from event_transitions`);
    // id head+2 becomes visible before head+1 (as when two transactions commit out of order)
    await insertTransition(head + 2, '/1/2/77/');
    await feed.poll();
    expect(got).toEqual({ a: [head + 2], b: [] });
    await insertTransition(head + 1, '/1/3/78/');
    await feed.poll();
    expect(got).toEqual({ a: [head + 2], b: [head + 1] });
    await feed.poll();
    expect(got).toEqual({ a: [head + 2], b: [head + 1] }); // each once
    await database.db.execute(sql`select setval(pg_get_serial_sequence('event_transitions', 'id'), (select max(id) from event_transitions))`);

    offA();
    expect(feed.running).toBe(true);
    offB();
    expect(feed.running).toBe(false);
    // rows written while nobody listens are not delivered to the next listener
    await insertTransition(null, '/1/2/79/');
    const late: number[] = [];
    const off = await feed.subscribe('/1/', (c) => late.push(c.id));
    await feed.poll();
    expect(late).toEqual([]);
    off();
    await feed.stop();
    await expect(feed.subscribe('/1/', () => {})).rejects.toThrow(/stopped/);
  });
});

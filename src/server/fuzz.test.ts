/**
 * No input is a 500. First the cases found by hand (a NUL in a string, a number beyond what its
 * column holds); then schema-driven fuzzing: for every operation of /docs/json, requests made by
 * fast-check from its parameter and body schemas — valid-ish values (with real codes, ids and
 * points mixed in so that requests get past validation), NULs, huge and non-finite numbers,
 * wrong types, over-long strings, any Unicode — sent as each caller who can reach it and as
 * nobody. Any 5xx fails with the request that caused it and the seed (FUZZ_SEED) that replays it;
 * FUZZ_RUNS sets the runs per operation.
 */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import sharp from 'sharp';
import { sql } from 'drizzle-orm';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { testDatabase } from '../test-support/test-db.js';
import { testApp, type Client } from '../test-support/app.js';
import { rows } from '../platform/db/database.js';
import { createKey } from '../modules/accounts/index.js';

const database = await testDatabase('fixture');
const t = await testApp(database);
afterAll(async () => { await t.app.close(); await database.drop(); });

const RUNS = Number(process.env.FUZZ_RUNS ?? 25);
/** Each run explores anew; a failure prints its seed, and FUZZ_SEED=<seed> replays it. */
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

// --- callers: every role (each where its work is), a citizen, an API key, nobody
const [town] = await rows<{ code: string }>(database.db, sql`select code from org_units where level = 'township' and kind = 'area' and code like '330106%' order by code limit 1`);
const [grid] = await rows<{ code: string; lon: number; lat: number }>(database.db, sql`select u.code, b.lon, b.lat from boundaries b join org_units u on u.id = b.unit_id
  where b.level = 'grid' and u.code like ${`${town.code}%`} order by u.code limit 1`);
const ROLE_ORGS: Record<string, string> = {
  operator: `${town.code}-center`, grid_worker: grid.code, handler: `${town.code}-platform-law-enforcement`, leader: '330106-center',
  sysadmin: '330106-center', secadmin: '330106-center', auditor: '330106-center',
};

interface Caller { name: string; headers(): Record<string, string>; revive(): Promise<void> }

function sessionCaller(name: string, make: () => Promise<Client>): Caller & { ready: Promise<void> } {
  let client: Client;
  const caller = {
    name,
    ready: make().then((c) => { client = c; }),
    headers: () => ({ cookie: client.cookie, 'x-csrf-token': client.csrf }),
    /** The fuzzing may sign it out, lock it or reset its password: then it is a new account. */
    async revive() {
      const res = await client.get('/api/v1/users/me');
      if (res.statusCode !== 200) client = await make();
    },
  };
  return caller;
}

const sessions = [
  ...Object.entries(ROLE_ORGS).map(([role, org]) => sessionCaller(role, () => t.as(role, org))),
  sessionCaller('citizen', (() => { let n = 0; return () => t.citizen(`1390000${String(1000 + n++).padStart(4, '0')}`); })()),
];
await Promise.all(sessions.map((s) => s.ready));
const keyOf = async () => (await createKey(t.ctx, null, { name: 'fuzz', orgCode: '330106', permissions: ['org.read', 'events.report', 'events.read'] }, { ip: null, userAgent: null })).secret;
let keySecret = await keyOf();
const keyCaller: Caller = {
  name: 'api key',
  headers: () => ({ authorization: `Bearer ${keySecret}` }),
  async revive() {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/org/units/33', headers: this.headers() });
    if (res.statusCode !== 200) keySecret = await keyOf();
  },
};
const nobody: Caller = { name: 'anonymous', headers: () => ({}), revive: async () => {} };
const callers: Caller[] = [...sessions, keyCaller, nobody];

// --- real values, so that some requests get past validation to the services and SQL
const citizen = sessions.find((s) => s.name === 'citizen')!;
const categories = (await t.anonymous('GET', '/api/v1/event-categories')).json().items as { code: string }[];
const category = categories[0].code;
for (let i = 0; i < 3; i++) {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/events', headers: citizen.headers(), payload: { categoryCode: category, description: '路面有碎玻璃', location: { lon: grid.lon, lat: grid.lat } } });
  expect(res.statusCode, res.body).toBe(201);
}
const photo = await t.app.inject({
  method: 'POST', url: '/api/v1/photos', headers: { ...citizen.headers(), 'content-type': 'image/jpeg' },
  payload: await sharp({ create: { width: 32, height: 24, channels: 3, background: '#456' } }).jpeg().toBuffer(),
});
const eventIds = (await rows<{ id: number }>(database.db, sql`select id::int as id from events order by id limit 5`)).map((r) => r.id);
const userIds = (await rows<{ id: number }>(database.db, sql`select id from users order by id limit 5`)).map((r) => r.id);
const KNOWN: Record<string, unknown[]> = {
  id: [...eventIds, ...userIds, 1, 2], ref: ['33', '330106', town.code, grid.code], code: [category], categoryCode: [category], category: [category],
  service_code: [category], org: ['330106', town.code, grid.code], unitCode: [town.code, grid.code], orgCode: ['330106', town.code], under: ['330106', town.code],
  lon: [grid.lon], lat: [grid.lat], long: [grid.lon], location: [{ lon: grid.lon, lat: grid.lat }], token: [photo.json().token], photos: [[photo.json().token]],
  service_request_id: eventIds.map(String), into: eventIds, userId: userIds, actorId: userIds, version: [1, 2], api_key: [keySecret],
};
/** Open311 reads its own parameters (no schema in /docs/json): the names the spec gives them. */
const OPEN311_PARAMS = ['service_code', 'lat', 'long', 'address_string', 'address_id', 'description', 'api_key', 'jurisdiction_id', 'start_date', 'end_date', 'status',
  'service_request_id', 'page', 'page_size', 'attribute[x]', 'attribute[y][]', 'email', 'first_name', 'last_name', 'phone', 'media_url', 'locale', 'update_id', 'updated_at', 'device_id', 'account_id'];

// --- arbitraries from JSON Schema
type Schema = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.string().map((s) => `${s}\u0000${s}`) },
  fc.constantFrom("'\u0000'", '\u0000', 'a\u0000b', '%00', "' or 1=1--", '../../etc/passwd', '\u202e', '\ud800', '𠜎𠜱', '', ' ', 'null', '1e309', 'NaN', '-0'),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer({ min: 65, max: 70_000 }).map((n) => 'x'.repeat(n)),
);
const hostileNumber = fc.constantFrom(Infinity, -Infinity, NaN, 2 ** 31, 2 ** 31 - 1, -(2 ** 31) - 1, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e20, 1.5, -1, 0, Number.MAX_VALUE, 5e-324);
const hostile = fc.oneof({ weight: 3, arbitrary: hostileString }, hostileNumber, fc.jsonValue({ maxDepth: 2 }), fc.constant(null), fc.boolean());

function valid(s: Schema, depth = 0): fc.Arbitrary<unknown> {
  if (!s || typeof s !== 'object' || depth > 5) return fc.jsonValue({ maxDepth: 1 });
  if (s.enum) return fc.constantFrom(...(s.enum as unknown[]));
  if (s.const !== undefined) return fc.constant(s.const);
  const alts = s.anyOf ?? s.oneOf;
  if (alts) return fc.oneof(...(alts as Schema[]).map((a) => value(a, depth + 1)));
  const type = Array.isArray(s.type) ? s.type : [s.type];
  if (type.length > 1) return fc.oneof(...type.map((ty: string) => valid({ ...s, type: ty }, depth)));
  switch (type[0]) {
    case 'string': {
      if (s.format === 'date-time') return fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
      if (s.format === 'date') return fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
      const len = { minLength: s.minLength ?? 0, maxLength: Math.max(s.minLength ?? 0, Math.min(s.maxLength ?? 30, 60)) };
      if (s.pattern) {
        try { return fc.stringMatching(new RegExp(s.pattern)).filter((x) => x.length >= len.minLength && x.length <= (s.maxLength ?? Infinity)); } catch { /* a pattern fast-check cannot read */ }
      }
      return fc.string({ ...len, unit: 'grapheme' });
    }
    case 'integer': {
      const lo = s.minimum ?? -1000, hi = s.maximum ?? 1_000_000;
      return fc.oneof(fc.integer({ min: lo, max: Math.min(hi, lo + 50) }), fc.integer({ min: Math.max(lo, Number.MIN_SAFE_INTEGER), max: Math.min(hi, Number.MAX_SAFE_INTEGER) }));
    }
    case 'number': return fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true });
    case 'boolean': return fc.boolean();
    case 'null': return fc.constant(null);
    case 'array': return fc.array(value(s.items ?? {}, depth + 1), { minLength: s.minItems ?? 0, maxLength: Math.max(s.minItems ?? 0, Math.min(s.maxItems ?? 3, 4)) });
    case 'object': {
      const props = (s.properties ?? {}) as Record<string, Schema>;
      const fixed = Object.keys(props).length
        ? fc.record(Object.fromEntries(Object.entries(props).map(([k, p]) => [k, field(k, p, depth + 1)])), { requiredKeys: (s.required ?? []).filter((k: string) => k in props) })
        : fc.constant({});
      const extra = s.additionalProperties && typeof s.additionalProperties === 'object'
        ? fc.dictionary(fc.oneof(fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/), hostileString.map((x) => x.slice(0, 20))), value(s.additionalProperties, depth + 1), { maxKeys: 3 })
        : fc.oneof({ weight: 9, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), hostile, { maxKeys: 2 }) });
      return fc.tuple(fixed, extra).map(([a, b]) => ({ ...b, ...a }));
    }
    default: return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Mostly valid, sometimes hostile, at every level. */
const value = (s: Schema, depth = 0): fc.Arbitrary<unknown> => {
  const numeric = [s?.type].flat().some((ty) => ty === 'integer' || ty === 'number');
  return fc.oneof({ weight: 4, arbitrary: valid(s, depth) }, { weight: 1, arbitrary: numeric ? fc.oneof({ weight: 3, arbitrary: hostileNumber }, hostile) : hostile });
};
/** A named field: its real values too. */
const field = (name: string, s: Schema, depth = 0) => (KNOWN[name] ? fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...KNOWN[name]) }, { weight: 3, arbitrary: value(s, depth) }) : value(s, depth));

/** As text (query, path, header): what a client would put there. */
function text(v: unknown): string {
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : v === Infinity ? '1e309' : v === -Infinity ? '-1e309' : String(v);
  return typeof v === 'string' ? v : JSON.stringify(v);
}
/** As JSON, with non-finite numbers written as a client could (1e309 parses as Infinity). */
function json(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? `@@${x}@@` : x))
    .replace(/"@@(Infinity|-Infinity|NaN)@@"/g, (_m, w: string) => (w === 'Infinity' ? '1e309' : w === '-Infinity' ? '-1e309' : 'NaN'));
}

interface Operation { method: string; path: string; parameters: { in: string; name: string; required?: boolean; schema: Schema }[]; body?: Schema; bodyRequired: boolean }

const docs = (await t.anonymous('GET', '/docs/json')).json() as { paths: Record<string, Record<string, { parameters?: Operation['parameters']; requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> } }>> };
const operations: Operation[] = Object.entries(docs.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({
  method: method.toUpperCase(), path, parameters: op.parameters ?? [],
  body: op.requestBody ? Object.values(op.requestBody.content)[0]?.schema ?? {} : undefined, bodyRequired: !!op.requestBody?.required,
})))
  // a live feed that stays open; its one input (Last-Event-ID) is read by lastEventIdOf, tested in stream.test.ts
  .filter((op) => op.path !== '/api/v1/events/stream');

function requestOf(op: Operation, caller: Caller): fc.Arbitrary<InjectOptions> {
  const params = op.parameters.map((p) => (p.required || p.in === 'path' ? field(p.name, p.schema).map((v) => [p, v] as const) : fc.option(field(p.name, p.schema), { nil: undefined }).map((v) => [p, v] as const)));
  const loose = op.parameters.length || op.body
    ? fc.constant({})
    : fc.dictionary(fc.constantFrom(...OPEN311_PARAMS), fc.oneof(...OPEN311_PARAMS.map((n) => (KNOWN[n] ? fc.constantFrom(...KNOWN[n]) : fc.constant(undefined))), fc.string({ maxLength: 20 }), hostile), { maxKeys: 5 });
  const bodies: fc.Arbitrary<{ payload?: string | Buffer; type?: string }> = op.body
    ? fc.oneof({ weight: 8, arbitrary: field('', op.body).map((b) => ({ payload: json(b), type: 'application/json' })) }, { weight: 1, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.string().map((s) => ({ payload: s, type: 'application/json' })) })
    : op.method === 'GET'
      ? fc.constant({})
      : fc.oneof(
        fc.constant({}),
        loose.map((p) => ({ payload: new URLSearchParams(Object.entries(p).filter(([, v]) => v !== undefined).map(([k, v]) => [k, text(v)] as [string, string])).toString(), type: 'application/x-www-form-urlencoded' })),
        fc.tuple(fc.uint8Array({ maxLength: 200 }), fc.constantFrom('image/jpeg', 'image/png', 'application/octet-stream')).map(([b, type]) => ({ payload: Buffer.from(b), type })),
        hostile.map((h) => ({ payload: json(h), type: 'application/json' })),
      );
  return fc.tuple(fc.tuple(...params), loose, bodies).map(([ps, extra, body]) => {
    let url = op.path;
    const query = new URLSearchParams();
    const headers: Record<string, string> = { ...caller.headers() };
    for (const [p, v] of ps) {
      if (p.in === 'path') url = url.replace(`{${p.name}}`, encodeURIComponent(text(v)));
      else if (v === undefined) continue;
      else if (p.in === 'query') for (const x of Array.isArray(v) ? v : [v]) query.append(p.name, text(x));
      else if (p.in === 'header') headers[p.name] = text(v);
    }
    for (const [k, v] of Object.entries(extra)) if (v !== undefined) query.append(k, text(v));
    if (body.type) headers['content-type'] = body.type;
    const qs = query.toString();
    return { method: op.method as InjectOptions['method'], url: qs ? `${url}?${qs}` : url, headers, payload: body.payload };
  });
}

async function send(req: InjectOptions): Promise<LightMyRequestResponse | null> {
  try {
    return await t.app.inject(req);
  } catch (err) {
    // a header no HTTP client can send (a line break, a character beyond Latin-1): not a request
    if ((err as { code?: string }).code === 'ERR_INVALID_CHAR' || /Invalid character in header/.test(String(err))) return null;
    throw err;
  }
}

const signedIn = (await Promise.all(sessions.map((s) => t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: s.headers() })))).map((r) => r.statusCode);

describe('inputs that hold what no column can', () => {
  const operator = sessions.find((s) => s.name === 'operator')!;
  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: operator.headers() });

  it.each([
    ['/api/v1/events?q=%27%00%27', 'q'],
    ['/api/v1/events?org=a%00b', 'org'],
    ['/api/v1/events/counts?q=%27%00%27', 'q'],
    ['/api/v1/events/counts?org=a%00b', 'org'],
    ['/api/v1/org/search?q=%E8%A5%BF%00', 'q'],
  ])('refuses a NUL in the query: %s names %s', async (url, name) => {
    const res = await get(url);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: name, message: { zh: `参数 ${name} 不能包含空字符（U+0000）` } });
  });

  it('refuses a NUL in a body string and in a body key, naming where', async () => {
    const send = (payload: string) => t.app.inject({ method: 'POST', url: '/api/v1/events', headers: { ...citizen.headers(), 'content-type': 'application/json' }, payload });
    const inText = await send(json({ categoryCode: category, description: '碎玻璃', address: 'x\u0000', location: { lon: grid.lon, lat: grid.lat } }));
    expect(inText.statusCode, inText.body).toBe(400);
    expect(inText.json().error.field).toBe('address');
    // attributes are a free record: its keys and values are strings too
    const inKey = await send(json({ categoryCode: category, description: '碎玻璃', attributes: { 'a\u0000': 'x' }, location: { lon: grid.lon, lat: grid.lat } }));
    expect(inKey.statusCode, inKey.body).toBe(400);
    expect(inKey.json().error.field).toBe('attributes');
  });

  it('refuses a NUL in a header before anything stores it (the user agent of the audit log)', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { ...operator.headers(), 'user-agent': 'evil\u0000agent' } });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'user-agent' });
  });

  it.each([
    ['/api/v1/inbox?before=1e309', 'before'],
    ['/api/v1/inbox?before=Infinity', 'before'],
    ['/api/v1/inbox?before=9007199254740993', 'before'],
    ['/api/v1/users?after=2147483648', 'after'],
    ['/api/v1/audit?actorId=2147483648', 'actorId'],
    ['/api/v1/locate?lon=1e309&lat=30', 'lon'],
  ])('refuses a number beyond its column: %s names %s', async (url, name) => {
    const caller = url.startsWith('/api/v1/users') ? sessions.find((s) => s.name === 'sysadmin')! : url.startsWith('/api/v1/audit') ? sessions.find((s) => s.name === 'auditor')! : operator;
    const res = await t.app.inject({ method: 'GET', url, headers: caller.headers() });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: name });
  });

  it('takes the largest values the columns hold', async () => {
    expect((await get('/api/v1/inbox?before=9007199254740991')).statusCode).toBe(200);
    const auditor = sessions.find((s) => s.name === 'auditor')!;
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/audit?actorId=2147483647', headers: auditor.headers() })).statusCode).toBe(200);
  });

  it('refuses 1e309 in a JSON body (it parses as Infinity)', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/events', headers: { ...citizen.headers(), 'content-type': 'application/json' }, payload: json({ categoryCode: category, description: '碎玻璃', location: { lon: Infinity, lat: grid.lat } }) });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.field).toBe('location.lon');
  });
});

describe(`fuzzing every operation of /docs/json (${RUNS} runs each, per caller who can reach it)`, () => {
  it('starts with every caller signed in', () => expect(signedIn.every((s) => s === 200)).toBe(true));

  for (const op of operations) {
    it(`${op.method} ${op.path}`, async () => {
      // who can reach it: a caller refused for who they are (401/403) gets no more runs
      const reach: Caller[] = [];
      for (const caller of callers) {
        const probe = await send(fc.sample(requestOf(op, caller), { numRuns: 1, seed: 1 })[0]);
        if (probe && probe.statusCode >= 500) throw new Error(`${caller.name}: ${probe.statusCode} ${probe.body}`);
        if (!probe || ![401, 403].includes(probe.statusCode) || caller === nobody) reach.push(caller);
        await caller.revive();
      }
      const failures: string[] = [];
      for (const caller of reach) {
        await fc.assert(fc.asyncProperty(requestOf(op, caller), async (req) => {
          const res = await send(req);
          if (res && res.statusCode >= 500) {
            failures.push(`${caller.name}: ${req.method} ${req.url} ${req.payload ? String(req.payload).slice(0, 300) : ''} → ${res.statusCode} ${res.body.slice(0, 200)}`);
            return false;
          }
          return true;
        }), { numRuns: Math.max(5, Math.ceil(RUNS / reach.length)), endOnFailure: true, seed: SEED }).catch(() => {});
        await caller.revive();
      }
      expect(failures, `FUZZ_SEED=${SEED}\n${failures.join('\n')}`).toEqual([]);
    });
  }
});

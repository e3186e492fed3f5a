/**
 * The case loop on PostgreSQL (DESIGN.md §4, §7), each figure beside its goal and, where there is
 * one, a limit measured in the same run:
 *
 *  A. Intake over HTTP: the real app (`buildApp`, in a child process, as in production) takes
 *     reports without photos from 32 concurrent connections (autocannon), each a signed-in citizen
 *     (the mobile app: session cookie + CSRF token, a fresh Idempotency-Key per report), at
 *     random points inside the grids of 330781. Beside it, the limit: a bare `pg` pool (32
 *     connections, 32 workers) writing the same three rows per case in one transaction — the case,
 *     its first transition, and an audit row chained under the same advisory lock as the real writer.
 *  B. A province (province-scale seed) with 1,000,000 cases over the past year (~91 % finished,
 *     the rest open in every state), bulk-loaded with INSERT … SELECT generate_series (no COPY:
 *     pg-copy-streams is not a dependency), then VACUUM ANALYZE: (i) a
 *     county's case list through `GET /api/v1/events` as an operator of that county's center,
 *     with and without a status filter; (ii) a city's indicators over one year as a leader of the
 *     city center; (iii) one deadline sweep after every open case's deadline has passed at once.
 *
 * It creates its own databases `pingan_bench_events_<random>_{a,b}` on the server of
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) and drops them at the end.
 * Options (after `npm run bench -- events`): `--cases N` (default 1,000,000), `--seconds S` (intake
 * run, default 10), `--only intake|cases`, `--keep` (leave the databases, to look at them after).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { latLngToCell } from 'h3-js';
import { openDatabase, rows, type Database, type Db } from '../src/platform/db/database.js';
import { migrate } from '../src/platform/db/migrator.js';
import { createFieldCrypto, loadKeyRing, type FieldCrypto } from '../src/platform/pii/index.js';
import { rowHash, verifyAuditChain } from '../src/platform/audit/index.js';
import { seedDatabase } from '../src/server/seed.js';
import { LocatorService } from '../src/modules/grids/index.js';
import { createStaff, readOutbox, totpCode, OutboxSms, PHONE_CONTEXT, type AccountsContext } from '../src/modules/accounts/index.js';
import { getCategory } from '../src/modules/events/categories.service.js';
import { clockFor } from '../src/modules/events/events.clock.js';
import { sweepDeadlines } from '../src/modules/events/sweep.service.js';
import { sql, type SQL } from 'drizzle-orm';

const GOALS = { intakeRatio: 0.5, intakeP99Ms: 50, listP99Ms: 50, indicatorsMs: 200, sweepS: 10 };
const CONNECTIONS = 32;
const PASSWORD = 'Bench#Password2026';
const INTAKE_COUNTY = '330781';
/** A steady intake for the latency goal: a province's busiest hour brings well under one report a second. */
const STEADY_RATE = 25;
const STEADY_SECONDS = 8;
const AUDIT_LOCK_KEY = 7_262_100; // platform/audit/audit.repository.ts

// autocannon ships no types; the little used here
interface CannonResult {
  duration: number; errors: number; timeouts: number; non2xx: number; '2xx': number;
  latency: { p50: number; p99: number; max: number; average: number };
  statusCodeStats: Record<string, { count: number }>;
}
interface CannonClient { setHeaders(h: Record<string, string>): void }
interface CannonRequest { method: string; path: string; headers: Record<string, string>; body?: string }
interface CannonInstance extends PromiseLike<CannonResult> {
  on(event: 'response', fn: (client: unknown, status: number, bytes: number, responseTime: number) => void): void;
}
type Autocannon = (opts: {
  url: string; connections: number; amount: number; timeout?: number;
  requests: { method: string; path: string; setupRequest: (r: CannonRequest) => CannonRequest; onResponse?: (status: number, body: string) => void }[];
  setupClient: (c: CannonClient) => void;
}) => CannonInstance;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

// ---------------------------------------------------------------------------------------------
// Small helpers

interface Line { part: string; measure: string; value: string; goal: string; ok: boolean | null }
const lines: Line[] = [];
const report = (part: string, measure: string, value: string, goal = '', ok: boolean | null = null) => lines.push({ part, measure, value, goal, ok });
const log = (msg: string) => console.log(`  ${msg}`);
const ms = (x: number) => `${x < 10 ? x.toFixed(1) : Math.round(x)} ms`;
const secs = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
const int = (n: number) => Math.round(n).toLocaleString('en-US');

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function fieldCrypto(keys: string): FieldCrypto {
  return createFieldCrypto(loadKeyRing({ env: { PINGAN_DATA_KEYS: keys }, dataDir: '/nonexistent', production: false, warn: () => {} }));
}

/** The databases of this run, on BENCH_DATABASE_URL's server, dropped at the end whatever happens. */
class Databases {
  readonly prefix = `pingan_bench_events_${crypto.randomBytes(4).toString('hex')}`;
  private readonly made: string[] = [];
  constructor(readonly adminUrl: string) {}

  async create(suffix: string): Promise<string> {
    const name = `${this.prefix}_${suffix}`;
    await this.admin(`CREATE DATABASE ${name}`);
    this.made.push(name);
    const url = new URL(this.adminUrl);
    url.pathname = `/${name}`;
    return url.toString();
  }

  async dropAll(): Promise<void> {
    if (process.argv.includes('--keep')) {
      log(`--keep: databases ${this.made.join(', ')} left in place`);
      return;
    }
    for (const name of this.made.splice(0)) await this.admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch((e: Error) => log(`could not drop ${name}: ${e.message}`));
  }

  private async admin(text: string): Promise<void> {
    const c = new pg.Client({ connectionString: this.adminUrl });
    await c.connect();
    try {
      await c.query(text);
    } finally {
      await c.end();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The app in a child process (this file, started with PINGAN_BENCH_EVENTS_CHILD=1), so that the
// load generator does not share the server's event loop.

interface Server { port: number; child: ChildProcess; base: string; close(): Promise<void> }

async function startServer(url: string, keys: string): Promise<Server> {
  const mediaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-bench-media-'));
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, PINGAN_BENCH_EVENTS_CHILD: '1', BENCH_CHILD_DATABASE_URL: url, BENCH_CHILD_KEYS: keys, BENCH_CHILD_MEDIA: mediaDir },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`the app process exited (${code}) before listening`)));
  });
  return {
    port, child, base: `http://127.0.0.1:${port}`,
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.send({ type: 'close' });
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      fs.rmSync(mediaDir, { recursive: true, force: true });
    },
  };
}

async function serveChild(): Promise<void> {
  const { buildApp } = await import('../src/server/app.js');
  const { loadConfig } = await import('../src/server/config.js');
  const url = process.env.BENCH_CHILD_DATABASE_URL!;
  const config = loadConfig({
    NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: url, PINGAN_MEDIA_DIR: process.env.BENCH_CHILD_MEDIA,
    PINGAN_RATE_LIMIT: '1000000', PINGAN_AUTH_RATE_LIMIT: '1000000', PINGAN_SWEEP_INTERVAL_MS: '0',
  });
  const database = await openDatabase({ url });
  const built = await buildApp({ config, database, crypto: fieldCrypto(process.env.BENCH_CHILD_KEYS!) });
  await built.locator.refresh(database.db, true);
  await built.app.listen({ host: '127.0.0.1', port: 0 });
  const address = built.app.server.address();
  process.send!({ port: typeof address === 'object' && address ? address.port : 0 });
  const stop = async () => {
    await built.app.close().catch(() => undefined);
    await database.close().catch(() => undefined);
    process.exit(0);
  };
  process.on('message', (m) => { if ((m as { type?: string }).type === 'close') void stop(); });
  process.on('disconnect', () => void stop());
}

// ---------------------------------------------------------------------------------------------
// Signing in through the API

interface Session { userId: number; name: string; cookie: string; csrf: string }

async function signedIn(res: Response, what: string): Promise<Session> {
  if (res.status !== 200) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { csrfToken: string; user: { id: number; name: string } };
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.startsWith('pingan_session='));
  if (!cookie) throw new Error(`${what}: no session cookie`);
  return { userId: body.user.id, name: body.user.name, cookie, csrf: body.csrfToken };
}

const post = (base: string, url: string, body: unknown) => fetch(`${base}${url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** A citizen signs in with the SMS code (read from the outbox, as the test helpers do). */
async function citizen(server: Server, database: Database, fc: FieldCrypto, phone: string): Promise<Session> {
  const sent = await post(server.base, '/api/v1/auth/sms/send', { phone });
  if (sent.status !== 202) throw new Error(`sms ${phone}: ${sent.status} ${await sent.text()}`);
  const [msg] = await readOutbox(database.db, fc.blindIndex(phone, PHONE_CONTEXT));
  const code = /(\d{6})/.exec(msg.body)![1];
  return signedIn(await post(server.base, '/api/v1/auth/sms/login', { phone, code }), `sms login ${phone}`);
}

/** A staff account created with the service, then signed in through the API (TOTP when the role needs it). */
async function staff(server: Server, accounts: AccountsContext, username: string, role: string, orgCode: string): Promise<Session> {
  const r = await createStaff(accounts, null, { username, displayName: `压测${role}`, orgCode, roles: [role], password: PASSWORD, mustChangePassword: false }, { ip: null, userAgent: 'bench' });
  const secret = r.totpUri ? new URL(r.totpUri).searchParams.get('secret') : null;
  return signedIn(await post(server.base, '/api/v1/auth/login', { username, password: PASSWORD, ...(secret ? { totp: totpCode(secret, Date.now()) } : {}) }), `login ${username}`);
}

async function timedGets(base: string, s: Session, url: string, n: number, warm: number): Promise<{ sorted: number[]; body: unknown }> {
  const headers = { cookie: s.cookie };
  let body: unknown = null;
  for (let i = 0; i < warm; i++) {
    const res = await fetch(`${base}${url}`, { headers });
    if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
    body = await res.json();
  }
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const res = await fetch(`${base}${url}`, { headers });
    const text = await res.text();
    times.push(performance.now() - t);
    if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${text}`);
  }
  return { sorted: times.sort((a, b) => a - b), body };
}

// ---------------------------------------------------------------------------------------------
// A. Intake

interface Point { lon: number; lat: number; city: string; county: string; township: string | null; village: string | null; grid: string }

/** Points inside the grids of a county: uniform in a random grid's box, kept when the locator puts them in a grid of the county. */
async function pointsIn(database: Database, county: string, n: number): Promise<Point[]> {
  const locator = new LocatorService();
  await locator.refresh(database.db, true);
  const boxes = await rows<{ a: number; b: number; c: number; d: number }>(database.db, sql`select min_lon as a, min_lat as b, max_lon as c, max_lat as d from boundaries where level = 'grid' and county_code = ${county}`);
  let seed = 20_260_501;
  const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const out: Point[] = [];
  while (out.length < n) {
    const b = boxes[Math.floor(rnd() * boxes.length)];
    const lon = Math.round((b.a + rnd() * (b.c - b.a)) * 1e6) / 1e6, lat = Math.round((b.b + rnd() * (b.d - b.b)) * 1e6) / 1e6; // as a phone sends them
    const loc = locator.find(lon, lat);
    if (!loc?.grid || loc.county.code !== county) continue;
    out.push({ lon, lat, city: loc.city?.code ?? county.slice(0, 4), county, township: loc.township?.code ?? null, village: loc.village?.code ?? null, grid: loc.grid.code });
  }
  return out;
}

const DESCRIPTIONS = ['路口有一大片碎玻璃，电动车容易扎胎，请尽快清理', '人行道上碎玻璃渣很多，小孩上学经过，存在安全隐患', '公交站旁有人打碎了酒瓶，玻璃碎片散落在非机动车道', '小区门口道路上有碎玻璃，已经有车被扎'];

async function intakePart(dbs: Databases, seconds: number): Promise<void> {
  console.log(`\n### A. intake over HTTP: ${CONNECTIONS} citizens at once, reports without photos, vs bare pg writing the same rows`);
  let t0 = performance.now();
  const url = await dbs.create('a');
  const database = await openDatabase({ url });
  await migrate(database);
  const seeded = await seedDatabase(database, { region: '33', scale: 'province', counties: ['330106', INTAKE_COUNTY] });
  const [cat] = await rows<{ code: string; name: string }>(database.db, sql`select code, name from event_categories where name like '%碎玻璃%' order by code limit 1`);
  const points = await pointsIn(database, INTAKE_COUNTY, 5000);
  log(`${dbs.prefix}_a: province-scale seed of 330106 + ${INTAKE_COUNTY} (${int(seeded.grids)} grids), ${points.length} points in grids of ${INTAKE_COUNTY}, category ${cat.code} ${cat.name}: ${secs(t0)}`);

  const keys = `bench:${crypto.randomBytes(32).toString('base64')}`;
  const fc = fieldCrypto(keys);
  const server = await startServer(url, keys);
  try {
    t0 = performance.now();
    const citizens: Session[] = [];
    for (let i = 0; i < CONNECTIONS; i++) citizens.push(await citizen(server, database, fc, `1390571${String(i).padStart(4, '0')}`));
    log(`${citizens.length} citizens signed in by SMS code through the API: ${secs(t0)}`);

    let nextClient = 0, nextPoint = 0;
    const failures = new Map<string, number>();
    const app = { ok: 0, non2xx: 0, errors: 0, timeouts: 0, seconds: 0, times: [] as number[] };
    /** `amount` reports (not a duration): autocannon drops the answers still on their way when a duration ends, and the check below must count every case. */
    const run = async (amount: number, record: boolean) => {
      const inst = autocannon({
        url: server.base, connections: CONNECTIONS, amount, timeout: 30,
        setupClient: (client) => {
          const c = citizens[nextClient++ % citizens.length];
          client.setHeaders({ 'content-type': 'application/json', cookie: c.cookie, 'x-csrf-token': c.csrf });
        },
        requests: [{
          method: 'POST', path: '/api/v1/events',
          setupRequest: (req) => {
            const p = points[nextPoint++ % points.length];
            req.headers['idempotency-key'] = crypto.randomUUID();
            req.body = JSON.stringify({ categoryCode: cat.code, description: DESCRIPTIONS[nextPoint % DESCRIPTIONS.length], location: { lon: p.lon, lat: p.lat } });
            return req;
          },
          onResponse: (status, body) => {
            if (status >= 300) {
              const key = `${status} ${String(body).slice(0, 160)}`;
              failures.set(key, (failures.get(key) ?? 0) + 1);
            }
          },
        }],
      });
      const times: number[] = [];
      inst.on('response', (_client, status, _bytes, responseTime) => { if (status < 300) times.push(responseTime); });
      const r = await inst;
      if (record) {
        app.ok += r['2xx']; app.non2xx += r.non2xx; app.errors += r.errors; app.timeouts += r.timeouts; app.seconds += r.duration;
        for (const t of times) app.times.push(t);
      }
      return r;
    };

    // warm-up of both, then rounds taking turns (the machine's background load drifts: both sides see the same)
    const warm = await run(CONNECTIONS * 8, false);
    const bare = await bareIntake(url, database, cat.code, points, citizens);
    await bare.run(1000);
    bare.reset();
    let estimate = warm['2xx'] / warm.duration;
    const rounds = 3;
    for (let round = 0; round < rounds; round++) {
      const r = await run(Math.max(CONNECTIONS * 4, Math.round((estimate * seconds) / rounds)), true);
      estimate = r['2xx'] / r.duration;
      await bare.run((seconds * 1000) / rounds);
    }
    await bare.close();
    const b = bare.result();
    log(`app: ${int(app.ok)} cases in ${app.seconds.toFixed(1)} s (${rounds} rounds, after ${int(warm['2xx'])} in a warm-up), non-2xx ${app.non2xx}, errors ${app.errors}, timeouts ${app.timeouts}`);
    for (const [k, n] of failures) log(`  ${n}× ${k}`);
    log(`bare pg: ${int(b.ok)} cases in ${b.seconds.toFixed(1)} s (${rounds} rounds, taking turns with the app), errors ${b.errors}`);
    const steady = await steadyIntake(server.base, citizens, points, cat.code, STEADY_RATE, STEADY_RATE * STEADY_SECONDS);
    log(`app at a steady ${STEADY_RATE} reports/s (open loop, ${int(steady.ok)} reports): p50 ${ms(percentile(steady.sorted, 50))}, p99 ${ms(percentile(steady.sorted, 99))}, max ${ms(steady.sorted[steady.sorted.length - 1])}, non-2xx ${steady.bad}`);
    const [{ n: cases }] = await rows<{ n: number }>(database.db, sql`select count(*)::int as n from events where id in (select event_id from idempotency_keys)`);
    const appAnswered = warm['2xx'] + app.ok + steady.ok;
    const chain = await verifyAuditChain(database.db);
    app.times.sort((x, y) => x - y);
    const rate = app.ok / app.seconds;
    log(`database: ${int(cases)} cases written by the app for ${int(appAnswered)} answers 2xx: ${cases === appAnswered ? 'equal' : 'DIFFERENT'}; audit chain ${chain.ok ? `sound (${int(chain.rows)} rows)` : `BROKEN at ${chain.firstBadId}: ${chain.reason}`}`);

    // the duplicate look-up of every report (events.repository openInBox) reads every open case of the category reported in 48 h, province-wide
    const p0 = points[0];
    const dLat = 202 / 111_195, dLon = dLat / Math.cos((p0.lat * Math.PI) / 180);
    log(`EXPLAIN ANALYZE of the duplicate look-up of one more report (events.repository openInBox), after the run:`);
    await explain(database, sql`select id, status, lon, lat, created_at as "createdAt", description from events
      where category_code = ${cat.code} and created_at >= ${new Date(Date.now() - 48 * 3600_000).toISOString()}::timestamptz
        and status in ('reported', 'accepted', 'returned', 'dispatched', 'in_progress', 'handled', 'suspended')
        and lon between ${p0.lon - dLon} and ${p0.lon + dLon} and lat between ${p0.lat - dLat} and ${p0.lat + dLat} and id <> 0
      order by created_at desc limit 50`);

    const ratio = rate / b.rate;
    const p99 = percentile(app.times, 99);
    report('A', 'intake, app over HTTP', `${int(rate)} cases/s`);
    report('A', 'intake, bare pg (limit)', `${int(b.rate)} cases/s`);
    report('A', 'ratio app / bare pg', ratio.toFixed(2), `≥ ${GOALS.intakeRatio}`, ratio >= GOALS.intakeRatio);
    report('A', `app latency p50 / p99 (${CONNECTIONS} at once)`, `${ms(percentile(app.times, 50))} / ${ms(p99)}`, `p99 ≤ ${GOALS.intakeP99Ms} ms`, p99 <= GOALS.intakeP99Ms);
    report('A', 'bare pg latency p50 / p99', `${ms(b.p50)} / ${ms(b.p99)}`);
    const steadyP99 = percentile(steady.sorted, 99);
    report('A', `app at a steady ${STEADY_RATE}/s: p50 / p99`, `${ms(percentile(steady.sorted, 50))} / ${ms(steadyP99)}`, `p99 ≤ ${GOALS.intakeP99Ms} ms`, steadyP99 <= GOALS.intakeP99Ms && steady.bad === 0);
    const bad = app.non2xx + app.errors + app.timeouts + warm.non2xx + warm.errors + warm.timeouts;
    report('A', 'app non-2xx / errors / timeouts', `${app.non2xx + warm.non2xx} / ${app.errors + warm.errors} / ${app.timeouts + warm.timeouts}`, '0', bad === 0);
    report('A', 'app cases in database = 2xx answers', `${int(cases)} = ${int(appAnswered)}`, 'equal', cases === appAnswered);
    report('A', 'bare pg errors; audit chain', `${b.errors}; ${chain.ok ? 'sound' : 'broken'}`, '0; sound', b.errors === 0 && chain.ok);
  } finally {
    await server.close();
    await database.close();
  }
}

/**
 * Latency at a steady rate, open loop (a report every 1/rate s whatever the answers): what a
 * reporter sees when the server is not saturated. The closed loop of 32 connections above always
 * saturates it, where latency is only connections / throughput.
 */
async function steadyIntake(base: string, citizens: Session[], points: Point[], categoryCode: string, rate: number, n: number) {
  const times: number[] = [];
  let bad = 0;
  const t0 = performance.now();
  const pending: Promise<void>[] = [];
  for (let k = 0; k < n; k++) {
    const wait = t0 + (k * 1000) / rate - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const c = citizens[k % citizens.length], p = points[(k * 7919) % points.length];
    pending.push((async () => {
      const t = performance.now();
      const res = await fetch(`${base}/api/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: c.cookie, 'x-csrf-token': c.csrf, 'idempotency-key': crypto.randomUUID() },
        body: JSON.stringify({ categoryCode, description: DESCRIPTIONS[k % DESCRIPTIONS.length], location: { lon: p.lon, lat: p.lat } }),
      });
      await res.text();
      if (res.status === 201) times.push(performance.now() - t);
      else bad++;
    })());
  }
  await Promise.all(pending);
  return { ok: times.length, bad, sorted: times.sort((a, b) => a - b) };
}

/**
 * The limit of intake: per case one transaction on a bare pool that writes what reportEvent writes
 * at the least — the case row (the same columns and values), the first transition, and an audit
 * row chained like recordAudit: advisory lock, read the head, sha256, insert. Places, units and the
 * category are looked up beforehand (the app looks them up per request: that is its overhead).
 */
async function bareIntake(url: string, database: Database, categoryCode: string, points: Point[], citizens: Session[]) {
  const category = await getCategory(database.db, categoryCode);
  const codes = new Set<string>();
  for (const p of points) {
    const owner = p.township ?? p.county;
    for (const c of [p.grid, `${owner}-center`, `${owner}-platform-${category.handler.type.replace(/_/g, '-')}`]) codes.add(c);
  }
  const units = new Map((await rows<{ id: number; code: string; path: string; level: string }>(database.db, sql`select id, code, path, level from org_units where code = any(${sql.param([...codes])}::text[])`)).map((u) => [u.code, u]));
  const pool = new pg.Pool({ connectionString: url, max: CONNECTIONS });
  let next = 0;
  const insertEvent = `insert into events (city_code, county_code, township_code, village_code, grid_code, area_path, lon, lat, h3, address, category_code, category_version,
      priority, urgent, description, attributes, channel, reporter_user_id, reporter_key_id, reporter_name, reporter_phone_enc, reporter_phone_masked, anonymous,
      status, owner_unit_id, owner_path, owner_level, handler_unit_id, assignee_unit_id, assignee_path, assignee_user_id, stage, stage_started_at, stage_warn_at,
      stage_due_at, stage_escalate_at, deadline_state, next_check_at, due_at, resolved_on_spot, handled_at, accepted_at, created_at, updated_at)
    values ($1, $2, $3, $4, $5, $6, $7, $8, $9, null, $10, $11, $12, $13, $14, '{}'::jsonb, 'citizen', $15, null, $16, null, null, false, 'reported', $17, $18, $19, $20,
      null, null, null, $21, $22, $23, $24, $25, 'normal', $26, null, false, null, null, $27, $27) returning id`;
  const insertTransition = `insert into event_transitions (event_id, county_code, area_path, action, from_status, to_status, actor_kind, actor_id, actor_name, owner_unit_id,
      assignee_unit_id, assignee_user_id, note, details, at) values ($1, $2, $3, 'report', null, 'reported', 'citizen', $4, $5, $6, null, null, null, $7::jsonb, $8)`;
  const insertAudit = `insert into audit_log (id, at, actor_id, actor_name, actor_role, org_id, ip, user_agent, action, target_type, target_id, result, reason, details, prev_hash, hash)
    overriding system value values ($1, $2, $3, $4, 'citizen', null, '127.0.0.1', null, 'event.report', 'event', $5, 'success', null, $6::jsonb, $7, $8)`;

  async function one(): Promise<void> {
    const i = next++;
    const p = points[i % points.length];
    const who = citizens[i % citizens.length];
    const owner = p.township ?? p.county;
    const area = units.get(p.grid)!, center = units.get(`${owner}-center`)!, handler = units.get(`${owner}-platform-${category.handler.type.replace(/_/g, '-')}`);
    const now = new Date();
    const clock = clockFor('reported', category.limits, now);
    const iso = (d: Date | null) => d?.toISOString() ?? null;
    const c = await pool.connect();
    try {
      await c.query('begin');
      const { rows: [{ id }] } = await c.query<{ id: string }>(insertEvent, [
        p.city, p.county, p.township, p.village, p.grid, area.path, p.lon, p.lat, latLngToCell(p.lat, p.lon, 9), category.code, category.version,
        category.priority, category.urgent, DESCRIPTIONS[i % DESCRIPTIONS.length], who.userId, who.name, center.id, center.path, center.level, handler?.id ?? null,
        clock.stage, iso(clock.stageStartedAt), iso(clock.stageWarnAt), iso(clock.stageDueAt), iso(clock.stageEscalateAt), iso(clock.nextCheckAt), now.toISOString(),
      ]);
      await c.query(insertTransition, [id, p.county, area.path, who.userId, who.name, center.id, JSON.stringify({ channel: 'citizen' }), now.toISOString()]);
      await c.query(`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`);
      const { rows: [head] } = await c.query<{ id: string; hash: string }>('select id, hash from audit_log order by id desc limit 1');
      const details = { area: p.grid, category: category.code, channel: 'citizen', photos: 0, status: 'reported' };
      const row = {
        at: new Date().toISOString(), actor_id: who.userId, actor_name: who.name, actor_role: 'citizen', org_id: null, ip: '127.0.0.1', user_agent: null,
        action: 'event.report', target_type: 'event', target_id: String(id), result: 'success' as const, reason: null, details, prev_hash: head?.hash ?? null,
      };
      await c.query(insertAudit, [Number(head?.id ?? 0) + 1, row.at, who.userId, who.name, String(id), JSON.stringify(details), row.prev_hash, rowHash(row)]);
      await c.query('commit');
    } catch (err) {
      await c.query('rollback').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
  }

  let times: number[] = [];
  let errors = 0, elapsed = 0;
  return {
    /** 32 workers, each one transaction after the other, for `forMs`. */
    async run(forMs: number) {
      const t0 = performance.now();
      const end = t0 + forMs;
      await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
        while (performance.now() < end) {
          const t = performance.now();
          try {
            await one();
            times.push(performance.now() - t);
          } catch {
            errors++;
          }
        }
      }));
      elapsed += (performance.now() - t0) / 1000;
    },
    reset() {
      times = [];
      errors = 0;
      elapsed = 0;
    },
    result() {
      const sorted = [...times].sort((a, b) => a - b);
      return { ok: sorted.length, errors, seconds: elapsed, rate: sorted.length / elapsed, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
    },
    close: () => pool.end(),
  };
}

// ---------------------------------------------------------------------------------------------
// B. A province with a year of cases

/** Seconds of a stage's limit in a category's `limits` (a working day counted as 1.4 calendar days, for weekends). */
const span = (stage: string) => `(c.limits->'${stage}'->>'amount')::float8 * (case c.limits->'${stage}'->>'unit' when 'minutes' then 60 when 'hours' then 3600 else 120960 end)`;

const OPEN_STATUSES = `('reported', 'accepted', 'returned', 'dispatched', 'in_progress', 'handled', 'suspended')`;

/**
 * Cases i in [lo, hi] of n: created over the past year in id order, at a point near the
 * representative point of a random grid, a category skewed toward the common ones. Whether a case
 * is still open depends on its age (90 % of the last day's, 7.5 % of those older than a month);
 * an open case sits in a state with its stage clock started after its earlier stages and its
 * deadline state as the sweep would have left it (old open cases are overdue or escalated, and
 * escalated ones belong to the county center). Finished cases went through every stage within
 * the category's limits mostly (some late), with the times, on-time flag, handling time, rating
 * and closing level filled in as the lifecycle does.
 */
function loadChunkSql(lo: number, hi: number, n: number, grids: number, cats: number): string {
  return `
  with s as (
    select i, $1::timestamptz - (365 * 86400 * (1 - (i - random()) / ${n})) * interval '1 second' as created_at,
      random() as rg, random() as rc, random() as ro, random() as rs, random() as rch, random() as r1, random() as r2, random() as r3,
      random() as r4, random() as r5, random() as rd, random() as rr, random() as ra, random() as rx, random() as ry
    from generate_series(${lo}, ${hi}) i
  ), p as materialized (
    select s.*, g.*, c.*, extract(epoch from ($1::timestamptz - s.created_at)) as age,
      c.s_accept * (0.05 + 0.9 * r1) as d1, c.s_dispatch * (0.05 + 1.0 * r2) as d2, c.s_sign * (0.05 + 0.9 * r3) as d3,
      c.s_handle * (0.1 + 1.1 * r4) as d4, c.s_verify * (0.05 + 0.8 * r5) as d5
    from s join bench_grids g on g.gn = least(${grids}, 1 + floor(s.rg * ${grids})::int)
      join bench_cats c on c.cn = least(${cats}, 1 + floor(power(s.rc, 1.7) * ${cats})::int)
  ), q as materialized (
    select p.*,
      case when ro < (case when age < 86400 then 0.9 when age < 7 * 86400 then 0.5 when age < 30 * 86400 then 0.2 else 0.075 end) then
        case when age < 86400 then
          case when rs < 0.25 then 'reported' when rs < 0.40 then 'accepted' when rs < 0.60 then 'dispatched' when rs < 0.90 then 'in_progress' else 'handled' end
        else
          case when rs < 0.02 then 'reported' when rs < 0.07 then 'accepted' when rs < 0.10 then 'returned' when rs < 0.20 then 'dispatched'
            when rs < 0.70 then 'in_progress' when rs < 0.85 then 'handled' else 'suspended' end
        end
      else case when rs < 0.011 then 'rejected' when rs < 0.0165 then 'withdrawn' else 'closed' end end as status
    from p
  ), k as materialized (
    select q.*,
      case status when 'reported' then 0 when 'accepted' then 1 when 'returned' then 1 when 'dispatched' then 2 when 'in_progress' then 3
        when 'suspended' then 3 when 'handled' then 4 when 'closed' then 5 else 0 end as k,
      case status when 'reported' then 'accept' when 'accepted' then 'dispatch' when 'returned' then 'dispatch' when 'dispatched' then 'sign'
        when 'in_progress' then 'handle' when 'suspended' then 'handle' when 'handled' then 'verify' end as stage,
      case status when 'reported' then s_accept when 'accepted' then s_dispatch when 'returned' then s_dispatch when 'dispatched' then s_sign
        when 'in_progress' then s_handle when 'suspended' then s_handle when 'handled' then s_verify end as stage_s
    from q
  ), t as materialized (
    select k.*,
      case k when 0 then 0 when 1 then d1 when 2 then d1 + d2 when 3 then d1 + d2 + d3 when 4 then d1 + d2 + d3 + d4 else d1 + d2 + d3 + d4 + d5 end as prior
    from k
  ), u as materialized (
    select t.*, least(1.0, (case when status = 'closed' then 0.95 else 0.9 end) * age / greatest(prior, 1)) as f from t
  ), v as materialized (
    select u.*,
      created_at + (f * d1) * interval '1 second' as at_accepted,
      created_at + (f * (d1 + d2)) * interval '1 second' as at_dispatched,
      created_at + (f * (d1 + d2 + d3 + d4)) * interval '1 second' as at_handled,
      created_at + (f * prior) * interval '1 second' as at_stage,
      created_at + (f * (d1 + d2)) * interval '1 second' + (s_sign + s_handle) * interval '1 second' as at_due
    from u
  ), w as materialized (
    select v.*,
      case when stage is null or status = 'suspended' then 'normal'
        when extract(epoch from ($1::timestamptz - at_stage)) >= 2 * stage_s then 'escalated'
        when extract(epoch from ($1::timestamptz - at_stage)) >= stage_s then 'overdue'
        when extract(epoch from ($1::timestamptz - at_stage)) >= 0.8 * stage_s then 'warning' else 'normal' end as dstate,
      (status = 'closed' and rd < 0.02) as closed_escalated,
      case when k >= 2 or status = 'closed' then
        case when ra < 0.35 then 'grid' when ra < 0.5 then 'village' else 'handler' end end as assignee_kind
    from v
  )
  insert into events (city_code, county_code, township_code, village_code, grid_code, area_path, lon, lat, h3, address, category_code, category_version,
    priority, urgent, description, attributes, channel, reporter_user_id, reporter_key_id, reporter_name, anonymous, status, suspended_from, version,
    owner_unit_id, owner_path, owner_level, handler_unit_id, assignee_unit_id, assignee_path, stage, stage_started_at, stage_warn_at, stage_due_at,
    stage_escalate_at, deadline_state, next_check_at, due_at, suspended_at, supervised, rework_count, escalation_count, was_overdue, accepted_at,
    dispatched_at, handled_at, closed_at, closed_level, closed_on_time, handling_seconds, rating, rated_at, created_at, updated_at)
  select w.city_code, w.county_code, w.township_code, w.village_code, w.grid_code, w.grid_path,
    w.lon + (rx - 0.5) * w.dx * 0.3, w.lat + (ry - 0.5) * w.dy * 0.3, w.h3,
    case when rx < 0.3 then '第' || (1 + (i % 300)) || '号附近' end,
    w.code, w.version, w.priority, w.urgent,
    w.name || '：' || (array['现场情况比较严重，请尽快派人处理。', '已经影响到周边居民的正常生活和出行，希望相关部门及时处置。', '附近经常有老人和小孩经过，存在安全隐患。', '之前反映过一次还没有解决，请核实后处理。'])[1 + (i % 4)],
    '{}'::jsonb,
    case when rch < 0.5 then 'citizen' when rch < 0.85 then 'patrol' when rch < 0.97 then 'hotline' else 'integration' end,
    case when rch < 0.5 then 10000000 + (i::bigint * 7919) % 400000 when rch < 0.85 then 20000000 + w.gn end,
    case when rch >= 0.97 then 1 end,
    case when rch < 0.5 then '139****' || lpad(((i::bigint * 7919) % 10000)::text, 4, '0') when rch < 0.85 then '网格员' when rch < 0.97 then null else '城市运行平台' end,
    rch < 0.02,
    w.status, case when w.status = 'suspended' then 'in_progress' end,
    case when w.status = 'closed' then 7 when w.status in ('rejected', 'withdrawn') then 2 else 1 + w.k end,
    case when w.dstate = 'escalated' or w.closed_escalated then w.county_center_id else w.center_id end,
    case when w.dstate = 'escalated' or w.closed_escalated then w.county_center_path else w.center_path end,
    case when w.dstate = 'escalated' or w.closed_escalated then 'county' else 'township' end,
    hu.id,
    case w.assignee_kind when 'grid' then w.grid_id when 'village' then w.village_id when 'handler' then hu.id end,
    case w.assignee_kind when 'grid' then w.grid_path when 'village' then w.village_path when 'handler' then hu.path end,
    w.stage,
    case when w.stage is not null then w.at_stage end,
    case when w.stage is not null then w.at_stage + 0.8 * w.stage_s * interval '1 second' end,
    case when w.stage is not null then w.at_stage + w.stage_s * interval '1 second' end,
    case when w.stage is not null then w.at_stage + 2 * w.stage_s * interval '1 second' end,
    w.dstate,
    case when w.stage is null or w.status = 'suspended' then null
      when w.dstate = 'normal' then w.at_stage + 0.8 * w.stage_s * interval '1 second'
      when w.dstate = 'warning' then w.at_stage + w.stage_s * interval '1 second'
      when w.dstate = 'overdue' then w.at_stage + 2 * w.stage_s * interval '1 second' end,
    case when w.k >= 2 then w.at_due end,
    case when w.status = 'suspended' then w.at_stage + (($1::timestamptz - w.at_stage) / 2) end,
    w.dstate = 'escalated' or w.closed_escalated,
    case when w.status = 'closed' and w.r5 < 0.04 then 1 else 0 end,
    case when w.dstate = 'escalated' or w.closed_escalated then 1 else 0 end,
    w.dstate in ('overdue', 'escalated') or w.closed_escalated or (w.status = 'closed' and w.at_handled > w.at_due),
    case when w.k >= 1 then w.at_accepted end,
    case when w.k >= 2 and w.status <> 'returned' then w.at_dispatched end,
    case when w.k >= 4 then w.at_handled end,
    case when w.status = 'closed' then w.at_stage end,
    case when w.status = 'closed' then case w.assignee_kind when 'grid' then 'grid' when 'village' then 'village' else hu.level end end,
    case when w.status = 'closed' then w.at_handled <= w.at_due end,
    case when w.status = 'closed' then round(extract(epoch from (w.at_stage - w.at_accepted)))::int end,
    case when w.status = 'closed' and w.rr < 0.6 then case when w.rr < 0.42 then 5 when w.rr < 0.52 then 4 when w.rr < 0.56 then 3 when w.rr < 0.58 then 2 else 1 end end,
    case when w.status = 'closed' and w.rr < 0.6 then least($1::timestamptz, w.at_stage + (3600 + w.rr * 86400) * interval '1 second') end,
    w.created_at,
    case when w.status = 'closed' then w.at_stage when w.stage is not null then w.at_stage else w.created_at + interval '1 hour' end
  from w left join org_units hu on hu.code = case when w.handler_kind = 'platform' then w.township_code || '-platform-' || w.kebab else w.county_code || '-dept-' || w.kebab end`;
}

async function loadCases(url: string, n: number, now: Date): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    // a bulk load: no JIT (it spent seconds compiling each chunk), memory for the chunk's steps and the
    // index builds, no fsync wait; and no foreign-key triggers where allowed (the rows come from the
    // tables they refer to), as pg_restore does
    await c.query(`set jit = off; set work_mem = '256MB'; set maintenance_work_mem = '512MB'; set synchronous_commit = off`);
    await c.query('set session_replication_role = replica').catch(() => log('(not a superuser: foreign keys are checked while loading)'));
    await c.query(`create temp table bench_grids as
      select row_number() over (order by g.id)::int as gn, g.id as grid_id, g.code as grid_code, g.path as grid_path, v.id as village_id, v.code as village_code,
        v.path as village_path, t.code as township_code, g.county_code, left(g.county_code, 4) as city_code, b.lon, b.lat, b.h3,
        b.max_lon - b.min_lon as dx, b.max_lat - b.min_lat as dy, ce.id as center_id, ce.path as center_path, cc.id as county_center_id, cc.path as county_center_path
      from org_units g join org_units v on v.id = g.parent_id join org_units t on t.id = v.parent_id join boundaries b on b.unit_id = g.id
        join org_units ce on ce.code = t.code || '-center' join org_units cc on cc.code = g.county_code || '-center'
      where g.level = 'grid' and g.kind = 'area'`);
    await c.query(`create temp table bench_cats as
      select row_number() over (order by c.code)::int as cn, c.code, c.version, c.priority, c.urgent, c.name, c.handler_kind, replace(c.handler_type, '_', '-') as kebab,
        ${span('accept')} as s_accept, ${span('dispatch')} as s_dispatch, ${span('sign')} as s_sign, ${span('handle')} as s_handle, ${span('verify')} as s_verify
      from event_categories c where c.active`);
    const { rows: [{ grids }] } = await c.query<{ grids: number }>('select count(*)::int as grids from bench_grids');
    const { rows: [{ cats }] } = await c.query<{ cats: number }>('select count(*)::int as cats from bench_cats');
    await c.query('analyze bench_grids; analyze bench_cats');
    // bulk load: secondary indexes off, rebuilt after with the migrations' own definitions
    const { rows: indexes } = await c.query<{ name: string; def: string }>(`select indexname as name, indexdef as def from pg_indexes where schemaname = 'public' and tablename = 'events' and indexname <> 'events_pkey'`);
    for (const ix of indexes) await c.query(`drop index ${ix.name}`);
    await c.query('select setseed(0.2026)');
    const chunk = 100_000;
    let t0 = performance.now();
    for (let lo = 1; lo <= n; lo += chunk) {
      const hi = Math.min(n, lo + chunk - 1);
      await c.query(loadChunkSql(lo, hi, n, grids, cats), [now.toISOString()]);
      process.stdout.write(`\r  loading cases: ${int(hi)} / ${int(n)} (${secs(t0)})`);
    }
    process.stdout.write('\n');
    const tLoad = secs(t0);
    t0 = performance.now();
    for (const ix of indexes) await c.query(ix.def);
    const tIndex = secs(t0);
    t0 = performance.now();
    await c.query('vacuum (analyze) events');
    log(`${int(n)} cases inserted in ${tLoad}, ${indexes.length} indexes rebuilt in ${tIndex}, VACUUM ANALYZE in ${secs(t0)}`);
  } finally {
    await c.end();
  }
}

/** An operator and a leader in every center (the sweep writes them inbox messages and SMS). */
async function staffEveryCenter(database: Database): Promise<number> {
  const [{ hash }] = await rows<{ hash: string }>(database.db, sql`select password_hash as hash from users where kind = 'staff' and password_hash is not null limit 1`);
  const r = await rows<{ n: number }>(database.db, sql`with ins as (
      insert into users (kind, username, display_name, org_id, county_code, roles, password_hash, must_change_password)
      select 'staff', 'bench.' || r || '.' || c.code, c.name || case r when 'operator' then '值班员' else '主任' end, c.id, c.county_code, array[r], ${hash}, false
      from org_units c cross join unnest(array['operator', 'leader']) as r where c.kind = 'center'
      returning 1)
    select count(*)::int as n from ins`);
  return r[0].n;
}

async function casesPart(dbs: Databases, n: number): Promise<void> {
  console.log(`\n### B. ${int(n)} cases in a province-scale database: county list, city indicators, deadline sweep`);
  let t0 = performance.now();
  const url = await dbs.create('b');
  const database = await openDatabase({ url });
  await migrate(database);
  const seeded = await seedDatabase(database, { region: '33', scale: 'province' });
  log(`${dbs.prefix}_b: province seed (${int(seeded.grids)} grids): ${secs(t0)}`);
  const keys = `bench:${crypto.randomBytes(32).toString('base64')}`;
  const accounts: AccountsContext = { database, crypto: fieldCrypto(keys), sms: new OutboxSms(), secureCookies: false };
  let server: Server | null = null;
  try {
    const now = new Date();
    await loadCases(url, n, now);
    const mix = await rows<{ status: string; n: number; overdue: number }>(database.db, sql`select status, count(*)::int as n,
      count(*) filter (where deadline_state in ('overdue', 'escalated'))::int as overdue from events group by status order by n desc`);
    log(`status mix: ${mix.map((m) => `${m.status} ${(m.n / n * 100).toFixed(1)} %${m.overdue ? ` (${int(m.overdue)} overdue/escalated)` : ''}`).join(', ')}`);
    const [size] = await rows<{ table: string; indexes: string }>(database.db, sql`select pg_size_pretty(pg_table_size('events')) as table, pg_size_pretty(pg_indexes_size('events')) as indexes`);
    log(`events: table ${size.table}, indexes ${size.indexes}`);

    // the busiest county and city, as in real life
    const [county] = await rows<{ code: string; n: number }>(database.db, sql`select county_code as code, count(*)::int as n from events group by 1 order by 2 desc limit 1`);
    const [city] = await rows<{ code: string; n: number }>(database.db, sql`select city_code as code, count(*)::int as n from events group by 1 order by 2 desc limit 1`);

    server = await startServer(url, keys);
    const operator = await staff(server, accounts, 'bench.county.operator', 'operator', `${county.code}-center`);
    const leader = await staff(server, accounts, 'bench.city.leader', 'leader', `${city.code}-center`);
    t0 = performance.now();
    const others = await staffEveryCenter(database);
    await database.db.execute(sql`analyze`); // as autovacuum would have by now (without it the sweep's notification insert plans users × cases: minutes)
    log(`signed in: operator of ${county.code}-center (${int(county.n)} cases), leader of ${city.code}-center (${int(city.n)} cases); ${int(others)} more staff (an operator and a leader per center): ${secs(t0)}`);

    // (i) the county list, as the API does it
    const lists: [string, string][] = [
      ['list of the county, newest first', `/api/v1/events?org=${county.code}`],
      ['… only status=reported (the intake queue)', `/api/v1/events?org=${county.code}&status=reported`],
      ['… only status=suspended (rare)', `/api/v1/events?org=${county.code}&status=suspended`],
    ];
    const slow: string[] = [];
    for (const [label, u] of lists) {
      const r = await timedGets(server.base, operator, u, 200, 20);
      const items = (r.body as { items: unknown[] }).items.length;
      const p99 = percentile(r.sorted, 99);
      log(`GET ${u}: ${items} items, p50 ${ms(percentile(r.sorted, 50))}, p99 ${ms(p99)}, max ${ms(r.sorted[r.sorted.length - 1])} (200 requests)`);
      report('B', `${label}: p50 / p99`, `${ms(percentile(r.sorted, 50))} / ${ms(p99)}`, `p99 ≤ ${GOALS.listP99Ms} ms`, p99 <= GOALS.listP99Ms);
      if (p99 > GOALS.listP99Ms) slow.push(u);
    }

    // (ii) a city's indicators over a year
    const from = new Date(now.getTime() - 365 * 86_400_000).toISOString(), to = new Date().toISOString();
    const ind = await timedGets(server.base, leader, `/api/v1/events/indicators?org=${city.code}&from=${from}&to=${to}`, 20, 2);
    const indMax = ind.sorted[ind.sorted.length - 1];
    const body = ind.body as { reported: number; closed: number; closureRate: number; onTimeRate: number; satisfactionRate: number };
    log(`GET /api/v1/events/indicators?org=${city.code} (one year): reported ${int(body.reported)}, closed ${int(body.closed)}, closure ${body.closureRate}, on time ${body.onTimeRate}, satisfaction ${body.satisfactionRate}; p50 ${ms(percentile(ind.sorted, 50))}, max ${ms(indMax)} (20 calls)`);
    report('B', `indicators of city ${city.code}, one year: p50 / max`, `${ms(percentile(ind.sorted, 50))} / ${ms(indMax)}`, `≤ ${GOALS.indicatorsMs} ms`, indMax <= GOALS.indicatorsMs);

    if (slow.length) await explainList(database, county.code, slow);
    if (indMax > GOALS.indicatorsMs) await explainIndicators(database, city.code, new Date(from), new Date(to), now);

    // (iii) every open case's deadline passes at once (a worst case: after an outage), then one sweep
    t0 = performance.now();
    const [due] = await rows<{ n: number }>(database.db, sql`with x as (
        update events set
          stage_started_at = ${now.toISOString()}::timestamptz - (stage_due_at - stage_started_at) * b.f,
          stage_warn_at = ${now.toISOString()}::timestamptz - (stage_due_at - stage_started_at) * (b.f - 0.8),
          stage_escalate_at = ${now.toISOString()}::timestamptz - (stage_due_at - stage_started_at) * (b.f - 2),
          stage_due_at = ${now.toISOString()}::timestamptz - (stage_due_at - stage_started_at) * (b.f - 1),
          next_check_at = ${now.toISOString()}::timestamptz - (stage_due_at - stage_started_at) * (b.f - 0.8),
          deadline_state = 'normal'
        from (values (0, 0.9), (1, 0.9), (2, 0.9), (3, 0.9), (4, 1.5), (5, 1.5), (6, 1.5), (7, 1.5), (8, 2.5), (9, 2.5)) as b(m, f)
        where b.m = events.id % 10 and events.status in ${sql.raw(OPEN_STATUSES)} and events.suspended_at is null and events.stage is not null
        returning 1)
      select count(*)::int as n from x`);
    await database.db.execute(sql`analyze events`);
    log(`${int(due.n)} open cases made due (40 % past the warning, 40 % past the deadline, 20 % past twice the limit): ${secs(t0)}`);
    const [before] = await rows<{ t: number; m: number }>(database.db, sql`select (select count(*)::int from event_transitions) as t, (select count(*)::int from notifications) as m`);
    t0 = performance.now();
    const sweptAt = new Date();
    const spent = new Map<string, number>();
    const swept = await sweepDeadlines(timed(database, spent), sweptAt);
    const sweepS = (performance.now() - t0) / 1000;
    const [after] = await rows<{ t: number; m: number; left: number }>(database.db, sql`select (select count(*)::int from event_transitions) as t, (select count(*)::int from notifications) as m,
      (select count(*)::int from events where next_check_at <= ${sweptAt.toISOString()}::timestamptz and suspended_at is null) as left`);
    log(`sweepDeadlines: ${sweepS.toFixed(2)} s — warned ${int(swept.warned)}, overdue ${int(swept.overdue)}, escalated ${int(swept.escalated)}; wrote ${int(after.t - before.t)} transitions and ${int(after.m - before.m)} notifications; ${int(after.left)} still due`);
    report('B', `deadline sweep of ${int(due.n)} due cases`, `${sweepS.toFixed(2)} s`, `≤ ${GOALS.sweepS} s`, sweepS <= GOALS.sweepS);
    report('B', '… warned / overdue / escalated', `${int(swept.warned)} / ${int(swept.overdue)} / ${int(swept.escalated)}`);
    const counted = [...spent.values()].reduce((a, x) => a + x, 0) / 1000;
    log(`  where the sweep's time went: ${[...spent.entries()].filter(([, v]) => v >= 50).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ')}, commits and the rest ${(sweepS - counted).toFixed(1)} s`);

  } finally {
    await server?.close();
    await database.close();
  }
}

/** The SQL statements' time, by kind (the sweep's own steps), through a database that times `execute`. */
function timed(database: Database, spent: Map<string, number>): Database {
  const kinds: [string, string][] = [
    ['with due as', 'markDue'], ['insert into notifications', 'notifications'], ['insert into event_transitions', 'transitions'],
    ['update events e set owner_unit_id', 'escalate to parent'], ['update events set supervised', 'supervised flag'],
    ['select pg_advisory_xact_lock', 'audit'], ['select id, hash from audit_log', 'audit'], ['insert into audit_log', 'audit'], ['select pg_try_advisory', 'sweep lock'],
  ];
  const kindOf = (q: unknown) => {
    const first = String((q as { queryChunks?: { value?: string[] }[] }).queryChunks?.[0]?.value?.[0] ?? '').trim().replace(/\s+/g, ' ');
    return kinds.find(([prefix]) => first.startsWith(prefix))?.[1] ?? (first.slice(0, 30) || 'other');
  };
  const wrap = (db: Db): Db => new Proxy(db, {
    get(target, prop) {
      const v = Reflect.get(target, prop) as unknown;
      if (prop === 'execute') {
        return async (q: SQL) => {
          const t = performance.now();
          try {
            return await (v as (q: SQL) => Promise<unknown>).call(target, q);
          } finally {
            const k = kindOf(q);
            spent.set(k, (spent.get(k) ?? 0) + performance.now() - t);
          }
        };
      }
      if (prop === 'transaction') return (fn: (tx: Db) => Promise<unknown>) => (v as (f: (tx: Db) => Promise<unknown>) => Promise<unknown>).call(target, (tx: Db) => fn(wrap(tx)));
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { ...database, db: wrap(database.db), transaction: (fn) => database.transaction((tx) => fn(wrap(tx))) };
}

async function explain(database: Database, query: SQL): Promise<void> {
  const plan = await rows<{ 'QUERY PLAN': string }>(database.db, sql`explain (analyze, buffers) ${query}`);
  for (const r of plan) log(`    ${r['QUERY PLAN']}`);
}

/** The list query as listEvents runs it (queries.repository whereOf + events.repository listEvents), for the slow ones. */
async function explainList(database: Database, county: string, urls: string[]): Promise<void> {
  for (const u of urls) {
    const status = new URL(u, 'http://x').searchParams.get('status');
    log(`EXPLAIN ANALYZE of the list query behind GET ${u}:`);
    await explain(database, sql`select e.*, v.data->'limits' from events e join event_category_versions v on v.code = e.category_code and v.version = e.category_version
      where e.county_code = ${county} and e.city_code = ${county.slice(0, 4)} ${status ? sql`and e.status = any(${sql.param(status.split(','))}::text[])` : sql``}
      order by e.id desc limit 51`);
  }
}

/** The indicators' two queries (queries.repository indicators + categoryBreakdown). */
async function explainIndicators(database: Database, city: string, from: Date, to: Date, now: Date): Promise<void> {
  const f = from.toISOString(), t = to.toISOString(), d = (to < now ? to : now).toISOString();
  log(`EXPLAIN ANALYZE of the indicators query of city ${city}:`);
  await explain(database, sql`select count(*) filter (where e.closed_at >= ${f}::timestamptz and e.closed_at < ${t}::timestamptz)::int as closed, avg(e.handling_seconds) as h
    from events e where e.city_code = ${city} and (
      (e.created_at >= ${f}::timestamptz and e.created_at < ${t}::timestamptz)
      or (e.accepted_at >= ${f}::timestamptz and e.accepted_at < ${t}::timestamptz)
      or (e.closed_at >= ${f}::timestamptz and e.closed_at < ${t}::timestamptz)
      or (e.closed_at is null and e.due_at >= ${f}::timestamptz and e.due_at < ${d}::timestamptz))`);
  log(`EXPLAIN ANALYZE of the category breakdown of city ${city}:`);
  await explain(database, sql`select e.category_code as code, count(*)::int as n from events e
    where e.city_code = ${city} and e.created_at >= ${f}::timestamptz and e.created_at < ${t}::timestamptz group by e.category_code order by n desc, code limit 100`);
}

// ---------------------------------------------------------------------------------------------

function printTable(): void {
  const head = { part: '', measure: 'measure', value: 'result', goal: 'goal', ok: null };
  const all = [head, ...lines];
  const w = (k: 'measure' | 'value' | 'goal') => Math.max(...all.map((l) => [...l[k]].length));
  const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - [...s].length));
  const [wm, wv, wg] = [w('measure'), w('value'), w('goal')];
  console.log('');
  for (const l of all) {
    const verdict = l === head ? '' : l.ok === null ? '' : l.ok ? 'ok' : 'MISSED';
    console.log(`  ${pad(l.part, 2)}${pad(l.measure, wm)}  ${pad(l.value, wv)}  ${pad(l.goal, wg)}  ${verdict}`.trimEnd());
    if (l === head) console.log(`  ${'-'.repeat(2 + wm + 2 + wv + 2 + wg + 8)}`);
  }
}

export async function eventsBench(): Promise<void> {
  const n = Number(option('cases') ?? 1_000_000);
  const seconds = Number(option('seconds') ?? 10);
  const only = option('only');
  if (!Number.isInteger(n) || n < 1000) throw new Error('--cases must be a whole number ≥ 1000');
  const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const dbs = new Databases(adminUrl);
  const admin = new pg.Client({ connectionString: adminUrl });
  try {
    await admin.connect();
  } catch (err) {
    console.log(`\n## events: skipped, no PostgreSQL at ${new URL(adminUrl).host} (${(err as Error).message}); set BENCH_DATABASE_URL`);
    return;
  }
  const { rows: [{ v }] } = await admin.query<{ v: string }>(`select current_setting('server_version') as v`);
  await admin.end();
  console.log(`\n## events: the case loop on PostgreSQL ${v} (${new URL(adminUrl).host}), ${os.cpus().length} cores`);
  const interrupted = () => void dbs.dropAll().finally(() => process.exit(130));
  process.once('SIGINT', interrupted);
  const started = performance.now();
  lines.length = 0;
  try {
    if (only !== 'cases') await intakePart(dbs, seconds);
    if (only !== 'intake') await casesPart(dbs, n);
  } finally {
    await dbs.dropAll();
    process.off('SIGINT', interrupted);
  }
  printTable();
  console.log(`\n  (whole benchmark: ${secs(started)}; databases ${dbs.prefix}_* ${process.argv.includes('--keep') ? 'kept' : 'dropped'})`);
}

if (process.env.PINGAN_BENCH_EVENTS_CHILD === '1') await serveChild();

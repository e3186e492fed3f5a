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
import { createRequire } from 'node:module';
import pg from 'pg';
import { latLngToCell } from 'h3-js';
import { openDatabase, rows, type Database, type Db } from '../src/platform/db/database.js';
import { migrate } from '../src/platform/db/migrator.js';
import type { FieldCrypto } from '../src/platform/pii/index.js';
import { rowHash, verifyAuditChain } from '../src/platform/audit/index.js';
import { seedDatabase } from '../src/server/seed.js';
import { LocatorService } from '../src/modules/grids/index.js';
import { readOutbox, PHONE_CONTEXT } from '../src/modules/accounts/index.js';
import { getCategory } from '../src/modules/events/categories.service.js';
import { clockFor } from '../src/modules/events/events.clock.js';
import { sweepDeadlines } from '../src/modules/events/sweep.service.js';
import { categoryBreakdown, indicators } from '../src/modules/events/queries.repository.js';
import { sql, type SQL } from 'drizzle-orm';
import {
  explain, explaining, fieldCrypto, int, log, ms, onPostgres, option, percentile, post, provinceWithCases, report, secs, signedIn, staff, staffEveryCenter,
  startServer, OPEN_STATUSES, type Databases, type Server, type Session,
} from './support.js';

const GOALS = { intakeRatio: 0.5, intakeP99Ms: 50, listP99Ms: 50, indicatorsMs: 200, sweepS: 10 };
const CONNECTIONS = 32;
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

/** A citizen signs in with the SMS code (read from the outbox, as the test helpers do). */
async function citizen(server: Server, database: Database, fc: FieldCrypto, phone: string): Promise<Session> {
  const sent = await post(server.base, '/api/v1/auth/sms/send', { phone });
  if (sent.status !== 202) throw new Error(`sms ${phone}: ${sent.status} ${await sent.text()}`);
  const [msg] = await readOutbox(database.db, fc.blindIndex(phone, PHONE_CONTEXT));
  const code = /(\d{6})/.exec(msg.body)![1];
  return signedIn(await post(server.base, '/api/v1/auth/sms/login', { phone, code }), `sms login ${phone}`);
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


async function casesPart(dbs: Databases, n: number): Promise<void> {
  console.log(`\n### B. ${int(n)} cases in a province-scale database: county list, city indicators, deadline sweep`);
  const now = new Date();
  const { url, database, keys, accounts } = await provinceWithCases(dbs, 'b', n, now);
  let server: Server | null = null;
  try {
    // the busiest county and city, as in real life
    const [county] = await rows<{ code: string; n: number }>(database.db, sql`select county_code as code, count(*)::int as n from events group by 1 order by 2 desc limit 1`);
    const [city] = await rows<{ code: string; n: number }>(database.db, sql`select city_code as code, count(*)::int as n from events group by 1 order by 2 desc limit 1`);

    server = await startServer(url, keys);
    let t0 = performance.now();
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

/** The indicators' queries (queries.repository indicators + categoryBreakdown), as the app runs them. */
async function explainIndicators(database: Database, city: string, from: Date, to: Date, now: Date): Promise<void> {
  log(`EXPLAIN ANALYZE of the indicators query of city ${city}:`);
  await indicators(explaining(database), { level: 'city', code: city }, from, to, now);
  log(`EXPLAIN ANALYZE of the category breakdown of city ${city}:`);
  await categoryBreakdown(explaining(database), { level: 'city', code: city }, from, to);
}

export async function eventsBench(): Promise<void> {
  const n = Number(option('cases') ?? 1_000_000);
  const seconds = Number(option('seconds') ?? 10);
  const only = option('only');
  if (!Number.isInteger(n) || n < 1000) throw new Error('--cases must be a whole number ≥ 1000');
  await onPostgres('events', 'the case loop', async (dbs) => {
    if (only !== 'cases') await intakePart(dbs, seconds);
    if (only !== 'intake') await casesPart(dbs, n);
  });
}

/**
 * What the PostgreSQL benchmarks share (events, dashboard): their own databases on the server of
 * BENCH_DATABASE_URL, dropped at the end; the real app in a child process; staff signed in through
 * the API; a province (province-scale seed) with a year of cases bulk-loaded; the table of figures
 * against the goals.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openDatabase, rows, type Database, type Db } from '../src/platform/db/database.js';
import { migrate } from '../src/platform/db/migrator.js';
import { createFieldCrypto, loadKeyRing, type FieldCrypto } from '../src/platform/pii/index.js';
import { seedDatabase } from '../src/server/seed.js';
import { createStaff, totpCode, OutboxSms, type AccountsContext } from '../src/modules/accounts/index.js';
import { sql, type SQL } from 'drizzle-orm';

export const PASSWORD = 'Bench#Password2026';

// ---------------------------------------------------------------------------------------------
// Small helpers

interface Line { part: string; measure: string; value: string; goal: string; ok: boolean | null }
const lines: Line[] = [];
export const report = (part: string, measure: string, value: string, goal = '', ok: boolean | null = null) => lines.push({ part, measure, value, goal, ok });
export const log = (msg: string) => console.log(`  ${msg}`);
export const ms = (x: number) => `${x < 10 ? x.toFixed(1) : Math.round(x)} ms`;
export const secs = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
export const int = (n: number) => Math.round(n).toLocaleString('en-US');

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

export function fieldCrypto(keys: string): FieldCrypto {
  return createFieldCrypto(loadKeyRing({ env: { PINGAN_DATA_KEYS: keys }, dataDir: '/nonexistent', production: false, warn: () => {} }));
}

/** The databases of this run, on BENCH_DATABASE_URL's server, dropped at the end whatever happens. */
export class Databases {
  readonly prefix: string;
  private readonly made: string[] = [];
  constructor(readonly adminUrl: string, bench: string) {
    this.prefix = `pingan_bench_${bench}_${crypto.randomBytes(4).toString('hex')}`;
  }

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
// The app in a child process (this file, started with PINGAN_BENCH_CHILD=1), so that the load
// generator (or the browser) does not share the server's event loop.

export interface Server { port: number; child: ChildProcess; base: string; close(): Promise<void> }

/** `config`: more of the app's environment (PINGAN_WEB_DIR, …). */
export async function startServer(url: string, keys: string, config: Record<string, string> = {}): Promise<Server> {
  const mediaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-bench-media-'));
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, PINGAN_BENCH_CHILD: '1', BENCH_CHILD_DATABASE_URL: url, BENCH_CHILD_KEYS: keys, BENCH_CHILD_MEDIA: mediaDir, BENCH_CHILD_CONFIG: JSON.stringify(config) },
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
    ...(JSON.parse(process.env.BENCH_CHILD_CONFIG ?? '{}') as Record<string, string>),
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

export interface Session { userId: number; name: string; cookie: string; csrf: string }

export async function signedIn(res: Response, what: string): Promise<Session> {
  if (res.status !== 200) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { csrfToken: string; user: { id: number; name: string } };
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.startsWith('pingan_session='));
  if (!cookie) throw new Error(`${what}: no session cookie`);
  return { userId: body.user.id, name: body.user.name, cookie, csrf: body.csrfToken };
}

export const post = (base: string, url: string, body: unknown) => fetch(`${base}${url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });


/** A staff account created with the service, then signed in through the API (TOTP when the role needs it). */
export async function staff(server: Server, accounts: AccountsContext, username: string, role: string, orgCode: string): Promise<Session> {
  const r = await createStaff(accounts, null, { username, displayName: `压测${role}`, orgCode, roles: [role], password: PASSWORD, mustChangePassword: false }, { ip: null, userAgent: 'bench' });
  const secret = r.totpUri ? new URL(r.totpUri).searchParams.get('secret') : null;
  return signedIn(await post(server.base, '/api/v1/auth/login', { username, password: PASSWORD, ...(secret ? { totp: totpCode(secret, Date.now()) } : {}) }), `login ${username}`);
}

// ---------------------------------------------------------------------------------------------
// A province with a year of cases

/** Seconds of a stage's limit in a category's `limits` (a working day counted as 1.4 calendar days, for weekends). */
const span = (stage: string) => `(c.limits->'${stage}'->>'amount')::float8 * (case c.limits->'${stage}'->>'unit' when 'minutes' then 60 when 'hours' then 3600 else 120960 end)`;

export const OPEN_STATUSES = `('reported', 'accepted', 'returned', 'dispatched', 'in_progress', 'handled', 'suspended')`;

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

export async function loadCases(url: string, n: number, now: Date): Promise<void> {
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
export async function staffEveryCenter(database: Database): Promise<number> {
  const [{ hash }] = await rows<{ hash: string }>(database.db, sql`select password_hash as hash from users where kind = 'staff' and password_hash is not null limit 1`);
  const r = await rows<{ n: number }>(database.db, sql`with ins as (
      insert into users (kind, username, display_name, org_id, county_code, roles, password_hash, must_change_password)
      select 'staff', 'bench.' || r || '.' || c.code, c.name || case r when 'operator' then '值班员' else '主任' end, c.id, c.county_code, array[r], ${hash}, false
      from org_units c cross join unnest(array['operator', 'leader']) as r where c.kind = 'center'
      returning 1)
    select count(*)::int as n from ins`);
  return r[0].n;
}

export async function explain(database: Database, query: SQL): Promise<void> {
  const plan = await rows<{ 'QUERY PLAN': string }>(database.db, sql`explain (analyze, buffers) ${query}`);
  for (const r of plan) log(`    ${r['QUERY PLAN']}`);
}

/**
 * The database as a repository function sees it, where each query is EXPLAIN ANALYZEd (the plan
 * logged) instead of run, and answers no rows: the plans of the app's own SQL, not of a copy.
 */
export function explaining(database: Database): Db {
  return new Proxy(database.db, {
    get(target, prop) {
      if (prop === 'execute') return async (query: SQL) => { await explain(database, query); return { rows: [] }; };
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** Prints the figures reported since the last table, and forgets them. */
export function printTable(): void {
  const head = { part: '', measure: 'measure', value: 'result', goal: 'goal', ok: null };
  const all = [head, ...lines];
  const w = (k: 'measure' | 'value' | 'goal') => Math.max(...all.map((l) => [...l[k]].length));
  const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - [...s].length));
  const [wm, wv, wg] = [w('measure'), w('value'), w('goal')];
  const wp = Math.max(...all.map((l) => [...l.part].length)) + 1;
  console.log('');
  for (const l of all) {
    const verdict = l === head ? '' : l.ok === null ? '' : l.ok ? 'ok' : 'MISSED';
    console.log(`  ${pad(l.part, wp)}${pad(l.measure, wm)}  ${pad(l.value, wv)}  ${pad(l.goal, wg)}  ${verdict}`.trimEnd());
    if (l === head) console.log(`  ${'-'.repeat(wp + wm + 2 + wv + 2 + wg + 8)}`);
  }
  lines.length = 0;
}

/**
 * Runs a benchmark on the server of BENCH_DATABASE_URL (skipped, and said, when none answers): `body`
 * gets the databases of this run, dropped at the end whatever happens (Ctrl-C too) unless `--keep`;
 * then the table of figures.
 */
export async function onPostgres(bench: string, title: string, body: (dbs: Databases) => Promise<void>): Promise<void> {
  const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = new pg.Client({ connectionString: adminUrl });
  try {
    await admin.connect();
  } catch (err) {
    console.log(`\n## ${bench}: skipped, no PostgreSQL at ${new URL(adminUrl).host} (${(err as Error).message}); set BENCH_DATABASE_URL`);
    return;
  }
  const { rows: [{ v }] } = await admin.query<{ v: string }>(`select current_setting('server_version') as v`);
  await admin.end();
  console.log(`\n## ${bench}: ${title} on PostgreSQL ${v} (${new URL(adminUrl).host}), ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)}`);
  const dbs = new Databases(adminUrl, bench);
  const interrupted = () => void dbs.dropAll().finally(() => process.exit(130));
  process.once('SIGINT', interrupted);
  const started = performance.now();
  lines.length = 0;
  try {
    await body(dbs);
  } finally {
    await dbs.dropAll();
    process.off('SIGINT', interrupted);
  }
  printTable();
  console.log(`\n  (whole benchmark: ${secs(started)}; databases ${dbs.prefix}_* ${process.argv.includes('--keep') ? 'kept' : 'dropped'})`);
}

export interface Province { url: string; database: Database; keys: string; accounts: AccountsContext }

/**
 * A new database `<prefix>_<suffix>` with the province seed (≈ 85,000 grids) and `n` cases over the
 * year before `now` (loadCases). The caller closes `database`; the database itself goes with `dbs.dropAll()`.
 */
export async function provinceWithCases(dbs: Databases, suffix: string, n: number, now: Date): Promise<Province> {
  const t0 = performance.now();
  const url = await dbs.create(suffix);
  const database = await openDatabase({ url });
  try {
    await migrate(database);
    const seeded = await seedDatabase(database, { region: '33', scale: 'province' });
    log(`${dbs.prefix}_${suffix}: province seed (${int(seeded.grids)} grids): ${secs(t0)}`);
    await loadCases(url, n, now);
    const mix = await rows<{ status: string; n: number; overdue: number }>(database.db, sql`select status, count(*)::int as n,
      count(*) filter (where deadline_state in ('overdue', 'escalated'))::int as overdue from events group by status order by n desc`);
    log(`status mix: ${mix.map((m) => `${m.status} ${(m.n / n * 100).toFixed(1)} %${m.overdue ? ` (${int(m.overdue)} overdue/escalated)` : ''}`).join(', ')}`);
    const [size] = await rows<{ table: string; indexes: string }>(database.db, sql`select pg_size_pretty(pg_table_size('events')) as table, pg_size_pretty(pg_indexes_size('events')) as indexes`);
    log(`events: table ${size.table}, indexes ${size.indexes}`);
  } catch (err) {
    await database.close();
    throw err;
  }
  return asProvince(url, database);
}

/** A province's database with new data keys and the accounts' context over them (staff are created and signed in with it). */
export function asProvince(url: string, database: Database): Province {
  const keys = `bench:${crypto.randomBytes(32).toString('base64')}`;
  return { url, database, keys, accounts: { database, crypto: fieldCrypto(keys), sms: new OutboxSms(), secureCookies: false } };
}

if (process.env.PINGAN_BENCH_CHILD === '1') await serveChild();

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
import { historyGrids, seedDatabase } from '../src/server/seed.js';
import { createStaff, totpCode, OutboxSms, type AccountsContext } from '../src/modules/accounts/index.js';
import { sql, type SQL } from 'drizzle-orm';
import { historyChunkSql, historyGridsJson, historySourcesSql, HISTORY_COUNTS_SQL, HISTORY_GRIDS_INSERT, HISTORY_HANDLERS_INSERT } from '../src/modules/events/history.js';
import { listHandlerUnits } from '../src/modules/org/index.js';

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
// A province with a year of cases (src/modules/events/history.ts generates them)

export const OPEN_STATUSES = `('reported', 'accepted', 'returned', 'dispatched', 'in_progress', 'handled', 'suspended')`;

export async function loadCases(url: string, n: number, now: Date): Promise<void> {
  const source = await openDatabase({ url });
  const [grids, handlers] = await Promise.all([historyGrids(source.db), listHandlerUnits(source.db)]).finally(() => source.close());
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    // a bulk load: no JIT (it spent seconds compiling each chunk), memory for the chunk's steps and the
    // index builds, no fsync wait; and no foreign-key triggers where allowed (the rows come from the
    // tables they refer to), as pg_restore does
    await c.query(`set jit = off; set work_mem = '256MB'; set maintenance_work_mem = '512MB'; set synchronous_commit = off`);
    await c.query('set session_replication_role = replica').catch(() => log('(not a superuser: foreign keys are checked while loading)'));
    for (const q of historySourcesSql()) await c.query(q);
    await c.query(HISTORY_GRIDS_INSERT, [historyGridsJson(grids)]);
    await c.query(HISTORY_HANDLERS_INSERT, [JSON.stringify(handlers)]);
    const { rows: [{ grids: gridCount, cats }] } = await c.query<{ grids: number; cats: number }>(HISTORY_COUNTS_SQL);
    await c.query('analyze history_grids; analyze history_cats');
    // bulk load: secondary indexes off, rebuilt after with the migrations' own definitions
    const { rows: indexes } = await c.query<{ name: string; def: string }>(`select indexname as name, indexdef as def from pg_indexes where schemaname = 'public' and tablename = 'events' and indexname <> 'events_pkey'`);
    for (const ix of indexes) await c.query(`drop index ${ix.name}`);
    await c.query('select setseed(0.2026)');
    const chunk = 100_000;
    let t0 = performance.now();
    for (let lo = 1; lo <= n; lo += chunk) {
      const hi = Math.min(n, lo + chunk - 1);
      await c.query(historyChunkSql({ lo, hi, n, grids: gridCount, cats, now, days: 365, demo: false }));
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

/**
 * Shutdown under load, on a real `pingan serve` process over the test fixture: 16 integration
 * clients report cases at once on kept-alive sockets. On SIGTERM every request that reached the
 * server is answered (201, or 503 with Retry-After: no socket is reset), answers from the drain
 * on carry `Connection: close`, the process exits 0, and every acknowledged case is in the
 * database. Under kill -9 nothing acknowledged is lost either.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, rows, type Database } from '../platform/db/database.js';
import { createKey } from '../modules/accounts/index.js';
import { testApp, TEST_KEYS } from '../test-support/app.js';
import { backend, testDatabase } from '../test-support/test-db.js';

const cli = path.resolve('src/cli/main.ts');
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => { for (const c of cleanups.reverse()) await c(); });

/** A database the child process opens: a PGlite data directory loaded from the fixture, or a PostgreSQL copy of it. */
async function prepare(): Promise<{ env: Record<string, string>; open(): Promise<Database>; key: string; point: { lon: number; lat: number } }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-drain-'));
  cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  let database: Database;
  let env: Record<string, string>;
  let open: () => Promise<Database>;
  if (backend === 'postgres') {
    const db = await testDatabase('fixture');
    cleanups.push(() => db.drop());
    database = db;
    env = { DATABASE_URL: db.url! };
    open = async () => db;
  } else {
    const dump = fs.readFileSync(path.join(inject('pgliteDumps'), 'fixture.tar'));
    database = await openDatabase({ pglite: await PGlite.create(path.join(dataDir, 'pglite'), { loadDataDir: new Blob([dump]) }) });
    env = { DATABASE_URL: '' };
    open = () => openDatabase({ dataDir });
  }
  const t = await testApp(database);
  const { secret } = await createKey(t.ctx, null, { name: 'load', orgCode: '330106', permissions: ['events.report'] }, { ip: null, userAgent: null });
  const [point] = await rows<{ lon: number; lat: number }>(database.db, sql`select b.lon, b.lat from boundaries b join org_units u on u.id = b.unit_id
    where b.level = 'grid' and u.code like '330106%' order by u.code limit 1`);
  await t.app.close();
  if (backend === 'pglite') await database.close();
  return { env: { ...env, PINGAN_DATA_DIR: dataDir }, open, key: secret, point };
}

function serve(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, 'serve'], {
    env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'info', PORT: '0', PINGAN_SWEEP_INTERVAL_MS: '0', PINGAN_RATE_LIMIT: '100000', PINGAN_SHUTDOWN_DRAIN_MS: '500',
      // the load repeats one report from one key: no intake limit or repeat merging here (intake-limits.test.ts)
      PINGAN_INTAKE_KEY_HOUR: '1000000', PINGAN_INTAKE_KEY_DAY: '1000000', PINGAN_INTAKE_REPEAT_MINUTES: '0', ...TEST_KEYS,
      PINGAN_AUDIT_CHECKPOINT_FILE: path.join(env.PINGAN_DATA_DIR ?? os.tmpdir(), 'audit-checkpoints.jsonl'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function until<T>(fn: () => T | undefined, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

type Outcome = { status: number; connection: string | undefined; retryAfter: string | undefined; id?: number; afterSignal: boolean } | { error: string; afterSignal: boolean };

function post(agent: http.Agent, url: string, key: string, body: string): Promise<{ status: number; connection?: string; retryAfter?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/api/v1/events`, { method: 'POST', agent, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, retryAfter: res.headers['retry-after'] as string | undefined, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** 16 clients, each reporting case after case on its own kept-alive socket; `signal` is sent once 32 cases are acknowledged. */
async function load(url: string, key: string, body: string, signal: () => void) {
  const outcomes: Outcome[] = [];
  let acknowledged = 0;
  let signalled = false;
  const stopAt = Date.now() + 60_000;
  const client = async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      while (Date.now() < stopAt) {
        const afterSignal = signalled;
        try {
          const r = await post(agent, url, key, body);
          outcomes.push({ status: r.status, connection: r.connection, retryAfter: r.retryAfter, id: r.status === 201 ? JSON.parse(r.body).event.id : undefined, afterSignal });
          if (r.status === 201 && ++acknowledged === 32) { signalled = true; signal(); }
          if (r.status === 503) return; // told to come back later: a well-behaved client does
        } catch (err) {
          outcomes.push({ error: (err as NodeJS.ErrnoException).code ?? (err as Error).message, afterSignal });
          return;
        }
      }
    } finally {
      agent.destroy();
    }
  };
  await Promise.all(Array.from({ length: 16 }, client));
  return outcomes;
}

async function categoryCode(url: string) {
  const cats = (await (await fetch(`${url}/api/v1/event-categories`)).json()) as { items: { code: string; name: string }[] };
  return cats.items.find((c) => c.name.includes('碎玻璃'))!.code;
}

async function storedIds(database: Database, ids: number[]) {
  return (await rows<{ id: number }>(database.db, sql`select id from events where id = any(${sql.param(ids.map(String))}::bigint[])`)).map((r) => Number(r.id));
}

describe('shutdown under load (a real process)', () => {
  it('answers every request that reached it on SIGTERM, closes sockets only between requests, and exits 0', async () => {
    const db = await prepare();
    const p = serve(db.env);
    const url = await until(() => /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(p.output())?.[1]);
    await until(() => (/spatial index ready/.test(p.output()) ? true : undefined));
    const body = JSON.stringify({ categoryCode: await categoryCode(url), description: '路面有碎玻璃', location: db.point });
    const outcomes = await load(url, db.key, body, () => p.child.kill('SIGTERM'));
    expect(await p.exited, p.output().slice(-2000)).toBe(0);

    // no request cut: the only failure allowed is a connection refused once the port closed
    const failures = outcomes.filter((o) => 'error' in o);
    expect(failures.filter((o) => o.error !== 'ECONNREFUSED'), JSON.stringify(failures)).toEqual([]);
    const answers = outcomes.filter((o): o is Extract<Outcome, { status: number }> => 'status' in o);
    expect(answers.every((a) => a.status === 201 || a.status === 503), JSON.stringify(answers.filter((a) => a.status !== 201))).toBe(true);
    // the drain served with Connection: close; the refusals came with Retry-After
    expect(answers.some((a) => a.afterSignal && a.status === 201 && a.connection === 'close')).toBe(true);
    for (const a of answers.filter((x) => x.status === 503)) expect(a).toMatchObject({ connection: 'close', retryAfter: '5' });
    expect(p.output()).not.toMatch(/still in flight/);
    expect(p.output()).toMatch(/stopped/);

    const ids = answers.flatMap((a) => (a.id ? [a.id] : []));
    expect(ids.length).toBeGreaterThanOrEqual(32);
    const database = await db.open();
    try {
      expect((await storedIds(database, ids)).sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
    } finally {
      if (backend === 'pglite') await database.close();
    }
  }, 180_000);

  it('loses nothing acknowledged under kill -9', async () => {
    const db = await prepare();
    const p = serve(db.env);
    const url = await until(() => /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(p.output())?.[1]);
    await until(() => (/spatial index ready/.test(p.output()) ? true : undefined));
    const body = JSON.stringify({ categoryCode: await categoryCode(url), description: '路面有碎玻璃', location: db.point });
    const outcomes = await load(url, db.key, body, () => p.child.kill('SIGKILL'));
    await p.exited;
    const ids = outcomes.flatMap((o) => ('id' in o && o.id ? [o.id] : []));
    expect(ids.length).toBeGreaterThanOrEqual(32);
    // the next start recovers the database (a stale lock of a dead process is taken over)
    const database = await db.open();
    try {
      expect((await storedIds(database, ids)).sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
    } finally {
      if (backend === 'pglite') await database.close();
    }
  }, 180_000);
});

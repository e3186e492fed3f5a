/**
 * One database interface over two backends: embedded PGlite (PostgreSQL compiled to WASM,
 * persisted under the data directory) and a PostgreSQL server (`DATABASE_URL`). Queries go
 * through Drizzle (`db`), identical on both; `exec` runs multi-statement SQL (migrations).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { sql, type SQL } from 'drizzle-orm';
import pg from 'pg';
import { AppError } from '../errors.js';

// int8 (count(*), sums) as JS numbers on both backends: our values stay far below 2^53.
pg.types.setTypeParser(20, (v: string) => Number(v));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Db = PgDatabase<PgQueryResultHKT, any>;

export interface Database {
  readonly kind: 'pglite' | 'postgres';
  readonly db: Db;
  /** Run SQL text that may hold several statements (no parameters) on one connection; an open transaction is rolled back on error. */
  exec(text: string): Promise<void>;
  /** Run `fn` in one transaction; it commits when `fn` resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** postgres:// URL; when absent the embedded database is used. */
  url?: string;
  /** Directory for PGlite's files; `undefined` with no url means in memory. */
  dataDir?: string;
  /** An already open PGlite (tests load one from a dump). */
  pglite?: PGlite;
}

/** Rows of a raw query, the same on both backends. */
export async function rows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.url) return openPostgres(opts.url);
  return opts.pglite ? wrapPglite(opts.pglite, () => {}) : openPglite(opts.dataDir);
}

async function openPostgres(url: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  pool.on('error', () => {
    /* idle client errors are reported on the next query */
  });
  const db = drizzlePg({ client: pool }) as unknown as Db;
  try {
    await pool.query('select 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new AppError('UNAVAILABLE', {
      zh: `无法连接数据库（DATABASE_URL）：${(err as Error).message}`,
      en: `Cannot connect to the database (DATABASE_URL): ${(err as Error).message}`,
    });
  }
  return {
    kind: 'postgres',
    db,
    async exec(text) {
      const conn = await pool.connect();
      try {
        await conn.query(text);
      } catch (err) {
        await conn.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        conn.release();
      }
    },
    transaction: (fn) => db.transaction((tx) => fn(tx as unknown as Db)),
    async ping() {
      await pool.query('select 1');
    },
    async close() {
      await pool.end();
    },
  };
}

async function openPglite(dataDir?: string): Promise<Database> {
  let release = () => {};
  if (dataDir) {
    fs.mkdirSync(dataDir, { recursive: true });
    release = lockDataDir(dataDir);
  }
  let client: PGlite;
  try {
    const dir = dataDir ? path.join(dataDir, 'pglite') : undefined;
    const template = dir && !fs.existsSync(path.join(dir, 'PG_VERSION')) ? initdbTemplate() : undefined;
    // 32 MB of shared buffers instead of PostgreSQL's 128 MB: the embedded database serves one
    // process, and this keeps the server's memory ~100 MB lower.
    client = await PGlite.create(dir, { postgresqlconf: ['shared_buffers = 32MB'], ...(template ? { loadDataDir: template } : {}) });
  } catch (err) {
    release();
    throw err;
  }
  return wrapPglite(client, release);
}

/** The empty cluster saved by scripts/pglite-template.mjs at install time, if it is there. */
function initdbTemplate(): Blob | undefined {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
  try {
    const { version } = JSON.parse(fs.readFileSync(path.join(root, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')) as { version: string };
    const file = path.join(root, 'node_modules/.cache/pingan', `pglite-${version}-initdb.tgz`);
    return fs.existsSync(file) ? new Blob([fs.readFileSync(file)]) : undefined;
  } catch {
    return undefined;
  }
}

function wrapPglite(client: PGlite, release: () => void): Database {
  const db = drizzlePglite({ client }) as unknown as Db;
  let closed = false;
  return {
    kind: 'pglite',
    db,
    async exec(text) {
      try {
        await client.exec(text);
      } catch (err) {
        await client.exec('ROLLBACK').catch(() => undefined);
        throw err;
      }
    },
    transaction: (fn) => db.transaction((tx) => fn(tx as unknown as Db)),
    async ping() {
      await client.query('select 1');
    },
    async close() {
      if (closed) return;
      closed = true;
      await client.close();
      release();
    },
  };
}

/**
 * PGlite is one process's database: a second process opening the same files would corrupt
 * them. A lock file names the holder; a stale lock (dead process) is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  const lockFile = path.join(dataDir, 'pingan.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(lockFile, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(fs.readFileSync(lockFile, 'utf8').trim());
      if (holder && holder !== process.pid && isAlive(holder)) {
        throw new AppError('UNAVAILABLE', {
          zh: `数据目录 ${dataDir} 正被进程 ${holder} 使用（嵌入式数据库只允许一个进程）。请先停止该进程，或设置 DATABASE_URL 使用 PostgreSQL。`,
          en: `The data directory ${dataDir} is in use by process ${holder} (the embedded database allows one process). Stop it first, or set DATABASE_URL to use PostgreSQL.`,
        });
      }
      fs.rmSync(lockFile, { force: true });
    }
  }
  throw new Error(`Could not lock ${lockFile}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export { sql };

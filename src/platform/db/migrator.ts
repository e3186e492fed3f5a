/**
 * Forward-only migrations: numbered SQL files in `migrations/` (`0001_name.sql`), applied in
 * order, each in its own transaction, recorded with a checksum in `schema_migrations`.
 * A file changed after it was applied stops the start: migrations are history, not drafts.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { rows, type Database } from './database.js';

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../migrations');

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  const seen = new Set<number>();
  return files.map((file) => {
    const m = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!m) throw new Error(`Migration file name must look like 0001_name.sql: ${file}`);
    const version = Number(m[1]);
    if (seen.has(version)) throw new Error(`Two migrations share version ${version}`);
    seen.add(version);
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    return { version, name: m[2], sql: text, checksum: crypto.createHash('sha256').update(text).digest('hex') };
  });
}

// A fixed advisory-lock key so that two nodes starting at once apply migrations one at a time.
const LOCK_KEY = 7_262_001;

export async function appliedMigrations(database: Database): Promise<{ version: number; name: string; checksum: string }[]> {
  await database.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  return rows(database.db, sql`select version, name, checksum from schema_migrations order by version`);
}

/** Applies pending migrations; returns those applied now. Safe when several nodes start at once. */
export async function migrate(database: Database, migrations = readMigrations()): Promise<Migration[]> {
  const appliedNow: Migration[] = [];
  for (;;) {
    const applied = await appliedMigrations(database);
    const byVersion = new Map(applied.map((r) => [r.version, r]));
    for (const row of applied) {
      const file = migrations.find((m) => m.version === row.version);
      if (!file) throw new Error(`The database has migration ${row.version} (${row.name}) that this code does not know: is the code older than the database?`);
      if (file.checksum !== row.checksum) {
        throw new Error(`Migration ${String(row.version).padStart(4, '0')}_${row.name}.sql was changed after it was applied; add a new migration instead.`);
      }
    }
    const next = migrations.find((m) => !byVersion.has(m.version));
    if (!next) return appliedNow;
    try {
      // One transaction per file: the lock serialises nodes, the primary key makes a race lose cleanly.
      await database.exec(
        `BEGIN;\nSELECT pg_advisory_xact_lock(${LOCK_KEY});\n` +
          `INSERT INTO schema_migrations (version, name, checksum) VALUES (${next.version}, '${next.name}', '${next.checksum}');\n` +
          `${next.sql}\n;COMMIT;`,
      );
      appliedNow.push(next);
    } catch (err) {
      const again = await appliedMigrations(database);
      if (again.some((r) => r.version === next.version)) continue; // another node applied it
      throw new Error(`Migration ${String(next.version).padStart(4, '0')}_${next.name}.sql failed: ${(err as Error).message}`, { cause: err });
    }
  }
}

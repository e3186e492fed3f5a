import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { backend, testDatabase } from '../../test-support/test-db.js';
import { rows, type Database } from './database.js';
import { appliedMigrations, migrate, readMigrations } from './migrator.js';

let database: Database & { drop(): Promise<void> };
beforeAll(async () => {
  database = await testDatabase('empty');
});
afterAll(async () => database?.drop());

describe(`migrations on ${backend}`, () => {
  it('applies every checked-in migration to an empty database, then nothing', async () => {
    const files = readMigrations();
    expect(files.length).toBeGreaterThan(0);
    const applied = await migrate(database);
    expect(applied.map((m) => m.version)).toEqual(files.map((m) => m.version));
    expect(await migrate(database)).toEqual([]);
    const tables = await rows<{ table_name: string }>(database.db, sql`select table_name from information_schema.tables where table_schema = 'public' order by 1`);
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['org_units', 'boundaries', 'boundary_revision', 'schema_migrations']));
  });

  it('refuses to start when an applied migration was edited', async () => {
    const edited = readMigrations().map((m, i) => (i === 0 ? { ...m, checksum: 'x'.repeat(64) } : m));
    await expect(migrate(database, edited)).rejects.toThrow(/was changed after it was applied/);
  });

  it('rolls back a failing migration whole, and records nothing', async () => {
    const bad = [...readMigrations(), { version: 9999, name: 'broken', sql: 'CREATE TABLE half_done (id int); SELECT no_such_function();', checksum: 'b'.repeat(64) }];
    await expect(migrate(database, bad)).rejects.toThrow(/9999_broken.sql failed/);
    expect((await appliedMigrations(database)).map((m) => m.version)).not.toContain(9999);
    const half = await rows(database.db, sql`select 1 from information_schema.tables where table_name = 'half_done'`);
    expect(half).toHaveLength(0);
  });

  it('rejects a badly named migration file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mig-'));
    fs.writeFileSync(path.join(dir, 'init.sql'), 'select 1');
    expect(() => readMigrations(dir)).toThrow(/0001_name.sql/);
    fs.rmSync(dir, { recursive: true });
  });
});

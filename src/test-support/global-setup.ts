import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import type { TestProject } from 'vitest/node';
import { openDatabase, type Database } from '../platform/db/database.js';
import { migrate } from '../platform/db/migrator.js';
import { seedDatabase } from '../server/seed.js';
import { FIXTURE_COUNTIES, pgTemplateNames, serverUrl } from './templates.js';
import { chromiumInUse } from '../../e2e/chromium.js';

async function fill(database: Database) {
  await migrate(database);
  await seedDatabase(database, { region: '33', scale: 'province', counties: FIXTURE_COUNTIES });
}

export default async function setup(project: TestProject) {
  // unpack the npm-shipped Chromium once, here, when it is the one in use (a browser test that
  // cannot find one reports it)
  await chromiumInUse().catch(() => undefined);
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const admin = new pg.Client({ connectionString: serverUrl(url, 'postgres') });
    await admin.connect();
    const PG_TEMPLATES = pgTemplateNames(crypto.randomBytes(4).toString('hex'));
    for (const name of Object.values(PG_TEMPLATES)) {
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.query(`CREATE DATABASE ${name}`);
    }
    const database = await openDatabase({ url: serverUrl(url, PG_TEMPLATES.fixture) });
    await fill(database);
    await database.close();
    project.provide('pgTemplates', PG_TEMPLATES);
    return async () => {
      for (const name of Object.values(PG_TEMPLATES)) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-test-'));
  const empty = await PGlite.create();
  const emptyDump = await empty.dumpDataDir('none');
  fs.writeFileSync(path.join(dir, 'empty.tar'), Buffer.from(await emptyDump.arrayBuffer()));
  const client = await PGlite.create({ loadDataDir: emptyDump });
  await empty.close();
  const database = await openDatabase({ pglite: client });
  await fill(database);
  const fixtureDump = await client.dumpDataDir('none');
  fs.writeFileSync(path.join(dir, 'fixture.tar'), Buffer.from(await fixtureDump.arrayBuffer()));
  await database.close();
  project.provide('pgliteDumps', dir);
  return () => fs.rmSync(dir, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteDumps: string;
    pgTemplates: Record<'empty' | 'fixture', string>;
  }
}

import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../platform/db/database.js';
import { serverUrl, type Template } from './templates.js';

export const backend = process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';

/** A database of its own for one test file; `drop()` removes it. */
export async function testDatabase(template: Template = 'fixture'): Promise<Database & { url: string | undefined; drop(): Promise<void> }> {
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const name = `pingan_t_${crypto.randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: serverUrl(url, 'postgres') });
    await admin.connect();
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE ${name} TEMPLATE ${inject('pgTemplates')[template]}`);
        break;
      } catch (err) {
        // two files copying the same template at once: one waits
        if (attempt > 50 || !/being accessed by other users/.test((err as Error).message)) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const database = await openDatabase({ url: serverUrl(url, name) });
    return Object.assign(database, {
      /** the URL, to open a second connection pool as another server process would */
      url: serverUrl(url, name) as string | undefined,
      async drop() {
        await database.close();
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.end();
      },
    });
  }
  const dump = fs.readFileSync(path.join(inject('pgliteDumps'), `${template}.tar`));
  const client = await PGlite.create({ loadDataDir: new Blob([dump]) });
  const database = await openDatabase({ pglite: client });
  return Object.assign(database, { url: undefined as string | undefined, drop: () => database.close() });
}

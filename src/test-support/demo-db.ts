/**
 * A test database holding the demo exactly as `npm start` seeds it (`serve --seed-if-empty demo`:
 * the same function, so the same tree, polygons and demo accounts), for the tests of the demo's
 * own data. About ten seconds: once per file.
 */
import { loadConfig } from '../server/config.js';
import { seedIfEmpty } from '../server/main.js';
import { migrate } from '../platform/db/migrator.js';
import { testDatabase } from './test-db.js';
import { testCrypto } from './app.js';

export async function demoDatabase() {
  const database = await testDatabase('empty');
  await migrate(database);
  await seedIfEmpty(database, loadConfig({ NODE_ENV: 'test' }), testCrypto(), 'demo', () => {});
  return database;
}

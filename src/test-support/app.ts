import { buildApp } from '../server/app.js';
import { loadConfig } from '../server/config.js';
import type { Database } from '../platform/db/database.js';

/** The real app over a test database, with its spatial index built. */
export async function testApp(database: Database) {
  const built = await buildApp({ config: loadConfig({ NODE_ENV: 'test' }), database, logger: false });
  await built.locator.refresh(database.db, true);
  return built;
}

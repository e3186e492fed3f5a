/**
 * Runs the server: open the database, migrate, optionally seed an empty database, listen, build
 * the spatial index, and shut down gracefully (SIGTERM/SIGINT: stop accepting, let in-flight
 * requests finish, close the database).
 */
import closeWithGrace from 'close-with-grace';
import { openDatabase } from '../platform/db/database.js';
import { migrate } from '../platform/db/migrator.js';
import * as org from '../modules/org/index.js';
import type { Scale } from '../modules/grids/index.js';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import { seedDatabase } from './seed.js';

export interface ServeOptions {
  /** Seed this scale when the database holds no org tree. */
  seedIfEmpty?: Scale;
}

export async function serve(config: Config, opts: ServeOptions = {}) {
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  const { app, locator, draining } = await buildApp({ config, database });
  const log = app.log;
  try {
    const applied = await migrate(database);
    if (applied.length) log.info({ migrations: applied.map((m) => `${m.version}_${m.name}`) }, 'migrations applied');
    if (opts.seedIfEmpty && (await org.isEmpty(database.db))) {
      log.info({ scale: opts.seedIfEmpty }, 'empty database: seeding');
      const report = await seedDatabase(database, { region: config.region, scale: opts.seedIfEmpty });
      log.info({ grids: report.grids, boundaries: report.boundaries, ms: report.ms }, 'seeded');
    }
  } catch (err) {
    await database.close();
    throw err;
  }

  closeWithGrace({ delay: config.shutdownTimeoutMs }, async ({ signal, err }) => {
    if (err) log.error({ err }, 'shutting down after an error');
    else log.info({ signal }, 'shutting down: finishing in-flight requests');
    draining.value = true;
    clearInterval(poll);
    await app.close();
    await database.close();
    log.info('stopped');
  });

  await app.listen({ host: config.host, port: config.port });
  await locator.refresh(database.db, true);
  log.info({ areas: locator.indexedAreas }, 'spatial index ready');
  // Other nodes (or the CLI against PostgreSQL) may change boundaries: rebuild when the revision moves.
  const poll = setInterval(() => {
    locator.refresh(database.db).catch((err: unknown) => log.warn({ err }, 'spatial index refresh failed'));
  }, config.gridRevisionPollMs);
  poll.unref();
  return { app, database, locator };
}

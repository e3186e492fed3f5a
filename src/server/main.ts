/**
 * Runs the server: open the database, migrate, optionally seed an empty database, listen, build
 * the spatial index, and shut down gracefully (SIGTERM/SIGINT: stop accepting, let in-flight
 * requests finish, close the database).
 */
import closeWithGrace from 'close-with-grace';
import { openDatabase, type Database } from '../platform/db/database.js';
import { migrate } from '../platform/db/migrator.js';
import { createFieldCrypto, loadKeyRing, type FieldCrypto } from '../platform/pii/index.js';
import * as org from '../modules/org/index.js';
import { countActiveDemoUsers, OutboxSms, seedDemoAccounts, DEMO_PASSWORD, DEMO_TOTP_SECRET } from '../modules/accounts/index.js';
import type { Scale } from '../modules/grids/index.js';
import { seedCategories, startScheduler } from '../modules/events/index.js';
import { writeCheckpoint } from '../platform/audit/index.js';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import { DEMO_HISTORY, seedDatabase } from './seed.js';

export interface ServeOptions {
  /** Seed this scale when the database holds no org tree. */
  seedIfEmpty?: Scale;
}

/** The field-encryption keys (platform/pii): production refuses to start without configured keys. */
export function fieldCrypto(config: Config, warn: (msg: string) => void = (m) => console.warn(m)): FieldCrypto {
  return createFieldCrypto(loadKeyRing({ env: process.env, dataDir: config.dataDir, production: config.env === 'production', warn }));
}

/**
 * Seeds the demo (tree, boundaries, the demo accounts, and at demo scale 90 days of generated
 * cases) when the database holds no org tree.
 */
export async function seedIfEmpty(database: Database, config: Config, crypto: FieldCrypto, scale: Scale, log: (msg: string, data?: object) => void, now: Date = new Date()) {
  if (!(await org.isEmpty(database.db))) return;
  log('empty database: seeding', { scale });
  const history = scale === 'demo' ? { ...DEMO_HISTORY, now } : undefined;
  const report = await seedDatabase(database, { region: config.region, scale, history });
  const accounts = await seedDemoAccounts({ database, crypto, sms: new OutboxSms(), secureCookies: false });
  log('seeded', { grids: report.grids, boundaries: report.boundaries, history: report.history, ms: report.ms });
  log(`demo accounts (DEMO ONLY): ${accounts.map((a) => a.username).join(', ')}; password ${DEMO_PASSWORD}; administrators' TOTP secret ${DEMO_TOTP_SECRET}`);
}

export async function serve(config: Config, opts: ServeOptions = {}) {
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  let built;
  try {
    const crypto = fieldCrypto(config);
    built = await buildApp({ config, database, crypto });
    const log = built.app.log;
    const applied = await migrate(database);
    if (applied.length) log.info({ migrations: applied.map((m) => `${m.version}_${m.name}`) }, 'migrations applied');
    // a database seeded before the case loop existed gets its taxonomy (does nothing when present)
    const categories = await database.transaction((tx) => seedCategories(tx));
    if (categories) log.info({ categories }, 'event categories seeded');
    if (opts.seedIfEmpty) await seedIfEmpty(database, config, crypto, opts.seedIfEmpty, (msg, data) => log.info(data ?? {}, msg));
    if (config.env === 'production') {
      const demo = await countActiveDemoUsers(database.db);
      if (demo > 0) throw new Error(`Refusing to start in production: ${demo} demo account(s) are active, and their password and TOTP secret are published. Lock them first (pingan user lock USERNAME).`);
    }
  } catch (err) {
    await database.close();
    throw err;
  }
  const { app, locator, drain } = built;
  const log = app.log;
  let stopScheduler = () => {};
  let checkpointTimer: NodeJS.Timeout | undefined;
  // the audit head, signed, to a file outside the database: at intervals and at shutdown (and on
  // every export); a log that no longer holds its last checkpoint is reported, never re-signed
  const checkpoints = built.accounts.auditCheckpoints!;
  const checkpoint = async () => {
    try {
      const r = await writeCheckpoint(database.db, built.accounts.crypto, checkpoints, new Date());
      if (!r.ok) log.error({ reason: r.reason, file: checkpoints.file }, 'AUDIT LOG DOES NOT MATCH ITS LAST CHECKPOINT');
    } catch (err) {
      log.warn({ err, file: checkpoints.file }, 'audit checkpoint failed');
    }
  };

  closeWithGrace({ delay: config.shutdownTimeoutMs }, async ({ signal, err }) => {
    if (err) log.error({ err }, 'shutting down after an error');
    else log.info({ signal }, 'shutting down: finishing in-flight requests');
    clearInterval(poll);
    stopScheduler();
    // readyz 503 and Connection: close for the drain delay, then 503s to new work until what is in
    // flight is answered (drain.ts); a second's margin is left for closing before the forced exit
    const started = Date.now();
    const { unanswered } = await drain.run({ drainMs: err ? 0 : config.shutdownDrainMs, deadline: started + Math.max(0, config.shutdownTimeoutMs - 1_000) });
    if (unanswered) log.warn({ unanswered }, 'shutting down with requests still in flight');
    await app.close();
    clearInterval(checkpointTimer);
    await checkpoint();
    await database.close();
    log.info('stopped');
  });

  await app.listen({ host: config.host, port: config.port });
  await locator.refresh(database.db, true);
  log.info({ areas: locator.indexedAreas }, 'spatial index ready');
  // the deadline sweep, the notification dispatcher and the idempotency-key purge
  if (config.sweepIntervalMs > 0) stopScheduler = startScheduler(built.events, config.sweepIntervalMs, log);
  // Other nodes (or the CLI against PostgreSQL) may change boundaries: rebuild when the revision moves.
  const poll = setInterval(() => {
    locator.refresh(database.db).catch((err: unknown) => log.warn({ err }, 'spatial index refresh failed'));
  }, config.gridRevisionPollMs);
  poll.unref();
  await checkpoint();
  if (config.auditCheckpointMs > 0) checkpointTimer = setInterval(() => void checkpoint(), config.auditCheckpointMs).unref();
  return { app, database, locator };
}

/**
 * The `pingan` command. Bad input exits with status 2 and a message naming the argument;
 * other failures exit with status 1.
 */
import fs from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { AppError } from '../platform/errors.js';
import { openDatabase, type Database } from '../platform/db/database.js';
import { migrate } from '../platform/db/migrator.js';
import { loadConfig, ConfigError, type Config } from '../server/config.js';
import { fieldCrypto, serve } from '../server/main.js';
import * as accounts from '../modules/accounts/index.js';
import { auditHead, checkAgainstCheckpoint, CheckpointFile, verifyAuditChain, writeCheckpoint } from '../platform/audit/index.js';
import { assertPhone } from '../platform/pii/index.js';
import { ROLES } from '../platform/auth/actor.js';
import { seedDatabase, DEFAULT_SEED } from '../server/seed.js';
import * as grids from '../modules/grids/index.js';
import { progress } from './progress.js';

const SCALES = ['demo', 'province'] as const;

function number(name: string, min: number, max: number) {
  return (raw: string) => {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) {
      throw new AppError('VALIDATION_FAILED', { zh: `${name} 必须是数字（实际为 "${raw}"）`, en: `${name} must be a number (got "${raw}")` }, { field: name });
    }
    if (n < min || n > max) {
      throw new AppError('VALIDATION_FAILED', { zh: `${name} 必须在 ${min} 到 ${max} 之间（实际为 ${n}）`, en: `${name} must be between ${min} and ${max} (got ${n})` }, { field: name });
    }
    return n;
  };
}

async function withDatabase<T>(config: Config, fn: (db: Database) => Promise<T>): Promise<T> {
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrate(database);
    return await fn(database);
  } finally {
    await database.close();
  }
}

const CLI_META = { ip: null, userAgent: 'pingan cli' };

function ctxOf(cfg: Config, db: Database): accounts.AccountsContext {
  return { database: db, crypto: fieldCrypto(cfg), sms: new accounts.OutboxSms(), secureCookies: cfg.secureCookies };
}

function printSeedReport(report: Awaited<ReturnType<typeof seedDatabase>>) {
  console.log(`Seeded in ${(report.ms / 1000).toFixed(1)} s:`);
  for (const u of report.units) console.log(`  ${u.level.padEnd(9)} ${u.kind.padEnd(11)} ${String(u.n).padStart(7)}`);
  console.log(`  boundaries: ${Object.entries(report.boundaries).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`  grids created: ${report.grids} (township, village and grid polygons are synthetic)`);
}

export function buildCli(config: () => Config): Command {
  const program = new Command('pingan')
    .description("Ping'an (平安): grid-based grassroots governance and public safety")
    .showHelpAfterError()
    .configureOutput({ outputError: (str, write) => write(str) })
    .exitOverride();

  program
    .command('serve')
    .description('start the HTTP server (migrates the database first)')
    .addOption(new Option('--seed-if-empty <scale>', 'seed this scale when the database holds no org tree').choices(SCALES))
    .action(async (o: { seedIfEmpty?: grids.Scale }) => {
      await serve(config(), { seedIfEmpty: o.seedIfEmpty });
    });

  program
    .command('migrate')
    .description('apply pending database migrations')
    .action(async () => {
      await withDatabase(config(), async (db) => {
        const applied = await migrate(db);
        console.log(applied.length ? `Applied: ${applied.map((m) => `${m.version}_${m.name}`).join(', ')}` : 'Up to date.');
      });
    });

  program
    .command('seed')
    .description('load the real administrative tree and generate synthetic township/village/grid polygons')
    .addOption(new Option('--scale <scale>', 'demo: one grid per village; province: ≈85,000 grids').choices(SCALES).default('demo'))
    .option('--seed <text>', 'seed of the polygon generator', DEFAULT_SEED)
    .option('--counties <codes>', 'only these county codes, comma-separated', (v: string) => {
      const codes = v.split(',').map((s) => s.trim()).filter(Boolean);
      if (!codes.length || codes.some((c) => !/^\d{6}$/.test(c))) throw new InvalidArgumentError('must be 6-digit county codes separated by commas');
      return codes;
    })
    .option('--no-accounts', 'do not create the demo accounts')
    .action(async (o: { scale: grids.Scale; seed: string; counties?: string[]; accounts: boolean }) => {
      const cfg = config();
      await withDatabase(cfg, async (db) => {
        const bar = progress('seeding counties');
        const report = await seedDatabase(db, { region: cfg.region, scale: o.scale, seed: o.seed, counties: o.counties, onProgress: bar.update });
        bar.end();
        printSeedReport(report);
        if (o.accounts && (!o.counties || o.counties.includes('330106'))) {
          const created = await accounts.seedDemoAccounts(ctxOf(cfg, db));
          console.log(`Demo accounts — DEMO ONLY, never in production (password ${accounts.DEMO_PASSWORD}; administrators also need a TOTP code for secret ${accounts.DEMO_TOTP_SECRET}):`);
          for (const a of created) console.log(`  ${a.username.padEnd(16)} ${a.role.padEnd(12)} ${a.org}`);
        }
      });
    });

  const importCmd = program.command('import').description('import data');
  importCmd
    .command('grids <file>')
    .description('import grid polygons from a GeoJSON FeatureCollection (properties: code, name, parent_code)')
    .action(async (file: string) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch (err) {
        const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `is not valid JSON (${(err as Error).message})`;
        throw new AppError('VALIDATION_FAILED', { zh: `文件 ${file} 无法读取或不是 JSON`, en: `FILE ${file} ${reason}` }, { field: 'FILE' });
      }
      await withDatabase(config(), async (db) => {
        const r = await grids.importGrids(db, parsed);
        console.log(`Imported grids for ${r.villages} villages: ${r.created} created, ${r.updated} updated, ${r.removed} removed.`);
      });
    });

  const exportCmd = program.command('export').description('export data');
  exportCmd
    .command('grids')
    .description('write grids as a GeoJSON FeatureCollection')
    .option('--under <code>', 'only grids under this org unit')
    .option('-o, --out <file>', 'write to a file instead of standard output')
    .action(async (o: { under?: string; out?: string }) => {
      await withDatabase(config(), async (db) => {
        const fc = await grids.exportGrids(db.db, o.under);
        const text = JSON.stringify(fc);
        if (o.out) {
          fs.writeFileSync(o.out, text);
          console.error(`Wrote ${fc.features.length} grids to ${o.out}`);
        } else process.stdout.write(`${text}\n`);
      });
    });

  const user = program.command('user').description('staff accounts (bootstrap and recovery; audited as "cli")');
  user
    .command('create')
    .description('create a staff account; prints its one-time password (and TOTP URI for administrators)')
    .requiredOption('--username <name>', 'a-z 0-9 _ . -, 3–32, starting with a letter')
    .requiredOption('--org <code>', 'the org unit (e.g. 330106-center)')
    .addOption(new Option('--role <role>', 'its role').choices(ROLES).makeOptionMandatory())
    .option('--name <display>', 'display name (default: the username)')
    .option('--phone <phone>', 'mobile number (stored encrypted)')
    .action(async (o: { username: string; org: string; role: string; name?: string; phone?: string }) => {
      const cfg = config();
      if (o.phone) assertPhone(o.phone, '--phone');
      await withDatabase(cfg, async (db) => {
        const r = await accounts.createStaff(ctxOf(cfg, db), null, { username: o.username, displayName: o.name ?? o.username, orgCode: o.org, roles: [o.role], phone: o.phone }, CLI_META);
        console.log(`Created ${r.user.username} (id ${r.user.id}, ${o.role}, ${r.user.org.name}).`);
        console.log(`One-time password (must be changed at first sign-in): ${r.password}`);
        if (r.totpUri) console.log(`TOTP (add to an authenticator app; required to sign in): ${r.totpUri}`);
      });
    });
  for (const [name, what] of [['reset-password', 'give a new one-time password'], ['lock', 'disable the account and end its sessions'], ['unlock', 'enable the account and clear a lockout']] as const) {
    user
      .command(`${name} <username>`)
      .description(what)
      .action(async (username: string) => {
        const cfg = config();
        await withDatabase(cfg, async (db) => {
          const ctx = ctxOf(cfg, db);
          const id = await accounts.findStaffId(ctx, username);
          if (name === 'reset-password') console.log(`New one-time password for ${username}: ${(await accounts.resetPassword(ctx, null, id, CLI_META)).password}`);
          else {
            await accounts.lockUser(ctx, null, id, name === 'lock', CLI_META);
            console.log(`${username}: ${name === 'lock' ? 'locked' : 'unlocked'}.`);
          }
        });
      });
  }

  const key = program.command('key').description('API keys for integrations');
  key
    .command('create')
    .description('create an API key; prints the secret once')
    .requiredOption('--name <name>', 'what uses it')
    .requiredOption('--org <code>', 'the org subtree it may see')
    .requiredOption('--permissions <list>', 'comma-separated, e.g. grids.locate,boundaries.read', (v: string) => v.split(',').map((x) => x.trim()).filter(Boolean))
    .action(async (o: { name: string; org: string; permissions: string[] }) => {
      const cfg = config();
      await withDatabase(cfg, async (db) => {
        const r = await accounts.createKey(ctxOf(cfg, db), null, { name: o.name, orgCode: o.org, permissions: o.permissions }, CLI_META);
        console.log(`Created key ${r.key.id} (${r.key.name}) for ${r.key.org.name}: ${r.key.permissions.join(', ')}`);
        console.log(`Secret (shown once; send as "Authorization: Bearer <secret>"): ${r.secret}`);
      });
    });
  key
    .command('revoke <id>')
    .description('revoke an API key')
    .action(async (idRaw: string) => {
      const id = number('ID', 1, 2 ** 31 - 1)(idRaw);
      const cfg = config();
      await withDatabase(cfg, async (db) => {
        await accounts.revokeKey(ctxOf(cfg, db), null, id, CLI_META);
        console.log(`Key ${id} revoked.`);
      });
    });

  const audit = program.command('audit').description('the audit log');
  audit
    .command('verify')
    .description('check the hash chain (names the first row altered or removed) and the log against its latest signed checkpoint (a cut tail, an older backup)')
    .option('--require-checkpoint', 'fail when no checkpoint exists yet')
    .action(async (o: { requireCheckpoint?: boolean }) => {
      const cfg = config();
      await withDatabase(cfg, async (db) => {
        const r = await verifyAuditChain(db.db);
        if (!r.ok) {
          console.error(`AUDIT LOG TAMPERED at row ${r.firstBadId}: ${r.reason} (${r.rows} rows checked)`);
          process.exitCode = 3;
          return;
        }
        const head = await auditHead(db.db);
        const store = new CheckpointFile(cfg.auditCheckpointFile);
        const c = await checkAgainstCheckpoint(db.db, fieldCrypto(cfg), store);
        if (!c.ok) {
          console.error(`AUDIT LOG INCOMPLETE: ${c.reason}`);
          process.exitCode = 3;
          return;
        }
        console.log(`Audit log intact: ${r.rows} rows, hash chain verified; head #${head?.id ?? 0} ${head?.hash.slice(0, 16) ?? '-'}…`);
        if (c.checkpoint) console.log(`Holds its latest checkpoint (${store.file}): ${c.checkpoint.rows} rows up to #${c.checkpoint.lastId} at ${c.checkpoint.at}, signature valid.`);
        else {
          console.log(`No checkpoint yet in ${store.file}: that no rows were cut from the end is not proven (the server writes one at start, every PINGAN_AUDIT_CHECKPOINT_MS, on export and at shutdown; or run \`pingan audit checkpoint\`).`);
          if (o.requireCheckpoint) process.exitCode = 3;
        }
      });
    });
  audit
    .command('checkpoint')
    .description('sign the log\'s head and append it to the checkpoint file (refused when the log no longer holds the latest checkpoint)')
    .action(async () => {
      const cfg = config();
      await withDatabase(cfg, async (db) => {
        const store = new CheckpointFile(cfg.auditCheckpointFile);
        const r = await writeCheckpoint(db.db, fieldCrypto(cfg), store, new Date());
        if (!r.ok) {
          console.error(`AUDIT LOG INCOMPLETE, not checkpointed: ${r.reason}`);
          process.exitCode = 3;
        } else console.log(r.checkpoint ? `Checkpoint: ${r.checkpoint.rows} rows up to #${r.checkpoint.lastId} at ${r.checkpoint.at} → ${store.file}` : 'The audit log is empty: nothing to checkpoint.');
      });
    });

  const sms = program.command('sms').description('the SMS outbox (the local stand-in for an SMS gateway)');
  sms
    .command('outbox')
    .description('messages sent to a phone number, newest first')
    .requiredOption('--phone <phone>', 'the mobile number')
    .action(async (o: { phone: string }) => {
      const cfg = config();
      const phone = assertPhone(o.phone, '--phone');
      await withDatabase(cfg, async (db) => {
        const ctx = ctxOf(cfg, db);
        for (const m of await accounts.readOutbox(db.db, ctx.crypto.blindIndex(phone, accounts.PHONE_CONTEXT))) {
          console.log(`${m.createdAt.toISOString()}  ${m.phoneMasked}  ${m.body}`);
        }
      });
    });

  program
    .command('locate <lon> <lat>')
    .description('which grid, village, township, county and city a point lies in')
    .addOption(new Option('--crs <crs>', 'coordinate system of the input').choices(grids.CRS).default('wgs84'))
    .action(async (lonRaw: string, latRaw: string, o: { crs: grids.Crs }) => {
      const lon = number('LON', -180, 180)(lonRaw);
      const lat = number('LAT', -90, 90)(latRaw);
      await withDatabase(config(), async (db) => {
        const locator = new grids.LocatorService();
        await locator.refresh(db.db, true);
        console.log(JSON.stringify(locator.locate(lon, lat, o.crs), null, 2));
      });
    });

  return program;
}

function report(err: unknown): number {
  if (err instanceof AppError) {
    console.error(`${err.text.zh}\n${err.text.en}`);
    for (const d of err.details?.slice(1) ?? []) console.error(`  ${d.index !== undefined ? `#${d.index} ` : ''}${d.field ? `${d.field}: ` : ''}${d.message.en}`);
    return err.code === 'VALIDATION_FAILED' || err.code === 'INVALID_DATA' || err.code === 'OUTSIDE_JURISDICTION' || err.code === 'NOT_FOUND' ? 2 : 1;
  }
  if (err instanceof ConfigError) {
    console.error(err.message);
    return 2;
  }
  if (err instanceof InvalidArgumentError) {
    console.error(`error: ${err.message}`);
    return 2;
  }
  console.error(err instanceof Error ? err.message : String(err));
  return 1;
}

export async function main(argv = process.argv): Promise<void> {
  let cached: Config | undefined;
  const program = buildCli(() => (cached ??= loadConfig()));
  try {
    await program.parseAsync(argv);
  } catch (err) {
    const e = err as { code?: string; exitCode?: number };
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) {
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    process.exitCode = report(err);
  }
}

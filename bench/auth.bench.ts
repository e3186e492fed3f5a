/**
 * The cost of authentication + authorization: requests per second of a protected read route
 * (session cookie → actor → permission → org scope) divided by the same handler on an open route,
 * in the same process and run (goal ≥ 0.8). And sign-in throughput, bounded by argon2id by design.
 */
import { PGlite } from '@electric-sql/pglite';
import { verify } from '@node-rs/argon2';
import { openDatabase } from '../src/platform/db/database.js';
import { migrate } from '../src/platform/db/migrator.js';
import { seedDatabase } from '../src/server/seed.js';
import { testApp, TEST_PASSWORD } from '../src/test-support/app.js';
import * as org from '../src/modules/org/index.js';
import { ARGON2, hashPassword } from '../src/modules/accounts/passwords.js';

async function rate(run: () => Promise<unknown>, ms: number): Promise<number> {
  const end = performance.now() + ms;
  let n = 0;
  while (performance.now() < end) {
    await run();
    n++;
  }
  return n / (ms / 1000);
}

export async function authBench(): Promise<void> {
  console.log('\n## auth: overhead of authentication + authorization, and sign-in throughput');
  const database = await openDatabase({ pglite: await PGlite.create() });
  await migrate(database);
  await seedDatabase(database, { region: '33', scale: 'demo', counties: ['330106'] });
  const t = await testApp(database);
  // the same handler as GET /api/v1/org/units/:ref, without any check
  t.app.get('/api/v1/bench-open/:ref', { config: { public: true } }, async (req) => org.strip(await org.visibleUnit(database.db, (req.params as { ref: string }).ref)));
  const op = await t.as('operator', '330106002-center');
  const open = () => t.app.inject({ method: 'GET', url: '/api/v1/bench-open/330106002' });
  const guarded = () => op.get('/api/v1/org/units/330106002');
  if ((await guarded()).statusCode !== 200 || (await open()).statusCode !== 200) throw new Error('bench routes do not answer 200');
  await rate(open, 1000);
  await rate(guarded, 1000);
  let o = 0, g = 0;
  for (let round = 0; round < 3; round++) {
    o += await rate(open, 1500);
    g += await rate(guarded, 1500);
  }
  console.log(`  open route ${Math.round(o / 3)} req/s, protected route ${Math.round(g / 3)} req/s (in-process inject, one at a time)`);
  console.log(`  ratio protected / open: ${(g / o).toFixed(2)} (goal ≥ 0.8)`);

  const hash = await hashPassword(TEST_PASSWORD);
  const verifies = await rate(() => verify(hash, TEST_PASSWORD), 3000);
  const logins = await rate(() => t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: op.username, password: TEST_PASSWORD } }), 3000);
  console.log(`  argon2id (m=${ARGON2.memoryCost} KiB, t=${ARGON2.timeCost}, p=${ARGON2.parallelism}): ${verifies.toFixed(0)} verifications/s on one core; sign-in through the API: ${logins.toFixed(0)}/s`);
  await t.app.close();
  await database.close();
}

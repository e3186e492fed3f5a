/**
 * Finding 10: two SMS code sends for one phone at the same instant must not both pass, nor
 * leave two valid codes. On PostgreSQL the sends go through two server instances on two
 * connection pools (as two processes would); PGlite serialises statements but not requests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { testDatabase, backend } from '../../test-support/test-db.js';
import { testApp } from '../../test-support/app.js';
import { openDatabase, rows, type Database } from '../../platform/db/database.js';
import { AppError } from '../../platform/errors.js';
import { sendSmsCode, readOutbox, PHONE_CONTEXT } from './index.js';
import { SMS_LIMITS } from './auth.service.js';

let database: Database & { url: string | undefined; drop(): Promise<void> };
let second: Database | undefined;
let apps: Awaited<ReturnType<typeof testApp>>[];

beforeAll(async () => {
  database = await testDatabase('fixture');
  apps = [await testApp(database)];
  if (database.url) {
    second = await openDatabase({ url: database.url });
    apps.push(await testApp(second));
  }
});
afterAll(async () => {
  for (const a of apps ?? []) await a.app.close();
  await second?.close();
  await database?.drop();
});

const indexOf = (phone: string) => apps[0].ctx.crypto.blindIndex(phone, PHONE_CONTEXT);
const validCodes = async (phone: string) =>
  (await rows<{ n: number }>(database.db, sql`select count(*)::int as n from sms_codes where phone_index = ${indexOf(phone)} and used_at is null and expires_at > now()`))[0].n;
const meta = { ip: null, userAgent: 'test' };

describe(`SMS code sends at the same instant, on ${backend}${backend === 'postgres' ? ' (two connection pools)' : ''}`, () => {
  it('lets exactly one of 10 parallel sends through, leaving exactly one valid code', async () => {
    const phone = '13700001234';
    const sends = await Promise.all(Array.from({ length: 10 }, (_, i) =>
      apps[i % apps.length].app.inject({ method: 'POST', url: '/api/v1/auth/sms/send', payload: { phone } })));
    expect(sends.map((r) => r.statusCode).sort()).toEqual([202, ...Array(9).fill(429)]);
    for (const r of sends.filter((x) => x.statusCode === 429)) expect(r.json().error.message.en).toMatch(/less than a minute ago/);
    expect(await validCodes(phone)).toBe(1);
    expect(await readOutbox(database.db, indexOf(phone))).toHaveLength(1);
  });

  it('keeps the limit of 10 a day under parallel sends (the minute rule relaxed), and a new code voids the older ones', async () => {
    const phone = '13700005678';
    // 7 codes sent earlier today
    await database.db.execute(sql`insert into sms_codes (phone_index, code_hash, created_at, expires_at, used_at)
      select ${indexOf(phone)}, 'x', now() - interval '2 hours', now() - interval '115 minutes', now() - interval '119 minutes' from generate_series(1, 7)`);
    const relaxed = { ...SMS_LIMITS, resendMs: 0 };
    const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => sendSmsCode(apps[i % apps.length].ctx, { phone }, meta, relaxed)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as AppError);
    expect(refused.map((e) => [e.code, e.text.en])).toEqual(Array(3).fill(['RATE_LIMITED', 'Too many codes for this number today']));
    // three codes were sent, only the newest is valid
    expect(await readOutbox(database.db, indexOf(phone))).toHaveLength(3);
    expect(await validCodes(phone)).toBe(1);
  });
});

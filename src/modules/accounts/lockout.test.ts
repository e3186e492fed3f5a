/**
 * Finding 6: the lockout must not tell which usernames exist. An existing account after 5
 * failures and an unknown username answer alike (status, body, one argon2 verification each);
 * the lock still holds for the right password, is audited, and its end goes to the owner by SMS.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sql } from 'drizzle-orm';

// the real argon2, counted: every answer must cost the same one verification
const argon2Calls = vi.hoisted(() => ({ verify: 0 }));
vi.mock('@node-rs/argon2', async (importOriginal) => {
  const real = await importOriginal<typeof import('@node-rs/argon2')>();
  return { ...real, verify: (...args: Parameters<typeof real.verify>) => { argon2Calls.verify++; return real.verify(...args); } };
});

import { testDatabase, backend } from '../../test-support/test-db.js';
import { testApp, TEST_PASSWORD } from '../../test-support/app.js';
import type { Database } from '../../platform/db/database.js';
import { listAudit } from '../../platform/audit/index.js';
import { readOutbox, PHONE_CONTEXT } from './index.js';

let database: Database & { drop(): Promise<void> };
let t: Awaited<ReturnType<typeof testApp>>;

beforeAll(async () => {
  database = await testDatabase('fixture');
  t = await testApp(database);
});
afterAll(async () => {
  await t?.app.close();
  await database?.drop();
});

/** One sign-in: its status, body, and how many argon2 verifications it cost. */
async function attempt(username: string, password: string) {
  const before = argon2Calls.verify;
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
  return { status: res.statusCode, body: res.json() as unknown, verifications: argon2Calls.verify - before };
}

describe(`the lockout tells nothing of which usernames exist, on ${backend}`, () => {
  it('answers 6 wrong tries on an existing account and on an unknown username identically, and the right password during the lock too', async () => {
    const phone = '13955556666';
    const op = await t.as('operator', '330106002-center', { phone });
    const existing = [], unknown = [];
    for (let i = 0; i < 6; i++) {
      existing.push(await attempt(op.username, `Wrong#Password${i}`));
      unknown.push(await attempt('no.such.user', `Wrong#Password${i}`));
    }
    expect(existing).toEqual(unknown);
    for (const a of existing) expect(a).toEqual({ status: 401, body: { error: { code: 'INVALID_CREDENTIALS', message: { zh: '用户名或密码错误；多次失败后账号会被暂时锁定', en: 'Wrong username or password; repeated failures lock the account for a while' } } }, verifications: 1 });

    // the lock holds for the right password, with the same answer
    const right = await attempt(op.username, TEST_PASSWORD);
    expect(right).toEqual(existing[0]);
    expect(right).toEqual(await attempt('no.such.user', TEST_PASSWORD));

    // audited: five failures, the lockout (owner notified), then refusals naming the lock
    const audit = (await listAudit(database.db, { targetId: String(op.userId), action: 'auth.*', limit: 20 })).items.reverse();
    const sinceSignIn = audit.slice(audit.findIndex((r) => r.result === 'failure'));
    expect(sinceSignIn.map((r) => `${r.action} ${r.result}`)).toEqual([
      ...Array(5).fill('auth.login failure'), 'auth.lockout success', 'auth.login denied', 'auth.login denied',
    ]);
    const lockout = sinceSignIn[5];
    expect(lockout.details).toEqual({ ownerNotified: 'sent' });
    const until = /locked until (\S+) after 5 failures/.exec(lockout.reason!)![1];
    expect(sinceSignIn[6].reason).toBe(`account locked until ${until}`);

    // the owner, not the caller, learns of the lock and its end
    const [notice] = await readOutbox(database.db, t.ctx.crypto.blindIndex(phone, `staff:${PHONE_CONTEXT}`));
    expect(notice.body).toContain(`your account ${op.username} was locked until ${until}`);
    expect(notice.body).toMatch(/^【平安】您的账号 \S+ 因多次登录失败已被锁定至 \d{4}-\d\d-\d\d \d\d:\d\d（北京时间）/);
    expect(JSON.stringify([existing, right])).not.toContain(until.slice(0, 16));

    // once the lock has run out (the clock moved past it, in the database), the right password works
    await database.db.execute(sql`update users set locked_until = now() - interval '1 second' where id = ${op.userId}`);
    expect((await attempt(op.username, TEST_PASSWORD)).status).toBe(200);
  });

  it('locks an account without a phone all the same, and says so in the audit row', async () => {
    const op = await t.as('operator', '330106002-center');
    for (let i = 0; i < 5; i++) await attempt(op.username, `Wrong#Password${i}`);
    expect((await attempt(op.username, TEST_PASSWORD)).status).toBe(401);
    const [lockout] = (await listAudit(database.db, { targetId: String(op.userId), action: 'auth.lockout', limit: 1 })).items;
    expect(lockout.details).toEqual({ ownerNotified: 'no phone' });
  });
});

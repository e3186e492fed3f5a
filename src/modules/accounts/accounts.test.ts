import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { testDatabase, backend } from '../../test-support/test-db.js';
import { testApp, TEST_PASSWORD, type Client } from '../../test-support/app.js';
import { expectHiddenFrom } from '../../test-support/scope.js';
import { rows, type Database } from '../../platform/db/database.js';
import { listAudit, verifyAuditChain } from '../../platform/audit/index.js';
import { clearSessionCache, readOutbox, totpCode, PHONE_CONTEXT, createStaff, lockUser, staffById, activeStaffIn, rosterOf, displayNames, smsToUser, OutboxSms } from './index.js';
import { findByCodes } from '../org/index.js';

let database: Database & { drop(): Promise<void> };
let t: Awaited<ReturnType<typeof testApp>>;
// two townships of 西湖区, and 定海区 (another county)
const A = '330106002', B = '330106004', OTHER_COUNTY = '330902';

beforeAll(async () => {
  database = await testDatabase('fixture');
  t = await testApp(database);
});
afterAll(async () => {
  await t?.app.close();
  await database?.drop();
});

const login = (body: object) => t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: body });
const lastAudit = async (action: string) => (await listAudit(database.db, { action, limit: 1 })).items[0];
const userRow = async (id: number) => (await rows<{ failed_logins: number; locked_until: string | null; roles: string[]; org_id: number; display_name: string }>(database.db, sql`select failed_logins, locked_until, roles, org_id, display_name from users where id = ${id}`))[0];

describe(`staff sign-in on ${backend}`, () => {
  it('signs in with the right password, setting an HttpOnly SameSite cookie and returning a CSRF token', async () => {
    const op = await t.as('operator', `${A}-center`);
    const res = await login({ username: op.username, password: TEST_PASSWORD });
    expect(res.statusCode).toBe(200);
    const cookie = res.cookies.find((c) => c.name === 'pingan_session')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Strict');
    expect(res.json().csrfToken).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect((await lastAudit('auth.login')).result).toBe('success');
    // the session says who is signed in the way sign-in did: the display name, not the username
    const session = await t.app.inject({ method: 'GET', url: '/api/v1/auth/session', cookies: { pingan_session: cookie.value } });
    expect(session.statusCode, session.body).toBe(200);
    expect(session.json().user).toEqual(res.json().user);
    expect(session.json().user.name).toBe((await userRow(op.userId)).display_name);
    expect(session.json().user.name).not.toBe(op.username);
    // the pages show controls by permission: the sign-in and the session both carry them
    expect(res.json().user.permissions).toContain('events.manage');
    expect(res.json().user.permissions).not.toContain('grids.import');
    expect((await op.get('/api/v1/auth/session')).json().user.permissions).toEqual(res.json().user.permissions);
  });

  it('answers a wrong password and an unknown user the same way, and audits both', async () => {
    const op = await t.as('operator', `${A}-center`);
    const wrong = await login({ username: op.username, password: 'Wrong#Password1' });
    const unknown = await login({ username: 'nobody.here', password: 'Wrong#Password1' });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
    expect(await lastAudit('auth.login')).toMatchObject({ result: 'failure', actorName: 'nobody.here' });
  });

  it('locks the account for 15 minutes after 5 failures; the right password then fails too', async () => {
    const op = await t.as('operator', `${A}-center`);
    for (let i = 0; i < 5; i++) expect((await login({ username: op.username, password: `Wrong#Password${i}` })).statusCode).toBe(401);
    // the same answer as a wrong password (see lockout.test.ts): the lock does not tell that the account exists
    const locked = await login({ username: op.username, password: TEST_PASSWORD });
    expect(locked.statusCode).toBe(401);
    expect(locked.json().error.code).toBe('INVALID_CREDENTIALS');
    const until = new Date((await userRow(op.userId)).locked_until!).getTime();
    expect(until - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(until - Date.now()).toBeLessThanOrEqual(15 * 60_000);
    expect((await lastAudit('auth.lockout')).targetId).toBe(String(op.userId));
    // a lockout stops new sign-ins only: strangers cannot end a colleague's sessions this way
    clearSessionCache();
    expect((await op.get('/api/v1/users/me')).statusCode).toBe(200);
  });

  it('counts parallel wrong passwords one by one: a burst still locks the account', async () => {
    const op = await t.as('operator', `${A}-center`);
    const burst = await Promise.all(Array.from({ length: 8 }, (_, i) => login({ username: op.username, password: `Wrong#Burst${i}x` })));
    expect(burst.every((r) => r.statusCode === 401)).toBe(true);
    expect((await login({ username: op.username, password: TEST_PASSWORD })).statusCode).toBe(401);
    expect(new Date((await userRow(op.userId)).locked_until!).getTime()).toBeGreaterThan(Date.now());
  });

  it('never allows more than 100 failures an hour', async () => {
    const op = await t.as('operator', `${A}-center`);
    await database.db.execute(sql`update users set failures_in_window = 99, failure_window_start = now() - interval '10 minutes' where id = ${op.userId}`);
    await login({ username: op.username, password: 'Wrong#Password1' });
    const until = new Date((await userRow(op.userId)).locked_until!).getTime();
    expect(until - Date.now()).toBeGreaterThan(45 * 60_000); // to the end of the hour window
  });

  it('forces a password change at first sign-in, enforcing the policy', async () => {
    const sys = await t.as('sysadmin', '330106-center');
    const created = await sys.send('POST', '/api/v1/users', { username: 'new.worker', displayName: '新网格员', orgCode: `${A}-center` });
    expect(created.statusCode).toBe(201);
    const { password } = created.json();
    const s = await t.login('new.worker', password, null);
    const c = t.client({ ...s, username: 'new.worker', totpSecret: null });
    expect((await c.get('/api/v1/org/units/330106')).json().error.code).toBe('PASSWORD_CHANGE_REQUIRED');
    for (const [next, why] of [['Short1!', /at least 12/], ['alllowercaseletters', /3 of/], ['New.Worker#2026x', /username/], [password, /differ/]] as const) {
      const r = await c.send('POST', '/api/v1/auth/password', { current: password, next });
      expect(r.statusCode, next).toBe(400);
      expect(r.json().error.message.en).toMatch(why);
    }
    expect((await c.send('POST', '/api/v1/auth/password', { current: 'Wrong#Password1', next: 'Brand#New#Pass2026' })).statusCode).toBe(401);
    expect((await c.send('POST', '/api/v1/auth/password', { current: password, next: 'Brand#New#Pass2026' })).statusCode).toBe(200);
    clearSessionCache();
    expect((await c.get('/api/v1/users/me')).json()).toMatchObject({ username: 'new.worker', mustChangePassword: false });
  });
});

describe('TOTP for administrators', () => {
  it('requires the code, rejects a wrong one and refuses a code used before', async () => {
    const sec = await t.as('secadmin', '330106-center'); // signed in with the current code
    expect((await login({ username: sec.username, password: TEST_PASSWORD })).json().error.code).toBe('TOTP_REQUIRED');
    expect((await login({ username: sec.username, password: TEST_PASSWORD, totp: '000000' })).json().error.code).toBe('INVALID_CODE');
    // a code of the next time step (clock-drift allowance) is newer than the one used at sign-in,
    // whenever the step boundary falls: it works once, and its replay is refused
    const next = totpCode(sec.totpSecret!, Date.now() + 30_000);
    expect((await login({ username: sec.username, password: TEST_PASSWORD, totp: next })).statusCode).toBe(200);
    const replay = await login({ username: sec.username, password: TEST_PASSWORD, totp: next });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().error.code).toBe('INVALID_CODE');
  });

  it('lets one of several parallel sign-ins with the same code through, not more', async () => {
    const aud = await t.as('auditor', '330106-center');
    const code = totpCode(aud.totpSecret!, Date.now() + 30_000);
    const tries = await Promise.all(Array.from({ length: 5 }, () => login({ username: aud.username, password: TEST_PASSWORD, totp: code })));
    expect(tries.filter((r) => r.statusCode === 200)).toHaveLength(1);
  });
});

describe('optional TOTP for other staff', () => {
  it('is set up, enabled with a code, and then required at sign-in', async () => {
    const op = await t.as('operator', `${A}-center`);
    const setup = await op.send('POST', '/api/v1/auth/totp/setup');
    const { secret } = setup.json();
    expect(setup.json().uri).toMatch(/^otpauth:\/\/totp\//);
    expect((await op.send('POST', '/api/v1/auth/totp/enable', { code: '000000' })).statusCode).toBe(401);
    expect((await login({ username: op.username, password: TEST_PASSWORD })).statusCode).toBe(200); // not yet in force
    expect((await op.send('POST', '/api/v1/auth/totp/enable', { code: totpCode(secret) })).statusCode).toBe(200);
    expect((await login({ username: op.username, password: TEST_PASSWORD })).json().error.code).toBe('TOTP_REQUIRED');
    expect((await login({ username: op.username, password: TEST_PASSWORD, totp: totpCode(secret, Date.now() + 30_000) })).statusCode).toBe(200);
    expect((await lastAudit('auth.totp_enable')).actorId).toBe(op.userId);
  });
});

describe('sessions', () => {
  it('rejects forged, idle-expired, absolutely expired and signed-out session cookies', async () => {
    const op = await t.as('operator', `${A}-center`);
    const me = (c: string) => t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: { cookie: c } });
    expect((await me(op.cookie)).statusCode).toBe(200);
    expect((await me('pingan_session=forged-token-forged-token-forged-token')).statusCode).toBe(401);
    expect((await me("pingan_session=' or 1=1 --")).statusCode).toBe(401);

    await database.db.execute(sql`update sessions set last_seen_at = now() - interval '31 minutes' where user_id = ${op.userId}`);
    clearSessionCache();
    expect((await me(op.cookie)).statusCode).toBe(401);

    const op2 = await t.as('operator', `${A}-center`);
    await database.db.execute(sql`update sessions set expires_at = now() - interval '1 second' where user_id = ${op2.userId}`);
    clearSessionCache();
    expect((await me(op2.cookie)).statusCode).toBe(401);

    const op3 = await t.as('operator', `${A}-center`);
    expect((await op3.send('POST', '/api/v1/auth/logout')).statusCode).toBe(200);
    expect((await me(op3.cookie)).statusCode).toBe(401); // replaying the cookie after sign-out
  });

  it('signs out everywhere', async () => {
    const op = await t.as('operator', `${A}-center`);
    const second = await t.login(op.username, TEST_PASSWORD, null);
    const r = await op.send('POST', '/api/v1/auth/logout-all');
    expect(r.json()).toEqual({ ok: true, sessionsEnded: 2 });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: { cookie: second.cookie } })).statusCode).toBe(401);
  });

  it('refuses a cookie-authenticated change without its CSRF token, changing nothing', async () => {
    const op = await t.as('operator', `${A}-center`);
    for (const headers of [{ 'x-csrf-token': '' }, { 'x-csrf-token': 'x'.repeat(43) }]) {
      const r = await op.send('PATCH', '/api/v1/users/me', { displayName: '被篡改' }, headers);
      expect(r.statusCode).toBe(403);
      expect(r.json().error.code).toBe('CSRF_FAILED');
    }
    const noHeader = await t.app.inject({ method: 'PATCH', url: '/api/v1/users/me', payload: { displayName: '被篡改' }, headers: { cookie: op.cookie } });
    expect(noHeader.statusCode).toBe(403);
    expect((await userRow(op.userId)).display_name).not.toBe('被篡改');
    expect((await op.send('PATCH', '/api/v1/users/me', { displayName: '改名成功' })).statusCode).toBe(200);
  });
});

describe('citizens by SMS code', () => {
  const phone = '13812345678';
  const codeOf = async () => /验证码是 (\d{6})/.exec((await readOutbox(database.db, t.ctx.crypto.blindIndex(phone, PHONE_CONTEXT)))[0].body)![1];

  it('sends a code to the outbox, throttles resends, and signs in (creating the account) with it', async () => {
    const sent = await t.anonymous('POST', '/api/v1/auth/sms/send', { phone: '+86 138 1234 5678' });
    expect(sent.statusCode).toBe(202);
    expect(sent.json()).toEqual({ sentTo: '138****5678', expiresInSeconds: 300 });
    expect((await t.anonymous('POST', '/api/v1/auth/sms/send', { phone })).statusCode).toBe(429);
    const code = await codeOf();
    const res = await t.anonymous('POST', '/api/v1/auth/sms/login', { phone, code });
    expect(res.statusCode).toBe(200);
    expect(res.json().user).toMatchObject({ kind: 'citizen', permissions: ['grids.locate', 'boundaries.read', 'events.report'] });
    const cookie = `pingan_session=${res.cookies.find((c) => c.name === 'pingan_session')!.value}`;
    const get = (url: string) => t.app.inject({ method: 'GET', url, headers: { cookie } });
    expect((await get('/api/v1/users/me')).json()).toMatchObject({ kind: 'citizen', phone: '138****5678' });
    expect((await get('/api/v1/locate?lon=120.13&lat=30.26')).statusCode).toBe(200);
    expect((await get('/api/v1/org/units/330106')).statusCode).toBe(403);
    const csrf = res.json().csrfToken;
    const renamed = await t.app.inject({ method: 'PATCH', url: '/api/v1/users/me', payload: { displayName: '热心居民' }, headers: { cookie, 'x-csrf-token': csrf } });
    expect(renamed.json()).toMatchObject({ kind: 'citizen', displayName: '热心居民' });
    // a used code does not work again
    expect((await t.anonymous('POST', '/api/v1/auth/sms/login', { phone, code })).statusCode).toBe(401);
  });

  it('allows 5 tries per code, then even the right code fails', async () => {
    const other = '13900001111';
    await t.anonymous('POST', '/api/v1/auth/sms/send', { phone: other });
    const code = /验证码是 (\d{6})/.exec((await readOutbox(database.db, t.ctx.crypto.blindIndex(other, PHONE_CONTEXT)))[0].body)![1];
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) expect((await t.anonymous('POST', '/api/v1/auth/sms/login', { phone: other, code: wrong })).statusCode).toBe(401);
    expect((await t.anonymous('POST', '/api/v1/auth/sms/login', { phone: other, code })).statusCode).toBe(401);
  });

  it('rejects malformed phones and codes', async () => {
    for (const body of [{ phone: '12345678901' }, { phone: '1381234567' }, { phone: "13812345678' or 1=1" }, { phone: 13812345678 }, {}]) {
      expect((await t.anonymous('POST', '/api/v1/auth/sms/send', body)).statusCode, JSON.stringify(body)).toBe(400);
    }
    expect((await t.anonymous('POST', '/api/v1/auth/sms/login', { phone, code: '12345' })).statusCode).toBe(400);
  });
});

describe('look-ups other modules make (in their own transaction)', () => {
  const P = `${A}-platform-public-service`, Q = `${B}-platform-public-service`;
  const meta = { ip: null, userAgent: 'test' };
  const staff = async (orgCode: string, role: string, displayName: string, phone?: string) =>
    (await createStaff(t.ctx, null, { username: `look.${role.replace('_', '')}.${Math.random().toString(36).slice(2, 8)}`, displayName, orgCode, roles: [role], phone }, meta)).user.id;

  it('finds active staff of units by role, as a set and as a roster to choose from', async () => {
    const [p, q] = [(await findByCodes(database.db, [P]))[0].id, (await findByCodes(database.db, [Q]))[0].id];
    const b = await staff(P, 'grid_worker', 'Bo 乙');
    const a = await staff(P, 'handler', 'Al 甲');
    const c = await staff(Q, 'handler', '丙');
    const op = await staff(P, 'operator', '丁');
    const gone = await staff(P, 'handler', '戊');
    await lockUser(t.ctx, null, gone, true, meta);
    const db = database.db;
    expect(await staffById(db, a)).toEqual({ id: a, name: 'Al 甲', orgId: p, roles: ['handler'], disabled: false });
    expect(await staffById(db, gone)).toMatchObject({ id: gone, disabled: true });
    expect((await activeStaffIn(db, [p, q], ['handler', 'grid_worker'])).map((s) => s.id)).toEqual([b, a, c]);
    expect((await activeStaffIn(db, [p], ['operator'])).map((s) => s.id)).toEqual([op]);
    expect(await activeStaffIn(db, [], ['operator'])).toEqual([]);
    const roster = await rosterOf(db, [q, p], ['handler', 'grid_worker'], 200);
    expect(roster.map((s) => [s.orgId, s.id])).toEqual([[q, c], [p, a], [p, b]]);
    expect(await rosterOf(db, [q, p], ['handler', 'grid_worker'], 1)).toHaveLength(1);
    expect(await displayNames(db, [a, c, 999_999])).toEqual(new Map([[a, 'Al 甲'], [c, '丙']]));
  });

  it('sends an SMS to an account’s phone, and says why it cannot', async () => {
    const phone = '13912340000';
    const withPhone = await staff(P, 'handler', '有电话', phone);
    const without = await staff(P, 'handler', '无电话');
    const deps = { crypto: t.ctx.crypto, sms: new OutboxSms() };
    expect(await smsToUser(deps, database.db, withPhone, '【平安】测试 test')).toBe('sent');
    const [sent] = await readOutbox(database.db, t.ctx.crypto.blindIndex(phone, `staff:${PHONE_CONTEXT}`));
    expect(sent).toMatchObject({ phoneMasked: '139****0000', body: '【平安】测试 test' });
    expect(await smsToUser(deps, database.db, without, 'x')).toBe('no phone');
    expect(await smsToUser(deps, database.db, 999_999, 'x')).toBe('no phone');
    await database.db.execute(sql`update users set phone_enc = 'garbage' where id = ${withPhone}`);
    expect(await smsToUser(deps, database.db, withPhone, 'x')).toBe('phone unreadable');
  });
});

describe('authorization', () => {
  let opA: Client, opB: Client, sysOther: Client;
  beforeAll(async () => {
    opA = await t.as('operator', `${A}-center`);
    opB = await t.as('operator', `${B}-center`, { phone: '13700001234' });
    sysOther = await t.as('sysadmin', `${OTHER_COUNTY}-center`);
  });

  it('hides another township’s units, boundaries and accounts (IDOR → 404)', async () => {
    const villageB = (await opB.get(`/api/v1/org/units/${B}/children?kind=area`)).json().items[0].code;
    await expectHiddenFrom(opA, [
      { method: 'GET', url: `/api/v1/org/units/${B}` },
      { method: 'GET', url: `/api/v1/org/units/${villageB}` },
      { method: 'GET', url: `/api/v1/org/units/${villageB}/children` },
      { method: 'GET', url: `/api/v1/org/units/${B}/subtree` },
      { method: 'GET', url: `/api/v1/boundaries/${villageB}` },
      { method: 'GET', url: `/api/v1/boundaries/${B}/children` },
    ]);
    await expectHiddenFrom(sysOther, [
      { method: 'GET', url: `/api/v1/users/${opB.userId}` },
      { method: 'PATCH', url: `/api/v1/users/${opB.userId}`, body: { displayName: 'x' } },
      { method: 'POST', url: `/api/v1/users/${opB.userId}/lock` },
      { method: 'POST', url: `/api/v1/users/${opB.userId}/reset-password` },
    ], opB.username);
    // lists never show what is outside: the county's children seen by A hold only A
    const children = (await opA.get('/api/v1/org/units/330106/children?kind=area')).json().items.map((u: { code: string }) => u.code);
    expect(children).toEqual([A]);
    expect((await opA.get('/api/v1/org/search?q=%E8%A5%BF%E6%BA%AA')).json().items).toEqual([]); // 西溪 (in B)
    // its own subtree and the ancestors' names are visible
    expect((await opA.get(`/api/v1/org/units/${A}`)).statusCode).toBe(200);
    expect((await opA.get('/api/v1/org/units/330106')).statusCode).toBe(200);
    expect((await userRow(opB.userId)).display_name).toBe('测试operator');
  });

  it('refuses administrator routes to an operator (403) and audits the attempt', async () => {
    for (const [method, url, body] of [['POST', '/api/v1/users', { username: 'x.y.z', displayName: 'x', orgCode: `${A}-center` }], ['GET', '/api/v1/users', undefined], ['GET', '/api/v1/audit', undefined], ['POST', '/api/v1/keys', { name: 'k', orgCode: A, permissions: ['grids.locate'] }]] as const) {
      const r = method === 'GET' ? await opA.get(url) : await opA.send(method, url, body);
      expect(r.statusCode, url).toBe(403);
      expect(r.json().error.code).toBe('FORBIDDEN');
    }
    expect(await lastAudit('access.denied')).toMatchObject({ actorId: opA.userId, result: 'denied' });
  });

  it('keeps the sysadmin out of the audit log and the auditor out of everything else', async () => {
    const sys = await t.as('sysadmin', '330106-center');
    expect((await sys.get('/api/v1/audit')).statusCode).toBe(403);
    expect((await sys.get('/api/v1/audit/export')).statusCode).toBe(403);
    const aud = await t.as('auditor', '330106-center');
    const log = await aud.get('/api/v1/audit?action=auth.*&limit=5');
    expect(log.statusCode).toBe(200);
    expect(log.json().items.length).toBeGreaterThan(0);
    expect(log.json().items.every((r: { action: string }) => r.action.startsWith('auth.'))).toBe(true);
    const csv = await aud.get('/api/v1/audit/export?format=csv&action=user.*');
    expect(csv.headers['content-type']).toContain('text/csv');
    // every export checkpoints the head outside the database first
    const store = t.ctx.auditCheckpoints!;
    const latest = store.all().at(-1)!;
    expect(csv.headers['x-audit-checkpoint']).toBe(`#${latest.lastId}`);
    expect(latest.lastId).toBeGreaterThan(0);
    expect(csv.body.split('\n')[0]).toContain('action');
    for (const url of ['/api/v1/users', '/api/v1/org/units/330106', '/api/v1/locate?lon=120.13&lat=30.26']) expect((await aud.get(url)).statusCode, url).toBe(403);
    expect((await lastAudit('audit.export')).actorId).toBe(aud.userId); // reading the log is audited
  });

  it('blocks mass assignment: one’s own role, grants or unit cannot be set through the profile', async () => {
    for (const body of [{ roles: ['sysadmin'] }, { grants: ['pii.unmask'] }, { orgCode: '33-center' }, { displayName: 'ok', role: 'sysadmin' }]) {
      const r = await opA.send('PATCH', '/api/v1/users/me', body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.json().error.code).toBe('VALIDATION_FAILED');
    }
    const row = await userRow(opA.userId);
    expect(row.roles).toEqual(['operator']);
  });

  it('separates the three administrators: no two admin roles, no self-grant, sysadmin cannot set roles', async () => {
    const sec = await t.as('secadmin', '330106-center');
    const sys = await t.as('sysadmin', '330106-center');
    const target = await t.as('operator', `${A}-center`);
    expect((await sec.send('PUT', `/api/v1/users/${target.userId}/roles`, { roles: ['sysadmin', 'auditor'], grants: [] })).statusCode).toBe(400);
    expect((await sec.send('PUT', `/api/v1/users/${target.userId}/roles`, { roles: ['operator', 'auditor'], grants: [] })).statusCode).toBe(400);
    expect((await sec.send('PUT', `/api/v1/users/${sec.userId}/roles`, { roles: ['secadmin'], grants: ['pii.unmask'] })).statusCode).toBe(403);
    expect((await sys.send('PUT', `/api/v1/users/${target.userId}/roles`, { roles: ['leader'], grants: [] })).statusCode).toBe(403);
    const ok = await sec.send('PUT', `/api/v1/users/${target.userId}/roles`, { roles: ['leader'], grants: [] });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().roles).toEqual(['leader']);
    expect((await lastAudit('user.roles')).details).toMatchObject({ from: { roles: ['operator'] }, to: { roles: ['leader'] } });
  });

  it('gives no extra grants to administrators, and hands a promoted administrator a TOTP secret', async () => {
    const sec = await t.as('secadmin', '330106-center');
    const target = await t.as('operator', `${A}-center`);
    const refused = await sec.send('PUT', `/api/v1/users/${target.userId}/roles`, { roles: ['auditor'], grants: ['pii.unmask'] });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.field).toBe('grants');
    const promoted = await sec.send('PUT', `/api/v1/users/${target.userId}/roles`, { roles: ['auditor'], grants: [] });
    const secret = new URL(promoted.json().totpUri).searchParams.get('secret')!;
    expect((await login({ username: target.username, password: TEST_PASSWORD })).json().error.code).toBe('TOTP_REQUIRED');
    expect((await login({ username: target.username, password: TEST_PASSWORD, totp: totpCode(secret) })).statusCode).toBe(200);
  });

  it('shows an auditor only the audit rows of their own subtree', async () => {
    const other = await t.as('auditor', `${OTHER_COUNTY}-center`);
    await t.as('operator', `${A}-center`); // a sign-in in 西湖区
    const rowsSeen = (await other.get('/api/v1/audit?limit=1000')).json().items as { orgId: number | null; actorName: string }[];
    const ids = new Set((await rows<{ id: number }>(database.db, sql`select id from org_units where county_code = ${OTHER_COUNTY}`)).map((r) => r.id));
    expect(rowsSeen.length).toBeGreaterThan(0);
    expect(rowsSeen.every((r) => r.orgId !== null && ids.has(r.orgId))).toBe(true);
    const csv = (await other.get('/api/v1/audit/export?format=csv')).body;
    expect(csv).not.toContain(`${A}`);
  });

  it('shows phone numbers masked; unmasking needs the grant and is audited every time', async () => {
    const sec = await t.as('secadmin', '330106-center');
    const op = await t.as('operator', `${B}-center`);
    expect((await sec.get(`/api/v1/users/${opB.userId}`)).json().phone).toBe('137****1234');
    expect((await op.get(`/api/v1/users/${opB.userId}/phone`)).statusCode).toBe(403);
    await sec.send('PUT', `/api/v1/users/${op.userId}/roles`, { roles: ['operator'], grants: ['pii.unmask'] });
    const again = await t.login(op.username, TEST_PASSWORD, null); // roles changed: sessions ended
    const op2 = t.client({ ...again, username: op.username, totpSecret: null });
    const r = await op2.get(`/api/v1/users/${opB.userId}/phone`);
    expect(r.json()).toEqual({ phone: '13700001234' });
    expect(await lastAudit('pii.unmask')).toMatchObject({ actorId: op.userId, targetId: String(opB.userId), result: 'success' });
    // not outside the scope, even with the grant
    expect((await op2.get(`/api/v1/users/${opA.userId}/phone`)).statusCode).toBe(404);
  });
});

describe('API keys', () => {
  it('are scoped, revocable, record their last use, and hold only integration permissions', async () => {
    const sec = await t.as('secadmin', '330106-center');
    expect((await sec.send('POST', '/api/v1/keys', { name: 'bad', orgCode: A, permissions: ['users.manage'] })).statusCode).toBe(400);
    const created = await sec.send('POST', '/api/v1/keys', { name: '水位传感器', orgCode: A, permissions: ['grids.locate', 'org.read'] });
    expect(created.statusCode).toBe(201);
    const { secret, key } = created.json();
    const bearer = (url: string, s = secret) => t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${s}` } });
    expect((await bearer('/api/v1/locate?lon=120.13&lat=30.26')).statusCode).toBe(200);
    expect((await bearer(`/api/v1/org/units/${A}`)).statusCode).toBe(200);
    expect((await bearer(`/api/v1/org/units/${B}`)).statusCode).toBe(404);
    expect((await bearer('/api/v1/boundaries/330106')).statusCode).toBe(403); // not among its permissions
    expect((await bearer('/api/v1/users/me')).statusCode).toBe(403); // a key is no account
    expect((await bearer('/api/v1/locate?lon=120.13&lat=30.26', `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`)).statusCode).toBe(401);
    const listed = (await sec.get('/api/v1/keys')).json().items.find((k: { id: number }) => k.id === key.id);
    expect(listed.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(listed)).not.toContain(secret.slice('pak_'.length + 13)); // the secret part is never shown again
    expect((await sec.send('POST', `/api/v1/keys/${key.id}/revoke`)).statusCode).toBe(200);
    expect((await bearer('/api/v1/locate?lon=120.13&lat=30.26')).statusCode).toBe(401);
  });
});

describe('hostile input', () => {
  const injections = ["' OR '1'='1", "'; DROP TABLE users; --", '" OR 1=1 --', '1; SELECT pg_sleep(5)'];

  it('treats SQL-injection strings as plain text everywhere', async () => {
    const sys = await t.as('sysadmin', '330106-center');
    for (const s of injections) {
      expect((await login({ username: s, password: s })).statusCode).toBe(401);
      const r = await sys.send('POST', '/api/v1/users', { username: 'inj.user', displayName: s, orgCode: `${A}-center` });
      expect([201, 409]).toContain(r.statusCode);
      expect((await sys.get(`/api/v1/users?q=${encodeURIComponent(s)}`)).statusCode).toBe(200);
      expect((await sys.get(`/api/v1/org/search?q=${encodeURIComponent(s)}`)).json().items).toEqual([]);
    }
    const [{ n }] = await rows<{ n: number }>(database.db, sql`select count(*)::int as n from users`);
    expect(n).toBeGreaterThan(5); // the table is still there
  });

  it.each([
    ['an over-long display name', { displayName: '长'.repeat(51) }],
    ['a right-to-left override', { displayName: 'abc\u202Eexe.txt' }],
    ['a zero-width space', { displayName: '张\u200B三' }],
    ['a NUL byte', { displayName: 'a\u0000b' }],
    ['a number for a string', { displayName: 12345 }],
    ['an unknown property', { displayName: 'ok', isAdmin: true }],
    ['an array for a string', { displayName: ['a'] }],
  ])('rejects %s with 400, changing nothing', async (_name, body) => {
    const op = await t.as('operator', `${A}-center`);
    const before = await userRow(op.userId);
    const r = await op.send('PATCH', '/api/v1/users/me', body);
    expect(r.statusCode).toBe(400);
    expect(r.json().error.code).toBe('VALIDATION_FAILED');
    expect(r.json().error.field).toBeTruthy();
    expect(await userRow(op.userId)).toEqual(before);
  });

  it('accepts emoji and Chinese in a display name', async () => {
    const op = await t.as('operator', `${A}-center`);
    expect((await op.send('PATCH', '/api/v1/users/me', { displayName: '网格员小王 👮' })).json().displayName).toBe('网格员小王 👮');
  });

  it('rejects a malformed JSON body and an oversized one', async () => {
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: '{"username": ', headers: { 'content-type': 'application/json' } });
    expect(bad.statusCode).toBe(400);
    const big = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: JSON.stringify({ username: 'a', password: 'x'.repeat(2_000_000) }), headers: { 'content-type': 'application/json' } });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('sends security headers and hides internals from errors', async () => {
    const r = await t.anonymous('GET', '/api/v1/org/units/330106');
    expect(r.statusCode).toBe(401);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['content-security-policy']).toBeTruthy();
    expect(r.body).not.toMatch(/at .*\.ts|select |stack/i);
  });
});

describe('rate limits', () => {
  it('limits sign-in attempts per IP', async () => {
    const strict = await testApp(database, { PINGAN_AUTH_RATE_LIMIT: '3' });
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await strict.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'x', password: 'y' } })).statusCode);
    expect(codes).toEqual([401, 401, 401, 429, 429]);
    await strict.app.close();
  });
});

describe('the audit trail of all this', () => {
  it('is an intact hash chain', async () => {
    const v = await verifyAuditChain(database.db);
    expect(v).toMatchObject({ ok: true });
    expect(v.rows).toBeGreaterThan(50);
  });
});

/**
 * The real app over a test database, with its spatial index built, and signed-in clients:
 * `as(role, orgCode)` creates a staff account there and signs in through the API (TOTP included
 * for administrators), so tests exercise the same path as users.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../server/app.js';
import { loadConfig } from '../server/config.js';
import type { Database } from '../platform/db/database.js';
import { createFieldCrypto, loadKeyRing } from '../platform/pii/index.js';
import { createStaff, totpCode, readOutbox, PHONE_CONTEXT, type AccountsContext } from '../modules/accounts/index.js';

export const TEST_KEYS = { PINGAN_DATA_KEYS: `test:${Buffer.alloc(32, 7).toString('base64')}` };
export const TEST_PASSWORD = 'Test#Password2026';

export function testCrypto() {
  return createFieldCrypto(loadKeyRing({ env: TEST_KEYS, dataDir: '/nonexistent', production: false, warn: () => {} }));
}

export interface Client {
  userId: number;
  username: string;
  cookie: string;
  csrf: string;
  totpSecret: string | null;
  get(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  send(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  /** Uploads a JPEG (POST /api/v1/photos); its token, or an error naming the answer. */
  photo(jpeg: Buffer): Promise<string>;
}

let counter = 0;

/** A clock tests can move: `clock.now()` is the app's time; `clock.advance(ms)` moves it. */
export function testClock(start = new Date()) {
  let t = start.getTime();
  return { now: () => new Date(t), advance: (ms: number) => { t += ms; }, set: (d: Date) => { t = d.getTime(); } };
}

export async function testApp(database: Database, env: Record<string, string> = {}, opts: { now?: () => Date } = {}) {
  const mediaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-media-'));
  const config = loadConfig({
    NODE_ENV: 'test', PINGAN_AUTH_RATE_LIMIT: '100000', PINGAN_RATE_LIMIT: '100000', PINGAN_MEDIA_DIR: mediaDir,
    // tests file many (alike) cases as one reporter; src/modules/events/intake-limits.test.ts sets the limits it tests
    PINGAN_INTAKE_CITIZEN_HOUR: '100000', PINGAN_INTAKE_CITIZEN_DAY: '100000', PINGAN_INTAKE_STAFF_HOUR: '100000', PINGAN_INTAKE_STAFF_DAY: '100000',
    PINGAN_INTAKE_REPEAT_MINUTES: '0', PINGAN_AUDIT_CHECKPOINT_FILE: path.join(mediaDir, 'audit-checkpoints.jsonl'),
    ...env,
  });
  const built = await buildApp({ config, database, crypto: testCrypto(), logger: false, now: opts.now });
  built.app.addHook('onClose', async () => fs.rmSync(mediaDir, { recursive: true, force: true }));
  await built.locator.refresh(database.db, true);
  const app: FastifyInstance = built.app;
  const ctx: AccountsContext = built.accounts;

  function client(session: { userId: number; username: string; cookie: string; csrf: string; totpSecret: string | null }): Client {
    return {
      ...session,
      get: (url, headers = {}) => app.inject({ method: 'GET', url, headers: { cookie: session.cookie, ...headers } }),
      send: (method, url, body, headers = {}) =>
        app.inject({ method, url, payload: body as object, headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, ...headers } }),
      photo: async (jpeg) => {
        const res = await app.inject({ method: 'POST', url: '/api/v1/photos', payload: jpeg, headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, 'content-type': 'image/jpeg' } });
        if (res.statusCode !== 201) throw new Error(`photo upload: ${res.statusCode} ${res.body}`);
        return res.json().token as string;
      },
    };
  }

  /** Signs in through the API; returns the session cookie and CSRF token. */
  async function login(username: string, password: string, totpSecret: string | null, now = Date.now()) {
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password, ...(totpSecret ? { totp: totpCode(totpSecret, now) } : {}) } });
    if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
    const cookie = res.cookies.find((c) => c.name === 'pingan_session')!;
    return { cookie: `pingan_session=${cookie.value}`, csrf: res.json().csrfToken as string, userId: res.json().user.id as number };
  }

  async function as(role: string, orgCode: string, opts: { username?: string; phone?: string } = {}): Promise<Client> {
    const username = opts.username ?? `t${++counter}.${role.replace('_', '')}`;
    const r = await createStaff(ctx, null, { username, displayName: `测试${role}`, orgCode, roles: [role], password: TEST_PASSWORD, mustChangePassword: false, phone: opts.phone }, { ip: null, userAgent: 'test' });
    const totpSecret = r.totpUri ? new URL(r.totpUri).searchParams.get('secret') : null;
    const s = await login(username, TEST_PASSWORD, totpSecret);
    return client({ ...s, username, totpSecret });
  }

  /** A citizen signed in with an SMS code read from the outbox (the account is created on first sign-in). */
  async function citizen(phone: string): Promise<Client> {
    const sent = await app.inject({ method: 'POST', url: '/api/v1/auth/sms/send', payload: { phone } });
    if (sent.statusCode !== 202) throw new Error(`sms ${phone}: ${sent.statusCode} ${sent.body}`);
    const code = /验证码是 (\d{6})/.exec((await readOutbox(database.db, ctx.crypto.blindIndex(phone, PHONE_CONTEXT)))[0].body)![1];
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/sms/login', payload: { phone, code } });
    if (res.statusCode !== 200) throw new Error(`sms login ${phone}: ${res.statusCode} ${res.body}`);
    const cookie = res.cookies.find((c) => c.name === 'pingan_session')!;
    return client({ cookie: `pingan_session=${cookie.value}`, csrf: res.json().csrfToken, userId: res.json().user.id, username: phone, totpSecret: null });
  }

  return { ...built, app, ctx, as, citizen, login, client, anonymous: (method: 'GET' | 'POST', url: string, body?: unknown) => app.inject({ method, url, payload: body as object }) };
}

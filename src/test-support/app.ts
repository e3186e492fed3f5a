/**
 * The real app over a test database, with its spatial index built, and signed-in clients:
 * `as(role, orgCode)` creates a staff account there and signs in through the API (TOTP included
 * for administrators), so tests exercise the same path as users.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../server/app.js';
import { loadConfig } from '../server/config.js';
import type { Database } from '../platform/db/database.js';
import { createFieldCrypto, loadKeyRing } from '../platform/pii/index.js';
import { createStaff, totpCode, type AccountsContext } from '../modules/accounts/index.js';

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
}

let counter = 0;

export async function testApp(database: Database, env: Record<string, string> = {}) {
  const config = loadConfig({ NODE_ENV: 'test', PINGAN_AUTH_RATE_LIMIT: '100000', PINGAN_RATE_LIMIT: '100000', ...env });
  const built = await buildApp({ config, database, crypto: testCrypto(), logger: false });
  await built.locator.refresh(database.db, true);
  const app: FastifyInstance = built.app;
  const ctx: AccountsContext = built.accounts;

  function client(session: { userId: number; username: string; cookie: string; csrf: string; totpSecret: string | null }): Client {
    return {
      ...session,
      get: (url, headers = {}) => app.inject({ method: 'GET', url, headers: { cookie: session.cookie, ...headers } }),
      send: (method, url, body, headers = {}) =>
        app.inject({ method, url, payload: body as object, headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, ...headers } }),
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

  return { ...built, app, ctx, as, login, client, anonymous: (method: 'GET' | 'POST', url: string, body?: unknown) => app.inject({ method, url, payload: body as object }) };
}

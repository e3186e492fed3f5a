/**
 * 三员分立: the three administrators do no business work. Every business operation of /docs/json
 * (cases, photos, the inbox, exports, indicators) answers each of them 403 and changes nothing;
 * their own work and their own account still answer; and the staff just outside the rule (an
 * operator, a leader) still reach the cases.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { testDatabase } from '../test-support/test-db.js';
import { testApp, type Client } from '../test-support/app.js';
import { rows } from '../platform/db/database.js';

const database = await testDatabase('fixture');
const t = await testApp(database);
afterAll(async () => { await t.app.close(); await database.drop(); });

const docs = (await t.anonymous('GET', '/docs/json')).json() as { paths: Record<string, Record<string, unknown>> };
/** The business of the platform: what the administrators must not reach. */
const BUSINESS = /^\/api\/v1\/(events|photos|inbox)(\/|$)/;
const operations = Object.entries(docs.paths).flatMap(([p, methods]) => Object.keys(methods).map((m) => ({ method: m.toUpperCase(), path: p })));
const business = operations.filter((o) => BUSINESS.test(o.path));
/** A path with its parameters filled in (an existing case's id, a token-shaped token). */
const filled = (p: string, id: number) => p.replace('{id}', String(id)).replace('{token}', 'a'.repeat(43)).replace(/\{[^}]+\}/g, '1');

const admins: Record<string, Client> = {
  sysadmin: await t.as('sysadmin', '330106-center'),
  secadmin: await t.as('secadmin', '330106-center'),
  auditor: await t.as('auditor', '330106-center'),
};
const [town] = await rows<{ code: string; lon: number; lat: number }>(database.db, sql`select u.code, b.lon, b.lat from boundaries b join org_units u on u.id = b.unit_id
  where b.level = 'township' and u.code like '330106%' order by u.code limit 1`);
const citizen = await t.citizen('13900002222');
const cats = (await t.anonymous('GET', '/api/v1/event-categories')).json().items as { code: string }[];
const reported = await citizen.send('POST', '/api/v1/events', { categoryCode: cats[0].code, description: '路灯不亮，晚上很黑', location: { lon: town.lon, lat: town.lat } });
const caseId: number = reported.json().event.id;

describe('the administrators do no business work', () => {
  it('finds the business operations in /docs/json (the walk below sees what it should)', () => {
    expect(business.length).toBeGreaterThan(30);
    for (const must of ['GET /api/v1/events', 'GET /api/v1/events/{id}', 'POST /api/v1/events', 'GET /api/v1/events/indicators', 'GET /api/v1/events/export.csv', 'GET /api/v1/events/stream', 'POST /api/v1/events/{id}/accept', 'GET /api/v1/photos/{token}', 'GET /api/v1/inbox']) {
      expect(business.map((o) => `${o.method} ${o.path}`)).toContain(must);
    }
  });

  it.each(Object.keys(admins))('%s is refused every business operation with 403 naming the rule, and nothing changes', async (role) => {
    const before = await rows(database.db, sql`select id, status, version from events order by id`);
    const answers: string[] = [];
    for (const o of business) {
      const url = filled(o.path, caseId);
      const res = o.method === 'GET' ? await admins[role].get(url) : await admins[role].send(o.method as 'POST', url, { version: 1, note: 'x' });
      if (res.statusCode !== 403 && res.statusCode !== 404) answers.push(`${o.method} ${o.path} → ${res.statusCode}`);
      else if (res.statusCode === 403) expect(res.json().error.code, `${o.method} ${o.path}`).toBe('FORBIDDEN');
    }
    expect(answers).toEqual([]);
    expect(await rows(database.db, sql`select id, status, version from events order by id`)).toEqual(before);
    const list = await admins[role].get('/api/v1/events');
    expect(list.json().error.message.zh).toContain('三员分立');
  });

  it('each administrator still reaches their own account and work', async () => {
    for (const c of Object.values(admins)) {
      expect((await c.get('/api/v1/users/me')).statusCode).toBe(200);
      expect((await c.get('/api/v1/auth/session')).statusCode).toBe(200);
    }
    expect((await admins.sysadmin.get('/api/v1/users')).statusCode).toBe(200);
    expect((await admins.secadmin.get('/api/v1/keys')).statusCode).toBe(200);
    expect((await admins.auditor.get('/api/v1/audit')).statusCode).toBe(200);
    // the refusals are in the audit log
    const denied = await rows<{ n: number }>(database.db, sql`select count(*)::int as n from audit_log where action = 'access.denied' and reason = 'needs business' and actor_name = ${admins.auditor.username}`);
    expect(denied[0].n).toBeGreaterThan(30);
  });

  it('the staff just outside the rule still reach the cases: an operator, a leader and the citizen', async () => {
    const operator = await t.as('operator', `${town.code}-center`);
    const leader = await t.as('leader', '330106-center');
    expect((await operator.get('/api/v1/events')).json().items.map((e: { id: number }) => e.id)).toContain(caseId);
    expect((await leader.get(`/api/v1/events/${caseId}`)).statusCode).toBe(200);
    expect((await citizen.get(`/api/v1/events/${caseId}`)).statusCode).toBe(200);
  });
});

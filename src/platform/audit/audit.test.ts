import crypto from 'node:crypto';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { sql } from 'drizzle-orm';
import { backend, testDatabase } from '../../test-support/test-db.js';
import { rows, type Database, type Db } from '../db/database.js';
import { migrate } from '../db/migrator.js';
import {
  AUDIT_CSV_HEADER,
  AUDIT_LIMITS,
  auditHead,
  csvCell,
  exportAudit,
  isSecretKey,
  listAudit,
  recordAudit,
  rowHash,
  toCsvLine,
  verifyAuditChain,
  type AuditRow,
} from './index.js';

let database: Database & { drop(): Promise<void> };
let db: Db;
beforeAll(async () => {
  database = await testDatabase('empty');
  await migrate(database);
  db = database.db;
});
afterAll(async () => database?.drop());

interface Raw {
  id: number;
  prev_hash: string | null;
  hash: string;
  reason: string | null;
  details: string | null;
}
const chain = async () => rows<Raw>(db, sql`select id::float8 as id, prev_hash, hash, reason, details::text as details from audit_log order by id`);
const count = async () => (await rows<{ n: number }>(db, sql`select count(*)::int as n from audit_log`))[0].n;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The messages of an error and its causes (Drizzle wraps the database's error). */
async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    const parts: string[] = [];
    for (let e: unknown = err; e instanceof Error; e = e.cause) parts.push(e.message);
    return parts.join(' | ');
  }
  throw new Error('expected the statement to fail');
}

async function all(f: Parameters<typeof exportAudit>[1] = {}): Promise<AuditRow[]> {
  const out: AuditRow[] = [];
  for await (const r of exportAudit(db, f)) out.push(r);
  return out;
}

describe(`audit log on ${backend}`, () => {
  it('records entries, each chained to the one before', async () => {
    const entries = [
      { actorId: 1, actorName: '张三', actorRole: 'system_admin', orgId: 10, ip: '10.0.0.1', userAgent: 'UA/1', action: 'auth.login', result: 'success' as const },
      { actorName: 'li4', ip: '10.0.0.2', action: 'auth.login', result: 'failure' as const, reason: 'bad password' },
      { actorId: 1, action: 'user.create', targetType: 'user', targetId: '42', result: 'success' as const, details: { role: 'grid_worker', org: { unitCode: '330106', name: '西湖区' } } },
      { actorId: 2, action: 'pii.unmask', targetType: 'person', targetId: '7', result: 'denied' as const, reason: 'no permission' },
      { actorId: 1, action: 'grids.import', result: 'success' as const, details: { created: 12, updated: 3 } },
      { actorId: 1, action: 'auth.logout', result: 'success' as const },
    ];
    const written = [];
    for (const e of entries) written.push(await recordAudit(db, e));
    expect(written.map((w) => w.id)).toEqual([1, 2, 3, 4, 5, 6]);

    const stored = await chain();
    expect(stored.map((r) => r.hash)).toEqual(written.map((w) => w.hash));
    expect(stored[0].prev_hash).toBeNull();
    for (let i = 1; i < stored.length; i++) expect(stored[i].prev_hash).toBe(stored[i - 1].hash);
    expect(await verifyAuditChain(db)).toEqual({ ok: true, rows: 6 });
    expect(await auditHead(db)).toEqual({ id: 6, hash: written[5].hash });
  });

  it('hashes the documented canonical form', async () => {
    const [row1] = (await listAudit(db, { action: 'auth.login', result: 'success', limit: 1 })).items;
    const canonical =
      `{"action":"auth.login","actor_id":1,"actor_name":"张三","actor_role":"system_admin","at":"${row1.at}","details":null,` +
      `"ip":"10.0.0.1","org_id":10,"prev_hash":null,"reason":null,"result":"success","target_id":null,"target_type":null,"user_agent":"UA/1"}`;
    expect(row1.hash).toBe(crypto.createHash('sha256').update(`\n${canonical}`).digest('hex'));
    expect(row1.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    const [row3] = (await listAudit(db, { action: 'user.create', limit: 1 })).items;
    const row2 = (await listAudit(db, { before: 3, limit: 1 })).items[0];
    expect(row3.details).toEqual({ role: 'grid_worker', org: { unitCode: '330106', name: '西湖区' } });
    const canonical3 =
      `{"action":"user.create","actor_id":1,"actor_name":null,"actor_role":null,"at":"${row3.at}",` +
      `"details":{"org":{"name":"西湖区","unitCode":"330106"},"role":"grid_worker"},"ip":null,"org_id":null,` +
      `"prev_hash":"${row2.hash}","reason":null,"result":"success","target_id":"42","target_type":"user","user_agent":null}`;
    expect(row3.hash).toBe(crypto.createHash('sha256').update(`${row2.hash}\n${canonical3}`).digest('hex'));
  });

  it('stores what it was given, clipped and made storable, and reads it back identically', async () => {
    const before = Date.now();
    const { id } = await recordAudit(db, {
      action: 'test.clip',
      result: 'success',
      userAgent: 'U'.repeat(600),
      reason: 'R'.repeat(5000),
      actorName: 'nul\u0000byte and lone \uD800 surrogate',
      details: { z: 1, a: [3, 1, 2], m: { y: 'é', b: null, n: 0.1 + 0.2 }, big: 1e21, long: 'x'.repeat(3000), when: new Date(0), skip: undefined },
    });
    const [row] = (await listAudit(db, { action: 'test.clip', limit: 1 })).items;
    expect(row.id).toBe(id);
    expect(Date.parse(row.at)).toBeGreaterThanOrEqual(before);
    expect(row.userAgent).toHaveLength(AUDIT_LIMITS.userAgent);
    expect(row.userAgent!.endsWith('…')).toBe(true);
    expect(row.reason).toHaveLength(AUDIT_LIMITS.reason);
    expect(row.actorName).toBe('nulbyte and lone \uFFFD surrogate');
    expect(row.details).toEqual({
      z: 1, a: [3, 1, 2], m: { y: 'é', b: null, n: 0.1 + 0.2 }, big: 1e21,
      long: `${'x'.repeat(AUDIT_LIMITS.detailString - 1)}…`, when: '1970-01-01T00:00:00.000Z',
    });
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });

  it('strips secrets from details', async () => {
    await recordAudit(db, {
      action: 'auth.password_change',
      result: 'success',
      details: {
        password: 'hunter2-secret-value',
        newPassword: 'hunter3-secret-value',
        passwordChanged: true,
        nested: { accessToken: 'tok-secret-value', otpCode: '123456', code: '654321', unitCode: '330106', countyCode: '330902' },
        list: [{ apiKey: 'key-secret-value', note: 'kept' }],
        client_secret: 'cs-secret-value',
        Authorization: 'Bearer abc-secret-value',
      },
    });
    const [row] = (await listAudit(db, { action: 'auth.password_change', limit: 1 })).items;
    expect(row.details).toEqual({ passwordChanged: true, nested: { unitCode: '330106', countyCode: '330902' }, list: [{ note: 'kept' }] });
    const raw = await rows<{ t: string }>(db, sql`select details::text as t from audit_log where id = ${row.id}`);
    expect(raw[0].t).not.toMatch(/secret-value|123456|654321/);
    for (const k of ['pwd', 'PASSWORD', 'sms_code', 'mfaCode', 'refresh_token', 'privateKey', 'sessionId', 'cookie', 'totp']) expect(isSecretKey(k)).toBe(true);
    for (const k of ['unitCode', 'county_code', 'pinyin', 'secretary', 'keyword', 'reason', 'mfaEnabled']) expect(isSecretKey(k)).toBe(false);
  });

  it('refuses UPDATE, DELETE and TRUNCATE', async () => {
    const n = await count();
    expect(await failure(db.execute(sql`update audit_log set reason = 'changed' where id = 2`))).toMatch(/audit_log is append-only: UPDATE is not allowed/);
    expect(await failure(db.execute(sql`delete from audit_log where id = 2`))).toMatch(/audit_log is append-only: DELETE is not allowed/);
    expect(await failure(db.execute(sql`truncate audit_log`))).toMatch(/audit_log is append-only: TRUNCATE is not allowed/);
    expect(await count()).toBe(n);
    expect((await chain())[1].reason).toBe('bad password');
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, rows: n });
  });

  it('keeps one chain under 50 concurrent writers', async () => {
    const n = await count();
    const written = await Promise.all(
      Array.from({ length: 50 }, (_, i) => recordAudit(db, { actorId: 100 + i, action: 'test.concurrent', result: 'success', details: { i } })),
    );
    expect(new Set(written.map((w) => w.id)).size).toBe(50);
    expect(written.map((w) => w.id).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => n + 1 + i));
    expect(await verifyAuditChain(db)).toEqual({ ok: true, rows: n + 50 });
  });

  it('rolls back with the caller\'s transaction and leaves no gap', async () => {
    const n = await count();
    await expect(
      database.transaction(async (tx) => {
        await recordAudit(tx, { action: 'test.rolled_back', result: 'success' });
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    const { id } = await database.transaction(async (tx) => recordAudit(tx, { action: 'test.committed', result: 'success' }));
    expect(id).toBe(n + 1);
    expect((await listAudit(db, { action: 'test.rolled_back', limit: 10 })).items).toEqual([]);
    expect(await verifyAuditChain(db)).toEqual({ ok: true, rows: n + 1 });
  });

  it('lists newest first with filters and a cursor', async () => {
    const authIds = (await listAudit(db, { action: 'auth.*', limit: 100 })).items.map((r) => r.id);
    expect(authIds).toEqual([...authIds].sort((a, b) => b - a));
    const authRows = (await listAudit(db, { action: 'auth.*', limit: 100 })).items;
    expect(new Set(authRows.map((r) => r.action))).toEqual(new Set(['auth.login', 'auth.logout', 'auth.password_change']));
    expect((await listAudit(db, { action: 'auth.login', limit: 100 })).items.map((r) => r.id)).toEqual([2, 1]);
    expect((await listAudit(db, { action: 'auth', limit: 100 })).items).toEqual([]);
    expect((await listAudit(db, { action: 'test.*', result: 'success', actorId: 101, limit: 100 })).items.map((r) => r.details)).toEqual([{ i: 1 }]);
    expect((await listAudit(db, { result: 'denied', limit: 100 })).items.map((r) => r.action)).toEqual(['pii.unmask']);
    expect((await listAudit(db, { result: 'failure', limit: 100 })).items.map((r) => r.id)).toEqual([2]);
    expect((await listAudit(db, { targetType: 'user', targetId: '42', limit: 100 })).items.map((r) => r.action)).toEqual(['user.create']);

    // LIKE wildcards in a prefix are literal
    await recordAudit(db, { action: 'a_b.x', result: 'success' });
    await recordAudit(db, { action: 'aXb.x', result: 'success' });
    expect((await listAudit(db, { action: 'a_b.*', limit: 100 })).items.map((r) => r.action)).toEqual(['a_b.x']);

    // time range: [from, to)
    await recordAudit(db, { action: 'time.before', result: 'success' });
    await sleep(15);
    const from = new Date();
    await sleep(15);
    await recordAudit(db, { action: 'time.inside', result: 'success' });
    await recordAudit(db, { action: 'time.inside', result: 'failure' });
    await sleep(15);
    const to = new Date();
    await sleep(15);
    await recordAudit(db, { action: 'time.after', result: 'success' });
    const inRange = (await listAudit(db, { from, to, limit: 100 })).items;
    expect(inRange.map((r) => r.action)).toEqual(['time.inside', 'time.inside']);
    expect((await listAudit(db, { from, limit: 100 })).items.map((r) => r.action)).toEqual(['time.after', 'time.inside', 'time.inside']);

    // the export applies the same filters, oldest first
    const reversed = async (f: Parameters<typeof listAudit>[1]) => (await listAudit(db, f)).items.map((r) => r.id).reverse();
    for (const f of [{ from, to }, { from }, { to }, { action: 'auth.*' }, { action: 'a_b.*' }, { action: 'auth.login' }, { actorId: 1, action: 'auth.*' },
      { result: 'failure' as const }, { targetType: 'user', targetId: '42' }, { from, action: 'time.*', result: 'success' as const }, { action: 'nothing.*' }]) {
      expect((await all(f)).map((r) => r.id)).toEqual(await reversed({ ...f, limit: 1000 }));
    }
    expect(await all({ from: new Date(Date.now() + 60_000) })).toEqual([]);
    expect(await all({ to: new Date(0) })).toEqual([]);

    // cursor paging: every row once, newest first
    const total = await count();
    const seen: number[] = [];
    let before: number | undefined;
    for (let page = 0; page < 100; page++) {
      const { items, next } = await listAudit(db, { limit: 7, before });
      expect(items.length).toBeLessThanOrEqual(7);
      seen.push(...items.map((r) => r.id));
      if (next === null) break;
      expect(next).toBe(items[items.length - 1].id);
      before = next;
    }
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
    expect(await verifyAuditChain(db)).toEqual({ ok: true, rows: total });
  });

  it('exports oldest first as CSV, escaped and safe from formulas', async () => {
    const { id } = await recordAudit(db, {
      actorName: '=HYPERLINK("http://evil","click")',
      actorRole: '+1',
      ip: '-2+3',
      userAgent: '@SUM(A1)',
      action: 'test.csv',
      targetId: 'plain',
      result: 'failure',
      reason: 'a, "quoted"\nsecond line',
      details: { note: 'x,y' },
    });
    const [row] = await all({ action: 'test.csv' });
    expect(row.id).toBe(id);
    const line = toCsvLine(row);
    const cells = parseCsvLine(line);
    expect(cells).toHaveLength(AUDIT_CSV_HEADER.split(',').length);
    expect(cells[0]).toBe(String(id));
    expect(cells[3]).toBe(`'=HYPERLINK("http://evil","click")`);
    expect(cells[4]).toBe(`'+1`);
    expect(cells[6]).toBe(`'-2+3`);
    expect(cells[7]).toBe(`'@SUM(A1)`);
    expect(cells[10]).toBe('plain');
    expect(cells[12]).toBe('a, "quoted"\nsecond line');
    expect(JSON.parse(cells[13])).toEqual({ note: 'x,y' });
    expect(cells[15]).toBe(row.hash);
    expect(line).toContain('"a, ""quoted""\nsecond line"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell('\tx')).toBe(`'\tx`);
    expect(csvCell('＝1+1')).toBe(`'＝1+1`);
    expect(AUDIT_CSV_HEADER.startsWith('id,at,actor_id')).toBe(true);

    const everything = await all();
    expect(everything.map((r) => r.id)).toEqual(Array.from({ length: await count() }, (_, i) => i + 1));
  });

  it('verifies and exports a chain longer than one batch', async () => {
    const head = (await auditHead(db))!;
    const payload = [];
    let prev = head.hash;
    const at = new Date().toISOString();
    for (let i = 1; i <= 6000; i++) {
      const fields = {
        at, actor_id: i % 7, actor_name: null, actor_role: null, org_id: null, ip: null, user_agent: null, action: 'bulk.row',
        target_type: null, target_id: String(i), result: 'success' as const, reason: null, details: { i }, prev_hash: prev,
      };
      const hash = rowHash(fields);
      payload.push({ ...fields, id: head.id + i, details: { i }, hash });
      prev = hash;
    }
    await db.execute(sql`insert into audit_log (id, at, actor_id, action, target_id, result, details, prev_hash, hash) overriding system value
      select id, at, actor_id, action, target_id, result, details, prev_hash, hash
      from jsonb_to_recordset(${JSON.stringify(payload)}::jsonb) as x(id bigint, at timestamptz, actor_id integer, action text,
        target_id text, result text, details jsonb, prev_hash text, hash text)`);
    const total = await count();
    expect(await verifyAuditChain(db)).toEqual({ ok: true, rows: total });
    const bulk = await all({ action: 'bulk.row' });
    expect(bulk).toHaveLength(6000);
    expect(bulk.map((r) => r.targetId)).toEqual(Array.from({ length: 6000 }, (_, i) => String(i + 1)));
    expect((await all({ action: 'bulk.*', actorId: 3 })).map((r) => r.targetId)).toEqual(bulk.filter((r) => r.actorId === 3).map((r) => r.targetId));
    expect(await recordAudit(db, { action: 'after.bulk', result: 'success' })).toMatchObject({ id: total + 1 });
    expect(await verifyAuditChain(db)).toEqual({ ok: true, rows: total + 1 });
  });

  it('finds rows altered, rewritten or removed behind the trigger (as the table owner)', async () => {
    const total = await count();
    await db.execute(sql`alter table audit_log disable trigger user`);
    try {
      // one column of row 3
      await db.execute(sql`update audit_log set reason = 'nothing happened' where id = 3`);
      let v = await verifyAuditChain(db);
      expect(v).toMatchObject({ ok: false, firstBadId: 3, rows: 2 });
      if (!v.ok) expect(v.reason).toMatch(/^row 3: hash does not match the row's content — the row was altered/);
      await db.execute(sql`update audit_log set reason = null where id = 3`);
      expect(await verifyAuditChain(db)).toEqual({ ok: true, rows: total });

      // its time, by one microsecond
      await db.execute(sql`update audit_log set at = at + interval '1 microsecond' where id = 3`);
      expect(await verifyAuditChain(db)).toMatchObject({ ok: false, firstBadId: 3 });
      await db.execute(sql`update audit_log set at = at - interval '1 microsecond' where id = 3`);

      // the order of keys in details does not matter (jsonb has its own), their values do
      await db.execute(sql`update audit_log set details = '{"role":"system_admin","org":{"unitCode":"330106","name":"西湖区"}}' where id = 3`);
      expect(await verifyAuditChain(db)).toMatchObject({ ok: false, firstBadId: 3 });
      await db.execute(sql`update audit_log set details = '{"role":"grid_worker","org":{"name":"西湖区","unitCode":"330106"}}' where id = 3`);
      expect(await verifyAuditChain(db)).toEqual({ ok: true, rows: total });

      // row 3 rewritten with a matching hash: row 4 no longer follows it
      const [r3] = (await listAudit(db, { before: 4, limit: 1 })).items;
      const forged = rowHash({
        at: r3.at, actor_id: r3.actorId, actor_name: r3.actorName, actor_role: r3.actorRole, org_id: r3.orgId, ip: r3.ip,
        user_agent: r3.userAgent, action: r3.action, target_type: r3.targetType, target_id: '43', result: r3.result,
        reason: r3.reason, details: r3.details, prev_hash: r3.prevHash,
      });
      await db.execute(sql`update audit_log set target_id = '43', hash = ${forged} where id = 3`);
      v = await verifyAuditChain(db);
      expect(v).toMatchObject({ ok: false, firstBadId: 4, rows: 3 });
      if (!v.ok) expect(v.reason).toMatch(/^row 4: prev_hash does not match row 3's hash/);
      await db.execute(sql`update audit_log set target_id = '42', hash = ${r3.hash} where id = 3`);
      expect(await verifyAuditChain(db)).toEqual({ ok: true, rows: total });

      // row 5 removed: row 6 names it
      await db.execute(sql`create table audit_saved as select * from audit_log where id = 5`);
      await db.execute(sql`delete from audit_log where id = 5`);
      v = await verifyAuditChain(db);
      expect(v).toMatchObject({ ok: false, firstBadId: 6, rows: 4 });
      if (!v.ok) expect(v.reason).toBe("row 6: prev_hash does not match row 4's hash — row(s) between were removed (5)");
      await db.execute(sql`insert into audit_log overriding system value select * from audit_saved`);
      await db.execute(sql`drop table audit_saved`);
      expect(await verifyAuditChain(db)).toEqual({ ok: true, rows: total });

      // the first row removed
      await db.execute(sql`create table audit_saved as select * from audit_log where id = 1`);
      await db.execute(sql`delete from audit_log where id = 1`);
      v = await verifyAuditChain(db);
      expect(v).toMatchObject({ ok: false, firstBadId: 2, rows: 0 });
      if (!v.ok) expect(v.reason).toMatch(/^row 2: prev_hash is set but no row precedes it/);
      await db.execute(sql`insert into audit_log overriding system value select * from audit_saved`);
      await db.execute(sql`drop table audit_saved`);
    } finally {
      await db.execute(sql`alter table audit_log enable trigger user`);
    }
    expect(await verifyAuditChain(db)).toEqual({ ok: true, rows: total });
    expect(await failure(db.execute(sql`delete from audit_log where id = 5`))).toMatch(/append-only/);
  });
});

/** A minimal RFC 4180 parser for one record. */
function parseCsvLine(line: string): string[] {
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    let cell = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (line[i] === '"' && line[i + 1] === '"') {
          cell += '"';
          i += 2;
        } else if (line[i] === '"') {
          i++;
          break;
        } else {
          if (i >= line.length) throw new Error('unterminated quote');
          cell += line[i++];
        }
      }
    } else {
      while (i < line.length && line[i] !== ',') {
        if (/["\r\n]/.test(line[i])) throw new Error(`bare ${JSON.stringify(line[i])} in an unquoted cell`);
        cell += line[i++];
      }
    }
    cells.push(cell);
    if (i >= line.length) return cells;
    if (line[i] !== ',') throw new Error(`expected a comma at ${i}`);
    i++;
  }
}

/**
 * Checkpoints of the audit head outside the database: a log that still holds its latest
 * checkpoint passes; a cut tail, a database restored from an older backup (and written on since),
 * and a forged or edited checkpoint each fail; a failing log is never signed as it is now.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { testDatabase } from '../../test-support/test-db.js';
import { rows, type Database, type Db } from '../db/database.js';
import { migrate } from '../db/migrator.js';
import { createFieldCrypto, loadKeyRing } from '../pii/index.js';
import { checkAgainstCheckpoint, CheckpointFile, defaultCheckpointFile, recordAudit, writeCheckpoint } from './index.js';

const keys = (seed: number) => createFieldCrypto(loadKeyRing({ env: { PINGAN_DATA_KEYS: `k${seed}:${Buffer.alloc(32, seed).toString('base64')}` }, dataDir: '/nonexistent', production: false, warn: () => {} }));
const signer = keys(7);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-checkpoint-'));
let database: Database & { drop(): Promise<void> };
let db: Db;
beforeAll(async () => {
  database = await testDatabase('empty');
  await migrate(database);
  db = database.db;
});
afterAll(async () => { await database?.drop(); fs.rmSync(dir, { recursive: true, force: true }); });

let n = 0;
const write = async (k: number) => { for (let i = 0; i < k; i++) await recordAudit(db, { action: `test.row${++n}`, result: 'success' }); };
/** As the table's owner would, behind the trigger. */
async function behindTheTrigger(q: ReturnType<typeof sql>) {
  await db.execute(sql`alter table audit_log disable trigger user`);
  try { await db.execute(q); } finally { await db.execute(sql`alter table audit_log enable trigger user`); }
}
const at = (s: string) => new Date(s);

describe('audit checkpoints', () => {
  it('lives beside the data directory by default', () => {
    expect(defaultCheckpointFile('/srv/pingan/data')).toBe('/srv/pingan/data-audit-checkpoints.jsonl');
  });

  it('signs the head into the file, once per head, and a log that holds it passes', async () => {
    const store = new CheckpointFile(path.join(dir, 'ok.jsonl'));
    expect(await checkAgainstCheckpoint(db, signer, store)).toEqual({ ok: true, checkpoint: null });
    expect(await writeCheckpoint(db, signer, store, at('2026-12-01T00:00:00Z'))).toEqual({ ok: true, checkpoint: null });
    await write(12);
    const first = await writeCheckpoint(db, signer, store, at('2026-12-01T00:05:00Z'));
    expect(first).toMatchObject({ ok: true, checkpoint: { rows: 12, lastId: 12, at: '2026-12-01T00:05:00.000Z' } });
    // the same head again: nothing new
    await writeCheckpoint(db, signer, store, at('2026-12-01T00:10:00Z'));
    expect(store.all()).toHaveLength(1);
    await write(3);
    expect(await checkAgainstCheckpoint(db, signer, store)).toMatchObject({ ok: true, checkpoint: { lastId: 12 } });
    expect(await writeCheckpoint(db, signer, store, at('2026-12-01T00:15:00Z'))).toMatchObject({ ok: true, checkpoint: { rows: 15, lastId: 15 } });
    expect(store.all().map((c) => c?.lastId)).toEqual([12, 15]);
  });

  it('fails when the newest rows were deleted, and refuses to sign the cut log', async () => {
    await write(5);
    const store = new CheckpointFile(path.join(dir, 'cut.jsonl'));
    const c = await writeCheckpoint(db, signer, store, at('2026-12-02T00:00:00Z'));
    const head = c.checkpoint!.lastId;
    await behindTheTrigger(sql`delete from audit_log where id > ${head - 5}`);
    const r = await checkAgainstCheckpoint(db, signer, store);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(`the log ends at row ${head - 5}`);
    expect(await writeCheckpoint(db, signer, store, at('2026-12-02T00:05:00Z'))).toMatchObject({ ok: false });
    expect(store.all()).toHaveLength(1);
    n = head - 5;
  });

  it('fails on a database restored from an older backup and written on since (the checkpointed row is another)', async () => {
    const store = new CheckpointFile(path.join(dir, 'rewound.jsonl'));
    await write(4);
    const c = (await writeCheckpoint(db, signer, store, at('2026-12-03T00:00:00Z'))).checkpoint!;
    // the backup held rows up to c.lastId - 3; the server ran on it and wrote 6 new rows
    await behindTheTrigger(sql`delete from audit_log where id > ${c.lastId - 3}`);
    n = c.lastId - 3;
    await write(6);
    const r = await checkAgainstCheckpoint(db, signer, store);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(`row #${c.lastId} is not the row the checkpoint of ${c.at} signed`);
  });

  it('fails on a forged or edited checkpoint, and on one signed with another deployment’s key', async () => {
    const file = path.join(dir, 'forged.jsonl');
    const store = new CheckpointFile(file);
    const c = (await writeCheckpoint(db, signer, store, at('2026-12-04T00:00:00Z'))).checkpoint!;
    expect((await checkAgainstCheckpoint(db, signer, store)).ok).toBe(true);
    // an edited row count
    fs.writeFileSync(file, `${JSON.stringify({ ...c, rows: c.rows - 5, lastId: c.lastId - 5 })}\n`);
    let r = await checkAgainstCheckpoint(db, signer, store);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/not signed by this deployment's key: it was forged or edited/);
    // signed, but by another key
    const other = keys(9);
    fs.writeFileSync(file, '');
    await writeCheckpoint(db, other, store, at('2026-12-04T00:05:00Z'));
    expect((await checkAgainstCheckpoint(db, other, store)).ok).toBe(true);
    expect((await checkAgainstCheckpoint(db, signer, store)).ok).toBe(false);
    // a line that is not a checkpoint at the end
    fs.appendFileSync(file, '{"at":"x"}\n');
    r = await checkAgainstCheckpoint(db, other, store);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/is not a checkpoint: the file was edited/);
    const [{ total }] = await rows<{ total: number }>(db, sql`select count(*)::int as total from audit_log`);
    expect(total).toBeGreaterThan(0);
  });
});

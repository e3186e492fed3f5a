/**
 * Checkpoints of the audit log's head, kept outside the database. A hash chain proves the order
 * of the rows it holds, not that none were cut from its end: so the head (row count, last id and
 * hash, time) is signed with a key that is not in the database (derived from the data keys) and
 * appended to a file outside it (PINGAN_AUDIT_CHECKPOINT_FILE; by default beside the data
 * directory; a WORM mount or a log shipper's file in production), at intervals, on every audit
 * export and at shutdown. `verify` checks the log against the latest checkpoint: a truncated
 * tail, a database restored from an older backup and a forged or edited checkpoint each fail.
 * Rows removed after the latest checkpoint cannot be told from rows never written: the interval
 * bounds that window.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { rows, type Db } from '../db/database.js';
import * as repo from './audit.repository.js';

export interface Checkpoint {
  at: string;
  /** rows in the log up to and including lastId */
  rows: number;
  lastId: number;
  lastHash: string;
  /** `kid.mac` over the fields above (signer.sign) */
  signature: string;
}

export interface Signer {
  sign(data: string, context: string): string;
  verifySignature(data: string, signature: string, context: string): boolean;
}

const CONTEXT = 'audit.checkpoint';
const signed = (c: Omit<Checkpoint, 'signature'>) => JSON.stringify([c.at, c.rows, c.lastId, c.lastHash]);

/** The default place: a sibling of the data directory (`data` → `data-audit-checkpoints.jsonl`). */
export const defaultCheckpointFile = (dataDir: string) => path.join(path.dirname(dataDir), `${path.basename(dataDir)}-audit-checkpoints.jsonl`);

/** One JSON line per checkpoint, appended and synced to disk. */
export class CheckpointFile {
  constructor(readonly file: string) {}

  append(c: Checkpoint): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const fd = fs.openSync(this.file, 'a', 0o600);
    try {
      fs.writeSync(fd, `${JSON.stringify(c)}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Every line, oldest first; a line that is not a checkpoint is returned as null. */
  all(): (Checkpoint | null)[] {
    if (!fs.existsSync(this.file)) return [];
    return fs.readFileSync(this.file, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => {
      try {
        const c = JSON.parse(l) as Checkpoint;
        return typeof c.at === 'string' && Number.isInteger(c.rows) && Number.isInteger(c.lastId) && typeof c.lastHash === 'string' && typeof c.signature === 'string' ? c : null;
      } catch {
        return null;
      }
    });
  }
}

/**
 * Signs and appends the log's head, after checking the log still holds the latest checkpoint (a
 * log cut or rewound since is never signed as it is now: the failure is returned instead).
 * Nothing new when the log is empty or its head is the latest checkpoint's.
 */
export async function writeCheckpoint(db: Db, signer: Signer, store: CheckpointFile, now: Date): Promise<CheckpointCheck> {
  const check = await checkAgainstCheckpoint(db, signer, store);
  if (!check.ok) return check;
  const head = await repo.head(db);
  const latest = check.checkpoint;
  if (!head || (latest && latest.lastId === head.id && latest.lastHash === head.hash)) return check;
  // counted from the last checkpoint on (the log up to it was just checked): no scan of the whole log
  const [{ n }] = await rows<{ n: number }>(db, sql`select count(*)::int as n from audit_log where id > ${latest?.lastId ?? 0} and id <= ${head.id}`);
  const body = { at: now.toISOString(), rows: (latest?.rows ?? 0) + n, lastId: head.id, lastHash: head.hash };
  const c = { ...body, signature: signer.sign(signed(body), CONTEXT) };
  store.append(c);
  return { ok: true, checkpoint: c };
}

export type CheckpointCheck =
  | { ok: true; checkpoint: Checkpoint | null }
  | { ok: false; checkpoint: Checkpoint | null; reason: string };

/** The log against the latest checkpoint (the chain itself is verifyAuditChain's). */
export async function checkAgainstCheckpoint(db: Db, signer: Signer, store: CheckpointFile): Promise<CheckpointCheck> {
  const lines = store.all();
  if (lines.length === 0) return { ok: true, checkpoint: null };
  const latest = lines.at(-1)!;
  if (latest === null) return { ok: false, checkpoint: null, reason: `the last line of ${store.file} is not a checkpoint: the file was edited` };
  const { signature, ...body } = latest;
  if (!signer.verifySignature(signed(body), signature, CONTEXT)) {
    return { ok: false, checkpoint: latest, reason: `the checkpoint of ${latest.at} in ${store.file} is not signed by this deployment's key: it was forged or edited` };
  }
  // the chain (verifyAuditChain) vouches for the rows before it: the checkpointed row itself tells
  // whether the log still reaches it unchanged
  const [r] = await rows<{ hash: string | null; head: number | null }>(db, sql`select
      (select hash from audit_log where id = ${latest.lastId}) as hash, (select max(id)::int from audit_log) as head`);
  if (r.hash === null) {
    return {
      ok: false, checkpoint: latest,
      reason: `the log ends at row ${r.head ?? 0} but the checkpoint of ${latest.at} saw ${latest.rows} rows up to #${latest.lastId}: rows were cut from its end, or the database was restored from an older backup`,
    };
  }
  if (r.hash !== latest.lastHash) {
    return { ok: false, checkpoint: latest, reason: `row #${latest.lastId} is not the row the checkpoint of ${latest.at} signed: the log was rewritten up to there` };
  }
  return { ok: true, checkpoint: latest };
}

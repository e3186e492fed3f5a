/**
 * The worker's device storage (IndexedDB through idb): the queue of actions and patrol reports
 * waiting to be sent, their photos (compressed JPEG bytes, and the server token once uploaded),
 * and the last answers of the API (task list, case details, categories) for offline viewing.
 * Everything is kept per user id; a sign-out clears the cache but never the queue.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { Message } from '../shared/api.js';
import type { WorkAction } from './types.js';

export interface LocalPhoto {
  id: string;
  userId: number;
  bytes: ArrayBuffer;
  mime: string;
  /** set once uploaded: the action refers to it by this token */
  token?: string;
  createdAt: number;
}

interface OpBase {
  seq?: number;
  userId: number;
  createdAt: number;
  photoIds: string[];
  /** pending: to send; conflict: the case changed (409), the worker decides; failed: refused, the worker decides */
  state: 'pending' | 'conflict' | 'failed';
  error?: Message;
  attempts: number;
}

export interface ActionOp extends OpBase {
  kind: 'action';
  eventId: number;
  action: WorkAction;
  /** the case version the worker saw when queueing */
  version: number;
  note?: string;
  until?: string;
  /** for the list: the case's category name and description head */
  title: string;
}

export interface PatrolBody {
  channel: 'patrol';
  categoryCode: string;
  description: string;
  location?: { lon: number; lat: number };
  unitCode?: string;
  address?: string;
  resolvedOnSpot: boolean;
}

export interface ReportOp extends OpBase {
  kind: 'report';
  /** the Idempotency-Key, generated once per draft: a retry never makes a second case */
  key: string;
  body: PatrolBody;
  title: string;
}

export type QueuedOp = ActionOp | ReportOp;

interface WorkerDB extends DBSchema {
  ops: { key: number; value: QueuedOp; indexes: { byUser: number } };
  photos: { key: string; value: LocalPhoto; indexes: { byUser: number } };
  cache: { key: string; value: { key: string; userId: number; value: unknown; at: number }; indexes: { byUser: number } };
}

let dbp: Promise<IDBPDatabase<WorkerDB>> | null = null;
const db = () => (dbp ??= openDB<WorkerDB>('pingan-worker', 1, {
  upgrade(d) {
    d.createObjectStore('ops', { keyPath: 'seq', autoIncrement: true }).createIndex('byUser', 'userId');
    d.createObjectStore('photos', { keyPath: 'id' }).createIndex('byUser', 'userId');
    d.createObjectStore('cache', { keyPath: 'key' }).createIndex('byUser', 'userId');
  },
}));

/** The queue of one user, oldest first (the order they were made in). */
export async function listOps(userId: number): Promise<QueuedOp[]> {
  const all = await (await db()).getAllFromIndex('ops', 'byUser', userId);
  return all.sort((a, b) => a.seq! - b.seq!);
}

/** Puts an op and its photos in the queue in one transaction: both are kept, or neither. */
export async function enqueue(op: QueuedOp, photos: LocalPhoto[]): Promise<number> {
  const tx = (await db()).transaction(['ops', 'photos'], 'readwrite');
  for (const p of photos) void tx.objectStore('photos').put(p);
  const seq = await tx.objectStore('ops').add(op);
  await tx.done;
  return seq;
}

export async function putOp(op: QueuedOp): Promise<void> {
  await (await db()).put('ops', op);
}

/** Removes a sent (or discarded) op and its photos. */
export async function removeOp(op: QueuedOp): Promise<void> {
  const tx = (await db()).transaction(['ops', 'photos'], 'readwrite');
  void tx.objectStore('ops').delete(op.seq!);
  for (const id of op.photoIds) void tx.objectStore('photos').delete(id);
  await tx.done;
}

export async function getPhoto(id: string): Promise<LocalPhoto | undefined> {
  return (await db()).get('photos', id);
}

export async function putPhoto(p: LocalPhoto): Promise<void> {
  await (await db()).put('photos', p);
}

export async function cacheGet<T>(userId: number, key: string): Promise<{ value: T; at: number } | undefined> {
  const row = await (await db()).get('cache', `${userId}:${key}`);
  return row ? { value: row.value as T, at: row.at } : undefined;
}

export async function cachePut(userId: number, key: string, value: unknown): Promise<void> {
  await (await db()).put('cache', { key: `${userId}:${key}`, userId, value, at: Date.now() });
}

/** On sign-out: the cached cases of that user go; the queue stays for their next sign-in. */
export async function clearCache(userId: number): Promise<void> {
  const d = await db();
  const keys = await d.getAllKeysFromIndex('cache', 'byUser', userId);
  const tx = d.transaction('cache', 'readwrite');
  for (const k of keys) void tx.store.delete(k);
  await tx.done;
}

/**
 * The sync engine: every action and patrol report is first written to the IndexedDB queue, then
 * sent in the order it was made, whenever the app is open and online.
 *
 * - Photos go first (POST /api/v1/photos); each local photo keeps its token once uploaded, so a
 *   retry never uploads it twice and the action always names the same tokens.
 * - A patrol report carries the Idempotency-Key of its draft: a retry after a lost answer gets the
 *   first case back (no duplicate).
 * - An action carries the case version seen when it was queued. A 409 is not retried blindly: the
 *   case is fetched again; if our action is already in its timeline (the answer was lost) the op is
 *   done, otherwise it waits for the worker (resubmit on the current version, or discard).
 * - Network failures keep the op and retry with backoff; a refusal (400, 403, 404, 422) keeps it as
 *   failed, with the server's message, for the worker to see. Later ops of the same case wait.
 */
import { ApiError, api, currentSession, request, type Message } from '../shared/api.js';
import { enqueue, getPhoto, listOps, putOp, putPhoto, removeOp, cacheGet, cachePut, type ActionOp, type LocalPhoto, type QueuedOp, type ReportOp } from './store.js';
import type { EventDetail, EventView } from './types.js';

export interface SyncSnapshot {
  userId: number | null;
  /** the browser says online and the last request reached the server */
  online: boolean;
  syncing: boolean;
  ops: QueuedOp[];
  /** the seq of the op being sent now (not to be discarded meanwhile) */
  inflight: number | null;
  lastSyncedAt: number | null;
  /** the session expired: sign in again to continue (the queue is kept) */
  needLogin: boolean;
}

export type SyncNews =
  | { kind: 'action'; op: ActionOp; event: EventView }
  | { kind: 'report'; op: ReportOp; event: EventView; replayed: boolean }
  | { kind: 'conflict'; op: ActionOp; event: EventDetail }
  | { kind: 'failed'; op: QueuedOp; error: Message };

const BACKOFF = [2_000, 5_000, 10_000, 30_000, 60_000];

const pendingCount = (s: SyncSnapshot) => s.ops.filter((o) => o.state === 'pending').length;
export const problemCount = (s: SyncSnapshot) => s.ops.filter((o) => o.state !== 'pending').length;
export { pendingCount };

class SyncEngine {
  private snap: SyncSnapshot = { userId: null, online: navigator.onLine, syncing: false, ops: [], inflight: null, lastSyncedAt: null, needLogin: false };
  private listeners = new Set<() => void>();
  private newsListeners = new Set<(n: SyncNews) => void>();
  private running = false;
  private again = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private failures = 0;
  private networkDown = false;

  constructor() {
    window.addEventListener('online', () => { this.networkDown = false; this.update({ online: true }); void this.run(); });
    window.addEventListener('offline', () => this.update({ online: false }));
    document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') void this.reload().then(() => this.run()); });
    setInterval(() => { if (pendingCount(this.snap) && navigator.onLine) void this.run(); }, 60_000);
  }

  subscribe = (fn: () => void) => { this.listeners.add(fn); return () => { this.listeners.delete(fn); }; };
  getSnapshot = () => this.snap;
  onNews(fn: (n: SyncNews) => void) { this.newsListeners.add(fn); return () => { this.newsListeners.delete(fn); }; }

  private update(p: Partial<SyncSnapshot>) {
    const online = p.online ?? (navigator.onLine && !this.networkDown);
    this.snap = { ...this.snap, ...p, online };
    for (const fn of this.listeners) fn();
  }
  private tell(n: SyncNews) { for (const fn of this.newsListeners) fn(n); }

  /** Every request of the app reports whether it reached the server: the offline banner follows. */
  network(ok: boolean) {
    if (this.networkDown === !ok) return;
    this.networkDown = !ok;
    this.update({});
    if (ok && pendingCount(this.snap)) void this.run();
  }

  /** A request answered 401: the session ended (idle timeout). Sign in again; the queue waits. */
  sessionExpired() {
    if (this.snap.userId !== null) this.update({ needLogin: true });
  }

  async setUser(userId: number | null) {
    this.update({ userId, needLogin: false, ops: [] });
    await this.reload();
    if (userId !== null) void this.run();
  }

  async reload() {
    const uid = this.snap.userId;
    this.update({ ops: uid === null ? [] : await listOps(uid) });
  }

  /** Queues an op with its photos (both kept on the device first), then tries to send it. */
  async add(op: QueuedOp, photos: LocalPhoto[]) {
    await enqueue(op, photos);
    await this.reload();
    void this.run();
  }

  async discard(op: QueuedOp) {
    if (op.seq === this.snap.inflight) return;
    await removeOp(op);
    await this.reload();
  }

  /** After a conflict: send the same action again on the case as it is now (the worker looked at it). */
  async resubmit(op: ActionOp, currentVersion: number) {
    const ops = this.snap.ops.filter((o): o is ActionOp => o.kind === 'action' && o.eventId === op.eventId && o.seq! >= op.seq!);
    // this op and the later ones of the same case follow each other from the current version
    let v = currentVersion;
    for (const o of ops) await putOp({ ...o, version: v++, state: 'pending', error: undefined });
    await this.reload();
    void this.run();
  }

  async retry(op: QueuedOp) {
    await putOp({ ...op, state: 'pending', error: undefined });
    await this.reload();
    void this.run();
  }

  /** Sends what is pending, in order. One run at a time (across tabs too, with Web Locks). */
  async run(): Promise<void> {
    if (this.snap.userId === null || this.snap.needLogin) return;
    if (this.running) { this.again = true; return; }
    this.running = true;
    if (this.retryTimer) { clearTimeout(this.retryTimer); this.retryTimer = null; }
    try {
      do {
        this.again = false;
        const locks = (navigator as Navigator & { locks?: LockManager }).locks;
        if (locks) await locks.request('pingan-worker-sync', () => this.drain());
        else await this.drain();
      } while (this.again);
    } finally {
      this.running = false;
      this.update({ syncing: false, inflight: null });
    }
  }

  private async drain() {
    const uid = this.snap.userId;
    if (uid === null) return;
    const blockedCases = new Set<number>();
    const tried = new Set<number>();
    for (;;) {
      const ops = await listOps(uid);
      this.update({ ops });
      for (const o of ops) if (o.kind === 'action' && o.state !== 'pending') blockedCases.add(o.eventId);
      const next = ops.find((o) => o.state === 'pending' && !tried.has(o.seq!) && !(o.kind === 'action' && blockedCases.has(o.eventId)));
      if (!next) break;
      if (!navigator.onLine) return;
      tried.add(next.seq!);
      this.update({ syncing: true, inflight: next.seq! });
      const r = await this.send(next, uid);
      if (r === 'stop') return;
      if (r === 'blocked' && next.kind === 'action') blockedCases.add(next.eventId);
    }
    this.failures = 0;
    this.update({ lastSyncedAt: Date.now() });
  }

  /** Sends one op: 'done', 'blocked' (kept for the worker) or 'stop' (no network or no session: try later). */
  private async send(op: QueuedOp, uid: number): Promise<'done' | 'blocked' | 'stop'> {
    let tokens: string[] = [];
    try {
      tokens = await this.uploadPhotos(op);
      if (op.kind === 'report') {
        const r = await this.call(() => api.post<{ event: EventView; replayed: boolean }>('/api/v1/events', { ...op.body, ...(tokens.length ? { photos: tokens } : {}) }, { 'Idempotency-Key': op.key }));
        await removeOp(op);
        this.tell({ kind: 'report', op, event: r.event, replayed: r.replayed });
      } else {
        const body = { version: op.version, ...(op.note ? { note: op.note } : {}), ...(op.until ? { until: op.until } : {}), ...(tokens.length ? { photos: tokens } : {}) };
        const view = await this.call(() => api.post<EventView>(`/api/v1/events/${op.eventId}/${op.action.replace(/_/g, '-')}`, body));
        await removeOp(op);
        await this.remember(uid, view);
        this.tell({ kind: 'action', op, event: view });
      }
      this.network(true);
      this.failures = 0;
      return 'done';
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError(0, 'NETWORK', { zh: '网络连接失败', en: 'Network error' });
      if (err.status === 0 || err.status === 429 || err.status >= 500) {
        if (err.status === 0) this.network(false);
        this.scheduleRetry();
        return 'stop';
      }
      if (err.status === 401 || err.code === 'PASSWORD_CHANGE_REQUIRED') {
        this.update({ needLogin: true });
        return 'stop';
      }
      if (err.status === 409 && op.kind === 'action') return this.conflict(op, tokens, err, uid);
      const kept: QueuedOp = { ...op, state: 'failed', error: err.text, attempts: op.attempts + 1 };
      await putOp(kept);
      this.tell({ kind: 'failed', op: kept, error: err.text });
      return 'blocked';
    }
  }

  /** A request, once more after a fresh CSRF token if the session's token was lost (a reload offline). */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 'CSRF_FAILED')) throw e;
      if (!(await currentSession())) throw new ApiError(401, 'UNAUTHORIZED', { zh: '请重新登录', en: 'Sign in again' });
      return fn();
    }
  }

  private async uploadPhotos(op: QueuedOp): Promise<string[]> {
    const tokens: string[] = [];
    for (const id of op.photoIds) {
      const p = await getPhoto(id);
      if (!p) continue; // never stored (storage full at the time): the action goes without it
      if (!p.token) {
        const r = await this.call(() => request<{ token: string }>('POST', '/api/v1/photos', new Blob([p.bytes], { type: p.mime })));
        p.token = r.token;
        await putPhoto(p);
      }
      tokens.push(p.token);
    }
    return tokens;
  }

  /** A 409: was it us (the answer was lost) or did the case change? Only the first is settled here. */
  private async conflict(op: ActionOp, tokens: string[], err: ApiError, uid: number): Promise<'done' | 'blocked'> {
    let detail: EventDetail | null = null;
    try {
      detail = await api.get<EventDetail>(`/api/v1/events/${op.eventId}`);
    } catch {
      // keep the op as a conflict; the worker can look again
    }
    if (detail && alreadyApplied(op, tokens, detail)) {
      await removeOp(op);
      await this.remember(uid, detail);
      this.tell({ kind: 'action', op, event: detail });
      return 'done';
    }
    const kept: ActionOp = { ...op, state: 'conflict', error: err.text, attempts: op.attempts + 1 };
    await putOp(kept);
    if (detail) {
      await cachePut(uid, `case:${detail.id}`, detail);
      this.tell({ kind: 'conflict', op: kept, event: detail });
    }
    return 'blocked';
  }

  /** The case as the server answered: into the cached detail and task list. */
  private async remember(uid: number, view: EventView) {
    const d = await cacheGet<EventDetail>(uid, `case:${view.id}`);
    await cachePut(uid, `case:${view.id}`, { timeline: [], photos: [], ...(d?.value ?? {}), ...view });
    for (const seg of ['todo', 'done']) {
      const list = await cacheGet<EventView[]>(uid, `tasks:${seg}`);
      if (list?.value.some((x) => x.id === view.id)) await cachePut(uid, `tasks:${seg}`, list.value.map((x) => (x.id === view.id ? view : x)));
    }
  }

  private scheduleRetry() {
    if (this.retryTimer) return;
    const wait = BACKOFF[Math.min(this.failures++, BACKOFF.length - 1)];
    this.retryTimer = setTimeout(() => { this.retryTimer = null; void this.run(); }, wait);
  }
}

/**
 * Whether our action is already in the case's timeline: a row of the same action among those
 * written since the version we sent (the case moved on by exactly those), with our photos or our note.
 */
export function alreadyApplied(op: ActionOp, tokens: string[], d: EventDetail): boolean {
  const since = Math.max(0, d.version - op.version);
  if (since === 0) return false;
  const recent = d.timeline.filter((r) => r.action !== 'overdue' && r.action !== 'auto_escalate').slice(-since);
  return recent.some((r) => {
    if (r.action !== op.action) return false;
    if (tokens.length) return r.photos.some((p) => tokens.includes(p.token));
    if (op.note) return (r.note ?? '').trim() === op.note.trim();
    return true;
  });
}

export const sync = new SyncEngine();

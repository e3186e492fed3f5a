/**
 * Case changes as they happen, for live screens (GET /api/v1/events/stream). One `ChangeFeed` per
 * process polls `event_transitions` for rows after the last one it saw — only while someone
 * listens — and hands each row to the subscribers whose scope (an org path prefix) holds the
 * case's area. Every node of a cluster polls the same table, so no broker is needed.
 *
 * Identity values are taken at insert but become visible at commit, so a row can appear after
 * a higher one was already read. The feed remembers the ids it skipped over for a while
 * (`GAP_MS`) and asks for them again in each poll; a rolled-back insert leaves a gap that
 * simply expires.
 */
import type { Db } from '../../platform/db/database.js';
import { headChangeId, changesAfter, type Change } from './changes.repository.js';

export { headChangeId, changesAfter, replayChanges, type Change } from './changes.repository.js';

// --- the feed

export interface FeedOptions {
  /** How often to poll while someone listens (ms); default 1000. */
  pollMs?: number;
  /** Rows read per query; default 1000. */
  batch?: number;
  /** Told about a failed poll (the feed keeps its place and tries again). */
  onError?: (err: unknown) => void;
}

export type Deliver = (change: Change) => void;

/** How long a skipped id is looked for again, and how many at most. */
const GAP_MS = 30_000;
const MAX_GAPS = 1000;
/** Batches read in one tick before waiting again (a burst drains quickly). */
const MAX_BATCHES_PER_TICK = 10;

export class ChangeFeed {
  private readonly db: Db;
  private readonly pollMs: number;
  private readonly batch: number;
  private readonly onError: (err: unknown) => void;
  private readonly subscribers = new Set<{ scopePath: string; deliver: Deliver }>();
  /** The last id seen; null while nobody listens. */
  private lastId: number | null = null;
  private starting: Promise<void> | null = null;
  private readonly gaps = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private stopped = false;
  /** Bumped when the feed goes idle, so a poll in flight from before does not deliver to newcomers. */
  private epoch = 0;

  constructor(db: Db, opts: FeedOptions = {}) {
    this.db = db;
    this.pollMs = opts.pollMs ?? 1000;
    this.batch = opts.batch ?? 1000;
    this.onError = opts.onError ?? (() => {});
  }

  /** How many subscribers listen. */
  get size(): number {
    return this.subscribers.size;
  }

  /** Whether the feed is polling now. */
  get running(): boolean {
    return this.lastId !== null;
  }

  /**
   * Listens to changes whose area path starts with `scopePath`, from now on. Resolves once the
   * feed has its starting point (so a replay read afterwards leaves no gap); returns the
   * function that stops listening.
   */
  async subscribe(scopePath: string, deliver: Deliver): Promise<() => void> {
    if (this.stopped) throw new Error('The change feed is stopped');
    const sub = { scopePath, deliver };
    this.subscribers.add(sub);
    const unsubscribe = () => {
      if (this.subscribers.delete(sub) && this.subscribers.size === 0) this.idle();
    };
    try {
      await this.start();
    } catch (err) {
      unsubscribe();
      throw err;
    }
    return unsubscribe;
  }

  private async start(): Promise<void> {
    if (this.lastId !== null) return;
    this.starting ??= (async () => {
      try {
        const head = await headChangeId(this.db);
        if (this.subscribers.size && !this.stopped) {
          this.lastId = head;
          this.schedule();
        }
      } finally {
        this.starting = null;
      }
    })();
    await this.starting;
  }

  /** Nobody listens: stop polling and forget the place (the next listener starts from the head). */
  private idle(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.lastId = null;
    this.gaps.clear();
    this.epoch++;
  }

  private schedule(): void {
    if (this.timer || this.stopped || this.lastId === null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.poll().finally(() => this.schedule());
    }, this.pollMs);
    this.timer.unref();
  }

  /** One poll now (the timer calls it; tests may too). Concurrent calls share one. */
  poll(): Promise<void> {
    this.polling ??= this.pollOnce().finally(() => {
      this.polling = null;
    });
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    const epoch = this.epoch;
    try {
      for (let i = 0; i < MAX_BATCHES_PER_TICK; i++) {
        if (this.lastId === null) return;
        const missing = [...this.gaps.keys()];
        const list = await changesAfter(this.db, this.lastId, this.batch, missing);
        if (this.lastId === null || epoch !== this.epoch) return; // everyone left meanwhile
        const now = Date.now();
        let fresh = 0;
        for (const c of list) {
          if (c.id > this.lastId) {
            for (let g = this.lastId + 1; g < c.id && this.gaps.size < MAX_GAPS; g++) this.gaps.set(g, now);
            this.lastId = c.id;
            fresh++;
          } else if (!this.gaps.delete(c.id)) {
            continue; // already delivered
          }
          this.dispatch(c);
        }
        for (const [id, since] of this.gaps) if (now - since > GAP_MS) this.gaps.delete(id);
        if (fresh < this.batch) return;
      }
    } catch (err) {
      this.onError(err);
    }
  }

  private dispatch(c: Change): void {
    for (const s of this.subscribers) {
      if (!c.areaPath.startsWith(s.scopePath)) continue;
      try {
        s.deliver(c);
      } catch (err) {
        this.onError(err);
      }
    }
  }

  /** Stops polling for good and drops every subscriber (app shutdown). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.subscribers.clear();
    this.idle();
    await this.polling;
  }
}

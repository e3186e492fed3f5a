/**
 * The case loop's background work, every `intervalMs`: the deadline sweep, the notification
 * dispatcher, and the purge of idempotency keys older than a day. One run at a time (a tick that
 * finds the previous run still going is skipped); a failing step is logged and the next one
 * still runs. Safe with several server processes: the sweep takes an advisory lock, the
 * dispatcher claims rows with SKIP LOCKED.
 */
import type { EventsContext } from './events.context.js';
import { sweepDeadlines } from './sweep.service.js';
import { dispatchNotifications, DEFAULT_BATCH } from './notify.dispatcher.js';
import { purgeIdempotencyKeys } from './events.repository.js';

const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
/** Full dispatcher batches sent in one run before yielding to the next tick. */
const MAX_DISPATCH_ROUNDS = 10;

/** Starts the timer (unref'd: it does not keep the process alive); returns the function that stops it. */
export function startScheduler(ctx: EventsContext, intervalMs: number, log: { warn(obj: object, msg: string): void }): () => void {
  let running = false;
  let stopped = false;

  const step = async (name: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      log.warn({ err }, `scheduler: ${name} failed`);
    }
  };

  const run = async () => {
    if (running || stopped) return;
    running = true;
    try {
      await step('deadline sweep', () => sweepDeadlines(ctx.database, ctx.now()));
      await step('notification dispatch', async () => {
        for (let round = 0; round < MAX_DISPATCH_ROUNDS && !stopped; round++) {
          const r = await dispatchNotifications(ctx, {});
          if (r.sent + r.retried + r.failed < DEFAULT_BATCH) break;
        }
      });
      await step('idempotency key purge', () => purgeIdempotencyKeys(ctx.database.db, new Date(ctx.now().getTime() - IDEMPOTENCY_TTL_MS)));
    } finally {
      running = false;
    }
  };

  const timer = setInterval(() => void run(), intervalMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

/**
 * Graceful drain. After SIGTERM a node goes through three phases, so that every request that
 * reaches it gets an answer and no kept-alive socket is cut mid-request:
 *
 * 1. `draining` (PINGAN_SHUTDOWN_DRAIN_MS): /readyz answers 503 so a load balancer stops sending
 *    work; requests are still served, each answer with `Connection: close`, so clients drop
 *    their kept-alive sockets between requests instead of the server cutting them.
 * 2. `closing`: the port stays open, but a new request gets 503 with Retry-After at once (an
 *    answer, and cheap: no database work blocks the loop, so connections waiting to be
 *    accepted are taken and answered instead of being reset when the port closes). The phase
 *    lasts until no admitted request is in flight and none arrived for a quiet moment.
 * 3. The caller closes the server (app.close()) and the database.
 *
 * Long-lived streams (routes with `config.longLived`) are not waited for: the server ends them
 * when it closes.
 */
import type { FastifyInstance } from 'fastify';
import { AppError, errorBody } from '../platform/errors.js';

export type Phase = 'serving' | 'draining' | 'closing';

export interface Drain {
  readonly phase: Phase;
  /** Requests admitted and not yet answered (streams excluded). */
  readonly inFlight: number;
  /** Phases 1 and 2: serve for `drainMs`, then refuse new work until in-flight requests end (by `deadline`). */
  run(opts: { drainMs: number; deadline: number; quietMs?: number }): Promise<{ unanswered: number }>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A stream that stays open (SSE): not waited for at shutdown. */
    longLived?: boolean;
  }
}

/** Retry-After of the 503s while closing (seconds): another node, or this one restarted, by then. */
const RETRY_AFTER_S = 5;

export function registerDrain(app: FastifyInstance): Drain {
  let phase: Phase = 'serving';
  let inFlight = 0;
  let lastArrival = 0;
  let settled: (() => void) | null = null;

  app.addHook('onRequest', async (req, reply) => {
    lastArrival = Date.now();
    if (phase === 'closing') {
      const err = new AppError('UNAVAILABLE', { zh: `服务正在停机，请 ${RETRY_AFTER_S} 秒后重试`, en: `The server is shutting down; retry in ${RETRY_AFTER_S} s` });
      return reply.code(503).header('retry-after', String(RETRY_AFTER_S)).header('connection', 'close').send(errorBody(err));
    }
    if (req.routeOptions.config.longLived) return;
    inFlight++;
    let done = false;
    // 'close' fires once the answer is sent or the client went away: either way it is over
    reply.raw.once('close', () => {
      if (done) return;
      done = true;
      inFlight--;
      settled?.();
    });
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    if (phase !== 'serving') reply.header('connection', 'close');
    return payload;
  });

  return {
    get phase() { return phase; },
    get inFlight() { return inFlight; },
    async run({ drainMs, deadline, quietMs = 200 }) {
      phase = 'draining';
      await sleep(Math.min(drainMs, Math.max(0, deadline - Date.now())));
      phase = 'closing';
      for (;;) {
        const now = Date.now();
        if (now >= deadline) break;
        const quietFor = now - lastArrival;
        if (inFlight === 0 && quietFor >= quietMs) break;
        // wake when a request ends, or when the quiet moment may be over
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(deadline - now, inFlight === 0 ? quietMs - quietFor : quietMs));
          settled = () => { clearTimeout(timer); resolve(); };
        });
        settled = null;
      }
      return { unanswered: inFlight };
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * GET /api/v1/events/stream: Server-Sent Events of case changes within the caller's org subtree
 * (staff and API keys with events.read; citizens are refused).
 *
 *     id: <transition id>
 *     event: change
 *     data: {"id":…,"eventId":…,"action":"accept","from":"reported","to":"accepted","at":"…","countyCode":"330106"}
 *
 * A `: ping` comment every 15 s keeps proxies from closing an idle stream. A reconnecting
 * EventSource sends `Last-Event-ID`: the rows after it (at most 1,000, still scoped) come first;
 * when more were missed an `event: reset` tells the client to reload its list. Each stream ends
 * after `maxStreamMs` (EventSource reconnects by itself), so a signed-out or disabled account
 * does not keep listening on an old authorisation.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponse } from '../../platform/http.js';
import { AppError } from '../../platform/errors.js';
import type { EventsContext } from './events.context.js';
import { ChangeFeed, replayChanges, type Change } from './changes.js';

export interface StreamOptions {
  ctx: EventsContext;
  /** How often the change feed polls while someone listens (ms); default 1000. */
  pollMs?: number;
  /** Streams per process; default 1,000 (then 503). */
  maxClients?: number;
  /** Streams per account or key; default 10 (then 429). */
  maxPerCaller?: number;
  /** Keep-alive comment interval (ms); default 15 s. */
  pingMs?: number;
  /** A stream's lifetime before the server ends it and the client reconnects (ms); default 10 min. */
  maxStreamMs?: number;
}

/** Rows replayed after Last-Event-ID. */
export const REPLAY_LIMIT = 1000;
/** A client this far behind (bytes not yet taken by the socket) is disconnected; it reconnects and replays. */
const MAX_BACKLOG = 1024 * 1024;
const errors = { 401: ErrorResponse, 403: ErrorResponse, 429: ErrorResponse, 503: ErrorResponse };

const lastEventIdOf = (h: string | string[] | undefined): number | null => (typeof h === 'string' && /^\d{1,15}$/.test(h.trim()) ? Number(h.trim()) : null);

export const streamRoutes: FastifyPluginAsyncTypebox<StreamOptions> = async (app, opts) => {
  const { ctx } = opts;
  const maxClients = opts.maxClients ?? 1000;
  const maxPerCaller = opts.maxPerCaller ?? 10;
  const pingMs = opts.pingMs ?? 15_000;
  const maxStreamMs = opts.maxStreamMs ?? 10 * 60_000;
  const feed = new ChangeFeed(ctx.database.db, { pollMs: opts.pollMs, onError: (err) => app.log.warn({ err }, 'change feed: poll failed') });
  /** The closers of the open streams. */
  const open = new Set<() => void>();
  const perCaller = new Map<string, number>();

  // end the streams before the server waits for its connections, then stop polling
  app.addHook('preClose', async () => {
    for (const close of [...open]) close();
  });
  app.addHook('onClose', async () => {
    await feed.stop();
  });

  app.get('/api/v1/events/stream', {
    config: { permission: 'events.read', longLived: true },
    exposeHeadRoute: false,
    schema: {
      tags: ['events'],
      summary: 'Live case changes in your area as Server-Sent Events (text/event-stream); honours Last-Event-ID',
      response: { ...errors },
    },
  }, async (req, reply) => {
    const actor = req.actor!;
    if (actor.kind === 'citizen') throw new AppError('FORBIDDEN', { zh: '群众账号不能订阅案件动态', en: 'Citizens cannot subscribe to case changes' });
    if (open.size >= maxClients) throw new AppError('UNAVAILABLE', { zh: '实时推送连接已满，请稍后再试', en: 'Too many live connections; try again later' });
    const who = `${actor.kind}:${actor.id}`;
    if ((perCaller.get(who) ?? 0) >= maxPerCaller) {
      throw new AppError('RATE_LIMITED', { zh: `同一账号最多同时打开 ${maxPerCaller} 个实时推送连接`, en: `At most ${maxPerCaller} live connections per account` });
    }
    const scopePath = actor.scopePath;
    const lastEventId = lastEventIdOf(req.headers['last-event-id']);

    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });

    let closed = false;
    let unsubscribe = () => {};
    /** Live rows held back while the replay is read; then the ids replayed (not sent twice). */
    let held: Change[] | null = lastEventId !== null ? [] : null;
    let replayed: Set<number> | null = null;

    const write = (text: string) => {
      if (closed) return;
      res.write(text);
      if (res.writableLength > MAX_BACKLOG) close();
    };
    const send = (c: Change) => {
      const { areaPath: _, ...data } = c;
      write(`id: ${c.id}\nevent: change\ndata: ${JSON.stringify(data)}\n\n`);
    };
    const deliver = (c: Change) => {
      if (held) held.push(c);
      else if (!replayed?.has(c.id)) send(c);
    };
    const ping = setInterval(() => write(': ping\n\n'), pingMs);
    const lifetime = setTimeout(() => close(), maxStreamMs);
    function close() {
      if (closed) return;
      closed = true;
      clearInterval(ping);
      clearTimeout(lifetime);
      unsubscribe();
      open.delete(close);
      const n = (perCaller.get(who) ?? 1) - 1;
      if (n > 0) perCaller.set(who, n);
      else perCaller.delete(who);
      if (!res.writableEnded) res.end();
    }
    open.add(close);
    perCaller.set(who, (perCaller.get(who) ?? 0) + 1);
    req.raw.on('close', close);
    res.on('close', close);
    res.on('error', close);

    write('retry: 3000\n\n');
    try {
      const stop = await feed.subscribe(scopePath, deliver);
      if (closed) return stop();
      unsubscribe = stop;
      if (lastEventId !== null) {
        const r = await replayChanges(ctx.database.db, scopePath, lastEventId, REPLAY_LIMIT);
        replayed = new Set(r.items.map((c) => c.id));
        for (const c of r.items) send(c);
        if (!r.complete) write('event: reset\ndata: {"reason":"too_many_changes"}\n\n');
        const pending = held ?? [];
        held = null;
        for (const c of pending) if (!replayed.has(c.id)) send(c);
      }
    } catch (err) {
      req.log.error({ err }, 'event stream failed');
      close();
    }
  });
};

/**
 * Builds the Fastify app: platform plugins (errors, security headers, rate limits, OpenAPI,
 * authentication), health routes, then the modules. No listening and no process signals here:
 * main.ts does that, tests use `app.inject`.
 */
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Database } from '../platform/db/database.js';
import { AppError, errorBody } from '../platform/errors.js';
import { registerErrorHandling, registerValidation } from '../platform/http.js';
import { registerOpenApi } from '../platform/openapi.js';
import { authentication } from '../platform/auth/authenticate.js';
import { auditActor } from '../platform/auth/actor.js';
import { CheckpointFile, recordAudit } from '../platform/audit/index.js';
import type { FieldCrypto } from '../platform/pii/index.js';
import { gridsRoutes, LocatorService } from '../modules/grids/index.js';
import { orgRoutes } from '../modules/org/index.js';
import { accountsRoutes, resolveKey, resolveSession, OutboxSms, type AccountsContext, type SmsSender } from '../modules/accounts/index.js';
import { eventsRoutes, exportsRoutes, streamRoutes, webhooksRoutes, type EventsContext } from '../modules/events/index.js';
import { open311Routes } from '../modules/open311/index.js';
import { LocalBlobStore, type BlobStore } from '../platform/storage/index.js';
import type { Config } from './config.js';
import { registerDrain, type Drain } from './drain.js';
import { webPages } from './web.js';

export interface AppDeps {
  config: Config;
  database: Database;
  crypto: FieldCrypto;
  sms?: SmsSender;
  locator?: LocatorService;
  /** Photo storage; default files under config.mediaDir. */
  blobs?: BlobStore;
  /** The clock of the case loop (tests move it). */
  now?: () => Date;
  /** A logger instance or options; defaults from config.logLevel. */
  logger?: boolean | object;
}

export interface App {
  app: FastifyInstance;
  locator: LocatorService;
  accounts: AccountsContext;
  events: EventsContext;
  /** The graceful drain at shutdown (drain.ts): /readyz answers 503 from its first phase on. */
  drain: Drain;
}

export async function buildApp(deps: AppDeps): Promise<App> {
  const { config, database } = deps;
  const app = Fastify({
    logger: deps.logger ?? (config.logLevel === 'silent' ? false : { level: config.logLevel, serializers: { req: logRequest } }),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
  }).withTypeProvider<TypeBoxTypeProvider>();
  const locator = deps.locator ?? new LocatorService();
  const accounts: AccountsContext = {
    database, crypto: deps.crypto, secureCookies: config.secureCookies, auditCheckpoints: new CheckpointFile(config.auditCheckpointFile),
    sms: deps.sms ?? new OutboxSms(config.env === 'development' ? (m) => app.log.info(m) : undefined),
  };

  const events: EventsContext = {
    database, locator, crypto: deps.crypto, sms: accounts.sms, blobs: deps.blobs ?? new LocalBlobStore(config.mediaDir), now: deps.now ?? (() => new Date()),
    intakeLimits: config.intakeLimits,
  };

  // first of the hooks: while closing, a request is answered 503 before any other work
  const drain = registerDrain(app);
  registerValidation(app);
  registerErrorHandling(app);
  const tileOrigin = config.tileUrl ? new URL(config.tileUrl.replace(/\{[a-z]\}/g, '0')).origin : null;
  // scripts only from the server (the pages have no inline script; an injected one does not run:
  // e2e/csp.test.ts); styles keep helmet's 'unsafe-inline', which antd's CSS-in-JS needs for the
  // <style> elements it writes at run time
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        'script-src': ["'self'"],
        'img-src': ["'self'", 'data:', 'blob:', 'https:', ...(tileOrigin ? [tileOrigin] : [])],
        'worker-src': ["'self'"],
      },
    },
  });
  await app.register(rateLimit, {
    max: config.rateLimitPerMinute,
    timeWindow: '1 minute',
    // after authentication's onRequest (limits count per account or key, else per IP), before the body is read
    hook: 'preParsing',
    keyGenerator: (req) => (req.actor ? `${req.actor.kind}:${req.actor.id}` : `ip:${req.ip}`),
    errorResponseBuilder: (_req, ctx) => {
      const err = new AppError('RATE_LIMITED', { zh: `请求过于频繁，请 ${Math.ceil(ctx.ttl / 1000)} 秒后再试`, en: `Too many requests; retry in ${Math.ceil(ctx.ttl / 1000)} s` });
      return Object.assign(errorBody(err), { statusCode: 429 });
    },
  });
  // after the rate limiter: its preHandler runs first (see authenticate.ts)
  await app.register(authentication, {
    session: (token) => resolveSession(accounts, token),
    apiKey: (token) => resolveKey(accounts, token),
    onDenied: (req, permission) => auditDenied(database, req, permission),
  });
  await registerOpenApi(app);

  const Health = Type.Object({ status: Type.String(), checks: Type.Optional(Type.Record(Type.String(), Type.String())) });
  app.get('/healthz', { config: { public: true, rateLimit: false }, schema: { tags: ['health'], summary: 'Liveness: the process answers', response: { 200: Health } } }, async () => ({ status: 'ok' }));
  app.get('/readyz', {
    config: { public: true, rateLimit: false },
    schema: { tags: ['health'], summary: 'Readiness: database reachable and spatial index built', response: { 200: Health, 503: Health } },
  }, async (_req, reply) => {
    const checks: Record<string, string> = {};
    checks.database = await database.ping().then(() => 'ok', (e: Error) => `error: ${e.message}`);
    checks.locator = locator.ready ? `ok (${locator.indexedAreas} areas)` : 'building';
    checks.shutdown = drain.phase === 'serving' ? 'no' : drain.phase;
    const ok = checks.database === 'ok' && locator.ready && drain.phase === 'serving';
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks });
  });

  const strictLimits = { max: config.authRateLimitPerMinute, timeWindow: '1 minute', keyGenerator: (req: FastifyRequest) => `auth:${req.ip}` };
  await app.register(accountsRoutes, { ctx: accounts, strictLimits });
  await app.register(orgRoutes, { database });
  await app.register(gridsRoutes, { database, locator });
  await app.register(eventsRoutes, { ctx: events });
  await app.register(exportsRoutes, { ctx: events });
  await app.register(streamRoutes, { ctx: events });
  await app.register(webhooksRoutes, { ctx: events });
  await app.register(open311Routes, { ctx: events, accounts });
  await webPages(app, config);
  return { app, locator, accounts, events, drain };
}

/** What the log keeps of a request: secrets in the query (an Open311 api_key) are blanked. */
export function logRequest(req: { method: string; url: string; ip?: string }) {
  return { method: req.method, url: req.url.replace(/([?&](?:api_key|token|code)=)[^&]*/gi, '$1***'), remoteAddress: req.ip };
}

async function auditDenied(database: Database, req: FastifyRequest, permission: string): Promise<void> {
  await recordAudit(database.db, {
    ...auditActor(req.actor, { ip: req.ip, userAgent: req.headers['user-agent'] ?? null }),
    action: 'access.denied', result: 'denied', reason: `needs ${permission}`, targetType: 'route', targetId: `${req.method} ${req.routeOptions.url}`,
  });
}

/**
 * Builds the Fastify app: platform plugins (errors, OpenAPI), health routes, then the modules.
 * No listening and no process signals here: main.ts does that, tests use `app.inject`.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Database } from '../platform/db/database.js';
import { registerErrorHandling } from '../platform/http.js';
import { registerOpenApi } from '../platform/openapi.js';
import { gridsRoutes, LocatorService } from '../modules/grids/index.js';
import { orgRoutes } from '../modules/org/index.js';
import type { Config } from './config.js';

export interface AppDeps {
  config: Config;
  database: Database;
  locator?: LocatorService;
  /** A logger instance or options; defaults from config.logLevel. */
  logger?: boolean | object;
}

export interface App {
  app: FastifyInstance;
  locator: LocatorService;
  /** Set when shutting down: /readyz answers 503 so load balancers stop sending work. */
  draining: { value: boolean };
}

export async function buildApp(deps: AppDeps): Promise<App> {
  const { config, database } = deps;
  const app = Fastify({
    logger: deps.logger ?? (config.logLevel === 'silent' ? false : { level: config.logLevel }),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.env === 'production' ? true : false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
    disableRequestLogging: config.env === 'test',
  }).withTypeProvider<TypeBoxTypeProvider>();
  const locator = deps.locator ?? new LocatorService();
  const draining = { value: false };

  registerErrorHandling(app);
  await registerOpenApi(app);

  const Health = Type.Object({ status: Type.String(), checks: Type.Optional(Type.Record(Type.String(), Type.String())) });
  app.get('/healthz', { schema: { tags: ['health'], summary: 'Liveness: the process answers', response: { 200: Health } } }, async () => ({ status: 'ok' }));
  app.get('/readyz', {
    schema: { tags: ['health'], summary: 'Readiness: database reachable and spatial index built', response: { 200: Health, 503: Health } },
  }, async (_req, reply) => {
    const checks: Record<string, string> = {};
    checks.database = await database.ping().then(() => 'ok', (e: Error) => `error: ${e.message}`);
    checks.locator = locator.ready ? `ok (${locator.indexedAreas} areas)` : 'building';
    checks.shutdown = draining.value ? 'draining' : 'no';
    const ok = checks.database === 'ok' && locator.ready && !draining.value;
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks });
  });

  await app.register(orgRoutes, { database });
  await app.register(gridsRoutes, { database, locator });
  return { app, locator, draining };
}

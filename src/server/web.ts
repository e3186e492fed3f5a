/**
 * The web pages (web/, built by `npm run build:web` into dist-web/): one HTML page per user at
 * /report, /worker, /console, /dashboard, /admin, their hashed assets under /assets/ (cached for a
 * year), the grid worker's service worker at /worker-sw.js, and the pages' configuration.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { Type } from 'typebox';
import type { Config } from './config.js';

export const PAGES = ['report', 'worker', 'console', 'dashboard', 'admin'] as const;

const WebConfig = Type.Object({
  tileUrl: Type.Union([Type.String(), Type.Null()]),
  tileAttribution: Type.Union([Type.String(), Type.Null()]),
  region: Type.String(),
  center: Type.Tuple([Type.Number(), Type.Number()], { description: '[lat, lon] of the first view' }),
  zoom: Type.Integer(),
});

export async function webPages(app: FastifyInstance, config: Config): Promise<void> {
  app.get('/api/v1/web-config', {
    config: { public: true },
    schema: { tags: ['web'], summary: 'What the web pages need before sign-in: the optional base-map tiles, the region', response: { 200: WebConfig } },
  }, async () => ({ tileUrl: config.tileUrl, tileAttribution: config.tileAttribution, region: config.region, center: [29.2, 120.2] as [number, number], zoom: 7 }));

  const built = fs.existsSync(path.join(config.webDir, 'report.html'));
  if (!built) {
    app.log.warn({ webDir: config.webDir }, 'web pages are not built (npm run build:web); the pages answer 503');
    for (const p of PAGES) {
      app.get(`/${p}`, async (_req, reply) => reply.status(503).type('text/plain; charset=utf-8').send('网页尚未构建：请运行 npm run build:web\nThe web pages are not built: run npm run build:web\n'));
    }
    return;
  }
  await app.register(fastifyStatic, {
    root: config.webDir, prefix: '/', index: false, wildcard: false, serve: false,
  });
  app.get('/assets/*', async (req, reply) => {
    const file = (req.params as { '*': string })['*'];
    reply.header('cache-control', 'public, max-age=31536000, immutable');
    return reply.sendFile(path.join('assets', file));
  });
  app.get('/worker-sw.js', async (_req, reply) => {
    reply.header('cache-control', 'no-cache');
    reply.header('service-worker-allowed', '/worker');
    return reply.sendFile('worker-sw.js');
  });
  for (const p of PAGES) {
    for (const url of [`/${p}`, `/${p}/*`]) {
      app.get(url, async (_req, reply) => {
        reply.header('cache-control', 'no-cache');
        return reply.sendFile(`${p}.html`);
      });
    }
  }
  app.get('/', async (_req, reply) => reply.redirect('/console'));
}

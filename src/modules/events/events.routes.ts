/** /api/v1/events, /api/v1/photos, /api/v1/event-categories, /api/v1/inbox: schema + access rule + service call. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ErrorResponse } from '../../platform/http.js';
import { AppError } from '../../platform/errors.js';
import { IMAGE_LIMITS } from '../../platform/storage/index.js';
import type { EventsContext, RequestMeta } from './events.context.js';
import { ACTIONS, ACTION_NAMES, type Action } from './events.lifecycle.js';
import * as S from './events.schemas.js';
import * as C from './categories.schemas.js';
import { reportEvent } from './intake.service.js';
import { act, followCase } from './transitions.service.js';
import { assigneesFor, caseDetail, countsOf, indicatorsOf, listCases, mapOf, seriesOf } from './queries.service.js';
import { findDuplicates } from './duplicates.js';
import { toViews } from './events.view.js';
import { readPhoto, uploadPhoto, type PhotoVariant } from './photos.service.js';
import { categoryVersions, getCategory, listCategories, saveCategory } from './categories.service.js';
import { inbox, markRead } from './notify.js';
import { recordAudit } from '../../platform/audit/index.js';
import { auditActor } from '../../platform/auth/actor.js';

const meta = (req: FastifyRequest): RequestMeta => ({ ip: req.ip ?? null, userAgent: (req.headers['user-agent'] ?? null)?.slice(0, 512) ?? null });
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse, 413: ErrorResponse, 415: ErrorResponse, 422: ErrorResponse, 429: ErrorResponse };
const tags = ['events'];

export const eventsRoutes: FastifyPluginAsyncTypebox<{ ctx: EventsContext }> = async (app, { ctx }) => {
  const db = ctx.database.db;
  const actor = (req: FastifyRequest) => req.actor!;

  // --- intake
  app.post('/api/v1/events', {
    // citizens and keys need events.report; staff events.patrol or events.hotline (checked per channel)
    config: { authenticated: true },
    schema: {
      tags, summary: 'Report a case (citizen, patrol, hotline, integration); Idempotency-Key makes retries safe',
      body: S.IntakeBody, headers: S.IdempotencyHeaders, response: { 200: S.IntakeResponse, 201: S.IntakeResponse, ...errors },
    },
  }, async (req, reply) => {
    const r = await reportEvent(ctx, actor(req), req.body, { ...meta(req), device: req.headers['x-device-id'] ?? null }, req.headers['idempotency-key']);
    const [event] = await toViews(db, actor(req), [r.event]);
    return reply.status(r.replayed || r.repeated ? 200 : 201).send({
      event, replayed: r.replayed, ...(r.repeated ? { repeated: true } : {}), duplicates: r.duplicates.map((d) => ({ ...d, createdAt: d.createdAt.toISOString() })),
    });
  });

  app.get('/api/v1/events/duplicates', {
    config: { permission: 'events.report' },
    schema: { tags, summary: 'Before reporting: open cases of the category within 200 m and 48 h', querystring: S.DuplicatesQuery, response: { 200: Type.Object({ items: Type.Array(S.DuplicateSchema) }), ...errors } },
  }, async (req) => {
    const loc = ctx.locator.locate(req.query.lon, req.query.lat, req.query.crs ?? 'wgs84');
    const list = await findDuplicates(db, req.query.category, loc.wgs84.lon, loc.wgs84.lat, ctx.now(), null);
    return { items: list.map((d) => ({ ...d, createdAt: d.createdAt.toISOString() })) };
  });

  // --- reading
  app.get('/api/v1/events', {
    config: { authenticated: true },
    schema: { tags, summary: 'Cases in your area (or yours), newest first, with filters and a cursor', querystring: S.ListQuery, response: { 200: S.ListResponse, ...errors } },
  }, async (req) => listCases(ctx, actor(req), req.query));

  app.get('/api/v1/events/counts', {
    config: { permission: 'events.read' },
    schema: { tags, summary: 'Counts per status (and overdue) for the queue; per area below, for a heat map', querystring: S.CountsQuery, response: { 200: S.CountsResponse, ...errors } },
  }, async (req) => countsOf(ctx, actor(req), req.query));

  app.get('/api/v1/events/geojson', {
    config: { permission: 'events.read' },
    schema: { tags, summary: 'Cases (inside a bounding box) as GeoJSON points, for maps', querystring: S.BboxQuery, response: { 200: Type.Object({ type: Type.Literal('FeatureCollection'), features: Type.Array(Type.Any()) }), ...errors } },
  }, async (req) => mapOf(ctx, actor(req), req.query));

  app.get('/api/v1/events/indicators', {
    config: { permission: 'events.read' },
    schema: { tags, summary: 'Indicators of an area for a period: 立案数, 结案数, 结案率, 按期结案率, 返工率, 平均处置时长, 满意率, 就地解决率', querystring: S.IndicatorQuery, response: { 200: Type.Any(), ...errors } },
  }, async (req) => indicatorsOf(ctx, actor(req), req.query));

  app.get('/api/v1/events/indicators/series', {
    config: { permission: 'events.read' },
    schema: { tags, summary: 'Indicators as a time series (day, week, month; Asia/Shanghai)', querystring: S.SeriesQuery, response: { 200: Type.Any(), ...errors } },
  }, async (req) => seriesOf(ctx, actor(req), req.query));

  app.get('/api/v1/events/:id', {
    config: { authenticated: true },
    schema: { tags, summary: 'A case with its timeline, photos and duplicate candidates', params: S.EventIdParams, response: { 200: S.EventDetail, ...errors } },
  }, async (req) => caseDetail(ctx, actor(req), req.params.id));

  app.get('/api/v1/events/:id/assignees', {
    config: { permission: 'events.manage' },
    schema: {
      tags, summary: 'For dispatching: the grid workers and handlers who may take this case', params: S.EventIdParams,
      response: { 200: Type.Object({ items: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String(), roles: Type.Array(Type.String()), unit: S.UnitRef })) }), ...errors },
    },
  }, async (req) => assigneesFor(ctx, actor(req), req.params.id));

  // --- transitions: one route per action
  for (const action of ACTIONS) {
    app.post(`/api/v1/events/:id/${action.replace(/_/g, '-')}`, {
      config: { authenticated: true },
      schema: { tags, summary: `${ACTION_NAMES[action].zh} (${ACTION_NAMES[action].en})`, params: S.EventIdParams, body: S.ActionBody, response: { 200: S.EventView, ...errors } },
    }, async (req) => {
      const e = await act(ctx, actor(req), req.params.id, action as Action, req.body, meta(req));
      return (await toViews(db, actor(req), [e]))[0];
    });
  }

  app.post('/api/v1/events/:id/follow', {
    config: { authenticated: true },
    schema: { tags, summary: 'Citizens: follow a case (already reported nearby: follow it instead of reporting again)', params: S.EventIdParams, response: { 200: Type.Object({ following: Type.Boolean() }), ...errors } },
  }, async (req) => followCase(ctx, actor(req), req.params.id, meta(req)));

  // --- photos: the raw image is the body
  app.addContentTypeParser(['image/jpeg', 'image/png', 'image/webp', 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: IMAGE_LIMITS.maxBytes + 64 * 1024 }, (_req, body, done) => done(null, body));
  app.post('/api/v1/photos', {
    config: { authenticated: true, rateLimit: { max: 120, timeWindow: '1 minute' } },
    bodyLimit: IMAGE_LIMITS.maxBytes + 64 * 1024,
    schema: {
      tags, summary: 'Upload one photo (JPEG, PNG or WebP by its bytes; ≤ 10 MB) as the raw body (Content-Type image/*); returns a token',
      response: { 201: Type.Object({ token: Type.String(), mime: Type.String(), width: Type.Integer(), height: Type.Integer(), bytes: Type.Integer() }), ...errors },
    },
  }, async (req, reply) => {
    const body = req.body as unknown;
    if (!Buffer.isBuffer(body)) throw new AppError('UNSUPPORTED_MEDIA_TYPE', { zh: '请以 image/jpeg、image/png 或 image/webp 上传图片本身', en: 'Send the image itself with Content-Type image/jpeg, image/png or image/webp' });
    return reply.status(201).send(await uploadPhoto(ctx, actor(req), body, meta(req)));
  });

  for (const variant of ['public', 'thumb', 'original'] as PhotoVariant[]) {
    app.get(`/api/v1/photos/:token${variant === 'public' ? '' : `/${variant}`}`, {
      config: { authenticated: true },
      schema: { tags, summary: variant === 'original' ? 'Staff: the photo as uploaded (with EXIF)' : variant === 'thumb' ? 'A thumbnail (WebP, no metadata)' : 'A photo without EXIF or GPS', params: Type.Object({ token: Type.String({ pattern: '^[A-Za-z0-9_-]{24}$' }) }), response: { 200: Type.Any({ description: 'The image' }), ...errors } },
    }, async (req, reply) => {
      const photo = await readPhoto(ctx, actor(req), req.params.token, variant);
      reply.header('cache-control', 'private, max-age=86400, immutable');
      reply.header('x-content-type-options', 'nosniff');
      return reply.type(photo.mime).send(photo.stream);
    });
  }

  // --- categories
  app.get('/api/v1/event-categories', {
    config: { public: true },
    schema: { tags: ['categories'], summary: 'The categories of cases with their time limits and extra fields', querystring: Type.Object({ all: Type.Optional(Type.Boolean({ description: 'Include retired ones' })) }), response: { 200: Type.Object({ items: Type.Array(C.CategoryView) }), ...errors } },
  }, async (req) => ({ items: (await listCategories(db, { includeInactive: req.query.all })).map(C.categoryView) }));

  app.get('/api/v1/event-categories/:code', {
    config: { public: true },
    schema: { tags: ['categories'], summary: 'One category', params: C.CodeParams, response: { 200: C.CategoryView, ...errors } },
  }, async (req) => C.categoryView(await getCategory(db, req.params.code)));

  app.get('/api/v1/event-categories/:code/versions', {
    config: { permission: 'categories.manage' },
    schema: { tags: ['categories'], summary: 'Every version of a category', params: C.CodeParams, response: { 200: Type.Object({ items: Type.Array(Type.Object({ version: Type.Integer(), data: Type.Any(), createdAt: Type.String(), createdBy: Type.Union([Type.Integer(), Type.Null()]) })) }), ...errors } },
  }, async (req) => {
    await getCategory(db, req.params.code);
    return { items: (await categoryVersions(db, req.params.code)).map((v) => ({ ...v, createdAt: v.createdAt.toISOString() })) };
  });

  app.put('/api/v1/event-categories/:code', {
    config: { permission: 'categories.manage' },
    schema: { tags: ['categories'], summary: 'Create a category or write its next version (cases keep the version they started with)', params: C.CodeParams, body: C.CategoryBody, response: { 200: C.CategoryView, ...errors } },
  }, async (req) => {
    const { version, ...input } = req.body;
    return C.categoryView(await ctx.database.transaction((tx) => saveCategory(tx, actor(req), req.params.code, input, meta(req), version)));
  });

  // --- inbox
  app.get('/api/v1/inbox', {
    config: { authenticated: true },
    schema: {
      tags: ['inbox'], summary: 'My notifications, newest first', querystring: Type.Object({ unread: Type.Optional(Type.Boolean()), before: Type.Optional(Type.Integer({ minimum: 1 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 30 })) }),
      response: { 200: Type.Object({ unread: Type.Integer(), items: Type.Array(Type.Object({ id: Type.Integer(), kind: Type.String(), eventId: Type.Union([Type.Integer(), Type.Null()]), title: Type.Object({ zh: Type.String(), en: Type.String() }), payload: Type.Any(), read: Type.Boolean(), createdAt: Type.String() })) }), ...errors },
    },
  }, async (req) => {
    const a = actor(req);
    if (a.kind === 'key') throw new AppError('FORBIDDEN', { zh: 'API 密钥没有收件箱', en: 'API keys have no inbox' });
    return inbox(db, a.id, { unreadOnly: req.query.unread, before: req.query.before, limit: req.query.limit ?? 30 });
  });

  app.post('/api/v1/inbox/read', {
    config: { authenticated: true },
    schema: { tags: ['inbox'], summary: 'Mark notifications read (ids, or all)', body: Type.Object({ ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 500 })), all: Type.Optional(Type.Boolean()) }, { additionalProperties: false }), response: { 200: Type.Object({ changed: Type.Integer() }), ...errors } },
  }, async (req) => {
    const a = actor(req);
    if (a.kind === 'key') throw new AppError('FORBIDDEN', { zh: 'API 密钥没有收件箱', en: 'API keys have no inbox' });
    if (!req.body.all && !req.body.ids?.length) throw new AppError('VALIDATION_FAILED', { zh: '请给出要标记的消息，或 all', en: 'Give ids, or all' }, { field: 'ids' });
    return ctx.database.transaction(async (tx) => {
      const changed = await markRead(tx, a.id, req.body.all ? 'all' : req.body.ids!, ctx.now());
      if (changed) await recordAudit(tx, { ...auditActor(a, meta(req)), action: 'inbox.read', result: 'success', targetType: 'user', targetId: String(a.id), details: { changed } });
      return { changed };
    });
  });
};

/** /api/v1/webhooks: schema + access rule + service call (webhooks.manage, within the caller's org subtree). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ErrorResponse } from '../../platform/http.js';
import type { EventsContext, RequestMeta } from './events.context.js';
import { createWebhook, disableWebhook, listWebhooks, webhookDeliveries, WEBHOOK_URL_MAX } from './webhooks.service.js';

const meta = (req: FastifyRequest): RequestMeta => ({ ip: req.ip ?? null, userAgent: (req.headers['user-agent'] ?? null)?.slice(0, 512) ?? null });
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 429: ErrorResponse };
const tags = ['webhooks'];
const LINE = '^[^\\u0000-\\u001f\\u007f\\u200b-\\u200f\\u202a-\\u202e\\u2060\\ufeff]*$';
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const WebhookSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  url: Type.String(),
  org: Type.Object({ id: Type.Integer(), code: Type.String(), name: Type.String() }),
  active: Type.Boolean(),
  createdAt: Type.String(),
});
const CreateBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100, pattern: LINE }),
  url: Type.String({ minLength: 1, maxLength: WEBHOOK_URL_MAX, description: 'http:// or https://; receives a signed POST per case change' }),
  orgCode: Type.String({ minLength: 2, maxLength: 64, description: 'The org unit whose area (subtree) the webhook covers' }),
}, { additionalProperties: false });
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2147483647 }) });
const DeliverySchema = Type.Object({
  id: Type.Integer(),
  kind: Type.String(),
  eventId: Nullable(Type.Integer()),
  status: Type.String(),
  attempts: Type.Integer(),
  lastError: Nullable(Type.String()),
  nextAttemptAt: Nullable(Type.String()),
  sentAt: Nullable(Type.String()),
  createdAt: Type.String(),
});

export const webhooksRoutes: FastifyPluginAsyncTypebox<{ ctx: EventsContext }> = async (app, { ctx }) => {
  const actor = (req: FastifyRequest) => req.actor!;

  app.get('/api/v1/webhooks', {
    config: { permission: 'webhooks.manage' },
    schema: { tags, summary: 'Webhooks of my org subtree', response: { 200: Type.Object({ items: Type.Array(WebhookSchema) }), ...errors } },
  }, async (req) => ({ items: await listWebhooks(ctx, actor(req)) }));

  app.post('/api/v1/webhooks', {
    config: { permission: 'webhooks.manage' },
    schema: {
      tags, summary: 'Subscribe a URL to the case changes of an area (the signing secret is shown once)',
      body: CreateBody, response: { 201: Type.Object({ webhook: WebhookSchema, secret: Type.String({ description: 'whsec_…: verify x-pingan-signature with it; shown only now' }) }), ...errors },
    },
  }, async (req, reply) => reply.status(201).send(await createWebhook(ctx, actor(req), req.body, meta(req))));

  app.post('/api/v1/webhooks/:id/disable', {
    config: { permission: 'webhooks.manage' },
    schema: { tags, summary: 'Disable a webhook: no more deliveries, pending ones are given up', params: IdParams, response: { 200: WebhookSchema, ...errors } },
  }, async (req) => disableWebhook(ctx, actor(req), req.params.id, meta(req)));

  app.get('/api/v1/webhooks/:id/deliveries', {
    config: { permission: 'webhooks.manage' },
    schema: { tags, summary: 'The last 100 deliveries of a webhook, newest first', params: IdParams, response: { 200: Type.Object({ items: Type.Array(DeliverySchema) }), ...errors } },
  }, async (req) => ({ items: await webhookDeliveries(ctx, actor(req), req.params.id) }));
};

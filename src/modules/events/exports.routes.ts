/** GET /api/v1/events/export.csv and export.xlsx: the list's filters and scope, streamed, audited. */
import { PassThrough, Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ErrorResponse } from '../../platform/http.js';
import { AppError } from '../../platform/errors.js';
import { recordAudit } from '../../platform/audit/index.js';
import { auditActor } from '../../platform/auth/actor.js';
import type { EventsContext, RequestMeta } from './events.context.js';
import { ListQuery } from './events.schemas.js';
import { contentDisposition, csvChunks, EXPORT_MAX_ROWS, EXPORT_TYPES, planExport, writeXlsx, type ExportFormat } from './exports.service.js';

const meta = (req: FastifyRequest): RequestMeta => ({ ip: req.ip ?? null, userAgent: (req.headers['user-agent'] ?? null)?.slice(0, 512) ?? null });
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 429: ErrorResponse };
const ExportQuery = Type.Omit(ListQuery, ['cursor', 'limit']);

export const exportsRoutes: FastifyPluginAsyncTypebox<{ ctx: EventsContext }> = async (app, { ctx }) => {
  for (const format of ['csv', 'xlsx'] as ExportFormat[]) {
    app.get(`/api/v1/events/export.${format}`, {
      config: { permission: 'events.export' },
      exposeHeadRoute: false, // a HEAD would run (and audit) the whole export to throw it away
      schema: {
        tags: ['events'],
        summary: `Export the cases of the list (same filters, your scope) as ${format.toUpperCase()}, newest first, streamed; at most ${EXPORT_MAX_ROWS.toLocaleString('en')} rows; no reporter data`,
        querystring: ExportQuery,
        response: { 200: Type.Any({ description: format === 'csv' ? 'CSV (UTF-8 with BOM)' : 'An XLSX workbook' }), ...errors },
      },
    }, async (req, reply) => {
      const actor = req.actor!;
      if (actor.kind === 'citizen') throw new AppError('FORBIDDEN');
      // the scope check (an area outside it is 404) happens here, before any byte goes out
      const plan = await planExport(ctx, actor, req.query);
      await recordAudit(ctx.database.db, {
        ...auditActor(actor, meta(req)), action: 'event.export', result: 'success', targetType: 'event', targetId: null,
        details: { format, filters: plan.filters },
      });
      reply
        .header('content-type', EXPORT_TYPES[format])
        .header('content-disposition', contentDisposition(format, ctx.now()))
        .header('cache-control', 'no-store');
      if (format === 'csv') return reply.send(Readable.from(csvChunks(plan.pages())));
      const out = new PassThrough();
      void writeXlsx(plan.pages(), out);
      return reply.send(out);
    });
  }
};

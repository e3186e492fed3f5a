import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Database } from '../../platform/db/database.js';
import { AppError } from '../../platform/errors.js';
import { ErrorResponse, requestMeta } from '../../platform/http.js';
import { auditActor } from '../../platform/auth/actor.js';
import { scopeOf } from '../../platform/auth/policy.js';
import { UnitRefParams } from '../org/index.js';
import * as S from './grids.schemas.js';
import { boundaryOf, childBoundaries, exportGrids, MAX_EXPORT_GRIDS } from './grids.service.js';
import { importGrids } from './import-grids.js';
import type { LocatorService } from './locate.service.js';

const tags = ['grids'];
/** The largest grid file taken over HTTP; bigger ones go through `pingan import grids FILE`. */
export const IMPORT_BODY_LIMIT = 20 * 1_048_576;
const importErrors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 413: ErrorResponse, 415: ErrorResponse, 422: ErrorResponse, 429: ErrorResponse };

/** The caller's org subtree; grid import and export need one (staff). */
function scopeRequired(req: FastifyRequest): string {
  const within = scopeOf(req.actor);
  if (!within) throw new AppError('FORBIDDEN');
  return within;
}

export const gridsRoutes: FastifyPluginAsyncTypebox<{ database: Database; locator: LocatorService }> = async (app, { database, locator }) => {
  const { db } = database;

  // this plugin's routes take GeoJSON only (the import); anything else is a 415
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'application/geo+json'], { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));

  app.get('/api/v1/locate', {
    config: { permission: 'grids.locate' },
    schema: {
      tags, summary: 'Which grid, village, township, county and city a point lies in, and the responsible center',
      querystring: S.LocateQuery,
      response: { 200: S.LocationSchema, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 422: ErrorResponse, 503: ErrorResponse },
    },
  }, async (req) => locator.locate(req.query.lon, req.query.lat, req.query.crs));

  app.get('/api/v1/boundaries/:ref', {
    config: { permission: 'boundaries.read' },
    schema: { tags, summary: 'The boundary of an area unit (GeoJSON Feature)', params: UnitRefParams, querystring: S.BoundaryQuery, response: { 200: S.BoundaryFeatureSchema, 400: ErrorResponse, 404: ErrorResponse } },
  }, async (req) => boundaryOf(db, req.params.ref, req.query.zoom, scopeOf(req.actor)));

  app.get('/api/v1/boundaries/:ref/children', {
    config: { permission: 'boundaries.read' },
    schema: { tags, summary: 'Boundaries of the area units directly below (GeoJSON FeatureCollection)', params: UnitRefParams, querystring: S.BoundaryQuery, response: { 200: S.BoundaryCollectionSchema, 400: ErrorResponse, 404: ErrorResponse } },
  }, async (req) => childBoundaries(db, req.params.ref, req.query.zoom, scopeOf(req.actor)));

  app.post('/api/v1/grids/import', {
    config: { permission: 'grids.import', rateLimit: { max: 30, timeWindow: '1 minute' } },
    bodyLimit: IMPORT_BODY_LIMIT,
    schema: {
      tags,
      summary: 'Import grid polygons (GeoJSON, ≤ 20 MB) for villages in your org subtree: each village named becomes exactly the file’s grids; any error imports nothing',
      querystring: S.ImportQuery, body: S.ImportBody, response: { 200: S.ImportResultSchema, ...importErrors },
    },
  }, async (req) => {
    const { dryRun } = req.query;
    const result = await importGrids(database, req.body, { who: auditActor(req.actor, requestMeta(req)), within: scopeRequired(req), dryRun });
    // this node's index at once; the others follow the revision within PINGAN_GRID_POLL_MS
    if (!dryRun) locator.refresh(db).catch((err: unknown) => req.log.error({ err }, 'rebuilding the grid index after an import failed'));
    return { ...result, dryRun };
  });

  app.get('/api/v1/grids/export', {
    config: { permission: 'grids.import' },
    schema: {
      tags, summary: `The grids under a unit in your org subtree as GeoJSON (≤ ${MAX_EXPORT_GRIDS} grids), to edit and import again`,
      querystring: S.ExportQuery, response: { 200: S.GridCollectionSchema, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
    },
  }, async (req, reply) => {
    const fc = await exportGrids(db, req.query.under, { within: scopeRequired(req), max: MAX_EXPORT_GRIDS });
    return reply.type('application/geo+json').header('content-disposition', `attachment; filename="grids-${req.query.under.replace(/[^0-9A-Za-z-]/g, '-')}.geojson"`).send(fc);
  });
};

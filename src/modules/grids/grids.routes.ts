import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Database } from '../../platform/db/database.js';
import { ErrorResponse } from '../../platform/http.js';
import { scopeOf } from '../../platform/auth/policy.js';
import { UnitRefParams } from '../org/index.js';
import * as S from './grids.schemas.js';
import { boundaryOf, childBoundaries } from './grids.service.js';
import type { LocatorService } from './locate.service.js';

const tags = ['grids'];

export const gridsRoutes: FastifyPluginAsyncTypebox<{ database: Database; locator: LocatorService }> = async (app, { database, locator }) => {
  const { db } = database;

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
};

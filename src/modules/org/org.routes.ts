import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Database } from '../../platform/db/database.js';
import { ErrorResponse } from '../../platform/http.js';
import { scopeOf } from '../../platform/auth/policy.js';
import * as S from './org.schemas.js';
import * as service from './org.service.js';

const tags = ['org'];
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };
const config = { permission: 'org.read' } as const;

export const orgRoutes: FastifyPluginAsyncTypebox<{ database: Database }> = async (app, { database }) => {
  const { db } = database;

  app.get('/api/v1/org/units/:ref', {
    config,
    schema: { tags, summary: 'An org unit by code or id', params: S.UnitRefParams, response: { 200: S.OrgUnitSchema, ...errors } },
  }, async (req) => service.strip(await service.visibleUnit(db, req.params.ref, scopeOf(req.actor))));

  app.get('/api/v1/org/units/:ref/children', {
    config,
    schema: { tags, summary: 'Direct children (areas, centers, platforms, departments)', params: S.UnitRefParams, querystring: S.ChildrenQuery, response: { 200: S.UnitList, ...errors } },
  }, async (req) => ({ items: await service.childrenOf(db, req.params.ref, req.query.kind, scopeOf(req.actor)) }));

  app.get('/api/v1/org/units/:ref/ancestors', {
    config,
    schema: { tags, summary: 'Ancestors from the province down to the parent', params: S.UnitRefParams, response: { 200: S.UnitList, ...errors } },
  }, async (req) => ({ items: await service.ancestorsOf(db, req.params.ref, scopeOf(req.actor)) }));

  app.get('/api/v1/org/units/:ref/subtree', {
    config,
    schema: { tags, summary: 'All units below, by code, paged', params: S.UnitRefParams, querystring: S.SubtreeQuery, response: { 200: S.UnitPage, ...errors } },
  }, async (req) => service.subtreeOf(db, req.params.ref, req.query, scopeOf(req.actor)));

  app.get('/api/v1/org/search', {
    config,
    schema: { tags, summary: 'Search by name (中文), code prefix, pinyin or pinyin initials', querystring: S.SearchQuery, response: { 200: S.UnitList, 400: ErrorResponse } },
  }, async (req) => ({ items: await service.searchUnits(db, { text: req.query.q, level: req.query.level, kind: req.query.kind, limit: req.query.limit, within: scopeOf(req.actor) }) }));

};

/** /api/v1/auth, /api/v1/users, /api/v1/keys, /api/v1/audit: schema + access rule + service call. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { Type } from 'typebox';
import { exportAudit, listAudit, recordAudit, toCsvLine, writeCheckpoint, AUDIT_CSV_HEADER } from '../../platform/audit/index.js';
import { SESSION_COOKIE } from '../../platform/auth/authenticate.js';
import { auditActor } from '../../platform/auth/actor.js';
import { ErrorResponse } from '../../platform/http.js';
import { AppError } from '../../platform/errors.js';
import * as auth from './auth.service.js';
import * as keys from './keys.service.js';
import * as users from './users.service.js';
import * as S from './accounts.schemas.js';
import * as org from '../org/index.js';
import { IDLE_MS } from './auth.service.js';
import type { AccountsContext, RequestMeta } from './context.js';

const meta = (req: FastifyRequest): RequestMeta => ({ ip: req.ip ?? null, userAgent: (req.headers['user-agent'] ?? null)?.slice(0, 512) ?? null });
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse, 423: ErrorResponse, 429: ErrorResponse };
const Ok = Type.Object({ ok: Type.Boolean(), sessionsEnded: Type.Optional(Type.Integer()) });

export const accountsRoutes: FastifyPluginAsyncTypebox<{ ctx: AccountsContext; strictLimits: { max: number; timeWindow: string } }> = async (app, { ctx, strictLimits }) => {
  /** A sign-in's session token goes into the cookie only; the body carries the CSRF token and the user. */
  const signedIn = (reply: FastifyReply, r: auth.SignedIn) => {
    reply.setCookie(SESSION_COOKIE, r.token, { httpOnly: true, sameSite: 'strict', secure: ctx.secureCookies || reply.request.protocol === 'https', path: '/', maxAge: 12 * 3600 });
    return { csrfToken: r.csrfToken, user: r.user };
  };
  const actor = (req: FastifyRequest) => req.actor!;

  // --- sign-in
  app.post('/api/v1/auth/login', {
    config: { public: true, rateLimit: strictLimits },
    schema: { tags: ['auth'], summary: 'Staff sign-in: username + password (+ TOTP)', body: S.LoginBody, response: { 200: S.SessionResponse, ...errors } },
  }, async (req, reply) => signedIn(reply, await auth.loginStaff(ctx, req.body, meta(req))));

  app.post('/api/v1/auth/sms/send', {
    config: { public: true, rateLimit: strictLimits },
    schema: { tags: ['auth'], summary: 'Citizens: send a 6-digit sign-in code by SMS', body: S.SmsSendBody, response: { 202: Type.Object({ sentTo: Type.String(), expiresInSeconds: Type.Integer() }), ...errors } },
  }, async (req, reply) => reply.status(202).send(await auth.sendSmsCode(ctx, req.body, meta(req))));

  app.post('/api/v1/auth/sms/login', {
    config: { public: true, rateLimit: strictLimits },
    schema: { tags: ['auth'], summary: 'Citizens: sign in with phone + code', body: S.SmsLoginBody, response: { 200: S.SessionResponse, ...errors } },
  }, async (req, reply) => signedIn(reply, await auth.loginCitizen(ctx, req.body, meta(req))));

  app.get('/api/v1/auth/session', {
    config: { authenticated: true, administrators: true, allowPasswordChange: true },
    schema: { tags: ['auth'], summary: 'The current session (and its CSRF token)', response: { 200: Type.Intersect([S.SessionResponse, Type.Object({ idleTimeoutSeconds: Type.Integer() })]), ...errors } },
  }, async (req) => {
    const a = actor(req);
    if (a.kind === 'key') return { csrfToken: '', user: { id: a.id, kind: 'key', name: a.name, roles: [], permissions: [...a.permissions], mustChangePassword: false }, idleTimeoutSeconds: 0 };
    return { csrfToken: a.csrfToken, user: { id: a.id, kind: a.kind, name: a.kind === 'staff' ? a.displayName : a.name, roles: a.kind === 'staff' ? a.roles : [], permissions: [...a.permissions], mustChangePassword: a.stage === 'change_password' }, idleTimeoutSeconds: IDLE_MS / 1000 };
  });

  app.post('/api/v1/auth/password', {
    config: { authenticated: true, administrators: true, allowPasswordChange: true, rateLimit: strictLimits },
    schema: { tags: ['auth'], summary: 'Change one’s own password (other sessions end)', body: S.PasswordBody, response: { 200: Ok, ...errors } },
  }, async (req) => {
    await auth.changePassword(ctx, actor(req), req.body, meta(req));
    return { ok: true };
  });

  app.post('/api/v1/auth/totp/setup', {
    config: { authenticated: true, administrators: true },
    schema: { tags: ['auth'], summary: 'Start using TOTP (optional for non-administrators): a new secret', response: { 200: Type.Object({ secret: Type.String(), uri: Type.String() }), ...errors } },
  }, async (req) => auth.setupTotp(ctx, actor(req)));

  app.post('/api/v1/auth/totp/enable', {
    config: { authenticated: true, administrators: true, rateLimit: strictLimits },
    schema: { tags: ['auth'], summary: 'Turn TOTP on with a code from the new secret', body: Type.Object({ code: Type.String({ pattern: '^[0-9]{6}$' }) }, { additionalProperties: false }), response: { 200: Ok, ...errors } },
  }, async (req) => {
    await auth.enableTotp(ctx, actor(req), req.body.code, meta(req));
    return { ok: true };
  });

  app.post('/api/v1/auth/logout', {
    config: { authenticated: true, administrators: true, allowPasswordChange: true },
    schema: { tags: ['auth'], summary: 'Sign out', response: { 200: Ok, ...errors } },
  }, async (req, reply) => {
    await auth.logout(ctx, actor(req), false, meta(req));
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true };
  });

  app.post('/api/v1/auth/logout-all', {
    config: { authenticated: true, administrators: true, allowPasswordChange: true },
    schema: { tags: ['auth'], summary: 'Sign out everywhere (every session of this account)', response: { 200: Ok, ...errors } },
  }, async (req, reply) => {
    const n = await auth.logout(ctx, actor(req), true, meta(req));
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true, sessionsEnded: n };
  });

  // --- users
  app.get('/api/v1/users/me', {
    config: { authenticated: true, administrators: true, allowPasswordChange: true },
    schema: { tags: ['users'], summary: 'My account', response: { 200: Type.Union([S.UserSchema, Type.Object({ id: Type.Integer(), kind: Type.Literal('citizen'), displayName: Type.String(), phone: Type.Union([Type.String(), Type.Null()]) })]), ...errors } },
  }, async (req) => users.me(ctx, actor(req)));

  app.patch('/api/v1/users/me', {
    config: { authenticated: true, administrators: true },
    schema: { tags: ['users'], summary: 'Edit my display name or phone (not my role or unit)', body: S.UpdateMeBody, response: { 200: Type.Union([S.UserSchema, Type.Object({ id: Type.Integer(), kind: Type.Literal('citizen'), displayName: Type.String(), phone: Type.Union([Type.String(), Type.Null()]) })]), ...errors } },
  }, async (req) => {
    const a = actor(req);
    if (a.kind === 'citizen') return users.updateCitizen(ctx, a, req.body, meta(req));
    if (a.kind === 'key') throw new AppError('FORBIDDEN', { zh: 'API 密钥没有个人账号', en: 'An API key has no account of its own' });
    return users.updateProfile(ctx, a, a.id, req.body, meta(req));
  });

  app.get('/api/v1/users', {
    config: { permission: 'users.read' },
    schema: { tags: ['users'], summary: 'Staff accounts in my org subtree', querystring: S.UserListQuery, response: { 200: Type.Object({ items: Type.Array(S.UserSchema), next: Type.Union([Type.Integer(), Type.Null()]) }), ...errors } },
  }, async (req) => users.listStaff(ctx, actor(req), req.query));

  app.post('/api/v1/users', {
    config: { permission: 'users.manage' },
    schema: { tags: ['users'], summary: 'Create a staff account (sysadmin); roles are granted by a secadmin', body: S.CreateUserBody, response: { 201: S.CreatedUser, ...errors } },
  }, async (req, reply) => reply.status(201).send(await users.createStaff(ctx, actor(req), req.body, meta(req))));

  app.get('/api/v1/users/:id', {
    config: { permission: 'users.read' },
    schema: { tags: ['users'], summary: 'A staff account', params: S.UserIdParams, response: { 200: S.UserSchema, ...errors } },
  }, async (req) => users.getStaff(ctx, actor(req), req.params.id));

  app.patch('/api/v1/users/:id', {
    config: { permission: 'users.manage' },
    schema: { tags: ['users'], summary: 'Edit an account’s profile (sysadmin)', params: S.UserIdParams, body: S.UpdateUserBody, response: { 200: S.UserSchema, ...errors } },
  }, async (req) => users.updateProfile(ctx, actor(req), req.params.id, req.body, meta(req)));

  app.put('/api/v1/users/:id/roles', {
    config: { permission: 'users.roles' },
    schema: { tags: ['users'], summary: 'Set roles and grants (secadmin; never one’s own). A new administrator gets a TOTP secret: its URI is returned once', params: S.UserIdParams, body: S.RolesBody, response: { 200: Type.Intersect([S.UserSchema, Type.Object({ totpUri: Type.Union([Type.String(), Type.Null()]) })]), ...errors } },
  }, async (req) => users.setRoles(ctx, actor(req), req.params.id, req.body, meta(req)));

  for (const [verb, lock] of [['lock', true], ['unlock', false]] as const) {
    app.post(`/api/v1/users/:id/${verb}`, {
      config: { permission: 'users.manage' },
      schema: { tags: ['users'], summary: lock ? 'Disable an account (ends its sessions)' : 'Enable an account and clear its lockout', params: S.UserIdParams, response: { 200: S.UserSchema, ...errors } },
    }, async (req) => users.lockUser(ctx, actor(req), req.params.id, lock, meta(req)));
  }

  app.post('/api/v1/users/:id/reset-password', {
    config: { permission: 'users.manage' },
    schema: { tags: ['users'], summary: 'Reset a password: a one-time password, changed at next sign-in', params: S.UserIdParams, response: { 200: Type.Object({ password: Type.String() }), ...errors } },
  }, async (req) => users.resetPassword(ctx, actor(req), req.params.id, meta(req)));

  app.get('/api/v1/users/:id/phone', {
    config: { permission: 'pii.unmask' },
    schema: { tags: ['users'], summary: 'The full phone number (needs pii.unmask; audited)', params: S.UserIdParams, response: { 200: Type.Object({ phone: Type.Union([Type.String(), Type.Null()]) }), ...errors } },
  }, async (req) => users.unmaskPhone(ctx, actor(req), req.params.id, meta(req)));

  // --- API keys
  app.get('/api/v1/keys', {
    config: { permission: 'keys.manage' },
    schema: { tags: ['keys'], summary: 'API keys in my org subtree', response: { 200: Type.Object({ items: Type.Array(S.KeySchema) }), ...errors } },
  }, async (req) => ({ items: await keys.listKeys(ctx, actor(req)) }));

  app.post('/api/v1/keys', {
    config: { permission: 'keys.manage' },
    schema: { tags: ['keys'], summary: 'Create an API key (the secret is shown once)', body: S.CreateKeyBody, response: { 201: Type.Object({ key: S.KeySchema, secret: Type.String() }), ...errors } },
  }, async (req, reply) => reply.status(201).send(await keys.createKey(ctx, actor(req), req.body, meta(req))));

  app.post('/api/v1/keys/:id/revoke', {
    config: { permission: 'keys.manage' },
    schema: { tags: ['keys'], summary: 'Revoke an API key', params: S.KeyIdParams, response: { 200: S.KeySchema, ...errors } },
  }, async (req) => keys.revokeKey(ctx, actor(req), req.params.id, meta(req)));

  // --- audit log (auditors only)
  const AuditRowSchema = Type.Object({
    id: Type.Integer(), at: Type.String(), actorId: Type.Union([Type.Integer(), Type.Null()]), actorName: Type.Union([Type.String(), Type.Null()]),
    actorRole: Type.Union([Type.String(), Type.Null()]), orgId: Type.Union([Type.Integer(), Type.Null()]), ip: Type.Union([Type.String(), Type.Null()]),
    userAgent: Type.Union([Type.String(), Type.Null()]), action: Type.String(), targetType: Type.Union([Type.String(), Type.Null()]),
    targetId: Type.Union([Type.String(), Type.Null()]), result: Type.String(), reason: Type.Union([Type.String(), Type.Null()]),
    details: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]), prevHash: Type.Union([Type.String(), Type.Null()]), hash: Type.String(),
  });
  const filters = (q: { from?: string; to?: string; actorId?: number; action?: string; result?: 'success' | 'failure' | 'denied'; targetType?: string; targetId?: string }) => ({
    from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined, actorId: q.actorId, action: q.action, result: q.result, targetType: q.targetType, targetId: q.targetId,
  });

  /**
   * An auditor sees the rows of their own org subtree; rows of no org (sign-in attempts of unknown
   * names, the CLI, seeding) only an auditor of the whole province (a root scope) sees.
   */
  async function auditScope(req: FastifyRequest): Promise<((row: { orgId: number | null }) => boolean) | null> {
    const a = actor(req);
    if (a.kind === 'citizen') throw new AppError('FORBIDDEN');
    if (/^\/\d+\/$/.test(a.scopePath)) return null; // the root: everything
    const ids = new Set(await org.idsUnderPath(ctx.database.db, a.scopePath));
    return (row) => row.orgId !== null && ids.has(row.orgId);
  }

  app.get('/api/v1/audit', {
    config: { permission: 'audit.read' },
    schema: { tags: ['audit'], summary: 'The audit log of my org subtree, newest first (auditors)', querystring: S.AuditQuery, response: { 200: Type.Object({ items: Type.Array(AuditRowSchema), next: Type.Union([Type.Integer(), Type.Null()]) }), ...errors } },
  }, async (req) => {
    const visible = await auditScope(req);
    const r = await listAudit(ctx.database.db, { ...filters(req.query), before: req.query.before, limit: req.query.limit });
    await auditRead(req, 'audit.read');
    // a page may hold fewer rows than the limit when some are outside the scope; `next` still pages on
    return visible ? { items: r.items.filter(visible), next: r.next } : r;
  });

  app.get('/api/v1/audit/export', {
    config: { permission: 'audit.read' },
    schema: { tags: ['audit'], summary: 'Export the audit log of my org subtree (CSV or NDJSON, oldest first, streamed)', querystring: S.AuditExportQuery },
  }, async (req, reply) => {
    const visible = await auditScope(req);
    // every export checkpoints the head first (outside the database, signed): what was exported
    // can later be shown complete; a log that no longer holds its last checkpoint is said so
    const check = ctx.auditCheckpoints ? await writeCheckpoint(ctx.database.db, ctx.crypto, ctx.auditCheckpoints, new Date()) : null;
    await auditRead(req, 'audit.export', check && !check.ok ? { checkpoint: check.reason } : {});
    const csv = req.query.format === 'csv';
    const rowsOf = exportAudit(ctx.database.db, filters(req.query));
    async function* lines() {
      if (csv) yield `${AUDIT_CSV_HEADER}\n`;
      for await (const row of rowsOf) if (!visible || visible(row)) yield `${csv ? toCsvLine(row) : JSON.stringify(row)}\n`;
    }
    return reply
      .header('content-type', csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
      .header('content-disposition', `attachment; filename="audit.${req.query.format}"`)
      .header('x-audit-checkpoint', check === null ? 'none' : check.ok ? `#${check.checkpoint?.lastId ?? 0}` : 'MISMATCH')
      .send(Readable.from(lines()));
  });

  // reading the audit log is itself audited
  async function auditRead(req: FastifyRequest, action: string, more: Record<string, unknown> = {}) {
    const a = actor(req);
    await recordAudit(ctx.database.db, { ...auditActor(a, meta(req)), action, result: 'success', details: { query: req.query as Record<string, unknown>, ...more } });
  }
};

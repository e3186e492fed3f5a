/**
 * Authentication for every request, in one hook: an API key (`Authorization: Bearer …`) or the
 * session cookie. Every route declares in its config whether it is public, needs only a signed-in
 * caller, or needs a permission; a route that declares nothing stops the start. Cookie-
 * authenticated changes must carry the session's CSRF token in `X-CSRF-Token`.
 */
import crypto from 'node:crypto';
import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors.js';
import { isAdminRole, type Actor, type Permission } from './actor.js';

export const SESSION_COOKIE = 'pingan_session';
export const CSRF_HEADER = 'x-csrf-token';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
  interface FastifyContextConfig {
    /** No sign-in needed (sign-in itself, health, docs). */
    public?: boolean;
    /** Any signed-in caller. */
    authenticated?: boolean;
    /** The permission the caller must hold (object scope is checked by the service). */
    permission?: Permission;
    /** Reachable while a password change is pending. */
    allowPasswordChange?: boolean;
    /**
     * An `authenticated` route the three administrators may call too: their own account and
     * session. Every other `authenticated` route is business (cases, photos, reports) and refuses
     * them (三员分立: administrators do no business work); `permission` routes admit whom the
     * role table says.
     */
    administrators?: boolean;
  }
}

export interface AuthResolvers {
  session(token: string, req: FastifyRequest): Promise<Actor | null>;
  apiKey(token: string, req: FastifyRequest): Promise<Actor | null>;
  /** Told about a refused permission (for the audit log). */
  onDenied?(req: FastifyRequest, permission: Permission | 'business'): Promise<void>;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a), y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

async function plugin(app: FastifyInstance, resolvers: AuthResolvers) {
  await app.register(cookie);
  app.decorateRequest('actor', null);

  app.addHook('onRoute', (route) => {
    const c = (route.config ?? {}) as { public?: boolean; authenticated?: boolean; permission?: Permission };
    if (route.url.startsWith('/api/') && !c.public && !c.authenticated && !c.permission) {
      throw new Error(`Route ${route.method} ${route.url} declares no access rule (config.public, .authenticated or .permission)`);
    }
  });

  app.addHook('onRequest', async (req) => {
    const config = req.routeOptions.config ?? {};
    const auth = req.headers.authorization;
    if (auth !== undefined) {
      const m = /^Bearer ([A-Za-z0-9_-]{10,200})$/.exec(auth);
      req.actor = m ? await resolvers.apiKey(m[1], req) : null;
      if (!req.actor && !config.public) throw new AppError('UNAUTHORIZED', { zh: 'API 密钥无效或已吊销', en: 'The API key is invalid or revoked' });
    } else {
      const token = req.cookies[SESSION_COOKIE];
      if (token) {
        req.actor = /^[A-Za-z0-9_-]{20,100}$/.test(token) ? await resolvers.session(token, req) : null;
      }
    }
    // /api/ routes declare their rule (checked at start); other routes (docs, web pages) are public
    if (config.public || !req.routeOptions.url?.startsWith('/api/')) return;
    if (!req.actor) throw new AppError('UNAUTHORIZED', { zh: '请先登录（会话不存在或已过期）', en: 'Sign in first (no session, or it expired)' });
  });

  // CSRF and the route's permission before the body is read: a caller who may not use a route
  // never makes the server parse (up to 20 MB of) what they sent
  app.addHook('preParsing', async (req) => {
    const config = req.routeOptions.config ?? {};
    const actor = req.actor;
    if (config.public || !actor || !req.routeOptions.url?.startsWith('/api/')) return;
    if (actor.kind === 'staff' && actor.stage === 'change_password' && !config.allowPasswordChange) throw new AppError('PASSWORD_CHANGE_REQUIRED');
    if (actor.kind !== 'key' && !SAFE_METHODS.has(req.method)) {
      const sent = req.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !sameToken(sent, actor.csrfToken)) throw new AppError('CSRF_FAILED');
    }
    if (!config.permission && !config.administrators && actor.kind === 'staff' && actor.roles.some(isAdminRole)) {
      await resolvers.onDenied?.(req, 'business');
      throw new AppError('FORBIDDEN', { zh: '系统管理员、安全管理员和审计员不办理业务（三员分立）', en: 'Administrators and the auditor do no business work (separation of duties)' });
    }
    if (config.permission && !actor.permissions.has(config.permission)) {
      await resolvers.onDenied?.(req, config.permission);
      throw new AppError('FORBIDDEN', { zh: `无权执行此操作（需要权限 ${config.permission}）`, en: `You may not do this (needs ${config.permission})` });
    }
  });
}

export const authentication = fp(plugin, { name: 'pingan-authentication' });

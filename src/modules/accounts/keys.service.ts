/**
 * API keys for integrations (sensors, other systems): `pak_<prefix>_<secret>`, shown once; the
 * secret's SHA-256 is stored (it is 32 random bytes: no need for a slow hash). Scoped to an org
 * subtree and a permission list, revocable, with the time of last use.
 */
import crypto from 'node:crypto';
import { AppError } from '../../platform/errors.js';
import { recordAudit } from '../../platform/audit/index.js';
import { KEY_PERMISSIONS, auditActor, type Actor, type Permission } from '../../platform/auth/actor.js';
import { authorize } from '../../platform/auth/policy.js';
import * as org from '../org/index.js';
import * as repo from './accounts.repository.js';
import type { AccountsContext, RequestMeta } from './context.js';
import { scopePathOf } from './scope.js';

export interface KeyView {
  id: number;
  name: string;
  prefix: string;
  org: { id: number; code: string; name: string };
  permissions: string[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

async function view(ctx: AccountsContext, k: repo.KeyRow): Promise<KeyView> {
  const unit = await org.getUnit(ctx.database.db, `id:${k.orgId}`);
  return {
    id: k.id, name: k.name, prefix: k.prefix, org: { id: unit.id, code: unit.code, name: unit.name }, permissions: k.permissions,
    createdAt: k.createdAt.toISOString(), lastUsedAt: k.lastUsedAt?.toISOString() ?? null, revokedAt: k.revokedAt?.toISOString() ?? null,
  };
}

export async function createKey(ctx: AccountsContext, actor: Actor | null, input: { name: string; orgCode: string; permissions: string[] }, meta: RequestMeta): Promise<{ key: KeyView; secret: string }> {
  const { db } = ctx.database;
  const unit = await org.getUnit(db, input.orgCode).catch(() => {
    throw new AppError('VALIDATION_FAILED', { zh: `组织单位 ${input.orgCode} 不存在`, en: `Org unit ${input.orgCode} does not exist` }, { field: 'orgCode' });
  });
  if (actor) authorize(actor, 'keys.manage', unit);
  const bad = input.permissions.filter((p) => !(KEY_PERMISSIONS as readonly string[]).includes(p));
  if (bad.length || input.permissions.length === 0) {
    throw new AppError('VALIDATION_FAILED', { zh: `API 密钥只能持有：${KEY_PERMISSIONS.join(', ')}`, en: `An API key may hold only: ${KEY_PERMISSIONS.join(', ')}` }, { field: 'permissions' });
  }
  const prefix = crypto.randomBytes(6).toString('hex');
  const secret = crypto.randomBytes(32).toString('base64url');
  const id = await ctx.database.transaction(async (tx) => {
    const newId = await repo.insertKey(tx, { name: input.name.trim(), prefix, secretHash: sha256(secret), orgId: unit.id, permissions: [...new Set(input.permissions)], createdBy: actor?.id ?? null });
    await recordAudit(tx, { ...auditActor(actor, meta), action: 'key.create', result: 'success', targetType: 'api_key', targetId: String(newId), details: { name: input.name, org: unit.code, permissions: input.permissions } });
    return newId;
  });
  return { key: await view(ctx, (await repo.findKeyById(db, id))!), secret: `pak_${prefix}_${secret}` };
}

export async function listKeys(ctx: AccountsContext, actor: Actor): Promise<KeyView[]> {
  authorize(actor, 'keys.manage');
  if (actor.kind === 'citizen') throw new AppError('FORBIDDEN');
  const orgIds = await org.idsUnderPath(ctx.database.db, actor.scopePath);
  return Promise.all((await repo.listKeys(ctx.database.db, orgIds)).map((k) => view(ctx, k)));
}

export async function revokeKey(ctx: AccountsContext, actor: Actor | null, id: number, meta: RequestMeta): Promise<KeyView> {
  const { db } = ctx.database;
  const k = await repo.findKeyById(db, id);
  if (actor) {
    authorize(actor, 'keys.manage');
    if (!k) throw new AppError('NOT_FOUND', { zh: '未找到该密钥', en: 'No such key' });
    authorize(actor, 'keys.manage', await org.getUnit(db, `id:${k.orgId}`));
  }
  if (!k) throw new AppError('NOT_FOUND', { zh: '未找到该密钥', en: 'No such key' });
  await ctx.database.transaction(async (tx) => {
    await repo.revokeKey(tx, id);
    await recordAudit(tx, { ...auditActor(actor, meta), action: 'key.revoke', result: 'success', targetType: 'api_key', targetId: String(id) });
  });
  return view(ctx, (await repo.findKeyById(db, id))!);
}

const TOUCH_EVERY_MS = 60_000;

export async function resolveKey(ctx: AccountsContext, bearer: string): Promise<Actor | null> {
  const m = /^pak_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/.exec(bearer);
  if (!m) return null;
  const { db } = ctx.database;
  const k = await repo.findKeyByPrefix(db, m[1]);
  if (!k || k.revokedAt) return null;
  const a = Buffer.from(sha256(m[2])), b = Buffer.from(k.secretHash);
  if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) return null;
  if (!k.lastUsedAt || Date.now() - k.lastUsedAt.getTime() > TOUCH_EVERY_MS) await repo.touchKey(db, k.id);
  return { kind: 'key', id: k.id, name: k.name, permissions: new Set(k.permissions as Permission[]), orgId: k.orgId, scopePath: await scopePathOf(db, k.orgId) };
}

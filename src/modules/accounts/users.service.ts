/**
 * Accounts of staff. The separated administrators: a sysadmin creates accounts, edits their
 * profile, locks, unlocks and resets passwords; a secadmin sets roles and grants (never their
 * own); nobody holds two administrator roles or mixes one with business roles. Everything is
 * limited to the caller's org subtree and audited. Phone numbers are stored encrypted, shown
 * masked, and shown in full only to holders of `pii.unmask`, each time audited.
 */
import crypto from 'node:crypto';
import { AppError } from '../../platform/errors.js';
import { recordAudit } from '../../platform/audit/index.js';
import { GRANTABLE, ROLES, auditActor, isAdminRole, type Actor } from '../../platform/auth/actor.js';
import { authorize } from '../../platform/auth/policy.js';
import { assertPhone, maskPhone } from '../../platform/pii/index.js';
import type { Db } from '../../platform/db/database.js';
import * as org from '../org/index.js';
import * as repo from './accounts.repository.js';
import { forgetSessions } from './auth.service.js';
import { PHONE_CONTEXT, TOTP_CONTEXT, type AccountsContext, type RequestMeta } from './context.js';
import { checkPassword, hashPassword } from './passwords.js';
import { newTotpSecret, totpUri } from './totp.js';

export interface UserView {
  id: number;
  username: string;
  displayName: string;
  org: { id: number; code: string; name: string };
  roles: string[];
  grants: string[];
  phone: string | null;
  locked: boolean;
  disabled: boolean;
  mustChangePassword: boolean;
  totpEnabled: boolean;
  createdAt: string;
}

const USERNAME = /^[a-z][a-z0-9_.-]{2,31}$/;

async function view(ctx: AccountsContext, db: Db, u: repo.UserRow): Promise<UserView> {
  const unit = await org.getUnit(db, `id:${u.orgId}`);
  return {
    id: u.id, username: u.username!, displayName: u.displayName, org: { id: unit.id, code: unit.code, name: unit.name },
    roles: u.roles, grants: u.grants, phone: u.phoneEnc ? maskPhone(ctx.crypto.decrypt(u.phoneEnc, PHONE_CONTEXT)) : null,
    locked: !!u.lockedUntil && u.lockedUntil.getTime() > Date.now(), disabled: u.disabled, mustChangePassword: u.mustChangePassword,
    totpEnabled: u.totpEnabled, createdAt: u.createdAt.toISOString(),
  };
}

export function checkRoles(roles: string[]): void {
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown.length) throw new AppError('VALIDATION_FAILED', { zh: `未知角色：${unknown.join(', ')}`, en: `Unknown roles: ${unknown.join(', ')}` }, { field: 'roles' });
  const admin = roles.filter(isAdminRole);
  if (admin.length > 1 || (admin.length === 1 && roles.length > 1)) {
    throw new AppError('VALIDATION_FAILED', { zh: '三员分立：管理员角色不能兼任其他角色', en: 'Separation of duties: an administrator role cannot be combined with any other role' }, { field: 'roles' });
  }
}

/** A staff account (and its path, for the scope check); NOT_FOUND outside the caller's scope. */
async function staffInScope(ctx: AccountsContext, actor: Actor, id: number, permission: 'users.read' | 'users.manage' | 'users.roles' | 'pii.unmask') {
  const { db } = ctx.database;
  const u = await repo.findUserById(db, id);
  if (!u || u.kind !== 'staff') {
    authorize(actor, permission);
    throw new AppError('NOT_FOUND', { zh: '未找到该账号', en: 'No such account' });
  }
  const unit = await org.getUnit(db, `id:${u.orgId}`);
  authorize(actor, permission, unit);
  return u;
}

export interface CreateStaff {
  username: string;
  displayName: string;
  orgCode: string;
  phone?: string;
  /** Only the CLI (bootstrap) sets roles at creation; over HTTP a secadmin grants them. */
  roles?: string[];
  password?: string;
  mustChangePassword?: boolean;
  demo?: boolean;
}

/** Creates a staff account; returns it with the one-time password (and the TOTP URI for administrators). */
export async function createStaff(ctx: AccountsContext, actor: Actor | null, input: CreateStaff, meta: RequestMeta): Promise<{ user: UserView; password: string; totpUri: string | null }> {
  const { db } = ctx.database;
  const username = input.username.trim().toLowerCase();
  if (!USERNAME.test(username)) throw new AppError('VALIDATION_FAILED', { zh: '用户名须为 3–32 位小写字母、数字、_ . -，以字母开头', en: 'The username must be 3–32 of a-z 0-9 _ . -, starting with a letter' }, { field: 'username' });
  const roles = input.roles ?? [];
  checkRoles(roles);
  const unit = await org.getUnit(db, input.orgCode).catch(() => {
    throw new AppError('VALIDATION_FAILED', { zh: `组织单位 ${input.orgCode} 不存在`, en: `Org unit ${input.orgCode} does not exist` }, { field: 'orgCode' });
  });
  if (actor) authorize(actor, 'users.manage', unit);
  const password = input.password ?? generatePassword();
  const reasons = checkPassword(password, username);
  if (reasons.length) throw new AppError('VALIDATION_FAILED', reasons[0], { field: 'password' });
  if (await repo.findUserByUsername(db, username)) throw new AppError('CONFLICT', { zh: `用户名 ${username} 已被使用`, en: `The username ${username} is taken` }, { field: 'username' });
  const phone = input.phone ? assertPhone(input.phone) : null;
  const needsTotp = roles.some(isAdminRole);
  const secret = needsTotp ? newTotpSecret() : null;
  const id = await ctx.database.transaction(async (tx) => {
    const newId = await repo.insertUser(tx, {
      kind: 'staff', username, displayName: input.displayName.trim(), orgId: unit.id, countyCode: unit.countyCode, roles,
      passwordHash: await hashPassword(password), mustChangePassword: input.mustChangePassword ?? true,
      totpSecret: secret ? ctx.crypto.encrypt(secret, TOTP_CONTEXT) : null, totpEnabled: needsTotp,
      phoneEnc: phone ? ctx.crypto.encrypt(phone, PHONE_CONTEXT) : null, phoneIndex: phone ? ctx.crypto.blindIndex(phone, `staff:${PHONE_CONTEXT}`) : null, demo: input.demo ?? false,
    });
    await recordAudit(tx, { ...auditActor(actor, meta), action: 'user.create', result: 'success', targetType: 'user', targetId: String(newId), details: { username, org: unit.code, roles } });
    return newId;
  });
  const user = await view(ctx, db, (await repo.findUserById(db, id))!);
  return { user, password, totpUri: secret ? totpUri(secret, username) : null };
}

export function generatePassword(): string {
  // 16 characters from 4 classes: meets the policy by construction
  const sets = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz', '23456789', '!@#%*+=?'];
  const chars = sets.map((s) => s[crypto.randomInt(s.length)]);
  const all = sets.join('');
  while (chars.length < 16) chars.push(all[crypto.randomInt(all.length)]);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = crypto.randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return chars.join('');
}

export async function getStaff(ctx: AccountsContext, actor: Actor, id: number): Promise<UserView> {
  const u = await staffInScope(ctx, actor, id, 'users.read');
  return view(ctx, ctx.database.db, u);
}

export async function me(ctx: AccountsContext, actor: Actor): Promise<UserView | { id: number; kind: 'citizen'; displayName: string; phone: string | null }> {
  if (actor.kind === 'key') throw new AppError('FORBIDDEN', { zh: 'API 密钥没有个人账号', en: 'An API key has no account of its own' });
  const { db } = ctx.database;
  const u = (await repo.findUserById(db, actor.id))!;
  if (u.kind === 'citizen') return { id: u.id, kind: 'citizen', displayName: u.displayName, phone: u.phoneEnc ? maskPhone(ctx.crypto.decrypt(u.phoneEnc, PHONE_CONTEXT)) : null };
  return view(ctx, db, u);
}

export async function listStaff(ctx: AccountsContext, actor: Actor, f: { q?: string; after?: number; limit: number }): Promise<{ items: UserView[]; next: number | null }> {
  authorize(actor, 'users.read');
  if (actor.kind === 'citizen') throw new AppError('FORBIDDEN');
  const { db } = ctx.database;
  const orgIds = await org.idsUnderPath(db, actor.scopePath);
  const rowsFound = await repo.listStaff(db, { orgIds, q: f.q, after: f.after, limit: f.limit + 1 });
  const more = rowsFound.length > f.limit;
  if (more) rowsFound.pop();
  return { items: await Promise.all(rowsFound.map((u) => view(ctx, db, u))), next: more ? rowsFound[rowsFound.length - 1].id : null };
}

export async function updateCitizen(ctx: AccountsContext, actor: Actor, input: { displayName?: string; phone?: string | null }, meta: RequestMeta) {
  if (input.phone !== undefined) {
    throw new AppError('VALIDATION_FAILED', { zh: '手机号即登录账号，不能在此修改', en: 'A citizen’s phone is the account itself and cannot be changed here' }, { field: 'phone' });
  }
  await ctx.database.transaction(async (tx) => {
    await repo.updateUser(tx, actor.id, { displayName: input.displayName?.trim() });
    await recordAudit(tx, { ...auditActor(actor, meta), action: 'user.update', result: 'success', targetType: 'user', targetId: String(actor.id), details: { fields: Object.keys(input) } });
  });
  forgetSessions(actor.id);
  return me(ctx, actor);
}

export async function updateProfile(ctx: AccountsContext, actor: Actor, id: number, input: { displayName?: string; orgCode?: string; phone?: string | null }, meta: RequestMeta): Promise<UserView> {
  const { db } = ctx.database;
  const self = actor.id === id && actor.kind === 'staff';
  const u = self ? (await repo.findUserById(db, id))! : await staffInScope(ctx, actor, id, 'users.manage');
  if (self && input.orgCode !== undefined && !actor.permissions.has('users.manage')) {
    throw new AppError('FORBIDDEN', { zh: '不能修改自己的所属单位', en: 'You cannot move yourself to another unit' }, { field: 'orgCode' });
  }
  let orgId: number | undefined;
  let countyCode: string | null | undefined;
  if (input.orgCode !== undefined) {
    const unit = await org.getUnit(db, input.orgCode).catch(() => {
      throw new AppError('VALIDATION_FAILED', { zh: `组织单位 ${input.orgCode} 不存在`, en: `Org unit ${input.orgCode} does not exist` }, { field: 'orgCode' });
    });
    authorize(actor, 'users.manage', unit);
    orgId = unit.id;
    countyCode = unit.countyCode;
  }
  const phone = input.phone === undefined ? undefined : input.phone === null ? null : assertPhone(input.phone);
  await ctx.database.transaction(async (tx) => {
    await repo.updateUser(tx, u.id, { displayName: input.displayName?.trim(), orgId, countyCode });
    if (phone !== undefined) {
      await repo.setPhone(tx, u.id, phone ? ctx.crypto.encrypt(phone, PHONE_CONTEXT) : null, phone ? ctx.crypto.blindIndex(phone, `staff:${PHONE_CONTEXT}`) : null);
    }
    await recordAudit(tx, { ...auditActor(actor, meta), action: 'user.update', result: 'success', targetType: 'user', targetId: String(u.id), details: { fields: Object.keys(input) } });
  });
  forgetSessions(u.id);
  return view(ctx, db, (await repo.findUserById(db, u.id))!);
}



/** Sets roles and grants; when the account becomes an administrator, returns its new TOTP URI (shown once). */
export async function setRoles(ctx: AccountsContext, actor: Actor, id: number, input: { roles: string[]; grants: string[] }, meta: RequestMeta): Promise<UserView & { totpUri: string | null }> {
  if (actor.id === id && actor.kind === 'staff') {
    throw new AppError('FORBIDDEN', { zh: '不能修改自己的角色和权限', en: 'You cannot change your own roles or grants' });
  }
  const u = await staffInScope(ctx, actor, id, 'users.roles');
  checkRoles(input.roles);
  const badGrant = input.grants.filter((g) => !(GRANTABLE as readonly string[]).includes(g));
  if (badGrant.length) throw new AppError('VALIDATION_FAILED', { zh: `不可授予的权限：${badGrant.join(', ')}`, en: `Not grantable: ${badGrant.join(', ')}` }, { field: 'grants' });
  if (input.grants.length && input.roles.some(isAdminRole)) {
    throw new AppError('VALIDATION_FAILED', { zh: '三员分立：管理员账号不能再授予其他权限', en: 'Separation of duties: administrators cannot hold extra grants' }, { field: 'grants' });
  }
  const { db } = ctx.database;
  const becomesAdmin = input.roles.some(isAdminRole) && !u.roles.some(isAdminRole);
  const secret = becomesAdmin && !u.totpSecret ? newTotpSecret() : null;
  await ctx.database.transaction(async (tx) => {
    await repo.updateUser(tx, u.id, { roles: input.roles, grants: input.grants, ...(secret ? { totpSecret: ctx.crypto.encrypt(secret, TOTP_CONTEXT), totpEnabled: true } : {}) });
    await repo.revokeUserSessions(tx, u.id);
    await recordAudit(tx, { ...auditActor(actor, meta), action: 'user.roles', result: 'success', targetType: 'user', targetId: String(u.id), details: { from: { roles: u.roles, grants: u.grants }, to: input } });
  });
  forgetSessions(u.id);
  return { ...(await view(ctx, db, (await repo.findUserById(db, u.id))!)), totpUri: secret ? totpUri(secret, u.username!) : null };
}

export async function lockUser(ctx: AccountsContext, actor: Actor | null, id: number, lock: boolean, meta: RequestMeta): Promise<UserView> {
  const { db } = ctx.database;
  const u = actor ? await staffInScope(ctx, actor, id, 'users.manage') : await repo.findUserById(db, id);
  if (!u || u.kind !== 'staff') throw new AppError('NOT_FOUND', { zh: '未找到该账号', en: 'No such account' });
  await ctx.database.transaction(async (tx) => {
    await repo.updateUser(tx, u.id, lock ? { disabled: true } : { disabled: false, lockedUntil: null, failedLogins: 0, failuresInWindow: 0, failureWindowStart: null });
    if (lock) await repo.revokeUserSessions(tx, u.id);
    await recordAudit(tx, { ...auditActor(actor, meta), action: lock ? 'user.lock' : 'user.unlock', result: 'success', targetType: 'user', targetId: String(u.id) });
  });
  forgetSessions(u.id);
  return view(ctx, db, (await repo.findUserById(db, u.id))!);
}

export async function resetPassword(ctx: AccountsContext, actor: Actor | null, id: number, meta: RequestMeta): Promise<{ password: string }> {
  const { db } = ctx.database;
  const u = actor ? await staffInScope(ctx, actor, id, 'users.manage') : await repo.findUserById(db, id);
  if (!u || u.kind !== 'staff') throw new AppError('NOT_FOUND', { zh: '未找到该账号', en: 'No such account' });
  if (actor && actor.id === u.id) throw new AppError('FORBIDDEN', { zh: '请通过修改密码功能修改自己的密码', en: 'Change your own password through the password change' });
  const password = generatePassword();
  await ctx.database.transaction(async (tx) => {
    await repo.updateUser(tx, u.id, { passwordHash: await hashPassword(password), mustChangePassword: true });
    await repo.revokeUserSessions(tx, u.id);
    await recordAudit(tx, { ...auditActor(actor, meta), action: 'user.reset_password', result: 'success', targetType: 'user', targetId: String(u.id) });
  });
  forgetSessions(u.id);
  return { password };
}

/** The full phone number: needs `pii.unmask` in scope; every use is audited. */
export async function unmaskPhone(ctx: AccountsContext, actor: Actor, id: number, meta: RequestMeta): Promise<{ phone: string | null }> {
  const u = await staffInScope(ctx, actor, id, 'pii.unmask').catch(async (err: unknown) => {
    await recordAudit(ctx.database.db, { ...auditActor(actor, meta), action: 'pii.unmask', result: 'denied', targetType: 'user.phone', targetId: String(id) });
    throw err;
  });
  const phone = u.phoneEnc ? ctx.crypto.decrypt(u.phoneEnc, PHONE_CONTEXT) : null;
  await recordAudit(ctx.database.db, { ...auditActor(actor, meta), action: 'pii.unmask', result: 'success', targetType: 'user.phone', targetId: String(u.id) });
  return { phone };
}

export async function findStaffId(ctx: AccountsContext, username: string): Promise<number> {
  const u = await repo.findUserByUsername(ctx.database.db, username.trim().toLowerCase());
  if (!u || u.kind !== 'staff') throw new AppError('NOT_FOUND', { zh: `账号 ${username} 不存在`, en: `No account ${username}` }, { field: 'username' });
  return u.id;
}


/**
 * Signing in and out. Staff: username + password (+ TOTP for administrators and whoever enabled
 * it); 5 failures lock the account for 15 minutes, and never more than 100 failures an hour.
 * Citizens: phone + a 6-digit SMS code (5 minutes, 5 tries, one send a minute, 10 a day).
 * Sessions: a random token in an HttpOnly cookie (its SHA-256 is stored), 30 minutes idle,
 * 12 hours in all.
 */
import crypto from 'node:crypto';
import { AppError } from '../../platform/errors.js';
import { recordAudit } from '../../platform/audit/index.js';
import { permissionsOf, isAdminRole, CITIZEN_PERMISSIONS, type Actor, type Role } from '../../platform/auth/actor.js';
import { assertPhone, maskPhone } from '../../platform/pii/index.js';
import type { Db } from '../../platform/db/database.js';
import * as repo from './accounts.repository.js';
import { PHONE_CONTEXT, TOTP_CONTEXT, type AccountsContext, type RequestMeta } from './context.js';
import { checkPassword, hashPassword, verifyPassword } from './passwords.js';
import { scopePathOf } from './scope.js';
import { smsToUser } from './sms.js';
import { checkTotp, newTotpSecret, totpUri } from './totp.js';

export const IDLE_MS = 30 * 60_000;
export const ABSOLUTE_MS = 12 * 3600_000;
export const LOCK_AFTER = 5;
export const LOCK_MS = 15 * 60_000;
export const MAX_FAILURES_PER_HOUR = 100;
export const SMS_TTL_MS = 5 * 60_000;
export const SMS_MAX_TRIES = 5;
export const SMS_RESEND_MS = 60_000;
export const SMS_PER_DAY = 10;
const TOUCH_EVERY_MS = 60_000;
const CACHE_MS = 5_000;

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
const token = () => crypto.randomBytes(32).toString('base64url');

export interface SignedIn {
  token: string;
  csrfToken: string;
  user: { id: number; kind: 'staff' | 'citizen'; name: string; roles: string[]; permissions: string[]; mustChangePassword: boolean };
}

async function startSession(db: Db, userId: number, stage: 'full' | 'change_password', meta: RequestMeta): Promise<{ token: string; csrfToken: string }> {
  const t = token();
  const csrfToken = token();
  await repo.insertSession(db, { id: sha256(t), userId, csrfToken, stage, expiresAt: new Date(Date.now() + ABSOLUTE_MS), ip: meta.ip, userAgent: meta.userAgent?.slice(0, 512) ?? null });
  return { token: t, csrfToken };
}

const requiresTotp = (u: repo.UserRow) => u.totpEnabled || u.roles.some(isAdminRole);

export async function loginStaff(ctx: AccountsContext, input: { username: string; password: string; totp?: string }, meta: RequestMeta): Promise<SignedIn> {
  const { db } = ctx.database;
  const username = input.username.trim().toLowerCase();
  const user = await repo.findUserByUsername(db, username);
  const base = { actorName: username, ip: meta.ip, userAgent: meta.userAgent, targetType: 'user', targetId: user ? String(user.id) : null };
  // A locked account answers exactly like a wrong password or an unknown username (same status,
  // body and one argon2 verification each), so that the lockout does not tell which usernames
  // exist; the lock still holds, is audited, and its end goes to the account's owner by SMS.
  const locked = !!user && !!user.lockedUntil && user.lockedUntil.getTime() > Date.now();
  const ok = await verifyPassword(user?.kind === 'staff' && !user.disabled && !locked ? user.passwordHash : null, input.password);
  if (!user || !ok || locked) {
    if (locked) await recordAudit(db, { ...base, actorId: user.id, action: 'auth.login', result: 'denied', reason: `account locked until ${user.lockedUntil!.toISOString()}` });
    else if (user) await countFailure(ctx, user, meta);
    else await recordAudit(db, { ...base, action: 'auth.login', result: 'failure', reason: 'unknown username' });
    throw new AppError('INVALID_CREDENTIALS');
  }
  if (requiresTotp(user)) {
    if (!input.totp) {
      await recordAudit(db, { ...base, actorId: user.id, action: 'auth.login', result: 'failure', reason: 'password right, TOTP code missing' });
      throw new AppError('TOTP_REQUIRED');
    }
    const secret = user.totpSecret ? ctx.crypto.decrypt(user.totpSecret, TOTP_CONTEXT) : null;
    const step = secret ? checkTotp(secret, input.totp, user.totpLastStep) : null;
    // taking the step is one conditional update: two parallel sign-ins with one code cannot both pass
    if (step === null || !(await repo.takeTotpStep(db, user.id, step))) {
      await countFailure(ctx, user, meta, 'wrong or reused TOTP code');
      throw new AppError('INVALID_CODE', { zh: '动态验证码错误或已使用过', en: 'The authenticator code is wrong or was already used' }, { field: 'totp' });
    }
  }
  await repo.updateUser(db, user.id, { failedLogins: 0, failureWindowStart: null, failuresInWindow: 0, lockedUntil: null });
  const stage = user.mustChangePassword ? 'change_password' : 'full';
  const session = await startSession(db, user.id, stage, meta);
  await recordAudit(db, { ...base, actorId: user.id, actorRole: user.roles.join(','), orgId: user.orgId, action: 'auth.login', result: 'success', reason: stage === 'change_password' ? 'password change required' : null });
  return { ...session, user: { id: user.id, kind: 'staff', name: user.displayName, roles: user.roles, permissions: [...permissionsOf(user.roles as Role[], user.grants)], mustChangePassword: user.mustChangePassword } };
}

async function countFailure(ctx: AccountsContext, user: repo.UserRow, meta: RequestMeta, reason = 'wrong password'): Promise<void> {
  const { db } = ctx.database;
  const { failed, inWindow, lockedUntil } = await repo.countLoginFailure(db, user.id, LOCK_AFTER, LOCK_MS, MAX_FAILURES_PER_HOUR);
  const base = { actorId: user.id, actorName: user.username, ip: meta.ip, userAgent: meta.userAgent, targetType: 'user', targetId: String(user.id) };
  await recordAudit(db, { ...base, action: 'auth.login', result: 'failure', reason });
  if (!lockedUntil) return;
  // the caller is told nothing of the lock; the account's owner is, on the account's phone
  const notice = await smsToUser(ctx, db, user.id, lockoutNotice(user.username ?? '', lockedUntil)).catch(() => 'gateway failed' as const);
  await recordAudit(db, { ...base, action: 'auth.lockout', result: 'success', reason: `locked until ${lockedUntil.toISOString()} after ${failed} failures (${inWindow} this hour)`, details: { ownerNotified: notice } });
}

/** The SMS to an account's owner when it is locked; the time in Beijing time (UTC+8). */
export function lockoutNotice(username: string, until: Date): string {
  const beijing = `${new Date(until.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ')}（北京时间）`;
  return `【平安】您的账号 ${username} 因多次登录失败已被锁定至 ${beijing}。如非本人操作，请联系管理员。Ping'an: your account ${username} was locked until ${until.toISOString()} after repeated failed sign-ins.`;
}

/** The SMS code rules; tests relax one to reach another. */
export const SMS_LIMITS = { resendMs: SMS_RESEND_MS, perDay: SMS_PER_DAY, ttlMs: SMS_TTL_MS };

/**
 * Sends a sign-in code. The limits are checked and the code inserted under a lock on the phone
 * (a transaction-scoped advisory lock keyed by its blind index, across processes): two sends at
 * the same instant cannot both pass, and the new code voids every older one.
 */
export async function sendSmsCode(ctx: AccountsContext, input: { phone: string }, meta: RequestMeta, limits = SMS_LIMITS): Promise<{ sentTo: string; expiresInSeconds: number }> {
  const phone = assertPhone(input.phone);
  const phoneIndex = ctx.crypto.blindIndex(phone, PHONE_CONTEXT);
  const code = String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
  await ctx.database.transaction(async (tx) => {
    await repo.lockPhone(tx, phoneIndex);
    const last = await repo.lastSmsCode(tx, phoneIndex);
    if (last && Date.now() - last.createdAt.getTime() < limits.resendMs) {
      throw new AppError('RATE_LIMITED', { zh: '验证码发送过于频繁，请一分钟后再试', en: 'A code was sent less than a minute ago; wait before asking again' }, { field: 'phone' });
    }
    if ((await repo.smsSentSince(tx, phoneIndex, new Date(Date.now() - 86_400_000))) >= limits.perDay) {
      throw new AppError('RATE_LIMITED', { zh: '今日验证码发送次数已达上限', en: 'Too many codes for this number today' }, { field: 'phone' });
    }
    await repo.insertSmsCode(tx, phoneIndex, ctx.crypto.blindIndex(code, `sms:${phoneIndex}`), new Date(Date.now() + limits.ttlMs));
    await ctx.sms.send(tx, { phone, phoneIndex, phoneMasked: maskPhone(phone), body: `【平安】您的验证码是 ${code}，5 分钟内有效。请勿告诉他人。Ping'an code: ${code} (valid 5 minutes).` });
    await recordAudit(tx, { actorName: maskPhone(phone), ip: meta.ip, userAgent: meta.userAgent, action: 'auth.sms_code', result: 'success', targetType: 'phone', targetId: maskPhone(phone) });
  });
  return { sentTo: maskPhone(phone), expiresInSeconds: limits.ttlMs / 1000 };
}

export async function loginCitizen(ctx: AccountsContext, input: { phone: string; code: string }, meta: RequestMeta): Promise<SignedIn> {
  const { db } = ctx.database;
  const phone = assertPhone(input.phone);
  const phoneIndex = ctx.crypto.blindIndex(phone, PHONE_CONTEXT);
  const last = await repo.lastSmsCode(db, phoneIndex);
  const audit = { actorName: maskPhone(phone), ip: meta.ip, userAgent: meta.userAgent, action: 'auth.login_sms', targetType: 'phone', targetId: maskPhone(phone) };
  // spending a try is one conditional update, so parallel guesses cannot exceed the 5 tries
  const codeHash = last && /^\d{6}$/.test(input.code) ? await repo.spendSmsTry(db, last.id, SMS_MAX_TRIES) : null;
  if (!last || !codeHash || ctx.crypto.blindIndex(input.code, `sms:${phoneIndex}`) !== codeHash) {
    await recordAudit(db, { ...audit, result: 'failure', reason: codeHash ? 'wrong code' : 'no valid code (expired, used or 5 tries)' });
    throw new AppError('INVALID_CODE', undefined, { field: 'code' });
  }
  return ctx.database.transaction(async (tx) => {
    if (!(await repo.useSmsCode(tx, last.id))) throw new AppError('INVALID_CODE', undefined, { field: 'code' });
    let user = await repo.findUserByPhoneIndex(tx, phoneIndex);
    if (!user) {
      const id = await repo.insertUser(tx, {
        kind: 'citizen', username: null, displayName: maskPhone(phone), orgId: null, countyCode: null, roles: [], passwordHash: null,
        mustChangePassword: false, totpSecret: null, totpEnabled: false, phoneEnc: ctx.crypto.encrypt(phone, PHONE_CONTEXT), phoneIndex, demo: false,
      });
      user = (await repo.findUserById(tx, id))!;
      await recordAudit(tx, { ...audit, actorId: id, action: 'user.create_citizen', result: 'success', targetType: 'user', targetId: String(id) });
    }
    if (user.disabled) return null;
    const session = await startSession(tx, user.id, 'full', meta);
    await recordAudit(tx, { ...audit, actorId: user.id, actorRole: 'citizen', result: 'success' });
    return { ...session, user: { id: user.id, kind: 'citizen' as const, name: user.displayName, roles: [], permissions: [...CITIZEN_PERMISSIONS], mustChangePassword: false } };
  }).then(async (signedIn) => {
    if (signedIn) return signedIn;
    await recordAudit(db, { ...audit, result: 'denied', reason: 'account disabled' });
    throw new AppError('FORBIDDEN', { zh: '账号已停用', en: 'The account is disabled' });
  });
}

export async function changePassword(ctx: AccountsContext, actor: Actor, input: { current: string; next: string }, meta: RequestMeta): Promise<void> {
  if (actor.kind !== 'staff') throw new AppError('FORBIDDEN');
  const { db } = ctx.database;
  const user = (await repo.findUserById(db, actor.id))!;
  if (!(await verifyPassword(user.passwordHash, input.current))) {
    await recordAudit(db, { actorId: user.id, actorName: user.username, ip: meta.ip, userAgent: meta.userAgent, action: 'auth.password_change', result: 'failure', reason: 'wrong current password', targetType: 'user', targetId: String(user.id) });
    throw new AppError('INVALID_CREDENTIALS', { zh: '当前密码错误', en: 'The current password is wrong' }, { field: 'current' });
  }
  const reasons = checkPassword(input.next, user.username);
  if (input.next === input.current) reasons.push({ zh: '新密码不能与当前密码相同', en: 'The new password must differ from the current one' });
  if (reasons.length) throw new AppError('VALIDATION_FAILED', reasons[0], { field: 'next', details: reasons.map((m) => ({ field: 'next', message: m })) });
  await ctx.database.transaction(async (tx) => {
    await repo.updateUser(tx, user.id, { passwordHash: await hashPassword(input.next), mustChangePassword: false });
    await repo.setSessionStage(tx, actor.sessionId, 'full');
    await repo.revokeUserSessions(tx, user.id, actor.sessionId);
    await recordAudit(tx, { actorId: user.id, actorName: user.username, actorRole: user.roles.join(','), orgId: user.orgId, ip: meta.ip, userAgent: meta.userAgent, action: 'auth.password_change', result: 'success', targetType: 'user', targetId: String(user.id) });
  });
  forgetSessions(user.id);
}

/**
 * Optional TOTP for anyone (administrators have it from creation): setup returns a new secret,
 * stored but not yet in force; enable turns it on once a code from it checks out.
 */
export async function setupTotp(ctx: AccountsContext, actor: Actor): Promise<{ secret: string; uri: string }> {
  if (actor.kind !== 'staff') throw new AppError('FORBIDDEN');
  const user = (await repo.findUserById(ctx.database.db, actor.id))!;
  if (user.totpEnabled) throw new AppError('CONFLICT', { zh: '动态验证码已启用', en: 'TOTP is already enabled' });
  const secret = newTotpSecret();
  await ctx.database.transaction(async (tx) => {
    await repo.updateUser(tx, user.id, { totpSecret: ctx.crypto.encrypt(secret, TOTP_CONTEXT) });
    await recordAudit(tx, { actorId: user.id, actorName: user.username, actorRole: user.roles.join(','), orgId: user.orgId, action: 'auth.totp_setup', result: 'success', targetType: 'user', targetId: String(user.id) });
  });
  return { secret, uri: totpUri(secret, user.username!) };
}

export async function enableTotp(ctx: AccountsContext, actor: Actor, code: string, meta: RequestMeta): Promise<void> {
  if (actor.kind !== 'staff') throw new AppError('FORBIDDEN');
  const { db } = ctx.database;
  const user = (await repo.findUserById(db, actor.id))!;
  if (user.totpEnabled) throw new AppError('CONFLICT', { zh: '动态验证码已启用', en: 'TOTP is already enabled' });
  const step = user.totpSecret ? checkTotp(ctx.crypto.decrypt(user.totpSecret, TOTP_CONTEXT), code, user.totpLastStep) : null;
  if (step === null) {
    await recordAudit(db, { actorId: user.id, actorName: user.username, ip: meta.ip, userAgent: meta.userAgent, action: 'auth.totp_enable', result: 'failure', reason: 'wrong code', targetType: 'user', targetId: String(user.id) });
    throw new AppError('INVALID_CODE', { zh: '动态验证码错误，请先调用 setup 并输入应用中的验证码', en: 'Wrong code: call setup first, then send a code from the app' }, { field: 'code' });
  }
  await ctx.database.transaction(async (tx) => {
    await repo.updateUser(tx, user.id, { totpEnabled: true, totpLastStep: step });
    await recordAudit(tx, { actorId: user.id, actorName: user.username, actorRole: user.roles.join(','), orgId: user.orgId, ip: meta.ip, userAgent: meta.userAgent, action: 'auth.totp_enable', result: 'success', targetType: 'user', targetId: String(user.id) });
  });
}

export async function logout(ctx: AccountsContext, actor: Actor, everywhere: boolean, meta: RequestMeta): Promise<number> {
  if (actor.kind === 'key') throw new AppError('FORBIDDEN');
  const { db } = ctx.database;
  let n = 1;
  if (everywhere) n = await repo.revokeUserSessions(db, actor.id);
  else await repo.revokeSession(db, actor.sessionId);
  forgetSessions(actor.id);
  await recordAudit(db, { actorId: actor.id, actorName: actor.name, ip: meta.ip, userAgent: meta.userAgent, action: everywhere ? 'auth.logout_all' : 'auth.logout', result: 'success', reason: `${n} session(s) ended`, targetType: 'user', targetId: String(actor.id) });
  return n;
}

// Resolving a session on every request costs a query or three; a short cache keeps protected
// routes near the speed of open ones. Sign-out and password changes clear it on this node at once;
// another node notices within CACHE_MS.
const cache = new Map<string, { actor: Actor; until: number; lastTouch: number }>();

export function forgetSessions(userId: number): void {
  for (const [k, v] of cache) if (v.actor.id === userId && v.actor.kind !== 'key') cache.delete(k);
}

export async function resolveSession(ctx: AccountsContext, cookieToken: string): Promise<Actor | null> {
  const id = sha256(cookieToken);
  const now = Date.now();
  const hit = cache.get(id);
  if (hit && hit.until > now) {
    if (now - hit.lastTouch > TOUCH_EVERY_MS) {
      hit.lastTouch = now;
      await repo.touchSession(ctx.database.db, id);
    }
    return hit.actor;
  }
  cache.delete(id);
  const { db } = ctx.database;
  const s = await repo.findSession(db, id);
  if (!s || s.revokedAt || s.expiresAt.getTime() <= now || now - s.lastSeenAt.getTime() > IDLE_MS) return null;
  const user = await repo.findUserById(db, s.userId);
  // a lockout stops new sign-ins only: otherwise anyone could end a colleague's sessions with 5 wrong passwords
  if (!user || user.disabled) return null;
  let actor: Actor;
  if (user.kind === 'citizen') {
    actor = { kind: 'citizen', id: user.id, name: user.displayName, permissions: new Set(CITIZEN_PERMISSIONS), sessionId: id, csrfToken: s.csrfToken, stage: 'full' };
  } else {
    actor = {
      kind: 'staff', id: user.id, name: user.username ?? user.displayName, displayName: user.displayName, roles: user.roles as Role[], permissions: permissionsOf(user.roles as Role[], user.grants),
      orgId: user.orgId!, scopePath: await scopePathOf(db, user.orgId!), sessionId: id, csrfToken: s.csrfToken, stage: s.stage,
    };
  }
  if (now - s.lastSeenAt.getTime() > TOUCH_EVERY_MS) await repo.touchSession(db, id);
  // never cache past the idle or absolute deadline
  const until = Math.min(now + CACHE_MS, s.expiresAt.getTime());
  cache.set(id, { actor, until, lastTouch: now });
  if (cache.size > 50_000) cache.delete(cache.keys().next().value!);
  return actor;
}

/** Empties the session cache (tests that age sessions in the database). */
export function clearSessionCache(): void {
  cache.clear();
}

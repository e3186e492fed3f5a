/**
 * Webhook subscriptions: an integration hears of every case change inside an area's subtree.
 * Each one has a secret (`whsec_…`, shown once at creation, stored encrypted) that signs its
 * deliveries (notify.dispatcher.ts). Administrators (webhooks.manage) see and change only the
 * webhooks of their own org subtree; anything else is NOT_FOUND.
 */
import crypto from 'node:crypto';
import { AppError } from '../../platform/errors.js';
import { refusedHost } from '../../platform/net/outbound.js';
import { recordAudit } from '../../platform/audit/index.js';
import { auditActor, type Actor } from '../../platform/auth/actor.js';
import { authorize } from '../../platform/auth/policy.js';
import type { Db } from '../../platform/db/database.js';
import * as org from '../org/index.js';
import type { EventsContext, RequestMeta } from './events.context.js';
import { WEBHOOK_SECRET_CONTEXT } from './notify.dispatcher.js';
import * as repo from './notify.repository.js';

export const WEBHOOK_URL_MAX = 500;
export const DELIVERIES_SHOWN = 100;

export interface WebhookView {
  id: number;
  name: string;
  url: string;
  org: { id: number; code: string; name: string };
  active: boolean;
  createdAt: string;
}

export interface DeliveryView {
  id: number;
  kind: string;
  eventId: number | null;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  sentAt: string | null;
  createdAt: string;
}

/** Webhooks as shown, with their unit's code and name (from org). */
async function views(db: Db, list: repo.WebhookRow[]): Promise<WebhookView[]> {
  const units = new Map((await org.findByIds(db, [...new Set(list.map((w) => w.orgId))])).map((u) => [u.id, u]));
  return list.map((w) => {
    const unit = units.get(w.orgId)!;
    return { id: w.id, name: w.name, url: w.url, org: { id: w.orgId, code: unit.code, name: unit.name }, active: w.active, createdAt: w.createdAt.toISOString() };
  });
}
const view = async (db: Db, w: repo.WebhookRow) => (await views(db, [w]))[0];

const notFound = (id: number) => new AppError('NOT_FOUND', { zh: `未找到 Webhook #${id}`, en: `Webhook #${id} not found` });

/** An absolute http(s) URL with a host, at most 500 characters. */
function checkUrl(raw: string): URL {
  const bad = () => new AppError('VALIDATION_FAILED', { zh: 'Webhook 地址须为 http:// 或 https:// 开头的完整网址（不超过 500 个字符）', en: 'The webhook URL must be an absolute http:// or https:// URL (at most 500 characters)' }, { field: 'url' });
  if (raw.length > WEBHOOK_URL_MAX || raw !== raw.trim()) throw bad();
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw bad();
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) throw bad();
  const why = refusedHost(url);
  if (why) {
    throw new AppError('VALIDATION_FAILED', {
      zh: `Webhook 地址不可指向本机、链路本地、组播、云元数据地址，内网地址须列入 PINGAN_WEBHOOK_ALLOW（${url.hostname}：${why}）`,
      en: `The webhook URL may not point to a loopback, link-local, multicast or cloud-metadata address, and a private address only when listed in PINGAN_WEBHOOK_ALLOW (${url.hostname}: ${why})`,
    }, { field: 'url' });
  }
  return url;
}

/** The webhook in the caller's subtree, or NOT_FOUND. */
async function scopedWebhook(ctx: EventsContext, actor: Actor, id: number): Promise<repo.WebhookRow> {
  authorize(actor, 'webhooks.manage');
  const w = await repo.findWebhook(ctx.database.db, id);
  if (!w) throw notFound(id);
  try {
    authorize(actor, 'webhooks.manage', { path: w.scopePath });
  } catch {
    throw notFound(id);
  }
  return w;
}

export async function listWebhooks(ctx: EventsContext, actor: Actor): Promise<WebhookView[]> {
  authorize(actor, 'webhooks.manage');
  if (actor.kind === 'citizen') throw new AppError('FORBIDDEN');
  return views(ctx.database.db, await repo.listWebhooks(ctx.database.db, actor.scopePath));
}

export async function createWebhook(
  ctx: EventsContext, actor: Actor, input: { name: string; url: string; orgCode: string }, meta: RequestMeta,
): Promise<{ webhook: WebhookView; secret: string }> {
  authorize(actor, 'webhooks.manage');
  const url = checkUrl(input.url);
  const name = input.name.trim();
  if (!name) throw new AppError('VALIDATION_FAILED', { zh: '请填写名称', en: 'A name is required' }, { field: 'name' });
  const { db } = ctx.database;
  const outside = () => new AppError('NOT_FOUND', { zh: `未找到组织单位“${input.orgCode}”`, en: `Org unit "${input.orgCode}" not found` }, { field: 'orgCode' });
  const unit = await org.getUnit(db, input.orgCode).catch((err: unknown) => {
    throw err instanceof AppError && err.code === 'NOT_FOUND' ? outside() : err;
  });
  // the area the webhook covers: the unit itself, or for a center, platform or department the area it belongs to
  const scopePath = unit.kind === 'area' ? unit.path : unit.path.replace(/\d+\/$/, '');
  try {
    authorize(actor, 'webhooks.manage', { path: scopePath });
  } catch {
    throw outside();
  }
  const secret = `whsec_${crypto.randomBytes(32).toString('base64url')}`;
  const id = await ctx.database.transaction(async (tx) => {
    const newId = await repo.insertWebhook(tx, {
      name, url: input.url, secretEnc: ctx.crypto.encrypt(secret, WEBHOOK_SECRET_CONTEXT),
      orgId: unit.id, scopePath, createdBy: actor.id, at: ctx.now(),
    });
    await recordAudit(tx, {
      ...auditActor(actor, meta), action: 'webhook.create', result: 'success', targetType: 'webhook', targetId: String(newId),
      // the origin only: a query string may carry the receiver's own token
      details: { name, org: unit.code, origin: url.origin },
    });
    return newId;
  });
  return { webhook: await view(db, (await repo.findWebhook(db, id))!), secret };
}

/** Stops deliveries; pending ones are given up by the dispatcher. Disabling twice changes nothing. */
export async function disableWebhook(ctx: EventsContext, actor: Actor, id: number, meta: RequestMeta): Promise<WebhookView> {
  await scopedWebhook(ctx, actor, id);
  await ctx.database.transaction(async (tx) => {
    if (!(await repo.disableWebhook(tx, id))) return;
    await recordAudit(tx, { ...auditActor(actor, meta), action: 'webhook.disable', result: 'success', targetType: 'webhook', targetId: String(id) });
  });
  return view(ctx.database.db, (await repo.findWebhook(ctx.database.db, id))!);
}

export async function webhookDeliveries(ctx: EventsContext, actor: Actor, id: number): Promise<DeliveryView[]> {
  await scopedWebhook(ctx, actor, id);
  return (await repo.listDeliveries(ctx.database.db, id, DELIVERIES_SHOWN)).map((d) => ({
    ...d, nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null, sentAt: d.sentAt?.toISOString() ?? null, createdAt: d.createdAt.toISOString(),
  }));
}

/**
 * Open311 GeoReport v2 over the case loop: services are categories, requests are cases, updates
 * are timeline rows. Everything that changes a case goes through the events module (intake and
 * `act`, with their routing, idempotency, duplicates, validation and audit); this module only
 * reads parameters, resolves the jurisdiction and the API key, and shapes the documents.
 *
 * Reading is public (no key) and only ever shows a case's public face: no reporter names, phones
 * or emails, no attributes, and only the notes meant for the public (open311.status.ts), with the
 * phones, ID numbers, plates and emails typed into them hidden. Each category says how much is
 * published (`publication`): all of that, only the township (`counted`), or nothing (`private`:
 * the case answers 404 as if it did not exist).
 */
import type { Actor, Permission } from '../../platform/auth/actor.js';
import type { Message } from '../../platform/errors.js';
import { redactPersonalData as redact } from '../../platform/pii/index.js';
import { processImage } from '../../platform/storage/index.js';
import { resolveKey, type AccountsContext, type RequestMeta } from '../accounts/index.js';
import {
  act, attachReportPhoto, getCategory, listCases, listCategories, reportEvent, timelineBetween, timelineView, type EventsContext, type IntakeInput,
} from '../events/index.js';
import * as org from '../org/index.js';
import { attributesOf, dateRange, fail, list, localeOf, one, paging, text, truthy, w3c, type Locale, type Params } from './open311.params.js';
import * as repo from './open311.repository.js';
import type { CreatedRequestT, DiscoveryT, RequestUpdateT, ServiceDefinitionT, ServiceRequestT, ServiceT, TokenResultT } from './open311.schemas.js';
import { CLOSED_STATES, CLOSING_STATUSES, EXTENDED_STATUSES, OPEN_STATES, PUBLIC_NOTE_ACTIONS, UPDATE_ACTIONS, UPDATE_STATUS, openOrClosed, updateStatus, type ExtendedStatus } from './open311.status.js';

export interface Open311Deps {
  ctx: EventsContext;
  accounts: AccountsContext;
}

type Category = Awaited<ReturnType<typeof getCategory>>;
type CaseView = Awaited<ReturnType<typeof listCases>>['items'][number];
type TimelineEntry = Awaited<ReturnType<typeof timelineView>>[number];
type KeyActor = Extract<Actor, { kind: 'key' }>;

export const SPECIFICATION = 'http://wiki.open311.org/GeoReport_v2';
export const MAX_DESCRIPTION = 4000;
/** At most this many ids in one `service_request_id` list. */
export const MAX_IDS = 100;
/** page × page_size may reach this far into a query's results; narrower dates reach the rest. */
export const MAX_DEPTH = 10_000;
export const EMAIL_CONTEXT = 'open311.email';

const pick = (m: Message, locale: Locale | null) => (locale === 'en' ? m.en : m.zh);

// --- jurisdictions

interface Area {
  id: number;
  code: string;
  name: string;
  level: string;
  path: string;
}

/**
 * A jurisdiction id as we accept it: the statistics code of the province (`33`), a city (`3301`)
 * or a county (`330106`), also written with six digits (`330000`, `330100`) or twelve
 * (`330106000000`). Null when it cannot be one.
 */
export function canonicalJurisdiction(raw: string): string | null {
  let s = raw.trim();
  if (/^\d{12}$/.test(s) && s.endsWith('000000')) s = s.slice(0, 6);
  if (/^\d{6}$/.test(s)) s = s.endsWith('0000') ? s.slice(0, 2) : s.endsWith('00') ? s.slice(0, 4) : s;
  return /^(\d{2}|\d{4}|\d{6})$/.test(s) ? s : null;
}

const areaOf = (u: { id: number; code: string; name: string; level: string; path: string }): Area => ({ id: u.id, code: u.code, name: u.name, level: u.level, path: u.path });

async function namedJurisdiction(deps: Open311Deps, raw: string): Promise<Area> {
  const code = canonicalJurisdiction(raw);
  const unit = code ? await org.getUnit(deps.ctx.database.db, code).catch(() => null) : null;
  if (!unit || unit.kind !== 'area' || !['province', 'city', 'county'].includes(unit.level)) {
    throw fail(404, `未找到 jurisdiction_id「${raw}」：请使用省、市或县（市、区）的行政区划代码，如 330106`, `jurisdiction_id ${raw} was not found: use the code of the province, a city or a county, such as 330106`);
  }
  return areaOf(unit);
}

/** The province this server serves: the root of the org tree (the parent of its cities). */
async function province(deps: Open311Deps): Promise<Area> {
  const db = deps.ctx.database.db;
  const roots = [...new Set((await org.areasOfLevel(db, 'city')).map((c) => c.parentCode))];
  if (roots.length !== 1) throw fail(400, '未提供 jurisdiction_id', 'jurisdiction_id was not provided');
  return areaOf(await org.getUnit(db, roots[0]));
}

/** GETs: the named jurisdiction, or without one the whole province. */
const publicJurisdiction = (deps: Open311Deps, p: Params) => {
  const raw = one(p, 'jurisdiction_id');
  return raw ? namedJurisdiction(deps, raw) : province(deps);
};

/** Calls with a key: the named jurisdiction, which the key's scope must cover; without one, the key's own area. */
async function keyJurisdiction(deps: Open311Deps, p: Params, key: KeyActor): Promise<Area> {
  const raw = one(p, 'jurisdiction_id');
  if (!raw) {
    const id = Number(/(\d+)\/$/.exec(key.scopePath)?.[1]);
    return areaOf(await org.getUnit(deps.ctx.database.db, `id:${id}`));
  }
  const area = await namedJurisdiction(deps, raw);
  if (!area.path.startsWith(key.scopePath)) {
    throw fail(403, `该 api_key 不适用于 jurisdiction_id ${raw}（超出其管辖范围）`, `This api_key is not valid for jurisdiction_id ${raw} (outside its area)`);
  }
  return area;
}

/** Who reads public data: a key-like reader whose scope is the jurisdiction, holding only events.read. */
const reader = (area: Area): Actor => ({ kind: 'key', id: 0, name: 'Open311', permissions: new Set<Permission>(['events.read']), orgId: area.id, scopePath: area.path });

const inArea = (v: CaseView, area: Area) => (v.area.grid ?? v.area.village ?? v.area.township ?? v.area.county).startsWith(area.code);

// --- keys

async function keyOf(deps: Open311Deps, p: Params, bearer: Actor | null, permission: Permission): Promise<KeyActor> {
  const token = one(p, 'api_key');
  let key: Actor | null = null;
  if (token) {
    key = await resolveKey(deps.accounts, token);
    if (!key) throw fail(403, 'api_key 无效或已吊销', 'Invalid api_key received -- the key is unknown or revoked');
  } else if (bearer?.kind === 'key') {
    key = bearer;
  }
  if (!key || key.kind !== 'key') throw fail(403, '缺少 api_key', 'api_key was not provided');
  if (!key.permissions.has(permission)) throw fail(403, `该 api_key 无此权限（需要 ${permission}）`, `This api_key may not do this (needs ${permission})`);
  return key;
}

// --- services

const TYPE_HINTS: Record<string, Message> = {
  string: { zh: '一行文字，最多 200 字', en: 'One line of text, at most 200 characters' },
  text: { zh: '文字，可换行，最多 4,000 字', en: 'Text, line breaks allowed, at most 4,000 characters' },
  number: { zh: '数字', en: 'A number' },
  datetime: { zh: 'W3C 日期时间，如 2026-06-10T08:00:00+08:00', en: 'A W3C date-time, such as 2026-06-10T08:00:00+08:00' },
  singlevaluelist: { zh: '选一项，填其 key', en: 'One of the values: send its key' },
  multivaluelist: { zh: '可选多项，每项一个 attribute[code][]=key', en: 'Any of the values: one attribute[code][]=key for each' },
};

function serviceOf(c: Category, locale: Locale | null): ServiceT {
  const en = locale === 'en';
  return {
    service_code: c.code,
    service_name: en ? c.nameEn : c.name,
    description: en ? `${c.nameEn} (${c.name})` : `${c.name}（${c.nameEn}）`,
    metadata: c.fields.length > 0,
    type: 'realtime',
    keywords: c.keywords.join(', '),
    group: en ? c.groupNameEn : c.groupName,
  };
}

export async function discovery(deps: Open311Deps, url: string): Promise<DiscoveryT> {
  const cats = await listCategories(deps.ctx.database.db, { includeInactive: true });
  const changeset = w3c(new Date(Math.max(Date.UTC(2026, 0, 1), ...cats.map((c) => c.updatedAt.getTime()))));
  return {
    changeset,
    contact: 'Ping’an 平安 — 请联系所在县（市、区）综治中心 / contact the governance center of your county; API documentation at /docs',
    key_service: 'API 密钥由所在县（市、区）的安全管理员签发（需 events.report 权限；读取更新另需 events.read）/ API keys are issued by your county’s security administrator (POST /api/v1/keys) with events.report, and events.read for service request updates',
    endpoints: [{ specification: SPECIFICATION, url, changeset, type: 'production', formats: ['text/xml', 'application/json'] }],
  };
}

export async function services(deps: Open311Deps, p: Params): Promise<ServiceT[]> {
  await publicJurisdiction(deps, p);
  const locale = localeOf(p);
  return (await listCategories(deps.ctx.database.db)).map((c) => serviceOf(c, locale));
}

export async function serviceDefinition(deps: Open311Deps, code: string, p: Params): Promise<ServiceDefinitionT> {
  await publicJurisdiction(deps, p);
  const locale = localeOf(p);
  const c = /^\d{4}$/.test(code) ? await getCategory(deps.ctx.database.db, code).catch(() => null) : null;
  if (!c || !c.active) throw fail(404, `未找到服务 service_code ${code}`, `service_code ${code} was not found`);
  return {
    service_code: c.code,
    attributes: c.fields.map((f, i) => ({
      variable: true,
      code: f.code,
      datatype: f.type,
      required: f.required,
      datatype_description: f.description ? pick(f.description, locale) : pick(TYPE_HINTS[f.type], locale),
      order: i + 1,
      description: pick(f.name, locale),
      ...(f.values ? { values: f.values.map((v) => ({ key: v.key, name: pick(v.name, locale) })) } : {}),
    })),
  };
}

// --- POST requests

const LEVEL_RANK: Record<string, number> = { township: 1, village: 2, grid: 3 };

/**
 * The place an address_string names: a township (街道, 镇, 乡), village or community (村, 社区) or
 * grid of the jurisdiction, found with the org search by each part of the address (split at
 * spaces and commas); within a county also when the names are written together
 * (浙江省杭州市西湖区北山街道曙光社区12号). The most precise one wins.
 */
async function placeByAddress(deps: Open311Deps, address: string, jur: Area): Promise<string> {
  const db = deps.ctx.database.db;
  const found = new Map<string, { code: string; name: string; level: string }>();
  const parts = [...new Set(address.split(/[\s,，、;；/|]+/).map((s) => s.trim()).filter((s) => s.length >= 2))].slice(0, 12);
  for (const part of parts) {
    for (const u of await org.searchUnits(db, { text: part, kind: 'area', limit: 20, within: jur.path })) {
      if (LEVEL_RANK[u.level] && u.name === part) found.set(u.code, u);
    }
  }
  if (!found.size && (jur.level === 'county' || jur.level === 'township')) {
    for (const level of ['township', 'village'] as const) {
      for (const u of await org.areasOfLevel(db, level, jur.code)) if (u.name.length >= 2 && address.includes(u.name)) found.set(u.code, { ...u, level });
    }
  }
  const all = [...found.values()];
  const best = Math.max(0, ...all.map((u) => LEVEL_RANK[u.level]));
  let top = all.filter((u) => LEVEL_RANK[u.level] === best);
  // two villages of one name: the one under a township the address also names
  if (top.length > 1) {
    const under = top.filter((u) => all.some((a) => LEVEL_RANK[a.level] < best && u.code.startsWith(a.code)));
    if (under.length) top = under;
  }
  if (!top.length) {
    throw fail(400, `address_string「${address}」中没有找到 ${jur.name} 的乡镇（街道）、村（社区）或网格名称；请发送 lat/long 或 address_id`,
      `address_string "${address}" names no township, village, community or grid of ${jur.name}; send lat and long, or address_id`);
  }
  if (top.length > 1) {
    const names = top.slice(0, 3).map((u) => `${u.name} (${u.code})`).join(', ');
    throw fail(400, `address_string 对应多个地点：${names}；请写明所在乡镇（街道），或发送 address_id`, `address_string matches several places: ${names}; add the township, or send address_id`);
  }
  return top[0].code;
}

const COORD = /^[-+]?\d{1,3}(\.\d{1,15})?$/;
const CJK = /^[\u3400-\u9fff\u3000-\u303f·]+$/;

/** first_name + last_name as one name: Chinese names family name first without a space (王 + 小明 → 王小明). */
export function fullName(first: string | undefined, last: string | undefined): string | undefined {
  if (!first && !last) return undefined;
  if (first && last && CJK.test(first) && CJK.test(last)) return `${last}${first}`;
  return [first, last].filter(Boolean).join(' ');
}

function urlOf(p: Params, name: string): string | undefined {
  const v = text(p, name, 2000);
  if (v === undefined) return undefined;
  let ok = false;
  try {
    ok = ['http:', 'https:'].includes(new URL(v).protocol);
  } catch { /* not a URL */ }
  if (!ok) throw fail(400, `${name} 应为 http 或 https 链接`, `${name} must be an http or https URL`);
  return v;
}

export interface Created {
  replayed: boolean;
  doc: CreatedRequestT;
}

/** `media`: the bytes of a photo sent with the report (multipart), stored as the case's photo. */
export async function createRequest(deps: Open311Deps, p: Params, meta: RequestMeta, idempotencyKey: string | undefined, bearer: Actor | null, media?: Buffer): Promise<Created> {
  const { ctx } = deps;
  const db = ctx.database.db;
  const key = await keyOf(deps, p, bearer, 'events.report');
  const jur = await keyJurisdiction(deps, p, key);
  const locale = localeOf(p);

  const code = one(p, 'service_code');
  if (!code) throw fail(400, '未提供 service_code', 'service_code was not provided');
  const category = /^\d{4}$/.test(code) ? await getCategory(db, code).catch(() => null) : null;
  if (!category || !category.active) throw fail(400, `未找到服务 service_code ${code}`, `service_code ${code} was not found`);

  // the spec makes the description optional; a case needs one: the service's name stands in
  const description = text(p, 'description', MAX_DESCRIPTION, true) ?? category.name;
  const address = text(p, 'address_string', 200);
  const addressId = one(p, 'address_id');
  const latText = one(p, 'lat'), longText = one(p, 'long');

  const input: IntakeInput = { categoryCode: category.code, description };
  if (latText !== undefined || longText !== undefined) {
    const lat = Number(latText), lon = Number(longText);
    if (!latText || !longText || !COORD.test(latText) || !COORD.test(longText) || Math.abs(lat) > 90 || Math.abs(lon) > 180) {
      throw fail(400, 'lat 和 long 须同时给出，为 WGS-84 十进制度数', 'lat and long must both be given, as WGS-84 decimal degrees');
    }
    const found = ctx.locator.find(lon, lat);
    if (!found) throw fail(400, `位置（${lat}, ${lon}）不在本系统服务范围内`, `The location (${lat}, ${lon}) is outside the area this server serves`);
    if (!(found.grid ?? found.village ?? found.township ?? found.county).code.startsWith(jur.code)) {
      throw fail(400, `位置（${lat}, ${lon}）不在 jurisdiction_id ${jur.code}（${jur.name}）内`, `The location (${lat}, ${lon}) is outside jurisdiction_id ${jur.code} (${jur.name})`);
    }
    input.location = { lon, lat };
  } else if (addressId) {
    const unit = await org.getUnit(db, addressId).catch(() => null);
    if (!unit || unit.kind !== 'area' || !LEVEL_RANK[unit.level] || !unit.code.startsWith(jur.code)) {
      throw fail(400, `address_id ${addressId} 不是 ${jur.name} 的乡镇（街道）、村（社区）或网格代码`, `address_id ${addressId} is not the code of a township, village or grid of ${jur.name}`);
    }
    input.unitCode = unit.code;
  } else if (address) {
    input.unitCode = await placeByAddress(deps, address, jur);
  } else {
    throw fail(400, '请提供位置：lat 和 long，或 address_string，或 address_id', 'A location is required: lat and long, address_string, or address_id');
  }
  if (address) input.address = address;

  const attributes = attributesOf(p);
  if (Object.keys(attributes).length) input.attributes = attributes;
  const name = fullName(text(p, 'first_name', 50), text(p, 'last_name', 50));
  if (name && [...name].length > 50) throw fail(400, 'first_name 与 last_name 合计不能超过 50 个字符', 'first_name and last_name together may not exceed 50 characters');
  const phone = text(p, 'phone', 30);
  if (name || phone) input.caller = { ...(name ? { name } : {}), ...(phone ? { phone } : {}) };
  const email = text(p, 'email', 254);
  if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw fail(400, 'email 格式不正确', 'email is not an email address');
  const deviceId = text(p, 'device_id', 100);
  const accountId = text(p, 'account_id', 100);
  const mediaUrl = urlOf(p, 'media_url');
  if (mediaUrl) input.note = `media_url: ${mediaUrl}`;
  if (truthy(one(p, 'anonymous')) || truthy(one(p, 'public_anonymity_required'))) input.anonymous = true;

  // checked like the API's photos (the type by its bytes, the size, the pixels) before anything is written
  const photo = media ? await processImage(media, 'media') : undefined;

  // what Open311 adds to the case (and the photo) is written in the intake's own transaction
  const r = await reportEvent(ctx, key, input, meta, idempotencyKey, async (tx, eventId, transitionId) => {
    await repo.saveRequestExtra(tx, {
      eventId, keyId: key.id, mediaUrl: mediaUrl ?? null, emailEnc: email ? ctx.crypto.encrypt(email, EMAIL_CONTEXT) : null, deviceId: deviceId ?? null, accountId: accountId ?? null,
    });
    if (photo) await attachReportPhoto(ctx, tx, key, photo, meta, eventId, transitionId);
  });
  const id = r.event.id;
  const batch = truthy(one(p, 'batch'));
  const handle = batch ? { token: await repo.tokenFor(db, id, key.id) } : { service_request_id: String(id) };
  return { replayed: r.replayed, doc: { ...handle, service_notice: pick(category.closure, locale), account_id: accountId ?? null } };
}

// --- GET requests

async function categoryMap(deps: Open311Deps): Promise<Map<string, Category>> {
  return new Map((await listCategories(deps.ctx.database.db, { includeInactive: true })).map((c) => [c.code, c]));
}

/** A category's publication; one that is not (yet) known is private. */
const publicationOf = (cats: Map<string, Category>, code: string) => cats.get(code)?.publication ?? 'private';

/** The codes of the categories whose cases are published at all (of `wanted`, when given). */
const publishedCodes = (cats: Map<string, Category>, wanted?: string[]) => (wanted ?? [...cats.keys()]).filter((c) => publicationOf(cats, c) !== 'private');

/** A note meant for the public, personal data hidden. */
const publicNote = (t: { action: string; note: string | null }) => (PUBLIC_NOTE_ACTIONS.has(t.action) && t.note ? redact(t.note) : null);

function requestOf(v: CaseView, timeline: TimelineEntry[], mediaUrl: string | null, category: Category | undefined, locale: Locale | null, extensions: boolean): ServiceRequestT {
  // counted: only that there is such a case in the township — no point, address, description or notes
  const counted = (category?.publication ?? 'private') !== 'public';
  const noteOf = (t: TimelineEntry) => (counted ? null : publicNote(t));
  const status = openOrClosed(v.status);
  let updated = v.updatedAt;
  if (v.status === 'closed' && v.closedAt) updated = v.closedAt;
  else if (status === 'closed') updated = timeline.findLast((t) => t.to === v.status && t.from !== t.to)?.at ?? v.updatedAt;
  const request: ServiceRequestT = {
    service_request_id: String(v.id),
    status,
    status_notes: timeline.map(noteOf).findLast((n) => n !== null) ?? null,
    service_name: locale === 'en' ? v.category.nameEn : v.category.name,
    service_code: v.category.code,
    description: counted ? null : redact(v.description),
    // the unit doing it may be a grid's: a counted case names its township's handler or center
    agency_responsible: (counted ? null : v.assignee.unit?.name) ?? v.handler?.name ?? v.owner.name,
    service_notice: category ? pick(category.closure, locale) : null,
    requested_datetime: w3c(v.createdAt),
    updated_datetime: w3c(updated),
    expected_datetime: v.dueAt ? w3c(v.dueAt) : null,
    address: counted ? null : redact(v.address ?? v.area.name),
    address_id: counted ? v.area.township ?? v.area.county : v.area.grid ?? v.area.village ?? v.area.township ?? v.area.county,
    zipcode: null,
    lat: counted ? null : v.location?.lat ?? null,
    long: counted ? null : v.location?.lon ?? null,
    media_url: counted ? null : mediaUrl,
  };
  if (extensions) {
    request.extended_attributes = {
      state: v.status,
      state_name: pick(v.statusName, locale),
      deadline_state: v.deadline.state,
      merged_into: v.mergedInto ? String(v.mergedInto) : null,
      notes: timeline.filter((t) => t.action in UPDATE_STATUS).map((t) => ({
        update_id: String(t.id), action: t.action, status: updateStatus(t.action, t.to), datetime: w3c(t.at), description: noteOf(t),
      })),
    };
  }
  return request;
}

/** The documents of the cases that are published (a private category's are left out). */
async function requestsOf(deps: Open311Deps, actor: Actor, all: CaseView[], p: Params, cats: Map<string, Category>): Promise<ServiceRequestT[]> {
  const db = deps.ctx.database.db;
  const views = all.filter((v) => publicationOf(cats, v.category.code) !== 'private');
  const ids = views.map((v) => v.id);
  const [timeline, media] = await Promise.all([ids.length ? timelineView(db, actor, ids, []) : [], repo.mediaUrls(db, ids)]);
  const byCase = new Map<number, TimelineEntry[]>();
  for (const t of timeline) byCase.set(t.eventId, [...(byCase.get(t.eventId) ?? []), t]);
  const locale = localeOf(p);
  const extensions = truthy(one(p, 'extensions'));
  return views.map((v) => requestOf(v, byCase.get(v.id) ?? [], media.get(v.id) ?? null, cats.get(v.category.code), locale, extensions));
}

const CASE_ID = /^\d{1,15}$/;

export async function listRequests(deps: Open311Deps, p: Params): Promise<ServiceRequestT[]> {
  const { ctx } = deps;
  const jur = await publicJurisdiction(deps, p);
  const r = reader(jur);
  const ids = list(p, 'service_request_id');
  if (ids) {
    // the ids override every other filter but the jurisdiction
    if (ids.length > MAX_IDS) throw fail(400, `service_request_id 一次最多 ${MAX_IDS} 个`, `At most ${MAX_IDS} service_request_id at once`);
    const bad = ids.find((id) => !CASE_ID.test(id));
    if (bad) throw fail(400, `service_request_id「${bad}」不是案件编号`, `service_request_id ${bad} is not a request id`);
    const views: CaseView[] = [];
    for (const id of ids) views.push(...(await listCases(ctx, r, { q: `#${Number(id)}`, limit: 1 })).items);
    return requestsOf(deps, r, views, p, await categoryMap(deps));
  }
  const codes = list(p, 'service_code');
  const badCode = codes?.find((c) => !/^\d{4}$/.test(c));
  if (badCode) throw fail(400, `service_code「${badCode}」不是服务代码（4 位数字）`, `service_code ${badCode} is not a service code (4 digits)`);
  const statuses = list(p, 'status')?.map((s) => s.toLowerCase());
  const badStatus = statuses?.find((s) => s !== 'open' && s !== 'closed');
  if (badStatus) throw fail(400, `status 只能是 open 或 closed，而不是「${badStatus}」`, `status must be open or closed, not ${badStatus}`);
  const { from, to } = dateRange(p, ctx.now());
  const { page, pageSize } = paging(p);
  const skip = (page - 1) * pageSize;
  if (skip + pageSize > MAX_DEPTH) throw fail(400, `page × page_size 不能超过 ${MAX_DEPTH}；请缩小 start_date 与 end_date 的范围`, `page × page_size may not exceed ${MAX_DEPTH}; narrow start_date and end_date instead`);
  const ours = statuses?.length === 1 ? (statuses[0] === 'open' ? OPEN_STATES : CLOSED_STATES) : undefined;
  const cats = await categoryMap(deps);
  const published = publishedCodes(cats, codes);
  if (!published.length) return [];
  const res = await listCases(ctx, r, {
    category: published.join(','), status: ours?.join(','), from: from.toISOString(), to: new Date(to.getTime() + 1).toISOString(), limit: skip + pageSize,
  });
  return requestsOf(deps, r, res.items.slice(skip), p, cats);
}

/** A published case of the jurisdiction by its id, or 404 (a private one as well). */
async function publishedCase(deps: Open311Deps, r: Actor, id: number | null, cats: Map<string, Category>): Promise<CaseView | null> {
  const found = id !== null ? (await listCases(deps.ctx, r, { q: `#${id}`, limit: 1 })).items : [];
  return found.find((v) => publicationOf(cats, v.category.code) !== 'private') ?? null;
}

export async function getRequest(deps: Open311Deps, id: string, p: Params): Promise<ServiceRequestT[]> {
  const jur = await publicJurisdiction(deps, p);
  const r = reader(jur);
  const cats = await categoryMap(deps);
  const found = await publishedCase(deps, r, CASE_ID.test(id) ? Number(id) : null, cats);
  if (!found) throw fail(404, `未找到 service_request_id ${id}`, `service_request_id ${id} was not found`);
  return requestsOf(deps, r, [found], p, cats);
}

export async function tokenResult(deps: Open311Deps, token: string, p: Params): Promise<TokenResultT[]> {
  const jur = await publicJurisdiction(deps, p);
  const id = /^[0-9a-f]{24}$/.test(token) ? await repo.eventOfToken(deps.ctx.database.db, token) : null;
  const found = await publishedCase(deps, reader(jur), id, await categoryMap(deps));
  if (!found) throw fail(404, `未找到 token ${token}`, `token ${token} was not found`);
  return [{ service_request_id: String(id), token }];
}

// --- service request updates (mySociety)

export async function listUpdates(deps: Open311Deps, p: Params, bearer: Actor | null): Promise<RequestUpdateT[]> {
  const key = await keyOf(deps, p, bearer, 'events.read');
  const jur = await keyJurisdiction(deps, p, key);
  const { from, to } = dateRange(p, deps.ctx.now());
  const { page, pageSize } = paging(p);
  const cats = await categoryMap(deps);
  const rows = await timelineBetween(deps.ctx, key, {
    org: jur.code, from, to: new Date(to.getTime() + 1), actions: UPDATE_ACTIONS, categories: publishedCodes(cats), limit: pageSize, offset: (page - 1) * pageSize,
  });
  return rows.map((t) => ({
    update_id: String(t.id),
    service_request_id: String(t.eventId),
    status: updateStatus(t.action, t.toStatus),
    updated_datetime: w3c(t.at),
    description: publicationOf(cats, t.categoryCode) === 'public' ? publicNote(t) : null,
    media_url: null,
    external_status_code: t.action,
  }));
}

export interface PostedUpdate {
  replayed: boolean;
  updateId: string;
}

/**
 * A citizen's update through the client: more information on an open case (add_info), or a
 * closed case reopened (status OPEN, REOPEN or another open status; within 7 days). The key acts
 * as the case's reporter, so it may do this for the cases it reported.
 */
export async function postUpdate(deps: Open311Deps, p: Params, meta: RequestMeta, bearer: Actor | null): Promise<PostedUpdate> {
  const { ctx } = deps;
  const db = ctx.database.db;
  const key = await keyOf(deps, p, bearer, 'events.report');
  const jur = await keyJurisdiction(deps, p, key);
  const id = one(p, 'service_request_id');
  if (!id) throw fail(400, '未提供 service_request_id', 'service_request_id was not provided');
  const clientId = text(p, 'update_id', 100);
  const status = (one(p, 'status') ?? 'OPEN').toUpperCase() as ExtendedStatus;
  if (!(EXTENDED_STATUSES as readonly string[]).includes(status)) throw fail(400, `未知的 status：${status}`, `Unknown status: ${status}`);
  const description = text(p, 'description', 1900, true);
  const mediaUrl = urlOf(p, 'media_url');
  if (!description && !mediaUrl) throw fail(400, '请填写 description', 'description was not provided');
  const note = [description, mediaUrl ? `media_url: ${mediaUrl}` : undefined].filter(Boolean).join('\n');

  if (clientId) {
    const prior = await repo.findUpdate(db, key.id, clientId);
    if (prior) {
      if (String(prior.eventId) !== id) throw fail(400, `update_id ${clientId} 已用于另一个请求`, `update_id ${clientId} was already used for another request`);
      return { replayed: true, updateId: String(prior.transitionId) };
    }
  }
  const find = async () => {
    const found = CASE_ID.test(id) ? (await listCases(ctx, key, { q: `#${Number(id)}`, limit: 1 })).items.filter((v) => inArea(v, jur)) : [];
    if (!found.length) throw fail(404, `未找到 service_request_id ${id}`, `service_request_id ${id} was not found`);
    return found[0];
  };
  let v = await find();
  const action = v.status === 'closed' && !CLOSING_STATUSES.includes(status) ? 'reopen' : 'add_info';
  const before = Math.max(0, ...(await timelineView(db, key, [v.id], [])).map((t) => t.id));
  try {
    await act(ctx, key, v.id, action, { version: v.version, note }, meta);
  } catch (err) {
    // changed meanwhile: once more with the new version
    if ((err as { code?: string; field?: string }).code !== 'CONFLICT' || (err as { field?: string }).field !== 'version') throw err;
    v = await find();
    await act(ctx, key, v.id, action, { version: v.version, note }, meta);
  }
  const row = (await timelineView(db, key, [v.id], [])).find((t) => t.id > before && t.action === action && t.actor.kind === 'key' && t.note === note);
  const updateId = row!.id;
  if (clientId) await repo.saveUpdate(db, key.id, clientId, v.id, updateId);
  return { replayed: false, updateId: String(updateId) };
}

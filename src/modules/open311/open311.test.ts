/**
 * Open311 GeoReport v2 as a third-party client sees it, on the real app and database: every JSON
 * response validated against JSON Schemas written here from the spec (ajv), every XML response
 * parsed (fast-xml-parser) and compared field by field with its JSON twin. The round trip:
 * discovery → services → definition → POST (JSON and XML) → GET → the case worked in Ping'an to
 * closure → GET shows it → service request updates → a citizen's update (add info, reopen).
 * Then every error case, and that public reads carry no personal data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { XMLParser } from 'fast-xml-parser';
import { sql } from 'drizzle-orm';
import { rows } from '../../platform/db/database.js';
import { testDatabase } from '../../test-support/test-db.js';
import { testApp, testClock, type Client } from '../../test-support/app.js';
import { createKey } from '../accounts/index.js';
import sharp from 'sharp';
import { pixelBomb } from '../../test-support/images.js';

const database = await testDatabase('fixture');
const clock = testClock(new Date('2026-06-10T02:00:00Z')); // 10:00 in Zhejiang
const t = await testApp(database, {}, { now: clock.now });
afterAll(async () => { await t.app.close(); await database.drop(); });

const V2 = '/open311/v2';

// --- JSON Schemas of the spec (GeoReport v2, and mySociety's service request updates)

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;
const ajv = addFormats(new Ajv({ allErrors: true, strict: true, strictRequired: false }));
const str = { type: 'string' };
const strOrNull = { type: ['string', 'null'] };
const W3C = { type: 'string', format: 'date-time', pattern: '(Z|[+-]\\d\\d:\\d\\d)$' };
const record = (required: string[], properties: Record<string, object>, all = true) => ({
  type: 'object', additionalProperties: false, required: all ? Object.keys(properties) : required, properties,
});
const listOf = (item: object, extra: object = {}) => ({ type: 'array', items: item, ...extra });
const EXTENDED = ['OPEN', 'INVESTIGATING', 'IN_PROGRESS', 'ACTION_SCHEDULED', 'FIXED', 'CLOSED', 'DUPLICATE', 'NOT_COUNCILS_RESPONSIBILITY', 'NO_FURTHER_ACTION', 'INTERNAL_REFERRAL', 'FOR_TRIAGE', 'CANCELLED', 'REOPEN'];

const SPEC = {
  errors: listOf(record([], { code: { type: 'integer' }, description: { type: 'string', minLength: 1 } }), { minItems: 1 }),
  discovery: record([], {
    changeset: W3C, contact: str, key_service: str,
    endpoints: listOf(record([], {
      specification: { const: 'http://wiki.open311.org/GeoReport_v2' }, url: { type: 'string', format: 'uri' }, changeset: W3C,
      type: { enum: ['production', 'test'] }, formats: listOf({ enum: ['text/xml', 'application/json'] }, { minItems: 1 }),
    }), { minItems: 1 }),
  }),
  services: listOf(record([], {
    service_code: str, service_name: str, description: str, metadata: { type: 'boolean' }, type: { enum: ['realtime', 'batch', 'blackbox'] }, keywords: str, group: str,
  })),
  definition: record([], {
    service_code: str,
    attributes: listOf(record(['variable', 'code', 'datatype', 'required', 'datatype_description', 'order', 'description'], {
      variable: { type: 'boolean' }, code: str, datatype: { enum: ['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist'] },
      required: { type: 'boolean' }, datatype_description: strOrNull, order: { type: 'integer', minimum: 1 }, description: str,
      values: listOf(record([], { key: str, name: str })),
    }, false)),
  }),
  created: listOf({
    type: 'object', additionalProperties: false, required: ['service_notice', 'account_id'],
    properties: { service_request_id: str, token: str, service_notice: strOrNull, account_id: strOrNull },
    oneOf: [{ required: ['service_request_id'], not: { required: ['token'] } }, { required: ['token'], not: { required: ['service_request_id'] } }],
  }, { minItems: 1, maxItems: 1 }),
  token: listOf(record([], { service_request_id: str, token: str }), { minItems: 1, maxItems: 1 }),
  requests: listOf(record(['service_request_id', 'status', 'service_name', 'service_code', 'requested_datetime', 'updated_datetime'], {
    service_request_id: str, status: { enum: ['open', 'closed'] }, status_notes: strOrNull, service_name: str, service_code: str, description: strOrNull,
    agency_responsible: strOrNull, service_notice: strOrNull, requested_datetime: W3C, updated_datetime: W3C, expected_datetime: { anyOf: [W3C, { type: 'null' }] },
    address: strOrNull, address_id: strOrNull, zipcode: strOrNull, lat: { type: ['number', 'null'] }, long: { type: ['number', 'null'] }, media_url: strOrNull,
    // the extensions=true extension
    extended_attributes: { type: 'object' },
  }, false)),
  updates: listOf(record([], {
    update_id: str, service_request_id: str, status: { enum: EXTENDED }, updated_datetime: W3C, description: strOrNull, media_url: strOrNull, external_status_code: strOrNull,
  })),
  posted: listOf(record([], { update_id: str }), { minItems: 1, maxItems: 1 }),
};
const validators = Object.fromEntries(Object.entries(SPEC).map(([k, s]) => [k, ajv.compile(s)])) as Record<keyof typeof SPEC, ValidateFunction>;

// --- XML: the spec's element names; lists are repeated items

const ITEMS: Record<string, string> = {
  services: 'service', attributes: 'attribute', values: 'value', service_requests: 'request', errors: 'error', endpoints: 'endpoint', formats: 'format',
  service_requests_updates: 'request_update', service_request_updates: 'request_update', notes: 'note',
};
const parser = new XMLParser({ parseTagValue: false, trimValues: true, isArray: (name) => Object.values(ITEMS).includes(name) });

/** The XML tree equals the JSON document, element by element (Spark: null ↔ empty, lists ↔ repeated items). */
function expectSameTree(xml: unknown, json: unknown, path: string, name: string): void {
  if (json === null) return void expect(xml, path).toBe('');
  if (Array.isArray(json)) {
    const item = ITEMS[name];
    expect(item, `${path}: a list the spec names`).toBeDefined();
    const items = xml === '' ? [] : ((xml as Record<string, unknown[]>)[item] ?? []);
    expect(items.length, `${path}: items`).toBe(json.length);
    json.forEach((j, i) => expectSameTree(items[i], j, `${path}/${item}[${i}]`, item));
    return;
  }
  if (typeof json === 'object') {
    expect(Object.keys(xml as object).sort(), `${path}: elements`).toEqual(Object.keys(json as object).sort());
    for (const [k, v] of Object.entries(json as object)) expectSameTree((xml as Record<string, unknown>)[k], v, `${path}/${k}`, k);
    return;
  }
  expect(xml, path).toBe(String(json));
}

async function call(method: 'GET' | 'POST', url: string, form?: Record<string, string | string[]>, headers: Record<string, string> = {}) {
  const payload = form ? new URLSearchParams(Object.entries(form).flatMap(([k, v]): [string, string][] => (Array.isArray(v) ? v.map((x): [string, string] => [k, x]) : [[k, v]]))).toString() : undefined;
  return t.app.inject({ method, url: `${V2}${url}`, payload, headers: form ? { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', ...headers } : headers });
}

/** A JSON call: the status, the content type, the spec's schema. */
async function json(method: 'GET' | 'POST', url: string, schema: keyof typeof SPEC, status = 200, form?: Record<string, string | string[]>, headers?: Record<string, string>) {
  const res = await call(method, url, form, headers);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  const body = res.json();
  const validate = validators[schema];
  expect(validate(body), `${url} against ${schema}: ${JSON.stringify(validate.errors)}`).toBe(true);
  return body;
}

/** An XML call: the status, the content type, the declaration, the root; returns the root's content. */
async function xml(method: 'GET' | 'POST', url: string, root: string, status = 200, form?: Record<string, string | string[]>, headers?: Record<string, string>) {
  const res = await call(method, url, form, headers);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
  expect(res.headers['content-type']).toBe('text/xml; charset=utf-8');
  expect(res.body.startsWith('<?xml version="1.0" encoding="utf-8"?>\n')).toBe(true);
  const tree = parser.parse(res.body) as Record<string, unknown>;
  expect(Object.keys(tree).filter((k) => k !== '?xml')).toEqual([root]);
  return { tree: tree[root], body: res.body };
}

/** A GET in both formats: the JSON valid, the XML the same tree. */
async function both(url: string, schema: keyof typeof SPEC, root: string, status = 200) {
  const j = await json('GET', url.replace('{f}', 'json'), schema, status);
  const x = await xml('GET', url.replace('{f}', 'xml'), root, status);
  expectSameTree(x.tree, j, root, root);
  return { json: j, xml: x.tree, xmlBody: x.body };
}

/** An error in both formats: the status, and the same code in the body. */
async function expectError(method: 'GET' | 'POST', url: string, status: number, form?: Record<string, string | string[]>, contains?: string) {
  const j = await json(method, url.replace('{f}', 'json'), 'errors', status, form);
  expect(j[0].code).toBe(status);
  if (contains) expect(j[0].description).toContain(contains);
  const x = await xml(method, url.replace('{f}', 'xml'), 'errors', status, form);
  expectSameTree(x.tree, j, 'errors', 'errors');
  return j[0].description as string;
}

// --- the world

type Grid = { code: string; lon: number; lat: number };
const gridOf = async (prefix: string) => (await rows<Grid>(database.db, sql`select u.code, b.lon, b.lat from boundaries b join org_units u on u.id = b.unit_id
  where b.level = 'grid' and u.code like ${`${prefix}%`} order by u.code limit 1`))[0];
const meta = { ip: null, userAgent: 'test' };

let A: Grid, far: Grid; // a grid of 北山街道 (西湖区), and one of 定海区
let TA: string;
let key: string, reportOnly: string, readOnly: string, dinghai: string;
let operator: Client, handler: Client;

beforeAll(async () => {
  TA = '330106002'; // 北山街道
  A = await gridOf(TA);
  far = await gridOf('330902');
  key = (await createKey(t.ctx, null, { name: 'FixMyStreet 杭州', orgCode: '330106', permissions: ['events.report', 'events.read'] }, meta)).secret;
  reportOnly = (await createKey(t.ctx, null, { name: 'report only', orgCode: '330106', permissions: ['events.report'] }, meta)).secret;
  readOnly = (await createKey(t.ctx, null, { name: 'read only', orgCode: '330106', permissions: ['events.read'] }, meta)).secret;
  dinghai = (await createKey(t.ctx, null, { name: '定海区', orgCode: '330902', permissions: ['events.report', 'events.read'] }, meta)).secret;
  operator = await t.as('operator', `${TA}-center`);
  handler = await t.as('handler', `${TA}-platform-public-service`);
});

const ELDER = '0801'; // 困难老人关爱: extra fields (single, multi, text), no photo needed to close
const elderForm = (extra: Record<string, string | string[]> = {}) => ({
  api_key: key, jurisdiction_id: '330106', service_code: ELDER, lat: String(A.lat), long: String(A.lon),
  'attribute[living]': 'alone', 'attribute[needs][]': ['meals', 'company'], 'attribute[situation]': '独居，腿脚不便\n子女在外地',
  description: '独居老人家中断粮，需要上门看望', first_name: '小明', last_name: '王', phone: '13800138000', email: 'xiaoming@example.com',
  device_id: 'device-1', account_id: 'fms-42', media_url: 'https://fixmystreet.example/photo/1.jpeg', ...extra,
});

async function staffStep(c: Client, id: string, action: string, body: Record<string, unknown> = {}) {
  const cur = (await operator.get(`/api/v1/events/${id}`)).json();
  const res = await c.send('POST', `/api/v1/events/${id}/${action}`, { version: cur.version, ...body });
  expect(res.statusCode, `${action}: ${res.body}`).toBe(200);
  return res.json();
}

describe('the round trip of a third-party client', () => {
  let id: string, xmlId: string;
  const w3cOf = (iso: string) => `${new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`;

  it('discovers the endpoint, lists the services and reads a definition', async () => {
    const d = await both('/discovery.{f}', 'discovery', 'discovery');
    expect(d.json.endpoints[0]).toMatchObject({ url: 'http://localhost:80/open311/v2', type: 'production', formats: ['text/xml', 'application/json'] });

    const s = await both('/services.{f}?jurisdiction_id=330106', 'services', 'services');
    expect(s.json.length).toBeGreaterThanOrEqual(40);
    expect(s.json.find((x: { service_code: string }) => x.service_code === ELDER)).toEqual({
      service_code: ELDER, service_name: '困难老人关爱', description: expect.stringContaining('困难老人关爱'), metadata: true, type: 'realtime',
      keywords: expect.any(String), group: '民生服务',
    });
    expect(s.json.find((x: { service_code: string }) => x.service_code === '0101')).toMatchObject({ metadata: false, group: '道路交通' });
    // the same in English, and without a jurisdiction (the province)
    const en = await json('GET', '/services.json?locale=en', 'services');
    expect(en.find((x: { service_code: string }) => x.service_code === ELDER)).toMatchObject({ service_name: expect.stringMatching(/elder/i), group: 'Public services' });

    const def = await both(`/services/${ELDER}.{f}?jurisdiction_id=330106`, 'definition', 'service_definition');
    expect(def.json.service_code).toBe(ELDER);
    expect(def.json.attributes.map((a: { order: number }) => a.order)).toEqual(def.json.attributes.map((_: unknown, i: number) => i + 1));
    const living = def.json.attributes.find((a: { code: string }) => a.code === 'living');
    expect(living).toMatchObject({ variable: true, datatype: 'singlevaluelist', required: true, values: expect.arrayContaining([{ key: 'alone', name: expect.any(String) }]) });
    expect(def.json.attributes.find((a: { code: string }) => a.code === 'needs')).toMatchObject({ datatype: 'multivaluelist', required: true });
    expect(def.json.attributes.find((a: { code: string }) => a.code === 'situation')).toMatchObject({ datatype: 'text', required: false });
    expect(def.json.attributes.find((a: { code: string }) => a.code === 'situation').values).toBeUndefined();
    // a service without fields has an empty definition
    expect((await both('/services/0101.{f}', 'definition', 'service_definition')).json).toEqual({ service_code: '0101', attributes: [] });
  });

  it('creates requests in JSON (a point) and in XML (an address), through the same intake', async () => {
    const created = await json('POST', '/requests.json', 'created', 201, elderForm());
    id = created[0].service_request_id;
    expect(created[0]).toEqual({ service_request_id: expect.stringMatching(/^\d+$/), service_notice: expect.any(String), account_id: 'fms-42' });

    // Ping'an routed it like any report: the grid, the township center, the category's platform; the caller as reporter
    const c = (await operator.get(`/api/v1/events/${id}`)).json();
    expect(c).toMatchObject({
      status: 'reported', channel: 'integration', category: { code: ELDER }, area: { grid: A.code, township: TA, county: '330106' },
      owner: { code: `${TA}-center` }, handler: { code: `${TA}-platform-public-service` },
      attributes: { living: 'alone', needs: ['meals', 'company'], situation: '独居，腿脚不便\n子女在外地' },
      reporter: { name: '王小明', phone: '138****8000', anonymous: false },
    });
    expect(c.timeline[0]).toMatchObject({ action: 'report', note: 'media_url: https://fixmystreet.example/photo/1.jpeg', actor: { kind: 'key', name: 'FixMyStreet 杭州' } });
    // the phone is stored encrypted, the email encrypted in the open311 table
    const [stored] = await rows<{ enc: string; email: string }>(database.db, sql`select e.reporter_phone_enc as enc, o.email_enc as email from events e join open311_requests o on o.event_id = e.id where e.id = ${Number(id)}`);
    expect(stored.enc).not.toContain('13800138000');
    expect(stored.email).not.toContain('xiaoming');
    const [audit] = await rows<{ n: number }>(database.db, sql`select count(*)::int as n from audit_log where action = 'event.report' and target_id = ${id}`);
    expect(audit.n).toBe(1);

    const x = await xml('POST', '/requests.xml', 'service_requests', 201, {
      api_key: key, jurisdiction_id: '330106', service_code: '0804', address_string: '杭州市西湖区北山街道宝石社区 保俶路12号', description: '整栋楼停电两小时',
    });
    const request = (x.tree as { request: Record<string, unknown>[] }).request;
    expect(request).toHaveLength(1);
    expect(Object.keys(request[0]).sort()).toEqual(['account_id', 'service_notice', 'service_request_id']);
    xmlId = request[0].service_request_id as string;
    expect(xmlId).toMatch(/^\d+$/);
    expect(request[0].account_id).toBe('');
    expect((await operator.get(`/api/v1/events/${xmlId}`)).json()).toMatchObject({ area: { village: '330106002052', grid: null }, address: '杭州市西湖区北山街道宝石社区 保俶路12号', location: null });

    // the parts of an address given separately, and an address_id
    const parts = await json('POST', '/requests.json', 'created', 201, { api_key: key, service_code: '0804', address_string: '宝石社区, 北山街道', description: '停电' });
    expect((await operator.get(`/api/v1/events/${parts[0].service_request_id}`)).json().area.village).toBe('330106002052');
    const byId = await json('POST', '/requests.json', 'created', 201, { api_key: key, service_code: '0804', address_id: '330106002053', description: '停电' });
    expect((await operator.get(`/api/v1/events/${byId[0].service_request_id}`)).json().area.village).toBe('330106002053');
  });

  it('shows the request by id, without anything personal', async () => {
    const r = await both(`/requests/${id}.{f}?jurisdiction_id=330106`, 'requests', 'service_requests');
    expect(r.json).toEqual([{
      service_request_id: id, status: 'open', status_notes: null, service_name: '困难老人关爱', service_code: ELDER, description: '独居老人家中断粮，需要上门看望',
      agency_responsible: `${'北山街道'}便民服务平台`, service_notice: expect.any(String), requested_datetime: '2026-06-10T10:00:00+08:00',
      updated_datetime: '2026-06-10T10:00:00+08:00', expected_datetime: null, address: expect.any(String), address_id: A.code, zipcode: null,
      lat: A.lat, long: A.lon, media_url: 'https://fixmystreet.example/photo/1.jpeg',
    }]);
    for (const secret of ['王小明', '小明', '13800138000', '138****8000', 'xiaoming', 'device-1', 'fms-42', 'FixMyStreet 杭州']) {
      expect(JSON.stringify(r.json)).not.toContain(secret);
      expect(r.xmlBody).not.toContain(secret);
    }
  });

  it('follows the case through Ping’an to closure: status, notes, updated and expected times', async () => {
    clock.advance(10 * 60_000);
    await staffStep(operator, id, 'accept', { note: '已受理，将安排上门' });
    clock.advance(5 * 60_000);
    const dispatched = await staffStep(operator, id, 'dispatch', { note: '内部：请带米面油' });
    clock.advance(5 * 60_000);
    await staffStep(handler, id, 'sign');
    let r = (await json('GET', `/requests/${id}.json`, 'requests'))[0];
    expect(r).toMatchObject({ status: 'open', status_notes: '已受理，将安排上门', expected_datetime: w3cOf(dispatched.dueAt), updated_datetime: '2026-06-10T10:20:00+08:00' });
    expect(r.agency_responsible).toBe(dispatched.assignee.unit.name);

    clock.advance(60 * 60_000);
    await staffStep(handler, id, 'report-handled', { note: '已上门看望，送去米面油' });
    clock.advance(30 * 60_000);
    const closed = await staffStep(operator, id, 'verify-pass', { note: '回访老人，表示满意' });
    expect(closed.status).toBe('closed');
    clock.advance(5 * 60_000);

    const after = await both(`/requests/${id}.{f}?extensions=true`, 'requests', 'service_requests');
    r = after.json[0];
    expect(r).toMatchObject({ status: 'closed', status_notes: '回访老人，表示满意', updated_datetime: '2026-06-10T11:50:00+08:00' });
    expect(r.updated_datetime).toBe(w3cOf(closed.closedAt));
    expect(r.extended_attributes).toMatchObject({ state: 'closed', state_name: '已结案', deadline_state: 'normal', merged_into: null });
    expect(r.extended_attributes.notes.map((n: { action: string; status: string }) => [n.action, n.status])).toEqual([
      ['accept', 'INVESTIGATING'], ['dispatch', 'ACTION_SCHEDULED'], ['sign', 'IN_PROGRESS'], ['report_handled', 'IN_PROGRESS'], ['verify_pass', 'FIXED'],
    ]);
    // internal notes stay inside: the dispatch instruction is not public
    expect(r.extended_attributes.notes[1].description).toBeNull();
    expect(after.xmlBody).not.toContain('内部');

    // in the list: closed, by service code, in the default window
    const closedList = await both(`/requests.{f}?jurisdiction_id=330106&status=closed&service_code=${ELDER}`, 'requests', 'service_requests');
    expect(closedList.json.map((x: { service_request_id: string }) => x.service_request_id)).toEqual([id]);
    const open = (await json('GET', '/requests.json?jurisdiction_id=330106&status=open', 'requests')).map((x: { service_request_id: string }) => x.service_request_id);
    expect(open).toContain(xmlId);
    expect(open).not.toContain(id);
  });

  it('lists the updates with mapped statuses, and takes a citizen’s update: a reopen, then more information', async () => {
    const timeline = (await operator.get(`/api/v1/events/${id}`)).json().timeline as { id: number; action: string }[];
    const u = await both(`/servicerequestupdates.{f}?api_key=${encodeURIComponent(key)}&jurisdiction_id=330106&start_date=2026-06-10T00:00:00%2B08:00&end_date=2026-06-11T00:00:00%2B08:00`, 'updates', 'service_requests_updates');
    const mine = u.json.filter((x: { service_request_id: string }) => x.service_request_id === id);
    expect(mine.map((x: { status: string; external_status_code: string }) => [x.external_status_code, x.status])).toEqual([
      ['accept', 'INVESTIGATING'], ['dispatch', 'ACTION_SCHEDULED'], ['sign', 'IN_PROGRESS'], ['report_handled', 'IN_PROGRESS'], ['verify_pass', 'FIXED'],
    ]);
    expect(mine.map((x: { update_id: string }) => Number(x.update_id))).toEqual(timeline.filter((s) => s.action !== 'report').map((s) => s.id));
    expect(mine[4]).toMatchObject({ updated_datetime: '2026-06-10T11:50:00+08:00', description: '回访老人，表示满意', media_url: null });
    expect(mine[1].description).toBeNull();

    // the client posts the citizen's "it is not done": the closed case reopens
    const reopened = await xml('POST', '/servicerequestupdates.xml', 'service_request_updates', 201, {
      api_key: key, jurisdiction_id: '330106', service_request_id: id, update_id: 'fms-update-1', status: 'OPEN', updated_datetime: '2026-06-10T12:00:00+08:00',
      description: '老人说米面油还没送到', first_name: '小明', last_name: '王', email: 'xiaoming@example.com',
    });
    const reopenId = ((reopened.tree as { request_update: { update_id: string }[] }).request_update)[0].update_id;
    const now = (await operator.get(`/api/v1/events/${id}`)).json();
    expect(now).toMatchObject({ status: 'accepted', reopenCount: 1 });
    expect(now.timeline.at(-1)).toMatchObject({ id: Number(reopenId), action: 'reopen', note: '老人说米面油还没送到', actor: { kind: 'key' } });
    // a retry of that update is the same update
    const again = await json('POST', '/servicerequestupdates.json', 'posted', 200, { api_key: key, service_request_id: id, update_id: 'fms-update-1', status: 'OPEN', description: '老人说米面油还没送到' });
    expect(again).toEqual([{ update_id: reopenId }]);
    expect((await operator.get(`/api/v1/events/${id}`)).json().timeline).toHaveLength(now.timeline.length);

    // the public sees it open again; the updates feed says REOPEN, without the reporter's words
    expect((await json('GET', `/requests/${id}.json`, 'requests'))[0]).toMatchObject({ status: 'open', updated_datetime: '2026-06-10T11:55:00+08:00' });
    const feed = await json('GET', `/servicerequestupdates.json?api_key=${encodeURIComponent(key)}`, 'updates');
    expect(feed.at(-1)).toMatchObject({ update_id: reopenId, service_request_id: id, status: 'REOPEN', description: null, external_status_code: 'reopen' });

    // more information on the open case
    const info = await json('POST', '/servicerequestupdates.json', 'posted', 201, { api_key: key, service_request_id: id, status: 'OPEN', description: '老人电话：换了新号码', media_url: 'https://fixmystreet.example/photo/2.jpeg' });
    const last = (await operator.get(`/api/v1/events/${id}`)).json().timeline.at(-1);
    expect(last).toMatchObject({ id: Number(info[0].update_id), action: 'add_info', note: '老人电话：换了新号码\nmedia_url: https://fixmystreet.example/photo/2.jpeg' });
    expect(JSON.stringify(await json('GET', `/requests/${id}.json?extensions=true`, 'requests'))).not.toContain('新号码');

    // a key that did not report the case is not its reporter
    const other = (await createKey(t.ctx, null, { name: 'another app', orgCode: '330106', permissions: ['events.report', 'events.read'] }, meta)).secret;
    await expectError('POST', '/servicerequestupdates.{f}', 403, { api_key: other, service_request_id: id, description: '我也补充' }, 'reporter');
    // one that may not even read it does not find it
    await expectError('POST', '/servicerequestupdates.{f}', 404, { api_key: reportOnly, service_request_id: id, description: '我也补充' });
    // nor does an update reach a case outside the key's jurisdiction
    await expectError('POST', '/servicerequestupdates.{f}', 404, { api_key: dinghai, service_request_id: id, description: 'x' });
    // a status outside the extension's list, and an update with nothing in it
    await expectError('POST', '/servicerequestupdates.{f}', 400, { api_key: key, service_request_id: id, status: 'BOGUS', description: 'x' }, 'status');
    await expectError('POST', '/servicerequestupdates.{f}', 400, { api_key: key, service_request_id: id, status: 'OPEN' }, 'description');
  });

  it('answers a batch submission with a token, resolved later', async () => {
    const res = await json('POST', '/requests.json?batch=true', 'created', 201, elderForm({ media_url: '' }));
    const token = res[0].token as string;
    expect(res[0].service_request_id).toBeUndefined();
    const r = await both(`/tokens/${token}.{f}?jurisdiction_id=330106`, 'token', 'service_requests');
    expect(r.json).toEqual([{ service_request_id: expect.stringMatching(/^\d+$/), token }]);
    expect((await json('GET', `/requests/${r.json[0].service_request_id}.json`, 'requests'))[0].service_code).toBe(ELDER);
    const x = await xml('POST', '/requests.xml', 'service_requests', 201, { ...elderForm({ media_url: '' }), batch: 'true' });
    expect(Object.keys((x.tree as { request: object[] }).request[0]).sort()).toEqual(['account_id', 'service_notice', 'token']);
    await expectError('GET', '/tokens/0123456789abcdef01234567.{f}', 404);
    await expectError('GET', `/tokens/${token}.{f}?jurisdiction_id=330902`, 404);
  });

  it('returns the first request for a retried Idempotency-Key', async () => {
    const headers = { 'idempotency-key': 'open311-retry-0001' };
    const first = await json('POST', '/requests.json', 'created', 201, elderForm(), headers);
    const again = await json('POST', '/requests.json', 'created', 200, elderForm(), headers);
    expect(again[0].service_request_id).toBe(first[0].service_request_id);
    const other = await json('POST', '/requests.json', 'errors', 400, elderForm({ description: '另一件事' }), headers);
    expect(other[0].description).toContain('Idempotency-Key');
  });

  it('pages, filters by ids and dates, and keeps to the jurisdiction', async () => {
    const all = await json('GET', '/requests.json?jurisdiction_id=330106', 'requests');
    expect(all.length).toBeGreaterThanOrEqual(5);
    const ids = all.map((x: { service_request_id: string }) => x.service_request_id);
    const p2 = await json('GET', '/requests.json?jurisdiction_id=330106&page=2&page_size=2', 'requests');
    expect(p2.map((x: { service_request_id: string }) => x.service_request_id)).toEqual(ids.slice(2, 4));
    const chosen = await both(`/requests.{f}?service_request_id=${ids[0]},${ids[2]}&status=closed&start_date=2020-01-01`, 'requests', 'service_requests');
    expect(chosen.json.map((x: { service_request_id: string }) => x.service_request_id)).toEqual([ids[0], ids[2]]);
    // the city and the province see them; another county does not
    expect((await json('GET', '/requests.json?jurisdiction_id=3301', 'requests')).length).toBe(all.length);
    expect((await json('GET', '/requests.json?jurisdiction_id=330100000000', 'requests')).length).toBe(all.length);
    expect((await json('GET', '/requests.json', 'requests')).length).toBe(all.length);
    expect(await json('GET', '/requests.json?jurisdiction_id=330902', 'requests')).toEqual([]);
    expect(await json('GET', `/requests.json?jurisdiction_id=330902&service_request_id=${ids[0]}`, 'requests')).toEqual([]);
    await expectError('GET', `/requests/${ids[0]}.{f}?jurisdiction_id=330902`, 404);
    // an empty list in XML is an empty element
    expect((await xml('GET', '/requests.xml?jurisdiction_id=330902', 'service_requests')).tree).toBe('');
    // a window before everything, and one ending in it
    expect(await json('GET', '/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-03-01T00:00:00Z', 'requests')).toEqual([]);
    expect((await json('GET', '/requests.json?end_date=2026-06-10T10:00:00%2B08:00', 'requests')).length).toBeGreaterThan(0);
  });
});

describe('errors, as the spec writes them', () => {
  it('refuses a missing, bad or unfit api_key with 403', async () => {
    const form = elderForm();
    const { api_key: _k, ...noKey } = form;
    expect(await expectError('POST', '/requests.{f}', 403, noKey)).toContain('api_key');
    await expectError('POST', '/requests.{f}', 403, { ...form, api_key: 'pak_000000000000_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' }, 'Invalid api_key');
    await expectError('POST', '/requests.{f}', 403, { ...form, api_key: 'nonsense' });
    await expectError('POST', '/requests.{f}', 403, { ...form, api_key: readOnly }, 'events.report');
    await expectError('POST', '/requests.{f}', 403, { ...form, api_key: dinghai }, '330106');
    await expectError('GET', '/servicerequestupdates.{f}', 403);
    await expectError('GET', `/servicerequestupdates.{f}?api_key=${encodeURIComponent(reportOnly)}`, 403, undefined, 'events.read');
    await expectError('POST', '/servicerequestupdates.{f}', 403, { service_request_id: '1', description: 'x' });
  });

  it('refuses unknown services and jurisdictions', async () => {
    await expectError('POST', '/requests.{f}', 400, elderForm({ service_code: '9999' }), 'service_code');
    await expectError('POST', '/requests.{f}', 400, elderForm({ service_code: '' }), 'service_code');
    await expectError('GET', '/services/9999.{f}', 404, undefined, '9999');
    await expectError('GET', '/services/abc.{f}', 404);
    await expectError('GET', '/services.{f}?jurisdiction_id=999999', 404, undefined, 'jurisdiction_id');
    await expectError('GET', '/requests.{f}?jurisdiction_id=sfgov.org', 404);
    await expectError('GET', '/requests.{f}?jurisdiction_id=330106002', 404); // a township is no jurisdiction
    await expectError('POST', '/requests.{f}', 404, elderForm({ jurisdiction_id: '339999' }));
  });

  it('refuses bad locations, descriptions, attributes and contacts with 400, writing nothing', async () => {
    const count = async () => (await rows<{ n: number }>(database.db, sql`select count(*)::int as n from events`))[0].n;
    const before = await count();
    const { lat: _lat, long: _long, ...noPoint } = elderForm();
    const cases: [Record<string, string | string[]>, string][] = [
      [elderForm({ lat: 'abc' }), 'lat'],
      [{ ...noPoint, lat: String(A.lat) }, 'long'],
      [elderForm({ lat: '95', long: '120' }), 'lat'],
      [elderForm({ lat: '39.9', long: '116.4' }), 'outside'], // Beijing
      [elderForm({ lat: String(far.lat), long: String(far.lon) }), '330106'], // 定海区, outside the jurisdiction
      [noPoint, 'location'],
      [{ ...noPoint, address_string: '火星基地' }, 'address_string'],
      [{ ...noPoint, address_id: '330902' }, 'address_id'],
      [elderForm({ description: '长'.repeat(4001) }), '4,000'],
      [elderForm({ description: 'x\u202ey' }), 'description'],
      [elderForm({ 'attribute[needs][]': ['bogus'] }), 'attribute[needs]'],
      [elderForm({ 'attribute[living]': '' }), 'attribute[living]'],
      [elderForm({ 'attribute[shoe_size]': '42' }), 'attribute[shoe_size]'],
      [elderForm({ phone: '12345' }), 'phone'],
      [elderForm({ email: 'not-an-email' }), 'email'],
      [elderForm({ media_url: 'javascript:alert(1)' }), 'media_url'],
    ];
    for (const [form, words] of cases) await expectError('POST', '/requests.{f}', 400, form, words);
    // JSON is not the form the spec sends
    const asJson = await t.app.inject({ method: 'POST', url: `${V2}/requests.json`, payload: elderForm() });
    expect(asJson.statusCode).toBe(400);
    expect(asJson.json()[0].description).toContain('x-www-form-urlencoded');
    expect(await count()).toBe(before);
  });

  it('refuses bad queries: a span over 90 days, bad dates, statuses, pages and ids', async () => {
    await expectError('GET', '/requests.{f}?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z', 400, undefined, '90');
    await expectError('GET', '/requests.{f}?start_date=2026-06-01T00:00:00Z&end_date=2026-05-01T00:00:00Z', 400, undefined, 'start_date');
    await expectError('GET', '/requests.{f}?start_date=yesterday', 400, undefined, 'start_date');
    await expectError('GET', `/servicerequestupdates.{f}?api_key=${encodeURIComponent(key)}&start_date=2025-01-01T00:00:00Z&end_date=2026-01-01T00:00:00Z`, 400, undefined, '90');
    await expectError('GET', '/requests.{f}?status=pending', 400, undefined, 'status');
    await expectError('GET', '/requests.{f}?page_size=5000', 400, undefined, 'page_size');
    await expectError('GET', '/requests.{f}?page=0', 400, undefined, 'page');
    await expectError('GET', '/requests.{f}?service_code=glass', 400, undefined, 'service_code');
    await expectError('GET', '/requests.{f}?service_request_id=abc', 400, undefined, 'service_request_id');
  });

  it('answers 404 for an unknown request, path or format', async () => {
    await expectError('GET', '/requests/999999999.{f}', 404, undefined, '999999999');
    await expectError('POST', '/servicerequestupdates.{f}', 404, { api_key: key, service_request_id: '999999999', description: 'x' });
    for (const url of ['/services.csv', '/requests/1.txt', '/discovery', '/nothing.json']) {
      const res = await call('GET', url);
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type']).toBe(url.endsWith('.json') ? 'application/json; charset=utf-8' : 'text/xml; charset=utf-8');
    }
    const res = await call('POST', '/requests.yaml', elderForm());
    expect(res.statusCode).toBe(404);
    expect(parser.parse(res.body).errors.error[0]).toEqual({ code: '404', description: expect.stringContaining('/open311/v2/requests.yaml') });
    // and in the asked language
    expect((await json('GET', '/requests/999999999.json?locale=en', 'errors', 404))[0].description).toBe('service_request_id 999999999 was not found');
    expect((await json('GET', '/requests/999999999.json?locale=zh', 'errors', 404))[0].description).toBe('未找到 service_request_id 999999999');
  });
});

describe('privacy', () => {
  it('publishes no reporter’s name, phone or email, whatever the channel, anonymous or not', async () => {
    const hotline = await operator.send('POST', '/api/v1/events', { channel: 'hotline', caller: { name: '李女士', phone: '13512345678' }, categoryCode: '0804', description: '小区停电', location: { lon: A.lon, lat: A.lat } });
    expect(hotline.statusCode, hotline.body).toBe(201);
    const citizen = await t.citizen('13912345678');
    const anon = await citizen.send('POST', '/api/v1/events', { categoryCode: '0804', description: '路灯下停电', location: { lon: A.lon, lat: A.lat }, anonymous: true });
    expect(anon.statusCode, anon.body).toBe(201);
    const anonymous = await json('POST', '/requests.json', 'created', 201, elderForm({ anonymous: 'true', first_name: '秀英', last_name: '张', phone: '13700001111', email: 'zhang@example.com' }));
    expect((await operator.get(`/api/v1/events/${anonymous[0].service_request_id}`)).json().reporter).toEqual({ name: '匿名', phone: null, anonymous: true });

    const list = await both('/requests.{f}?jurisdiction_id=330106&extensions=true', 'requests', 'service_requests');
    const ids = list.json.map((x: { service_request_id: string }) => x.service_request_id);
    expect(ids).toEqual(expect.arrayContaining([String(hotline.json().event.id), String(anon.json().event.id), anonymous[0].service_request_id]));
    for (const secret of ['李女士', '13512345678', '135****5678', '13912345678', '139****5678', '王小明', '13800138000', '138****8000', 'xiaoming', '张秀英', '秀英', '13700001111', 'zhang@', 'fms-42', 'device-1']) {
      expect(list.xmlBody, secret).not.toContain(secret);
      expect(JSON.stringify(list.json), secret).not.toContain(secret);
    }
    // and no attributes (a missing elder's guardian phone would be one)
    for (const attribute of ['alone', 'meals', '腿脚不便']) expect(list.xmlBody).not.toContain(attribute);
  });

  // a family dispute (04) and a suspicious person (03), reported through Open311 with a point and a house number
  const PRIVATE: { group: string; code: string; extra: Record<string, string>; description: string; address: string }[] = [
    { group: '04', code: '0405', extra: { 'attribute[domestic_violence]': 'no' }, description: '夫妻吵架，丈夫酗酒', address: '曙光路5号' },
    { group: '03', code: '0304', extra: {}, description: '楼道里有人撬锁', address: '曙光路7号' },
  ];
  const privateCase = async (c: (typeof PRIVATE)[number]) => {
    const form = { api_key: key, jurisdiction_id: '330106', service_code: c.code, lat: String(A.lat), long: String(A.lon), address_string: c.address, description: c.description, batch: 'true', ...c.extra };
    const token = (await json('POST', '/requests.json', 'created', 201, form))[0].token as string;
    const [{ id }] = await rows<{ id: string }>(database.db, sql`select event_id::text as id from open311_tokens where token = ${token}`);
    return { id, token };
  };
  const staffNote = async (id: string) => staffStep(operator, id, 'accept', { note: '已受理' });
  const updatesOf = async (id: string) => (await json('GET', `/servicerequestupdates.json?api_key=${encodeURIComponent(key)}&jurisdiction_id=330106`, 'updates'))
    .filter((u: { service_request_id: string }) => u.service_request_id === id);
  const putPublication = async (code: string, publication?: string) => {
    const sysadmin = await t.as('sysadmin', '330106-center');
    const c = (await sysadmin.get(`/api/v1/event-categories/${code}`)).json();
    const body = { version: c.version, name: c.name, nameEn: c.nameEn, handler: c.handler, priority: c.priority, limits: c.limits, evidenceRequired: c.evidenceRequired, closure: c.closure, urgent: c.urgent, keywords: c.keywords, fields: c.fields, ...(publication ? { publication } : {}) };
    return sysadmin.send('PUT', `/api/v1/event-categories/${code}`, body);
  };

  it.each(PRIVATE)('leaves a private category’s case ($group, by default) out of the public feed: no point, no address, and its id answers 404 as if it did not exist', async (c) => {
    expect((await t.anonymous('GET', `/api/v1/event-categories/${c.code}`)).json().publication).toBe('private');
    const { id, token } = await privateCase(c);
    await staffNote(id);
    const notFound = await expectError('GET', `/requests/${id}.{f}?jurisdiction_id=330106`, 404);
    expect(notFound).toBe((await expectError('GET', '/requests/999999.{f}?jurisdiction_id=330106', 404)).replaceAll('999999', id));
    const list = await both('/requests.{f}?jurisdiction_id=330106&extensions=true', 'requests', 'service_requests');
    expect(list.json.map((x: { service_request_id: string }) => x.service_request_id)).not.toContain(id);
    for (const secret of [c.description, c.address]) expect(JSON.stringify(list.json) + list.xmlBody).not.toContain(secret);
    expect(await json('GET', `/requests.json?jurisdiction_id=330106&service_code=${c.code}`, 'requests')).toEqual([]);
    expect(await json('GET', `/requests.json?jurisdiction_id=330106&service_request_id=${id}`, 'requests')).toEqual([]);
    await expectError('GET', `/tokens/${token}.{f}?jurisdiction_id=330106`, 404);
    expect(await updatesOf(id)).toEqual([]);
    // staff still have it all
    expect((await operator.get(`/api/v1/events/${id}`)).json()).toMatchObject({ description: c.description, address: c.address, location: { lat: A.lat } });
  });

  it.each(PRIVATE)('shows a “counted” category’s case ($group) as its township only: no lat/long, address, description or notes', async (c) => {
    const put = await putPublication(c.code, 'counted');
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({ publication: 'counted' });
    try {
      const { id, token } = await privateCase(c);
      await staffNote(id);
      const one = await both(`/requests/${id}.{f}?jurisdiction_id=330106&extensions=true`, 'requests', 'service_requests');
      expect(one.json[0]).toMatchObject({ service_request_id: id, service_code: c.code, description: null, address: null, address_id: TA, lat: null, long: null, status_notes: null, media_url: null });
      const notes = one.json[0].extended_attributes.notes as { action: string; description: string | null }[];
      expect(notes.map((n) => n.action)).toContain('accept');
      expect(notes.filter((n) => n.description !== null)).toEqual([]);
      for (const secret of [c.description, c.address, A.code, String(A.lat), '已受理']) expect(JSON.stringify(one.json) + one.xmlBody).not.toContain(secret);
      const listed = (await json('GET', `/requests.json?jurisdiction_id=330106&service_code=${c.code}`, 'requests')).map((x: { service_request_id: string }) => x.service_request_id);
      expect(listed).toContain(id);
      expect(await json('GET', `/tokens/${token}.json?jurisdiction_id=330106`, 'token')).toEqual([{ service_request_id: id, token }]);
      const updates = await updatesOf(id) as { external_status_code: string; description: string | null }[];
      expect(updates.map((u) => u.external_status_code)).toContain('accept');
      expect(updates.filter((u) => u.description !== null)).toEqual([]);

      // an edit that does not name the publication keeps it (the admin page sends none)
      const kept = await putPublication(c.code);
      expect(kept.json()).toMatchObject({ publication: 'counted' });
      // private again: gone from the feed
      expect((await putPublication(c.code, 'private')).json()).toMatchObject({ publication: 'private' });
      await expectError('GET', `/requests/${id}.{f}?jurisdiction_id=330106`, 404);
    } finally {
      await putPublication(c.code, 'private');
    }
  });

  it('keeps a public category’s case whole (the control), and refuses an unknown publication', async () => {
    expect((await t.anonymous('GET', '/api/v1/event-categories/0804')).json().publication).toBe('public');
    const created = await json('POST', '/requests.json', 'created', 201, { api_key: key, jurisdiction_id: '330106', service_code: '0804', lat: String(A.lat), long: String(A.lon), address_string: '曙光路9号', description: '小区门口路灯不亮' });
    const id = created[0].service_request_id;
    const one = await both(`/requests/${id}.{f}?jurisdiction_id=330106`, 'requests', 'service_requests');
    expect(one.json[0]).toMatchObject({ description: '小区门口路灯不亮', address: '曙光路9号', address_id: A.code, lat: A.lat, long: A.lon });
    const bad = await putPublication('0804', 'secret');
    expect(bad.statusCode).toBe(400);
    expect((await t.anonymous('GET', '/api/v1/event-categories/0804')).json().publication).toBe('public');
  });

  it('hides phones, ID numbers, plates and emails typed into descriptions and notes; staff read them as written', async () => {
    const description = '我的电话 138-1234-5678，身份证 33010619900101123X，车牌浙A·12345，邮箱 wang@example.com，曙光路5号';
    const created = await json('POST', '/requests.json', 'created', 201, { api_key: key, jurisdiction_id: '330106', service_code: '0804', lat: String(A.lat), long: String(A.lon), description });
    const id = created[0].service_request_id;
    await staffStep(operator, id, 'accept', { note: '已电话联系 +86 139 1234 5678' });
    const one = await both(`/requests/${id}.{f}?jurisdiction_id=330106&extensions=true`, 'requests', 'service_requests');
    expect(one.json[0].description).toBe('我的电话 [已隐去]，身份证 [已隐去]，车牌[已隐去]，邮箱 [已隐去]，曙光路5号');
    expect(one.json[0].status_notes).toBe('已电话联系 [已隐去]');
    expect(one.json[0].extended_attributes.notes.map((n: { description: string | null }) => n.description)).toContain('已电话联系 [已隐去]');
    expect((await updatesOf(id)).map((u: { description: string | null }) => u.description)).toContain('已电话联系 [已隐去]');
    for (const secret of ['1234-5678', '33010619900101123X', '浙A', 'wang@', '1234 5678']) expect(JSON.stringify(one.json) + one.xmlBody).not.toContain(secret);
    const staff = (await operator.get(`/api/v1/events/${id}`)).json();
    expect(staff.description).toBe(description);
    expect(staff.timeline.map((x: { note: string | null }) => x.note)).toContain('已电话联系 +86 139 1234 5678');
  });
});

describe('POST requests with media (multipart/form-data)', () => {
  type Part = { name: string; value: string } | { name: string; filename: string; type: string; data: Buffer };
  const BOUNDARY = '----open311-test-boundary';
  function multipart(parts: Part[]): Buffer {
    const chunks: Buffer[] = [];
    for (const p of parts) {
      const file = 'data' in p;
      chunks.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${p.name}"${file ? `; filename="${p.filename}"\r\nContent-Type: ${p.type}` : ''}\r\n\r\n`));
      chunks.push(file ? p.data : Buffer.from(p.value));
      chunks.push(Buffer.from('\r\n'));
    }
    chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
    return Buffer.concat(chunks);
  }
  const fieldsOf = (form: Record<string, string | string[]>): Part[] => Object.entries(form).flatMap(([name, v]) => (Array.isArray(v) ? v : [v]).map((value) => ({ name, value })));
  const post = (parts: Part[], format = 'json', url = '/requests') => t.app.inject({
    method: 'POST', url: `${V2}${url}.${format}`, payload: multipart(parts), headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
  });
  const lampForm = (extra: Record<string, string> = {}) => ({ api_key: key, jurisdiction_id: '330106', service_code: '0804', lat: String(A.lat), long: String(A.lon), description: '路灯不亮，附照片', ...extra });
  const jpegWithGps = () => sharp({ create: { width: 120, height: 80, channels: 3, background: '#468' } }).jpeg()
    .withExif({ IFD0: { Make: 'SecretCam' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '30/1 15/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '120/1 10/1 0/1' } }).toBuffer();
  const media = (data: Buffer, filename = 'photo.jpg', type = 'image/jpeg'): Part => ({ name: 'media', filename, type, data });
  const counts = async () => (await rows<{ events: number; photos: number; extras: number; uploads: number }>(database.db, sql`select (select count(*)::int from events) as events,
    (select count(*)::int from event_photos) as photos, (select count(*)::int from open311_requests) as extras,
    (select count(*)::int from audit_log where action = 'photo.upload') as uploads`))[0];

  it('keeps a JPEG sent as media as the case’s photo: staff get the original back, the public copy has no EXIF or GPS', async () => {
    const jpeg = await jpegWithGps();
    expect((await sharp(jpeg).metadata()).exif).toBeInstanceOf(Buffer);
    const before = await counts();
    const res = await post([...fieldsOf(lampForm()), media(jpeg)]);
    expect(res.statusCode, res.body).toBe(201);
    expect(validators.created(res.json())).toBe(true);
    const id = res.json()[0].service_request_id;

    const d = (await operator.get(`/api/v1/events/${id}`)).json();
    expect(d.description).toBe('路灯不亮，附照片');
    expect(d.photos).toHaveLength(1);
    expect(d.photos[0]).toMatchObject({ mime: 'image/jpeg', width: 120, height: 80 });
    expect(d.timeline.find((x: { action: string }) => x.action === 'report').photos.map((p: { token: string }) => p.token)).toEqual([d.photos[0].token]);
    const original = await operator.get(d.photos[0].originalUrl);
    expect(original.statusCode).toBe(200);
    expect(original.rawPayload.equals(jpeg)).toBe(true);
    const pub = await operator.get(d.photos[0].url);
    expect(pub.headers['content-type']).toBe('image/jpeg');
    const m = await sharp(pub.rawPayload).metadata();
    expect([m.format, m.width, m.height, m.exif]).toEqual(['jpeg', 120, 80, undefined]);
    expect(pub.rawPayload.includes(Buffer.from('SecretCam'))).toBe(false);
    expect(await counts()).toEqual({ events: before.events + 1, photos: before.photos + 1, extras: before.extras + 1, uploads: before.uploads + 1 });
  });

  it('stores the photo once when a retry (the same Idempotency-Key) sends it again', async () => {
    const parts = [...fieldsOf(lampForm({ description: '路灯不亮，重试' })), media(await jpegWithGps())];
    const send = () => t.app.inject({ method: 'POST', url: `${V2}/requests.json`, payload: multipart(parts), headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'idempotency-key': 'media-retry-0001' } });
    const first = await send();
    expect(first.statusCode, first.body).toBe(201);
    const before = await counts();
    const again = await send();
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()[0].service_request_id).toBe(first.json()[0].service_request_id);
    expect(await counts()).toEqual(before);
    expect((await operator.get(`/api/v1/events/${first.json()[0].service_request_id}`)).json().photos).toHaveLength(1);
  });

  it('takes a PNG in the XML format, and an empty media part (no file chosen) as no media', async () => {
    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#a52' } }).png().toBuffer();
    const res = await post([...fieldsOf(lampForm()), media(png, 'lamp.png', 'image/png')], 'xml');
    expect(res.statusCode, res.body).toBe(201);
    const id = /<service_request_id>(\d+)<\/service_request_id>/.exec(res.body)![1];
    expect((await operator.get(`/api/v1/events/${id}`)).json().photos).toMatchObject([{ mime: 'image/png', width: 40, height: 30 }]);

    const none = await post([...fieldsOf(lampForm()), media(Buffer.alloc(0), '', 'application/octet-stream')]);
    expect(none.statusCode, none.body).toBe(201);
    expect((await operator.get(`/api/v1/events/${none.json()[0].service_request_id}`)).json().photos).toEqual([]);
  });

  const jpegBytes = Buffer.from([0xff, 0xd8, 0xff, 0xe0]);
  const refusals: [string, () => Promise<Part[]>, number, string][] = [
    ['a text file named .jpg', async () => [...fieldsOf(lampForm()), media(Buffer.from('这不是图片，只是一段文字'), 'photo.jpg')], 400, 'media：只支持 JPEG、PNG、WebP 格式的图片'],
    ['a file over 10 MB', async () => [...fieldsOf(lampForm()), media(Buffer.concat([jpegBytes, Buffer.alloc(10 * 1024 * 1024)]))], 400, 'media：图片不能超过 10 MB'],
    ['an image of too many pixels', async () => [...fieldsOf(lampForm()), media(pixelBomb(8_000), 'big.png', 'image/png')], 400, 'media：图片像素过多'],
    ['two media parts', async () => { const j = await jpegWithGps(); return [...fieldsOf(lampForm()), media(j), media(j, 'second.jpg')]; }, 400, '只能上传一个 media 文件'],
    ['a file under another name', async () => [...fieldsOf(lampForm()), { name: 'photo', filename: 'a.jpg', type: 'image/jpeg', data: await jpegWithGps() }], 400, '文件只能以 media 上传'],
    ['media without a service_code', async () => [...fieldsOf({ api_key: key, jurisdiction_id: '330106', lat: String(A.lat), long: String(A.lon) }), media(await jpegWithGps())], 400, '未提供 service_code'],
    ['media without a location', async () => [...fieldsOf({ api_key: key, jurisdiction_id: '330106', service_code: '0804' }), media(await jpegWithGps())], 400, '请提供位置'],
    ['media alone', async () => [media(await jpegWithGps())], 403, '缺少 api_key'],
  ];
  it.each(refusals)('refuses %s in Open311’s error format, and changes nothing', async (_name, parts, status, message) => {
    const before = await counts();
    const body = await parts();
    for (const format of ['json', 'xml']) {
      const res = await post(body, format);
      expect(res.statusCode, res.body).toBe(status);
      if (format === 'json') {
        expect(validators.errors(res.json())).toBe(true);
        expect(res.json()[0].code).toBe(status);
        expect(res.json()[0].description).toContain(message);
      } else {
        expect(res.body).toContain(`<code>${status}</code>`);
      }
    }
    expect(await counts()).toEqual(before);
  });

  it('refuses multipart on the updates endpoint, which takes a form', async () => {
    const res = await post([...fieldsOf({ api_key: key, service_request_id: '1', description: 'x' }), media(await jpegWithGps())], 'json', '/servicerequestupdates');
    expect(res.statusCode).toBe(400);
    expect(res.json()[0].description).toContain('multipart/form-data');
  });
});

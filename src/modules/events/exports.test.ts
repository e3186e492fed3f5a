/**
 * Case exports (CSV, XLSX): the list's scope and filters, Chinese intact, formula injection
 * neutralised in CSV, no reporter data, more than one page of rows, access, and the audit row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { sql } from 'drizzle-orm';
import { rows } from '../../platform/db/database.js';
import { testDatabase } from '../../test-support/test-db.js';
import { testApp, type Client } from '../../test-support/app.js';
import { permissionsOf, type Actor } from '../../platform/auth/actor.js';
import { EXPORT_HEADERS, EXPORT_PAGE, planExport } from './exports.service.js';

const database = await testDatabase('fixture');
const t = await testApp(database);
afterAll(async () => { await t.app.close(); await database.drop(); });

/** RFC 4180: quoted cells may hold commas, quotes (doubled) and line breaks; lines end with CRLF. */
function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [], cell = '', quoted = false, i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i += 2; continue; }
      if (ch === '"') { quoted = false; i++; continue; }
      cell += ch; i++; continue;
    }
    if (ch === '"' && cell === '') { quoted = true; i++; continue; }
    if (ch === ',') { row.push(cell); cell = ''; i++; continue; }
    if (ch === '\r' && text[i + 1] === '\n') { row.push(cell); out.push(row); row = []; cell = ''; i += 2; continue; }
    if (ch === '\r' || ch === '\n') throw new Error(`bare line break at ${i}`);
    cell += ch; i++;
  }
  if (cell !== '' || row.length) throw new Error('the last line has no CRLF');
  return out;
}

async function csvOf(c: Client, query = ''): Promise<{ header: string[]; rows: Record<string, string>[]; raw: string }> {
  const res = await c.get(`/api/v1/events/export.csv${query}`);
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
  expect(res.body.startsWith('\uFEFF')).toBe(true);
  const [header, ...lines] = parseCsv(res.body.slice(1));
  return { header, rows: lines.map((l) => Object.fromEntries(header.map((h, i) => [h, l[i]]))), raw: res.body };
}

async function xlsxOf(c: Client, query = ''): Promise<ExcelJS.Worksheet> {
  const res = await c.get(`/api/v1/events/export.xlsx${query}`);
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.rawPayload as unknown as ExcelJS.Buffer);
  return wb.worksheets[0];
}

const GLASS = '路面有碎玻璃，"小心"扎伤行人,\r\n请尽快清理（西湖区）';
const FORMULA = '=1+1 公式注入测试';
const PHONE = '13812345601';

let gridA: { code: string; lon: number; lat: number }, gridB: { code: string; lon: number; lat: number };
let citizen: Client, operatorA: Client, operatorB: Client, leader: Client, worker: Client;
let category: string;
const ids: Record<string, number> = {};

async function report(c: Client, grid: { lon: number; lat: number }, description: string): Promise<{ id: number; version: number }> {
  const res = await c.send('POST', '/api/v1/events', { categoryCode: category, description, location: { lon: grid.lon, lat: grid.lat } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().event;
}

beforeAll(async () => {
  const gridIn = async (county: string) => (await rows<{ code: string; lon: number; lat: number }>(database.db, sql`select u.code, b.lon, b.lat from boundaries b join org_units u on u.id = b.unit_id
    where b.level = 'grid' and u.code like ${`${county}%`} order by u.code limit 1`))[0];
  gridA = await gridIn('330106');
  gridB = await gridIn('330902');
  category = ((await t.anonymous('GET', '/api/v1/event-categories')).json().items as { code: string; name: string }[]).find((c) => c.name.includes('碎玻璃'))!.code;
  citizen = await t.citizen(PHONE);
  operatorA = await t.as('operator', `${gridA.code.slice(0, 9)}-center`);
  operatorB = await t.as('operator', `${gridB.code.slice(0, 9)}-center`);
  leader = await t.as('leader', '330106-center');
  worker = await t.as('grid_worker', gridA.code);

  const glass = await report(citizen, gridA, GLASS);
  ids.glass = glass.id;
  ids.formula = (await report(citizen, gridA, FORMULA)).id;
  ids.other = (await report(citizen, gridB, '定海区的另一个案件')).id;
  const accepted = await operatorA.send('POST', `/api/v1/events/${glass.id}/accept`, { version: glass.version });
  expect(accepted.statusCode, accepted.body).toBe(200);
});

describe('CSV export', () => {
  it('holds the cases of the caller’s area only, in Chinese, newest first, with no reporter data', async () => {
    const res = await leader.get('/api/v1/events/export.csv');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="events-\d{8}\.csv"; filename\*=UTF-8''%E6%A1%88%E4%BB%B6-\d{8}\.csv$/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-length']).toBeUndefined(); // streamed, not built first

    const { header, rows: list, raw } = await csvOf(leader);
    expect(header).toEqual([...EXPORT_HEADERS]);
    expect(list.map((r) => Number(r['案件编号']))).toEqual([ids.formula, ids.glass]);
    const glass = list.find((r) => Number(r['案件编号']) === ids.glass)!;
    expect(glass).toMatchObject({
      '状态': '已立案', '类别代码': category, '渠道': '群众上报', '描述': GLASS, '区县': '330106',
      '乡镇街道': gridA.code.slice(0, 9), '网格': gridA.code, '期限状态': '正常', '是否按期': '', '返工次数': '0', '评分': '',
    });
    expect(glass['类别']).toContain('碎玻璃');
    expect(Number(glass['经度'])).toBeCloseTo(gridA.lon, 6);
    expect(Number(glass['纬度'])).toBeCloseTo(gridA.lat, 6);
    expect(glass['上报时间']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
    expect(glass['立案时间']).toMatch(/\+08:00$/);
    expect(glass['结案时间']).toBe('');
    // the China time is the UTC one plus 8 hours
    const detail = (await leader.get(`/api/v1/events/${ids.glass}`)).json();
    expect(Date.parse(glass['上报时间'])).toBe(Math.floor(Date.parse(detail.createdAt) / 1000) * 1000);
    // a formula is text, not a formula
    expect(list.find((r) => Number(r['案件编号']) === ids.formula)!['描述']).toBe(`'${FORMULA}`);
    // no reporter data at all
    expect(raw).not.toContain(PHONE);
    expect(raw).not.toContain(PHONE.slice(-4));
  });

  it('applies the list’s filters and scope', async () => {
    expect((await csvOf(leader, '?status=accepted')).rows.map((r) => Number(r['案件编号']))).toEqual([ids.glass]);
    expect((await csvOf(leader, '?status=reported')).rows.map((r) => Number(r['案件编号']))).toEqual([ids.formula]);
    expect((await csvOf(leader, `?q=${encodeURIComponent('公式')}`)).rows.map((r) => Number(r['案件编号']))).toEqual([ids.formula]);
    // another county's center sees its own case, not these
    expect((await csvOf(operatorB)).rows.map((r) => Number(r['案件编号']))).toEqual([ids.other]);
    // an area outside one's scope does not exist for one
    const outside = await operatorB.get('/api/v1/events/export.csv?org=330106');
    expect(outside.statusCode).toBe(404);
  });

  it('is refused without events.export, and each export is audited', async () => {
    for (const c of [citizen, worker]) {
      for (const format of ['csv', 'xlsx']) {
        const res = await c.get(`/api/v1/events/export.${format}`);
        expect(res.statusCode, `${c.username} ${format}`).toBe(403);
        expect(res.json().error.code).toBe('FORBIDDEN');
      }
    }
    expect((await t.anonymous('GET', '/api/v1/events/export.csv')).statusCode).toBe(401);
    // no HEAD route: it would run the whole export to discard it
    expect((await t.app.inject({ method: 'HEAD', url: '/api/v1/events/export.csv', headers: { cookie: leader.cookie } })).statusCode).not.toBe(200);

    await operatorA.get('/api/v1/events/export.xlsx?status=accepted&category=' + category);
    const [row] = await rows<{ actor_id: number; target_type: string; target_id: string | null; result: string; details: { format: string; filters: Record<string, unknown> } }>(database.db,
      sql`select actor_id, target_type, target_id, result, details from audit_log where action = 'event.export' and actor_id = ${operatorA.userId} order by id desc limit 1`);
    expect(row).toMatchObject({ target_type: 'event', target_id: null, result: 'success', details: { format: 'xlsx', filters: { status: 'accepted', category } } });
  });
});

describe('OpenAPI', () => {
  it('documents the exports and the stream', async () => {
    const doc = (await t.anonymous('GET', '/docs/json')).json();
    for (const path of ['/api/v1/events/export.csv', '/api/v1/events/export.xlsx', '/api/v1/events/stream']) expect(doc.paths[path]?.get, path).toBeDefined();
  });
});

describe('XLSX export', () => {
  it('has the same columns and rows, text kept as text', async () => {
    const ws = await xlsxOf(leader);
    expect(ws.name).toBe('案件');
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual([...EXPORT_HEADERS]);
    expect(ws.actualRowCount).toBe(3);
    const byId = new Map<number, ExcelJS.Row>();
    ws.eachRow((r, n) => { if (n > 1) byId.set(Number(r.getCell(1).value), r); });
    expect([...byId.keys()]).toEqual([ids.formula, ids.glass]);
    const glass = byId.get(ids.glass)!;
    expect(glass.getCell(2).value).toBe('已立案');
    expect(glass.getCell(6).value).toBe(GLASS.replace('\r\n', '\n')); // Excel's line break in a cell
    expect(glass.getCell(12).value).toBeCloseTo(gridA.lon, 6);
    expect(String(glass.getCell(14).value)).toMatch(/\+08:00$/);
    // a text starting with = is a string cell in XLSX, never a formula
    const formula = byId.get(ids.formula)!.getCell(6);
    expect(formula.type).toBe(ExcelJS.ValueType.String);
    expect(formula.formula).toBeUndefined();
    expect(formula.value).toBe(FORMULA);

    const other = await xlsxOf(operatorB, '?status=reported');
    expect(other.actualRowCount).toBe(2);
    expect(Number(other.getRow(2).getCell(1).value)).toBe(ids.other);
  });
});

describe('large exports', () => {
  const N = 2500;
  let expected: number[];

  beforeAll(async () => {
    // copies of the accepted case, in one statement
    const cols = (await rows<{ c: string }>(database.db, sql`select column_name as c from information_schema.columns where table_schema = current_schema() and table_name = 'events' and column_name not in ('id', 'description') order by ordinal_position`)).map((r) => r.c).join(', ');
    await database.db.execute(sql`insert into events (${sql.raw(cols)}, description)
      select ${sql.raw(cols)}, '批量案件 第' || g || '号' from events, generate_series(1, ${N}) g where id = ${ids.glass}`);
    expected = (await rows<{ id: number }>(database.db, sql`select id::int as id from events where county_code = '330106' order by id desc`)).map((r) => r.id);
    expect(expected.length).toBe(N + 2);
  });

  it('streams every row across pages of 1,000, in order, each once (CSV)', async () => {
    const { rows: list } = await csvOf(leader);
    expect(list.map((r) => Number(r['案件编号']))).toEqual(expected);
    expect(list.filter((r) => r['描述'].startsWith('批量案件 第')).length).toBe(N);
    expect(new Set(list.map((r) => r['描述'])).size).toBe(N + 2);
    const filtered = await csvOf(leader, '?status=accepted');
    expect(filtered.rows.length).toBe(N + 1);
    expect(filtered.rows.every((r) => r['状态'] === '已立案')).toBe(true);
  });

  it('reads pages of 1,000 by id and stops at the row limit', async () => {
    const [county] = await rows<{ id: number; path: string }>(database.db, sql`select id, path from org_units where code = '330106'`);
    const actor: Actor = { kind: 'staff', id: leader.userId, name: 'leader', displayName: '领导', roles: ['leader'], permissions: permissionsOf(['leader']), orgId: county.id, scopePath: county.path, sessionId: 's', csrfToken: 'c', stage: 'full' };
    const sizes: number[] = [], got: number[] = [];
    for await (const page of (await planExport(t.events, actor, {}, { maxRows: 2100 })).pages()) {
      sizes.push(page.length);
      got.push(...page.map((r) => r[0] as number));
    }
    expect(EXPORT_PAGE).toBe(1000);
    expect(sizes).toEqual([1000, 1000, 100]);
    expect(got).toEqual(expected.slice(0, 2100));
  });

  it('streams every row across pages (XLSX)', async () => {
    const ws = await xlsxOf(leader);
    expect(ws.actualRowCount).toBe(N + 3);
    const got: number[] = [];
    ws.eachRow((r, n) => { if (n > 1) got.push(Number(r.getCell(1).value)); });
    expect(got).toEqual(expected);
    expect(ws.getRow(N + 3).getCell(6).value).toBe(GLASS.replace('\r\n', '\n'));
  });
});

/**
 * /console in a real browser: a township center's operator works a citizen's case through the
 * workbench (queue, counts, drawer, accept, dispatch to the case's grid, verify), meets a stale
 * version, narrows the list with filters and search, survives a network failure, signs in with a
 * one-time code; an operator of another township does not see the case.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import sharp from 'sharp';
import { sql } from 'drizzle-orm';
import type { BrowserContext, Page } from 'playwright-core';
import { rows } from '../src/platform/db/database.js';
import { totpCode } from '../src/modules/accounts/index.js';
import { TEST_PASSWORD, type Client } from '../src/test-support/app.js';
import { screenshot, signedIn, startServer } from './browser.js';

type Server = Awaited<ReturnType<typeof startServer>>;
let t: Server;
let grid: { code: string; lon: number; lat: number };
let township: string;
let otherTownship: string;
let citizen: Client, operator: Client, worker: Client;
let glass: string;
let property: string;
const contexts: BrowserContext[] = [];
/** Uncaught errors in the pages: each test ends with none. */
const pageErrors: string[] = [];
afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close().catch(() => undefined);
  const errors = pageErrors.splice(0);
  expect(errors, errors.join('\n')).toEqual([]);
});

beforeAll(async () => {
  t = await startServer();
  const db = t.database.db;
  [grid] = await rows<{ code: string; lon: number; lat: number }>(db, sql`select u.code, b.lon, b.lat from boundaries b join org_units u on u.id = b.unit_id
    where b.level = 'grid' and u.code like '330106%' order by u.code limit 1`);
  township = grid.code.slice(0, 9);
  [{ code: otherTownship }] = await rows<{ code: string }>(db, sql`select code from org_units where level = 'township' and kind = 'area' and code like '330106%' and code <> ${township} order by code limit 1`);
  const cats = (await t.anonymous('GET', '/api/v1/event-categories')).json().items as { code: string; name: string }[];
  glass = cats.find((c) => c.name.includes('碎玻璃'))!.code;
  property = cats.find((c) => c.name.includes('物业'))!.code;
  citizen = await t.citizen('13812340001');
  operator = await t.as('operator', `${township}-center`);
  worker = await t.as('grid_worker', grid.code);
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await t?.close();
});

async function jpeg(color: string): Promise<Buffer> {
  return sharp({ create: { width: 640, height: 480, channels: 3, background: color } }).jpeg().toBuffer();
}
async function report(body: Record<string, unknown>, who = citizen): Promise<{ id: number; version: number }> {
  const res = await who.send('POST', '/api/v1/events', body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json().event;
}
async function detail(id: number, who = operator) {
  const res = await who.get(`/api/v1/events/${id}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}
async function step(c: Client, id: number, action: string, body: Record<string, unknown> = {}) {
  const { version } = await detail(id, c);
  const res = await c.send('POST', `/api/v1/events/${id}/${action}`, { version, ...body });
  expect(res.statusCode, `${action}: ${res.body}`).toBe(200);
  return res.json();
}

async function consolePage(client: Client | null, path = ''): Promise<Page> {
  const context = client ? await signedIn(t.browser, t.url, client) : await t.browser.newContext({ locale: 'zh-CN', viewport: { width: 1440, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`${e.message}\n${e.stack ?? ''}`));
  if (process.env.CONSOLE_DEBUG) {
    page.on('console', (m) => console.log('console', m.type(), m.text()));
    page.on('requestfailed', (r) => console.log('requestfailed', r.url(), r.failure()?.errorText));
    page.on('response', (r) => { if (r.status() >= 400) console.log('http', r.status(), r.url()); });
  }
  onTestFailed(async () => { await screenshot(page, 'console-failure').catch(() => undefined); });
  await page.goto(`${t.url}/console${path}`);
  return page;
}

const row = (page: Page, id: number) => page.locator(`#case-row-${id}`);
const count = (page: Page, status: string) => page.getByTestId(`count-${status}`);
const drawerStatus = (page: Page) => page.getByTestId('case-status');

/** The colour of a row's left border (its deadline state). */
const borderColor = (el: unknown) => (globalThis as unknown as { getComputedStyle(e: unknown): { borderLeftColor: string } }).getComputedStyle(el).borderLeftColor;

/** Confirms the open action modal. */
async function confirm(page: Page) {
  await page.locator('.ant-modal-footer .ant-btn-primary').click();
  // the modal closes once the server took the action; if it does not, say what the modal shows
  await expect.poll(async () => (await page.locator('.ant-modal-wrap:visible').count()) === 0
    || (await page.locator('.ant-modal-wrap:visible').first().innerText({ timeout: 1_000 }).catch(() => 'gone'))).toBe(true);
}

describe('the center workbench', () => {
  let glassCase: number;

  it('shows a citizen’s case in the township queue; the operator accepts it and dispatches it to its grid', async () => {
    const photo = await citizen.photo(await jpeg('#777'));
    glassCase = (await report({ categoryCode: glass, description: '村道上有一地碎玻璃，容易扎伤行人', location: { lon: grid.lon, lat: grid.lat }, photos: [photo] })).id;

    const page = await consolePage(operator);
    await row(page, glassCase).waitFor();
    await expect.poll(() => count(page, 'reported').textContent()).toBe('1');
    expect(await count(page, 'all').textContent()).toBe('1');
    expect(await count(page, 'dispatched').textContent()).toBe('0');
    expect(await row(page, glassCase).textContent()).toContain('村道上有一地碎玻璃');
    expect(await row(page, glassCase).getAttribute('data-deadline')).toBe('normal');
    expect(await row(page, glassCase).getByTestId('deadline').textContent()).toMatch(/正常 · 剩余 \d+分/);
    expect(await page.getByTestId('scope').textContent()).toContain('街道');
    // the map shows the case as a point (an SVG circle in the cases pane)
    const point = page.locator('.leaflet-cases-pane path.leaflet-interactive');
    await expect.poll(() => point.count()).toBe(1);
    expect(await point.getAttribute('fill')).toBe('#16a34a'); // DEADLINE_COLORS.normal
    // a click on the point opens the case
    await point.click();
    await page.getByTestId('case-detail').waitFor();
    expect(await page.getByTestId('drawer-title').textContent()).toContain(`#${glassCase}`);
    await page.getByRole('button', { name: '关闭案件详情' }).click();
    await expect.poll(() => page.getByTestId('case-detail').count()).toBe(0);

    // keyboard: the list takes the focus, Enter opens the drawer, Esc closes it
    await page.getByRole('listbox').focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('Enter');
    await page.getByTestId('case-detail').waitFor();
    expect(await page.getByTestId('drawer-title').textContent()).toContain(`#${glassCase}`);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('case-detail').count()).toBe(0);
    await page.keyboard.press('Enter');
    await page.getByTestId('case-detail').waitFor();
    expect(new URL(page.url()).searchParams.get('case')).toBe(String(glassCase));

    // only what the server allows now, no more
    const allowed = (await detail(glassCase)).allowedActions as string[];
    const buttons = await page.locator('.console-actions [data-action]').evaluateAll((els) => els.map((e) => e.getAttribute('data-action')));
    expect(buttons.sort()).toEqual(allowed.filter((a) => ['accept', 'reject', 'dispatch', 'escalate', 'suspend', 'resume', 'merge', 'supervise', 'verify_pass', 'verify_fail'].includes(a)).sort());
    expect(buttons).toEqual(expect.arrayContaining(['accept', 'reject']));
    expect(buttons).not.toContain('dispatch');

    // the citizen's photo: a thumbnail that opens the full picture
    const thumb = page.locator('.console-case img[alt^="问题描述的照片"]').first();
    await thumb.waitFor();
    expect(await thumb.getAttribute('src')).toMatch(/\/api\/v1\/photos\/[A-Za-z0-9_-]{24}\/thumb$/);
    await expect.poll(() => thumb.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
    await thumb.click();
    await page.locator('.ant-image-preview img').first().waitFor();
    await page.keyboard.press('Escape');
    await screenshot(page, 'console-case-reported');

    // a reason is required to reject: the error shows next to the field, nothing is sent
    await page.locator('[data-action=reject]').click();
    await page.locator('.ant-modal-footer .ant-btn-primary').click();
    await page.getByText('请填写理由').waitFor();
    await page.locator('.ant-modal-footer .ant-btn:not(.ant-btn-primary)').click();
    expect((await detail(glassCase)).status).toBe('reported');

    await page.locator('[data-action=accept]').click();
    await confirm(page);
    await expect.poll(() => drawerStatus(page).textContent()).toBe('已立案');
    expect((await detail(glassCase)).status).toBe('accepted');

    // dispatch: the category's handler is suggested first; the operator picks the case's grid
    await page.locator('[data-action=dispatch]').click();
    const radios = page.locator('.ant-modal .console-targets .ant-radio-wrapper');
    expect(await radios.first().textContent()).toContain('类别默认承办单位');
    expect(await radios.first().locator('input').isChecked()).toBe(true);
    await page.getByRole('radio', { name: /案件所在网格/ }).check();
    await page.locator('.ant-modal textarea').fill('请网格员尽快清理');
    await screenshot(page, 'console-dispatch');
    await confirm(page);
    await expect.poll(() => drawerStatus(page).textContent()).toBe('已派遣');
    const dispatched = await detail(glassCase);
    expect(dispatched).toMatchObject({ status: 'dispatched', assignee: { unit: { code: grid.code }, user: null } });
    expect(dispatched.timeline.at(-1)).toMatchObject({ action: 'dispatch', note: '请网格员尽快清理' });
    expect(await page.getByTestId('assignee').textContent()).toContain('网格');
    // the counts follow
    await expect.poll(() => count(page, 'dispatched').textContent()).toBe('1');
    expect(await count(page, 'reported').textContent()).toBe('0');
    await screenshot(page, 'console-dispatched');

    // live: a new report appears in the queue by itself (the event stream), counted
    const live = await report({ categoryCode: property, description: '小区物业乱收费，业主意见很大', location: { lon: grid.lon, lat: grid.lat } });
    await row(page, live.id).waitFor({ timeout: 15_000 });
    await expect.poll(() => count(page, 'reported').textContent()).toBe('1');
    expect(await page.getByRole('status').filter({ hasText: '实时更新中' }).count()).toBe(1);
  });

  it('verifies a handled case and closes it', async () => {
    // the grid worker signs and reports it handled with a photo (their own page is tested elsewhere)
    await step(worker, glassCase, 'sign');
    const after = await worker.photo(await jpeg('#3a3'));
    await step(worker, glassCase, 'report-handled', { note: '已清扫干净', photos: [after] });

    const page = await consolePage(operator);
    await page.getByTestId('tab-handled').click();
    await expect.poll(() => count(page, 'handled').textContent()).toBe('1');
    await row(page, glassCase).click();
    await page.getByTestId('case-detail').waitFor();
    expect(await drawerStatus(page).textContent()).toBe('待核查');
    // the timeline has every step, the handling one with its photo
    const handled = page.locator('[data-testid=step][data-step=report_handled]');
    expect(await handled.textContent()).toContain('已清扫干净');
    expect(await handled.locator('img').count()).toBe(1);
    expect(await handled.locator('img').getAttribute('alt')).toBe('处置反馈的照片 1');
    // the photos of the report stay apart from those of later steps
    expect(await page.locator('.console-case img[alt^="问题描述的照片"]').count()).toBe(1);
    expect(await page.locator('[data-testid=step]').evaluateAll((els) => els.map((e) => e.getAttribute('data-step')))).toEqual(['report', 'accept', 'dispatch', 'sign', 'report_handled']);
    expect(await page.locator('.console-actions [data-action]').evaluateAll((els) => els.map((e) => e.getAttribute('data-action')))).toEqual(expect.arrayContaining(['verify_pass', 'verify_fail']));

    await page.locator('[data-action=verify_pass]').click();
    await page.locator('.ant-modal textarea').fill('现场核查已清理');
    await confirm(page);
    await expect.poll(() => drawerStatus(page).textContent()).toBe('已结案');
    expect(await detail(glassCase)).toMatchObject({ status: 'closed', closedOnTime: true });
    expect(await page.locator('.console-actions [data-action]').count()).toBe(0);
    await expect.poll(() => count(page, 'closed').textContent()).toBe('1');
    await screenshot(page, 'console-verified');
  });

  it('shows the conflict when the case changed meanwhile, reloads it, and then the action goes through', async () => {
    const c = await report({ categoryCode: glass, description: '桥下有碎玻璃', location: { lon: grid.lon, lat: grid.lat }, address: '桥头' });
    const page = await consolePage(operator, `?case=${c.id}`);
    await page.getByTestId('case-detail').waitFor();
    expect(await page.getByTestId('case-detail').getAttribute('data-version')).toBe('1');

    // a colleague supervises it meanwhile: the version moves on
    const colleague = await t.as('operator', `${township}-center`);
    await step(colleague, c.id, 'supervise', { note: '请优先处理' });
    // the event stream tells the open drawer; the version the operator acts on stays the one they saw
    await page.getByTestId('stale').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('case-detail').getAttribute('data-version')).toBe('1');

    await page.locator('[data-action=accept]').click();
    await confirm(page);
    const conflict = page.getByTestId('conflict');
    await conflict.waitFor();
    expect(await conflict.textContent()).toContain('案件已被他人更新（当前版本 2）');
    await expect.poll(() => page.getByTestId('case-detail').getAttribute('data-version')).toBe('2');
    expect(await page.locator('[data-testid=step][data-step=supervise]').textContent()).toContain('请优先处理');
    expect((await detail(c.id)).status).toBe('reported');
    await screenshot(page, 'console-conflict');

    // with the fresh version it works
    await page.locator('[data-action=accept]').click();
    await confirm(page);
    await expect.poll(() => drawerStatus(page).textContent()).toBe('已立案');
    expect((await detail(c.id)).status).toBe('accepted');
  });

  it('narrows the list with filters and search, and exports what it shows', async () => {
    const page = await consolePage(operator);
    await page.locator('.console-row').first().waitFor();
    const all = Number(await count(page, 'all').textContent());
    expect(all).toBe(3); // the glass case (closed), the property dispute, the second glass case
    expect(await page.locator('.console-row').count()).toBe(3);

    // text search
    const search = page.getByRole('searchbox', { name: '搜索描述、地址或 #案件号' }).or(page.getByLabel('搜索描述、地址或 #案件号'));
    await search.first().fill('物业乱收费');
    await search.first().press('Enter');
    await expect.poll(() => page.locator('.console-row').count()).toBe(1);
    expect(await page.locator('.console-row').first().textContent()).toContain('小区物业乱收费');
    expect(await count(page, 'all').textContent()).toBe('1');
    // the exports carry the filters
    const csv = page.getByRole('link', { name: '导出 CSV' }).or(page.locator('a', { hasText: '导出 CSV' })).first();
    const href = (await csv.getAttribute('href'))!;
    expect(href).toContain('/api/v1/events/export.csv?');
    expect(new URL(href, t.url).searchParams.get('q')).toBe('物业乱收费');
    const res = await page.request.get(new URL(href, t.url).toString());
    expect(res.status()).toBe(200);
    const text = await res.text();
    expect(text).toContain('小区物业乱收费');
    expect(text).not.toContain('桥下有碎玻璃');
    expect((await page.locator('a', { hasText: '导出 Excel' }).first().getAttribute('href'))).toContain('/api/v1/events/export.xlsx?q=');
    await screenshot(page, 'console-search');
    await page.getByRole('button', { name: '清除筛选' }).click();
    await expect.poll(() => page.locator('.console-row').count()).toBe(3);

    // a case number
    await search.first().fill(`#${glassCase}`);
    await search.first().press('Enter');
    await expect.poll(() => page.locator('.console-row').count()).toBe(1);
    expect(await row(page, glassCase).count()).toBe(1);
    await page.getByRole('button', { name: '清除筛选' }).click();
    await expect.poll(() => page.locator('.console-row').count()).toBe(3);

    // category: the glass category leaves out the property dispute
    await page.getByLabel('事件类别').click();
    await page.getByLabel('事件类别').fill('碎玻璃');
    await page.locator('.ant-select-tree-treenode', { hasText: '道路碎玻璃' }).locator('.ant-select-tree-checkbox').click();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('.console-row').count()).toBe(2);
    expect(await page.locator('.console-row', { hasText: '物业' }).count()).toBe(0);
    // and the status tab narrows it further
    await page.getByTestId('tab-closed').click();
    await expect.poll(() => page.locator('.console-row').count()).toBe(1);
    expect(await row(page, glassCase).count()).toBe(1);
    await page.getByTestId('tab-all').click();

    // channel: no hotline cases: the empty state
    await page.getByLabel('来源渠道').click();
    await page.locator('.ant-select-item-option', { hasText: '热线' }).click();
    await page.getByTestId('list-empty').waitFor();
    expect(await page.getByTestId('list-empty').textContent()).toContain('没有符合条件的案件');
    expect(await count(page, 'all').textContent()).toBe('0');
    await screenshot(page, 'console-empty');
    await page.getByRole('button', { name: '清除筛选' }).click();
    await expect.poll(() => page.locator('.console-row').count()).toBe(3);

    // area: another village of the township has none of them
    const [{ code: otherVillage, name: villageName }] = await rows<{ code: string; name: string }>(t.database.db, sql`select code, name from org_units
      where level = 'village' and kind = 'area' and code like ${`${township}%`} and code <> ${grid.code.slice(0, 12)} order by code limit 1`);
    await page.getByLabel('区域').click();
    // the township opens with its villages; a village opens with its grids
    const node = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-tree-treenode', { hasText: villageName }).first();
    await node.waitFor();
    await node.locator('.ant-select-tree-switcher').click();
    await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-tree-treenode', { hasText: `${villageName}第1网格` }).waitFor();
    await node.locator('.ant-select-tree-node-content-wrapper').click();
    await page.getByTestId('list-empty').waitFor();
    expect(otherVillage).toMatch(/^\d{12}$/);
    // reported today: all of them; reported tomorrow: none
    const day = (offset: number) => {
      const d = new Date(Date.now() + offset * 86_400_000);
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    };
    await page.getByRole('button', { name: '清除筛选' }).click();
    await expect.poll(() => page.locator('.console-row').count()).toBe(3);
    const pickRange = async (from: string, to: string) => {
      await page.getByLabel('上报日期 · 开始日期').fill(from);
      await page.getByLabel('上报日期 · 开始日期').press('Enter');
      await page.getByLabel('上报日期 · 结束日期').fill(to);
      await page.getByLabel('上报日期 · 结束日期').press('Enter');
    };
    await pickRange(day(0), day(0));
    await expect.poll(async () => new URL((await csv.getAttribute('href'))!, t.url).searchParams.get('to')).not.toBeNull();
    await expect.poll(() => page.locator('.console-row').count()).toBe(3);
    expect(await count(page, 'all').textContent()).toBe('3');
    await pickRange(day(1), day(2));
    await page.getByTestId('list-empty').waitFor();
    // overdue only: none yet
    await page.getByRole('button', { name: '清除筛选' }).click();
    await expect.poll(() => page.locator('.console-row').count()).toBe(3);
    await page.getByRole('switch', { name: '仅看超期' }).click();
    await page.getByTestId('list-empty').waitFor();
  });

  it('shows a network failure with a retry that recovers', async () => {
    const page = await consolePage(operator);
    await page.locator('.console-row').first().waitFor();
    await page.route('**/api/**', (r) => r.abort());
    await page.getByTestId('tab-reported').click();
    const error = page.getByTestId('list-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('网络连接失败');
    await screenshot(page, 'console-network-error');
    await page.getByRole('button', { name: /重\s?试/ }).click(); // still offline: still the error
    await error.waitFor();
    await page.unroute('**/api/**');
    await page.getByRole('button', { name: /重\s?试/ }).click();
    await page.locator('.console-row').first().waitFor();
    expect(await page.getByTestId('list-error').count()).toBe(0);
  });

  it('does not show the case to an operator of another township', async () => {
    const other = await t.as('operator', `${otherTownship}-center`);
    const page = await consolePage(other);
    await page.getByTestId('list-empty').waitFor();
    expect(await count(page, 'all').textContent()).toBe('0');
    expect(await page.locator('.console-row').count()).toBe(0);
    await page.goto(`${t.url}/console?case=${glassCase}`);
    await page.getByText('案件加载失败').waitFor();
    expect(await page.locator('.console-drawer').textContent()).toContain(`案件 #${glassCase} 不存在`);
    expect(await page.getByTestId('case-detail').count()).toBe(0);
    await screenshot(page, 'console-other-township');
  });

  it('signs in with username, password and a one-time code; switches to English; signs out', async () => {
    const op = await t.as('operator', `${township}-center`);
    const setup = await op.send('POST', '/api/v1/auth/totp/setup');
    expect(setup.statusCode, setup.body).toBe(200);
    const secret = setup.json().secret as string;
    expect((await op.send('POST', '/api/v1/auth/totp/enable', { code: totpCode(secret) })).statusCode).toBe(200);

    const page = await consolePage(null);
    await page.getByLabel('用户名').fill(op.username);
    await page.getByLabel('密码').fill('wrong password');
    await page.getByRole('button', { name: /登\s?录/ }).click();
    await page.getByRole('alert').waitFor();
    await page.getByLabel('密码').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: /登\s?录/ }).click();
    const code = page.getByLabel('动态验证码');
    await code.waitFor();
    await screenshot(page, 'console-login-totp');
    await code.fill(totpCode(secret, Date.now() + 30_000));
    await page.getByRole('button', { name: /登\s?录/ }).click();
    await page.getByRole('listbox').waitFor();
    expect(await page.getByTestId('user-name').textContent()).toBe('测试operator');

    await page.getByRole('button', { name: 'Switch to English' }).click();
    await page.getByRole('heading', { name: 'Cases' }).waitFor();
    await page.locator('.leaflet-cases-pane path.leaflet-interactive').first().waitFor();
    expect(await page.getByTestId('tab-reported').textContent()).toContain('Reported');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await screenshot(page, 'console-english');
    await page.getByRole('button', { name: '切换到中文' }).click();
    await page.getByRole('heading', { name: '案件列表' }).waitFor();

    await page.getByRole('button', { name: '退出登录' }).click();
    await page.getByLabel('用户名').waitFor();
    expect((await page.request.get(`${t.url}/api/v1/auth/session`)).status()).toBe(401);
  });
});

describe('duplicates', () => {
  it('offers the open case nearby as a duplicate and merges into it', async () => {
    const first = await report({ categoryCode: glass, description: '路口一地碎玻璃', location: { lon: grid.lon, lat: grid.lat } });
    const near = { lon: grid.lon + 50 / (111_195 * Math.cos((grid.lat * Math.PI) / 180)), lat: grid.lat };
    const second = await report({ categoryCode: glass, description: '路口有碎玻璃，请处理', location: near }, await t.citizen('13812340002'));
    const page = await consolePage(operator, `?case=${second.id}`);
    const dup = page.getByTestId('duplicate').filter({ hasText: `#${first.id}` });
    await dup.waitFor();
    expect(await dup.textContent()).toContain('相距 50 米');
    await screenshot(page, 'console-duplicates');
    await dup.getByRole('button', { name: '合并到此案件' }).click();
    expect(await page.locator('.ant-modal input[role=spinbutton]').inputValue()).toBe(String(first.id));
    await confirm(page);
    await expect.poll(() => drawerStatus(page).textContent()).toBe('已合并');
    expect(await detail(second.id)).toMatchObject({ status: 'merged', mergedInto: first.id });
    expect((await detail(first.id)).mergedCases).toEqual([second.id]);
    // the merged case points to the one it joined
    await page.getByText(`本案已合并到 #${first.id}`).click();
    await expect.poll(() => page.getByTestId('drawer-title').textContent()).toContain(`#${first.id}`);
    await page.locator('[data-testid=step][data-step=merged_in]').waitFor();
  });
});

describe('a busier township', () => {
  let op: Client, gw: Client, reporter: Client;
  let cell: { code: string; lon: number; lat: number };
  const ids: number[] = [];

  beforeAll(async () => {
    [cell] = await rows<{ code: string; lon: number; lat: number }>(t.database.db, sql`select u.code, b.lon, b.lat from boundaries b join org_units u on u.id = b.unit_id
      where b.level = 'grid' and u.code like '330106%' and substr(u.code, 1, 9) not in (${township}, ${otherTownship}) order by u.code limit 1`);
    op = await t.as('operator', `${cell.code.slice(0, 9)}-center`);
    gw = await t.as('grid_worker', cell.code);
    reporter = await t.citizen('13812340003');
    for (let i = 0; i < 52; i++) {
      ids.push((await report({ categoryCode: property, description: `第 ${i} 号物业问题`, location: { lon: cell.lon, lat: cell.lat } }, reporter)).id);
    }
    // two are past their acceptance deadline, one is close to it (as the deadline sweep leaves them)
    await t.database.db.execute(sql`update events set stage_started_at = now() - interval '3 hours', stage_warn_at = now() - interval '2 hours',
      stage_due_at = now() - interval '61 minutes', stage_escalate_at = now() + interval '2 hours', deadline_state = 'overdue' where id in (${ids[0]}, ${ids[1]})`);
    await t.database.db.execute(sql`update events set stage_warn_at = now() - interval '1 minute', stage_due_at = now() + interval '20 minutes', deadline_state = 'warning' where id = ${ids[2]}`);
  });

  it('pages with “load more”, counts and colours what is overdue', async () => {
    const page = await consolePage(op);
    await row(page, ids[51]).waitFor();
    expect(await count(page, 'all').textContent()).toBe('52');
    expect(await page.getByTestId('overdue-all').textContent()).toBe('超期 2');
    expect(await page.getByTestId('overdue-reported').textContent()).toBe('超期 2');
    expect(await page.locator('.console-row').count()).toBe(50);
    const warning = row(page, ids[2]);
    expect(await warning.getAttribute('data-deadline')).toBe('warning');
    expect(await warning.getByTestId('deadline').textContent()).toMatch(/^临期 · 剩余 (19|20)分$/);
    expect(await warning.evaluate(borderColor)).toBe('rgb(234, 179, 8)');

    await page.getByRole('button', { name: '加载更多' }).click();
    await row(page, ids[0]).waitFor();
    expect(await page.locator('.console-row').count()).toBe(52);
    expect(await page.getByRole('button', { name: '加载更多' }).count()).toBe(0);
    const overdue = row(page, ids[0]);
    expect(await overdue.getAttribute('data-deadline')).toBe('overdue');
    expect(await overdue.getByTestId('deadline').textContent()).toBe('超期 · 已超期 1小时 1分');
    expect(await overdue.evaluate(borderColor)).toBe('rgb(220, 38, 38)');
    // the keyboard reaches the rows loaded later
    await page.getByRole('listbox').focus();
    await page.keyboard.press('End');
    expect(await page.getByRole('listbox').getAttribute('aria-activedescendant')).toBe(`case-row-${ids[0]}`);
    await screenshot(page, 'console-deadlines');

    await page.getByRole('switch', { name: '仅看超期' }).click();
    await expect.poll(() => page.locator('.console-row').count()).toBe(2);
    expect(await count(page, 'all').textContent()).toBe('2');
    // the map shows them red
    await expect.poll(() => page.locator('.leaflet-cases-pane path.leaflet-interactive[fill="#dc2626"]').count()).toBe(2);
  });

  it('suspends and resumes, supervises, decides on an extension, fails a verification, escalates', async () => {
    const a = ids[10];
    await step(op, a, 'accept');
    const page = await consolePage(op, `?case=${a}`);
    await page.getByTestId('case-detail').waitFor();
    // the live stream connected (its first refresh done) before the first action
    await page.getByText('实时更新中').waitFor();
    const act = async (action: string, note?: string) => {
      await page.locator(`[data-action=${action}]`).click({ timeout: 15_000 });
      if (note !== undefined) {
        // typed into the modal's field once it holds it (the opening modal may mount it anew)
        const box = page.locator('.ant-modal textarea');
        await expect.poll(async () => { if ((await box.inputValue()) !== note) await box.fill(note); return box.inputValue(); }).toBe(note);
      }
      await confirm(page);
    };

    await act('suspend', '等待业主委员会答复');
    await expect.poll(() => drawerStatus(page).textContent()).toBe('已挂起');
    expect(await page.locator('.console-actions [data-action]').evaluateAll((els) => els.map((e) => e.getAttribute('data-action')))).toEqual(['resume', 'supervise']);
    await act('resume');
    await expect.poll(() => drawerStatus(page).textContent()).toBe('已立案');
    await act('supervise', '本周内办结');
    await page.locator('[data-testid=step][data-step=supervise]', { hasText: '本周内办结' }).waitFor();
    expect(await detail(a, op)).toMatchObject({ status: 'accepted', supervised: true });

    // the grid worker asks for more time; the operator sees the request and grants it
    await step(op, a, 'dispatch', { assignee: { unitCode: cell.code } });
    await step(gw, a, 'sign');
    const until = new Date(Date.parse((await detail(a, op)).deadline.dueAt) + 86_400_000).toISOString();
    await step(gw, a, 'request-extension', { until, note: '需要协调物业公司' });
    await page.getByTestId('reload').click();
    await page.locator('[data-action=grant_extension]').waitFor();
    await page.locator('[data-action=grant_extension]').click();
    expect(await page.locator('.ant-modal').textContent()).toContain('需要协调物业公司');
    await confirm(page);
    await expect.poll(async () => (await detail(a, op)).extensionRequest).toBeNull();
    expect((await detail(a, op)).dueAt).toBe(until);
    await expect.poll(() => page.locator('[data-action=grant_extension]').count()).toBe(0);

    // handled, but not well: rework
    await step(gw, a, 'report-handled', { note: '已沟通', photos: [await gw.photo(await jpeg('#39c'))] });
    await page.getByTestId('reload').click();
    await page.locator('[data-action=verify_fail]').click();
    await page.locator('.ant-modal-footer .ant-btn-primary').click();
    await page.getByText('请填写理由').waitFor(); // the reason is required
    await page.locator('.ant-modal textarea').fill('业主仍有投诉');
    await confirm(page);
    await expect.poll(() => drawerStatus(page).textContent()).toBe('处置中');
    expect(await detail(a, op)).toMatchObject({ status: 'in_progress', reworkCount: 1 });

    // escalated to the county, the township keeps watching it but may no longer act
    const b = ids[11];
    await page.goto(`${t.url}/console?case=${b}`);
    await page.getByTestId('case-detail').waitFor();
    await act('escalate', '涉及多个街道，需区级协调');
    await page.getByText('当前状态下您没有可执行的操作').waitFor();
    expect(await detail(b, op)).toMatchObject({ status: 'reported', owner: { code: '330106-center' }, escalationCount: 1 });
    await screenshot(page, 'console-escalated');
  });
});

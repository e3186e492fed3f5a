/**
 * The seed's story through the pages, each person in their own browser, one case from start to end:
 * a citizen reports broken glass with a photo on /report → the township operator sees it in
 * /console, accepts it and dispatches it to the grid → the grid worker signs on /worker, goes
 * offline, reports it handled with a photo, and the app syncs once the connection returns → the
 * operator verifies and closes it → the citizen rates it → the county leader's /dashboard, open
 * all along, shows the counters moved. At the end a screenshot of every page is saved under
 * test-results/ (story-end-*.png).
 */
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import sharp from 'sharp';
import { sql } from 'drizzle-orm';
import type { BrowserContext, Page } from 'playwright-core';
import { rows } from '../src/platform/db/database.js';
import { TEST_PASSWORD, type Client } from '../src/test-support/app.js';
import { phoneScreenshot, screenshot, signedIn, startServer } from './browser.js';
import { citizenSignIn, fillGlassReport } from './citizen.js';

const s = await startServer();
const db = s.database.db;
const contexts: BrowserContext[] = [];
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await s.close();
});

const PHONE = '13877770001';
const TEXT = '村口路面有一地碎玻璃，容易扎伤行人';
let grid: { code: string; name: string; lon: number; lat: number };
let operator: Client, worker: Client, leader: Client;
let citizenPage: Page, consolePage: Page, workerPage: Page, dashboardPage: Page;
let workerContext: BrowserContext;
let caseId: number;

const jpeg = (color: string, width = 1200, height = 900) => sharp({ create: { width, height, channels: 3, background: color } }).jpeg({ quality: 92 }).toBuffer();
const one = async <T>(q: ReturnType<typeof sql>) => (await rows<T>(db, q))[0];
const stateOf = (id: number) => one<{ status: string; version: number; rating: number | null }>(sql`select status, version, rating from events where id = ${id}`);
const kpi = (key: string) => dashboardPage.getByTestId(`kpi-${key}`).textContent();

async function newPage(context: BrowserContext, name: string): Promise<Page> {
  contexts.push(context);
  const page = await context.newPage();
  onTestFailed(async () => { await screenshot(page, `story-failure-${name}`).catch(() => undefined); });
  return page;
}
const phone = (geo = true) => s.browser.newContext({
  locale: 'zh-CN', timezoneId: 'UTC', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2,
  ...(geo ? { geolocation: { latitude: grid.lat, longitude: grid.lon }, permissions: ['geolocation'] } : {}),
});

beforeAll(async () => {
  grid = await one(sql`select u.code, u.name, b.lon, b.lat from boundaries b join org_units u on u.id = b.unit_id
    where b.level = 'grid' and u.code like '330781%' order by u.code limit 1`);
  operator = await s.as('operator', `${grid.code.slice(0, 9)}-center`);
  worker = await s.as('grid_worker', grid.code);
  leader = await s.as('leader', '330781-center');
});

describe('the seed’s story, page by page', () => {
  it('the county leader opens the dashboard: nothing reported yet', async () => {
    dashboardPage = await newPage(await signedIn(s.browser, s.url, leader), 'dashboard');
    await dashboardPage.setViewportSize({ width: 1920, height: 1080 });
    await dashboardPage.goto(`${s.url}/dashboard`);
    await expect.poll(() => dashboardPage.locator('h1').textContent(), { timeout: 20_000 }).toContain('兰溪市');
    await expect.poll(() => kpi('reported'), { timeout: 20_000 }).toBe('0');
    expect(await kpi('accepted')).toBe('0');
    expect(await kpi('closed')).toBe('0');
    await expect.poll(() => dashboardPage.locator('.feed-state').getAttribute('class'), { timeout: 20_000 }).toContain('live');
    await screenshot(dashboardPage, 'story-1-dashboard-empty');
  });

  it('a citizen signs in with an SMS code and reports broken glass with a photo', async () => {
    citizenPage = await newPage(await phone(), 'report');
    await citizenSignIn(s, citizenPage, PHONE);
    await fillGlassReport(citizenPage, grid.name, TEXT);
    await citizenPage.locator('input[type=file]').setInputFiles({ name: 'glass.jpg', mimeType: 'image/jpeg', buffer: await jpeg('#8a8') });
    // compressed in the browser and uploaded at once, before the report is sent
    await expect.poll(async () => (await one<{ n: number }>(sql`select count(*)::int as n from event_photos`)).n).toBe(1);
    await citizenPage.getByRole('button', { name: '提交上报' }).click();
    await citizenPage.getByText('上报成功').waitFor();

    const made = await rows<{ id: number; status: string; channel: string; photos: number }>(db, sql`select e.id::int as id, e.status, e.channel,
      (select count(*)::int from event_photos p where p.event_id = e.id) as photos from events e where e.description = ${TEXT}`);
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({ status: 'reported', photos: 1 });
    caseId = made[0].id;
    await citizenPage.getByText(`案件编号 #${caseId}`).waitFor();
    await phoneScreenshot(citizenPage, 'story-2-reported');
  });

  it('the dashboard hears of it at once', async () => {
    await dashboardPage.locator(`.feed-item[data-event="${caseId}"]`).waitFor({ timeout: 20_000 });
    await expect.poll(() => kpi('reported'), { timeout: 20_000 }).toBe('1');
  });

  it('the township operator sees it in the console, accepts it and dispatches it to the grid', async () => {
    consolePage = await newPage(await signedIn(s.browser, s.url, operator), 'console');
    await consolePage.goto(`${s.url}/console`);
    const row = consolePage.locator(`#case-row-${caseId}`);
    await row.waitFor({ timeout: 20_000 });
    expect(await row.textContent()).toContain('村口路面有一地碎玻璃');
    await expect.poll(() => consolePage.getByTestId('count-reported').textContent()).toBe('1');
    await row.click();
    await consolePage.getByTestId('case-detail').waitFor();
    await consolePage.locator('.console-case img[alt^="问题描述的照片"]').first().waitFor();

    const confirm = async () => {
      await consolePage.locator('.ant-modal-footer .ant-btn-primary').click();
      await expect.poll(() => consolePage.locator('.ant-modal-wrap:visible').count()).toBe(0);
    };
    await consolePage.locator('[data-action=accept]').click();
    await confirm();
    await expect.poll(() => consolePage.getByTestId('case-status').textContent()).toBe('已立案');
    await consolePage.locator('[data-action=dispatch]').click();
    await consolePage.getByRole('radio', { name: /案件所在网格/ }).check();
    await consolePage.locator('.ant-modal textarea').fill('请网格员尽快清理');
    await confirm();
    await expect.poll(() => consolePage.getByTestId('case-status').textContent()).toBe('已派遣');
    expect(await stateOf(caseId)).toMatchObject({ status: 'dispatched' });
    await screenshot(consolePage, 'story-3-dispatched');
  });

  it('the grid worker signs for it, reports it handled with a photo while offline, and it syncs once', async () => {
    workerContext = await phone();
    workerPage = await newPage(workerContext, 'worker');
    await workerPage.goto(`${s.url}/worker`);
    await workerPage.getByRole('heading', { name: '网格员登录' }).waitFor();
    await workerPage.getByLabel('用户名').fill(worker.username);
    await workerPage.getByLabel('密码').fill(TEST_PASSWORD);
    await workerPage.getByRole('button', { name: '登录' }).click();
    const task = workerPage.getByTestId(`task-${caseId}`);
    await task.waitFor({ timeout: 20_000 });
    await workerPage.evaluate('navigator.serviceWorker.ready.then(() => true)');
    await expect.poll(() => workerPage.evaluate('!!navigator.serviceWorker.controller')).toBe(true);

    await task.click();
    await workerPage.getByText(TEXT).waitFor();
    const actions = workerPage.getByRole('region', { name: '可执行操作' }).getByRole('button');
    await actions.filter({ hasText: '签收' }).click();
    await workerPage.getByRole('dialog').getByRole('button', { name: '签收' }).click();
    await expect.poll(() => stateOf(caseId).then((e) => e.status)).toBe('in_progress');
    await expect.poll(() => workerPage.getByTestId('case-status').textContent()).toBe('处置中');

    // the signal goes: the report and its photo wait on the phone
    await workerContext.setOffline(true);
    await workerPage.getByTestId('offline-banner').waitFor();
    await actions.filter({ hasText: '处置反馈' }).click();
    const dialog = workerPage.getByRole('dialog');
    await dialog.getByLabel('处置情况').fill('碎玻璃已清扫干净，路面无残留');
    await dialog.getByLabel('处置后照片：从相册选择').setInputFiles({ name: 'after.jpg', mimeType: 'image/jpeg', buffer: await jpeg('#3a3', 2400, 1800) });
    await dialog.getByRole('img', { name: '照片 1' }).waitFor();
    await dialog.getByRole('button', { name: '提交' }).click();
    await expect.poll(() => workerPage.getByTestId('sync-state').textContent()).toBe('离线 · 1 条待同步');
    expect(await stateOf(caseId)).toMatchObject({ status: 'in_progress' });
    await phoneScreenshot(workerPage, 'story-4-worker-offline');

    // back in range: synced, once, with the photo
    await workerContext.setOffline(false);
    await expect.poll(() => workerPage.getByTestId('sync-state').textContent(), { timeout: 20_000 }).toBe('已同步');
    expect(await stateOf(caseId)).toMatchObject({ status: 'handled' });
    const handled = await rows<{ photos: number }>(db, sql`select (select count(*)::int from event_photos p where p.transition_id = t.id) as photos
      from event_transitions t where t.event_id = ${caseId} and t.action = 'report_handled'`);
    expect(handled).toEqual([{ photos: 1 }]);
    await phoneScreenshot(workerPage, 'story-5-worker-synced');
  });

  it('the operator verifies it and closes it', async () => {
    // the event stream tells the open drawer that the case moved on; the operator reloads it
    const stale = consolePage.getByTestId('stale');
    await stale.waitFor({ timeout: 20_000 });
    await stale.getByRole('button', { name: '重新加载' }).click();
    await expect.poll(() => consolePage.getByTestId('case-status').textContent()).toBe('待核查');
    const handled = consolePage.locator('[data-testid=step][data-step=report_handled]');
    await handled.waitFor();
    expect(await handled.textContent()).toContain('碎玻璃已清扫干净');
    expect(await handled.locator('img').count()).toBe(1);
    await consolePage.locator('[data-action=verify_pass]').click();
    await consolePage.locator('.ant-modal textarea').fill('现场核查已清理');
    await consolePage.locator('.ant-modal-footer .ant-btn-primary').click();
    await expect.poll(() => consolePage.getByTestId('case-status').textContent()).toBe('已结案');
    expect(await stateOf(caseId)).toMatchObject({ status: 'closed' });
    await screenshot(consolePage, 'story-6-closed');
  });

  it('the citizen sees the whole timeline and rates it', async () => {
    await citizenPage.reload();
    await citizenPage.getByText('我的上报').click();
    await citizenPage.getByText(`#${caseId}`, { exact: false }).first().click();
    await citizenPage.getByTestId('rate-box').waitFor();
    const text = await citizenPage.getByTestId('case-view').textContent();
    for (const step of ['上报', '立案', '派遣', '签收', '处置反馈', '核查通过']) expect(text).toContain(step);
    expect(text).not.toContain(worker.username); // no staff names for citizens
    // times in Zhejiang's (UTC+8), though this phone is set to UTC
    const { at } = await one<{ at: string }>(sql`select created_at::text as at from events where id = ${caseId}`);
    const shanghai = new Date(new Date(at).getTime() + 8 * 3_600_000).toISOString();
    expect(text).toContain(`${shanghai.slice(0, 10).replaceAll('-', '/')} ${shanghai.slice(11, 19)}`);
    await citizenPage.getByPlaceholder('评价内容（选填）').fill('处理及时，谢谢');
    await citizenPage.getByTestId('rate-box').getByRole('button', { name: '提交' }).click();
    await citizenPage.getByText('您的评价：5 星').waitFor();
    expect(await stateOf(caseId)).toMatchObject({ status: 'closed', rating: 5 });
    await phoneScreenshot(citizenPage, 'story-7-rated');
  });

  it('the dashboard’s counters moved while it stood open', async () => {
    await expect.poll(() => kpi('closed'), { timeout: 20_000 }).toBe('1');
    expect(await kpi('reported')).toBe('1');
    expect(await kpi('accepted')).toBe('1');
    expect(await kpi('closureRate')).toBe('100%');
    expect(await kpi('onTimeRate')).toBe('100%');
    await expect.poll(() => kpi('satisfactionRate'), { timeout: 20_000 }).toBe('100%');
    const feed = dashboardPage.locator(`.feed-item[data-event="${caseId}"]`);
    expect(await feed.count()).toBeGreaterThanOrEqual(7); // a line per step it heard: report … rate
    await screenshot(dashboardPage, 'story-8-dashboard-moved');
  });

  it('ends with a screenshot of every page', async () => {
    const pages: [string, Page][] = [['report', citizenPage], ['worker', workerPage], ['console', consolePage], ['dashboard', dashboardPage]];
    const admin = await newPage(await signedIn(s.browser, s.url, await s.as('sysadmin', '330781-center')), 'admin');
    await admin.goto(`${s.url}/admin`);
    await admin.getByRole('tablist').waitFor({ timeout: 20_000 });
    pages.push(['admin', admin]);
    // the worker's list as it stands now: the case among the finished ones
    await workerPage.goto(`${s.url}/worker#/tasks`);
    await workerPage.getByText('已办', { exact: true }).click();
    await workerPage.getByTestId(`task-${caseId}`).waitFor();
    await admin.locator('.ant-table-row').first().waitFor(); // the tab's table filled
    for (const [name, page] of pages) await (name === 'report' || name === 'worker' ? phoneScreenshot : screenshot)(page, `story-end-${name}`);
  });
});

/**
 * /dashboard in Chromium: a county leader of 兰溪市 sees the indicators of a case closed through
 * the API (citizen → operator → grid worker → operator), a new report arrive in the live feed and
 * move the counter, drills down to a township, and the first render is measured (printed, not
 * asserted). Also: sign-in in the page, the network failure state, English, a laptop screen.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { sql } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { rows } from '../src/platform/db/database.js';
import { TEST_PASSWORD, type Client } from '../src/test-support/app.js';
import { screenshot, signedIn, startServer } from './browser.js';

const t = await startServer();
afterAll(() => t.close());

let grid: { code: string; lon: number; lat: number };
let township: { code: string; name: string };
let glass: string;
let citizen: Client, operator: Client, worker: Client, leader: Client;

async function upload(c: Client, color: string): Promise<string> {
  const bytes = await sharp({ create: { width: 320, height: 240, channels: 3, background: color } }).jpeg().toBuffer();
  return c.photo(bytes);
}

async function report(description: string): Promise<{ id: number; version: number }> {
  const res = await citizen.send('POST', '/api/v1/events', { categoryCode: glass, description, location: { lon: grid.lon, lat: grid.lat }, photos: [await upload(citizen, '#777')] });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().event;
}

/** The seed's story through the API (src/modules/events/story.test.ts): reported → … → closed. */
async function closeCase(): Promise<number> {
  const e = await report('村道上有一地碎玻璃，容易扎伤行人');
  let version = e.version;
  const step = async (c: Client, action: string, body: Record<string, unknown> = {}) => {
    const res = await c.send('POST', `/api/v1/events/${e.id}/${action}`, { version, ...body });
    expect(res.statusCode, `${action}: ${res.body}`).toBe(200);
    version = res.json().version;
  };
  await step(operator, 'accept');
  await step(operator, 'dispatch', { assignee: { userId: worker.userId }, note: '请尽快清理' });
  await step(worker, 'sign');
  await step(worker, 'report-handled', { note: '已清扫干净', photos: [await upload(worker, '#3a3')] });
  await step(operator, 'verify-pass', { note: '现场核查已清理' });
  return e.id;
}

beforeAll(async () => {
  [grid] = await rows<{ code: string; lon: number; lat: number }>(t.database.db, sql`select u.code, b.lon, b.lat from boundaries b join org_units u on u.id = b.unit_id
    where b.level = 'grid' and u.code like '330781%' order by u.code limit 1`);
  [township] = await rows<{ code: string; name: string }>(t.database.db, sql`select code, name from org_units where code = ${grid.code.slice(0, 9)}`);
  const cats = (await t.anonymous('GET', '/api/v1/event-categories')).json().items as { code: string; name: string }[];
  glass = cats.find((c) => c.name.includes('碎玻璃'))!.code;
  citizen = await t.citizen('13812349001');
  operator = await t.as('operator', `${township.code}-center`);
  worker = await t.as('grid_worker', grid.code);
  leader = await t.as('leader', '330781-center');
  await closeCase(); // one case closed…
  await report('路口又有碎玻璃'); // …and one still waiting
});

const kpi = (page: Page, key: string) => page.getByTestId(`kpi-${key}`);
/** Every chart drawn with its animation over (before a screenshot). */
async function chartsSettled(page: Page) {
  await expect.poll(async () => (await page.locator('figure.chart').count()) > 0 && (await page.locator('figure.chart[data-settled="false"]').count()) === 0).toBe(true);
}

async function open(viewport = { width: 1920, height: 1080 }) {
  const context = await signedIn(t.browser, t.url, leader);
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  await page.goto(`${t.url}/dashboard`);
  return { context, page };
}

describe('the command dashboard', () => {
  it('shows the indicators of the leader’s county, the map and the trend; the first render is measured', async () => {
    const { context, page } = await open();
    await expect.poll(() => kpi(page, 'accepted').textContent(), { timeout: 20_000 }).toBe('1');
    expect(await kpi(page, 'closed').textContent()).toBe('1');
    expect(await kpi(page, 'reported').textContent()).toBe('2');
    expect(await kpi(page, 'closureRate').textContent()).toBe('100%');
    expect(await kpi(page, 'onTimeRate').textContent()).toBe('100%');
    expect(await kpi(page, 'localResolutionRate').textContent()).toBe('100%');
    await expect.poll(() => page.locator('h1').textContent()).toContain('兰溪市');

    // the map: 16 townships of 兰溪市 to drill into, the case's township coloured by its count
    const children = page.locator('.children button');
    await expect.poll(() => children.count(), { timeout: 20_000 }).toBe(16);
    await expect.poll(() => page.getByRole('button', { name: `${township.name}：2` }).count(), { timeout: 20_000 }).toBe(1);
    expect(await page.locator('.map canvas').count()).toBeGreaterThan(0);
    await expect.poll(() => page.locator('.map-panel h2 small').textContent()).toContain('2');
    // the category breakdown and the trend are drawn
    await expect.poll(() => page.getByRole('img', { name: /类别分布.*道路碎玻璃 2/ }).count()).toBe(1);
    await expect.poll(() => page.getByRole('img', { name: /案件趋势.*上报 2/ }).count()).toBe(1);

    await page.waitForFunction(() => performance.getEntriesByName('dashboard-ready').length > 0, undefined, { timeout: 20_000 });
    // (evaluated in the page: this file is compiled without the DOM's types)
    const ready = await page.evaluate<{ ready: number; domContentLoaded: number | null }>(`({
      ready: performance.getEntriesByName('dashboard-ready')[0].startTime,
      domContentLoaded: performance.getEntriesByType('navigation')[0]?.domContentLoadedEventEnd ?? null,
    })`);
    console.log(`dashboard first render (fixture: 3 counties at province scale): dashboard-ready at ${ready.ready.toFixed(0)} ms after navigation start (DOMContentLoaded ${ready.domContentLoaded?.toFixed(0)} ms)`);
    expect(ready.ready).toBeGreaterThan(0);
    await chartsSettled(page);
    await screenshot(page, 'dashboard-1920x1080');

    // the period: today holds both cases too, its trend shows the last 7 days; the year's goes by month
    await page.getByText('今日', { exact: true }).click();
    await expect.poll(() => page.locator('#trend-h').textContent()).toBe('案件趋势（近7日）');
    await expect.poll(() => kpi(page, 'reported').textContent()).toBe('2');
    await page.getByText('本年', { exact: true }).click();
    await expect.poll(() => page.locator('#trend-h').textContent()).toBe('案件趋势');
    await expect.poll(() => kpi(page, 'accepted').textContent()).toBe('1');
    await context.close();

    // an administrator has no business here: said plainly
    const admin = await signedIn(t.browser, t.url, await t.as('sysadmin', '330781-center'));
    const refused = await admin.newPage();
    await refused.goto(`${t.url}/dashboard`);
    await expect.poll(() => refused.locator('.ant-result-title').textContent(), { timeout: 20_000 }).toContain('没有查看指挥大屏的权限');
    await admin.close();

    // a province leader's first view: the cities of Zhejiang (measured too)
    const [center] = await rows<{ code: string }>(t.database.db, sql`select code from org_units where level = 'province' and kind = 'center' limit 1`);
    const province = await signedIn(t.browser, t.url, await t.as('leader', center.code));
    const big = await province.newPage();
    await big.setViewportSize({ width: 1920, height: 1080 });
    await big.goto(`${t.url}/dashboard`);
    await big.waitForFunction(() => performance.getEntriesByName('dashboard-ready').length > 0, undefined, { timeout: 20_000 });
    expect(await kpi(big, 'accepted').textContent()).toBe('1');
    const cities = await big.locator('.children button').count();
    const at = await big.evaluate(() => performance.getEntriesByName('dashboard-ready')[0].startTime);
    console.log(`dashboard first render for a province leader (${cities} cities on the map): dashboard-ready at ${at.toFixed(0)} ms`);
    await chartsSettled(big);
    await screenshot(big, 'dashboard-province-1920x1080');
    await province.close();
  });

  it('puts a new report in the live feed and moves the counter', async () => {
    const { context, page } = await open();
    await expect.poll(() => kpi(page, 'reported').textContent(), { timeout: 20_000 }).toBe('2');
    await expect.poll(() => page.locator('.feed-state').getAttribute('class'), { timeout: 20_000 }).toContain('live');
    // before any change: the latest cases as they stand
    await expect.poll(() => page.locator('.feed-item.a-recent').count(), { timeout: 10_000 }).toBe(2);
    const e = await report('新上报：桥头碎玻璃');
    const item = page.locator(`.feed-item[data-event="${e.id}"]`);
    await expect.poll(() => item.count(), { timeout: 20_000 }).toBe(1);
    expect(await item.textContent()).toContain('上报');
    expect(await item.textContent()).toContain('待受理');
    await expect.poll(() => item.textContent(), { timeout: 10_000 }).toContain('道路碎玻璃'); // the case's category, read for the feed
    await expect.poll(() => kpi(page, 'reported').textContent(), { timeout: 20_000 }).toBe('3');
    await expect.poll(() => page.getByRole('button', { name: `${township.name}：3` }).count(), { timeout: 20_000 }).toBe(1);
    await screenshot(page, 'dashboard-live-feed');
    await context.close();
  });

  it('drills down to a township, a village and a grid from the list and the breadcrumb, and back up', async () => {
    const { context, page } = await open();
    await expect.poll(() => kpi(page, 'accepted').textContent(), { timeout: 20_000 }).toBe('1');
    await expect.poll(() => page.locator('.children button').count(), { timeout: 20_000 }).toBe(16);

    // another township: no cases there
    const other = (await page.locator('.children .child-name').allTextContents()).find((n) => n !== township.name)!;
    await page.locator('.children button', { hasText: other }).first().click();
    await expect.poll(() => page.locator('h1').textContent(), { timeout: 20_000 }).toContain(other);
    await expect.poll(() => kpi(page, 'reported').textContent(), { timeout: 20_000 }).toBe('0');
    expect(await kpi(page, 'closureRate').textContent()).toBe('—');

    // back up by the breadcrumb, then into the case's township
    await page.getByRole('navigation', { name: '当前区域' }).getByRole('button', { name: '兰溪市' }).click();
    await expect.poll(() => page.locator('h1').textContent(), { timeout: 20_000 }).toMatch(/兰溪市$/);
    await expect.poll(() => kpi(page, 'reported').textContent(), { timeout: 20_000 }).not.toBe('0');
    await page.locator('.children button', { hasText: township.name }).first().click();
    await expect.poll(() => page.locator('h1').textContent(), { timeout: 20_000 }).toContain(township.name);
    await expect.poll(() => kpi(page, 'accepted').textContent(), { timeout: 20_000 }).toBe('1');
    expect(await kpi(page, 'closed').textContent()).toBe('1');
    // its villages now, the case's village with its count
    await expect.poll(() => page.locator('.children button').count(), { timeout: 20_000 }).toBeGreaterThan(3);
    const [village] = await rows<{ name: string }>(t.database.db, sql`select name from org_units where code = ${grid.code.slice(0, 12)}`);
    await expect.poll(() => page.getByRole('button', { name: new RegExp(`^${village.name}：\\d+$`) }).textContent(), { timeout: 20_000 }).toMatch(/[1-9]/);
    await screenshot(page, 'dashboard-township');

    // down to the village and its grids; a grid has nothing below: its figures show, the map keeps its siblings
    await page.getByRole('button', { name: new RegExp(`^${village.name}：`) }).click();
    await expect.poll(() => page.locator('h1').textContent(), { timeout: 20_000 }).toContain(village.name);
    const [gridUnit] = await rows<{ name: string }>(t.database.db, sql`select name from org_units where code = ${grid.code}`);
    await page.locator('.children button', { hasText: gridUnit.name }).first().click();
    await expect.poll(() => page.locator('h1').textContent(), { timeout: 20_000 }).toContain(gridUnit.name);
    await expect.poll(() => kpi(page, 'closed').textContent(), { timeout: 20_000 }).toBe('1');
    expect(await page.locator('.crumbs li').count()).toBe(4);
    await page.getByRole('navigation', { name: '当前区域' }).getByRole('button', { name: township.name }).click();
    await expect.poll(() => page.locator('.crumbs li').count(), { timeout: 20_000 }).toBe(2);

    // up again to the county and its 16 townships
    await page.getByRole('button', { name: '返回上级' }).click();
    await expect.poll(() => page.locator('h1').textContent(), { timeout: 20_000 }).toMatch(/兰溪市$/);
    await expect.poll(() => page.locator('.children button').count(), { timeout: 20_000 }).toBe(16);
    await context.close();
  });

  it('says when the network fails and recovers on retry', async () => {
    const context = await signedIn(t.browser, t.url, leader);
    const page = await context.newPage();
    await page.route('**/api/v1/events/indicators?*', (r) => r.abort());
    await page.goto(`${t.url}/dashboard`);
    await expect.poll(() => page.getByRole('alert').first().textContent(), { timeout: 20_000 }).toContain('网络连接失败');
    await screenshot(page, 'dashboard-network-error');
    await page.unroute('**/api/v1/events/indicators?*');
    await page.getByRole('button', { name: '重试' }).first().click();
    await expect.poll(() => kpi(page, 'accepted').textContent(), { timeout: 20_000 }).toBe('1');
    await context.close();
  });

  it('signs a leader in on the page, switches to English, and fits a laptop screen', async () => {
    const context = await t.browser.newContext({ locale: 'zh-CN', viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${t.url}/dashboard`);
    await page.getByLabel('用户名').fill(leader.username);
    await page.getByLabel('密码').fill('wrong password');
    await page.getByRole('button', { name: '登录' }).click();
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 10_000 }).toContain('用户名或密码错误');
    await page.getByLabel('密码').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await expect.poll(() => kpi(page, 'accepted').textContent(), { timeout: 20_000 }).toBe('1');

    await page.getByRole('button', { name: '切换语言' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toContain('command dashboard');
    expect(await page.getByText('Registered', { exact: true }).count()).toBe(1);
    // the whole dashboard fits the laptop screen: no page scroll
    expect(await page.evaluate('document.documentElement.scrollHeight <= window.innerHeight + 1')).toBe(true);
    await chartsSettled(page);
    await screenshot(page, 'dashboard-laptop-en');
    await context.close();
  });
});

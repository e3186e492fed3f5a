/**
 * The citizen page /report in a real browser: sign in with an SMS code, report broken glass with
 * a photo at the phone's GPS position, retry after a lost answer without making a second case,
 * the duplicate hint for a neighbour, "my reports" with the timeline and the rating, and the
 * error states (validation, network).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { sql } from 'drizzle-orm';
import type { BrowserContext, Page } from 'playwright-core';
import { rows } from '../src/platform/db/database.js';
import { screenshot, startServer } from './browser.js';
import { citizenSignIn, fillGlassReport } from './citizen.js';

const s = await startServer();
afterAll(() => s.close());

let grid: { code: string; lon: number; lat: number; name: string };
let photo: Buffer;

beforeAll(async () => {
  [grid] = await rows<{ code: string; lon: number; lat: number; name: string }>(s.database.db, sql`select u.code, u.name, b.lon, b.lat from boundaries b join org_units u on u.id = b.unit_id
    where b.level = 'grid' and u.code like '330781%' order by u.code limit 1`);
  photo = await sharp({ create: { width: 1200, height: 900, channels: 3, background: '#8a8' } }).jpeg().toBuffer();
});

async function phoneContext(): Promise<BrowserContext> {
  return s.browser.newContext({
    locale: 'zh-CN', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true,
    geolocation: { latitude: grid.lat, longitude: grid.lon }, permissions: ['geolocation'],
  });
}

const signIn = (page: Page, phone: string) => citizenSignIn(s, page, phone);
const fillReport = (page: Page, text: string) => fillGlassReport(page, grid.name, text);

const casesOf = (text: string) => rows<{ id: string; photos: number }>(s.database.db, sql`select e.id, (select count(*)::int from event_photos p where p.event_id = e.id) as photos from events e where e.description = ${text}`);

let reporter: Page; // the first citizen's page, kept signed in (a second SMS code within a minute is refused)

describe('/report', () => {
  it('signs a citizen in with an SMS code and reports with a photo; a retried submission makes one case', async () => {
    const context = await phoneContext();
    const page = await context.newPage();
    reporter = page;
    await signIn(page, '13811110001');
    await fillReport(page, '村口路面有碎玻璃，请尽快处理');
    await page.locator('input[type=file]').setInputFiles({ name: 'glass.jpg', mimeType: 'image/jpeg', buffer: photo });
    await expect.poll(async () => (await rows<{ n: number }>(s.database.db, sql`select count(*)::int as n from event_photos`))[0].n).toBeGreaterThan(0);
    // the first answer is lost on the way back: the case exists, the page only sees a network error
    let lost = false;
    await page.route('**/api/v1/events', async (route) => {
      if (route.request().method() !== 'POST' || lost) return route.fallback();
      lost = true;
      await route.fetch(); // the server makes the case …
      await route.fulfill({ status: 502, contentType: 'text/plain', body: 'Bad Gateway' }); // … the answer is lost at a proxy
    });
    await page.getByRole('button', { name: '提交上报' }).click();
    await page.getByText('请求失败（502）').waitFor();
    await page.getByRole('button', { name: '提交上报' }).click();
    await page.getByText('上报成功').waitFor();
    await screenshot(page, 'report-submitted');
    const cases = await casesOf('村口路面有碎玻璃，请尽快处理');
    expect(cases).toHaveLength(1);
    expect(cases[0].photos).toBe(1);
    await expect.poll(() => page.getByText(`案件编号 #${cases[0].id}`).count()).toBe(1);

    // my reports: the case with its status and timeline
    await page.getByRole('button', { name: '查看进展' }).click();
    await page.getByTestId('case-view').waitFor();
    await expect.poll(() => page.getByTestId('case-view').textContent()).toContain('待受理');
    await screenshot(page, 'report-my-case');
  });

  it('offers the case already reported nearby and lets a neighbour follow it', async () => {
    const context = await phoneContext();
    const page = await context.newPage();
    await signIn(page, '13811110002');
    await fillReport(page, '这里也有碎玻璃');
    await page.getByTestId('duplicate-hint').waitFor();
    await screenshot(page, 'report-duplicate-hint');
    await page.getByRole('button', { name: '关注该案件' }).click();
    await page.getByText('我关注的案件').waitFor();
    expect(await casesOf('这里也有碎玻璃')).toHaveLength(0);
    await context.close();
  });

  it('shows the timeline after closure and takes the rating', async () => {
    const [c] = await casesOf('村口路面有碎玻璃，请尽快处理');
    const id = Number(c.id);
    const township = grid.code.slice(0, 9);
    const op = await s.as('operator', `${township}-center`);
    const worker = await s.as('grid_worker', grid.code);
    const step = async (who: typeof op, action: string, body: Record<string, unknown> = {}) => {
      const v = (await op.get(`/api/v1/events/${id}`)).json().version;
      const res = await who.send('POST', `/api/v1/events/${id}/${action}`, { version: v, ...body });
      expect(res.statusCode, res.body).toBe(200);
    };
    await step(op, 'accept');
    await step(op, 'dispatch', { assignee: { userId: worker.userId } });
    await step(worker, 'sign');
    await step(worker, 'report-handled', { note: '已清扫', photos: [await worker.photo(photo)] });
    await step(op, 'verify-pass');

    const page = reporter;
    await page.reload();
    await page.getByText('我的上报').click();
    await page.getByText(`#${id}`, { exact: false }).first().click();
    await page.getByTestId('rate-box').waitFor();
    const text = await page.getByTestId('case-view').textContent();
    for (const step of ['上报', '立案', '派遣', '签收', '处置反馈', '核查通过']) expect(text).toContain(step);
    await page.getByPlaceholder('评价内容（选填）').fill('处理及时');
    await page.getByTestId('rate-box').getByRole('button', { name: '提交' }).click();
    await page.getByText('您的评价：5 星').waitFor();
    await screenshot(page, 'report-rated');
    await page.context().close();
    const [r] = await rows<{ rating: number; comment: string }>(s.database.db, sql`select rating, rating_comment as comment from events where id = ${id}`);
    expect(r).toEqual({ rating: 5, comment: '处理及时' });
  });

  it('shows validation errors next to the field, a network failure with a retry, and switches to English', async () => {
    const context = await phoneContext();
    const page = await context.newPage();
    await signIn(page, '13811110003');
    await page.getByRole('button', { name: '提交上报' }).click();
    await page.getByText('请先确定问题位置').waitFor();
    expect(await page.getByRole('alert').count()).toBeGreaterThanOrEqual(3); // location, category, description
    await screenshot(page, 'report-validation');
    await page.getByRole('button', { name: 'switch language' }).click();
    await page.getByRole('button', { name: 'Use my location' }).waitFor();
    await page.getByRole('button', { name: 'switch language' }).click();
    // the network goes away: the page says so and offers a retry that works once it is back
    await page.route('**/api/v1/event-categories', (r) => r.abort());
    await page.reload();
    await page.getByText('网络连接失败，请检查网络后重试').waitFor();
    await screenshot(page, 'report-offline');
    await page.unroute('**/api/v1/event-categories');
    await page.getByRole('button', { name: '重试' }).click();
    await page.getByRole('button', { name: '使用当前位置' }).waitFor();
    await context.close();
  });
});

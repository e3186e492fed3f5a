/**
 * The seed's story in the browser on the demo's own data (as `npm start` seeds it), with the demo
 * accounts signing in on the pages with their published password: a citizen reports broken glass
 * at 凌家村's point on /report → lanxi.operator accepts it in /console and dispatches it to the
 * case's grid → lanxi.worker signs on /worker and reports it handled with a photo → lanxi.operator
 * verifies it and it is closed. One pass, lean: e2e/story.test.ts covers the pages in depth.
 */
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import sharp from 'sharp';
import { sql } from 'drizzle-orm';
import type { BrowserContext, Page } from 'playwright-core';
import { rows } from '../src/platform/db/database.js';
import * as org from '../src/modules/org/index.js';
import { storyPlace, DEMO_PASSWORD, STORY_TOWNSHIP, STORY_VILLAGE } from '../src/modules/accounts/index.js';
import { screenshot, startServer } from './browser.js';
import { citizenSignIn, fillGlassReport } from './citizen.js';

const s = await startServer({ demo: true });
const db = s.database.db;
const contexts: BrowserContext[] = [];
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await s.close();
});

const TEXT = '凌家村村道上有一地碎玻璃，容易扎伤行人';
const place = (await storyPlace(db))!;
const [gridUnit] = await org.findByCodes(db, [place.grid]);
const jpeg = (color: string) => sharp({ create: { width: 1200, height: 900, channels: 3, background: color } }).jpeg({ quality: 92 }).toBuffer();
const caseOf = async (id: number) => (await rows<{ status: string; owner: string; village: string | null; grid: string | null; assignee: string | null }>(db, sql`
  select e.status, o.code as owner, e.village_code as village, e.grid_code as grid, a.code as assignee
  from events e join org_units o on o.id = e.owner_unit_id left join org_units a on a.id = e.assignee_unit_id where e.id = ${id}`))[0];
/** Who reported the case handled, and with how many photos. */
const handledBy = (id: number) => rows<{ username: string; photos: number }>(db, sql`select u.username,
  (select count(*)::int from event_photos p where p.transition_id = t.id) as photos
  from event_transitions t join users u on u.id = t.actor_id where t.event_id = ${id} and t.action = 'report_handled'`);

async function newPage(context: BrowserContext, name: string): Promise<Page> {
  contexts.push(context);
  const page = await context.newPage();
  onTestFailed(async () => { await screenshot(page, `demo-story-failure-${name}`).catch(() => undefined); });
  return page;
}
const phone = () => s.browser.newContext({
  locale: 'zh-CN', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2,
  geolocation: { latitude: place.lat, longitude: place.lon }, permissions: ['geolocation'],
});

/** Signs in on a staff page's form with a demo account's published password. */
async function signIn(page: Page, username: string) {
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: /登\s?录/ }).click();
}

describe('the seed’s story on the demo, page by page, with the demo accounts', () => {
  it('a citizen reports broken glass in 凌家村; lanxi.operator accepts it and dispatches it to the grid; lanxi.worker handles it; it is verified and closed', async () => {
    // the citizen, at 凌家村's point, on /report
    const citizen = await newPage(await phone(), 'report');
    await citizenSignIn(s, citizen, '13877787781');
    await fillGlassReport(citizen, gridUnit.name, TEXT);
    await citizen.locator('input[type=file]').setInputFiles({ name: 'glass.jpg', mimeType: 'image/jpeg', buffer: await jpeg('#8a8') });
    await expect.poll(async () => (await rows<{ n: number }>(db, sql`select count(*)::int as n from event_photos`))[0].n).toBe(1);
    await citizen.getByRole('button', { name: '提交上报' }).click();
    await citizen.getByText('上报成功').waitFor();
    const [{ id }] = await rows<{ id: number }>(db, sql`select id::int as id from events where description = ${TEXT}`);
    expect(await caseOf(id)).toMatchObject({ status: 'reported', owner: `${STORY_TOWNSHIP}-center`, village: STORY_VILLAGE, grid: place.grid });

    // lanxi.operator signs in on /console, accepts it and dispatches it to the case's grid
    const center = await newPage(await s.browser.newContext({ locale: 'zh-CN', viewport: { width: 1440, height: 900 } }), 'console');
    await center.goto(`${s.url}/console`);
    await signIn(center, 'lanxi.operator');
    const row = center.locator(`#case-row-${id}`);
    await row.waitFor({ timeout: 20_000 });
    await row.click();
    await center.getByTestId('case-detail').waitFor();
    const confirm = async () => {
      await center.locator('.ant-modal-footer .ant-btn-primary').click();
      await expect.poll(() => center.locator('.ant-modal-wrap:visible').count()).toBe(0);
    };
    await center.locator('[data-action=accept]').click();
    await confirm();
    await expect.poll(() => center.getByTestId('case-status').textContent()).toBe('已立案');
    await center.locator('[data-action=dispatch]').click();
    await center.getByRole('radio', { name: /案件所在网格/ }).check();
    await confirm();
    await expect.poll(() => center.getByTestId('case-status').textContent()).toBe('已派遣');
    expect(await caseOf(id)).toMatchObject({ status: 'dispatched', assignee: place.grid });

    // lanxi.worker signs in on /worker, signs for it and reports it handled with a photo
    const worker = await newPage(await phone(), 'worker');
    await worker.goto(`${s.url}/worker`);
    await worker.getByRole('heading', { name: '网格员登录' }).waitFor();
    await signIn(worker, 'lanxi.worker');
    await worker.getByTestId(`task-${id}`).click({ timeout: 20_000 });
    await worker.getByText(TEXT).waitFor();
    const actions = worker.getByRole('region', { name: '可执行操作' }).getByRole('button');
    await actions.filter({ hasText: '签收' }).click();
    await worker.getByRole('dialog').getByRole('button', { name: '签收' }).click();
    await expect.poll(() => caseOf(id).then((e) => e.status)).toBe('in_progress');
    await actions.filter({ hasText: '处置反馈' }).click();
    const dialog = worker.getByRole('dialog');
    await dialog.getByLabel('处置情况').fill('碎玻璃已清扫干净，路面无残留');
    await dialog.getByLabel('处置后照片：从相册选择').setInputFiles({ name: 'after.jpg', mimeType: 'image/jpeg', buffer: await jpeg('#3a3') });
    await dialog.getByRole('img', { name: '照片 1' }).waitFor();
    await dialog.getByRole('button', { name: '提交' }).click();
    await expect.poll(() => caseOf(id).then((e) => e.status), { timeout: 20_000 }).toBe('handled');
    expect(await handledBy(id)).toEqual([{ username: 'lanxi.worker', photos: 1 }]);

    // lanxi.operator verifies it: closed
    const stale = center.getByTestId('stale');
    await stale.waitFor({ timeout: 20_000 });
    await stale.getByRole('button', { name: '重新加载' }).click();
    await expect.poll(() => center.getByTestId('case-status').textContent()).toBe('待核查');
    expect(await center.locator('[data-testid=step][data-step=report_handled] img').count()).toBe(1);
    await center.locator('[data-action=verify_pass]').click();
    await center.locator('.ant-modal textarea').fill('现场核查已清理');
    await confirm();
    await expect.poll(() => center.getByTestId('case-status').textContent()).toBe('已结案');
    expect(await caseOf(id)).toMatchObject({ status: 'closed', owner: `${STORY_TOWNSHIP}-center`, village: STORY_VILLAGE, grid: place.grid });
    await screenshot(center, 'demo-story-closed');
  });
});

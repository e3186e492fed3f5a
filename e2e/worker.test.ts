/**
 * The grid worker's app /worker in a real browser (a phone viewport): sign-in, my tasks sorted by
 * deadline with live countdowns and overdue colours, signing for a case, reporting it handled with
 * a photo while OFFLINE (queued in IndexedDB, the app reopened offline from the service worker,
 * then synced once), a patrol report made offline whose first sync is cut off after the server
 * answered (one case, not two), a 409 conflict shown to the worker, and the error states.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { sql } from 'drizzle-orm';
import type { BrowserContext, Page } from 'playwright-core';
import { rows } from '../src/platform/db/database.js';
import { TEST_PASSWORD, type Client } from '../src/test-support/app.js';
import { phoneScreenshot as screenshot, startServer } from './browser.js';

// the server's clock runs with the real one, shifted on demand (to make a case that is long overdue)
let offset = 0;
const s = await startServer({ now: () => new Date(Date.now() + offset) });
afterAll(() => s.close());

let grid: { code: string; name: string; lon: number; lat: number };
let township: string;
let citizen: Client, operator: Client, worker: Client;
let context: BrowserContext;
let page: Page;
let bigJpeg: Buffer;

const db = s.database.db;
const one = async <T>(q: ReturnType<typeof sql>) => (await rows<T>(db, q))[0];

/** A citizen reports broken glass in the worker's grid; the township center accepts it and dispatches it to the worker. */
async function dispatchedCase(description: string): Promise<number> {
  const r = await citizen.send('POST', '/api/v1/events', { categoryCode: '0101', description, location: { lon: grid.lon, lat: grid.lat } });
  expect(r.statusCode, r.body).toBe(201);
  const id = r.json().event.id as number;
  const a = await operator.send('POST', `/api/v1/events/${id}/accept`, { version: r.json().event.version });
  expect(a.statusCode, a.body).toBe(200);
  const d = await operator.send('POST', `/api/v1/events/${id}/dispatch`, { version: a.json().version, assignee: { userId: worker.userId } });
  expect(d.statusCode, d.body).toBe(200);
  return id;
}

const statusOf = async (id: number) => (await one<{ status: string }>(sql`select status from events where id = ${id}`)).status;
const transitions = async (id: number, action: string) => (await one<{ n: number }>(sql`select count(*)::int as n from event_transitions where event_id = ${id} and action = ${action}`)).n;

beforeAll(async () => {
  grid = (await rows<typeof grid>(db, sql`select u.code, u.name, b.lon, b.lat from boundaries b join org_units u on u.id = b.unit_id
    where b.level = 'grid' and u.code like '330106%' order by u.code limit 1`))[0];
  township = grid.code.slice(0, 9);
  citizen = await s.citizen('13822220001');
  operator = await s.as('operator', `${township}-center`);
  worker = await s.as('grid_worker', grid.code);
  bigJpeg = await sharp({ create: { width: 2400, height: 1800, channels: 3, background: '#6a8' } }).jpeg({ quality: 95 }).toBuffer();
  context = await s.browser.newContext({
    locale: 'zh-CN', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2,
    geolocation: { latitude: grid.lat, longitude: grid.lon }, permissions: ['geolocation'],
  });
  page = await context.newPage();
});

describe('/worker', () => {
  afterEach(async () => { await context.setOffline(false).catch(() => undefined); });
  let handledId: number;
  let overdueId: number;

  it('signs the worker in and lists the tasks by deadline, with live countdowns and overdue colours', async () => {
    // one case dispatched 3 days ago (its 30-minute sign limit long past), one just now
    offset = -3 * 86_400_000;
    overdueId = await dispatchedCase('三天前派遣：人行道上的碎玻璃');
    offset = 0;
    handledId = await dispatchedCase('村道上有一地碎玻璃，容易扎伤行人');

    await page.goto(`${s.url}/worker`);
    await page.getByRole('heading', { name: '网格员登录' }).waitFor();
    await screenshot(page, 'worker-login');
    // a wrong password is said, not swallowed
    await page.getByLabel('用户名').fill(worker.username);
    await page.getByLabel('密码').fill('wrong-password');
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('alert').filter({ hasText: '用户名或密码错误' }).waitFor();
    await page.getByLabel('密码').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();

    const fresh = page.getByTestId(`task-${handledId}`);
    const late = page.getByTestId(`task-${overdueId}`);
    await fresh.waitFor();
    // soonest deadline first: the overdue case leads
    const order = await page.locator('[data-testid^=task-]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
    expect(order.indexOf(`task-${overdueId}`)).toBeLessThan(order.indexOf(`task-${handledId}`));
    // the fresh one counts down (30 minutes to sign), green; the old one is overdue, in red/brown
    await expect.poll(() => fresh.getAttribute('data-deadline')).toBe('normal');
    const before = await fresh.getByRole('timer').textContent();
    expect(before).toMatch(/^签收 · 剩 (29|30) 分/);
    await expect.poll(() => fresh.getByRole('timer').textContent(), { timeout: 4000 }).not.toBe(before);
    expect(['overdue', 'escalated']).toContain(await late.getAttribute('data-deadline'));
    expect(await late.getByRole('timer').textContent()).toMatch(/已超期 2 天 23 小时|已超期 3 天/);
    const border = await late.evaluate((e) => (globalThis as unknown as { getComputedStyle(x: unknown): { borderLeftColor: string } }).getComputedStyle(e).borderLeftColor);
    expect(['rgb(220, 38, 38)', 'rgb(124, 45, 18)']).toContain(border);
    await expect.poll(() => page.getByTestId('sync-state').textContent()).toContain('已同步');
    await screenshot(page, 'worker-tasks');

    // English on the switch, and back
    await page.getByRole('button', { name: 'Switch to English' }).click();
    await page.getByRole('link', { name: 'My tasks' }).waitFor();
    expect(await fresh.getByRole('timer').textContent()).toMatch(/^Sign · \d+ min \d+ s left$/);
    expect(await late.getByRole('timer').textContent()).toMatch(/^Sign · overdue by (2 d 23 h|3 d)/);
    await screenshot(page, 'worker-tasks-en');
    await page.getByRole('button', { name: '切换到中文' }).click();
    await page.getByRole('link', { name: '我的任务' }).waitFor();
  });

  it('signs for a case online, then reports it handled with a photo while offline; it syncs once when the connection returns', async () => {
    // the app shell is in the service worker's cache before we go offline
    await page.evaluate('navigator.serviceWorker.ready.then(() => true)');
    await expect.poll(() => page.evaluate('!!navigator.serviceWorker.controller')).toBe(true);

    await page.getByTestId(`task-${handledId}`).click();
    await page.getByRole('heading', { name: '道路碎玻璃' }).waitFor();
    await page.getByText('村道上有一地碎玻璃，容易扎伤行人').waitFor();
    // only the assignee's actions of a dispatched case
    const actions = page.getByRole('region', { name: '可执行操作' }).getByRole('button');
    expect(await actions.allTextContents()).toEqual(['签收', '退回', '申请延期']);
    await actions.filter({ hasText: '签收' }).click();
    await page.getByRole('dialog').getByRole('button', { name: '签收' }).click();
    await expect.poll(() => statusOf(handledId)).toBe('in_progress');
    await expect.poll(() => page.getByTestId('case-status').textContent()).toBe('处置中');
    expect(await actions.allTextContents()).toEqual(['退回', '申请延期', '处置反馈']);
    await expect.poll(() => page.getByTestId('sync-state').textContent()).toBe('已同步');

    // offline: the banner shows, and the action waits on the phone
    await context.setOffline(true);
    await page.getByTestId('offline-banner').waitFor();
    await actions.filter({ hasText: '处置反馈' }).click();
    const dialog = page.getByRole('dialog');
    // a note is required: said next to the field
    await dialog.getByRole('button', { name: '提交' }).click();
    await dialog.getByText('请填写处置情况').waitFor();
    await dialog.getByLabel('处置情况').fill('碎玻璃已清扫干净，路面无残留');
    await dialog.getByLabel('处置后照片：从相册选择').setInputFiles({ name: 'after.jpg', mimeType: 'image/jpeg', buffer: bigJpeg });
    await dialog.getByRole('img', { name: '照片 1' }).waitFor();
    await dialog.getByRole('button', { name: '提交' }).click();
    await expect.poll(() => page.getByTestId('sync-state').textContent()).toBe('离线 · 1 条待同步');
    await expect.poll(() => page.getByTestId('case-status').textContent()).toBe('待核查'); // as the worker will see it
    await screenshot(page, 'worker-offline-queued');
    expect(await statusOf(handledId)).toBe('in_progress'); // nothing reached the server

    // the app opens again without a connection: the shell from the service worker, the queue and tasks from IndexedDB
    await page.goto(`${s.url}/worker#/tasks`);
    const reopened = await page.reload(); // a new load of the document, not a hash change
    expect(reopened?.fromServiceWorker()).toBe(true);
    await page.getByTestId(`task-${handledId}`).waitFor();
    await page.getByText(/离线：显示 .* 的任务/).waitFor();
    await expect.poll(() => page.getByTestId('sync-state').textContent()).toBe('离线 · 1 条待同步');
    await page.getByRole('navigation').getByRole('link', { name: /^同步/ }).click();
    await page.getByTestId('queued-op').filter({ hasText: '处置反馈' }).waitFor();
    await screenshot(page, 'worker-offline-reopened');

    // back online: the photo goes first, then the action that names it; once
    await context.setOffline(false);
    await expect.poll(() => page.getByTestId('sync-state').textContent(), { timeout: 20_000 }).toBe('已同步');
    await page.getByText('全部已同步').waitFor();
    expect(await statusOf(handledId)).toBe('handled');
    expect(await transitions(handledId, 'report_handled')).toBe(1);
    const photos = await rows<{ width: number; height: number; mime: string }>(db, sql`select p.width, p.height, p.mime from event_photos p
      join event_transitions t on t.id = p.transition_id where p.event_id = ${handledId} and t.action = 'report_handled'`);
    expect(photos).toHaveLength(1);
    // compressed on the phone: 2400 × 1800 became 1600 × 1200 JPEG
    expect(photos[0]).toEqual({ width: 1600, height: 1200, mime: 'image/jpeg' });
    await screenshot(page, 'worker-synced');

    // the case page shows the server's timeline with the photo
    await page.goto(`${s.url}/worker#/case/${handledId}`);
    await page.getByRole('region', { name: '处置过程' }).getByText('处置反馈').waitFor();
    await page.getByRole('region', { name: '照片' }).getByRole('button', { name: '照片 1' }).waitFor();
    await page.getByText('当前没有您可执行的操作').waitFor();
  });

  it('queues a patrol report offline and syncs it once, even when the first answer is lost and the sync retried', async () => {
    const text = '巡查发现：小区门口消防通道被电动车堵塞，已现场劝离';
    await page.goto(`${s.url}/worker#/patrol`);
    await page.getByRole('heading', { name: '巡查上报' }).waitFor();
    // GPS, and the grid found by the server
    await expect.poll(() => page.getByTestId('patrol-place').textContent()).toContain(grid.name);
    // empty form: the errors stand next to their fields
    await page.getByRole('button', { name: '提交上报' }).click();
    await page.getByText('请选择事件类别').waitFor();
    await page.getByText('请填写问题描述').waitFor();

    await context.setOffline(true);
    await page.getByTestId('offline-banner').waitFor();
    await page.getByLabel('事件类别').click();
    await page.getByRole('textbox', { name: '搜索类别（名称、关键词）' }).fill('消防通道');
    await page.getByRole('button', { name: /消防通道堵塞/ }).click();
    await page.getByLabel('问题描述').fill(text);
    await page.getByLabel('现场照片：从相册选择').setInputFiles({ name: 'lane.jpg', mimeType: 'image/jpeg', buffer: bigJpeg });
    await page.getByRole('img', { name: '照片 1' }).waitFor();
    await page.getByRole('switch', { name: '就地解决' }).check();
    await screenshot(page, 'worker-patrol-form');
    await page.getByRole('button', { name: '提交上报' }).click();
    await expect.poll(() => page.getByTestId('sync-state').textContent()).toBe('离线 · 1 条待同步');
    // the form is a fresh draft again
    expect(await page.getByLabel('问题描述').inputValue()).toBe('');

    // the first POST reaches the server, but its answer is cut off; the queue retries with the same key
    const posts: number[] = [];
    await page.route('**/api/v1/events', async (route) => {
      if (route.request().method() !== 'POST') return route.fallback();
      const res = await route.fetch();
      posts.push(res.status());
      if (posts.length === 1) return route.abort('connectionreset');
      return route.fulfill({ response: res });
    });
    await context.setOffline(false);
    await expect.poll(() => page.getByTestId('sync-state').textContent(), { timeout: 30_000 }).toBe('已同步');
    expect(posts).toEqual([201, 200]); // created, then replayed
    await page.unroute('**/api/v1/events');

    const cases = await rows<{ id: number; status: string; channel: string; resolved_on_spot: boolean; photos: number }>(db, sql`select e.id::int as id, e.status, e.channel, e.resolved_on_spot,
      (select count(*)::int from event_photos p where p.event_id = e.id) as photos from events e where e.description = ${text}`);
    expect(cases).toHaveLength(1);
    expect(cases[0]).toMatchObject({ status: 'handled', channel: 'patrol', resolved_on_spot: true, photos: 1 });
    await screenshot(page, 'worker-patrol-synced');
  });

  it('shows a 409 when the case changed while the worker was offline, and lets the worker resubmit on the new version', async () => {
    const id = await dispatchedCase('路口有碎玻璃，需清扫');
    await page.goto(`${s.url}/worker#/tasks`);
    await page.getByTestId(`task-${id}`).click();
    await page.getByRole('heading', { name: '道路碎玻璃' }).waitFor();

    await context.setOffline(true);
    await page.getByTestId('offline-banner').waitFor();
    await page.getByRole('region', { name: '可执行操作' }).getByRole('button', { name: '签收' }).click();
    await page.getByRole('dialog').getByRole('button', { name: '签收' }).click();
    await expect.poll(() => page.getByTestId('sync-state').textContent()).toBe('离线 · 1 条待同步');

    // meanwhile the center supervises the case: a new version
    const cur = (await operator.get(`/api/v1/events/${id}`)).json();
    const sup = await operator.send('POST', `/api/v1/events/${id}/supervise`, { version: cur.version, note: '请尽快处理' });
    expect(sup.statusCode, sup.body).toBe(200);

    await context.setOffline(false);
    const op = page.getByTestId('queued-op');
    await expect.poll(() => op.getAttribute('data-state'), { timeout: 20_000 }).toBe('conflict');
    await op.getByText(/案件已被他人更新/).waitFor();
    await op.getByText(/请查看最新情况后决定重新提交或放弃/).waitFor();
    await expect.poll(() => page.getByTestId('sync-state').textContent()).toBe('1 条需处理');
    expect(await statusOf(id)).toBe('dispatched'); // not retried blindly
    expect(await transitions(id, 'sign')).toBe(0);
    await page.getByRole('region', { name: '处置过程' }).getByText('督办').waitFor(); // the change is shown
    await screenshot(page, 'worker-conflict');

    await op.getByRole('button', { name: '按最新版本重新提交' }).click();
    await expect.poll(() => page.getByTestId('sync-state').textContent(), { timeout: 20_000 }).toBe('已同步');
    expect(await statusOf(id)).toBe('in_progress');
    expect(await transitions(id, 'sign')).toBe(1);
  });

  it('recognises a transition whose answer was lost: the retry meets a 409, finds its own step in the timeline, and settles without a second one', async () => {
    const id = await dispatchedCase('桥头碎玻璃');
    await page.goto(`${s.url}/worker#/case/${id}`);
    await page.getByRole('heading', { name: '道路碎玻璃' }).waitFor();
    let cut = 0;
    await page.route(`**/api/v1/events/${id}/sign`, async (route) => {
      const res = await route.fetch();
      if (cut++ === 0) return route.abort('connectionreset'); // the server signed; the phone never heard
      return route.fulfill({ response: res });
    });
    await page.getByRole('region', { name: '可执行操作' }).getByRole('button', { name: '签收' }).click();
    await page.getByRole('dialog').getByRole('button', { name: '签收' }).click();
    await expect.poll(() => statusOf(id)).toBe('in_progress');
    await expect.poll(() => page.getByTestId('sync-state').textContent(), { timeout: 20_000 }).toBe('已同步');
    expect(cut).toBe(2); // sent again after the lost answer, and answered 409
    expect(await transitions(id, 'sign')).toBe(1);
    await expect.poll(() => page.getByTestId('case-status').textContent()).toBe('处置中');
    expect(await page.getByTestId('queued-op').count()).toBe(0);
    await page.unroute(`**/api/v1/events/${id}/sign`);
  });

  it('chains two actions queued offline on one case (sign, then return): they sync in order, each on the version the other left', async () => {
    const id = await dispatchedCase('不属于本网格的碎玻璃');
    await page.goto(`${s.url}/worker#/case/${id}`);
    await page.getByRole('heading', { name: '道路碎玻璃' }).waitFor();
    await context.setOffline(true);
    await page.getByTestId('offline-banner').waitFor();
    const actions = page.getByRole('region', { name: '可执行操作' }).getByRole('button');
    await actions.filter({ hasText: '签收' }).click();
    await page.getByRole('dialog').getByRole('button', { name: '签收' }).click();
    await expect.poll(() => actions.allTextContents()).toEqual(['退回', '申请延期', '处置反馈']);
    await actions.filter({ hasText: '退回' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('退回理由').fill('该位置属于相邻网格');
    await dialog.getByRole('button', { name: '提交' }).click();
    await expect.poll(() => page.getByTestId('sync-state').textContent()).toBe('离线 · 2 条待同步');
    await context.setOffline(false);
    await expect.poll(() => page.getByTestId('sync-state').textContent(), { timeout: 20_000 }).toBe('已同步');
    expect(await statusOf(id)).toBe('returned');
    const steps = await rows<{ action: string; note: string | null }>(db, sql`select action, note from event_transitions where event_id = ${id} order by id`);
    expect(steps.map((r) => r.action)).toEqual(['report', 'accept', 'dispatch', 'sign', 'return']);
    expect(steps[4].note).toBe('该位置属于相邻网格');
  });

  it('lets the worker discard a queued action (after a confirmation): nothing reaches the server', async () => {
    const id = await dispatchedCase('待放弃的操作');
    await page.goto(`${s.url}/worker#/case/${id}`);
    await page.getByRole('heading', { name: '道路碎玻璃' }).waitFor();
    await context.setOffline(true);
    await page.getByTestId('offline-banner').waitFor();
    await page.getByRole('region', { name: '可执行操作' }).getByRole('button', { name: '退回' }).click();
    await page.getByRole('dialog').getByLabel('退回理由').fill('误操作');
    await page.getByRole('dialog').getByRole('button', { name: '提交' }).click();
    await page.getByRole('navigation').getByRole('link', { name: /^同步/ }).click();
    const op = page.getByTestId('queued-op').filter({ hasText: '退回' });
    await op.getByRole('button', { name: '放弃' }).click();
    await page.getByText('放弃这条未同步的操作？它和它的照片将从本机删除。').waitFor();
    await page.getByRole('dialog').getByRole('button', { name: '放弃' }).click();
    await page.getByText('全部已同步').waitFor();
    await context.setOffline(false);
    await expect.poll(() => page.getByTestId('sync-state').textContent()).toBe('已同步');
    expect(await statusOf(id)).toBe('dispatched');
    expect(await transitions(id, 'return')).toBe(0);
  });

  it('says what is wrong: a network failure at start, and a worker with no session and no connection', async () => {
    const fresh = await s.browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const p = await fresh.newPage();
    await p.route('**/api/**', (r) => r.abort());
    await p.goto(`${s.url}/worker`);
    await p.getByText('网络已断开：首次使用需联网登录').waitFor();
    await screenshot(p, 'worker-network-error');
    await p.unroute('**/api/**');
    await p.getByRole('button', { name: '重试' }).click();
    await p.getByRole('heading', { name: '网格员登录' }).waitFor();
    // an empty sign-in form: the errors are next to the fields
    await p.getByRole('button', { name: '登录' }).click();
    await p.getByText('请输入用户名').waitFor();
    await p.getByText('请输入密码').waitFor();
    await screenshot(p, 'worker-login-errors');
    await fresh.close();
  });

  it('signs out, keeping nothing of the cases on the phone', async () => {
    await page.goto(`${s.url}/worker#/tasks`);
    await page.getByRole('button', { name: '退出登录' }).click();
    await page.getByRole('heading', { name: '网格员登录' }).waitFor();
    // the cached cases of this worker are gone from IndexedDB
    const cached = await page.evaluate(`new Promise((resolve) => {
      const r = indexedDB.open('pingan-worker');
      r.onsuccess = () => { const c = r.result.transaction('cache').objectStore('cache').count(); c.onsuccess = () => resolve(c.result); };
    })`);
    expect(cached).toBe(0);
    await context.close();
  });
});

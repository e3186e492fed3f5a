/**
 * /admin in Chromium: the three administrators see only their own tabs (三员分立). The sysadmin
 * edits a category's time limit and sees the new version, and the server's validation errors
 * appear next to their fields; the sysadmin also validates and imports a grid file (a bad feature
 * is named); the secadmin sets roles and handles API keys; the auditor reads and exports the
 * audit log. Also: sign-in with the one-time code, a network failure, English.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { totpCode } from '../src/modules/accounts/index.js';
import { exportGrids } from '../src/modules/grids/index.js';
import * as org from '../src/modules/org/index.js';
import { TEST_PASSWORD, type Client } from '../src/test-support/app.js';
import { screenshot, signedIn, startServer } from './browser.js';

const t = await startServer();
afterAll(() => t.close());

let sysadmin: Client, secadmin: Client, auditor: Client;
beforeAll(async () => {
  sysadmin = await t.as('sysadmin', '330106-center');
  secadmin = await t.as('secadmin', '330106-center');
  auditor = await t.as('auditor', '330106-center');
});

async function open(client: Client, hash = '') {
  const context = await signedIn(t.browser, t.url, client);
  const page = await context.newPage();
  await page.goto(`${t.url}/admin${hash}`);
  await page.getByRole('tablist').waitFor({ timeout: 20_000 });
  return { context, page };
}
const tabNames = async (page: Page) => (await page.getByRole('tab').allTextContents()).map((s) => s.trim());
/** Types a unit code and picks it from the suggestions (their list would otherwise cover what lies below). */
async function pickUnit(page: Page, code: string) {
  await page.getByLabel('所属单位代码').fill(code);
  await page.locator('.ant-select-item-option', { hasText: `（${code}）` }).click();
  await expect.poll(() => page.locator('.ant-select-dropdown:visible').count()).toBe(0);
}
/** The error shown under a form field, found by the field's label. */
const errorOf = (page: Page, label: string) =>
  page.locator('.ant-form-item').filter({ has: page.locator(`label:text-is("${label}")`) }).locator('.ant-form-item-explain-error');

describe('administration', () => {
  it('a sysadmin edits a category’s time limit, sees the new version, and sees validation errors next to the field', async () => {
    const { context, page } = await open(sysadmin);
    expect(await tabNames(page)).toEqual(['用户管理', '事件类别与时限', '组织机构与网格', 'Webhook 推送']);

    await page.getByRole('tab', { name: '事件类别与时限' }).click();
    await page.getByRole('button', { name: '编辑 道路碎玻璃' }).click();
    const drawer = page.getByRole('dialog');
    await drawer.getByLabel('处置', { exact: true }).waitFor();
    expect(await drawer.getByLabel('处置', { exact: true }).inputValue()).toBe('2');
    expect(await drawer.locator('.versions tbody tr').count()).toBe(1);

    // checked in the browser: a limit is a positive whole number
    await drawer.getByLabel('处置', { exact: true }).fill('0');
    await drawer.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => errorOf(page, '处置').textContent()).toBe('时限须为正整数');
    // checked by the server: at most 100,000 — its error lands under the same field
    await drawer.getByLabel('处置', { exact: true }).fill('100001');
    await drawer.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => errorOf(page, '处置').textContent(), { timeout: 10_000 }).toContain('limits.handle.amount');
    await screenshot(page, 'admin-category-validation');

    await drawer.getByLabel('处置', { exact: true }).fill('3');
    await drawer.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => page.getByText('已保存为第 2 版').count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => drawer.locator('.versions tbody tr').count()).toBe(2);
    expect(await drawer.locator('.versions tbody tr').first().textContent()).toMatch(/^2.*处置 3小时/);
    expect(await drawer.locator('.versions tbody tr').nth(1).textContent()).toMatch(/^1.*初始数据.*处置 2小时/);
    const saved = (await t.anonymous('GET', '/api/v1/event-categories/0101')).json();
    expect(saved).toMatchObject({ version: 2, publication: 'public', limits: { handle: { amount: 3, unit: 'hours' } } });
    await screenshot(page, 'admin-category-saved');

    // what Open311 publishes of it: the township only
    await drawer.getByLabel('Open311 公开').click();
    await page.locator('.ant-select-item-option', { hasText: '仅计数（只显示乡镇）' }).click();
    await drawer.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => page.getByText('已保存为第 3 版').count(), { timeout: 10_000 }).toBe(1);
    expect((await t.anonymous('GET', '/api/v1/event-categories/0101')).json()).toMatchObject({ version: 3, publication: 'counted', limits: { handle: { amount: 3 } } });
    await context.close();
  });

  it('a sysadmin creates an account (a bad unit is refused next to its field), locks it, and browses the org tree', async () => {
    const { context, page } = await open(sysadmin);
    await page.getByRole('button', { name: '新建账号' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('用户名').fill('zhang.wei');
    await dialog.getByLabel('姓名').fill('张伟');
    await dialog.getByLabel('所属单位代码').fill('330106999');
    await dialog.getByRole('button', { name: '创建' }).click();
    await expect.poll(() => errorOf(page, '所属单位代码').textContent(), { timeout: 10_000 }).toBe('组织单位 330106999 不存在');
    await screenshot(page, 'admin-user-validation');
    // the username too is checked by the server (the browser only asks that it be filled in)
    await dialog.getByLabel('所属单位代码').fill('330106-center');
    await dialog.getByLabel('用户名').fill('9zhang');
    await dialog.getByRole('button', { name: '创建' }).click();
    await expect.poll(() => errorOf(page, '用户名').textContent(), { timeout: 10_000 }).toContain('以字母开头');
    await dialog.getByLabel('用户名').fill('zhang.wei');
    await dialog.getByRole('button', { name: '创建' }).click();
    await expect.poll(() => page.getByTestId('secret').textContent(), { timeout: 10_000 }).toMatch(/^\S{16}$/);
    await page.getByRole('button', { name: '我已妥善保存' }).click();
    const row = page.getByRole('row', { name: /zhang\.wei/ });
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toContain('未授予角色');
    await row.getByRole('button', { name: '停用 zhang.wei' }).click();
    await page.getByRole('button', { name: '确定' }).click();
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toContain('已停用');
    await screenshot(page, 'admin-users');
    // one's own account cannot be disabled or reset here
    expect(await page.getByRole('row', { name: new RegExp(sysadmin.username.replace('.', '\\.')) }).getByRole('button').count()).toBe(0);

    // a webhook: the server refuses a URL that is not http(s), next to the field; then the secret is shown once
    await page.getByRole('tab', { name: 'Webhook 推送' }).click();
    await page.getByLabel('名称').fill('区大数据局');
    await page.getByLabel('接收地址').fill('ftp://example.org/in');
    await pickUnit(page, '330106');
    await page.getByRole('button', { name: '创建' }).click();
    await expect.poll(() => errorOf(page, '接收地址').textContent(), { timeout: 10_000 }).toContain('http://');
    await page.getByLabel('接收地址').fill('https://example.org/in');
    await page.getByRole('button', { name: '创建' }).click();
    await expect.poll(() => page.getByTestId('secret').textContent(), { timeout: 10_000 }).toMatch(/^whsec_/);
    await page.getByRole('button', { name: '我已妥善保存' }).click();
    await expect.poll(() => page.getByRole('row', { name: /区大数据局/ }).textContent(), { timeout: 10_000 }).toContain('启用');

    // the org tree of 西湖区, its townships a click away; big grid files are for the command line
    await page.getByRole('tab', { name: '组织机构与网格' }).click();
    await expect.poll(() => page.locator('.ant-tree-treenode').count(), { timeout: 20_000 }).toBeGreaterThan(1);
    expect(await page.locator('.ant-descriptions').first().textContent()).toContain('330106');
    expect(await page.locator('.grid-import').textContent()).toContain('npx pingan import grids FILE');
    await screenshot(page, 'admin-org');
    await context.close();
  });

  it('a sysadmin validates and imports a grid file: a bad feature is named and nothing changes, a good file is counted and written', async () => {
    const v = (await org.areasOfLevel(t.database.db, 'village', '330106'))[7];
    const before = (await exportGrids(t.database.db, v.code)).features;
    expect(before.length).toBeGreaterThanOrEqual(3);
    // the village's grids as exported, the first renamed and the last left out (so removed)
    const kept = before.slice(0, -1).map((f, i) => (i === 0 ? { ...f, properties: { ...f.properties, name: '浏览器导入网格' } } : f));
    const bowtie = { type: 'Polygon', coordinates: [[[120, 30], [120.003, 30.001], [120.003, 30], [120, 30.002], [120, 30]]] };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-grids-'));
    const goodFile = path.join(dir, 'good.geojson'), badFile = path.join(dir, 'bad.geojson');
    fs.writeFileSync(goodFile, JSON.stringify({ type: 'FeatureCollection', features: kept }));
    fs.writeFileSync(badFile, JSON.stringify({ type: 'FeatureCollection', features: [kept[0], { ...kept[1], geometry: bowtie }] }));

    const { context, page } = await open(sysadmin, '#org');
    const card = page.locator('.grid-import');
    const importButton = card.getByRole('button', { name: /^导\s?入$/ }); // antd spaces a two-character label out: 导 入
    // the selected unit's grids download, to edit and import again
    expect(await card.getByRole('link', { name: /下载“西湖区”的网格/ }).getAttribute('href')).toBe('/api/v1/grids/export?under=330106');

    await page.getByLabel('GeoJSON 文件').setInputFiles(badFile);
    await card.getByRole('button', { name: '校验（不写入）' }).click();
    await expect.poll(() => card.locator('.ant-alert-error').textContent(), { timeout: 10_000 }).toContain('要素 #1：环自相交');
    await importButton.click();
    await page.getByRole('button', { name: '确定' }).click();
    await expect.poll(() => card.locator('.ant-alert-error').textContent(), { timeout: 10_000 }).toContain('未导入任何内容');
    await screenshot(page, 'admin-grid-import-error');
    expect((await exportGrids(t.database.db, v.code)).features).toEqual(before);

    await page.getByLabel('GeoJSON 文件').setInputFiles(goodFile);
    await card.getByRole('button', { name: '校验（不写入）' }).click();
    await expect.poll(() => card.locator('.ant-alert-success').textContent(), { timeout: 10_000 }).toContain('校验通过');
    const counts = async () => Object.fromEntries(await Promise.all(['villages', 'created', 'updated', 'removed'].map(async (k) => [k, await card.getByTestId(`grid-${k}`).textContent()])));
    expect(await counts()).toEqual({ villages: '1', created: '0', updated: String(kept.length), removed: '1' });
    expect((await exportGrids(t.database.db, v.code)).features).toEqual(before); // a dry run writes nothing

    await importButton.click();
    await page.getByRole('button', { name: '确定' }).click();
    await expect.poll(() => card.locator('.ant-alert-success').textContent(), { timeout: 10_000 }).toContain('导入完成');
    expect(await counts()).toEqual({ villages: '1', created: '0', updated: String(kept.length), removed: '1' });
    await screenshot(page, 'admin-grid-import-done');
    const after = (await exportGrids(t.database.db, v.code)).features;
    expect(after.map((f) => f.properties.code)).toEqual(kept.map((f) => f.properties.code));
    expect(after[0].properties).toMatchObject({ name: '浏览器导入网格', synthetic: false, source: 'import' });
    fs.rmSync(dir, { recursive: true, force: true });
    await context.close();
  });

  it('a secadmin sees roles and keys only: grants a role, creates a key (secret shown once) and revokes it', async () => {
    const { context, page } = await open(secadmin);
    expect(await tabNames(page)).toEqual(['角色与授权', 'API 密钥']);
    // accounts' other fields are not the secadmin's: no phone, no state, no lock or password buttons
    await page.getByRole('table').waitFor();
    const headers = (await page.locator('thead th').allTextContents()).map((s) => s.trim()).filter(Boolean);
    expect(headers).toEqual(['用户名', '姓名', '所属单位', '角色', '附加授权', '操作']);
    expect(await page.getByRole('button', { name: /停用|重置密码/ }).count()).toBe(0);

    const target = await t.as('grid_worker', '330106-center', { username: 'li.na' });
    await page.reload(); // the list with the new account
    await page.getByRole('button', { name: `设置角色 ${target.username}` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('checkbox', { name: '综治中心坐席' }).check();
    await dialog.getByRole('checkbox', { name: '审计管理员' }).check();
    await dialog.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => dialog.locator('.ant-form-item-explain-error').textContent(), { timeout: 10_000 }).toContain('三员分立');
    await dialog.getByRole('checkbox', { name: '审计管理员' }).uncheck();
    await dialog.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => page.getByRole('row', { name: /li\.na/ }).textContent(), { timeout: 10_000 }).toContain('综治中心坐席');

    await page.getByRole('tab', { name: 'API 密钥' }).click();
    await page.getByLabel('名称').fill('12345 热线对接');
    await pickUnit(page, '330106');
    await page.getByRole('checkbox', { name: /读取案件/ }).check();
    await page.getByRole('button', { name: '创建' }).click();
    await expect.poll(() => page.getByTestId('secret').textContent(), { timeout: 10_000 }).toMatch(/^\S{20,}$/);
    const secret = (await page.getByTestId('secret').textContent())!;
    await screenshot(page, 'admin-key-secret');
    await page.getByRole('button', { name: '我已妥善保存' }).click();
    await expect.poll(() => page.getByTestId('secret').count()).toBe(0); // shown once
    expect(await page.content()).not.toContain(secret);
    // the key works
    const used = await t.app.inject({ method: 'GET', url: '/api/v1/events?limit=1', headers: { authorization: `Bearer ${secret}` } });
    expect(used.statusCode).toBe(200);
    await page.getByRole('button', { name: '吊销 12345 热线对接' }).click();
    await page.getByRole('button', { name: '确定' }).click();
    await expect.poll(() => page.getByRole('row', { name: /12345 热线对接/ }).textContent(), { timeout: 10_000 }).toContain('已吊销');
    const after = await t.app.inject({ method: 'GET', url: '/api/v1/events?limit=1', headers: { authorization: `Bearer ${secret}` } });
    expect(after.statusCode).toBe(401);
    await screenshot(page, 'admin-keys');
    await context.close();
  });

  it('an auditor sees only the audit log: filters it (a bad filter is refused next to its field) and exports it', async () => {
    const { context, page } = await open(auditor);
    expect(await tabNames(page)).toEqual(['审计日志']);
    await expect.poll(() => page.locator('tbody tr.ant-table-row').count(), { timeout: 10_000 }).toBeGreaterThan(3);

    await page.getByLabel('操作', { exact: true }).fill('category.update');
    await page.getByRole('button', { name: '搜索' }).click();
    await expect.poll(async () => [...new Set(await page.locator('tbody tr.ant-table-row td:nth-child(5)').allTextContents())], { timeout: 10_000 }).toEqual(['category.update']);
    expect(await page.locator('tbody tr.ant-table-row').first().textContent()).toContain(sysadmin.username);
    const href = await page.getByRole('link', { name: '导出 CSV' }).getAttribute('href');
    expect(href).toContain('action=category.update');
    const csv = await context.request.get(`${t.url}${href}`);
    expect(csv.status()).toBe(200);
    const text = await csv.text();
    expect(text.split('\n')[0]).toContain('action');
    expect(text).toContain('category.update');
    await screenshot(page, 'admin-audit');

    await page.getByLabel('操作', { exact: true }).fill('NOT AN ACTION');
    await page.getByRole('button', { name: '搜索' }).click();
    await expect.poll(() => errorOf(page, '操作').textContent(), { timeout: 10_000 }).toContain('action');
    await context.close();
  });

  it('signs an administrator in with the one-time code, in Chinese or English', async () => {
    const context = await t.browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${t.url}/admin`);
    await page.getByLabel('用户名').fill(auditor.username);
    await page.getByLabel('密码').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    // the password was right: the server asks for the code, the form shows its field
    await expect.poll(() => errorOf(page, '动态验证码').textContent(), { timeout: 10_000 }).toBe('请输入动态验证码');
    await page.getByLabel('动态验证码').fill('000000');
    await page.getByRole('button', { name: '登录' }).click();
    await expect.poll(() => errorOf(page, '动态验证码').textContent(), { timeout: 10_000 }).toContain('动态验证码错误');
    await screenshot(page, 'admin-login-totp');
    await page.getByLabel('动态验证码').fill(totpCode(auditor.totpSecret!, Date.now() + 30_000)); // the current step was used by the API sign-in
    await page.getByRole('button', { name: '登录' }).click();
    await expect.poll(() => tabNames(page), { timeout: 20_000 }).toEqual(['审计日志']);

    await page.getByRole('button', { name: '切换语言' }).click();
    await expect.poll(() => tabNames(page)).toEqual(['Audit log']);
    expect(await page.locator('h1').textContent()).toContain('Administration');
    await screenshot(page, 'admin-audit-en');
    await context.close();
  });

  it('says when the network fails', async () => {
    const context = await signedIn(t.browser, t.url, sysadmin);
    const page = await context.newPage();
    await page.route('**/api/v1/users?*', (r) => r.abort());
    await page.goto(`${t.url}/admin`);
    await expect.poll(() => page.getByRole('alert').first().textContent(), { timeout: 20_000 }).toContain('网络连接失败');
    await screenshot(page, 'admin-network-error');
    await page.unroute('**/api/v1/users?*');
    await page.getByRole('button', { name: '重试' }).click();
    await expect.poll(() => page.getByRole('row', { name: new RegExp(sysadmin.username.replace('.', '\\.')) }).count(), { timeout: 10_000 }).toBe(1);
    await context.close();
  });
});

/** The citizen's steps on /report, shared by the page's tests and the story across the pages. */
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import { readOutbox, PHONE_CONTEXT } from '../src/modules/accounts/index.js';
import type { startServer } from './browser.js';

type Server = Awaited<ReturnType<typeof startServer>>;

/** Opens /report and signs in with the SMS code the outbox received. */
export async function citizenSignIn(s: Server, page: Page, phone: string): Promise<void> {
  await page.goto(`${s.url}/report`);
  await page.getByRole('textbox', { name: '手机号' }).fill(phone);
  await page.getByRole('button', { name: '获取验证码' }).click();
  const outbox = () => readOutbox(s.database.db, s.ctx.crypto.blindIndex(phone, PHONE_CONTEXT));
  await expect.poll(async () => (await outbox()).length).toBe(1);
  const code = /验证码是 (\d{6})/.exec((await outbox())[0].body)![1];
  await page.getByRole('textbox', { name: '验证码' }).fill(code);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByRole('button', { name: '使用当前位置' }).waitFor();
}

/** Broken glass at the phone's position (the place found must be `placeName`), with `text`. */
export async function fillGlassReport(page: Page, placeName: string, text: string): Promise<void> {
  await page.getByRole('button', { name: '使用当前位置' }).click();
  await expect.poll(() => page.getByTestId('located').textContent()).toContain(placeName);
  await page.getByRole('button', { name: '问题类别' }).click();
  await page.getByRole('searchbox').or(page.getByRole('textbox', { name: '搜索类别，如：玻璃、积水' })).first().fill('玻璃');
  await page.locator('.adm-check-list-item', { hasText: '道路碎玻璃' }).click();
  await page.getByPlaceholder('请描述问题的具体情况（最多 4000 字）').fill(text);
}

/**
 * The pages' Content-Security-Policy in Chromium: an inline script injected into a page does not
 * run (neither a <script> element nor an event-handler attribute), the violation is reported,
 * and the pages' own scripts (and the API docs) still run. Styles keep 'unsafe-inline': antd's
 * CSS-in-JS writes <style> elements at run time.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from './browser.js';

const t = await startServer();
afterAll(() => t.close());

const PAGES = ['/report', '/worker', '/console', '/dashboard', '/admin'];

describe('Content-Security-Policy of the pages', () => {
  it.each(PAGES)('%s allows scripts from the server only: no unsafe-inline, no eval', async (url) => {
    const res = await fetch(`${t.url}${url}`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    const scripts = /(?:^|;)\s*script-src ([^;]*)/.exec(csp)![1].trim().split(/\s+/);
    expect(scripts).toEqual(["'self'"]);
    expect(csp).toMatch(/(?:^|;)\s*script-src-attr 'none'/);
    expect(csp).toMatch(/(?:^|;)\s*object-src 'none'/);
    // the page itself has no inline script to allow
    expect(await res.text()).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it('an injected inline script and event handler do not run on /console, and are reported; the page’s own script runs', async () => {
    const context = await t.browser.newContext({ locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${t.url}/console`);
    // the page's own bundle (a script from 'self') rendered the sign-in form
    await page.getByRole('button', { name: /登\s*录/ }).waitFor({ timeout: 20_000 });
    const pwned = await page.evaluate<string[]>(`(async () => {
      window.violations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.violations.push(e.violatedDirective));
      const div = document.createElement('div');
      div.innerHTML = '<img src="/nothing.png" onerror="(window.pwned = window.pwned || []).push(\\'onerror\\')">';
      // listeners run in the order added: when this one runs, the inline handler would have run before it
      const failed = new Promise((r) => div.querySelector('img').addEventListener('error', r));
      document.body.append(div);
      const s = document.createElement('script');
      s.textContent = "(window.pwned = window.pwned || []).push('script')";
      document.body.append(s);
      await failed;
      return window.pwned ?? [];
    })()`);
    expect(pwned).toEqual([]);
    await expect.poll(() => page.evaluate<string[]>('window.violations')).toEqual(expect.arrayContaining([expect.stringMatching(/^script-src/)]));
    await context.close();
  });

  it('the API docs (/docs) still render under the policy', async () => {
    const context = await t.browser.newContext({ locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${t.url}/docs`);
    await page.locator('.swagger-ui .info .title').waitFor({ timeout: 20_000 });
    expect(await page.locator('.swagger-ui .info .title').textContent()).toMatch(/Ping/);
    await context.close();
  });
});

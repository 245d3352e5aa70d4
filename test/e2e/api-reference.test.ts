// The API reference page in Chromium: Swagger UI, served from our own origin, renders the
// operations of the OpenAPI document, and nothing is fetched from anywhere else (no CDN).
import { expect, it } from 'vitest';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, TEST_PASSWORD } from '../helpers/factories.ts';
import { csrfTokenIn } from '../helpers/login.ts';
import { describeInBrowser, useBrowser } from '../helpers/browser.ts';

const database = useTestDatabase();

/** Signs in over HTTP (not through a page load) and returns the session cookie. */
async function sessionCookie(baseUrl: string, email: string): Promise<{ name: string; value: string; url: string }> {
  const form = await fetch(`${baseUrl}/login`);
  const first = form.headers.getSetCookie().map((cookie) => cookie.split(';')[0]!).join('; ');
  const body = new URLSearchParams({ email, password: TEST_PASSWORD, _csrf: csrfTokenIn(await form.text()) });
  const login = await fetch(`${baseUrl}/login`, { method: 'POST', body, headers: { cookie: first }, redirect: 'manual' });
  expect(login.status).toBe(302);
  const [name, value] = login.headers.getSetCookie()[0]!.split(';')[0]!.split(/=(.*)/s) as [string, string];
  return { name, value, url: baseUrl };
}

describeInBrowser('the API reference page, in Chromium', () => {
  const browser = useBrowser(() => database.current.db);

  it('when a reseller opens it, then Swagger UI renders the operations and every request stays on our origin', async () => {
    const db = database.current.db;
    const admin = await makeAccount(db, { role: 'admin' });
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin });
    const page = await browser.newPage();
    await page.context().addCookies([await sessionCookie(browser.baseUrl, reseller.email)]);
    const elsewhere: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (/^https?:$/.test(url.protocol) && url.origin !== browser.baseUrl) elsewhere.push(request.url());
    });

    await page.goto('/account/api-reference');
    const operation = page.locator('.opblock-summary-path', { hasText: /^\/available-numbers$/ });
    await operation.first().waitFor({ timeout: 15_000 });
    expect(await page.locator('.opblock').count()).toBeGreaterThan(20);
    expect(await page.locator('.opblock-tag', { hasText: 'Holds' }).count()).toBe(1);
    expect(elsewhere).toEqual([]);
    await page.context().close();
  });
});

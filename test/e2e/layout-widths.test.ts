// Tables fit (issue 19): on a laptop (1280 px) and a phone (390 px) the list pages never scroll
// the page sideways; at 1280 px every table on them fits its card with no cut text (no table
// scrolls), and at 390 px a wide table scrolls inside its wrapper with the number column pinned.
// Screenshots of each page at each width go to the system's temp folder.
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { DEMO_PASSWORD, seedDemo } from '../../seeds/demo.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { describeInBrowser, logInThroughForm, useBrowser } from '../helpers/browser.ts';

const database = useTestDatabase();
const TIMEOUT = 240_000;
const SHOTS = path.join(os.tmpdir(), 'didhub-widths');

const PAGES: Record<string, string[]> = {
  'admin@example.com': [
    '/admin', '/admin/dids', '/admin/accounts', '/admin/providers', '/admin/calls', '/admin/billing-runs', '/admin/rate-plans',
    '/admin/reports', '/admin/reports?report=reseller', '/admin/reports?report=utilisation', '/admin/switches', '/admin/rejected-cdrs',
    '/admin/audit', '/admin/outbox', '/admin/webhooks', '/admin/payments', '/admin/invoices', '/account/api-keys',
  ],
  'reseller@example.com': [
    '/reseller', '/reseller/buy', '/reseller/dids', '/reseller/customers', '/reseller/transactions', '/reseller/calls',
    '/reseller/reports', '/reseller/webhooks', '/reseller/payments', '/reseller/invoices', '/reseller/holds', '/account/api-keys',
  ],
  'customer-of-reseller@example.com': ['/customer', '/customer/buy', '/customer/numbers', '/customer/transactions', '/customer/calls', '/customer/payments', '/customer/invoices'],
};

/** How far the page scrolls sideways (0 when it fits). */
const pageOverflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

async function pageAt(browser: Browser, baseURL: string, width: number, email: string): Promise<Page> {
  const context = await browser.newContext({ baseURL, viewport: { width, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(45_000);
  await logInThroughForm(page, email, DEMO_PASSWORD);
  return page;
}

describeInBrowser('page widths, in Chromium', () => {
  const browser = useBrowser(() => database.current.db);

  beforeAll(async () => {
    await seedDemo(database.current.db, { now: new Date(), bcryptCost: 4 });
  }, 120_000);

  it.each([1280, 390])('when the window is %i px wide, then no list page scrolls sideways (and at 1280 px no table does)', async (width) => {
    const overflowing: string[] = [];
    for (const [email, hrefs] of Object.entries(PAGES)) {
      const page = await pageAt(browser.browser, browser.baseUrl, width, email);
      for (const href of hrefs) {
        await page.goto(href);
        await page.screenshot({ path: path.join(SHOTS, `${width}${href.replace(/\//g, '_')}.png`), fullPage: true });
        const overflow = await pageOverflow(page);
        if (overflow > 0) overflowing.push(`${href}: ${overflow} px too wide`);
        if (width === 1280) {
          const tables = await page.evaluate(() => [...document.querySelectorAll('.table-wrap')].map((wrap) => wrap.scrollWidth - wrap.clientWidth));
          if (tables.some((excess) => excess > 0)) overflowing.push(`${href}: a table ${Math.max(...tables)} px wider than its card`);
        }
      }
      await page.context().close();
    }
    expect(overflowing).toEqual([]);
  }, TIMEOUT);

  it('when the DID list and Buy DIDs are shown at 1280 px, then their tables fit the card with nothing cut', async () => {
    const admin = await pageAt(browser.browser, browser.baseUrl, 1280, 'admin@example.com');
    await admin.goto('/admin/dids');
    const didTable = await admin.locator('.table-wrap').first().evaluate((wrap) => wrap.scrollWidth - wrap.clientWidth);
    await admin.context().close();
    const reseller = await pageAt(browser.browser, browser.baseUrl, 1280, 'reseller@example.com');
    await reseller.goto('/reseller/buy');
    const offers = await reseller.locator('.table-wrap').first().evaluate((wrap) => wrap.scrollWidth - wrap.clientWidth);
    await reseller.context().close();
    expect({ didTable, offers }).toEqual({ didTable: 0, offers: 0 });
  }, TIMEOUT);

  it('when the DID list is scrolled sideways on a phone, then the number column stays in view', async () => {
    const admin = await pageAt(browser.browser, browser.baseUrl, 390, 'admin@example.com');
    await admin.goto('/admin/dids');
    const wrap = admin.locator('.table-wrap').first();
    await wrap.evaluate((element) => element.scrollTo({ left: 600 }));
    const number = admin.locator('tbody td.pin').first();
    const box = await number.boundingBox();
    const wrapBox = await wrap.boundingBox();
    expect(box && wrapBox && box.x >= wrapBox.x - 1 && box.x < wrapBox.x + wrapBox.width).toBe(true);
    await admin.context().close();
  }, TIMEOUT);
});

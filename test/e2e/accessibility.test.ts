// WCAG 2.1 AA, kept fixed (issue 19): axe-core runs on every page of each role's menu, on a detail
// page reached from each list, on the 404 page, and before and after a failed submit; any
// violation of WCAG 2.1 A or AA fails the test with the page and the rule. The world is the demo
// data, so the pages show what a newcomer sees. The phone menu is checked by keyboard.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { DEMO_PASSWORD, seedDemo } from '../../seeds/demo.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { describeInBrowser, logInThroughForm, useBrowser } from '../helpers/browser.ts';

const database = useTestDatabase();
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
// axe takes seconds a page on a loaded 2-core machine; the admin has twenty pages.
const ROLE_TIMEOUT = 900_000;

/** The WCAG 2.1 A/AA violations of the page as it is now, one line each. */
async function violationsOf(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const where = new URL(page.url()).pathname + new URL(page.url()).search;
  return results.violations.map((v) => `${where}: ${v.id} (${v.help}) at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

/** Audits every page of the role's menu, then for each list the first detail page it links to, then `extra`. */
async function auditPagesOfRole(page: Page, extra: string[]): Promise<string[]> {
  const menu = await page.locator('nav[aria-label="Main"] a').evaluateAll((links) => links.map((a) => a.getAttribute('href')!));
  const found: string[] = [];
  const details: string[] = [];
  for (const href of menu) {
    await page.goto(href);
    found.push(...(await violationsOf(page)));
    const detail = await page.locator('main tbody a[href]').evaluateAll(
      (links, base) => links.map((a) => a.getAttribute('href')!).find((h) => h.startsWith(`${base}/`) && /\/\d+$/.test(h)),
      href,
    );
    if (detail) details.push(detail);
  }
  for (const href of [...new Set(details), ...extra]) {
    await page.goto(href);
    found.push(...(await violationsOf(page)));
  }
  return found;
}

describeInBrowser('accessibility (axe-core, WCAG 2.1 A/AA), in Chromium', () => {
  const browser = useBrowser(() => database.current.db);

  beforeAll(async () => {
    await seedDemo(database.current.db, { now: new Date(), bcryptCost: 4 });
  }, 120_000);

  async function auditRole(email: string, extra: string[]): Promise<string[]> {
    const page = await browser.newPage();
    page.setDefaultTimeout(45_000);
    await logInThroughForm(page, email, DEMO_PASSWORD);
    const found = await auditPagesOfRole(page, extra);
    await page.context().close();
    return found;
  }

  it('when the admin opens every page of its menu and their detail pages, then axe finds no violation', async () => {
    expect(await auditRole('admin@example.com', ['/admin/dids/new', '/admin/dids/import', '/admin/accounts/new', '/no-such-page'])).toEqual([]);
  }, ROLE_TIMEOUT);

  it('when a reseller opens every page of its menu and their detail pages, then axe finds no violation', async () => {
    expect(await auditRole('reseller@example.com', ['/reseller/buy?sort=monthly'])).toEqual([]);
  }, ROLE_TIMEOUT);

  it('when a customer opens every page of its menu and their detail pages, then axe finds no violation', async () => {
    expect(await auditRole('customer-of-reseller@example.com', [])).toEqual([]);
  }, ROLE_TIMEOUT);

  it('when a form is sent with errors, then the title says Error, the summary has the focus and links to the fields, and axe finds no violation', async () => {
    const page = await browser.newPage();
    page.setDefaultTimeout(45_000);
    await logInThroughForm(page, 'admin@example.com', DEMO_PASSWORD);
    await page.goto('/admin/dids/new');
    const before = await violationsOf(page);
    await page.getByRole('button', { name: 'Save DID' }).click();
    await page.waitForLoadState('domcontentloaded');
    await page.locator('#error-summary').waitFor();
    expect(await page.title()).toMatch(/^Error: /);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('error-summary');
    expect(await page.locator('#error-summary a[href="#f-number"]').count()).toBe(1);
    expect(await page.locator('#f-number').getAttribute('aria-invalid')).toBe('true');
    const after = await violationsOf(page);

    await page.context().close();

    // A select with a bad value is marked like an input: aria-invalid, its error tied to it.
    const reseller = await browser.newPage();
    reseller.setDefaultTimeout(45_000);
    await logInThroughForm(reseller, 'reseller@example.com', DEMO_PASSWORD);
    await reseller.goto('/reseller/buy?billing_type=weekly&max_monthly=abc');
    expect(await reseller.locator('#f-billing_type').getAttribute('aria-invalid')).toBe('true');
    expect(await reseller.locator('#f-billing_type').getAttribute('aria-describedby')).toBe('e-billing_type');
    expect(await reseller.locator('#f-max_monthly').getAttribute('aria-describedby')).toBe('h-max_monthly e-max_monthly');
    expect(await reseller.evaluate(() => document.activeElement?.id)).toBe('error-summary');
    const filters = await violationsOf(reseller);
    await reseller.context().close();
    expect([...before, ...after, ...filters]).toEqual([]);
  }, ROLE_TIMEOUT);

  it('when the window is a phone, then the menu opens and closes by keyboard with a real button', async () => {
    const context = await browser.browser.newContext({ baseURL: browser.baseUrl, viewport: { width: 390, height: 800 } });
    const page = await context.newPage();
    await logInThroughForm(page, 'reseller@example.com', DEMO_PASSWORD);
    const button = page.getByRole('button', { name: 'Menu' });
    const firstLink = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Buy DIDs' });
    expect(await button.getAttribute('aria-expanded')).toBe('false');
    expect(await firstLink.isVisible()).toBe(false);
    await button.focus();
    await page.keyboard.press('Enter');
    expect(await button.getAttribute('aria-expanded')).toBe('true');
    expect(await firstLink.isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    expect(await button.getAttribute('aria-expanded')).toBe('false');
    expect(await violationsOf(page)).toEqual([]);

    await page.keyboard.press('Tab');
    await page.goto('/reseller/buy');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await context.close();
  }, ROLE_TIMEOUT);
});

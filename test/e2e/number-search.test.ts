// Buy DIDs as a number search in Chromium (issue 19): sort by a column header, a wildcard search,
// a bad filter shown at its field while the others apply, and two numbers ticked and bought in
// one confirmation with one receipt.
import { beforeAll, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeDid } from '../helpers/factories.ts';
import { describeInBrowser, logInThroughForm, useBrowser } from '../helpers/browser.ts';

const database = useTestDatabase();
const JOURNEY_TIMEOUT = 180_000;

describeInBrowser('Buy DIDs search, in Chromium', () => {
  const browser = useBrowser(() => database.current.db);
  let reseller: AccountRow;

  beforeAll(async () => {
    const db = database.current.db;
    const admin = await makeAccount(db, { role: 'admin' });
    reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '50' });
    await makeDid(db, { number: '+14155558001', country: 'US', city: 'San Francisco', monthly_fee: '3.00', setup_fee: '1.00' });
    await makeDid(db, { number: '+14155558123', country: 'US', city: 'San Francisco', monthly_fee: '1.00', setup_fee: '0.50' });
    await makeDid(db, { number: '+442079468001', country: 'GB', province: 'England', city: 'London', monthly_fee: '2.00', setup_fee: '0.00' });
  });

  const numbers = (page: import('playwright-core').Page) => page.locator('tr[data-number]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-number')));

  it('when the monthly fee header is clicked, then the rows are in fee order and the th says so', async () => {
    const page = await browser.newPage();
    await logInThroughForm(page, reseller.email);
    await page.goto('/reseller/buy');
    await page.getByRole('link', { name: 'Monthly Fee' }).click();
    await page.waitForURL(/sort=monthly/);
    expect(await numbers(page)).toEqual(['+14155558123', '+442079468001', '+14155558001']);
    expect(await page.locator('th[aria-sort="ascending"]').textContent()).toContain('Monthly Fee');
    await page.getByRole('link', { name: 'Monthly Fee' }).click();
    await page.waitForURL(/sort=-monthly/);
    expect(await numbers(page)).toEqual(['+14155558001', '+442079468001', '+14155558123']);
    await page.context().close();
  }, JOURNEY_TIMEOUT);

  it('when the search uses a * wildcard and a bad price, then the bad field is marked and the wildcard still filters', async () => {
    const page = await browser.newPage();
    await logInThroughForm(page, reseller.email);
    await page.goto('/reseller/buy');
    await page.getByLabel('Contains').fill('8*23');
    await page.getByLabel('Maximum Monthly Fee').fill('abc');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/contains=8/);
    expect(await numbers(page)).toEqual(['+14155558123']);
    expect(await page.getByLabel('Maximum Monthly Fee').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#e-max_monthly').textContent()).toBe('Enter an amount like 2.50');
    expect(await page.getByLabel('Contains').inputValue()).toBe('8*23');
    expect(await page.title()).toMatch(/^Error: /);
    await page.context().close();
  }, JOURNEY_TIMEOUT);

  it('when two numbers are ticked, then one confirmation buys both and one receipt lists them', async () => {
    const page = await browser.newPage();
    await logInThroughForm(page, reseller.email);
    await page.goto('/reseller/buy?country=US');
    await page.getByRole('checkbox', { name: 'Select +1 415 555 8001' }).check();
    await page.getByRole('checkbox', { name: 'Select +1 415 555 8123' }).check();
    expect(await page.locator('[data-selected-count]').textContent()).toBe('2 numbers ticked');
    await page.getByRole('button', { name: 'Buy the ticked numbers' }).click();
    await page.waitForURL(/\/reseller\/buy\/confirm\?ids=/);
    expect(await page.locator('[data-charge="total"]').textContent()).toBe('$5.5000');
    await page.getByRole('button', { name: /Confirm purchase of 2 numbers/ }).click();
    await page.waitForURL(/\/reseller\/receipts\?ids=/);
    expect(await page.getByRole('status').textContent()).toContain('You bought 2 numbers.');
    expect((await numbers(page)).sort()).toEqual(['+14155558001', '+14155558123']);
    expect(await page.locator('[data-charged]').textContent()).toBe('$5.5000');
    await page.context().close();
  }, JOURNEY_TIMEOUT);
});

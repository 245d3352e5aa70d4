// The design card's journeys in Chromium: a reseller buys a number and finds it with its charge,
// sets its sell terms, and its customer buys that number at the reseller's price.
import { beforeAll, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeDid } from '../helpers/factories.ts';
import { describeInBrowser, logInThroughForm, useBrowser } from '../helpers/browser.ts';
import { formatPhone } from '../../src/web/presenters/format.ts';

const database = useTestDatabase();
// Each journey loads a dozen pages: on a busy CI machine that takes longer than one request's test.
const JOURNEY_TIMEOUT = 180_000;

describeInBrowser('buying numbers, in Chromium', () => {
  const browser = useBrowser(() => database.current.db);
  const open = async () => {
    const page = await browser.newPage();
    page.setDefaultTimeout(45_000);
    return page;
  };
  let reseller: AccountRow;
  let customer: AccountRow;
  let london: { id: number; number: string };

  beforeAll(async () => {
    const db = database.current.db;
    const admin = await makeAccount(db, { role: 'admin' });
    reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '50', name: 'Northwind E2E' });
    customer = await makeAccount(db, { role: 'customer', parent: reseller, balance: '20', name: 'Globex E2E' });
    await makeDid(db, { number: '+14155550990', country: 'US', province: 'CA', city: 'San Francisco' });
    london = await makeDid(db, {
      number: '+442079460990', country: 'GB', province: 'England', city: 'London', setup_fee: '2.00', monthly_fee: '2.50',
      connection_cost: '0.01', grace_seconds: 5, cost_per_minute: '0.0120', initial_increment: 60, increment: 60,
    });
  });

  it('when the reseller buys a UK number, then it is in My DIDs and its charge in Transactions', async () => {
    const page = await open();
    await logInThroughForm(page, reseller.email);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Buy DIDs' }).click();
    await page.getByLabel('Country').selectOption({ label: 'United Kingdom' });
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/\/reseller\/buy\?country=GB/);
    const rows = page.locator('tr[data-number]');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-number')).toBe(london.number);

    await page.getByRole('link', { name: `Purchase ${formatPhone(london.number)}` }).click();
    await page.waitForURL(`**/reseller/buy/${london.id}`);
    expect(await page.locator('[data-charge="total"]').textContent()).toBe('$4.5000');
    expect(await page.locator('[data-funds="before"]').textContent()).toBe('$50.0000');
    expect(await page.locator('[data-funds="after"]').textContent()).toBe('$45.5000');
    expect(await page.locator('[data-recurs]').textContent()).toContain('$2.5000 every 30 days');

    await page.getByRole('button', { name: /Confirm purchase/ }).click();
    await page.waitForURL('**/reseller/receipts/*');
    expect(await page.getByRole('status').textContent()).toContain(`You bought ${formatPhone(london.number)}.`);
    expect(await page.locator('tr[data-entry]').count()).toBe(2);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My DIDs' }).click();
    await page.waitForURL('**/reseller/dids');
    const held = page.locator(`tr[data-number="${london.number}"]`);
    expect(await held.textContent()).toContain('Unassigned');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Transactions' }).click();
    await page.waitForURL('**/reseller/transactions');
    const ledger = await page.locator('main').textContent();
    expect(ledger).toContain(`Setup fee for ${formatPhone(london.number)}`);
    expect(ledger).toContain(`First period (30 days) for ${formatPhone(london.number)}`);
    expect(ledger).toContain('-$2.5000');
    await page.context().close();
  }, JOURNEY_TIMEOUT);

  it("when the reseller sets its sell terms, then its customer buys the number at the reseller's price and finds it in My numbers", async () => {
    const resellerPage = await open();
    await logInThroughForm(resellerPage, reseller.email);
    await resellerPage.goto('/reseller/dids');
    await resellerPage.getByRole('link', { name: formatPhone(london.number) }).click();
    await resellerPage.getByLabel('Monthly fee').fill('3.10');
    await resellerPage.getByLabel('Setup fee').fill('2.50');
    await resellerPage.getByRole('button', { name: 'Save sell terms' }).click();
    // The form posts back to the page it is on: wait for the page that follows, not for a URL.
    await resellerPage.getByRole('status').filter({ hasText: 'Sell terms saved' }).waitFor();
    expect(await resellerPage.locator('[data-margin="monthly"]').textContent()).toBe('$0.6000');
    await resellerPage.context().close();

    const page = await open();
    await logInThroughForm(page, customer.email);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Buy DIDs' }).click();
    const offer = page.locator(`tr[data-number="${london.number}"]`);
    expect(await offer.textContent()).toContain('$3.1000');
    await page.getByRole('link', { name: `Purchase ${formatPhone(london.number)}` }).click();
    expect(await page.locator('[data-charge="total"]').textContent()).toBe('$5.6000');
    await page.getByRole('button', { name: /Confirm purchase/ }).click();
    await page.waitForURL('**/customer/receipts/*');
    expect(await page.locator('main').textContent()).toContain('Northwind E2E');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My numbers' }).click();
    await page.waitForURL('**/customer/numbers');
    const mine = page.locator(`tr[data-number="${london.number}"]`);
    expect(await mine.textContent()).toContain('$3.1000');

    await mine.getByRole('link', { name: 'Edit' }).click();
    await page.waitForURL(`**/customer/numbers/${london.id}`);
    await page.getByLabel('Call type').selectOption('extension');
    await page.getByLabel('Destination').fill('2001');
    await page.getByRole('button', { name: 'Save forwarding' }).click();
    await page.getByRole('status').filter({ hasText: 'Calls now go to 2001' }).waitFor();
    expect(await page.getByLabel('Destination').inputValue()).toBe('2001');
    await page.context().close();

    const balance = (await database.current.db('accounts').where({ id: customer.id }).first('balance')) as { balance: string };
    expect(balance.balance).toBe('14.400000');
  }, JOURNEY_TIMEOUT);
});

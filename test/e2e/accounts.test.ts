// Money through the browser: the admin finds a reseller, records a payment after its confirmation,
// and the reseller sees it in its Transactions; the reseller creates a customer of its own.
import { beforeAll, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeHierarchy } from '../helpers/factories.ts';
import { describeInBrowser, logInThroughForm, useBrowser } from '../helpers/browser.ts';

const database = useTestDatabase();

describeInBrowser('accounts and money, in Chromium', () => {
  const browser = useBrowser(() => database.current.db);
  let people: Awaited<ReturnType<typeof makeHierarchy>>;
  let reseller: AccountRow;

  beforeAll(async () => {
    people = await makeHierarchy(database.current.db);
    reseller = await makeAccount(database.current.db, { role: 'reseller', parent: people.admin, name: 'Wavelength Networks', balance: '10' });
  });

  it('when the admin records a payment on a reseller, then the confirmation shows the new balance and the reseller finds the row in Transactions', async () => {
    const page = await browser.newPage();
    await logInThroughForm(page, people.admin.email);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts', exact: true }).click();
    await page.getByLabel('Name or email contains').fill('wavelength');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/q=wavelength/);
    await page.getByRole('link', { name: 'Wavelength Networks' }).click();
    await page.getByRole('link', { name: 'Record payment / refill / adjustment' }).click();
    await page.getByLabel('Amount').fill('25.50');
    await page.getByLabel('Note').fill('Bank transfer 2026-11');
    await page.getByRole('button', { name: 'Review' }).click();
    await page.locator('[data-balance-after]').waitFor();
    expect(await page.locator('[data-balance-before]').textContent()).toBe('$10.0000');
    expect(await page.locator('[data-balance-after]').textContent()).toBe('$35.5000');
    await page.getByRole('button', { name: 'Confirm and record' }).click();
    await page.waitForURL(`**/admin/accounts/${reseller.id}/transactions`);
    expect(await page.locator('.flash-success').textContent()).toContain('USD 25.5000 recorded');
    expect(await page.locator('[data-stat="balance"]').textContent()).toBe('$35.5000');
    // Going back and confirming the same form again records nothing more.
    await page.goBack();
    await page.getByRole('button', { name: 'Confirm and record' }).click();
    await page.waitForURL(`**/admin/accounts/${reseller.id}/transactions`);
    expect(await page.locator('.flash-info').textContent()).toContain('already been recorded');
    expect(await page.locator('[data-stat="balance"]').textContent()).toBe('$35.5000');
    await page.context().close();

    const own = await browser.newPage();
    await logInThroughForm(own, reseller.email);
    await own.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Transactions', exact: true }).click();
    await own.waitForURL('**/reseller/transactions');
    const row = own.locator('tr', { hasText: 'Bank transfer 2026-11' });
    expect(await row.locator('[data-amount]').textContent()).toBe('$25.5000');
    expect(await row.locator('[data-balance-after]').textContent()).toBe('$35.5000');
    await own.context().close();
  }, 60_000); // two sign-ins and a dozen pages: room for a loaded CI machine

  it('when a reseller creates a customer with a mistake, then the form points at it, and once fixed the customer is listed', async () => {
    const page = await browser.newPage();
    await logInThroughForm(page, people.reseller.email);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Customers', exact: true }).click();
    await page.getByRole('link', { name: 'New customer' }).click();
    await page.getByLabel('Password', { exact: true }).selectOption('typed');
    await page.getByLabel('Name').fill('Kestrel Cafe');
    await page.getByLabel('Email').fill('kestrel-cafe');
    await page.getByLabel('Typed password').fill('a-secret-for-kestrel');
    await page.getByRole('button', { name: 'Create customer' }).click();
    await page.locator('#e-email').waitFor();
    expect(await page.locator('#e-email').textContent()).toBe('Enter an email address like name@example.com');
    await page.getByLabel('Email').fill('owner@kestrel.example');
    await page.getByLabel('Typed password').fill('a-secret-for-kestrel');
    await page.getByRole('button', { name: 'Create customer' }).click();
    await page.waitForURL(/\/reseller\/customers\/\d+$/);
    expect(await page.locator('h1').textContent()).toContain('Kestrel Cafe');
    await page.getByRole('link', { name: '← Customers' }).click();
    await page.waitForURL(/\/reseller\/customers$/);
    expect(await page.locator('tr', { hasText: 'owner@kestrel.example' }).count()).toBe(1);
    await page.context().close();
  });
});

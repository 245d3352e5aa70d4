// "Forgot password?" end to end in Chromium: from the sign-in page to a new password, reading the
// link the mail carries from the recorded password.reset event (see test/helpers/events.ts).
import { beforeAll, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { captureEvents } from '../helpers/events.ts';
import { makeAccount } from '../helpers/factories.ts';
import { describeInBrowser, logInThroughForm, useBrowser } from '../helpers/browser.ts';

const database = useTestDatabase();
const events = captureEvents();

describeInBrowser('resetting a forgotten password, in Chromium', () => {
  const browser = useBrowser(() => database.current.db);
  let customer: AccountRow;

  beforeAll(async () => {
    const admin = await makeAccount(database.current.db, { role: 'admin' });
    customer = await makeAccount(database.current.db, { role: 'customer', parent: admin });
  });

  it('when the customer asks for a link and sets a new password, then the old session ends, the link is spent and the new password signs in', async () => {
    const before = await browser.newPage();
    await logInThroughForm(before, customer.email);
    expect(new URL(before.url()).pathname).toBe('/customer');

    const page = await browser.newPage();
    await page.goto('/login');
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.getByLabel('Email').fill(customer.email);
    await page.getByRole('button', { name: 'Send the link' }).click();
    await page.waitForLoadState('domcontentloaded');
    expect(await page.locator('h1').textContent()).toBe('Check your mail');

    const [event] = events.of('password.reset', customer.id);
    // The link is made for PUBLIC_URL; this test's server listens elsewhere, so only its path is used.
    const link = new URL(String(event?.data.reset_url)).pathname;
    await page.goto(link);
    expect(await page.locator('h1').textContent()).toBe('Choose a new password');
    await page.locator('#f-password').fill('chromium-new-secret');
    await page.getByLabel('New password again').fill('chromium-new-secret');
    await page.getByRole('button', { name: 'Set the password' }).click();
    await page.waitForURL('**/login');
    expect(await page.locator('.flash-success').textContent()).toContain('Your password has been changed');

    await logInThroughForm(page, customer.email, 'chromium-new-secret');
    expect(new URL(page.url()).pathname).toBe('/customer');

    await before.reload();
    expect(new URL(before.url()).pathname).toBe('/login');

    await page.goto(link);
    expect(await page.locator('h1').textContent()).toBe('This link no longer works');
    await before.context().close();
    await page.context().close();
  }, 120_000);
});

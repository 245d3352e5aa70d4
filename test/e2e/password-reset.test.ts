// "Forgot password?" end to end in Chromium: from the sign-in page to a new password, reading the
// link from the mail as the admin's Outbox page shows it (no SMTP_URL: mails are kept there).
import { beforeAll, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount } from '../helpers/factories.ts';
import { describeInBrowser, logInThroughForm, useBrowser } from '../helpers/browser.ts';

const database = useTestDatabase();

describeInBrowser('resetting a forgotten password, in Chromium', () => {
  const browser = useBrowser(() => database.current.db);
  let customer: AccountRow;
  let admin: AccountRow;

  beforeAll(async () => {
    admin = await makeAccount(database.current.db, { role: 'admin' });
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

    // The admin opens the mail in the Outbox and reads the link in its text.
    const outbox = await browser.newPage();
    await logInThroughForm(outbox, admin.email);
    await outbox.goto(`/admin/outbox?event=password.reset&recipient=${encodeURIComponent(customer.email)}`);
    await outbox.locator('table a[href^="/admin/outbox/"]').first().click();
    await outbox.waitForURL(/\/admin\/outbox\/\d+$/);
    const text = (await outbox.locator('[data-text]').textContent()) ?? '';
    const sent = /https?:\/\/\S+\/password\/reset\/[A-Za-z0-9_-]+/.exec(text);
    expect(sent, text).not.toBeNull();
    // The link is made for PUBLIC_URL; this test's server listens elsewhere, so only its path is used.
    const link = new URL(sent![0]).pathname;
    await outbox.context().close();
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

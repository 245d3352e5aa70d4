import { beforeAll, expect, it } from 'vitest';
import { useTestDatabase } from '../helpers/database.ts';
import { makeDid, makeHierarchy } from '../helpers/factories.ts';
import { describeInBrowser, logInThroughForm, useBrowser } from '../helpers/browser.ts';

const database = useTestDatabase();

describeInBrowser('signing in, in Chromium', () => {
  const browser = useBrowser(() => database.current.db);
  let people: Awaited<ReturnType<typeof makeHierarchy>>;

  beforeAll(async () => {
    people = await makeHierarchy(database.current.db);
    await makeDid(database.current.db);
    await makeDid(database.current.db, { reseller_id: people.reseller.id });
  });

  it.each(['admin', 'reseller', 'customer'] as const)('when the %s signs in, then its dashboard shows its figures', async (role) => {
    const account = role === 'admin' ? people.admin : role === 'reseller' ? people.reseller : people.customer;
    const page = await browser.newPage();
    await logInThroughForm(page, account.email);
    expect(new URL(page.url()).pathname).toBe(`/${role}`);
    expect(await page.locator('h1').textContent()).toBe('Dashboard');
    expect(await page.locator('.user-name').textContent()).toContain(account.name);
    if (role === 'admin') {
      expect(await page.locator('[data-stat="in-stock"]').textContent()).toBe('1');
      expect(await page.locator('[data-stat="held-by-resellers"]').textContent()).toBe('1');
    } else {
      expect(await page.locator('[data-stat="balance"]').textContent()).toBe('$0.0000');
      expect(await page.locator('[data-stat="numbers"]').textContent()).toBe(role === 'reseller' ? '1' : '0');
    }
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL('**/login');
    await page.context().close();
  });

  it('when the password is wrong, then the form shows the error and keeps the email', async () => {
    const page = await browser.newPage();
    await logInThroughForm(page, people.customer.email, 'definitely-wrong');
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await page.getByRole('alert').textContent()).toContain('Wrong email or password.');
    expect(await page.getByLabel('Email').inputValue()).toBe(people.customer.email);
    expect(await page.getByLabel('Password').inputValue()).toBe('');
    await page.context().close();
  });
});

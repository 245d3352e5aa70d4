import { beforeAll, expect, it } from 'vitest';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeDid } from '../helpers/factories.ts';
import { describeInBrowser, logInThroughForm, useBrowser } from '../helpers/browser.ts';
import type { AccountRow } from '../../src/db/repos/accounts.ts';

const database = useTestDatabase();

describeInBrowser('the admin reprices numbers with a rate plan, in Chromium', () => {
  const browser = useBrowser(() => database.current.db);
  let admin: AccountRow;
  let target: { id: number; number: string };

  beforeAll(async () => {
    const db = database.current.db;
    admin = await makeAccount(db, { role: 'admin' });
    target = await makeDid(db, { city: 'Leeds', country: 'GB', number: '+441134960001', cost_per_minute: '0.05' });
    await makeDid(db, { city: 'Leeds', country: 'GB', number: '+441134960002', cost_per_minute: '0.05' });
    await makeDid(db, { city: 'York', country: 'GB', number: '+441904960003', cost_per_minute: '0.05' });
  });

  it('when the admin creates a plan and assigns it to the numbers of a filter, then a number’s page shows the plan and its terms', async () => {
    const page = await browser.newPage();
    const scriptErrors: string[] = [];
    page.on('pageerror', (error) => scriptErrors.push(error.message));
    await logInThroughForm(page, admin.email);

    await page.getByRole('link', { name: 'Rate plans' }).click();
    await page.getByRole('link', { name: 'New rate plan' }).click();
    await page.locator('[data-cost-preview][data-live="true"]').waitFor();
    await page.getByLabel('Name').fill('UK geographic');
    await page.getByLabel('Description').fill('Landlines in England');
    await page.getByLabel('Connection Cost').fill('0.02');
    await page.getByLabel('Grace Time (Sec.)').fill('5');
    await page.getByLabel('Cost per minute').fill('0.0125');
    await page.getByLabel('Initial Increment').fill('30');
    await page.getByLabel('Increment', { exact: true }).fill('6');
    // The DID form's cost preview, live: 125 s is 5 s grace, 30 s first block, 15 steps of 6 s = 120 s.
    expect(await page.locator('[data-preview-rows] tr[data-duration="125"] [data-cost]').textContent()).toBe('$0.0450');
    await page.getByRole('button', { name: 'Save plan' }).click();
    await page.waitForURL(/\/admin\/rate-plans\/\d+$/);
    expect(await page.getByRole('status').first().textContent()).toContain('Rate plan UK geographic was created');

    await page.getByRole('link', { name: 'DIDs', exact: true }).click();
    await page.getByLabel('City').fill('Leeds');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/city=Leeds/);
    await page.getByRole('link', { name: 'Assign a rate plan' }).click();
    await page.waitForURL(/\/admin\/rate-plans\/assign\?.*city=Leeds/);
    expect(await page.locator('[data-assign-count]').textContent()).toMatch(/2\s+numbers\s+match the filters/);
    await page.getByLabel('Rate plan').selectOption({ label: 'UK geographic' });
    await page.getByRole('button', { name: 'Assign to 2 numbers' }).click();
    await page.waitForURL(/\/admin\/rate-plans\/\d+$/);
    expect(await page.getByRole('status').first().textContent()).toContain('2 numbers now use the rate plan UK geographic');
    expect(await page.locator('[data-number-count]').first().textContent()).toBe('2');

    await page.goto(`/admin/dids/${target.id}`);
    expect(await page.locator('[data-rate-plan]').textContent()).toBe('UK geographic');
    const terms = await page.locator('dl.terms').textContent();
    expect(terms).toContain('0.0125');
    expect(await page.locator('[data-preview-rows] tr[data-duration="125"] [data-cost]').textContent()).toBe('$0.0450');
    expect(scriptErrors).toEqual([]);
  }, 90_000); // a dozen pages and a bulk change: room for a loaded CI machine
});

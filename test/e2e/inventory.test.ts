import { beforeAll, expect, it } from 'vitest';
import { useTestDatabase } from '../helpers/database.ts';
import { makeHierarchy, makeProvider } from '../helpers/factories.ts';
import { describeInBrowser, logInThroughForm, useBrowser } from '../helpers/browser.ts';

const database = useTestDatabase();

describeInBrowser('the admin creates a DID, in Chromium', () => {
  const browser = useBrowser(() => database.current.db);
  let people: Awaited<ReturnType<typeof makeHierarchy>>;

  beforeAll(async () => {
    people = await makeHierarchy(database.current.db);
    await makeProvider(database.current.db, 'Atlas Carrier');
  });

  it('when the admin fills the Create DID form, then the cost preview follows the terms typed, and the saved number is in the list', async () => {
    const page = await browser.newPage();
    const scriptErrors: string[] = [];
    page.on('pageerror', (error) => scriptErrors.push(error.message));
    await logInThroughForm(page, people.admin.email);
    await page.getByRole('link', { name: 'DIDs' }).click();
    await page.getByRole('link', { name: 'Create DID' }).click();
    await page.locator('[data-cost-preview][data-live="true"]').waitFor();

    expect(await page.getByLabel('Product Category').inputValue()).toBe('did');
    await page.locator('#f-number').fill('+44 20 7946 0958');
    await page.getByLabel('Provider').selectOption({ label: 'Atlas Carrier' });
    await page.getByLabel('City').fill('London');
    await page.getByLabel('Province').fill('England');
    await page.getByLabel('Connection Cost').fill('0.10');
    await page.getByLabel('Grace Time (Sec.)').fill('10');
    await page.getByLabel('Cost per minute').fill('0.60');
    await page.getByLabel('Initial Increment').fill('60');
    await page.getByLabel('Increment', { exact: true }).fill('6');

    const cost = (seconds: number) => page.locator(`[data-preview-rows] tr[data-duration="${seconds}"] [data-cost]`).textContent();
    expect(await cost(30)).toBe('$0.7000');
    expect(await cost(125)).toBe('$1.3000');
    expect(await cost(3600)).toBe('$36.0400');
    expect(await page.locator('[data-preview-rows] tr[data-duration="125"] .breakdown').textContent()).toContain('10 × 6 s');

    // A bad rate gets one message: while typing, the preview only says which field it waits for;
    // after a submit the field says what is wrong and the preview adds nothing.
    await page.getByLabel('Cost per minute').fill('abc');
    expect(await page.locator('[data-preview-message]').textContent()).toBe('Costs show once Cost per minute is valid.');
    await page.getByLabel('Monthly Fee').fill('2.50');
    await page.getByRole('button', { name: 'Save DID' }).click();
    await page.locator('#e-cost_per_minute').waitFor();
    await page.locator('[data-cost-preview][data-live="true"]').waitFor();
    expect(await page.locator('[data-preview-message]').isHidden()).toBe(true);
    expect(await page.locator('[data-preview-message]').textContent()).toBe('');
    expect(await page.locator('#e-cost_per_minute').textContent()).toContain('abc');
    await page.getByLabel('Cost per minute').fill('1.20');
    expect(await cost(125)).toBe('$2.5000');

    await page.getByRole('button', { name: 'Save DID' }).click();
    await page.waitForURL(/\/admin\/dids\/\d+$/);
    expect(await page.locator('h1').textContent()).toContain('+44 20 7946 0958');
    expect(await page.getByRole('status').first().textContent()).toContain('was added to the inventory');

    await page.getByRole('link', { name: 'All DIDs' }).click();
    await page.getByLabel('Number contains').fill('2079460958');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/q=2079460958/);
    const row = page.locator('tr[data-number="+442079460958"]');
    expect(await row.count()).toBe(1);
    expect(await row.textContent()).toContain('In stock');
    expect(await page.locator('[data-total]').getAttribute('data-total')).toBe('1');
    expect(scriptErrors).toEqual([]);
    await page.context().close();
  });

  it('when the admin uploads a CSV on the import page, then the preview opens and the valid rows can be imported', async () => {
    const page = await browser.newPage();
    await logInThroughForm(page, people.admin.email);
    await page.goto('/admin/dids/import');
    await page.getByLabel('Default provider').selectOption({ label: 'Atlas Carrier' });
    await page.getByLabel('CSV file').setInputFiles({
      name: 'batch.csv', mimeType: 'text/csv',
      buffer: Buffer.from('DID,Cost per minute,Monthly Fee\n+44 20 7946 0101,0.01,2\n+44 20 7946 0102,-1,2\n'),
    });
    await page.getByRole('button', { name: 'Upload and preview' }).click();
    await page.waitForURL(/\/admin\/dids\/import\/\d+$/);
    expect(await page.locator('[data-stat="valid"]').textContent()).toBe('1');
    expect(await page.locator('tr[data-line="3"]').textContent()).toContain('Must not be negative');
    await page.getByRole('button', { name: 'Import 1 valid row' }).click();
    await page.waitForURL(/\/admin\/dids\?/);
    expect(await page.locator('tr[data-number="+442079460101"]').count()).toBe(1);
    await page.context().close();
  });
});

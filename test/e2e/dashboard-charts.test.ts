import { beforeAll, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { postLedgerEntry } from '../../src/db/ledger-writer.ts';
import { describeInBrowser, logInThroughForm, useBrowser } from '../helpers/browser.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeCall, makeOwnedDid } from '../helpers/factories.ts';

const database = useTestDatabase();

describeInBrowser('dashboard charts, in Chromium', () => {
  const browser = useBrowser(() => database.current.db);
  let admin: AccountRow;

  beforeAll(async () => {
    const db = database.current.db;
    admin = await makeAccount(db, { role: 'admin' });
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '50' });
    const customer = await makeAccount(db, { role: 'customer', parent: reseller, balance: '50' });
    const did = await makeOwnedDid(db, { owner: customer, reseller });
    const today = new Date();
    await db.transaction((trx) => postLedgerEntry(trx, {
      accountId: reseller.id, amount: '-12.5', kind: 'setup_fee', description: 'e2e charge', idempotencyKey: 'e2e-charts:1', now: today,
    }));
    await makeCall(db, { product: did, owner_id: customer.id, reseller_id: reseller.id, at: new Date(today.getTime() - 86_400_000), billsec: 300 });
    // A period fee the operator charged for the number: what the reports show.
    const subscription = (await db('subscriptions').where({ product_id: did.id, account_id: reseller.id }).first('id')) as { id: number };
    await db.transaction((trx) => postLedgerEntry(trx, {
      accountId: reseller.id, amount: '-3', kind: 'recurring_fee', description: 'e2e period', idempotencyKey: 'e2e-charts:2', now: new Date(today.getTime() - 86_400_000),
      referenceType: 'subscription', referenceId: subscription.id,
    }));
  });

  it('when the admin opens a report, then Chart.js draws it and the table holds the same figures', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await logInThroughForm(page, admin.email);
    await page.goto('/admin/reports?report=reseller');
    await page.waitForSelector('canvas[data-chart="chart-report"][data-drawn="true"]');
    const blank = await page.$eval('canvas[data-chart="chart-report"]', (element) => {
      const canvas = element as HTMLCanvasElement;
      const empty = document.createElement('canvas');
      empty.width = canvas.width;
      empty.height = canvas.height;
      return canvas.toDataURL() === empty.toDataURL();
    });
    expect(blank).toBe(false);
    expect(await page.locator('table.report-table tfoot [data-col="revenue"]').textContent()).toBe('$3.0000');
    expect(problems).toEqual([]);
  });

  it('when the admin opens its dashboard, then Chart.js draws every chart on its canvas with no script error', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()); });
    await logInThroughForm(page, admin.email);
    await page.goto('/admin');
    const canvases = page.locator('canvas[data-chart]');
    expect(await canvases.count()).toBe(3);
    await page.waitForSelector('canvas[data-chart][data-drawn="true"]');
    const drawn = await page.$$eval('canvas[data-chart]', (elements) => elements.map((element) => {
      const canvas = element as HTMLCanvasElement;
      const blank = document.createElement('canvas');
      blank.width = canvas.width;
      blank.height = canvas.height;
      return { id: canvas.dataset.chart, drawn: canvas.dataset.drawn, width: canvas.width, blank: canvas.toDataURL() === blank.toDataURL() };
    }));
    for (const chart of drawn) {
      expect(chart.drawn, chart.id).toBe('true');
      expect(chart.width, chart.id).toBeGreaterThan(100);
      expect(chart.blank, chart.id).toBe(false);
    }
    // The figures are also in a table, behind a disclosure.
    await page.locator('#chart-money summary').click();
    expect(await page.locator('#chart-money table.chart-figures tbody tr').count()).toBe(30);
    expect(await page.locator('#chart-money table.chart-figures').textContent()).toContain('$12.5000');
    expect(problems).toEqual([]);
  });
});

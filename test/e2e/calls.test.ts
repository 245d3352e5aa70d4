import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { beforeAll, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { createTestApp } from '../helpers/app.ts';
import { describeInBrowser, logInThroughForm, useBrowser } from '../helpers/browser.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeOwnedDid, makeSwitch } from '../helpers/factories.ts';
import { freeswitchCdr } from '../helpers/switch.ts';

const database = useTestDatabase();

describeInBrowser('calls and switches, in Chromium', () => {
  const browser = useBrowser(() => database.current.db);
  let admin: AccountRow;
  let customer: AccountRow;
  let number: string;

  beforeAll(async () => {
    const db = database.current.db;
    admin = await makeAccount(db, { role: 'admin' });
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '50' });
    customer = await makeAccount(db, { role: 'customer', parent: reseller, balance: '50' });
    number = (await makeOwnedDid(db, { owner: customer, reseller })).number;
    const { token } = await makeSwitch(db, { admin });
    const response = await request(createTestApp(db)).post('/switch/freeswitch/cdr').set('Authorization', `Bearer ${token}`)
      .send(freeswitchCdr({ uuid: randomUUID(), number, billsec: 125 }));
    expect(response.status).toBe(200);
  });

  it('when a customer opens Calls from the menu and clicks its call, then it sees the rating breakdown', async () => {
    const page = await browser.newPage();
    await logInThroughForm(page, customer.email);
    await page.getByRole('link', { name: 'Calls' }).click();
    await page.waitForURL('**/customer/calls');
    expect(await page.locator('table.calls-table tbody tr').count()).toBe(1);
    expect(await page.locator('[data-col="cost"]').textContent()).toBe('$3.8000');
    await page.locator('table.calls-table tbody a').first().click();
    await page.waitForURL(/\/customer\/calls\/\d+$/);
    expect(await page.locator('.breakdown').textContent()).toContain('= 3.8000');
    await page.context().close();
  });

  it('when the admin registers a switch, then the token is shown once on the page', async () => {
    const page = await browser.newPage();
    await logInThroughForm(page, admin.email);
    await page.getByRole('link', { name: 'Switches' }).click();
    await page.getByLabel('Name', { exact: true }).fill('fs-browser');
    await page.getByLabel('Allowed addresses', { exact: true }).fill('203.0.113.0/24');
    await page.getByRole('button', { name: 'Register and show the token' }).click();
    const token = await page.locator('[data-token]').textContent();
    expect(token).toMatch(/^dh_/);
    await page.goto('/admin/switches');
    expect(await page.locator('[data-token]').count()).toBe(0);
    expect(await page.locator('tr', { hasText: 'fs-browser' }).count()).toBe(1);
    await page.context().close();
  });
});

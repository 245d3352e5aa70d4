import { beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import type { Knex } from 'knex';
import { postLedgerEntry } from '../../src/db/ledger-writer.ts';
import type { LedgerKind } from '../../src/db/repos/ledger.ts';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { createTestApp } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeCall, makeDid, makeSubscription } from '../helpers/factories.ts';
import { loginAs, type Agent } from '../helpers/login.ts';

const NOW = new Date('2026-11-20T10:00:00Z');
const database = useTestDatabase();
let db: Knex;
let app: Express;
let admin: AccountRow;
let reseller: AccountRow;
let customer: AccountRow;
let otherCustomer: AccountRow;

const at = (day: string, time = '12:00:00') => new Date(`2026-${day}T${time}Z`);

/** A chart's CSV as { day: { column: value } }, with only the days that are not all zeros. */
async function chartCsv(agent: Agent, area: string, chart: string): Promise<{ header: string; rows: number; days: Record<string, Record<string, string>> }> {
  const response = await agent.get(`/${area}/dashboard/chart.csv?chart=${chart}`);
  expect(response.status).toBe(200);
  expect(response.headers['content-type']).toContain('text/csv');
  const [header, ...lines] = response.text.trim().split('\n');
  const columns = header!.split(',');
  const days: Record<string, Record<string, string>> = {};
  for (const line of lines) {
    const cells = line.split(',');
    if (cells.slice(1).every((cell) => Number(cell) === 0)) continue;
    days[cells[0]!] = Object.fromEntries(columns.slice(1).map((column, i) => [column, cells[i + 1]!]));
  }
  return { header: header!, rows: lines.length, days };
}

beforeAll(async () => {
  db = database.current.db;
  app = createTestApp(db, { now: () => NOW });
  admin = await makeAccount(db, { role: 'admin' });
  reseller = await makeAccount(db, { role: 'reseller', parent: admin });
  customer = await makeAccount(db, { role: 'customer', parent: reseller });
  const otherReseller = await makeAccount(db, { role: 'reseller', parent: admin });
  otherCustomer = await makeAccount(db, { role: 'customer', parent: otherReseller });

  let key = 0;
  const post = (account: AccountRow, amount: string, kind: LedgerKind, when: Date) =>
    db.transaction((trx) => postLedgerEntry(trx, { accountId: account.id, amount, kind, description: 'scenario', idempotencyKey: `charts:${(key += 1)}`, now: when }));
  await post(reseller, '100', 'payment', at('11-01'));
  await post(customer, '50', 'payment', at('11-01'));
  await post(otherReseller, '100', 'payment', at('11-01'));
  await post(otherCustomer, '50', 'payment', at('11-01'));
  await post(reseller, '-2.5', 'setup_fee', at('11-03'));
  await post(customer, '-4', 'setup_fee', at('11-03', '23:59:59'));
  await post(otherReseller, '-10', 'setup_fee', at('11-05'));
  await post(customer, '-0.75', 'call_charge', at('11-19'));
  await post(otherCustomer, '-3', 'call_charge', at('11-19'));
  await post(reseller, '-1', 'recurring_fee', at('11-20', '09:00:00'));
  // Before the 30 days shown (the first is 22 Oct).
  await post(customer, '-7', 'setup_fee', at('10-21', '23:00:00'));

  const ours = await makeDid(db, { reseller_id: reseller.id, customer_id: customer.id });
  const theirs = await makeDid(db, { reseller_id: otherReseller.id });
  await makeSubscription(db, { product_id: ours.id, account_id: reseller.id, seller_id: admin.id, started_at: at('11-03') });
  await makeSubscription(db, { product_id: ours.id, account_id: customer.id, seller_id: reseller.id, started_at: at('11-03'), status: 'ended', ended_at: at('11-18'), end_reason: 'released_by_holder' });
  await makeSubscription(db, { product_id: theirs.id, account_id: otherReseller.id, seller_id: admin.id, started_at: at('11-05') });

  await makeCall(db, { product: ours, owner_id: customer.id, reseller_id: reseller.id, at: at('11-19'), billsec: 120 });
  await makeCall(db, { product: ours, owner_id: reseller.id, at: at('11-19', '13:00:00'), billsec: 30 });
  await makeCall(db, { product: theirs, owner_id: otherCustomer.id, reseller_id: otherReseller.id, at: at('11-19'), billsec: 600 });
});

describe('dashboard charts hold the ledger, calls and subscriptions per day', () => {
  it('when a reseller reads its charts, then they cover its own and its customers\' figures and nobody else\'s', async () => {
    const agent = await loginAs(app, reseller.email);
    const money = await chartCsv(agent, 'reseller', 'money');
    expect(money.header).toBe('day,charges,revenue');
    expect(money.rows).toBe(30);
    expect(money.days).toEqual({
      '2026-11-03': { charges: '2.5000', revenue: '4.0000' },
      '2026-11-19': { charges: '0.0000', revenue: '0.7500' },
      '2026-11-20': { charges: '1.0000', revenue: '0.0000' },
    });
    expect((await chartCsv(agent, 'reseller', 'margin')).days).toEqual({
      '2026-11-03': { margin: '1.5000' }, '2026-11-19': { margin: '0.7500' }, '2026-11-20': { margin: '-1.0000' },
    });
    expect((await chartCsv(agent, 'reseller', 'calls')).days).toEqual({ '2026-11-19': { calls: '2', minutes: '2.5' } });
    expect((await chartCsv(agent, 'reseller', 'numbers')).days).toEqual({
      '2026-11-03': { bought: '2', released: '0' }, '2026-11-18': { bought: '0', released: '1' },
    });
    const balance = await chartCsv(agent, 'reseller', 'balance');
    expect(balance.days['2026-10-31']).toBeUndefined();
    expect(balance.days['2026-11-01']).toEqual({ balance: '100.0000' });
    expect(balance.days['2026-11-03']).toEqual({ balance: '97.5000' });
    expect(balance.days['2026-11-19']).toEqual({ balance: '97.5000' });
    expect(balance.days['2026-11-20']).toEqual({ balance: '96.5000' });
  });

  it('when a customer reads its charts, then they hold only its own figures, and it has no margin chart', async () => {
    const agent = await loginAs(app, customer.email);
    const money = await chartCsv(agent, 'customer', 'money');
    expect(money.header).toBe('day,charges');
    expect(money.days).toEqual({ '2026-11-03': { charges: '4.0000' }, '2026-11-19': { charges: '0.7500' } });
    expect((await chartCsv(agent, 'customer', 'calls')).days).toEqual({ '2026-11-19': { calls: '1', minutes: '2' } });
    expect((await chartCsv(agent, 'customer', 'numbers')).days).toEqual({ '2026-11-03': { bought: '1', released: '0' }, '2026-11-18': { bought: '0', released: '1' } });
    expect((await agent.get('/customer/dashboard/chart.csv?chart=margin')).status).toBe(404);
    expect((await agent.get('/customer/dashboard/chart.csv?chart=nonsense')).status).toBe(400);
  });

  it('when the admin reads its charts, then they hold the whole platform, revenue being what the operator sold', async () => {
    const agent = await loginAs(app, admin.email);
    expect((await chartCsv(agent, 'admin', 'money')).days).toEqual({
      '2026-11-03': { charges: '6.5000', revenue: '2.5000' },
      '2026-11-05': { charges: '10.0000', revenue: '10.0000' },
      '2026-11-19': { charges: '3.7500', revenue: '0.0000' },
      '2026-11-20': { charges: '1.0000', revenue: '1.0000' },
    });
    expect((await chartCsv(agent, 'admin', 'calls')).days).toEqual({ '2026-11-19': { calls: '3', minutes: '12.5' } });
    expect((await chartCsv(agent, 'admin', 'numbers')).days).toEqual({
      '2026-11-03': { bought: '2', released: '0' }, '2026-11-05': { bought: '1', released: '0' }, '2026-11-18': { bought: '0', released: '1' },
    });
    expect((await agent.get('/admin/dashboard/chart.csv?chart=balance')).status).toBe(404);
  });

  it('when the admin opens its dashboard, then each chart has a canvas, its data block, a table of the same figures, a CSV link and the quick actions', async () => {
    const page = await (await loginAs(app, admin.email)).get('/admin');
    expect(page.status).toBe(200);
    for (const chart of ['money', 'calls', 'numbers']) {
      expect(page.text).toContain(`<canvas data-chart="chart-${chart}"`);
      expect(page.text).toContain(`href="/admin/dashboard/chart.csv?chart=${chart}"`);
    }
    const block = /<script type="application\/json" id="chart-money-data">([^<]*)<\/script>/.exec(page.text);
    const data = JSON.parse(block![1]!) as { labels: string[]; datasets: { label: string; data: number[] }[] };
    expect(data.labels).toHaveLength(30);
    expect(data.datasets[0]!.data[data.labels.indexOf('2026-11-05')]).toBe(10);
    expect(page.text).toMatch(/<th scope="row">2026-11-05<\/th><td class="num">\$10\.0000<\/td><td class="num">\$10\.0000<\/td>/);
    expect(page.text).toContain('<script src="/static/js/charts.js" defer></script>');
    expect(page.text).toContain('href="/admin/dids/new"');
    expect(page.text).not.toMatch(/<script>(?!<)/);
  });

  it('when a reseller or customer opens its dashboard, then it shows its quick actions and its charts', async () => {
    const resellerPage = await (await loginAs(app, reseller.email)).get('/reseller');
    expect(resellerPage.text).toContain('href="/reseller/buy"');
    expect(resellerPage.text).toContain('<canvas data-chart="chart-margin"');
    expect(resellerPage.text).toContain('<canvas data-chart="chart-balance"');
    const customerPage = await (await loginAs(app, customer.email)).get('/customer');
    expect(customerPage.text).toContain('href="/customer/buy"');
    expect(customerPage.text).not.toContain('chart-margin');
  });
});

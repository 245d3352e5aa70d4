// Each account's Transactions page: its ledger newest first with the running balance, filters by
// kind and date, pagination, CSV export, receipt links; only ever its own rows.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import type { Knex } from 'knex';
import { createTestApp } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeHierarchy, makeLedgerHistory } from '../helpers/factories.ts';
import { loginAs, type Agent } from '../helpers/login.ts';

const database = useTestDatabase();
let db: Knex;
let app: Express;
let people: Awaited<ReturnType<typeof makeHierarchy>>;
let resellerAgent: Agent;
let customerAgent: Agent;

beforeAll(async () => {
  db = database.current.db;
  app = createTestApp(db);
  people = await makeHierarchy(db);
  await makeLedgerHistory(db, people.reseller, [
    { kind: 'payment', amount: '100', day: '2026-10-01', description: 'Opening payment' },
    { kind: 'setup_fee', amount: '-1.5', day: '2026-10-05', description: 'Setup fee for +14155550100', reference_id: 77 },
    { kind: 'recurring_fee', amount: '-2.25', day: '2026-10-05', description: 'First period for +14155550100', reference_id: 77 },
    { kind: 'call_charge', amount: '-0.0125', day: '2026-11-02' },
    { kind: 'refill', amount: '20', day: '2026-11-10' },
  ]);
  await makeLedgerHistory(db, people.resellerCustomer, [{ kind: 'payment', amount: '5', day: '2026-11-01', description: 'Customer secret payment' }]);
  resellerAgent = await loginAs(app, people.reseller.email);
  customerAgent = await loginAs(app, people.resellerCustomer.email);
});

function entryIds(html: string): number[] {
  return [...html.matchAll(/data-entry="(\d+)"/g)].map((m) => Number(m[1]));
}

describe('an account’s own transactions', () => {
  it('when the reseller opens Transactions, then it sees its rows newest first with amount, balance after, kind and description', async () => {
    const response = await resellerAgent.get('/reseller/transactions');
    expect(response.status).toBe(200);
    expect(response.text).toContain('data-total="5"');
    const ids = entryIds(response.text);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(response.text).toContain('data-balance-after="116.237500"');
    expect(response.text).toContain('$116.2375');
    expect(response.text).toContain('-$0.0125');
    expect(response.text).toContain('Setup fee for +1 415 555 0100');
    expect(response.text).toContain('Recurring fee');
    expect(response.text).not.toContain('Customer secret payment');
    // An account cannot correct its own ledger: only its seller records adjustments.
    expect(response.text).not.toContain('?corrects=');
  });

  it('when a row comes from a purchase, then it links to its receipt', async () => {
    const response = await resellerAgent.get('/reseller/transactions');
    expect(response.text).toContain('href="/reseller/receipts/77"');
  });

  it('when filtered by kind and dates, then only those rows are listed, dates inclusive', async () => {
    const fees = await resellerAgent.get('/reseller/transactions?kind=setup_fee');
    expect(fees.text).toContain('data-total="1"');
    const october = await resellerAgent.get('/reseller/transactions?from=2026-10-05&to=2026-10-05');
    expect(october.text).toContain('data-total="2"');
    const november = await resellerAgent.get('/reseller/transactions?from=2026-11-01');
    expect(november.text).toContain('data-total="2"');
    expect(november.text).toContain('value="2026-11-01"');
  });

  it('when a filter is invalid, then the page says which with a 400', async () => {
    const response = await resellerAgent.get('/reseller/transactions?kind=bonus&from=2026-02-30&to=yesterday');
    expect(response.status).toBe(400);
    expect(response.text).toContain('Choose a kind from the list');
    expect(response.text).toContain('This is not a date');
    expect(response.text).toContain('Use a date like 2026-11-29');
    const reversed = await resellerAgent.get('/reseller/transactions?from=2026-11-02&to=2026-11-01');
    expect(reversed.status).toBe(400);
    expect(reversed.text).toContain('The end date is before the start date');
  });

  it('when exported, then the CSV has the filtered rows newest first with plain decimal amounts', async () => {
    const response = await resellerAgent.get('/reseller/transactions/export.csv?from=2026-10-01&to=2026-10-31');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toContain('text/csv');
    expect(response.headers['content-disposition']).toContain('transactions.csv');
    const lines = response.text.trim().split('\n');
    expect(lines[0]).toBe('id,created_at,kind,description,amount,balance_after,reference_type,reference_id,corrects_entry_id');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/^\d+,2026-10-05T10:00:00\.000Z,recurring_fee,First period for \+14155550100,-2\.2500,96\.2500,subscription,77,$/);
    expect(lines[3]).toMatch(/,payment,Opening payment,100\.0000,100\.0000,,,$/);
  });

  it('when a description could run as a spreadsheet formula, then the CSV quotes it', async () => {
    const customer = await makeAccount(db, { role: 'customer', parent: people.reseller });
    await makeLedgerHistory(db, customer, [{ kind: 'adjustment', amount: '1', day: '2026-11-20', description: '=HYPERLINK("http://evil.example")' }]);
    const csv = await (await loginAs(app, customer.email)).get('/customer/transactions/export.csv');
    expect(csv.text).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
  });

  it('when the customer opens Transactions, then it sees only its own rows', async () => {
    const response = await customerAgent.get('/customer/transactions');
    expect(response.status).toBe(200);
    expect(response.text).toContain('Customer secret payment');
    expect(response.text).toContain('data-total="1"');
    expect(response.text).not.toContain('Opening payment');
    const csv = await customerAgent.get('/customer/transactions/export.csv');
    expect(csv.text.trim().split('\n')).toHaveLength(2);
  });
});

describe('long ledgers', () => {
  it('when an account has more rows than a page, then pages split them, keep the filters, and the export has them all', async () => {
    const customer = await makeAccount(db, { role: 'customer', parent: people.reseller });
    await makeLedgerHistory(db, customer, Array.from({ length: 2600 }, (_, i) => ({ kind: i % 2 ? 'call_charge' : 'refill', amount: i % 2 ? '-0.5' : '1', day: '2026-11-15' })));
    const agent = await loginAs(app, customer.email);
    const first = await agent.get('/customer/transactions?kind=refill');
    expect(first.text).toContain('data-total="1300"');
    expect(entryIds(first.text)).toHaveLength(50);
    expect(first.text).toContain('href="/customer/transactions?kind=refill&amp;page=2"');
    const last = await agent.get('/customer/transactions?kind=refill&page=26');
    expect(entryIds(last.text)).toHaveLength(50);
    expect(last.text).toContain('Page 26 of 26');
    expect(new Set([...entryIds(first.text), ...entryIds(last.text)]).size).toBe(100);
    const csv = await agent.get('/customer/transactions/export.csv');
    const lines = csv.text.trim().split('\n');
    expect(lines).toHaveLength(2601);
    const ids = lines.slice(1).map((line) => Number(line.split(',')[0]));
    expect(new Set(ids).size).toBe(2600);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(lines[1]).toContain(',650.0000,');
  });
});

describe('transactions of managed accounts', () => {
  it("when the admin or the reseller opens a customer's transactions, then they see its rows; another reseller gets a 404", async () => {
    const admin = await loginAs(app, people.admin.email);
    const byAdmin = await admin.get(`/admin/accounts/${people.resellerCustomer.id}/transactions`);
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.text).toContain('Customer secret payment');
    const resellerRows = await admin.get(`/admin/accounts/${people.reseller.id}/transactions`);
    expect(resellerRows.text).toContain('href="/admin/subscriptions/77"');
    expect((await resellerAgent.get(`/reseller/customers/${people.resellerCustomer.id}/transactions`)).text).not.toContain('/receipts/');
    const byReseller = await resellerAgent.get(`/reseller/customers/${people.resellerCustomer.id}/transactions`);
    expect(byReseller.status).toBe(200);
    expect(byReseller.text).toContain('Customer secret payment');
    const csv = await resellerAgent.get(`/reseller/customers/${people.resellerCustomer.id}/transactions/export.csv`);
    expect(csv.text).toContain('Customer secret payment');

    const other = await makeAccount(db, { role: 'reseller', parent: people.admin });
    const otherAgent = await loginAs(app, other.email);
    expect((await otherAgent.get(`/reseller/customers/${people.resellerCustomer.id}/transactions`)).status).toBe(404);
    expect((await otherAgent.get(`/reseller/customers/${people.resellerCustomer.id}/transactions/export.csv`)).status).toBe(404);
  });
});

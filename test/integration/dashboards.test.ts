import { beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import type { Knex } from 'knex';
import { postLedgerEntry } from '../../src/db/ledger-writer.ts';
import { createTestApp } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeDid, makeSubscription } from '../helpers/factories.ts';
import { loginAs } from '../helpers/login.ts';

const NOW = new Date('2026-11-20T10:00:00Z');
const database = useTestDatabase();
let db: Knex;
let app: Express;

function stat(html: string, name: string): string | undefined {
  return new RegExp(`data-stat="${name}">([^<]*)<`).exec(html)?.[1];
}

beforeAll(async () => {
  db = database.current.db;
  app = createTestApp(db, { now: () => NOW });
});

describe('dashboards show figures from the database', () => {
  it('when numbers are in stock, held and owned, and charges were made this month, then the admin sees those figures', async () => {
    const admin = await makeAccount(db, { role: 'admin' });
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '100' });
    const customer = await makeAccount(db, { role: 'customer', parent: admin, balance: '100' });
    for (let i = 0; i < 3; i += 1) await makeDid(db);
    await makeDid(db, { status: 'inactive' });
    await makeDid(db, { reseller_id: reseller.id });
    await makeDid(db, { reseller_id: reseller.id });
    await makeDid(db, { customer_id: customer.id });
    await db.transaction(async (trx) => {
      const charge = (accountId: number, amount: string, key: string, at: Date) =>
        postLedgerEntry(trx, { accountId, amount, kind: 'setup_fee', description: 'x', idempotencyKey: key, now: at });
      await charge(reseller.id, '-2.5', 'c1', new Date('2026-11-03T00:00:00Z'));
      await charge(customer.id, '-1.25', 'c2', new Date('2026-11-19T00:00:00Z'));
      // Last month's charge is not this month's.
      await charge(customer.id, '-7', 'c3', new Date('2026-10-31T23:59:59Z'));
    });

    const page = await (await loginAs(app, admin.email)).get('/admin');
    expect(page.status).toBe(200);
    expect(stat(page.text, 'in-stock')).toBe('3');
    expect(stat(page.text, 'inactive')).toBe('1');
    expect(stat(page.text, 'held-by-resellers')).toBe('2');
    expect(stat(page.text, 'owned-by-customers')).toBe('1');
    expect(stat(page.text, 'resellers')).toBe('1');
    expect(stat(page.text, 'customers')).toBe('1');
    expect(stat(page.text, 'charges-this-month')).toBe('$3.7500');
  });

  it('when a postpaid reseller holds numbers with renewals, then its dashboard shows balance, funds, numbers and renewals', async () => {
    const admin = await makeAccount(db, { role: 'admin' });
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, billing_mode: 'postpaid', credit_limit: '50', balance: '12.5' });
    const customer = await makeAccount(db, { role: 'customer', parent: reseller });
    const held = await makeDid(db, { reseller_id: reseller.id });
    await makeDid(db, { reseller_id: reseller.id, customer_id: customer.id });
    await makeSubscription(db, {
      product_id: held.id, account_id: reseller.id, seller_id: admin.id, setup_fee: '1', price: '2.5', started_at: NOW, next_billing_at: new Date('2026-12-20T10:00:00Z'),
    });

    const page = await (await loginAs(app, reseller.email)).get('/reseller');
    expect(stat(page.text, 'balance')).toBe('$12.5000');
    expect(stat(page.text, 'available-funds')).toBe('$62.5000');
    expect(stat(page.text, 'numbers')).toBe('2');
    expect(stat(page.text, 'customers')).toBe('1');
    expect(page.text).toContain('1 assigned to customers');
    expect(page.text).toContain(held.number);
    expect(page.text).toContain('20 Dec 2026');
    expect(page.text).toContain('$2.5000');
  });

  it('when a prepaid customer owns nothing, then its dashboard says so', async () => {
    const admin = await makeAccount(db, { role: 'admin' });
    const customer = await makeAccount(db, { role: 'customer', parent: admin, balance: '0.1' });
    const page = await (await loginAs(app, customer.email)).get('/customer');
    expect(stat(page.text, 'balance')).toBe('$0.1000');
    expect(stat(page.text, 'available-funds')).toBe('$0.1000');
    expect(stat(page.text, 'numbers')).toBe('0');
    expect(page.text).toContain('No renewals coming up.');
  });
});

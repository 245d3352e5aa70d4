// Renewals as time goes by: purchases made through the purchase service, then billing runs with
// the clock moved forward, on whichever database the suite runs on.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { postLedgerEntry } from '../../src/db/ledger-writer.ts';
import { purchaseDid } from '../../src/services/purchases.ts';
import { listSubscriptionEvents } from '../../src/db/repos/billing-runs.ts';
import { retryAccountRenewals, runBilling } from '../../src/services/renewals.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeDid } from '../helpers/factories.ts';
import { testPricing } from '../helpers/app.ts';

const PRICING = testPricing();

const database = useTestDatabase();
let db: Knex;
let admin: AccountRow;

beforeAll(async () => {
  db = database.current.db;
  admin = await makeAccount(db, { role: 'admin' });
});

const at = (iso: string) => new Date(iso);
const GRACE = 7;

function run(now: Date, accountId?: number) {
  return runBilling(db, { now, trigger: 'command', graceDays: GRACE, ...(accountId ? { accountId } : {}) });
}

function buy(buyer: AccountRow, productId: number, now: Date) {
  return purchaseDid(db, { pricing: PRICING, buyerId: buyer.id, productId, idempotencyKey: randomUUID(), now, actorId: buyer.id });
}

async function pay(account: AccountRow, amount: string, now: Date) {
  await db.transaction((trx) =>
    postLedgerEntry(trx, { accountId: account.id, amount, kind: 'payment', description: 'Payment', idempotencyKey: `pay:${randomUUID()}`, now }),
  );
}

async function subscription(id: number) {
  return db('subscriptions').where({ id }).first();
}

async function renewalsOf(subscriptionId: number) {
  return db('ledger_entries').where({ reference_type: 'subscription', reference_id: subscriptionId }).where('idempotency_key', 'like', 'renewal:%').orderBy('id');
}

async function balanceOf(accountId: number): Promise<string> {
  return ((await db('accounts').where({ id: accountId }).first('balance')) as { balance: string }).balance;
}

async function ledgerSum(accountId: number): Promise<string> {
  const row = (await db('ledger_entries').where({ account_id: accountId }).first(db.raw('coalesce(sum(amount), 0)::numeric(20,6)::text as total'))) as { total: string };
  return row.total;
}

describe('a recurring number bought on 31 January with 30 billing days', () => {
  it('when the run goes every fifth day for a year, then it renews on each 30th day, once, at the price locked at purchase', async () => {
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '1000' });
    const did = await makeDid(db, { setup_fee: '1.00', monthly_fee: '2.50', billing_type: 'recurring', billing_days: 30 });
    const { subscription: bought } = await buy(reseller, did.id, at('2027-01-31T09:00:00Z'));
    // The admin changes its price later: the subscription keeps the price it was bought at.
    await db('products').where({ id: did.id }).update({ monthly_fee: '9.00' });

    for (let dayNumber = 5; dayNumber <= 365; dayNumber += 5) {
      await run(new Date(Date.UTC(2027, 0, 31, 12) + dayNumber * 86_400_000));
    }

    const charges = await renewalsOf(bought.id);
    expect(charges.map((c) => c.idempotency_key.split(':')[2]!.slice(0, 10))).toEqual([
      '2027-03-02', '2027-04-01', '2027-05-01', '2027-05-31', '2027-06-30', '2027-07-30', '2027-08-29', '2027-09-28',
      '2027-10-28', '2027-11-27', '2027-12-27', '2028-01-26',
    ]);
    expect(charges.every((c) => c.amount === '-2.500000' && c.kind === 'recurring_fee')).toBe(true);
    // Charged by the first run after it fell due: a run at noon renews a period that began at 09:00 that day.
    expect(charges[0].created_at).toEqual(at('2027-03-02T12:00:00Z'));
    expect((await subscription(bought.id)).next_billing_at).toEqual(at('2028-02-25T09:00:00Z'));
    expect(await balanceOf(reseller.id)).toBe('966.500000');
    expect(await ledgerSum(reseller.id)).toBe('966.500000');
  });

  it('when the server was down for 100 days, then one run charges every missed period once, in order', async () => {
    const customer = await makeAccount(db, { role: 'customer', parent: admin, balance: '100' });
    const did = await makeDid(db, { setup_fee: '0', monthly_fee: '3.00', billing_days: 30 });
    const { subscription: bought } = await buy(customer, did.id, at('2027-01-31T00:00:00Z'));

    const first = await run(at('2027-05-11T00:00:00Z'));
    const second = await run(at('2027-05-11T00:00:00Z'));

    const charges = await renewalsOf(bought.id);
    expect(charges.map((c) => c.description)).toEqual([
      `Renewal of ${did.number}, 2027-03-02 to 2027-04-01`,
      `Renewal of ${did.number}, 2027-04-01 to 2027-05-01`,
      `Renewal of ${did.number}, 2027-05-01 to 2027-05-31`,
    ]);
    expect(charges.map((c) => c.balance_after)).toEqual(['94.000000', '91.000000', '88.000000']);
    expect(first.renewed).toBeGreaterThanOrEqual(3);
    expect(second.renewed).toBe(0);
    const history = await listSubscriptionEvents(db, bought.id);
    expect(history.map((e) => [e.kind, Number(e.ledger_entry_id), e.billing_run_id, e.period_start])).toEqual(
      charges.map((c) => ['renewed', c.id, first.run!.id, new Date(c.idempotency_key.split(':').slice(2).join(':'))]),
    );
    expect(history[0]!.period_end).toEqual(at('2027-04-01T00:00:00Z'));
  });
});

describe('unpaid renewals', () => {
  it('when the funds do not cover a renewal, then it is suspended, charged nothing, and a payment reactivates it at once', async () => {
    const customer = await makeAccount(db, { role: 'customer', parent: admin, balance: '5' });
    const did = await makeDid(db, { setup_fee: '1.00', monthly_fee: '3.00', billing_days: 30 });
    const { subscription: bought } = await buy(customer, did.id, at('2027-01-01T00:00:00Z'));
    expect(await balanceOf(customer.id)).toBe('1.000000');

    const summary = await run(at('2027-01-31T01:00:00Z'), customer.id);
    expect(summary).toMatchObject({ renewed: 0, suspended: 1, suspendedTotal: '3' });
    expect(await subscription(bought.id)).toMatchObject({ status: 'suspended', suspended_at: at('2027-01-31T01:00:00Z'), next_billing_at: at('2027-01-31T00:00:00Z') });
    expect(await renewalsOf(bought.id)).toHaveLength(0);

    // A later run retries and still cannot charge: no second suspension, nothing charged.
    const again = await run(at('2027-02-02T00:00:00Z'), customer.id);
    expect(again).toMatchObject({ renewed: 0, suspended: 0, released: 0 });

    await pay(customer, '10', at('2027-02-03T00:00:00Z'));
    const retried = await retryAccountRenewals(db, customer.id, at('2027-02-03T00:00:00Z'));
    expect(retried).toMatchObject({ renewed: 1, reactivated: 1 });
    expect(await subscription(bought.id)).toMatchObject({ status: 'active', suspended_at: null, next_billing_at: at('2027-03-02T00:00:00Z') });
    expect(await balanceOf(customer.id)).toBe('8.000000');
    expect(await ledgerSum(customer.id)).toBe('8.000000');
    const kinds = (await listSubscriptionEvents(db, bought.id)).map((e) => e.kind);
    expect(kinds).toEqual(['suspended', 'reactivated', 'renewed']);
  });

  it('when it stays unpaid for the grace period, then the number goes back to its seller and the subscription ends', async () => {
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '100' });
    const customer = await makeAccount(db, { role: 'customer', parent: reseller, balance: '2.3' });
    const did = await makeDid(db, { setup_fee: '0', monthly_fee: '1.00', billing_days: 30 });
    const { subscription: resellerSubscription } = await buy(reseller, did.id, at('2027-01-01T00:00:00Z'));
    const { subscription: bought } = await buy(customer, did.id, at('2027-01-05T00:00:00Z'));
    expect(await balanceOf(customer.id)).toBe('1.100000');
    await db('products').where({ id: did.id }).update({ destination_type: 'pstn', destination: '+14155550100' });

    await run(at('2027-02-04T00:00:00Z'));
    expect((await subscription(bought.id)).status).toBe('suspended');
    await run(at('2027-02-10T23:59:59Z'));
    expect((await subscription(bought.id)).status).toBe('suspended');
    const summary = await run(at('2027-02-11T00:00:00Z'));

    expect(summary.released).toBeGreaterThanOrEqual(1);
    expect(await subscription(bought.id)).toMatchObject({ status: 'ended', end_reason: 'unpaid', ended_at: at('2027-02-11T00:00:00Z') });
    // Back among the reseller's unassigned numbers, forwarding cleared; the reseller keeps paying for it.
    expect(await db('products').where({ id: did.id }).first('reseller_id', 'customer_id', 'destination')).toEqual({ reseller_id: reseller.id, customer_id: null, destination: null });
    expect((await subscription(resellerSubscription.id)).status).toBe('active');
    expect(await balanceOf(customer.id)).toBe('1.100000');
  });
});

describe('one-time numbers', () => {
  it('when its billing days have passed, then a one-time number goes back to its seller with nothing charged; with 0 days it is kept for good', async () => {
    const customer = await makeAccount(db, { role: 'customer', parent: admin, balance: '50' });
    const limited = await makeDid(db, { setup_fee: '0', monthly_fee: '4.00', billing_type: 'one_time', billing_days: 10 });
    const forever = await makeDid(db, { setup_fee: '0', monthly_fee: '4.00', billing_type: 'one_time', billing_days: 0 });
    const { subscription: ten } = await buy(customer, limited.id, at('2027-03-01T00:00:00Z'));
    const { subscription: kept } = await buy(customer, forever.id, at('2027-03-01T00:00:00Z'));
    expect(kept.next_billing_at).toBeNull();

    await run(at('2027-03-10T23:00:00Z'), customer.id);
    expect((await subscription(ten.id)).status).toBe('active');
    const summary = await run(at('2027-03-11T00:00:00Z'), customer.id);

    expect(summary).toMatchObject({ expired: 1, renewed: 0 });
    expect(await subscription(ten.id)).toMatchObject({ status: 'ended', end_reason: 'expired' });
    expect(await db('products').where({ id: limited.id }).first('reseller_id', 'customer_id')).toEqual({ reseller_id: null, customer_id: null });
    await run(at('2037-03-11T00:00:00Z'), customer.id);
    expect((await subscription(kept.id)).status).toBe('active');
    expect(await balanceOf(customer.id)).toBe('42.000000');
  });
});

describe('a reseller and its customers', () => {
  it('when they renew over several periods, then each level is charged to its own ledger and the reseller margin is its customers payments minus the admin charges', async () => {
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '500' });
    const customers = [await makeAccount(db, { role: 'customer', parent: reseller, balance: '300' }), await makeAccount(db, { role: 'customer', parent: reseller, balance: '300' })];
    const dids = [
      await makeDid(db, { setup_fee: '1.00', monthly_fee: '2.00', billing_days: 30 }),
      await makeDid(db, { setup_fee: '0.50', monthly_fee: '3.50', billing_days: 15 }),
    ];
    for (const did of dids) await buy(reseller, did.id, at('2027-01-01T00:00:00Z'));
    // Sell terms: 20 % over the buy terms by default (setup 1.20 / 0.60, monthly 2.40 / 4.20).
    await buy(customers[0]!, dids[0]!.id, at('2027-01-03T00:00:00Z'));
    await buy(customers[1]!, dids[1]!.id, at('2027-01-04T00:00:00Z'));

    for (const day of ['2027-02-01', '2027-03-01', '2027-04-01', '2027-05-01']) await run(at(`${day}T00:00:00Z`));

    const charges = async (accountIds: number[]) => {
      const row = (await db('ledger_entries').whereIn('account_id', accountIds).whereIn('kind', ['setup_fee', 'recurring_fee'])
        .first(db.raw('coalesce(-sum(amount), 0)::numeric(20,6)::text as total'))) as { total: string };
      return row.total;
    };
    const paidByCustomers = await charges(customers.map((c) => c.id));
    const paidByReseller = await charges([reseller.id]);
    // Runs on 1 Feb, 1 Mar, 1 Apr and 1 May at 00:00, each charging what is due by then.
    // Reseller to admin: number 1 from 1 Jan every 30 days: 31 Jan, 2 Mar, 1 Apr, 1 May (5 periods of 2.00 + 1.00 setup = 11.00);
    // number 2 every 15 days: 16 Jan ... 1 May (8 renewals: 9 periods of 3.50 + 0.50 setup = 32.00).
    expect(paidByReseller).toBe('43.000000');
    // Customers to reseller: number 1 from 3 Jan: 2 Feb, 4 Mar, 3 Apr (4 periods of 2.40 + 1.20 = 10.80);
    // number 2 from 4 Jan every 15 days: 19 Jan ... 19 Apr (7 renewals: 8 periods of 4.20 + 0.60 = 34.20).
    expect(paidByCustomers).toBe('45.000000');
    // The reseller's ledger shows only what it paid; its margin is what its customers paid it less that.
    const margin = (await db.raw('SELECT (?::numeric - ?::numeric)::numeric(20,6)::text AS margin', [paidByCustomers, paidByReseller])).rows[0].margin;
    expect(margin).toBe('2.000000');
    const customerCharges = await db('ledger_entries').whereIn('ledger_entries.account_id', customers.map((c) => c.id)).where('ledger_entries.kind', 'recurring_fee')
      .join('subscriptions as s', 's.id', 'ledger_entries.reference_id').distinct('s.seller_id');
    expect(customerCharges.map((r) => r.seller_id)).toEqual([reseller.id]);
    for (const account of [reseller, ...customers]) expect(await ledgerSum(account.id)).toBe(await balanceOf(account.id));
  });

  it('when a reseller leaves its own renewal unpaid past the grace period, then the number goes back to the operator and its customer loses it too, told why', async () => {
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '2' });
    const customer = await makeAccount(db, { role: 'customer', parent: reseller, balance: '100' });
    const did = await makeDid(db, { setup_fee: '0', monthly_fee: '2.00', billing_days: 30 });
    const { subscription: resellerSubscription } = await buy(reseller, did.id, at('2027-01-01T00:00:00Z'));
    const { subscription: customerSubscription } = await buy(customer, did.id, at('2027-01-02T00:00:00Z'));

    await run(at('2027-01-31T00:00:00Z'));
    expect((await subscription(resellerSubscription.id)).status).toBe('suspended');
    // The customer renews on 1 Feb: it has paid its reseller, which still holds the number.
    await run(at('2027-02-01T00:00:00Z'));
    expect((await subscription(customerSubscription.id)).status).toBe('active');
    await run(at('2027-02-07T00:00:00Z'));

    expect(await subscription(resellerSubscription.id)).toMatchObject({ status: 'ended', end_reason: 'unpaid' });
    expect(await subscription(customerSubscription.id)).toMatchObject({ status: 'ended', end_reason: 'seller_unpaid' });
    expect(await db('products').where({ id: did.id }).first('reseller_id', 'customer_id')).toEqual({ reseller_id: null, customer_id: null });
    expect(await db('reseller_prices').where({ product_id: did.id })).toEqual([]);
    const told = await db('subscription_events').where({ subscription_id: customerSubscription.id, kind: 'released' }).first();
    expect(told.note).toContain("the reseller's own subscription");
  });
});

describe('exactly once', () => {
  it('when a period was somehow charged already, then that subscription fails alone, is not charged twice, and the others renew', async () => {
    const customer = await makeAccount(db, { role: 'customer', parent: admin, balance: '20' });
    const first = await makeDid(db, { setup_fee: '0', monthly_fee: '1.00', billing_days: 30 });
    const second = await makeDid(db, { setup_fee: '0', monthly_fee: '1.00', billing_days: 30 });
    const { subscription: charged } = await buy(customer, first.id, at('2027-07-01T00:00:00Z'));
    const { subscription: normal } = await buy(customer, second.id, at('2027-07-01T00:00:00Z'));
    // A charge for the period with the subscription left as if it had not moved on (a crash between the two cannot
    // happen, they commit together; this shows the ledger key would still refuse a second charge).
    await db.transaction((trx) => postLedgerEntry(trx, {
      accountId: customer.id, amount: '-1', kind: 'recurring_fee', description: 'Renewal',
      idempotencyKey: `renewal:${charged.id}:${at('2027-07-31T00:00:00Z').toISOString()}`, referenceType: 'subscription', referenceId: charged.id, now: at('2027-07-31T00:00:00Z'),
    }));

    const summary = await run(at('2027-07-31T01:00:00Z'), customer.id);

    expect(summary).toMatchObject({ renewed: 1, failed: 1 });
    expect(await renewalsOf(charged.id)).toHaveLength(1);
    expect(await renewalsOf(normal.id)).toHaveLength(1);
    expect((await subscription(normal.id)).next_billing_at).toEqual(at('2027-08-30T00:00:00Z'));
    expect(summary.run!.failed_count).toBe(1);
    expect(await ledgerSum(customer.id)).toBe(await balanceOf(customer.id));
  });

  it('when a number costs nothing a period, then it renews without a ledger row', async () => {
    const customer = await makeAccount(db, { role: 'customer', parent: admin });
    const did = await makeDid(db, { setup_fee: '0', monthly_fee: '0', billing_days: 7 });
    const { subscription: free } = await buy(customer, did.id, at('2027-09-01T00:00:00Z'));
    const summary = await run(at('2027-09-15T00:00:00Z'), customer.id);
    expect(summary.renewed).toBe(2);
    expect(await subscription(free.id)).toMatchObject({ status: 'active', next_billing_at: at('2027-09-22T00:00:00Z') });
    expect(await db('ledger_entries').where({ account_id: customer.id })).toEqual([]);
  });
});

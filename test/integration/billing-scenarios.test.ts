// Renewals as time goes by: purchases made through the purchase service, then billing runs with
// the clock moved forward, on whichever database the suite runs on.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { postLedgerEntry } from '../../src/services/ledger.ts';
import { purchaseDid } from '../../src/services/purchases.ts';
import { retryAccountRenewals, runBilling } from '../../src/services/renewals.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeDid } from '../helpers/factories.ts';

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
  return purchaseDid(db, { buyerId: buyer.id, productId, idempotencyKey: randomUUID(), now, actorId: buyer.id });
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
    const events = await db('subscription_events').where({ subscription_id: bought.id }).orderBy('id');
    expect(events.map((e) => [e.kind, e.ledger_entry_id])).toEqual(charges.map((c) => ['renewed', c.id]));
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
    const kinds = (await db('subscription_events').where({ subscription_id: bought.id }).orderBy('id')).map((e) => e.kind);
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

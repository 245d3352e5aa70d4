// Calendar-month numbers bought several at once (Buy DIDs multi-buy, the API's number orders): each
// first period is prorated to the buyer's billing day exactly as a single purchase would charge it,
// in the quote, in the funds check and in the ledger.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { orderNumbers } from '../../src/services/number-orders.ts';
import { purchaseDid, purchaseDids, quotePurchases } from '../../src/services/purchases.ts';
import { InsufficientFundsError } from '../../src/errors.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeDid } from '../helpers/factories.ts';
import { testPricing } from '../helpers/app.ts';

const database = useTestDatabase();
let db: Knex;
let admin: AccountRow;

beforeAll(async () => {
  db = database.current.db;
  admin = await makeAccount(db, { role: 'admin' });
});

const PRICING = testPricing();
// 15 January, billing day 1: 17 of 31 days to 1 February.
const NOW = new Date('2027-01-15T13:45:00Z');

function customer(balance = '1000') {
  return makeAccount(db, { role: 'customer', parent: admin, balance });
}

function monthlyDid(monthly: string, setup = '1.00') {
  return makeDid(db, { setup_fee: setup, monthly_fee: monthly, billing_period: 'month' });
}

function chargedAmounts(entries: Array<{ kind: string; amount: string }>): string[] {
  return entries.map((entry) => `${entry.kind} ${entry.amount}`);
}

describe('several calendar-month numbers bought at once', () => {
  it('when two are quoted and bought together, then each first period is prorated and the ledger rows equal two single purchases', async () => {
    const buyer = await customer();
    const [a, b] = [await monthlyDid('31.00'), await monthlyDid('62.00')];
    const quote = await quotePurchases(db, { buyerId: buyer.id, productIds: [a.id, b.id], now: NOW, pricing: PRICING });
    expect(quote.lines.map((line) => [line.firstPeriod, line.total, line.nextBillingAt?.toISOString()])).toEqual([
      ['17.000000', '18.000000', '2027-02-01T00:00:00.000Z'],
      ['34.000000', '35.000000', '2027-02-01T00:00:00.000Z'],
    ]);
    expect([quote.setupFees, quote.firstPeriods, quote.total]).toEqual(['2.000000', '51.000000', '53.000000']);

    const { results } = await purchaseDids(db, { buyerId: buyer.id, productIds: [a.id, b.id], idempotencyKey: randomUUID(), now: NOW, actorId: buyer.id, pricing: PRICING });
    const many = results.map((result) => chargedAmounts(result.entries));

    const single = await customer();
    const [c, d] = [await monthlyDid('31.00'), await monthlyDid('62.00')];
    const singles = [];
    for (const did of [c, d]) {
      const result = await purchaseDid(db, { buyerId: single.id, productId: did.id, idempotencyKey: randomUUID(), now: NOW, actorId: single.id, pricing: PRICING });
      singles.push(chargedAmounts(result.entries));
    }
    expect(many).toEqual(singles);
    expect(many).toEqual([['setup_fee -1.000000', 'recurring_fee -17.000000'], ['setup_fee -1.000000', 'recurring_fee -34.000000']]);
    const after = (await db('accounts').where({ id: buyer.id }).first('balance')) as { balance: string };
    expect(after.balance).toBe('947.000000');
  });

  it('when the funds cover the prorated first periods but not whole months, then the multi-buy goes through; one cent less and nothing is bought', async () => {
    const [a, b] = [await monthlyDid('31.00'), await monthlyDid('31.00')];
    const short = await customer('35.99');
    await expect(purchaseDids(db, { buyerId: short.id, productIds: [a.id, b.id], idempotencyKey: randomUUID(), now: NOW, actorId: short.id, pricing: PRICING }))
      .rejects.toThrow(InsufficientFundsError);
    expect(Number((await db('subscriptions').where({ account_id: short.id }).count({ count: '*' }).first())!.count)).toBe(0);

    const enough = await customer('36.00');
    const { results } = await purchaseDids(db, { buyerId: enough.id, productIds: [a.id, b.id], idempotencyKey: randomUUID(), now: NOW, actorId: enough.id, pricing: PRICING });
    expect(results).toHaveLength(2);
  });

  it('when the API orders a calendar-month number, then the order item and the ledger show the prorated first period', async () => {
    const buyer = await customer();
    const did = await monthlyDid('31.00');
    const view = await orderNumbers(db, { accountId: buyer.id, numbers: [did.number], now: NOW, actorId: buyer.id, pricing: PRICING });
    expect(view.items.map((item) => [item.setup_fee, item.first_period])).toEqual([['1.000000', '17.000000']]);
    expect(chargedAmounts(view.items[0]!.entries ?? [])).toEqual(['setup_fee -1.000000', 'recurring_fee -17.000000']);
    expect(view.order.total).toBe('18.000000');
  });
});

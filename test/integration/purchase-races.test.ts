// Concurrency guarantees of purchases, on real Postgres (PGlite has one connection, so nothing races there).
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { ConflictError, InsufficientFundsError } from '../../src/errors.ts';
import { JUST_SOLD_MESSAGE } from '../../src/services/acquisition.ts';
import { purchaseDid } from '../../src/services/purchases.ts';
import { testServerUrl, useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeDid, makeDids, makeFundedAccounts, uniqueUsNumber } from '../helpers/factories.ts';
import { testPricing } from '../helpers/app.ts';

const PRICING = testPricing();

const database = useTestDatabase({ poolMax: 30 });
const NOW = new Date('2026-11-29T12:00:00Z');

describe.skipIf(!testServerUrl())('purchases racing on real Postgres', () => {
  let db: Knex;
  let admin: AccountRow;

  beforeAll(async () => {
    db = database.current.db;
    admin = await makeAccount(db, { role: 'admin' });
  });

  /** Funded resellers in bulk (accounts and their opening payments). */
  async function fundedResellers(count: number, amount: string): Promise<number[]> {
    const ids = await makeFundedAccounts(db, Array.from({ length: count }, () => ({ role: 'reseller' as const, parent_id: admin.id, balance: amount })));
    return ids;
  }

  async function ledgerMatchesBalance(accountId: number): Promise<void> {
    const { balance } = (await db('accounts').where({ id: accountId }).first('balance')) as { balance: string };
    const { total } = (await db('ledger_entries').where({ account_id: accountId }).first(db.raw('coalesce(sum(amount), 0)::numeric(20,6)::text as total'))) as { total: string };
    expect(total).toBe(balance);
  }

  it('when 50 buyers race for one number, then exactly one buys it and only it is charged', async () => {
    const buyers = await fundedResellers(50, '100');
    const did = await makeDid(db, { setup_fee: '1.00', monthly_fee: '2.00' });
    const outcomes = await Promise.allSettled(
      buyers.map((buyerId) => purchaseDid(db, { pricing: PRICING, buyerId, productId: did.id, idempotencyKey: randomUUID(), now: NOW, actorId: buyerId })),
    );
    const sold = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(sold).toHaveLength(1);
    expect(refused).toHaveLength(49);
    for (const failure of refused) {
      expect(failure.reason).toBeInstanceOf(ConflictError);
      expect((failure.reason as Error).message).toBe(JUST_SOLD_MESSAGE);
    }
    const subscriptions = await db('subscriptions').where({ product_id: did.id });
    expect(subscriptions).toHaveLength(1);
    const charges = await db('ledger_entries').whereIn('account_id', buyers).whereNot('kind', 'payment');
    expect(charges).toHaveLength(2);
    expect(new Set(charges.map((c) => c.account_id))).toEqual(new Set([subscriptions[0].account_id]));
    const product = await db('products').where({ id: did.id }).first();
    expect(product.reseller_id).toBe(subscriptions[0].account_id);
    const untouched = await db('accounts').whereIn('id', buyers).where('balance', '100');
    expect(untouched).toHaveLength(49);
  });

  it.each([
    ['prepaid', '9', '0', '0.000000'],
    ['postpaid', '4', '5', '-5.000000'],
  ] as const)('when one %s buyer with funds for 3 numbers races 20 purchases, then it gets exactly 3 and never goes below its limit', async (mode, payment, creditLimit, finalBalance) => {
    const buyer = await makeAccount(db, { role: 'reseller', parent: admin, billing_mode: mode, credit_limit: creditLimit, balance: payment });
    const numbers = Array.from({ length: 20 }, () => ({
      number: uniqueUsNumber(), country: 'US', setup_fee: '1.00', monthly_fee: '2.00', billing_type: 'recurring', billing_days: 30,
    }));
    const dids = await makeDids(db, numbers);
    const outcomes = await Promise.allSettled(
      dids.map(({ id }) => purchaseDid(db, { pricing: PRICING, buyerId: buyer.id, productId: id, idempotencyKey: randomUUID(), now: NOW, actorId: buyer.id })),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(3);
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(refused).toHaveLength(17);
    for (const failure of refused) expect(failure.reason).toBeInstanceOf(InsufficientFundsError);

    const account = await db('accounts').where({ id: buyer.id }).first();
    expect(account.balance).toBe(finalBalance);
    const balances = (await db('ledger_entries').where({ account_id: buyer.id }).pluck('balance_after')) as string[];
    for (const after of balances) expect(Number(after)).toBeGreaterThanOrEqual(-Number(creditLimit));
    await ledgerMatchesBalance(buyer.id);
    expect(await db('products').where({ reseller_id: buyer.id })).toHaveLength(3);
    expect(await db('subscriptions').where({ account_id: buyer.id })).toHaveLength(3);
  });

  it('when one form is sent 10 times at once, then the number is bought and charged once', async () => {
    const [buyerId] = await fundedResellers(1, '50');
    const did = await makeDid(db, { setup_fee: '1.00', monthly_fee: '2.00' });
    const formKey = randomUUID();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, () => purchaseDid(db, { pricing: PRICING, buyerId: buyerId!, productId: did.id, idempotencyKey: formKey, now: NOW, actorId: buyerId! })),
    );
    const results = outcomes.map((o) => (o.status === 'fulfilled' ? o.value : o.reason));
    expect(outcomes.every((o) => o.status === 'fulfilled')).toBe(true);
    const subscriptionIds = new Set(results.map((r) => r.subscription.id));
    expect(subscriptionIds.size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(await db('ledger_entries').where({ account_id: buyerId }).whereNot('kind', 'payment')).toHaveLength(2);
    await ledgerMatchesBalance(buyerId!);
  });
});

// The purchase, release and reclaim use cases, on whichever database the suite runs on.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { ConflictError, InsufficientFundsError, NotFoundError } from '../../src/errors.ts';
import { JUST_SOLD_MESSAGE } from '../../src/services/acquisition.ts';
import { assignDid, purchaseDid, quotePurchase } from '../../src/services/purchases.ts';
import { reclaimDid, releaseDid } from '../../src/services/releases.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { fund, makeAccount, makeDid, makeHierarchy } from '../helpers/factories.ts';
import { testConfig, testPricing } from '../helpers/app.ts';

const PRICING = testPricing();

const database = useTestDatabase();
const NOW = new Date('2026-11-29T12:00:00Z');
let db: Knex;
let admin: AccountRow;

beforeAll(async () => {
  db = database.current.db;
  admin = await makeAccount(db, { role: 'admin' });
});

const key = () => randomUUID();

async function balanceOf(accountId: number): Promise<string> {
  const row = (await db('accounts').where({ id: accountId }).first('balance')) as { balance: string };
  return row.balance;
}

async function ledgerOf(accountId: number) {
  return db('ledger_entries').where({ account_id: accountId }).orderBy('id');
}

async function holderOf(productId: number) {
  return (await db('products').where({ id: productId }).first('reseller_id', 'customer_id')) as { reseller_id: number | null; customer_id: number | null };
}

function buy(buyer: AccountRow, productId: number, extra: Partial<Parameters<typeof purchaseDid>[1]> = {}) {
  return purchaseDid(db, { pricing: PRICING, buyerId: buyer.id, productId, idempotencyKey: key(), now: NOW, actorId: buyer.id, ...extra });
}

describe('buying from the admin stock', () => {
  it('when a reseller buys a number in stock, then it pays setup and first period, holds the number and gets sell terms at the default markup', async () => {
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '10' });
    const did = await makeDid(db, { setup_fee: '1.00', monthly_fee: '2.50', cost_per_minute: '0.60', connection_cost: '0.10' });

    const result = await buy(reseller, did.id);

    expect(result.replayed).toBe(false);
    expect(result.entries.map((e) => [e.kind, e.amount])).toEqual([['setup_fee', '-1.000000'], ['recurring_fee', '-2.500000']]);
    expect(result.entries.every((e) => e.reference_type === 'subscription' && e.reference_id === result.subscription.id)).toBe(true);
    expect(await balanceOf(reseller.id)).toBe('6.500000');
    expect(await holderOf(did.id)).toEqual({ reseller_id: reseller.id, customer_id: null });
    expect(result.subscription).toMatchObject({ account_id: reseller.id, seller_id: admin.id, status: 'active', setup_fee: '1.000000', price: '2.500000', billing_days: 30 });
    expect(result.subscription.next_billing_at).toEqual(new Date('2026-12-29T12:00:00Z'));
    const sell = await db('reseller_prices').where({ product_id: did.id, reseller_id: reseller.id }).first();
    expect(sell).toMatchObject({ setup_fee: '1.200000', monthly_fee: '3.000000', cost_per_minute: '0.720000', connection_cost: '0.120000', grace_seconds: 10, initial_increment: 60, increment: 6 });
    const audit = await db('audit_log').where({ entity_type: 'product', entity_id: did.id, action: 'did.purchase' });
    expect(audit).toHaveLength(1);
  });

  it('when the markup setting is given, then the sell terms start from it', async () => {
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '10' });
    const did = await makeDid(db, { setup_fee: '1.00', monthly_fee: '2.00', cost_per_minute: '0.015' });
    await buy(reseller, did.id, { pricing: { markupPercent: '12.5', decimals: 4 } });
    const sell = await db('reseller_prices').where({ product_id: did.id }).first();
    expect(sell).toMatchObject({ setup_fee: '1.125000', monthly_fee: '2.250000', cost_per_minute: '0.016900' });
  });

  it('when a direct customer of the admin buys, then it pays the admin prices and owns the number with no reseller', async () => {
    const customer = await makeAccount(db, { role: 'customer', parent: admin, balance: '5' });
    const did = await makeDid(db, { setup_fee: '0', monthly_fee: '2.00' });
    const result = await buy(customer, did.id);
    expect(result.entries.map((e) => [e.kind, e.amount])).toEqual([['recurring_fee', '-2.000000']]);
    expect(await holderOf(did.id)).toEqual({ reseller_id: null, customer_id: customer.id });
    expect(await db('reseller_prices').where({ product_id: did.id })).toHaveLength(0);
  });

  it('when a postpaid buyer buys, then its credit limit counts and its balance may go negative down to it', async () => {
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, billing_mode: 'postpaid', credit_limit: '3' });
    const did = await makeDid(db, { setup_fee: '1.00', monthly_fee: '2.00' });
    await buy(reseller, did.id);
    expect(await balanceOf(reseller.id)).toBe('-3.000000');
    const another = await makeDid(db, { setup_fee: '0', monthly_fee: '0.01' });
    await expect(buy(reseller, another.id)).rejects.toThrow(InsufficientFundsError);
  });

  it('when the funds do not cover the charge, then the message gives the amounts and nothing is written', async () => {
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '2' });
    const did = await makeDid(db, { setup_fee: '1.00', monthly_fee: '2.50' });
    const attempt = buy(reseller, did.id);
    await expect(attempt).rejects.toThrow(InsufficientFundsError);
    await expect(attempt).rejects.toThrow('Available funds 2.0000 do not cover 3.5000 (setup 1.0000 + first period 2.5000)');
    expect(await balanceOf(reseller.id)).toBe('2.000000');
    expect(await ledgerOf(reseller.id)).toHaveLength(1);
    expect(await holderOf(did.id)).toEqual({ reseller_id: null, customer_id: null });
    expect(await db('subscriptions').where({ product_id: did.id })).toHaveLength(0);
  });

  it('when a number was sold to someone else meanwhile, then the second buyer is told and charged nothing', async () => {
    const first = await makeAccount(db, { role: 'reseller', parent: admin, balance: '10' });
    const second = await makeAccount(db, { role: 'customer', parent: admin, balance: '10' });
    const did = await makeDid(db);
    await buy(first, did.id);
    await expect(buy(second, did.id)).rejects.toThrow(new ConflictError(JUST_SOLD_MESSAGE));
    expect(await balanceOf(second.id)).toBe('10.000000');
    expect(await holderOf(did.id)).toEqual({ reseller_id: first.id, customer_id: null });
  });

  it('when the number is unknown, inactive or archived, then it is not found and nothing is charged', async () => {
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '10' });
    const inactive = await makeDid(db, { status: 'inactive' });
    const archived = await makeDid(db, { archived_at: NOW });
    for (const productId of [inactive.id, archived.id, 987654321]) {
      await expect(buy(reseller, productId)).rejects.toThrow(NotFoundError);
    }
    expect(await balanceOf(reseller.id)).toBe('10.000000');
  });

  it('when the same form is sent twice, then the second send returns the first purchase and charges nothing more', async () => {
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '10' });
    const did = await makeDid(db, { setup_fee: '1.00', monthly_fee: '2.00' });
    const formKey = key();
    const first = await buy(reseller, did.id, { idempotencyKey: formKey });
    const second = await buy(reseller, did.id, { idempotencyKey: formKey });
    expect(second.replayed).toBe(true);
    expect(second.subscription.id).toBe(first.subscription.id);
    expect(second.entries.map((e) => e.id)).toEqual(first.entries.map((e) => e.id));
    expect(await balanceOf(reseller.id)).toBe('7.000000');
  });

  it('when a free number is bought with no funds and the form sent again, then it is bought once with no ledger rows', async () => {
    const customer = await makeAccount(db, { role: 'customer', parent: admin });
    const did = await makeDid(db, { setup_fee: '0', monthly_fee: '0' });
    const formKey = key();
    const first = await buy(customer, did.id, { idempotencyKey: formKey });
    const again = await buy(customer, did.id, { idempotencyKey: formKey });
    expect(first.entries).toEqual([]);
    expect(again.replayed).toBe(true);
    expect(await db('subscriptions').where({ product_id: did.id })).toHaveLength(1);
  });

  it('when the number is one-time, then the first period is its only charge and it ends after its days, or never with 0 days', async () => {
    const customer = await makeAccount(db, { role: 'customer', parent: admin, balance: '20' });
    const forAYear = await makeDid(db, { billing_type: 'one_time', billing_days: 365, setup_fee: '5', monthly_fee: '4' });
    const forever = await makeDid(db, { billing_type: 'one_time', billing_days: 0, setup_fee: '0', monthly_fee: '1' });
    const year = await buy(customer, forAYear.id);
    const always = await buy(customer, forever.id);
    expect(year.subscription.next_billing_at).toEqual(new Date('2027-11-29T12:00:00Z'));
    expect(year.entries.map((e) => e.description)).toEqual([`Setup fee for ${forAYear.number}`, `One-time fee (365 days) for ${forAYear.number}`]);
    expect(always.subscription.next_billing_at).toBeNull();
  });

  it('when the admin assigns without charging, then the subscription keeps the price but no ledger row is written', async () => {
    const customer = await makeAccount(db, { role: 'customer', parent: admin });
    const did = await makeDid(db, { setup_fee: '1', monthly_fee: '2' });
    const result = await assignDid(db, { pricing: PRICING, accountId: customer.id, productId: did.id, idempotencyKey: key(), now: NOW, actorId: admin.id, charge: false });
    expect(result.entries).toEqual([]);
    expect(result.subscription.price).toBe('2.000000');
    expect(await ledgerOf(customer.id)).toHaveLength(0);
    expect(await db('audit_log').where({ entity_id: did.id, action: 'did.assign', actor_id: admin.id })).toHaveLength(1);
  });

  it('when the admin assigns and charges, then the account pays setup and first period as in a purchase, or is refused without the funds', async () => {
    const poor = await makeAccount(db, { role: 'customer', parent: admin, balance: '2' });
    const rich = await makeAccount(db, { role: 'customer', parent: admin, balance: '5' });
    const did = await makeDid(db, { setup_fee: '1', monthly_fee: '2' });
    await expect(assignDid(db, { pricing: PRICING, accountId: poor.id, productId: did.id, idempotencyKey: key(), now: NOW, actorId: admin.id, charge: true })).rejects.toThrow(InsufficientFundsError);
    expect(await holderOf(did.id)).toEqual({ reseller_id: null, customer_id: null });
    const result = await assignDid(db, { pricing: PRICING, accountId: rich.id, productId: did.id, idempotencyKey: key(), now: NOW, actorId: admin.id, charge: true });
    expect(result.entries.map((e) => e.amount)).toEqual(['-1.000000', '-2.000000']);
    expect(await balanceOf(rich.id)).toBe('2.000000');
    expect(await db('audit_log').where({ entity_id: did.id, action: 'did.purchase', actor_id: admin.id })).toHaveLength(1);
  });

  it('when two purchases run inside one open transaction and it rolls back, then neither number changed hands nor was charged', async () => {
    const customer = await makeAccount(db, { role: 'customer', parent: admin, balance: '10' });
    const first = await makeDid(db, { setup_fee: '1', monthly_fee: '1' });
    const second = await makeDid(db, { setup_fee: '1', monthly_fee: '1' });
    await expect(db.transaction(async (trx) => {
      await purchaseDid(trx, { pricing: PRICING, buyerId: customer.id, productId: first.id, idempotencyKey: key(), now: NOW, actorId: customer.id });
      await purchaseDid(trx, { pricing: PRICING, buyerId: customer.id, productId: second.id, idempotencyKey: key(), now: NOW, actorId: customer.id });
      expect(await trx('accounts').where({ id: customer.id }).first('balance')).toEqual({ balance: '6.000000' });
      throw new Error('undo both');
    })).rejects.toThrow('undo both');
    expect(await holderOf(first.id)).toEqual({ reseller_id: null, customer_id: null });
    expect(await holderOf(second.id)).toEqual({ reseller_id: null, customer_id: null });
    expect(await balanceOf(customer.id)).toBe('10.000000');
  });

  it('when a suspended account buys, then it is refused', async () => {
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '10', status: 'suspended' });
    const did = await makeDid(db);
    await expect(buy(reseller, did.id)).rejects.toThrow(ConflictError);
    expect(await holderOf(did.id)).toEqual({ reseller_id: null, customer_id: null });
  });
});

describe('MONEY_DECIMALS', () => {
  it('when amounts are rounded to 2 places, then a reseller\'s sell terms and the shortfall message have 2 places, not the default 4', async () => {
    const pricing = testPricing(testConfig({ MONEY_DECIMALS: '2', RESELLER_DEFAULT_MARKUP_PERCENT: '20' }));
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '10' });
    // × 1.2: 1.005 → 1.206, 0.0125 → 0.015, 0.1234 → 0.14808: each rounds differently at 2 and 4 places.
    const did = await makeDid(db, { setup_fee: '1.005', monthly_fee: '2', cost_per_minute: '0.0125', connection_cost: '0.1234' });
    await buy(reseller, did.id, { pricing });
    const sell = await db('reseller_prices').where({ product_id: did.id, reseller_id: reseller.id }).first();
    expect(sell).toMatchObject({ setup_fee: '1.210000', monthly_fee: '2.400000', cost_per_minute: '0.020000', connection_cost: '0.150000' });

    const poor = await makeAccount(db, { role: 'customer', parent: admin, balance: '1.005' });
    const dear = await makeDid(db, { setup_fee: '1.1234', monthly_fee: '0' });
    await expect(buy(poor, dear.id, { pricing })).rejects.toThrow('Available funds 1.01 do not cover 1.12 (setup 1.12 + first period 0.00)');
  });
});

describe("buying from a reseller", () => {
  it("when a reseller's customer buys, then it pays the reseller's sell terms and the reseller's own subscription goes on", async () => {
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '10' });
    const customer = await makeAccount(db, { role: 'customer', parent: reseller, balance: '10' });
    const did = await makeDid(db, { setup_fee: '1.00', monthly_fee: '2.00' });
    const bought = await buy(reseller, did.id);
    await db('reseller_prices').where({ product_id: did.id }).update({ setup_fee: '1.50', monthly_fee: '3.25' });

    const quote = await quotePurchase(db, { buyerId: customer.id, productId: did.id, now: NOW });
    expect(quote).toMatchObject({ setupFee: '1.500000', firstPeriod: '3.250000', total: '4.750000', fundsBefore: '10.000000', fundsAfter: '5.250000', enough: true });

    const result = await buy(customer, did.id);
    expect(result.entries.map((e) => e.amount)).toEqual(['-1.500000', '-3.250000']);
    expect(result.subscription).toMatchObject({ seller_id: reseller.id, price: '3.250000' });
    expect(await balanceOf(customer.id)).toBe('5.250000');
    expect(await balanceOf(reseller.id)).toBe('7.000000');
    expect(await holderOf(did.id)).toEqual({ reseller_id: reseller.id, customer_id: customer.id });
    const resellerSubscription = await db('subscriptions').where({ id: bought.subscription.id }).first();
    expect(resellerSubscription.status).toBe('active');
  });

  it("when a reseller's customer asks for admin stock, another reseller's number or one without sell terms, then it is not for sale", async () => {
    const { reseller, resellerCustomer } = await makeHierarchy(db);
    await fund(db, resellerCustomer, '10');
    const other = await makeAccount(db, { role: 'reseller', parent: admin });
    const stock = await makeDid(db);
    const othersNumber = await makeDid(db, { reseller_id: other.id });
    const noTerms = await makeDid(db, { reseller_id: reseller.id });
    for (const did of [stock, othersNumber, noTerms]) {
      await expect(buy(resellerCustomer, did.id)).rejects.toThrow(NotFoundError);
      await expect(quotePurchase(db, { buyerId: resellerCustomer.id, productId: did.id, now: NOW })).rejects.toThrow(NotFoundError);
    }
    expect(await balanceOf(resellerCustomer.id)).toBe('10.000000');
  });
});

describe("a reseller's standing", () => {
  it("when a reseller's customer buys while its reseller is suspended, then it is refused and nothing is charged", async () => {
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '10' });
    const customer = await makeAccount(db, { role: 'customer', parent: reseller, balance: '10' });
    const did = await makeDid(db);
    await buy(reseller, did.id);
    await db('accounts').where({ id: reseller.id }).update({ status: 'suspended' });
    await expect(buy(customer, did.id)).rejects.toThrow('is not selling numbers at the moment');
    expect(await balanceOf(customer.id)).toBe('10.000000');
    expect(await holderOf(did.id)).toEqual({ reseller_id: reseller.id, customer_id: null });
  });
});

describe('releasing and reclaiming', () => {
  it('when a reseller releases an unassigned number, then it goes back to stock, its subscription ends and nothing is refunded', async () => {
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '10' });
    const did = await makeDid(db);
    const { subscription } = await buy(reseller, did.id);
    const balance = await balanceOf(reseller.id);
    const later = new Date('2026-12-05T00:00:00Z');
    const result = await releaseDid(db, { accountId: reseller.id, productId: did.id, now: later, actorId: reseller.id });
    expect(result.endedSubscriptionIds).toEqual([subscription.id]);
    expect(await holderOf(did.id)).toEqual({ reseller_id: null, customer_id: null });
    expect(await db('subscriptions').where({ id: subscription.id }).first()).toMatchObject({ status: 'ended', end_reason: 'released', ended_at: later });
    expect(await db('reseller_prices').where({ product_id: did.id })).toHaveLength(0);
    expect(await balanceOf(reseller.id)).toBe(balance);
  });

  it('when a reseller releases a number its customer owns, or one it does not hold, then it is refused', async () => {
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '10' });
    const customer = await makeAccount(db, { role: 'customer', parent: reseller, balance: '10' });
    const did = await makeDid(db);
    await buy(reseller, did.id);
    await buy(customer, did.id);
    await expect(releaseDid(db, { accountId: reseller.id, productId: did.id, now: NOW, actorId: reseller.id })).rejects.toThrow(ConflictError);
    const stranger = await makeAccount(db, { role: 'reseller', parent: admin });
    await expect(releaseDid(db, { accountId: stranger.id, productId: did.id, now: NOW, actorId: stranger.id })).rejects.toThrow(NotFoundError);
    expect(await holderOf(did.id)).toEqual({ reseller_id: reseller.id, customer_id: customer.id });
  });

  it("when a reseller's customer releases its number, then it goes back to the reseller's unassigned numbers with its sell terms", async () => {
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '10' });
    const customer = await makeAccount(db, { role: 'customer', parent: reseller, balance: '10' });
    const did = await makeDid(db);
    const resellers = await buy(reseller, did.id);
    const customers = await buy(customer, did.id);
    await db('products').where({ id: did.id }).update({ destination_type: 'extension', destination: '2001' });
    await releaseDid(db, { accountId: customer.id, productId: did.id, now: NOW, actorId: customer.id });
    expect(await db('products').where({ id: did.id }).first('reseller_id', 'customer_id', 'destination')).toEqual({ reseller_id: reseller.id, customer_id: null, destination: null });
    expect((await db('subscriptions').where({ id: customers.subscription.id }).first()).status).toBe('ended');
    expect((await db('subscriptions').where({ id: resellers.subscription.id }).first()).status).toBe('active');
    expect(await db('reseller_prices').where({ product_id: did.id })).toHaveLength(1);
    // It is on sale again at the reseller's terms.
    const another = await makeAccount(db, { role: 'customer', parent: reseller, balance: '10' });
    await expect(buy(another, did.id)).resolves.toMatchObject({ replayed: false });
  });

  it('when the admin reclaims a number, then every live subscription on it ends and it is back in stock', async () => {
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '10' });
    const customer = await makeAccount(db, { role: 'customer', parent: reseller, balance: '10' });
    const did = await makeDid(db);
    const a = await buy(reseller, did.id);
    const b = await buy(customer, did.id);
    const result = await reclaimDid(db, { productId: did.id, now: NOW, actorId: admin.id });
    expect(result.endedSubscriptionIds.sort()).toEqual([a.subscription.id, b.subscription.id].sort());
    expect(await holderOf(did.id)).toEqual({ reseller_id: null, customer_id: null });
    expect(await db('reseller_prices').where({ product_id: did.id })).toHaveLength(0);
    await expect(reclaimDid(db, { productId: 987654321, now: NOW, actorId: admin.id })).rejects.toThrow(NotFoundError);
  });
});

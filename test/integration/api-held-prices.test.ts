// A hold locks the prices: an order of held numbers (by hold_id, or by number under the buyer's
// live hold) charges the setup and monthly fee of hold time, whatever the seller changed since, as
// does a purchase on the Buy DIDs page and its quote; once the hold has expired, the current prices apply.
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { holdNumbers } from '../../src/services/number-holds.ts';
import { purchaseDid, quotePurchase } from '../../src/services/purchases.ts';
import { createTestApp, testConfig, testPricing } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeApiKey, makeDid, makeOwnedDid } from '../helpers/factories.ts';

const database = useTestDatabase();
let clock = new Date('2026-12-01T12:00:00Z');

describe('prices locked by a hold', () => {
  let db: Knex;
  let app: Express;
  let admin: AccountRow;

  beforeAll(async () => {
    db = database.current.db;
    app = createTestApp(db, { now: () => clock, config: testConfig({ API_RATE_LIMIT: '1000' }) });
    admin = await makeAccount(db, { role: 'admin' });
  });

  const call = (method: 'get' | 'post' | 'patch', path: string, key: string, body?: unknown, idempotencyKey?: string) => {
    const req = request(app)[method](`/api/v1${path}`).set('Authorization', `Bearer ${key}`);
    if (idempotencyKey) req.set('Idempotency-Key', idempotencyKey);
    return body === undefined ? req : req.send(body as object);
  };

  it('when the admin raises the price of a held number, then the hold shows and the order charges the held price', async () => {
    const buyer = await makeAccount(db, { role: 'customer', parent: admin, balance: '100' });
    const key = (await makeApiKey(db, buyer)).secret;
    const did = await makeDid(db, { setup_fee: '1.00', monthly_fee: '2.00' });
    const hold = await call('post', '/number-holds', key, { numbers: [did.number] });
    expect(hold.status).toBe(201);
    expect(hold.body.prices).toEqual([{ number: did.number, setup_fee: '1.000000', monthly_fee: '2.000000' }]);
    await db('products').where({ id: did.id }).update({ setup_fee: '5.00', monthly_fee: '9.00' });
    expect((await call('get', `/number-holds/${hold.body.id}`, key)).body.prices[0].monthly_fee).toBe('2.000000');

    const order = await call('post', '/number-orders', key, { hold_id: hold.body.id }, 'held-price-order-1');
    expect(order.status).toBe(201);
    expect(order.body.total).toBe('3.000000');
    expect(order.body.numbers[0]).toMatchObject({ setup_fee: '1.000000', first_period: '2.000000' });
    const subscription = await db('subscriptions').where({ account_id: buyer.id, product_id: did.id }).first('price', 'setup_fee');
    expect(subscription).toEqual({ price: '2.000000', setup_fee: '1.000000' });
    expect((await db('accounts').where({ id: buyer.id }).first('balance')).balance).toBe('97.000000');
  });

  it("when a reseller raises its sell terms, then its customer's order by number under the live hold pays the held price; after expiry the current one", async () => {
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '100' });
    const resellerKey = (await makeApiKey(db, reseller)).secret;
    const customer = await makeAccount(db, { role: 'customer', parent: reseller, balance: '100' });
    const key = (await makeApiKey(db, customer)).secret;
    const terms = { setup_fee: '0.50', monthly_fee: '1.50', connection_cost: '0', grace_seconds: 0, cost_per_minute: '0.01', initial_increment: 60, increment: 60 };
    const held = await makeOwnedDid(db, { owner: reseller });
    const later = await makeOwnedDid(db, { owner: reseller });
    for (const did of [held, later]) {
      expect((await call('patch', `/numbers/${encodeURIComponent(did.number)}`, resellerKey, { sell_terms: terms })).status).toBe(200);
    }
    const first = await call('post', '/number-holds', key, { numbers: [held.number] });
    const second = await call('post', '/number-holds', key, { numbers: [later.number], minutes: 1 });
    expect(second.body.prices[0]).toMatchObject({ setup_fee: '0.500000', monthly_fee: '1.500000' });
    for (const did of [held, later]) {
      await call('patch', `/numbers/${encodeURIComponent(did.number)}`, resellerKey, { sell_terms: { ...terms, setup_fee: '4.00', monthly_fee: '8.00' } });
    }

    const byNumber = await call('post', '/number-orders', key, { numbers: [held.number] }, 'held-price-order-2');
    expect(byNumber.status).toBe(201);
    expect(byNumber.body.total).toBe('2.000000');
    // Its only number bought, the hold is over (hold-purchases.test.ts).
    expect((await call('get', `/number-holds/${first.body.id}`, key)).body.status).toBe('released');

    clock = new Date(clock.getTime() + 2 * 60_000);
    const expired = await call('post', '/number-orders', key, { numbers: [later.number] }, 'held-price-order-3');
    expect(expired.status).toBe(201);
    expect(expired.body.total).toBe('12.000000');
  });

  it('when the holder buys on the Buy DIDs page, then the quote and the purchase use the held price', async () => {
    const buyer = await makeAccount(db, { role: 'customer', parent: admin, balance: '100' });
    const did = await makeDid(db, { setup_fee: '1.00', monthly_fee: '2.00' });
    await holdNumbers(db, { accountId: buyer.id, numbers: [did.number], minutes: 5, maxMinutes: 60, now: clock });
    await db('products').where({ id: did.id }).update({ setup_fee: '7.00', monthly_fee: '8.00' });
    const quote = await quotePurchase(db, { buyerId: buyer.id, productId: did.id, now: clock, pricing: testPricing() });
    expect([quote.setupFee, quote.total]).toEqual(['1.000000', '3.000000']);
    const bought = await purchaseDid(db, { pricing: testPricing(), buyerId: buyer.id, productId: did.id, idempotencyKey: randomUUID(), now: clock, actorId: buyer.id });
    expect(bought.subscription.price).toBe('2.000000');
    expect(bought.entries.map((entry) => entry.amount)).toEqual(['-1.000000', '-2.000000']);
  });
});

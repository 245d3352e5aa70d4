// A reseller gives its numbers to its own customers through PATCH /api/v1/numbers/{e164}
// (customer_id), and takes them back (customer_id null): charged at its sell terms as the admin's
// assign charges, released as the customer's release; another reseller's customer is refused.
import type { Express } from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { createTestApp, testConfig } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { captureEvents } from '../helpers/events.ts';
import { makeAccount, makeApiKey, makeOwnedDid } from '../helpers/factories.ts';

const database = useTestDatabase();
const events = captureEvents();
const terms = { setup_fee: '1.00', monthly_fee: '2.00', connection_cost: '0', grace_seconds: 0, cost_per_minute: '0.02', initial_increment: 60, increment: 60 };

describe("a reseller's customer assignment through the API", () => {
  let db: Knex;
  let app: Express;
  let reseller: AccountRow;
  let customer: AccountRow;
  let resellerKey: string;

  beforeAll(async () => {
    db = database.current.db;
    app = createTestApp(db, { config: testConfig({ API_RATE_LIMIT: '1000' }) });
    const admin = await makeAccount(db, { role: 'admin' });
    reseller = await makeAccount(db, { role: 'reseller', parent: admin });
    customer = await makeAccount(db, { role: 'customer', parent: reseller, balance: '10' });
    resellerKey = (await makeApiKey(db, reseller)).secret;
  });

  const patch = (number: string, key: string, body: unknown) =>
    request(app).patch(`/api/v1/numbers/${encodeURIComponent(number)}`).set('Authorization', `Bearer ${key}`).send(body as object);

  it('when a reseller sets sell terms and a customer in one PATCH, then the customer is charged those terms; again changes nothing; null takes it back', async () => {
    const did = await makeOwnedDid(db, { owner: reseller });
    const assigned = await patch(did.number, resellerKey, { sell_terms: terms, customer_id: customer.id });
    expect(assigned.status).toBe(200);
    expect(Number(assigned.body.customer_id)).toBe(customer.id);
    expect((await db('accounts').where({ id: customer.id }).first('balance')).balance).toBe('7.000000');
    expect((await patch(did.number, resellerKey, { customer_id: customer.id })).status).toBe(200);
    expect((await db('accounts').where({ id: customer.id }).first('balance')).balance).toBe('7.000000');
    expect(events.of('number.purchased', customer.id)).toHaveLength(1);

    const back = await patch(did.number, resellerKey, { customer_id: null });
    expect(back.status).toBe(200);
    expect(back.body.customer_id).toBeNull();
    const subscription = await db('subscriptions').where({ account_id: customer.id, product_id: did.id }).first('status', 'end_reason');
    expect(subscription).toEqual({ status: 'ended', end_reason: 'reclaimed' });
    expect(events.of('number.released', customer.id).map((event) => event.data.reason)).toEqual(['reclaimed_by_reseller']);
    expect(Number((await db('products').where({ id: did.id }).first('reseller_id')).reseller_id)).toBe(reseller.id);
  });

  it("when the customer is another reseller's, or the caller is not the number's reseller, then nothing changes", async () => {
    const did = await makeOwnedDid(db, { owner: reseller });
    const admin2 = await makeAccount(db, { role: 'admin' });
    const other = await makeAccount(db, { role: 'reseller', parent: admin2 });
    const theirs = await makeAccount(db, { role: 'customer', parent: other, balance: '10' });
    const foreign = await patch(did.number, resellerKey, { sell_terms: terms, customer_id: theirs.id });
    expect(foreign.status).toBe(422);
    expect(foreign.body).toMatchObject({ type: '/problems/unprocessable', errors: { customer_id: 'Not one of your customers' } });
    expect(await db('reseller_prices').where({ product_id: did.id, reseller_id: reseller.id }).first('setup_fee')).toBeUndefined();
    expect((await patch(did.number, (await makeApiKey(db, other)).secret, { customer_id: theirs.id })).status).toBe(404);
    const customerKey = (await makeApiKey(db, customer)).secret;
    const byCustomer = await patch(did.number, customerKey, { customer_id: customer.id });
    expect(byCustomer.status).toBe(404);
    const bad = await patch(did.number, resellerKey, { customer_id: 'x' });
    expect([bad.status, Object.keys(bad.body.errors)]).toEqual([400, ['customer_id']]);
  });

  it('when the customer cannot pay, then 402 and the number stays unassigned; charge false gives it free', async () => {
    const did = await makeOwnedDid(db, { owner: reseller });
    const poor = await makeAccount(db, { role: 'customer', parent: reseller, balance: '0' });
    const refused = await patch(did.number, resellerKey, { sell_terms: terms, customer_id: poor.id });
    expect(refused.status).toBe(402);
    expect((await db('products').where({ id: did.id }).first('customer_id')).customer_id).toBeNull();
    const free = await patch(did.number, resellerKey, { sell_terms: terms, customer_id: poor.id, charge: false });
    expect(free.status).toBe(200);
    expect((await db('accounts').where({ id: poor.id }).first('balance')).balance).toBe('0.000000');
    const subscription = await db('subscriptions').where({ account_id: poor.id, product_id: did.id }).first('price', 'status');
    expect(subscription).toEqual({ price: '2.000000', status: 'active' });
    const taken = await patch(did.number, resellerKey, { customer_id: customer.id });
    expect(taken.status).toBe(409);
  });
});

// Amounts that NUMERIC(20,6) cannot hold (14 digits before the point): typed in or worked out
// from valid input, each is refused with a message at its field, and nothing changes. Never a 500.
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { createTestApp } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeOwnedDid, makeSwitch } from '../helpers/factories.ts';
import { loginAs, postForm } from '../helpers/login.ts';

const database = useTestDatabase();
let app: Express;
let admin: AccountRow;
let reseller: AccountRow;

const NEAR_MAX = '99999999999999';

beforeAll(async () => {
  const db = database.current.db;
  app = createTestApp(db);
  admin = await makeAccount(db, { role: 'admin' });
  reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '100' });
});

async function balanceOf(id: number): Promise<string> {
  return ((await database.current.db('accounts').where({ id }).first('balance')) as { balance: string }).balance;
}

describe('manual postings', () => {
  it.each(['/money', '/money/confirm'])('when a payment would take the balance past 14 digits (%s), then 400 at the amount field and nothing is posted', async (step) => {
    const customer = await makeAccount(database.current.db, { role: 'customer', parent: admin, balance: '10' });
    const agent = await loginAs(app, admin.email);
    const form = `/admin/accounts/${customer.id}/money`;
    const response = await postForm(agent, `/admin/accounts/${customer.id}${step}`, { kind: 'payment', amount: NEAR_MAX, note: 'too much', idempotency_key: randomUUID() }, form);
    expect(response.status).toBe(400);
    expect(response.text).toMatch(/id="e-amount">The balance after this entry would be 100000000000009\.000000, more than the largest amount didhub stores/);
    expect(await balanceOf(customer.id)).toBe('10.000000');
  });

  it('when the amount itself has 15 digits, then 400 at the amount field', async () => {
    const customer = await makeAccount(database.current.db, { role: 'customer', parent: admin });
    const agent = await loginAs(app, admin.email);
    const response = await postForm(agent, `/admin/accounts/${customer.id}/money`, { kind: 'payment', amount: '100000000000000', note: '', idempotency_key: randomUUID() });
    expect(response.status).toBe(400);
    expect(response.text).toContain('id="e-amount"');
  });
});

describe('markups', () => {
  it('when a reseller saves a markup plan whose amount takes a price past 14 digits, then 400 at that field and no plan', async () => {
    const db = database.current.db;
    await makeOwnedDid(db, { owner: reseller, cost_per_minute: '0.60' });
    const agent = await loginAs(app, reseller.email);
    const before = await db('rate_plans').where({ owner_id: reseller.id }).count({ n: '*' }).first();
    const response = await postForm(agent, '/reseller/rate-plans', {
      kind: 'markup', name: 'Huge', connection_markup_percent: '0', connection_markup_amount: '0', per_minute_markup_percent: '0',
      per_minute_markup_amount: '99999999999999.999999', effective: 'now',
    }, '/reseller/rate-plans/new?kind=markup');
    expect(response.status).toBe(400);
    expect(response.text).toMatch(/id="e-per_minute_markup_amount">A buy price of 0\.600000 with this markup would be 100000000000000\.599999, more than/);
    expect(await db('rate_plans').where({ owner_id: reseller.id }).count({ n: '*' }).first()).toEqual(before);
  });

  it('when a reseller marks up a number priced near 1e14, then the markup is refused with its reason and the sell terms stay', async () => {
    const db = database.current.db;
    const did = await makeOwnedDid(db, { owner: reseller, cost_per_minute: NEAR_MAX });
    const agent = await loginAs(app, reseller.email);
    const response = await postForm(agent, '/reseller/dids/markup', { percent: '20', ids: String(did.id) }, '/reseller/dids');
    expect(response.status).toBe(303);
    const page = await agent.get(response.headers.location!);
    expect(page.text).toContain('with a 20% markup would be 119999999999998.800000, more than the largest amount didhub stores');
    expect(await db('reseller_prices').where({ product_id: did.id, reseller_id: reseller.id }).first()).toBeUndefined();
  });

  it('when a reseller opens a number priced near 1e14, then the page shows (the default markup falls back to the buy terms)', async () => {
    const did = await makeOwnedDid(database.current.db, { owner: reseller, monthly_fee: NEAR_MAX, cost_per_minute: NEAR_MAX });
    const agent = await loginAs(app, reseller.email);
    const page = await agent.get(`/reseller/dids/${did.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`value="${NEAR_MAX}`);
  });
});

describe('calls', () => {
  it('when a call would cost more than can be stored, then that CDR is rejected with the reason and the rest of the batch is charged', async () => {
    const db = database.current.db;
    const customer = await makeAccount(db, { role: 'customer', parent: admin, balance: '10' });
    const costly = await makeOwnedDid(db, { owner: customer, cost_per_minute: NEAR_MAX });
    const normal = await makeOwnedDid(db, { owner: customer });
    const token = (await makeSwitch(db, { admin })).token;
    const call = (number: string) => ({ uuid: randomUUID(), destination: number, started_at: 1_780_000_000, answered_at: 1_780_000_005, ended_at: 1_780_000_130, billsec: 125 });
    const response = await request(app).post('/api/v1/cdrs').set('Authorization', `Bearer ${token}`).send([call(costly.number), call(normal.number)]);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ stored: 1, rejected: 1 });
    expect(response.body.results[0].reason).toMatch(/^the call cannot be rated: The call's cost for account \d+ would be .* more than the largest amount didhub stores/);
    expect(await balanceOf(customer.id)).toBe('8.700000');
  });
});

// Buy DIDs as a number search (issue 19): sort, country by name, wildcards, price limits, billing
// type, a bad filter shown at its field while the valid ones still apply, the cost now, and
// several numbers bought in one confirmation (all or none, one receipt, one form key).
import type { Express } from 'express';
import type { Knex } from 'knex';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { purchaseDids } from '../../src/services/purchases.ts';
import { createTestApp, testPricing } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeDid } from '../helpers/factories.ts';
import { csrfToken, loginAs, type Agent } from '../helpers/login.ts';

const database = useTestDatabase();
const NOW = new Date('2026-11-29T12:00:00Z');
let db: Knex;
let app: Express;
let admin: AccountRow;

const numbersIn = (html: string) => [...html.matchAll(/<tr data-number="([^"]+)"/g)].map((m) => m[1]!);

beforeAll(async () => {
  db = database.current.db;
  app = createTestApp(db, { now: () => NOW });
  admin = await makeAccount(db, { role: 'admin' });
  // One shelf: the admin's stock, seen by every reseller of this admin.
  await makeDid(db, { number: '+14155557001', country: 'US', province: 'CA', city: 'San Francisco', monthly_fee: '3.00', setup_fee: '1.00' });
  await makeDid(db, { number: '+14155557123', country: 'US', province: 'CA', city: 'San Francisco', monthly_fee: '1.00', setup_fee: '5.00' });
  await makeDid(db, { number: '+442079467001', country: 'GB', province: 'England', city: 'London', monthly_fee: '2.00', setup_fee: '0.00' });
  await makeDid(db, { number: '+4930557001', country: 'DE', province: 'Berlin', city: 'Berlin', monthly_fee: '4.00', setup_fee: '2.00', billing_type: 'one_time', billing_days: 0 });
});

describe('the number search', () => {
  let agent: Agent;

  beforeAll(async () => {
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '100' });
    agent = await loginAs(app, reseller.email);
  });

  it.each([
    ['number', ['+14155557001', '+14155557123', '+442079467001', '+4930557001']],
    ['monthly', ['+14155557123', '+442079467001', '+14155557001', '+4930557001']],
    ['-setup', ['+14155557123', '+4930557001', '+14155557001', '+442079467001']],
    ['country', ['+4930557001', '+442079467001', '+14155557001', '+14155557123']],
  ])('when sorted by %s, then the numbers come in that order (countries by name)', async (sort, order) => {
    const page = await agent.get(`/reseller/buy?sort=${sort}`);
    expect(page.status).toBe(200);
    expect(numbersIn(page.text)).toEqual(order);
  });

  it('when the country list is shown, then it is in name order', async () => {
    const page = await agent.get('/reseller/buy');
    const options = [...page.text.matchAll(/<option value="([A-Z]{2})" >([^<]+)<\/option>/g)].map((m) => m[2]);
    expect(options).toEqual(['Germany', 'United Kingdom', 'United States']);
  });

  it.each([
    ['contains=7*23', ['+14155557123']],
    ['contains=557**1', ['+14155557001', '+4930557001']],
    ['prefix=44', ['+442079467001']],
    ['max_monthly=2&max_setup=1', ['+442079467001']],
    ['billing_type=one_time', ['+4930557001']],
    ['city=francisco&sort=-monthly', ['+14155557001', '+14155557123']],
  ])('when the filters are %s, then exactly the matching numbers show', async (query, expected) => {
    const page = await agent.get(`/reseller/buy?${query}`);
    expect(page.status).toBe(200);
    expect(numbersIn(page.text)).toEqual(expected);
  });

  it('when one filter is bad, then it is shown at its field and the valid ones still apply', async () => {
    const page = await agent.get('/reseller/buy?country=US&max_monthly=abc&sort=monthly');
    expect(page.status).toBe(400);
    expect(numbersIn(page.text)).toEqual(['+14155557123', '+14155557001']);
    expect(page.text).toMatch(/id="f-max_monthly"[^>]*aria-invalid="true"[^>]*aria-describedby="h-max_monthly e-max_monthly"/);
    expect(page.text).toContain('<small class="error" id="e-max_monthly">Enter an amount like 2.50</small>');
    expect(page.text).toContain('<title>Error: Buy DIDs');
  });

  it('when a row is shown, then it gives the cost now (setup + first period) and the monthly fee, with the currency', async () => {
    const page = await agent.get('/reseller/buy?contains=7123');
    expect(page.text).toMatch(/data-cost-now>\$6\.0000</);
    expect(page.text).toMatch(/data-monthly>\$1\.0000</);
    expect(page.text).toContain('+1 415 555 7123');
  });
});

describe('buying several numbers at once', () => {
  async function confirmMany(agent: Agent, ids: number[]) {
    const page = await agent.get(`/reseller/buy/confirm?${ids.map((id) => `ids=${id}`).join('&')}`);
    const key = /name="purchase_key" value="([^"]+)"/.exec(page.text)?.[1];
    const token = await csrfToken(agent, '/reseller/buy');
    const body = [...ids.map((id) => `ids=${id}`), `purchase_key=${key ?? ''}`, `_csrf=${encodeURIComponent(token)}`].join('&');
    return { page, key: key!, send: () => agent.post('/reseller/buy/confirm').type('form').send(body) };
  }

  it('when two numbers are ticked and confirmed, then both are bought in one receipt, and the same form again charges nothing', async () => {
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '50' });
    const agent = await loginAs(app, reseller.email);
    const a = await makeDid(db, { setup_fee: '1.00', monthly_fee: '2.00' });
    const b = await makeDid(db, { setup_fee: '0.50', monthly_fee: '1.50' });
    const { page, send } = await confirmMany(agent, [a.id, b.id]);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/data-charge="total">\$5\.0000</);

    const response = await send();
    expect(response.status).toBe(303);
    expect(response.headers.location).toMatch(/^\/reseller\/receipts\?ids=\d+&ids=\d+$/);
    const receipt = await agent.get(response.headers.location!);
    expect(receipt.status).toBe(200);
    expect(numbersIn(receipt.text).sort()).toEqual([a.number, b.number].sort());
    expect(receipt.text).toMatch(/data-charged>\$5\.0000</);
    expect((await db('accounts').where({ id: reseller.id }).first('balance')).balance).toMatch(/^45\.0+$/);

    const again = await send();
    expect(again.status).toBe(303);
    expect((await db('accounts').where({ id: reseller.id }).first('balance')).balance).toMatch(/^45\.0+$/);
    expect(Number((await db('subscriptions').where({ account_id: reseller.id }).count({ n: '*' }).first())!.n)).toBe(2);
  });

  it('when the funds cover one number but not both, then nothing is bought and the page says what is missing', async () => {
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '4' });
    const agent = await loginAs(app, reseller.email);
    const a = await makeDid(db, { setup_fee: '1.00', monthly_fee: '2.00' });
    const b = await makeDid(db, { setup_fee: '1.00', monthly_fee: '2.00' });
    const { page } = await confirmMany(agent, [a.id, b.id]);
    expect(page.text).toMatch(/data-funds="missing">\$2\.0000</);
    expect(page.text).toContain('$2.0000 missing.');
    expect(page.text).not.toContain('Available after');

    await expect(
      purchaseDids(db, { buyerId: reseller.id, productIds: [a.id, b.id], idempotencyKey: 'multi-key-0001', now: NOW, actorId: reseller.id, pricing: testPricing() }),
    ).rejects.toThrow('2.0000 missing; nothing was charged');
    expect(await db('subscriptions').where({ account_id: reseller.id })).toHaveLength(0);
    expect(await db('products').whereIn('id', [a.id, b.id]).whereNotNull('reseller_id')).toHaveLength(0);
  });

  it('when one ticked number was sold meanwhile, then none is bought', async () => {
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '50' });
    const other = await makeAccount(db, { role: 'reseller', parent: admin, balance: '50' });
    const a = await makeDid(db);
    const b = await makeDid(db);
    await purchaseDids(db, { buyerId: other.id, productIds: [b.id], idempotencyKey: 'other-key-0001', now: NOW, actorId: other.id, pricing: testPricing() });
    await expect(
      purchaseDids(db, { buyerId: reseller.id, productIds: [a.id, b.id], idempotencyKey: 'multi-key-0002', now: NOW, actorId: reseller.id, pricing: testPricing() }),
    ).rejects.toThrow(/just sold|not for sale/);
    expect(await db('subscriptions').where({ account_id: reseller.id })).toHaveLength(0);
    expect((await db('products').where({ id: a.id }).first()).reseller_id).toBeNull();
  });

  it('when nothing is ticked, then the search says so', async () => {
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '50' });
    const agent = await loginAs(app, reseller.email);
    const response = await agent.get('/reseller/buy/confirm');
    expect(response.status).toBe(303);
    const search = await agent.get('/reseller/buy');
    expect(search.text).toContain('Tick at least one number');
  });

  it("when another account's receipt ids are asked for, then it is not found", async () => {
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '50' });
    const other = await makeAccount(db, { role: 'reseller', parent: admin, balance: '50' });
    const a = await makeDid(db);
    const { results } = await purchaseDids(db, { buyerId: other.id, productIds: [a.id], idempotencyKey: 'other-key-0002', now: NOW, actorId: other.id, pricing: testPricing() });
    const agent = await loginAs(app, reseller.email);
    const response = await agent.get(`/reseller/receipts?ids=${results[0]!.subscription.id}`);
    expect(response.status).toBe(404);
  });
});

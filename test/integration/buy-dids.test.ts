// Reseller and customer "Buy DIDs": the offers, the confirmation, the purchase and its receipt.
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Express } from 'express';
import type { Knex } from 'knex';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { purchaseDid } from '../../src/services/purchases.ts';
import { createTestApp, testPricing } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeDid, makeDids } from '../helpers/factories.ts';
import { loginAs, postForm, type Agent } from '../helpers/login.ts';
import { formatPhone } from '../../src/web/presenters/format.ts';

const PRICING = testPricing();

const database = useTestDatabase();
const NOW = new Date('2026-11-29T12:00:00Z');
let db: Knex;
let app: Express;
let admin: AccountRow;

beforeAll(async () => {
  db = database.current.db;
  app = createTestApp(db, { now: () => NOW });
  admin = await makeAccount(db, { role: 'admin' });
});

function purchaseKeyIn(html: string): string {
  const match = /name="purchase_key" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('No purchase key in the page');
  return match[1];
}

async function balanceOf(accountId: number): Promise<string> {
  return ((await db('accounts').where({ id: accountId }).first('balance')) as { balance: string }).balance;
}

/** Opens the confirmation page, then sends its form as the browser would. */
async function confirmPurchase(agent: Agent, base: string, productId: number) {
  const page = await agent.get(`${base}/buy/${productId}`);
  expect(page.status).toBe(200);
  const key = purchaseKeyIn(page.text);
  const response = await postForm(agent, `${base}/buy/${productId}`, { purchase_key: key }, `${base}/buy/${productId}`);
  return { page, key, response };
}

function offeredNumbers(html: string): string[] {
  return [...html.matchAll(/<tr data-number="([^"]+)"/g)].map((m) => m[1]!);
}

describe('reseller Buy DIDs', () => {
  let reseller: AccountRow;
  let agent: Agent;
  const numbers: Record<string, string> = {};

  beforeAll(async () => {
    reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '20' });
    agent = await loginAs(app, reseller.email);
    const rows = [
      { key: 'london', number: '+442079461001', country: 'GB', province: 'England', city: 'London', monthly_fee: '2.50' },
      { key: 'manchester', number: '+441614961002', country: 'GB', province: 'England', city: 'Manchester', monthly_fee: '2.25' },
      { key: 'berlin', number: '+493012346003', country: 'DE', province: 'Berlin', city: 'Berlin', monthly_fee: '3.50' },
      { key: 'inactive', number: '+442079461004', country: 'GB', province: 'England', city: 'London', status: 'inactive' as const },
    ];
    for (const { key, ...fields } of rows) numbers[key] = (await makeDid(db, fields)).number;
    const other = await makeAccount(db, { role: 'reseller', parent: admin });
    numbers.held = (await makeDid(db, { number: '+442079461005', country: 'GB', reseller_id: other.id })).number;
  });

  it('when the reseller opens Buy DIDs, then it sees the active stock with its location and terms, and nothing held or inactive', async () => {
    const page = await agent.get('/reseller/buy');
    expect(page.status).toBe(200);
    const shown = offeredNumbers(page.text);
    expect(shown).toEqual(expect.arrayContaining([numbers.london, numbers.manchester, numbers.berlin]));
    expect(shown).not.toContain(numbers.inactive);
    expect(shown).not.toContain(numbers.held);
    for (const text of ['United Kingdom', 'England', 'Manchester', '$2.2500', '$1.0000', 'Recurring, 30 days', '0.6000/min', 'connection $0.1000', 'grace 10s', 'Purchase']) {
      expect(page.text).toContain(text);
    }
    expect(page.text).toMatch(/data-total="\d+"/);
  });

  it.each([
    ['country=DE', ['berlin']],
    ['country=gb&city=manch', ['manchester']],
    ['province=engl&max_monthly=2.40', ['manchester']],
    ['prefix=4420', ['london']],
    ['prefix=%2B4416', ['manchester']],
    ['contains=6003', ['berlin']],
  ])('when it filters by %s, then only the matching numbers show', async (query, expected) => {
    const page = await agent.get(`/reseller/buy?${query}`);
    expect(page.status).toBe(200);
    expect(offeredNumbers(page.text).sort()).toEqual(expected.map((key) => numbers[key]).sort());
  });

  it('when a filter is not valid, then the page says which and why', async () => {
    const page = await agent.get('/reseller/buy?max_monthly=cheap&prefix=44a');
    expect(page.status).toBe(400);
    expect(page.text).toContain('An amount like 2.50');
    expect(page.text).toContain('Digits only, like 4420');
  });

  it('when there are more numbers than a page, then it pages with a total and keeps the filters', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => ({
      number: `+6421000${String(i).padStart(4, '0')}`, country: 'NZ', city: 'Auckland', setup_fee: '1', monthly_fee: '2',
    }));
    await makeDids(db, rows);
    const first = await agent.get('/reseller/buy?country=NZ');
    expect(offeredNumbers(first.text)).toHaveLength(25);
    expect(first.text).toContain('data-total="30"');
    expect(first.text).toContain('href="/reseller/buy?country=NZ&amp;page=2"');
    const second = await agent.get('/reseller/buy?country=NZ&page=2');
    expect(offeredNumbers(second.text)).toHaveLength(5);
  });

  it('when it clicks Purchase, then the confirmation shows the charge now, what recurs, the call terms and its funds before and after', async () => {
    const did = await makeDid(db, { setup_fee: '1.00', monthly_fee: '2.50', cost_per_minute: '0.0125' });
    const page = await agent.get(`/reseller/buy/${did.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/data-charge="setup">\$1\.0000/);
    expect(page.text).toMatch(/data-charge="period">\$2\.5000/);
    expect(page.text).toMatch(/data-charge="total">\$3\.5000/);
    expect(page.text).toMatch(/data-funds="before">\$20\.0000/);
    expect(page.text).toMatch(/data-funds="after">\$16\.5000/);
    expect(page.text).toContain('$2.5000 every 30 days, next on <strong>29 Dec 2026</strong>');
    expect(page.text).toContain('0.0125');
    expect(purchaseKeyIn(page.text)).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('when it confirms, then it is charged the admin prices, holds the number and sees the receipt with the ledger rows', async () => {
    const did = await makeDid(db, { setup_fee: '1.00', monthly_fee: '2.50' });
    const before = await balanceOf(reseller.id);
    const { response } = await confirmPurchase(agent, '/reseller', did.id);
    expect(response.status).toBe(303);
    const subscription = await db('subscriptions').where({ product_id: did.id, account_id: reseller.id }).first();
    expect(response.headers.location).toBe(`/reseller/receipts/${subscription.id}`);
    const receipt = await agent.get(response.headers.location!);
    expect(receipt.status).toBe(200);
    expect(receipt.text).toContain(`You bought ${formatPhone(did.number)}.`);
    expect(receipt.text).toContain(`Setup fee for ${formatPhone(did.number)}`);
    expect(receipt.text).toContain(`First period (30 days) for ${formatPhone(did.number)}`);
    expect(receipt.text).toContain('-$2.5000');
    expect(Number(await balanceOf(reseller.id))).toBe(Number(before) - 3.5);
    const dids = await agent.get('/reseller/dids');
    expect(dids.text).toContain(did.number);
  });

  it('when the confirmed form is sent again, then nothing more is charged and the same receipt is shown', async () => {
    const did = await makeDid(db, { setup_fee: '1.00', monthly_fee: '1.00' });
    const { key, response } = await confirmPurchase(agent, '/reseller', did.id);
    const balance = await balanceOf(reseller.id);
    const again = await postForm(agent, `/reseller/buy/${did.id}`, { purchase_key: key }, '/reseller/buy');
    expect(again.status).toBe(303);
    expect(again.headers.location).toBe(response.headers.location);
    expect((await agent.get(again.headers.location!)).text).toContain('nothing more was charged');
    expect(await balanceOf(reseller.id)).toBe(balance);
  });

  it('when the number was sold meanwhile, then the list says so and nothing is charged', async () => {
    const did = await makeDid(db);
    const page = await agent.get(`/reseller/buy/${did.id}`);
    const rival = await makeAccount(db, { role: 'customer', parent: admin, balance: '10' });
    await purchaseDid(db, { pricing: PRICING, buyerId: rival.id, productId: did.id, idempotencyKey: randomUUID(), now: NOW, actorId: rival.id });
    const balance = await balanceOf(reseller.id);
    const response = await postForm(agent, `/reseller/buy/${did.id}`, { purchase_key: purchaseKeyIn(page.text) }, '/reseller/buy');
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/reseller/buy');
    expect((await agent.get('/reseller/buy')).text).toContain('This number was just sold to someone else; nothing was charged.');
    expect(await balanceOf(reseller.id)).toBe(balance);
  });

  it('when the funds do not cover it, then the confirmation says so with the amounts and nothing is charged', async () => {
    const poor = await makeAccount(db, { role: 'reseller', parent: admin, balance: '2' });
    const poorAgent = await loginAs(app, poor.email);
    const did = await makeDid(db, { setup_fee: '1.00', monthly_fee: '2.50' });
    const page = await poorAgent.get(`/reseller/buy/${did.id}`);
    expect(page.text).toContain('do not cover');
    expect(page.text).not.toContain('name="purchase_key"');
    const response = await postForm(poorAgent, `/reseller/buy/${did.id}`, { purchase_key: randomUUID() }, '/reseller/buy');
    expect(response.status).toBe(402);
    expect(response.text).toContain('Available funds 2.0000 do not cover 3.5000 (setup 1.0000 + first period 2.5000)');
    expect(await balanceOf(poor.id)).toBe('2.000000');
    expect((await db('products').where({ id: did.id }).first()).reseller_id).toBeNull();
  });

  it('when the purchase is sent without its CSRF token or key, then it is refused', async () => {
    const did = await makeDid(db);
    const noCsrf = await agent.post(`/reseller/buy/${did.id}`).type('form').send({ purchase_key: randomUUID() });
    expect(noCsrf.status).toBe(403);
    const noKey = await postForm(agent, `/reseller/buy/${did.id}`, {}, '/reseller/buy');
    expect(noKey.status).toBe(400);
    expect(noKey.text).toContain('This form is incomplete');
    expect((await db('products').where({ id: did.id }).first()).reseller_id).toBeNull();
  });

  it("when it opens a number that is not for sale or another account's receipt, then it gets 404", async () => {
    const other = await makeAccount(db, { role: 'customer', parent: admin, balance: '10' });
    const did = await makeDid(db);
    const { subscription } = await purchaseDid(db, { pricing: PRICING, buyerId: other.id, productId: did.id, idempotencyKey: randomUUID(), now: NOW, actorId: other.id });
    expect((await agent.get(`/reseller/buy/${did.id}`)).status).toBe(404);
    expect((await agent.get('/reseller/buy/99999999')).status).toBe(404);
    expect((await agent.get('/reseller/buy/abc')).status).toBe(404);
    expect((await agent.get(`/reseller/receipts/${subscription.id}`)).status).toBe(404);
  });
});

describe('customer Buy DIDs', () => {
  it("when a reseller's customer opens Buy DIDs, then it sees only that reseller's unassigned numbers with sell terms, at the reseller's prices", async () => {
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '50' });
    const customer = await makeAccount(db, { role: 'customer', parent: reseller, balance: '20' });
    const stock = await makeDid(db, { monthly_fee: '2.00' });
    const mine = await makeDid(db, { setup_fee: '1.00', monthly_fee: '2.00' });
    await purchaseDid(db, { pricing: PRICING, buyerId: reseller.id, productId: mine.id, idempotencyKey: randomUUID(), now: NOW, actorId: reseller.id });
    const withoutTerms = await makeDid(db, { reseller_id: reseller.id });
    const agent = await loginAs(app, customer.email);

    const page = await agent.get('/customer/buy');
    expect(offeredNumbers(page.text)).toEqual([mine.number]);
    expect(page.text).toContain('$2.4000');
    expect(offeredNumbers(page.text)).not.toContain(stock.number);
    expect(offeredNumbers(page.text)).not.toContain(withoutTerms.number);
    expect((await agent.get(`/customer/buy/${stock.id}`)).status).toBe(404);

    const resellerBalance = await balanceOf(reseller.id);
    const { response } = await confirmPurchase(agent, '/customer', mine.id);
    expect(response.status).toBe(303);
    expect(response.headers.location).toMatch(/^\/customer\/receipts\/\d+$/);
    const receipt = await agent.get(response.headers.location!);
    expect(receipt.text).toContain(reseller.name);
    expect(receipt.text).toContain('-$1.2000');
    expect(receipt.text).toContain('-$2.4000');
    expect(await balanceOf(customer.id)).toBe('16.400000');
    expect(await balanceOf(reseller.id)).toBe(resellerBalance);
    expect((await db('subscriptions').where({ product_id: mine.id, account_id: reseller.id }).first()).status).toBe('active');
    expect((await agent.get('/customer/numbers')).text).toContain(mine.number);
  });

  it('when a direct customer of the admin opens Buy DIDs, then it sees the stock at the admin prices and can buy', async () => {
    const customer = await makeAccount(db, { role: 'customer', parent: admin, balance: '10' });
    const did = await makeDid(db, { country: 'IE', number: '+35312345678', setup_fee: '0', monthly_fee: '4.00' });
    const agent = await loginAs(app, customer.email);
    const page = await agent.get('/customer/buy?country=IE');
    expect(offeredNumbers(page.text)).toEqual([did.number]);
    expect(page.text).toContain('Ireland');
    const { response } = await confirmPurchase(agent, '/customer', did.id);
    expect(response.status).toBe(303);
    expect(await balanceOf(customer.id)).toBe('6.000000');
    expect((await db('products').where({ id: did.id }).first()).customer_id).toBe(customer.id);
  });

  it('when a visitor or the admin opens a Buy DIDs page, then it is sent to log in or refused', async () => {
    expect((await request(app).get('/customer/buy')).status).toBe(302);
    const adminAgent = await loginAs(app, admin.email);
    expect((await adminAgent.get('/reseller/buy')).status).toBe(403);
  });
});

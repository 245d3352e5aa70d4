// The reseller's My DIDs: what it holds, its sell terms and margins, bulk markup, release.
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import type { Knex } from 'knex';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { purchaseDid } from '../../src/services/purchases.ts';
import { createTestApp, testConfig, testPricing } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeDid, makeRatePlan } from '../helpers/factories.ts';
import { loginAs, postForm, type Agent } from '../helpers/login.ts';

const PRICING = testPricing();

const database = useTestDatabase();
const NOW = new Date('2026-11-29T12:00:00Z');
let db: Knex;
let app: Express;
let admin: AccountRow;
let reseller: AccountRow;
let customer: AccountRow;
let agent: Agent;
let unassigned: { id: number; number: string };
let assigned: { id: number; number: string };

async function buy(buyer: AccountRow, productId: number) {
  return purchaseDid(db, { pricing: PRICING, buyerId: buyer.id, productId, idempotencyKey: randomUUID(), now: NOW, actorId: buyer.id });
}

async function sellTerms(productId: number) {
  return db('reseller_prices').where({ product_id: productId, reseller_id: reseller.id }).first();
}

beforeAll(async () => {
  db = database.current.db;
  app = createTestApp(db, { now: () => NOW, config: testConfig({ RESELLER_DEFAULT_MARKUP_PERCENT: '50' }) });
  admin = await makeAccount(db, { role: 'admin' });
  reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '100' });
  customer = await makeAccount(db, { role: 'customer', parent: reseller, balance: '100', name: 'Globex Test' });
  unassigned = await makeDid(db, { setup_fee: '1.00', monthly_fee: '2.00', cost_per_minute: '0.0100' });
  assigned = await makeDid(db, { setup_fee: '1.00', monthly_fee: '4.00' });
  await buy(reseller, unassigned.id);
  await buy(reseller, assigned.id);
  await buy(customer, assigned.id);
  agent = await loginAs(app, reseller.email);
});

describe('My DIDs', () => {
  it('when the reseller opens My DIDs, then it sees its unassigned and assigned numbers with buy and sell prices and the margin', async () => {
    const page = await agent.get('/reseller/dids');
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-total="2"');
    expect(page.text).toContain(unassigned.number);
    expect(page.text).toContain(assigned.number);
    expect(page.text).toContain('Globex Test');
    expect(page.text).toContain('Unassigned');
    // Sell terms start at the default markup (purchaseDid's default 20% here, as the service was called directly).
    expect(page.text).toContain('$2.4000');
    expect(page.text).toContain('$0.4000 (20.0%)');
  });

  it.each([
    ['assignment=unassigned', 'unassigned'],
    ['assignment=assigned', 'assigned'],
  ] as const)('when it filters by %s, then only those show', async (query, which) => {
    const page = await agent.get(`/reseller/dids?${query}`);
    const numbers = [...page.text.matchAll(/<tr data-number="([^"]+)"/g)].map((m) => m[1]);
    expect(numbers).toEqual([which === 'assigned' ? assigned.number : unassigned.number]);
  });

  it('when another reseller opens My DIDs or one of these numbers, then it sees none of them', async () => {
    const other = await makeAccount(db, { role: 'reseller', parent: admin });
    const otherAgent = await loginAs(app, other.email);
    const page = await otherAgent.get('/reseller/dids');
    expect(page.text).not.toContain(unassigned.number);
    expect((await otherAgent.get(`/reseller/dids/${unassigned.id}`)).status).toBe(404);
    const save = await postForm(otherAgent, `/reseller/dids/${unassigned.id}/terms`, {
      setup_fee: '0', monthly_fee: '0', connection_cost: '0', grace_seconds: '0', cost_per_minute: '0', initial_increment: '0', increment: '0',
    }, '/reseller/dids');
    expect(save.status).toBe(404);
    expect((await sellTerms(unassigned.id)).monthly_fee).toBe('2.400000');
  });
});

describe('sell terms', () => {
  it('when the reseller opens a number, then it sees buy terms, sell terms, the margin and the default markup suggestion', async () => {
    const page = await agent.get(`/reseller/dids/${unassigned.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('buy terms plus 50%');
    expect(page.text).toContain('data-margin="monthly">$0.4000');
    expect(page.text).toContain('value="2.4000"');
  });

  it('when it saves its own sell terms, then they are stored and the margin follows', async () => {
    const response = await postForm(agent, `/reseller/dids/${unassigned.id}/terms`, {
      setup_fee: '2', monthly_fee: '3.25', connection_cost: '0.02', grace_seconds: '5', cost_per_minute: '0.0150', initial_increment: '30', increment: '6',
    }, `/reseller/dids/${unassigned.id}`);
    expect(response.status).toBe(303);
    expect(await sellTerms(unassigned.id)).toMatchObject({
      setup_fee: '2.000000', monthly_fee: '3.250000', connection_cost: '0.020000', grace_seconds: 5, cost_per_minute: '0.015000', initial_increment: 30, increment: 6,
    });
    const page = await agent.get(`/reseller/dids/${unassigned.id}`);
    expect(page.text).toContain('Sell terms saved');
    expect(page.text).toContain('data-margin="monthly">$1.2500');
    expect(await db('audit_log').where({ action: 'did.sell_terms', entity_id: unassigned.id })).toHaveLength(1);
  });

  it('when a sell term is not valid, then the form comes back with the message and the input kept', async () => {
    const response = await postForm(agent, `/reseller/dids/${unassigned.id}/terms`, {
      setup_fee: '-1', monthly_fee: '3,25', connection_cost: '0', grace_seconds: '2.5', cost_per_minute: '0.01', initial_increment: '60', increment: '6',
    }, `/reseller/dids/${unassigned.id}`);
    expect(response.status).toBe(400);
    expect(response.text).toContain('Enter an amount like 2.50');
    expect(response.text).toContain('Grace time is a whole number of seconds');
    expect(response.text).toContain('value="3,25"');
    expect((await sellTerms(unassigned.id)).monthly_fee).toBe('3.250000');
  });

  it('when the number follows one of its rate plans, then the page says so and saving own terms takes it off the plan', async () => {
    const plan = await makeRatePlan(db, { owner_id: reseller.id, name: 'Resale standard', kind: 'markup', created_by: reseller.id, at: new Date(), versions: false });
    await db('reseller_prices').where({ product_id: unassigned.id, reseller_id: reseller.id }).update({ rate_plan_id: plan });
    const page = await agent.get(`/reseller/dids/${unassigned.id}`);
    expect(page.text).toContain('follow your rate plan <strong>Resale standard</strong>');
    expect((await agent.get('/reseller/dids')).text).toContain('plan Resale standard');
    const response = await postForm(agent, `/reseller/dids/${unassigned.id}/terms`, {
      setup_fee: '2', monthly_fee: '3.25', connection_cost: '0.02', grace_seconds: '5', cost_per_minute: '0.0150', initial_increment: '30', increment: '6',
    }, `/reseller/dids/${unassigned.id}`);
    expect(response.status).toBe(303);
    expect((await sellTerms(unassigned.id)).rate_plan_id).toBeNull();
  });

  it('when it applies a markup to selected numbers, then each gets its buy terms plus that percentage', async () => {
    const response = await postForm(agent, '/reseller/dids/markup', { percent: '10', ids: [String(unassigned.id), String(assigned.id)] } as unknown as Record<string, string>, '/reseller/dids');
    expect(response.status).toBe(303);
    expect(await sellTerms(unassigned.id)).toMatchObject({ setup_fee: '1.100000', monthly_fee: '2.200000', cost_per_minute: '0.011000' });
    expect(await sellTerms(assigned.id)).toMatchObject({ monthly_fee: '4.400000' });
    expect((await agent.get('/reseller/dids')).text).toContain('Sell terms of 2 numbers set to buy terms plus 10%.');
  });

  it("when the selection holds a number it does not hold, or none, then nothing changes", async () => {
    const foreign = await makeDid(db);
    const response = await postForm(agent, '/reseller/dids/markup', { percent: '99', ids: [String(unassigned.id), String(foreign.id)] } as unknown as Record<string, string>, '/reseller/dids');
    expect(response.status).toBe(404);
    expect((await sellTerms(unassigned.id)).monthly_fee).toBe('2.200000');
    const none = await postForm(agent, '/reseller/dids/markup', { percent: '10' }, '/reseller/dids');
    expect(none.status).toBe(303);
    expect((await agent.get('/reseller/dids')).text).toContain('Select at least one number');
  });
});

describe('release', () => {
  it('when the reseller opens the release of an unassigned number, then it says there is no refund', async () => {
    const page = await agent.get(`/reseller/dids/${unassigned.id}/release`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('There is no refund');
    expect(page.text).toContain('the admin&#39;s stock');
  });

  it('when a customer owns the number, then release is refused and says why', async () => {
    const page = await agent.get(`/reseller/dids/${assigned.id}/release`);
    expect(page.text).toContain('Globex Test owns this number');
    expect(page.text).not.toContain(`action="/reseller/dids/${assigned.id}/release"`);
    const response = await postForm(agent, `/reseller/dids/${assigned.id}/release`, {}, '/reseller/dids');
    expect(response.status).toBe(303);
    expect((await agent.get(response.headers.location!)).text).toContain('A customer owns');
    expect((await db('products').where({ id: assigned.id }).first()).customer_id).toBe(customer.id);
  });

  it('when it confirms the release, then the number is back in stock, its subscription ended, nothing refunded', async () => {
    const balance = (await db('accounts').where({ id: reseller.id }).first()).balance;
    const response = await postForm(agent, `/reseller/dids/${unassigned.id}/release`, {}, `/reseller/dids/${unassigned.id}/release`);
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/reseller/dids');
    expect((await agent.get('/reseller/dids')).text).toContain('released to the admin');
    expect(await db('products').where({ id: unassigned.id }).first('reseller_id', 'customer_id')).toEqual({ reseller_id: null, customer_id: null });
    expect((await db('subscriptions').where({ product_id: unassigned.id, account_id: reseller.id }).first()).status).toBe('ended');
    expect((await db('accounts').where({ id: reseller.id }).first()).balance).toBe(balance);
    expect((await agent.get(`/reseller/dids/${unassigned.id}`)).status).toBe(404);
  });
});

describe('default markup setting', () => {
  it('when the reseller buys through the page, then its sell terms start at RESELLER_DEFAULT_MARKUP_PERCENT', async () => {
    const did = await makeDid(db, { setup_fee: '1.00', monthly_fee: '2.00' });
    const page = await agent.get(`/reseller/buy/${did.id}`);
    const key = /name="purchase_key" value="([^"]+)"/.exec(page.text)![1]!;
    await postForm(agent, `/reseller/buy/${did.id}`, { purchase_key: key }, `/reseller/buy/${did.id}`);
    expect(await sellTerms(did.id)).toMatchObject({ setup_fee: '1.500000', monthly_fee: '3.000000' });
  });
});

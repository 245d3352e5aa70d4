// The customer's My numbers: what it owns, its forwarding, and release.
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import type { Knex } from 'knex';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { purchaseDid } from '../../src/services/purchases.ts';
import { createTestApp, testPricing } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeDid } from '../helpers/factories.ts';
import { loginAs, postForm, type Agent } from '../helpers/login.ts';

const PRICING = testPricing();

const database = useTestDatabase();
const NOW = new Date('2026-11-29T12:00:00Z');
let db: Knex;
let app: Express;
let reseller: AccountRow;
let customer: AccountRow;
let agent: Agent;
let owned: { id: number; number: string };
let direct: { id: number; number: string };

async function buy(buyer: AccountRow, productId: number) {
  return purchaseDid(db, { pricing: PRICING, buyerId: buyer.id, productId, idempotencyKey: randomUUID(), now: NOW, actorId: buyer.id });
}

beforeAll(async () => {
  db = database.current.db;
  app = createTestApp(db, { now: () => NOW });
  const admin = await makeAccount(db, { role: 'admin' });
  reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '100', name: 'Northwind Test' });
  customer = await makeAccount(db, { role: 'customer', parent: reseller, balance: '100' });
  owned = await makeDid(db, { country: 'GB', province: 'England', city: 'London', number: '+442079462001', setup_fee: '1.00', monthly_fee: '2.00', cost_per_minute: '0.0100' });
  await buy(reseller, owned.id);
  await buy(customer, owned.id);
  const directCustomer = await makeAccount(db, { role: 'customer', parent: admin, balance: '10' });
  direct = await makeDid(db);
  await buy(directCustomer, direct.id);
  agent = await loginAs(app, customer.email);
});

describe('My numbers', () => {
  it('when the customer opens My numbers, then it sees each number with its terms, purchase date, next billing and status', async () => {
    const page = await agent.get('/customer/numbers');
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-total="1"');
    expect(page.text).toContain(owned.number);
    expect(page.text).not.toContain(direct.number);
    for (const text of ['London, England, United Kingdom', '$1.2000', '$2.4000', '0.0120', '29 Nov 2026', '29 Dec 2026', 'badge-active', 'Not set']) {
      expect(page.text).toContain(text);
    }
  });

  it("when it opens another customer's number, then it gets 404", async () => {
    expect((await agent.get(`/customer/numbers/${direct.id}`)).status).toBe(404);
    const response = await postForm(agent, `/customer/numbers/${direct.id}/forwarding`, { destination_type: 'extension', destination: '2001' }, '/customer/numbers');
    expect(response.status).toBe(404);
    expect((await postForm(agent, `/customer/numbers/${direct.id}/release`, {}, '/customer/numbers')).status).toBe(404);
  });
});

describe('forwarding', () => {
  it.each([
    ['sip_uri', 'sip:desk@PBX.example.com:5060', 'sip:desk@pbx.example.com:5060'],
    ['pstn', '+1 415 555 2671', '+14155552671'],
    ['extension', '2001', '2001'],
  ])('when it sets a %s destination, then it is saved in normal form', async (type, input, stored) => {
    const response = await postForm(agent, `/customer/numbers/${owned.id}/forwarding`, { destination_type: type, destination: input }, `/customer/numbers/${owned.id}`);
    expect(response.status).toBe(303);
    expect(await db('products').where({ id: owned.id }).first('destination_type', 'destination')).toEqual({ destination_type: type, destination: stored });
    expect((await agent.get(`/customer/numbers/${owned.id}`)).text).toContain(`Calls now go to ${stored}`);
  });

  it.each([
    ['sip_uri', 'desk@pbx.example.com', 'Enter a SIP URI like'],
    ['pstn', '4155552671', 'international form'],
    ['extension', '1', 'An extension is 2 to 10 digits'],
    ['fax', '2001', 'Choose SIP URI, PSTN number or extension'],
  ])('when a %s destination "%s" is not valid, then the form says "%s" and keeps the input', async (type, input, message) => {
    const before = await db('products').where({ id: owned.id }).first('destination');
    const response = await postForm(agent, `/customer/numbers/${owned.id}/forwarding`, { destination_type: type, destination: input }, `/customer/numbers/${owned.id}`);
    expect(response.status).toBe(400);
    expect(response.text).toContain(message);
    expect(response.text).toContain(`value="${input}"`);
    expect(await db('products').where({ id: owned.id }).first('destination')).toEqual(before);
  });
});

describe('forwarding that would add dial legs (issue 14)', () => {
  it.each([
    ['sip_uri', 'sip:a,loopback/9999/default/XML,b@example.com', 'user part of the SIP URI'],
    ['sip_uri', 'sip:${sofia_contact(1000@default)}@example.com', 'user part of the SIP URI'],
    ['sip_uri', 'sip:{origination_caller_id_number=1}a@example.com', 'user part of the SIP URI'],
    ['sip_uri', 'sip:[leg_timeout=1]a@example.com', 'user part of the SIP URI'],
    ['sip_uri', 'sip:a|user/1000@example.com', 'user part of the SIP URI'],
    ['sip_uri', 'sip:a^b@example.com', 'user part of the SIP URI'],
    ['sip_uri', 'sip:"a b"@example.com', 'user part of the SIP URI'],
    ['sip_uri', 'sip:a@example.com\nuser/1000', 'host of the SIP URI'],
    ['pstn', '+14155552671,loopback/9999', 'only digits'],
    ['extension', '2001|user/1000', 'An extension is 2 to 10 digits'],
  ])('when a %s destination %j is posted, then 400 with "%s" at the field, and nothing is saved or audited', async (type, input, message) => {
    await postForm(agent, `/customer/numbers/${owned.id}/forwarding`, { destination_type: 'extension', destination: '2001' }, `/customer/numbers/${owned.id}`);
    const before = await db('products').where({ id: owned.id }).first('destination_type', 'destination', 'updated_at');
    const audited = await db('audit_log').where({ entity_type: 'product', entity_id: owned.id }).count({ n: '*' }).first();
    const response = await postForm(agent, `/customer/numbers/${owned.id}/forwarding`, { destination_type: type, destination: input }, `/customer/numbers/${owned.id}`);
    expect(response.status).toBe(400);
    expect(/id="e-destination">([^<]*)</.exec(response.text)?.[1]).toContain(message);
    expect(await db('products').where({ id: owned.id }).first('destination_type', 'destination', 'updated_at')).toEqual(before);
    expect(await db('audit_log').where({ entity_type: 'product', entity_id: owned.id }).count({ n: '*' }).first()).toEqual(audited);
  });
});

describe('release', () => {
  it('when the customer confirms a release, then the number goes back to its reseller and nothing is refunded', async () => {
    const confirm = await agent.get(`/customer/numbers/${owned.id}/release`);
    expect(confirm.text).toContain('There is no refund');
    expect(confirm.text).toContain('Northwind Test');
    const balance = (await db('accounts').where({ id: customer.id }).first()).balance;
    const response = await postForm(agent, `/customer/numbers/${owned.id}/release`, {}, `/customer/numbers/${owned.id}/release`);
    expect(response.status).toBe(303);
    expect((await agent.get('/customer/numbers')).text).toContain('was released. Nothing was refunded.');
    expect(await db('products').where({ id: owned.id }).first('reseller_id', 'customer_id', 'destination')).toEqual({ reseller_id: reseller.id, customer_id: null, destination: null });
    expect((await db('accounts').where({ id: customer.id }).first()).balance).toBe(balance);
    expect((await agent.get('/customer/buy')).text).toContain(owned.number);
  });
});

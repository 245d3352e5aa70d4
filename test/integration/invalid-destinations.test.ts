// The admin's list of stored destinations that no longer validate (issue 14): what it lists, who
// may see it, and that it agrees with route time.
import type { Express } from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { setForwarding } from '../../src/services/did-holdings.ts';
import { findInvalidDestinations } from '../../src/services/invalid-destinations.ts';
import { createTestApp, testConfig } from '../helpers/app.ts';
import { formatPhoneHtml } from '../../src/web/presenters/format.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeOwnedDid, makeSwitch } from '../helpers/factories.ts';
import { loginAs, type Agent } from '../helpers/login.ts';
import { dialplanForm, postDialplan, routeOf } from '../helpers/switch.ts';

const database = useTestDatabase();
const ATTACK = 'sip:a,loopback/9999/default/XML,b@example.com';
let db: Knex;
let app: Express;
let admin: AccountRow;
let reseller: AccountRow;
let customer: AccountRow;
let adminAgent: Agent;
let attacked: { id: number; number: string };
let valid: { id: number; number: string };
let expansion: { id: number; number: string };

beforeAll(async () => {
  db = database.current.db;
  app = createTestApp(db);
  admin = await makeAccount(db, { role: 'admin' });
  reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '100' });
  customer = await makeAccount(db, { role: 'customer', parent: reseller, balance: '50', name: 'Mallory <Fraud> Ltd' });
  attacked = await makeOwnedDid(db, { owner: customer, reseller, destination_type: 'sip_uri', destination: ATTACK });
  expansion = await makeOwnedDid(db, { owner: customer, reseller, destination_type: 'extension', destination: '${x}2001' });
  valid = await makeOwnedDid(db, { owner: customer, reseller, destination_type: 'sip_uri', destination: 'sip:desk@pbx.example.com' });
  adminAgent = await loginAs(app, admin.email);
});

describe('invalid destinations (admin)', () => {
  it('when the admin opens the list, then each stored destination that no longer validates is shown with its owner, number, destination and reason', async () => {
    const page = await adminAgent.get('/admin/invalid-destinations');
    expect(page.status).toBe(200);
    const row = new RegExp(`<tr data-invalid-destination="${attacked.id}">([\\s\\S]*?)</tr>`).exec(page.text)?.[1] ?? '';
    expect(row).toContain(`href="/admin/dids/${attacked.id}">${formatPhoneHtml(attacked.number)}</a>`);
    expect(row).toContain(`href="/admin/accounts/${customer.id}">Mallory &lt;Fraud&gt; Ltd</a>`);
    expect(row).toContain(customer.email);
    expect(row).toContain('sip_uri');
    expect(row).toContain('&#34;sip:a,loopback/9999/default/XML,b@example.com&#34;');
    expect(row).toContain('The user part of the SIP URI may only have');
    expect(page.text).toContain(`data-invalid-destination="${expansion.id}"`);
    expect(page.text).toContain('An extension is 2 to 10 digits');
    expect(page.text).not.toContain(`data-invalid-destination="${valid.id}"`);
    expect(page.text).not.toContain('<Fraud>');
  });

  it('when a number is listed, then route time refuses it too, and a valid one is routed', async () => {
    const { token } = await makeSwitch(db, { admin });
    expect(routeOf((await postDialplan(app, token, dialplanForm(attacked.number))).text).refusal).toBe('no_destination');
    expect(routeOf((await postDialplan(app, token, dialplanForm(valid.number))).text).bridge).toBe('sofia/external/desk@pbx.example.com');
  });

  it('when the owner sets a valid destination, then the number leaves the list', async () => {
    const fixed = await makeOwnedDid(db, { owner: customer, reseller, destination_type: 'pstn', destination: '+1415555267|1' });
    expect((await adminAgent.get('/admin/invalid-destinations')).text).toContain(`data-invalid-destination="${fixed.id}"`);
    await setForwarding(db, { customerId: customer.id, productId: fixed.id, type: 'pstn', destination: '+1 415 555 2671', now: new Date(), actorId: customer.id });
    expect((await adminAgent.get('/admin/invalid-destinations')).text).not.toContain(`data-invalid-destination="${fixed.id}"`);
  });

  it('when the scan reads in small batches or shows fewer rows, then it still counts every invalid destination, in number order', async () => {
    const config = testConfig();
    const whole = await findInvalidDestinations(db, config, { limit: 100 });
    expect(whole.rows.map((r) => r.product_id)).toEqual(expect.arrayContaining([attacked.id, expansion.id]));
    expect(await findInvalidDestinations(db, config, { limit: 100, batchSize: 1 })).toEqual(whole);
    const first = await findInvalidDestinations(db, config, { limit: 1, batchSize: 2 });
    expect(first).toEqual({ rows: [whole.rows[0]], total: whole.total, checked: whole.checked });
  });

  it('when the admin opens the dashboard or the DIDs page, then it links to the list', async () => {
    for (const path of ['/admin', '/admin/dids']) {
      expect((await adminAgent.get(path)).text).toContain('href="/admin/invalid-destinations"');
    }
  });

  it('when a reseller or a customer asks for the list, then it is refused and shows nothing of it', async () => {
    for (const account of [reseller, customer]) {
      const agent = await loginAs(app, account.email);
      const response = await agent.get('/admin/invalid-destinations');
      expect([403, 404]).toContain(response.status);
      expect(response.text).not.toContain('loopback');
    }
    const anonymous = await request(app).get('/admin/invalid-destinations');
    expect(anonymous.status).toBe(302);
  });
});

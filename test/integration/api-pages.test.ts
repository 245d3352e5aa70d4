// The browser side of the API: the "API keys" page (secret shown once, revoke at once), the API
// reference page, and holds from Buy DIDs with the "My holds" list.
import type { Express } from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { createTestApp } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeDid } from '../helpers/factories.ts';
import { csrfToken, loginAs, postForm } from '../helpers/login.ts';

const database = useTestDatabase();

describe('API pages', () => {
  let db: Knex;
  let app: Express;
  let customer: AccountRow;
  let reseller: AccountRow;

  beforeAll(async () => {
    db = database.current.db;
    app = createTestApp(db);
    const admin = await makeAccount(db, { role: 'admin' });
    customer = await makeAccount(db, { role: 'customer', parent: admin, balance: '20' });
    reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '20' });
  });

  it('when a customer creates a key on the page, then its secret is shown once, works, and stops working once revoked', async () => {
    const agent = await loginAs(app, customer.email);
    const token = await csrfToken(agent, '/account/api-keys');
    const created = await agent.post('/account/api-keys').type('form').send(`_csrf=${encodeURIComponent(token)}&name=storefront&scopes=billing%3Aread&scopes=numbers%3Aread&allowed_ips=`);
    expect(created.status).toBe(201);
    const secret = /dh_live_[A-Za-z0-9_-]+/.exec(created.text)![0];
    const list = await agent.get('/account/api-keys');
    expect(list.text).not.toContain(secret);
    expect(list.text).toContain(secret.slice(0, 14));
    expect((await request(app).get('/api/v1/balance').set('Authorization', `Bearer ${secret}`)).status).toBe(200);
    const key = await db('api_keys').where({ account_id: customer.id }).first('id', 'scopes', 'last_used_at');
    expect(key.scopes).toEqual(['billing:read', 'numbers:read']);
    expect(key.last_used_at).not.toBeNull();
    expect((await postForm(agent, `/account/api-keys/${key.id}/revoke`, {}, '/account/api-keys')).status).toBe(303);
    expect((await request(app).get('/api/v1/balance').set('Authorization', `Bearer ${secret}`)).status).toBe(401);
  });

  it('when the key form is sent without scopes or with a bad address, then it is shown again with 400 and one message per field', async () => {
    const agent = await loginAs(app, reseller.email);
    const response = await postForm(agent, '/account/api-keys', { name: 'x', allowed_ips: '10.0.0.0/99' }, '/account/api-keys');
    expect(response.status).toBe(400);
    expect(response.text).toContain('Tick at least one scope');
    expect(response.text).toContain('bad prefix length');
  });

  it('when the key form opens, then only an admin is offered the inventory scopes, and a reseller sending one gets 400', async () => {
    const admin = await makeAccount(db, { role: 'admin' });
    expect((await (await loginAs(app, admin.email)).get('/account/api-keys')).text).toContain('value="inventory:write"');
    const agent = await loginAs(app, reseller.email);
    expect((await agent.get('/account/api-keys')).text).not.toContain('inventory:');
    const response = await postForm(agent, '/account/api-keys', { name: 'x', scopes: 'inventory:read' }, '/account/api-keys');
    expect(response.status).toBe(400);
    expect(response.text).toContain('Only admin keys may have inventory:read');
    expect(await db('api_keys').where({ account_id: reseller.id, name: 'x' })).toHaveLength(0);
  });

  it('when the API reference opens, then it loads Swagger UI from our own origin with no inline script', async () => {
    const agent = await loginAs(app, reseller.email);
    const page = await agent.get('/account/api-reference');
    expect(page.status).toBe(200);
    expect(page.text).toContain('/static/swagger-ui/swagger-ui-bundle.js');
    expect(page.text).not.toMatch(/<script>(?!<)/);
    expect((await request(app).get('/static/swagger-ui/swagger-ui-bundle.js')).status).toBe(200);
    expect((await request(app).get('/static/js/api-reference.js')).status).toBe(200);
  });

  it('when a customer holds a number from Buy DIDs, then it is in My holds, another buyer does not see it, and release frees it', async () => {
    const did = await makeDid(db);
    const agent = await loginAs(app, customer.email);
    const held = await postForm(agent, '/customer/holds', { number: did.number }, '/customer/buy');
    expect(held.status).toBe(303);
    const holds = await agent.get('/customer/holds');
    expect(holds.text).toContain(did.number);
    expect(holds.text).toContain('$1.0000 setup · $2.0000 a period');
    const other = await loginAs(app, reseller.email);
    expect((await other.get(`/reseller/buy?contains=${did.number.slice(-7)}`)).text).not.toContain(did.number);
    expect((await other.get(`/reseller/buy/${did.id}`)).status).toBe(404);
    const hold = await db('number_holds').where({ account_id: customer.id }).orderBy('id', 'desc').first('id');
    expect((await postForm(agent, `/customer/holds/${hold.id}/release`, {}, '/customer/holds')).status).toBe(303);
    expect((await other.get(`/reseller/buy?contains=${did.number.slice(-7)}`)).text).toContain(did.number);
  });
});

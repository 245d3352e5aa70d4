// The admin's inventory through the API: admin keys with inventory:read / inventory:write only,
// the admin list's filters with a cursor, create and change with the admin form's rules (one
// message per field), removal as the DID pages remove (deleted, archived, or refused when held).
import type { Express } from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { createTestApp, testConfig } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeApiKey, makeDid, makeOwnedDid, makeProvider, makeSubscription } from '../helpers/factories.ts';

const database = useTestDatabase();

describe('admin inventory endpoints', () => {
  let db: Knex;
  let app: Express;
  let admin: AccountRow;
  let adminKey: string;
  let provider: { id: number };

  beforeAll(async () => {
    db = database.current.db;
    app = createTestApp(db, { config: testConfig({ API_RATE_LIMIT: '1000' }) });
    admin = await makeAccount(db, { role: 'admin' });
    adminKey = (await makeApiKey(db, admin)).secret;
    provider = await makeProvider(db);
  });

  const call = (method: 'get' | 'post' | 'patch' | 'delete', path: string, key = adminKey, body?: unknown) => {
    const req = request(app)[method](`/api/v1${path}`).set('Authorization', `Bearer ${key}`);
    return body === undefined ? req : req.send(body as object);
  };
  const terms = {
    status: 'active', buy_cost: '0.40', setup_fee: '1.00', monthly_fee: '2.00', connection_cost: '0', grace_seconds: 0, cost_per_minute: '0.01',
    initial_increment: 60, increment: 60, call_timeout: 30, billing_type: 'recurring', billing_days: 30, concurrent_calls: 0,
  };

  it('when a reseller key or a key without the scope calls them, then 403; a reseller cannot get the inventory scopes', async () => {
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin });
    expect((await call('get', '/admin/dids', (await makeApiKey(db, reseller, { scopes: ['numbers:read'] })).secret)).status).toBe(403);
    await expect(makeApiKey(db, reseller, { scopes: ['inventory:read'] })).rejects.toThrow(/Only admin keys/);
    const readOnly = (await makeApiKey(db, admin, { scopes: ['inventory:read'] })).secret;
    expect((await call('get', '/admin/dids', readOnly)).status).toBe(200);
    expect((await call('post', '/admin/dids', readOnly, { number: '+14155550100', provider_id: provider.id, ...terms })).status).toBe(403);
  });

  it('when DIDs are listed with filters, then pages follow the number with a cursor', async () => {
    for (const suffix of ['0301', '0302', '0303']) await makeDid(db, { number: `+1646555${suffix}`, city: 'Brooklyn', billing_type: 'one_time', billing_days: 0 });
    await makeDid(db, { number: '+16465550304', city: 'Brooklyn' });
    const first = await call('get', '/admin/dids?city=Brooklyn&billing_type=one_time&holder=stock&limit=2');
    expect(first.status).toBe(200);
    expect(first.body.data.map((did: { number: string }) => did.number)).toEqual(['+16465550301', '+16465550302']);
    expect(first.body).toMatchObject({ has_more: true });
    const next = await call('get', `/admin/dids?city=Brooklyn&billing_type=one_time&limit=2&starting_after=${encodeURIComponent('+16465550302')}`);
    expect(next.body.data.map((did: { number: string }) => did.number)).toEqual(['+16465550303']);
    const bad = await call('get', '/admin/dids?holder=nobody&limit=0');
    expect([bad.status, Object.keys(bad.body.errors).sort()]).toEqual([400, ['holder', 'limit']]);
  });

  it('when a DID is created and patched, then the form rules apply with one message per field and the audit trail has both', async () => {
    const created = await call('post', '/admin/dids', adminKey, { number: '+1 415 555 0177', provider_id: provider.id, city: 'Oakland', ...terms });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ object: 'did', number: '+14155550177', country: 'US', holder: 'stock', monthly_fee: '2.000000' });
    const again = await call('post', '/admin/dids', adminKey, { number: '+14155550177', provider_id: provider.id, ...terms });
    expect([again.status, again.body.errors]).toEqual([400, { number: '+14155550177 is already in the inventory' }]);
    const negative = await call('post', '/admin/dids', adminKey, { number: '+14155550178', provider_id: provider.id, ...terms, setup_fee: '-1', grace_seconds: 'x' });
    expect([negative.status, Object.keys(negative.body.errors)]).toEqual([400, ['grace_seconds']]);
    const typed = await call('post', '/admin/dids', adminKey, { number: '+14155550178', provider_id: provider.id, ...terms, setup_fee: '-1' });
    expect([typed.status, typed.body.errors]).toEqual([400, { setup_fee: 'Must not be negative' }]);
    const patched = await call('patch', '/admin/dids/+14155550177', adminKey, { monthly_fee: '3.50', city: 'Berkeley' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ monthly_fee: '3.500000', city: 'Berkeley', setup_fee: '1.000000' });
    const wrong = await call('patch', '/admin/dids/+14155550177', adminKey, { billing_type: 'one_time', billing_period: 'month' });
    expect([wrong.status, Object.keys(wrong.body.errors)]).toEqual([400, ['billing_period']]);
    const actions = await db('audit_log').where({ entity_type: 'did', entity_id: created.body.id }).orderBy('id').pluck('action');
    expect(actions).toEqual(['did.create', 'did.update']);
  });

  it('when two PATCHes of different terms arrive at once, then both are kept', async () => {
    const created = await call('post', '/admin/dids', adminKey, { number: '+14155550179', provider_id: provider.id, ...terms });
    expect(created.status).toBe(201);
    const answers = await Promise.all([
      call('patch', '/admin/dids/+14155550179', adminKey, { setup_fee: '4.00' }),
      call('patch', '/admin/dids/+14155550179', adminKey, { city: 'Fremont' }),
      call('patch', '/admin/dids/+14155550179', adminKey, { monthly_fee: '5.00' }),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect((await call('get', '/admin/dids/+14155550179')).body).toMatchObject({ setup_fee: '4.000000', city: 'Fremont', monthly_fee: '5.000000', buy_cost: '0.400000' });
  });

  it('when DIDs are removed, then a never-sold one is deleted, a sold one archived, a held one refused', async () => {
    const fresh = await makeDid(db);
    expect((await call('delete', `/admin/dids/${fresh.number}`)).body).toEqual({ object: 'did_removal', number: fresh.number, result: 'deleted' });
    const sold = await makeDid(db);
    const buyer = await makeAccount(db, { role: 'customer', parent: admin });
    await makeSubscription(db, { product_id: sold.id, account_id: buyer.id, seller_id: admin.id, status: 'ended', ended_at: new Date() });
    expect((await call('delete', `/admin/dids/${sold.number}`)).body.result).toBe('archived');
    const held = await makeOwnedDid(db, { owner: buyer });
    expect((await call('delete', `/admin/dids/${held.number}`)).status).toBe(409);
    expect((await call('delete', '/admin/dids/+19999999999')).status).toBe(404);
  });
});

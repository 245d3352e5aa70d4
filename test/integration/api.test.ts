// The account REST API (/api/v1) driven over HTTP on a real database: keys, scopes and tenancy,
// holds, orders with Idempotency-Key, problem details, rate limits, and the OpenAPI document.
import type { Express } from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { expireHolds } from '../../src/services/number-holds.ts';
import { createTestApp, testConfig } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeApiKey, makeDid, makeOwnedDid, makeSwitch, makeWebhookEndpoint } from '../helpers/factories.ts';

const database = useTestDatabase();
let clock = new Date('2026-12-01T12:00:00Z');

describe('the account API', () => {
  let db: Knex;
  let app: Express;
  let admin: AccountRow;
  let reseller: AccountRow;
  let customer: AccountRow;
  let resellerKey: string;
  let customerKey: string;

  beforeAll(async () => {
    db = database.current.db;
    app = createTestApp(db, { now: () => clock, config: testConfig({ API_RATE_LIMIT: '1000' }) });
    admin = await makeAccount(db, { role: 'admin' });
    reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '100' });
    customer = await makeAccount(db, { role: 'customer', parent: admin, balance: '50' });
    resellerKey = (await makeApiKey(db, reseller)).secret;
    customerKey = (await makeApiKey(db, customer)).secret;
  });

  const get = (path: string, key: string) => request(app).get(`/api/v1${path}`).set('Authorization', `Bearer ${key}`);
  const post = (path: string, key: string, body: unknown, idempotencyKey?: string) => {
    const req = request(app).post(`/api/v1${path}`).set('Authorization', `Bearer ${key}`);
    if (idempotencyKey) req.set('Idempotency-Key', idempotencyKey);
    return req.send(body as object);
  };

  it('when a request has no key or a switch token, then it is a 401 problem; and a key cannot use the switch routes', async () => {
    const none = await request(app).get('/api/v1/balance');
    expect(none.status).toBe(401);
    expect(none.headers['content-type']).toContain('application/problem+json');
    expect(none.body).toMatchObject({ type: '/problems/unauthorized', status: 401 });
    const sw = await makeSwitch(db, { admin });
    expect((await get('/balance', sw.token)).status).toBe(401);
    const asSwitch = await request(app).post('/api/v1/calls/authorize').set('Authorization', `Bearer ${customerKey}`).send({ number: '+14155550100' });
    expect(asSwitch.status).toBe(401);
  });

  it('when a key reads its balance, then it sees its own account only', async () => {
    const res = await get('/balance', customerKey);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ object: 'balance', balance: '50.000000', available: expect.any(String), reserved: expect.any(String) });
    const requests = await db('api_requests').where({ account_id: customer.id, route: '/balance' });
    expect(requests.length).toBeGreaterThan(0);
  });

  it('when a key lacks the scope, then the endpoint answers 403', async () => {
    const readOnly = (await makeApiKey(db, customer, { scopes: ['calls:read'] })).secret;
    const res = await get('/balance', readOnly);
    expect(res.status).toBe(403);
    expect(res.body.detail).toContain('billing:read');
  });

  it('when a key is revoked, expired or used from another address, then it is refused', async () => {
    const revoked = await makeApiKey(db, customer);
    await db('api_keys').where({ id: revoked.id }).update({ revoked_at: clock });
    expect((await get('/balance', revoked.secret)).status).toBe(401);
    const expired = await makeApiKey(db, customer, { expiresAt: new Date(clock.getTime() - 1000) });
    expect((await get('/balance', expired.secret)).status).toBe(401);
    const elsewhere = await makeApiKey(db, customer, { allowedIps: ['10.1.2.0/24'] });
    expect((await get('/balance', elsewhere.secret)).status).toBe(403);
    const here = await makeApiKey(db, customer, { allowedIps: ['10.1.2.0/24', '127.0.0.1', '::1'] });
    expect((await get('/balance', here.secret)).status).toBe(200);
  });

  it('when the input is bad, then the answer is a problem with one message per field', async () => {
    const res = await get('/available-numbers?limit=500&contains=12a&sort=price', customerKey);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ type: '/problems/validation-error', title: expect.any(String), status: 400, detail: expect.any(String) });
    expect(Object.keys(res.body.errors).sort()).toEqual(['contains', 'limit', 'sort']);
  });

  it('when numbers are searched with filters and a cursor, then pages follow the sort', async () => {
    const made = [];
    for (const [suffix, monthly] of [['5550101', '3.00'], ['5550102', '1.00'], ['5550103', '2.00']] as const) {
      made.push(await makeDid(db, { number: `+1212${suffix}`, monthly_fee: monthly, city: 'New York', province: 'NY' }));
    }
    const first = await get('/available-numbers?starts_with=1212555&sort=monthly&limit=2', customerKey);
    expect(first.status).toBe(200);
    expect(first.body.data.map((n: { number: string }) => n.number)).toEqual(['+12125550102', '+12125550103']);
    expect(first.body.has_more).toBe(true);
    const second = await get(`/available-numbers?starts_with=1212555&sort=monthly&limit=2&starting_after=${encodeURIComponent('+12125550103')}`, customerKey);
    expect(second.body.data.map((n: { number: string }) => n.number)).toEqual(['+12125550101']);
    const wildcard = await get(`/available-numbers?contains=555010*&max_monthly=2.5&region=NY`, customerKey);
    expect(wildcard.body.data.map((n: { number: string }) => n.number)).toEqual(['+12125550102', '+12125550103']);
  });

  it('when a customer holds a number, then nobody else is offered or can buy it, until the hold is released', async () => {
    const did = await makeDid(db);
    const hold = await post('/number-holds', customerKey, { numbers: [did.number], minutes: 5 });
    expect(hold.status).toBe(201);
    expect(hold.body).toMatchObject({ object: 'number_hold', status: 'active', numbers: [did.number] });
    const offered = await get(`/available-numbers?starts_with=${did.number.slice(1)}`, resellerKey);
    expect(offered.body.data).toEqual([]);
    const order = await post('/number-orders', resellerKey, { numbers: [did.number] }, `order-${did.id}-other`);
    expect(order.status).toBe(409);
    expect((await post('/number-holds', resellerKey, { numbers: [did.number] })).status).toBe(409);
    const released = await request(app).delete(`/api/v1/number-holds/${hold.body.id}`).set('Authorization', `Bearer ${customerKey}`);
    expect(released.body.status).toBe('released');
    expect((await get(`/available-numbers?starts_with=${did.number.slice(1)}`, resellerKey)).body.data).toHaveLength(1);
  });

  it('when a hold expires, then the number is free again and hold.expired is recorded', async () => {
    const did = await makeDid(db);
    const hold = await post('/number-holds', customerKey, { numbers: [did.number] });
    expect(hold.status).toBe(201);
    clock = new Date(clock.getTime() + 11 * 60_000);
    expect((await get(`/available-numbers?starts_with=${did.number.slice(1)}`, resellerKey)).body.data).toHaveLength(1);
    expect(await expireHolds(db, clock)).toBeGreaterThanOrEqual(1);
    expect((await get(`/number-holds/${hold.body.id}`, customerKey)).body.status).toBe('expired');
    const product = await db('products').where({ id: did.id }).first('hold_id');
    expect(product.hold_id).toBeNull();
  });

  it('when a holder holds its held numbers again, then they move to the new hold, an emptied older hold ends, and each expiry names only the numbers it still held', async () => {
    const holder = await makeAccount(db, { role: 'customer', parent: admin, balance: '50' });
    const key = (await makeApiKey(db, holder)).secret;
    await makeWebhookEndpoint(db, holder, { url: 'http://127.0.0.1:9/hooks', events: ['hold.expired'] });
    const [a, b, c] = [await makeDid(db), await makeDid(db), await makeDid(db)];
    const first = await post('/number-holds', key, { numbers: [a.number, b.number], minutes: 5 });
    const second = await post('/number-holds', key, { numbers: [c.number], minutes: 5 });
    const again = await post('/number-holds', key, { numbers: [b.number, c.number], minutes: 8 });
    expect([first.status, second.status, again.status]).toEqual([201, 201, 201]);
    expect((await get(`/number-holds/${first.body.id}`, key)).body).toMatchObject({ status: 'active', numbers: [a.number] });
    expect((await get(`/number-holds/${second.body.id}`, key)).body).toMatchObject({ status: 'released', numbers: [] });
    expect((await get(`/number-holds/${again.body.id}`, key)).body).toMatchObject({ status: 'active', numbers: [b.number, c.number].sort() });
    // Once the first hold is past its time, its number is bought before the expiry job runs.
    clock = new Date(clock.getTime() + 6 * 60_000);
    expect((await post('/number-orders', key, { numbers: [a.number] }, `order-rehold-${a.id}`)).status).toBe(201);
    clock = new Date(clock.getTime() + 3 * 60_000);
    await expireHolds(db, clock);
    const expired = (await db('outbox_messages').where({ account_id: holder.id, event: 'hold.expired' }).orderBy('id').pluck('payload')) as Array<{ data: { hold_id: number; numbers: string[] } }>;
    expect(expired.map((payload) => payload.data)).toEqual([
      expect.objectContaining({ hold_id: first.body.id, numbers: [] }),
      expect.objectContaining({ hold_id: again.body.id, numbers: [b.number, c.number].sort() }),
    ]);
    expect(Number((await db('products').whereIn('id', [b.id, c.id]).whereNotNull('hold_id').count({ n: '*' }).first())!.n)).toBe(0);
  });

  it('when a hold is ordered with an Idempotency-Key, then it is bought once and the same key replays the receipt', async () => {
    const did = await makeDid(db, { setup_fee: '1.00', monthly_fee: '2.00' });
    const hold = await post('/number-holds', customerKey, { numbers: [did.number] });
    const before = (await get('/balance', customerKey)).body.balance;
    const first = await post('/number-orders', customerKey, { hold_id: hold.body.id }, 'order-key-0001');
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ object: 'number_order', total: '3.000000', hold_id: hold.body.id, numbers: [{ number: did.number }] });
    const again = await post('/number-orders', customerKey, { hold_id: hold.body.id }, 'order-key-0001');
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const other = await post('/number-orders', customerKey, { numbers: [did.number] }, 'order-key-0001');
    expect(other.status).toBe(422);
    const after = (await get('/balance', customerKey)).body.balance;
    expect(Number(before) - Number(after)).toBeCloseTo(3, 6);
    expect((await get(`/number-orders/${first.body.id}`, customerKey)).body.id).toBe(first.body.id);
    expect((await get(`/number-orders/${first.body.id}`, resellerKey)).status).toBe(404);
    expect((await post('/number-orders', customerKey, { numbers: [did.number] })).status).toBe(400);
  });

  it('when a customer forwards and releases its number, then the strict destination grammar applies and another key cannot touch it', async () => {
    const did = await makeOwnedDid(db, { owner: customer });
    const path = `/numbers/${encodeURIComponent(did.number)}`;
    const bad = await request(app).patch(`/api/v1${path}`).set('Authorization', `Bearer ${customerKey}`).send({ forwarding: { type: 'sip_uri', destination: 'sip:a b@x' } });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.errors)).toEqual(['forwarding.destination']);
    const ok = await request(app).patch(`/api/v1${path}`).set('Authorization', `Bearer ${customerKey}`).send({ forwarding: { type: 'pstn', destination: '+14155550123' } });
    expect(ok.status).toBe(200);
    expect(ok.body.forwarding).toEqual({ type: 'pstn', destination: '+14155550123' });
    expect((await get(path, resellerKey)).status).toBe(404);
    expect((await request(app).delete(`/api/v1${path}`).set('Authorization', `Bearer ${resellerKey}`)).status).toBe(404);
    expect((await request(app).delete(`/api/v1${path}`).set('Authorization', `Bearer ${customerKey}`)).status).toBe(204);
    expect((await get(path, customerKey)).status).toBe(404);
  });

  it('when a reseller manages customers and pays one, then only its own customers are reachable and a payment is recorded once', async () => {
    const created = await post('/customers', resellerKey, { name: 'Api Customer', email: `api-${Date.now()}@test.example`, password: 'long-enough-password' });
    expect(created.status).toBe(201);
    const patched = await request(app).patch(`/api/v1/customers/${created.body.id}`).set('Authorization', `Bearer ${resellerKey}`).send({ name: 'Renamed' });
    expect(patched.body.name).toBe('Renamed');
    expect((await request(app).patch(`/api/v1/customers/${customer.id}`).set('Authorization', `Bearer ${resellerKey}`).send({ name: 'x' })).status).toBe(404);
    expect((await get('/customers', customerKey)).status).toBe(403);
    const pay = () => post(`/customers/${created.body.id}/payments`, resellerKey, { kind: 'payment', amount: '25.00' }, 'pay-key-0001');
    const [a, b] = [await pay(), await pay()];
    expect(a.status).toBe(201);
    expect(b.body).toEqual(a.body);
    expect(a.body.balance).toBe('25.000000');
  });

  it('when a key sends more requests than its burst, then it gets 429 with Retry-After and RateLimit headers', async () => {
    const limited = createTestApp(db, { now: () => clock, config: testConfig({ API_RATE_LIMIT: '1', API_RATE_BURST: '2' }) });
    const key = (await makeApiKey(db, customer)).secret;
    const statuses = [];
    let last;
    for (let i = 0; i < 3; i++) {
      last = await request(limited).get('/api/v1/balance').set('Authorization', `Bearer ${key}`);
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 429]);
    expect(last!.headers['retry-after']).toBe('1');
    expect(last!.headers['ratelimit-limit']).toBe('2');
    expect(last!.headers['ratelimit-remaining']).toBe('0');
    expect(last!.body.type).toBe('/problems/rate-limited');
    clock = new Date(clock.getTime() + 1000);
    expect((await request(limited).get('/api/v1/balance').set('Authorization', `Bearer ${key}`)).status).toBe(200);
  });
});

// /api/v1/webhook-endpoints: the Webhooks page's endpoints through API keys (scope webhooks:write),
// an account's own only.
import type { Express } from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { createTestApp, testConfig } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeApiKey } from '../helpers/factories.ts';

const database = useTestDatabase();
let db: Knex;
let app: Express;
let reseller: AccountRow;
let key: string;
let otherKey: string;
let readOnlyKey: string;

beforeAll(async () => {
  db = database.current.db;
  app = createTestApp(db, { config: testConfig({ API_RATE_LIMIT: '1000' }) });
  const admin = await makeAccount(db, { role: 'admin' });
  reseller = await makeAccount(db, { role: 'reseller', parent: admin });
  const other = await makeAccount(db, { role: 'customer', parent: admin });
  key = (await makeApiKey(db, reseller)).secret;
  otherKey = (await makeApiKey(db, other)).secret;
  readOnlyKey = (await makeApiKey(db, reseller, { scopes: ['numbers:read', 'calls:read'] })).secret;
});

const call = (method: 'get' | 'post' | 'patch' | 'delete', path: string, as: string, body?: object) => {
  const req = request(app)[method](`/api/v1${path}`).set('Authorization', `Bearer ${as}`);
  return body ? req.send(body) : req;
};

describe('the webhook endpoints API', () => {
  it('when a key adds, reads, lists, changes and deletes an endpoint, then each answers as documented', async () => {
    const created = await call('post', '/webhook-endpoints', key, { url: 'https://hooks.example.com/api', events: ['number.purchased', 'call.completed'], description: 'From the API' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ object: 'webhook_endpoint', url: 'https://hooks.example.com/api', events: ['number.purchased', 'call.completed'], description: 'From the API', enabled: true });
    expect(created.body.secret).toMatch(/^whsec_/);
    const id = created.body.id as number;

    expect((await call('get', `/webhook-endpoints/${id}`, key)).body).toMatchObject({ id, secret: created.body.secret });
    const list = await call('get', '/webhook-endpoints?limit=10', key);
    expect(list.body).toMatchObject({ object: 'list', has_more: false });
    expect(list.body.data.map((each: { id: number }) => each.id)).toContain(id);

    const changed = await call('patch', `/webhook-endpoints/${id}`, key, { events: ['balance.low'], enabled: false });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ events: ['balance.low'], enabled: false, url: 'https://hooks.example.com/api', description: 'From the API' });
    expect((await call('patch', `/webhook-endpoints/${id}`, key, { enabled: true })).body).toMatchObject({ enabled: true, consecutive_failures: 0 });

    expect((await call('delete', `/webhook-endpoints/${id}`, key)).status).toBe(204);
    const gone = await call('get', `/webhook-endpoints/${id}`, key);
    expect(gone.status).toBe(404);
    expect(gone.headers['content-type']).toContain('application/problem+json');
  });

  it('when the input is wrong, then it is a 400 problem with one message per field', async () => {
    const bad = await call('post', '/webhook-endpoints', key, { url: 'http://example.com/x', events: ['number.deleted'] });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toMatchObject({ 'events.0': expect.any(String) });
    const http = await call('post', '/webhook-endpoints', key, { url: 'http://example.com/x', events: ['number.purchased'] });
    expect(http.status).toBe(400);
    expect(http.body.errors).toEqual({ url: 'Plain http:// is allowed only to this machine or a private network address; use https://' });
  });

  it('when a key lacks webhooks:write or belongs to another account, then it gets 403 or 404 and nothing changes', async () => {
    const created = await call('post', '/webhook-endpoints', key, { url: 'https://hooks.example.com/mine', events: ['number.released'] });
    const id = created.body.id as number;
    expect((await call('get', '/webhook-endpoints', readOnlyKey)).status).toBe(403);
    expect((await call('post', '/webhook-endpoints', readOnlyKey, { url: 'https://hooks.example.com/x', events: ['number.released'] })).status).toBe(403);
    expect((await call('get', `/webhook-endpoints/${id}`, otherKey)).status).toBe(404);
    expect((await call('patch', `/webhook-endpoints/${id}`, otherKey, { url: 'https://evil.example.com/' })).status).toBe(404);
    expect((await call('delete', `/webhook-endpoints/${id}`, otherKey)).status).toBe(404);
    expect((await call('get', '/webhook-endpoints', otherKey)).body.data).toEqual([]);
    expect((await call('get', `/webhook-endpoints/${id}`, key)).body).toMatchObject({ url: 'https://hooks.example.com/mine', enabled: true });
  });
});

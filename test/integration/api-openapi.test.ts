// The OpenAPI document: a valid OpenAPI 3.1 document that names every mounted /api/v1 route, and
// whose documented answers match what the endpoints send on sample calls.
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Express } from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { SWITCH_API_PATHS } from '../../src/web/routes/switch/index.ts';
import { createTestApp, testConfig } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeApiKey, makeDid, makeOwnedDid, makeProvider } from '../helpers/factories.ts';
import { routesOf } from '../helpers/router-stack.ts';

const database = useTestDatabase();

type Doc = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>>; components: { schemas: Record<string, object> } };

describe('the OpenAPI document', () => {
  let db: Knex;
  let app: Express;
  let doc: Doc;

  beforeAll(async () => {
    db = database.current.db;
    app = createTestApp(db, { config: testConfig({ API_RATE_LIMIT: '1000' }) });
    doc = (await request(app).get('/api/v1/openapi.json')).body as Doc;
  });

  it('when validated against the OpenAPI 3.1 schema, then it is valid', async () => {
    const result = await new Validator().validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect((doc as unknown as { openapi: string }).openapi).toBe('3.1.0');
  });

  it('when every mounted /api/v1 route is listed, then each is in the document (the switch routes excepted)', () => {
    const documented = new Set(Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method} /api/v1${path}`)));
    const mounted = (['get', 'post', 'patch', 'delete'] as const).flatMap((method) =>
      routesOf(app, method)
        .filter((path) => path.startsWith('/api/v1/') && path !== '/api/v1/openapi.json' && !SWITCH_API_PATHS.some((p) => path === `/api/v1${p}`))
        .map((path) => `${method} ${path.replace(/:(\w+)/g, '{$1}')}`),
    );
    expect(mounted.length).toBeGreaterThan(15);
    expect(mounted.filter((route) => !documented.has(route))).toEqual([]);
    expect([...documented].filter((route) => !mounted.includes(route))).toEqual([]);
  });

  it('when sample calls are made, then each answer matches its documented schema', async () => {
    const admin = await makeAccount(db, { role: 'admin' });
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '100' });
    const customer = await makeAccount(db, { role: 'customer', parent: admin, balance: '100' });
    const rKey = (await makeApiKey(db, reseller)).secret;
    const cKey = (await makeApiKey(db, customer)).secret;
    const offered = await makeDid(db);
    const owned = await makeOwnedDid(db, { owner: customer });
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    ajv.addSchema({ $id: 'doc', $defs: {}, components: doc.components } as object);
    const check = async (method: 'get' | 'post' | 'patch' | 'delete', template: string, path: string, key: string, body?: object, headers: Record<string, string> = {}) => {
      const res = await request(app)[method](`/api/v1${path}`).set('Authorization', `Bearer ${key}`).set(headers).send(body);
      const documented = doc.paths[template]![method]!.responses[String(res.status)];
      expect(documented, `${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`).toBeDefined();
      const content = documented!.content;
      if (content) {
        const schema = (content['application/json'] ?? content['application/problem+json'])!.schema;
        const refs = JSON.parse(JSON.stringify(schema).replace(/"#\/components\/schemas\/([^"]+)"/g, '"doc#/components/schemas/$1"'));
        const validate = ajv.compile({ ...refs, $id: `check-${Math.random().toString(36).slice(2)}` });
        expect(validate(res.body), `${method} ${path}: ${JSON.stringify(validate.errors)}`).toBe(true);
      }
      return res;
    };
    const e = encodeURIComponent;
    await check('get', '/available-numbers', '/available-numbers?limit=5', cKey);
    const hold = await check('post', '/number-holds', '/number-holds', cKey, { numbers: [offered.number] });
    await check('get', '/number-holds', '/number-holds', cKey);
    await check('get', '/number-holds/{id}', `/number-holds/${hold.body.id}`, cKey);
    const order = await check('post', '/number-orders', '/number-orders', cKey, { hold_id: hold.body.id }, { 'Idempotency-Key': 'openapi-sample-1' });
    await check('get', '/number-orders/{id}', `/number-orders/${order.body.id}`, cKey);
    await check('get', '/numbers', '/numbers', cKey);
    await check('get', '/numbers', '/numbers', rKey);
    await check('get', '/numbers/{e164}', `/numbers/${e(owned.number)}`, cKey);
    await check('patch', '/numbers/{e164}', `/numbers/${e(owned.number)}`, cKey, { forwarding: { type: 'extension', destination: '1001' } });
    await check('delete', '/numbers/{e164}', `/numbers/${e(owned.number)}`, cKey);
    await check('get', '/numbers/{e164}', `/numbers/${e(owned.number)}`, cKey);
    await check('get', '/calls', '/calls', cKey);
    await check('get', '/balance', '/balance', cKey);
    await check('get', '/transactions', '/transactions?limit=2', cKey);
    await check('get', '/customers', '/customers', rKey);
    const made = await check('post', '/customers', '/customers', rKey, { name: 'Doc Customer', email: `doc-${Date.now()}@test.example`, password: 'long-enough-password' });
    await check('patch', '/customers/{id}', `/customers/${made.body.id}`, rKey, { status: 'suspended' });
    await check('post', '/customers/{id}/payments', `/customers/${made.body.id}/payments`, rKey, { kind: 'refill', amount: '5' }, { 'Idempotency-Key': 'openapi-pay-1' });
    await check('get', '/customers', '/customers', cKey);
    await check('get', '/available-numbers', '/available-numbers?limit=0', cKey);
    const aKey = (await makeApiKey(db, admin)).secret;
    const provider = await makeProvider(db);
    const did = {
      number: '+14155550142', provider_id: provider.id, status: 'active', buy_cost: '0.4', setup_fee: '1', monthly_fee: '2', connection_cost: '0', grace_seconds: 0,
      cost_per_minute: '0.01', initial_increment: 60, increment: 60, call_timeout: 30, billing_type: 'recurring', billing_days: 30, concurrent_calls: 0,
    };
    await check('post', '/admin/dids', '/admin/dids', aKey, did);
    await check('get', '/admin/dids', '/admin/dids?limit=2', aKey);
    await check('get', '/admin/dids/{e164}', `/admin/dids/${e(did.number)}`, aKey);
    await check('patch', '/admin/dids/{e164}', `/admin/dids/${e(did.number)}`, aKey, { monthly_fee: '3' });
    await check('delete', '/admin/dids/{e164}', `/admin/dids/${e(did.number)}`, aKey);
    await check('get', '/admin/dids', '/admin/dids', rKey);
  }, 90_000);
});

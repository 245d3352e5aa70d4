// Buying held numbers any other way than by the hold's order (issue 15): a number bought under the
// buyer's own live hold leaves the hold, and a hold left with no numbers is released, in the
// purchase's transaction. By the API's order of numbers, and on the pages (one number, several).
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { holdNumbers } from '../../src/services/number-holds.ts';
import { postNumberOrder } from '../helpers/api.ts';
import { createTestApp, testConfig } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeApiKey, makeDid } from '../helpers/factories.ts';
import { loginAs, postForm } from '../helpers/login.ts';

const database = useTestDatabase();
const NOW = new Date('2026-12-01T12:00:00Z');

describe('purchases of held numbers', () => {
  let db: Knex;
  let app: Express;
  let admin: AccountRow;

  beforeAll(async () => {
    db = database.current.db;
    app = createTestApp(db, { now: () => NOW, config: testConfig({ API_RATE_LIMIT: '1000' }) });
    admin = await makeAccount(db, { role: 'admin' });
  });

  const api = (key: string) => ({
    get: (path: string) => request(app).get(`/api/v1${path}`).set('Authorization', `Bearer ${key}`),
    order: (numbers: string[]) => postNumberOrder(app, key, { numbers }, randomUUID()),
  });
  const holdOf = (id: number) => db('number_holds').where({ id }).first('released_at', 'ordered_at', 'expired_at');
  const holdOn = async (productId: number) => (await db('products').where({ id: productId }).first('hold_id')).hold_id;

  it('when the holder orders held numbers by number, then each leaves the hold, the hold stays on the rest, and the last one releases it', async () => {
    const buyer = await makeAccount(db, { role: 'customer', parent: admin, balance: '100' });
    const other = await makeAccount(db, { role: 'customer', parent: admin, balance: '100' });
    const [a, b] = [await makeDid(db), await makeDid(db)];
    const hold = await holdNumbers(db, { accountId: buyer.id, numbers: [a!.number, b!.number], minutes: 10, maxMinutes: 60, now: NOW });
    const buyerApi = api((await makeApiKey(db, buyer)).secret);

    expect((await buyerApi.order([a!.number])).status).toBe(201);
    expect((await buyerApi.get(`/number-holds/${hold.id}`)).body).toMatchObject({ status: 'active', numbers: [b!.number] });
    expect(await holdOn(b!.id)).toBe(hold.id);
    expect((await api((await makeApiKey(db, other)).secret).order([b!.number])).status).toBe(409);

    expect((await buyerApi.order([b!.number])).status).toBe(201);
    expect((await buyerApi.get(`/number-holds/${hold.id}`)).body).toMatchObject({ status: 'released', numbers: [] });
    expect(await holdOf(hold.id)).toEqual({ released_at: NOW, ordered_at: null, expired_at: null });
    expect(Number((await db('products').whereIn('id', [a!.id, b!.id]).whereNotNull('hold_id').count({ n: '*' }).first())!.n)).toBe(0);
  });

  it('when the holder buys held numbers on the pages, then My holds loses each, and the multi-buy of the last ends the hold', async () => {
    const buyer = await makeAccount(db, { role: 'customer', parent: admin, balance: '100' });
    const [a, b] = [await makeDid(db), await makeDid(db)];
    const hold = await holdNumbers(db, { accountId: buyer.id, numbers: [a!.number, b!.number], minutes: 10, maxMinutes: 60, now: NOW });
    const agent = await loginAs(app, buyer.email);

    const one = await postForm(agent, `/customer/buy/${a!.id}`, { purchase_key: randomUUID() }, `/customer/buy/${a!.id}`);
    expect(one.status).toBe(303);
    const holds = (await agent.get('/customer/holds')).text;
    expect(holds).toContain(`data-e164="${b!.number}"`);
    expect(holds).not.toContain(`data-e164="${a!.number}"`);
    expect(await holdOf(hold.id)).toEqual({ released_at: null, ordered_at: null, expired_at: null });

    const many = await postForm(agent, '/customer/buy/confirm', { ids: String(b!.id), purchase_key: randomUUID() }, `/customer/buy/confirm?ids=${b!.id}`);
    expect(many.status).toBe(303);
    expect(await holdOf(hold.id)).toEqual({ released_at: NOW, ordered_at: null, expired_at: null });
    expect((await agent.get('/customer/holds')).text).toContain('No active holds.');
    expect(Number((await db('subscriptions').where({ account_id: buyer.id }).whereIn('product_id', [a!.id, b!.id]).count({ n: '*' }).first())!.n)).toBe(2);
  });
});

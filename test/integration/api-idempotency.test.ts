// Idempotency-Key as Stripe has it: once the order started, its result is saved whatever it is (a
// 402 or a 409 replays as it was, even after the cause went away); bad input is not saved, so the
// key can be sent again with a corrected body.
import type { Express } from 'express';
import type { Knex } from 'knex';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { postNumberOrder } from '../helpers/api.ts';
import { createTestApp, testConfig } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { fund, makeAccount, makeApiKey, makeDid } from '../helpers/factories.ts';

const database = useTestDatabase();

describe('Idempotency-Key replays', () => {
  let db: Knex;
  let app: Express;
  let admin: AccountRow;

  beforeAll(async () => {
    db = database.current.db;
    app = createTestApp(db, { config: testConfig({ API_RATE_LIMIT: '1000' }) });
    admin = await makeAccount(db, { role: 'admin' });
  });

  const order = (key: string, body: unknown, idempotencyKey: string) => postNumberOrder(app, key, body, idempotencyKey);

  it('when an order is refused for funds, then the same key replays the 402 even after a payment, and a new key buys', async () => {
    const buyer = await makeAccount(db, { role: 'customer', parent: admin, balance: '1' });
    const key = (await makeApiKey(db, buyer)).secret;
    const did = await makeDid(db, { setup_fee: '1.00', monthly_fee: '2.00' });
    const refused = await order(key, { numbers: [did.number] }, 'funds-key-0001');
    expect(refused.status).toBe(402);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ type: '/problems/insufficient-funds', status: 402 });
    await fund(db, buyer, '10');
    const replayed = await order(key, { numbers: [did.number] }, 'funds-key-0001');
    expect(replayed.status).toBe(402);
    expect(replayed.body).toEqual(refused.body);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(await db('subscriptions').where({ account_id: buyer.id })).toHaveLength(0);
    expect((await order(key, { numbers: [did.number] }, 'funds-key-0002')).status).toBe(201);
  });

  it('when a number is taken, then the 409 is saved under the key', async () => {
    const buyer = await makeAccount(db, { role: 'customer', parent: admin, balance: '100' });
    const key = (await makeApiKey(db, buyer)).secret;
    const sold = await makeDid(db, { customer_id: buyer.id });
    const first = await order(key, { numbers: [sold.number] }, 'taken-key-0001');
    expect(first.status).toBe(409);
    const again = await order(key, { numbers: [sold.number] }, 'taken-key-0001');
    expect([again.status, again.headers['idempotent-replayed']]).toEqual([409, 'true']);
    expect(again.body).toEqual(first.body);
    expect((await order(key, { numbers: ['+14155550999'] }, 'taken-key-0001')).status).toBe(422);
  });

  it('when the body is invalid, then nothing is saved and the key serves the corrected request', async () => {
    const buyer = await makeAccount(db, { role: 'customer', parent: admin, balance: '100' });
    const key = (await makeApiKey(db, buyer)).secret;
    const did = await makeDid(db);
    const bad = await order(key, { numbers: ['not-a-number'] }, 'fixed-key-0001');
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.errors)).toEqual(['numbers.0']);
    const emptyHold = await order(key, { hold_id: 999_999 }, 'fixed-key-0002');
    expect(emptyHold.status).toBe(404);
    const good = await order(key, { numbers: [did.number] }, 'fixed-key-0001');
    expect([good.status, good.headers['idempotent-replayed']]).toEqual([201, 'false']);
    expect(await db('api_idempotency_keys').where({ account_id: buyer.id }).orderBy('key').select('key', 'status')).toEqual([
      { key: 'fixed-key-0001', status: 201 },
      { key: 'fixed-key-0002', status: 404 },
    ]);
  });
});

// The API's concurrency guarantees on real Postgres (PGlite has one connection: nothing races there).
import type { Express } from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { postNumberOrder } from '../helpers/api.ts';
import { createTestApp, testConfig } from '../helpers/app.ts';
import { testServerUrl, useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeApiKey, makeDid } from '../helpers/factories.ts';

const database = useTestDatabase({ poolMax: 30 });

describe.skipIf(!testServerUrl())('API races on real Postgres', () => {
  let db: Knex;
  let app: Express;
  let admin: AccountRow;

  beforeAll(async () => {
    db = database.current.db;
    app = createTestApp(db, { config: testConfig({ API_RATE_LIMIT: '1000' }) });
    admin = await makeAccount(db, { role: 'admin' });
  });

  const order = (key: string, body: unknown, idempotencyKey: string) => postNumberOrder(app, key, body, idempotencyKey);

  it('when 20 buyers race for a held number, then only the holder buys it', async () => {
    const did = await makeDid(db);
    const holder = await makeAccount(db, { role: 'customer', parent: admin, balance: '100' });
    const holderKey = (await makeApiKey(db, holder)).secret;
    const hold = await request(app).post('/api/v1/number-holds').set('Authorization', `Bearer ${holderKey}`).send({ numbers: [did.number] });
    expect(hold.status).toBe(201);
    const others = await Promise.all(Array.from({ length: 19 }, async () => {
      const buyer = await makeAccount(db, { role: 'customer', parent: admin, balance: '100' });
      return (await makeApiKey(db, buyer)).secret;
    }));
    const answers = await Promise.all([
      ...others.map((key, i) => order(key, { numbers: [did.number] }, `race-other-${i}-xx`)),
      order(holderKey, { hold_id: hold.body.id }, 'race-holder-xx'),
    ]);
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.at(-1)).toBe(201);
    expect(statuses.slice(0, -1).every((status) => status === 409)).toBe(true);
    const product = await db('products').where({ id: did.id }).first('customer_id');
    expect(Number(product.customer_id)).toBe(holder.id);
  });

  it('when 20 holds race for one number, then one hold gets it', async () => {
    const did = await makeDid(db);
    const keys = await Promise.all(Array.from({ length: 20 }, async () => {
      const buyer = await makeAccount(db, { role: 'customer', parent: admin });
      return (await makeApiKey(db, buyer)).secret;
    }));
    const answers = await Promise.all(keys.map((key) => request(app).post('/api/v1/number-holds').set('Authorization', `Bearer ${key}`).send({ numbers: [did.number] })));
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 409)).toHaveLength(19);
  });

  it('when the same Idempotency-Key is sent 20 times at once, then the order charges once and every answer is the same', async () => {
    const did = await makeDid(db, { setup_fee: '1.00', monthly_fee: '2.00' });
    const buyer = await makeAccount(db, { role: 'customer', parent: admin, balance: '100' });
    const key = (await makeApiKey(db, buyer)).secret;
    const answers = await Promise.all(Array.from({ length: 20 }, () => order(key, { numbers: [did.number] }, 'same-key-20-times')));
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(201));
    expect(new Set(answers.map((answer) => answer.body.id)).size).toBe(1);
    const charges = await db('ledger_entries').where({ account_id: buyer.id }).whereIn('kind', ['setup_fee', 'recurring_fee']);
    expect(charges).toHaveLength(2);
    const account = await db('accounts').where({ id: buyer.id }).first('balance');
    expect(account.balance).toBe('97.000000');
  });
});

// The database keeps its own rules, whatever code writes to it.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeDid, makeHierarchy, type DidFields } from '../helpers/factories.ts';

const database = useTestDatabase();
let db: Knex;
let people: Awaited<ReturnType<typeof makeHierarchy>>;

beforeAll(async () => {
  db = database.current.db;
  people = await makeHierarchy(db);
});

/** Runs a write in a savepoint-free transaction of its own and returns the Postgres error code. */
async function failureCode(write: (trx: Knex.Transaction) => Promise<unknown>): Promise<string | undefined> {
  try {
    await db.transaction(write);
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('accounts', () => {
  it('when an email differs only in case, then the second account is refused', async () => {
    const account = await makeAccount(db, { role: 'customer', parent: people.admin });
    const code = await failureCode((trx) =>
      trx('accounts').insert({ role: 'customer', parent_id: people.admin.id, name: 'x', email: account.email.toUpperCase(), password_hash: 'x' }),
    );
    expect(code).toBe('23505');
  });

  it.each([
    [{ role: 'operator' }, 'unknown role'],
    [{ status: 'deleted' }, 'unknown status'],
    [{ billing_mode: 'monthly' }, 'unknown billing mode'],
    [{ credit_limit: '-1' }, 'negative credit limit'],
    [{ max_concurrent_calls: -1 }, 'negative call limit'],
    [{ parent_id: null }, 'a customer without a parent'],
    [{ name: '   ' }, 'a blank name'],
  ])('when an account has %o (%s), then it is refused', async (fields, _reason) => {
    const code = await failureCode((trx) =>
      trx('accounts').insert({ role: 'customer', parent_id: people.admin.id, name: 'n', email: `bad-${Math.random()}@x.example`, password_hash: 'x', ...fields }),
    );
    expect(code).toBe('23514');
  });

  it('when a parent account does not exist, then the foreign key refuses it', async () => {
    const code = await failureCode((trx) =>
      trx('accounts').insert({ role: 'customer', parent_id: 999_999, name: 'n', email: 'orphan@x.example', password_hash: 'x' }),
    );
    expect(code).toBe('23503');
  });
});

describe('products', () => {
  it('when a number exists already, then a second product with it is refused', async () => {
    const did = await makeDid(db);
    expect(await failureCode((trx) => makeDid(trx as unknown as Knex, { number: did.number }))).toBe('23505');
  });

  it.each([
    [{ number: '4155550100' }, 'a number not in E.164'],
    [{ cost_per_minute: '-0.01' }, 'a negative rate'],
    [{ setup_fee: '-1' }, 'a negative setup fee'],
    [{ grace_seconds: -1 }, 'negative grace time'],
    [{ increment: -6 }, 'a negative increment'],
    [{ billing_type: 'recurring', billing_days: 0 }, 'recurring every 0 days'],
    [{ billing_type: 'weekly' }, 'an unknown billing type'],
    [{ status: 'deleted' }, 'an unknown status'],
    [{ country: 'us' }, 'a country that is not an upper-case ISO code'],
    [{ destination_type: 'fax' }, 'an unknown destination type'],
  ])('when a DID has %o (%s), then it is refused', async (fields, _reason) => {
    expect(await failureCode((trx) => makeDid(trx as unknown as Knex, fields as DidFields))).toBe('23514');
  });

  it('when a one-time DID is held for 0 days (no end), then it is accepted', async () => {
    await expect(makeDid(db, { billing_type: 'one_time', billing_days: 0 })).resolves.toHaveProperty('id');
  });
});

describe('ledger', () => {
  it('when an idempotency key is used twice, then the second row is refused', async () => {
    const entry = { account_id: people.customer.id, amount: '1', balance_after: '1', kind: 'payment', description: 'x', idempotency_key: 'same-key' };
    await db('ledger_entries').insert(entry);
    expect(await failureCode((trx) => trx('ledger_entries').insert(entry))).toBe('23505');
  });

  it('when a ledger row has an unknown kind, then it is refused', async () => {
    const code = await failureCode((trx) =>
      trx('ledger_entries').insert({ account_id: people.customer.id, amount: '1', balance_after: '1', kind: 'gift', description: 'x', idempotency_key: 'k-gift' }),
    );
    expect(code).toBe('23514');
  });

  it('when money is stored, then all six decimals are kept exactly', async () => {
    const [row] = await db('ledger_entries')
      .insert({ account_id: people.customer.id, amount: '12345678901234.123456', balance_after: '0', kind: 'adjustment', description: 'x', idempotency_key: 'k-exact' })
      .returning('amount');
    expect(row.amount).toBe('12345678901234.123456');
  });
});

describe('subscriptions', () => {
  it('when an account would hold the same number through two live subscriptions, then the second is refused', async () => {
    const did = await makeDid(db);
    const subscription = {
      product_id: did.id, account_id: people.reseller.id, seller_id: people.admin.id, billing_type: 'recurring',
      billing_days: 30, setup_fee: '0', price: '1', started_at: new Date(),
    };
    await db('subscriptions').insert(subscription);
    expect(await failureCode((trx) => trx('subscriptions').insert(subscription))).toBe('23505');
    // Once ended, the number can be bought again.
    await db('subscriptions').where({ product_id: did.id }).update({ status: 'ended', ended_at: new Date() });
    await expect(db('subscriptions').insert(subscription)).resolves.toBeDefined();
  });
});

// The ledger writer at the limits of NUMERIC(20,6): balances of 17 and 20 significant digits, where
// a JavaScript number (parseFloat, Number()) would round the last places away.
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { postLedgerEntry } from '../../src/db/ledger-writer.ts';
import { availableFunds } from '../../src/services/ledger.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount } from '../helpers/factories.ts';

const database = useTestDatabase();
const NOW = new Date('2027-03-01T12:00:00Z');
let postings = 0;
let admin: AccountRow;

beforeAll(async () => {
  admin = await makeAccount(database.current.db, { role: 'admin' });
});

async function post(account: AccountRow, amount: string) {
  const db = database.current.db;
  postings += 1;
  return db.transaction((trx) =>
    postLedgerEntry(trx, { accountId: account.id, amount, kind: 'adjustment', description: 'Limit test', idempotencyKey: `limit:${account.id}:${postings}`, now: NOW }),
  );
}

async function storedBalance(accountId: number): Promise<string> {
  const row = (await database.current.db('accounts').where({ id: accountId }).first('balance')) as { balance: string };
  return row.balance;
}

describe('postLedgerEntry at the limits of NUMERIC(20,6)', () => {
  it.each([
    ['12345678901.234567', '0.000001', '12345678901.234568'],
    ['99999999999999.999999', '-0.000001', '99999999999999.999998'],
    ['-99999999999999.999998', '-0.000001', '-99999999999999.999999'],
    ['0.000001', '99999999999999.999998', '99999999999999.999999'],
  ])('when a balance of %s gets %s, then the entry, the stored balance and the result are exactly %s', async (opening, amount, expected) => {
    const account = await makeAccount(database.current.db, { parent: admin, balance: opening });
    expect(await storedBalance(account.id)).toBe(opening);

    const { entry, account: after } = await post(account, amount);

    expect(entry.amount).toBe(amount);
    expect(entry.balance_after).toBe(expected);
    expect(after.balance).toBe(expected);
    expect(await storedBalance(account.id)).toBe(expected);
  });

  it('when many micro-postings follow a large balance, then every step moves it by exactly 0.000001', async () => {
    const account = await makeAccount(database.current.db, { parent: admin, balance: '98765432109876.543210' });
    const balances: string[] = [];
    for (let i = 0; i < 5; i += 1) balances.push((await post(account, '0.000001')).entry.balance_after);
    expect(balances).toEqual([
      '98765432109876.543211', '98765432109876.543212', '98765432109876.543213', '98765432109876.543214', '98765432109876.543215',
    ]);
  });
});

describe('availableFunds at large balances', () => {
  it('when a postpaid account with a large credit limit holds a large balance, then its available funds are exact to the last place', async () => {
    const account = await makeAccount(database.current.db, { parent: admin, billing_mode: 'postpaid', credit_limit: '87654321098.765433', balance: '12345678901.234567' });
    const { account: after } = await post(account, '0.000001');
    expect(availableFunds(after)).toBe('100000000000.000001');
    const stored = (await database.current.db('accounts').where({ id: account.id }).first()) as AccountRow;
    expect(availableFunds(stored)).toBe('100000000000.000001');
  });

  it('when a postpaid account is deep in debt at the limit, then balance plus credit limit is exact', async () => {
    const account = await makeAccount(database.current.db, { parent: admin, billing_mode: 'postpaid', credit_limit: '99999999999999.999999' });
    const { account: after } = await post(account, '-99999999999999.999998');
    expect(after.balance).toBe('-99999999999999.999998');
    expect(availableFunds(after)).toBe('0.000001');
  });

  it('when a prepaid account has a credit limit, then only its balance counts, exactly', async () => {
    const account = await makeAccount(database.current.db, { parent: admin, credit_limit: '5', balance: '12345678901.234567' });
    expect(availableFunds(account)).toBe('12345678901.234567');
  });
});

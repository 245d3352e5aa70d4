// The one writer of balances, single entry and batch, at the limits of NUMERIC(20,6).
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { postLedgerBatch, postLedgerEntry, type BatchPosting } from '../../src/db/ledger-writer.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount } from '../helpers/factories.ts';

const database = useTestDatabase();
const NOW = new Date('2026-11-30T12:00:00Z');
let db: Knex;
let admin: AccountRow;

beforeAll(async () => {
  db = database.current.db;
  admin = await makeAccount(db, { role: 'admin' });
});

const customer = (balance: string) => makeAccount(db, { role: 'customer', parent: admin, balance });

async function balanceOf(accountId: number): Promise<string> {
  return ((await db('accounts').where({ id: accountId }).first('balance')) as { balance: string }).balance;
}

async function ledgerOf(accountId: number): Promise<Array<{ amount: string; balance_after: string; billing_run_id: number | null; kind: string }>> {
  return db('ledger_entries').where({ account_id: accountId }).orderBy('id').select('amount', 'balance_after', 'billing_run_id', 'kind');
}

function charge(accountId: number, amount: string): BatchPosting {
  return { accountId, amount, kind: 'recurring_fee', description: 'Renewal', idempotencyKey: `test:${randomUUID()}`, referenceType: null, referenceId: null };
}

describe('the ledger writer', () => {
  it('when 0.000001 is added to a balance of 12345678901.234567, then the balance is exactly 12345678901.234568', async () => {
    const account = await customer('12345678901.234567');
    const { account: after } = await db.transaction((trx) =>
      postLedgerEntry(trx, { accountId: account.id, amount: '0.000001', kind: 'payment', description: 'Cent', idempotencyKey: `test:${randomUUID()}`, now: NOW }),
    );
    expect(after.balance).toBe('12345678901.234568');
    expect(await balanceOf(account.id)).toBe('12345678901.234568');
  });

  it('when a batch takes 0.000001 from 99999999999999.999999, then the balance is exactly 99999999999999.999998', async () => {
    const account = await customer('99999999999999.999999');
    await db.transaction((trx) => postLedgerBatch(trx, [charge(account.id, '-0.000001')], { now: NOW, billingRunId: null }));
    expect(await balanceOf(account.id)).toBe('99999999999999.999998');
  });

  it('when a batch charges one account several times among others, then each row carries the running balance and each balance equals its ledger', async () => {
    const first = await customer('10');
    const second = await customer('1.5');
    await db.transaction((trx) =>
      postLedgerBatch(trx, [charge(first.id, '-2.25'), charge(second.id, '-0.000001'), charge(first.id, '-3.000001'), charge(first.id, '-5')], { now: NOW, billingRunId: null }),
    );
    expect((await ledgerOf(first.id)).map((row) => [row.amount, row.balance_after])).toEqual([
      ['10.000000', '10.000000'], ['-2.250000', '7.750000'], ['-3.000001', '4.749999'], ['-5.000000', '-0.250001'],
    ]);
    expect(await balanceOf(first.id)).toBe('-0.250001');
    expect(await balanceOf(second.id)).toBe('1.499999');
  });

  it('when a batch repeats a ledger key, then nothing of it is written', async () => {
    const account = await customer('10');
    const twice = charge(account.id, '-1');
    await expect(db.transaction((trx) => postLedgerBatch(trx, [twice, { ...twice }], { now: NOW, billingRunId: null }))).rejects.toThrow();
    expect(await balanceOf(account.id)).toBe('10.000000');
    expect(await ledgerOf(account.id)).toHaveLength(1);
  });
});

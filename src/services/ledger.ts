// What an account may spend. Balances themselves are written only by src/db/ledger-writer.ts.
import type { AccountRow } from '../db/repos/accounts.ts';
import { Money, toStored } from '../domain/money.ts';
import { callReservationsOf } from '../db/repos/call-slots.ts';
import type { Db } from '../db/knex.ts';
import type { Transaction } from '../db/transaction.ts';

/**
 * Funds an account may spend: its balance, plus its credit limit when postpaid, minus what is
 * reserved for its calls in progress (BILLING.md "Accounts and funds").
 */
export function availableFunds(account: Pick<AccountRow, 'balance' | 'credit_limit' | 'billing_mode'>, reserved: string = '0'): string {
  const balance = new Money(account.balance);
  const funds = account.billing_mode === 'postpaid' ? balance.plus(account.credit_limit) : balance;
  return toStored(funds.minus(reserved));
}

/** What an account has reserved for calls in progress now, read without a lock (for pages). */
export async function reservedForCalls(db: Db, accountId: number, now: Date): Promise<string> {
  return (await callReservationsOf(db, [accountId], now, { lock: false })).get(accountId)?.reserved ?? '0';
}

/**
 * The reservations of accounts about to be charged, locked until the caller's transaction ends,
 * so no call reserves what it spends (lock the accounts' rows first: see lock_call_reservations).
 */
export async function lockReservedForCalls(trx: Transaction, accountIds: number[], now: Date): Promise<Map<number, string>> {
  const found = await callReservationsOf(trx, accountIds, now, { lock: true });
  return new Map(accountIds.map((id) => [id, found.get(id)?.reserved ?? '0']));
}

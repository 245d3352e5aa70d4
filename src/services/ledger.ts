// Every change of a balance goes through here: lock the account, write the ledger row with the
// balance after it, update the balance, all in the caller's transaction. So
// balance = sum(ledger amounts) holds at every commit.
import type { Knex } from 'knex';
import { Money, toStored } from '../domain/money.ts';
import { lockAccount, setAccountBalance, type AccountRow } from '../db/repos/accounts.ts';
import { callReservationsOf } from '../db/repos/call-slots.ts';
import type { Db } from '../db/knex.ts';
import { insertLedgerEntry, type LedgerEntryRow, type LedgerKind } from '../db/repos/ledger.ts';
import { NotFoundError } from '../errors.ts';

export interface Posting {
  accountId: number;
  /** Signed: a charge is negative, money received is positive. */
  amount: string;
  kind: LedgerKind;
  description: string;
  idempotencyKey: string;
  referenceType?: string;
  referenceId?: number;
  correctsEntryId?: number;
  createdBy?: number | null;
  now: Date;
}

export interface PostingResult {
  entry: LedgerEntryRow;
  account: AccountRow;
}

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
export async function lockReservedForCalls(trx: Knex.Transaction, accountIds: number[], now: Date): Promise<Map<number, string>> {
  const found = await callReservationsOf(trx, accountIds, now, { lock: true });
  return new Map(accountIds.map((id) => [id, found.get(id)?.reserved ?? '0']));
}

export async function postLedgerEntry(trx: Knex.Transaction, posting: Posting): Promise<PostingResult> {
  const account = await lockAccount(trx, posting.accountId);
  if (!account) throw new NotFoundError(`Account ${posting.accountId} not found`);
  const balanceAfter = toStored(new Money(account.balance).plus(posting.amount));
  const entry = await insertLedgerEntry(trx, {
    account_id: account.id,
    amount: toStored(posting.amount),
    balance_after: balanceAfter,
    kind: posting.kind,
    description: posting.description,
    idempotency_key: posting.idempotencyKey,
    reference_type: posting.referenceType ?? null,
    reference_id: posting.referenceId ?? null,
    corrects_entry_id: posting.correctsEntryId ?? null,
    created_by: posting.createdBy ?? null,
    created_at: posting.now,
  });
  await setAccountBalance(trx, account.id, balanceAfter, posting.now);
  return { entry, account: { ...account, balance: balanceAfter } };
}

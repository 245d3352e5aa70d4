// What an account may spend. Balances themselves are written only by src/db/ledger-writer.ts.
import type { AccountRow } from '../db/repos/accounts.ts';
import { Money, toStored } from '../domain/money.ts';

/** Funds an account may spend: its balance, plus its credit limit when postpaid. */
export function availableFunds(account: Pick<AccountRow, 'balance' | 'credit_limit' | 'billing_mode'>): string {
  const balance = new Money(account.balance);
  const funds = account.billing_mode === 'postpaid' ? balance.plus(account.credit_limit) : balance;
  return toStored(funds);
}

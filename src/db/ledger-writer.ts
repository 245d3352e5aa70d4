// The one writer of balances. Every change of a balance (a purchase, a renewal, a manual posting,
// a batch of CDRs) goes through here: lock the account, write the ledger row with the balance
// after it, set the balance, all in the caller's transaction. So balance = sum(ledger amounts)
// holds at every commit.
import { Money, toStored } from '../domain/money.ts';
import { NotFoundError } from '../errors.ts';
import { lockAccount, setAccountBalance, type AccountRow } from './repos/accounts.ts';
import { insertLedgerEntry, type LedgerEntryRow, type LedgerKind } from './repos/ledger.ts';
import type { Transaction } from './transaction.ts';

// A batch of rated CDRs is stored and charged by one SQL function (charge_cdr_batch) that applies
// the same rule set-based; its caller reaches it through this module.
export { chargeCdrBatch, type CdrCallRow, type CdrChargeRow } from './repos/cdr-batches.ts';

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
  /** The period a recurring fee covers (end exclusive), shown on the invoice that lists it. */
  period?: ChargedPeriod | undefined;
  now: Date;
}

export interface ChargedPeriod {
  start: Date;
  end: Date | null;
}

export interface PostingResult {
  entry: LedgerEntryRow;
  account: AccountRow;
}

/** One ledger row and its account's new balance. */
export async function postLedgerEntry(trx: Transaction, posting: Posting): Promise<PostingResult> {
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
    period_start: posting.period?.start ?? null,
    period_end: posting.period?.end ?? null,
  });
  await setAccountBalance(trx, account.id, balanceAfter, posting.now);
  return { entry, account: { ...account, balance: balanceAfter } };
}

export interface BatchPosting {
  accountId: number;
  /** Signed, as in Posting. */
  amount: string;
  kind: LedgerKind;
  description: string;
  idempotencyKey: string;
  referenceType: string | null;
  referenceId: number | null;
  period?: ChargedPeriod | undefined;
}

// Set-based: the rows go over as one array per column, the accounts are locked in id order (so
// concurrent batches never deadlock each other), each row's balance after it is the locked balance
// plus the running sum of that account's amounts in the batch's order (NUMERIC, exact), and each
// balance is set once. One statement however many rows (a data-modifying WITH runs whether or not
// the rest reads it).
const BATCH_STATEMENT = `
  WITH t AS (
    SELECT * FROM unnest(?::bigint[], ?::numeric[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::text[], ?::timestamptz[], ?::timestamptz[])
      WITH ORDINALITY AS t(account_id, amount, kind, description, reference_type, reference_id, idempotency_key, period_start, period_end, seq)
  ), locked AS (
    SELECT a.id, a.balance FROM accounts a WHERE a.id IN (SELECT account_id FROM t) ORDER BY a.id FOR UPDATE
  ), written AS (
    INSERT INTO ledger_entries (account_id, amount, balance_after, kind, description, reference_type, reference_id, idempotency_key, period_start, period_end, created_at, billing_run_id)
    SELECT t.account_id, t.amount, l.balance + sum(t.amount) OVER (PARTITION BY t.account_id ORDER BY t.seq), t.kind, t.description,
      t.reference_type, t.reference_id, t.idempotency_key, t.period_start, t.period_end, ?::timestamptz, ?::bigint
    FROM t JOIN locked l ON l.id = t.account_id
    ORDER BY t.seq
    RETURNING 1
  )
  UPDATE accounts AS a SET balance = l.balance + d.delta, updated_at = ?::timestamptz
  FROM (SELECT account_id, sum(amount) AS delta FROM t GROUP BY account_id) d JOIN locked l ON l.id = d.account_id
  WHERE a.id = d.account_id`;

/** Many ledger rows at once, in order (a billing run's renewals carry the run's id). */
export async function postLedgerBatch(trx: Transaction, postings: BatchPosting[], options: { now: Date; billingRunId: number | null }): Promise<void> {
  if (postings.length === 0) return;
  const now = options.now.toISOString();
  await trx.raw(BATCH_STATEMENT, [
    postings.map((p) => p.accountId), postings.map((p) => toStored(p.amount)), postings.map((p) => p.kind), postings.map((p) => p.description),
    postings.map((p) => p.referenceType), postings.map((p) => p.referenceId), postings.map((p) => p.idempotencyKey),
    postings.map((p) => p.period?.start.toISOString() ?? null), postings.map((p) => p.period?.end?.toISOString() ?? null),
    now, options.billingRunId, now,
  ] as never);
}

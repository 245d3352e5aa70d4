// Payments, refills and adjustments recorded by hand: by the admin on any reseller or customer,
// by a reseller on its own customers. Each is one ledger row posted through postLedgerEntry, once
// per form (the form's idempotency key), with an audit row.
import type { Db } from '../db/knex.ts';
import { inTransaction } from '../db/transaction.ts';
import type { AccountRow } from '../db/repos/accounts.ts';
import { findAccountById } from '../db/repos/accounts.ts';
import { findScopedAccount, lockScopedAccount, type AccountScope } from '../db/repos/account-directory.ts';
import { findLedgerEntryOfAccount } from '../db/repos/ledger-history.ts';
import { findLedgerEntryByKey, type LedgerEntryRow } from '../db/repos/ledger.ts';
import { insertAuditEntry } from '../db/repos/audit-log.ts';
import { Money, toStored, toStoredChecked } from '../domain/money.ts';
import { ConflictError, NotFoundError, ValidationError, isUniqueViolation } from '../errors.ts';
import { postLedgerEntry } from '../db/ledger-writer.ts';
import { availableFunds } from './ledger.ts';
import { retryAccountRenewals } from './renewals.ts';
import { settleAccountInvoices } from './invoice-settlement.ts';
import { recordEvent } from './events.ts';

export const MANUAL_KINDS = ['payment', 'refill', 'adjustment'] as const;
export type ManualKind = (typeof MANUAL_KINDS)[number];

export const MANUAL_KIND_LABELS: Record<ManualKind, string> = {
  payment: 'Payment received',
  refill: 'Refill',
  adjustment: 'Adjustment',
};

export interface ManualEntryInput {
  accountId: number;
  kind: ManualKind;
  /** Signed plain decimal string. */
  amount: string;
  note: string;
  correctsEntryId?: number | undefined;
  /** The form's key: one form records once, however often it is sent. */
  idempotencyKey: string;
}

/** The sign rule of each kind: money in is positive, an adjustment may go either way. */
export function amountRuleBroken(kind: ManualKind, amount: string): string | undefined {
  const value = new Money(amount);
  if (kind === 'adjustment') return value.isZero() ? 'An adjustment cannot be zero' : undefined;
  return value.greaterThan(0) ? undefined : `A ${kind} is a positive amount; use an adjustment to take money off`;
}

export interface ManualEntryPreview {
  account: AccountRow;
  amount: string;
  balanceBefore: string;
  balanceAfter: string;
  availableBefore: string;
  availableAfter: string;
  /** A negative adjustment that leaves the account unable to pay for anything. */
  leavesNoFunds: boolean;
  corrects: LedgerEntryRow | undefined;
}

async function correctedEntry(db: Db, input: ManualEntryInput): Promise<LedgerEntryRow | undefined> {
  if (input.correctsEntryId === undefined) return undefined;
  if (input.kind !== 'adjustment') {
    throw new ValidationError('Only an adjustment corrects an entry', { corrects_entry_id: 'Only an adjustment points to an entry it corrects' });
  }
  const entry = await findLedgerEntryOfAccount(db, input.accountId, input.correctsEntryId);
  if (!entry) throw new ValidationError('No such entry', { corrects_entry_id: `Entry ${input.correctsEntryId} is not one of this account's entries` });
  return entry;
}

function checkAmount(input: ManualEntryInput): void {
  const broken = amountRuleBroken(input.kind, input.amount);
  if (broken) throw new ValidationError(broken, { amount: broken });
}

/** The balance after the entry; refused at the amount field when NUMERIC(20,6) cannot hold it. */
function balanceAfter(account: Pick<AccountRow, 'balance'>, amount: string): string {
  return toStoredChecked(new Money(account.balance).plus(amount), 'The balance after this entry', 'amount');
}

function previewOf(account: AccountRow, amount: string, corrects: LedgerEntryRow | undefined): ManualEntryPreview {
  const after = { ...account, balance: balanceAfter(account, amount) };
  const availableAfter = availableFunds(after);
  return {
    account,
    amount: toStored(amount),
    balanceBefore: account.balance,
    balanceAfter: after.balance,
    availableBefore: availableFunds(account),
    availableAfter,
    leavesNoFunds: new Money(amount).isNegative() && new Money(availableAfter).isNegative(),
    corrects,
  };
}

/** What the confirmation shows: the balance and funds before and after, nothing written. */
export async function previewManualEntry(db: Db, scope: AccountScope, input: ManualEntryInput): Promise<ManualEntryPreview> {
  checkAmount(input);
  const listed = await findScopedAccount(db, scope, input.accountId);
  if (!listed) throw new NotFoundError('No such account');
  const account = (await findAccountById(db, listed.id))!;
  return previewOf(account, input.amount, await correctedEntry(db, input));
}

export interface ManualEntryResult {
  entry: LedgerEntryRow;
  account: AccountRow;
  /** True when this form had been recorded already: nothing new was written. */
  duplicate: boolean;
}

async function alreadyRecorded(db: Db, key: string, input: ManualEntryInput): Promise<ManualEntryResult | undefined> {
  const entry = await findLedgerEntryByKey(db, key);
  if (!entry) return undefined;
  if (entry.account_id !== input.accountId) throw new ConflictError('This form was already used for another account: open the form again');
  const account = (await findAccountById(db, input.accountId))!;
  return { entry, account, duplicate: true };
}

export async function recordManualEntry(
  db: Db,
  scope: AccountScope,
  input: ManualEntryInput,
  actor: { actorId: number; now: Date; ip?: string | undefined },
): Promise<ManualEntryResult> {
  checkAmount(input);
  const key = `manual:${input.idempotencyKey}`;
  try {
    const result = await inTransaction(db, async (trx) => {
      const account = await lockScopedAccount(trx, scope, input.accountId);
      if (!account) throw new NotFoundError('No such account');
      // Looked up under the account's lock: a second submit waits for the first and finds its row.
      const earlier = await alreadyRecorded(trx, key, input);
      if (earlier) return earlier;
      balanceAfter(account, input.amount);
      const corrects = await correctedEntry(trx, input);
      const { entry, account: after } = await postLedgerEntry(trx, {
        accountId: account.id,
        amount: input.amount,
        kind: input.kind,
        description: input.note || MANUAL_KIND_LABELS[input.kind],
        idempotencyKey: key,
        correctsEntryId: corrects?.id,
        createdBy: actor.actorId,
        now: actor.now,
      });
      await insertAuditEntry(trx, {
        actorId: actor.actorId, action: `ledger.${input.kind}`, entityType: 'account', entityId: account.id,
        before: { balance: account.balance }, after: { balance: after.balance, ledger_entry_id: entry.id, amount: entry.amount },
        ip: actor.ip ?? null, at: actor.now,
      });
      if (input.kind !== 'adjustment') {
        await recordEvent(trx, {
          type: 'payment.received', accountId: account.id, occurredAt: actor.now,
          data: { amount: entry.amount, kind: input.kind, ledger_entry_id: entry.id, balance: after.balance, note: input.note || null },
        });
      }
      return { entry, account: after, duplicate: false };
    });
    // Money in retries the account's unpaid renewals at once (a paid one is reactivated). The
    // payment stands whatever happens there: the scheduled billing run retries them too.
    if (!result.duplicate && new Money(result.entry.amount).greaterThan(0)) {
      await retryAccountRenewals(db, result.account.id, actor.now).catch(() => undefined);
      await settleAccountInvoices(db, result.account.id, { now: actor.now }).catch(() => undefined);
    }
    return result;
  } catch (error) {
    if (!isUniqueViolation(error, 'ledger_entries_idempotency_key_unique')) throw error;
    const earlier = await alreadyRecorded(db, key, input);
    if (!earlier) throw error;
    return earlier;
  }
}

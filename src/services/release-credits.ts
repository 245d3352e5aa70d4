// The credit for the unused days of a calendar period when its number goes back mid-period
// (CREDIT_UNUSED_DAYS_ON_RELEASE): a positive 'refund' ledger row that points to the period's
// charge, at most one per subscription (its key), in the release's transaction.
import { findLedgerEntryByKey, findLatestPeriodCharge, type LedgerEntryRow } from '../db/repos/ledger.ts';
import type { SubscriptionRow } from '../db/repos/subscriptions.ts';
import type { Transaction } from '../db/transaction.ts';
import { postLedgerEntry } from '../db/ledger-writer.ts';
import { creditOnRelease } from '../domain/billing-calendar.ts';

export interface ReleaseCreditSettings {
  /** CREDIT_UNUSED_DAYS_ON_RELEASE. */
  creditUnusedDays: boolean;
  decimals: number;
}

const day = (date: Date) => date.toISOString().slice(0, 10);

/** Credits each subscription (read before it ended) its unused days, when the setting is on. */
export async function creditUnusedDays(
  trx: Transaction,
  subscriptions: SubscriptionRow[],
  context: { number: string; now: Date; actorId: number; settings: ReleaseCreditSettings | undefined },
): Promise<LedgerEntryRow[]> {
  const { settings, now } = context;
  if (!settings?.creditUnusedDays) return [];
  const entries: LedgerEntryRow[] = [];
  for (const subscription of subscriptions) {
    const key = `release-credit:${subscription.id}`;
    if (await findLedgerEntryByKey(trx, key)) continue;
    const charge = await findLatestPeriodCharge(trx, subscription.id);
    const credit = creditOnRelease(subscription, charge?.amount ?? null, now, settings.decimals);
    if (!credit || !charge) continue;
    const { entry } = await postLedgerEntry(trx, {
      accountId: subscription.account_id,
      amount: credit.amount,
      kind: 'refund',
      description: `Credit for ${credit.unusedDays} unused of ${credit.daysInPeriod} days of ${context.number}, ${day(credit.from)} to ${day(credit.end)}`,
      idempotencyKey: key,
      referenceType: 'subscription',
      referenceId: subscription.id,
      correctsEntryId: charge.id,
      createdBy: context.actorId,
      period: { start: credit.from, end: credit.end },
      now,
    });
    entries.push(entry);
  }
  return entries;
}

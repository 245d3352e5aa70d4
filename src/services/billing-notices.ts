// What an owner is told about its renewals: numbers suspended for an unpaid renewal (calls are
// refused; released after the grace period) and, RENEWAL_NOTICE_DAYS ahead, renewals that its
// current funds would not cover.
import type { Db } from '../db/knex.ts';
import { listRenewalsToNotice } from '../db/queries/billing-notices.ts';
import { findAccountById } from '../db/repos/accounts.ts';
import { Money, toStored } from '../domain/money.ts';
import { releaseDueAt } from '../domain/renewal.ts';
import { availableFunds, reservedForCalls } from './ledger.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface BillingNoticeSettings {
  now: Date;
  noticeDays: number;
  graceDays: number;
}

export interface SuspendedNotice {
  subscription_id: number;
  product_id: number;
  number: string;
  price: string;
  next_billing_at: Date;
  suspended_at: Date;
  releaseAt: Date;
}

export interface UpcomingNotice {
  subscription_id: number;
  product_id: number;
  number: string;
  price: string;
  next_billing_at: Date;
  /** How much more the account needs for this renewal (and those before it) to go through. */
  shortBy: string;
}

export interface BillingNotices {
  suspended: SuspendedNotice[];
  upcoming: UpcomingNotice[];
  availableFunds: string;
}

/** The notices of one account; `productId` narrows them to one number (its page). */
export async function loadBillingNotices(db: Db, accountId: number, settings: BillingNoticeSettings, productId?: number): Promise<BillingNotices> {
  const account = await findAccountById(db, accountId);
  const funds = account ? availableFunds(account, await reservedForCalls(db, accountId, settings.now)) : '0';
  const horizon = new Date(settings.now.getTime() + settings.noticeDays * DAY_MS);
  const rows = await listRenewalsToNotice(db, accountId, horizon);

  // Suspended renewals are retried first, then the coming ones in date order: each is covered
  // only if the funds cover it and every one before it.
  const ordered = [...rows.filter((r) => r.status === 'suspended'), ...rows.filter((r) => r.status === 'active')];
  let needed = new Money(0);
  const suspended: SuspendedNotice[] = [];
  const upcoming: UpcomingNotice[] = [];
  for (const row of ordered) {
    needed = needed.plus(row.price);
    if (productId !== undefined && row.product_id !== productId) continue;
    if (row.status === 'suspended') {
      const suspendedAt = row.suspended_at ?? row.next_billing_at;
      suspended.push({ ...row, suspended_at: suspendedAt, releaseAt: releaseDueAt(suspendedAt, settings.graceDays) });
    } else if (needed.greaterThan(funds)) {
      upcoming.push({ ...row, shortBy: toStored(needed.minus(funds)) });
    }
  }
  return { suspended, upcoming, availableFunds: funds };
}

// The notices the billing schedule sends after each renewal run: low balance (once per crossing
// of the account's threshold), renewal not covered (once per subscription and period, within
// RENEWAL_NOTICE_DAYS) and one-time number expiring (once per subscription). Each notice is an
// event recorded in the transaction that sets its mark, so a notice is recorded exactly when its
// mark is set, once, however many runners run at the same time.
import type { Db } from '../db/knex.ts';
import { inTransaction } from '../db/transaction.ts';
import { listAccountsWithUnwarnedRenewals } from '../db/queries/billing-notices.ts';
import {
  clearLowBalanceMarks,
  markExpiringSubscriptions,
  markLowBalanceAccounts,
  markRenewalNoticed,
} from '../db/repos/notice-marks.ts';
import type { DomainEvent } from '../domain/events.ts';
import { toStored } from '../domain/money.ts';
import { loadBillingNotices } from './billing-notices.ts';
import { recordEvents } from './events.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface NoticeSettings {
  now: Date;
  noticeDays: number;
  graceDays: number;
}

export interface NoticeRunSummary {
  lowBalance: number;
  renewalNotices: number;
  expiring: number;
}

/** `balance.low` {balance, available, threshold} for each account that fell below its threshold since its last warning. */
export async function sendLowBalanceNotices(db: Db, now: Date): Promise<number> {
  return inTransaction(db, async (trx) => {
    await clearLowBalanceMarks(trx);
    const crossed = await markLowBalanceAccounts(trx, now);
    await recordEvents(trx, crossed.map((row): DomainEvent => ({
      type: 'balance.low',
      accountId: row.account_id,
      occurredAt: now,
      data: { balance: toStored(row.balance), available: toStored(row.available), threshold: toStored(row.threshold) },
    })));
    return crossed.length;
  });
}

/**
 * `renewal.notice` {number, subscription_id, amount, due_at, available} for each renewal due within
 * the notice days that the owner's funds will not cover (the dashboard's notices decide which),
 * once per subscription and period.
 */
export async function sendRenewalNotices(db: Db, settings: NoticeSettings): Promise<number> {
  const horizon = new Date(settings.now.getTime() + settings.noticeDays * DAY_MS);
  let sent = 0;
  for (const accountId of await listAccountsWithUnwarnedRenewals(db, horizon)) {
    const notices = await loadBillingNotices(db, accountId, settings);
    sent += await inTransaction(db, async (trx) => {
      const events: DomainEvent[] = [];
      for (const notice of notices.upcoming) {
        if (!(await markRenewalNoticed(trx, notice.subscription_id, notice.next_billing_at))) continue;
        events.push({
          type: 'renewal.notice',
          accountId,
          occurredAt: settings.now,
          data: {
            number: notice.number, subscription_id: notice.subscription_id, amount: toStored(notice.price),
            due_at: new Date(notice.next_billing_at).toISOString(), available: toStored(notices.availableFunds),
          },
        });
      }
      await recordEvents(trx, events);
      return events.length;
    });
  }
  return sent;
}

/** `number.expiring` {number, subscription_id, expires_at} for each one-time number whose term ends within the notice days, once. */
export async function sendExpiringNotices(db: Db, settings: NoticeSettings): Promise<number> {
  const horizon = new Date(settings.now.getTime() + settings.noticeDays * DAY_MS);
  return inTransaction(db, async (trx) => {
    const expiring = await markExpiringSubscriptions(trx, settings.now, horizon);
    await recordEvents(trx, expiring.map((row): DomainEvent => ({
      type: 'number.expiring',
      accountId: row.account_id,
      occurredAt: settings.now,
      data: { number: row.number, subscription_id: row.subscription_id, expires_at: row.expires_at.toISOString() },
    })));
    return expiring.length;
  });
}

export async function runNoticeJobs(db: Db, settings: NoticeSettings): Promise<NoticeRunSummary> {
  return {
    lowBalance: await sendLowBalanceNotices(db, settings.now),
    renewalNotices: await sendRenewalNotices(db, settings),
    expiring: await sendExpiringNotices(db, settings),
  };
}

// The marks that make each notice go out once (see migration add_notice_marks). Each mark is set by
// one UPDATE whose WHERE says "not told yet": of two runners at once, the second waits for the
// first's row lock, then finds the mark set and skips the row (Postgres re-checks the WHERE on the
// new row version), so only the first gets the row back and records the event.
import type { Db } from '../knex.ts';

// The account's funds as the ledger's availableFunds counts them, without the reservations of
// calls in progress: those come and go within minutes and would make the warning flap.
const FUNDS_SQL = `(a.balance + CASE WHEN a.billing_mode = 'postpaid' THEN a.credit_limit ELSE 0 END)`;

export interface LowBalanceRow {
  account_id: number;
  balance: string;
  available: string;
  threshold: string;
}

/** Clears the mark of accounts back at or above their threshold (or without one any more): the next crossing warns again. */
export async function clearLowBalanceMarks(db: Db): Promise<number> {
  const result = (await db.raw(
    `UPDATE accounts a SET low_balance_notified_at = NULL
     WHERE a.low_balance_notified_at IS NOT NULL
       AND NOT EXISTS (
         SELECT 1 FROM notification_preferences p
         WHERE p.account_id = a.id AND p.low_balance_threshold IS NOT NULL AND ${FUNDS_SQL} < p.low_balance_threshold)
     RETURNING a.id`,
  )) as { rows: unknown[] };
  return result.rows.length;
}

/** Marks the active accounts whose funds are below their threshold and were not warned yet; returns them. */
export async function markLowBalanceAccounts(db: Db, now: Date): Promise<LowBalanceRow[]> {
  const result = (await db.raw(
    `UPDATE accounts a SET low_balance_notified_at = ?
     FROM notification_preferences p
     WHERE p.account_id = a.id
       AND a.low_balance_notified_at IS NULL
       AND a.status = 'active'
       AND p.low_balance_threshold IS NOT NULL
       AND ${FUNDS_SQL} < p.low_balance_threshold
     RETURNING a.id AS account_id, a.balance, ${FUNDS_SQL} AS available, p.low_balance_threshold AS threshold`,
    [now],
  )) as { rows: Array<LowBalanceRow & { account_id: number | string }> };
  return result.rows.map((row) => ({ ...row, account_id: Number(row.account_id), balance: String(row.balance), available: String(row.available), threshold: String(row.threshold) }));
}

/**
 * Marks a recurring subscription as warned of the renewal due at `dueAt`; false when it was warned
 * already, or its due date moved meanwhile (renewed by a billing run).
 */
export async function markRenewalNoticed(db: Db, subscriptionId: number, dueAt: Date): Promise<boolean> {
  const rows = (await db('subscriptions')
    .where({ id: subscriptionId, status: 'active', billing_type: 'recurring', next_billing_at: dueAt })
    .where((q) => q.whereNull('notified_due_at').orWhere('notified_due_at', '<>', dueAt))
    .update({ notified_due_at: dueAt })
    .returning('id')) as Array<{ id: number }>;
  return rows.length > 0;
}

export interface ExpiringRow {
  subscription_id: number;
  account_id: number;
  number: string;
  expires_at: Date;
}

/** Marks the live one-time subscriptions ending after `now` and by `horizon` not warned yet; returns them. */
export async function markExpiringSubscriptions(db: Db, now: Date, horizon: Date): Promise<ExpiringRow[]> {
  const result = (await db.raw(
    `UPDATE subscriptions s SET notified_due_at = s.next_billing_at
     FROM products p
     WHERE p.id = s.product_id
       AND s.billing_type = 'one_time'
       AND s.status = 'active'
       AND s.next_billing_at > ? AND s.next_billing_at <= ?
       AND s.notified_due_at IS DISTINCT FROM s.next_billing_at
     RETURNING s.id AS subscription_id, s.account_id, p.number, s.next_billing_at AS expires_at`,
    [now, horizon],
  )) as { rows: Array<{ subscription_id: number | string; account_id: number | string; number: string; expires_at: Date | string }> };
  return result.rows.map((row) => ({
    subscription_id: Number(row.subscription_id), account_id: Number(row.account_id), number: row.number, expires_at: new Date(row.expires_at),
  }));
}

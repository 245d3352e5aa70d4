// The billing run's reads and writes of subscriptions: claiming due rows and applying a batch's
// decisions, each one set-based statement.
import type { Knex } from 'knex';
import type { BillingPeriod } from '../../domain/billing-calendar.ts';
import type { Transaction } from '../transaction.ts';

export interface ClaimedRow {
  id: number;
  account_id: number;
  seller_id: number;
  product_id: number;
  status: 'active' | 'suspended';
  billing_type: 'one_time' | 'recurring';
  billing_days: number;
  billing_period: BillingPeriod;
  billing_day: number | null;
  started_at: Date;
  price: string;
  next_billing_at: Date;
  suspended_at: Date | null;
  number: string;
  account_role: 'reseller' | 'customer';
  account_name: string;
}

export interface AccountFunds {
  id: number;
  balance: string;
  credit_limit: string;
  billing_mode: 'prepaid' | 'postpaid';
}

export interface Cursor {
  at: Date;
  id: number;
}

/**
 * Claims up to `limit` due subscriptions after `after`, in (next date, id) order, with FOR UPDATE
 * SKIP LOCKED: two runners never hold the same subscription, and a claimed row is read as last
 * committed (still due, or not returned at all).
 */
export async function claimDueSubscriptions(
  trx: Transaction,
  options: { now: Date; after: Cursor; limit: number; accountId?: number | undefined; ids?: number[] | undefined },
): Promise<ClaimedRow[]> {
  // The claim reads subscriptions alone, in the due index's order, so it stops after `limit`
  // rows; the number and the owner are joined afterwards, unlocked.
  const filters: string[] = [];
  const bindings: Knex.Value[] = [options.now, options.after.at, options.after.id];
  if (options.accountId !== undefined) {
    filters.push('AND s.account_id = ?');
    bindings.push(options.accountId);
  }
  if (options.ids) {
    filters.push('AND s.id = ANY(?::bigint[])');
    bindings.push(options.ids);
  }
  bindings.push(options.limit);
  // Statistics taken before the due dates passed can make the planner read every due row and sort
  // them for each batch; walking the index in order is what keeps a batch's cost flat. JIT is off
  // for the batch: compiling its short statements takes longer than running them.
  const walkIndex = options.accountId === undefined && options.ids === undefined;
  await trx.raw(
    walkIndex
      ? "SELECT set_config('jit', 'off', true), set_config('enable_sort', 'off', true), set_config('enable_bitmapscan', 'off', true)"
      : "SELECT set_config('jit', 'off', true)",
  );
  const result = (await trx.raw(
    `WITH claimed AS (
       SELECT s.id, s.account_id, s.seller_id, s.product_id, s.status, s.billing_type, s.billing_days, s.billing_period, s.billing_day, s.started_at,
         s.price, s.next_billing_at, s.suspended_at
       FROM subscriptions s
       WHERE s.status <> 'ended' AND s.next_billing_at <= ? AND (s.next_billing_at, s.id) > (?, ?) ${filters.join(' ')}
       ORDER BY s.next_billing_at, s.id
       LIMIT ?
       FOR UPDATE OF s SKIP LOCKED
     )
     SELECT c.*, p.number, a.role AS account_role, a.name AS account_name
     FROM claimed c JOIN products p ON p.id = c.product_id JOIN accounts a ON a.id = c.account_id`,
    bindings,
  )) as { rows: ClaimedRow[] };
  if (walkIndex) await trx.raw("SELECT set_config('enable_sort', 'on', true), set_config('enable_bitmapscan', 'on', true)");
  return result.rows.sort((a, b) => a.next_billing_at.getTime() - b.next_billing_at.getTime() || a.id - b.id);
}

/** Locks the accounts in id order (concurrent runners never deadlock each other) and reads their funds. */
export async function lockAccountFunds(trx: Transaction, accountIds: number[]): Promise<AccountFunds[]> {
  return (await trx('accounts')
    .whereIn('id', accountIds)
    .orderBy('id')
    .forUpdate()
    .select('id', 'balance', 'credit_limit', 'billing_mode')) as AccountFunds[];
}

export interface SubscriptionChange {
  id: number;
  status: string;
  nextBillingAt: Date | null;
  suspendedAt: Date | null;
  endedAt: Date | null;
  /** null keeps the reason the row has. */
  endReason: string | null;
}

/** Writes a batch's new subscription states in one statement. */
export async function applySubscriptionChanges(trx: Transaction, changes: SubscriptionChange[], now: Date): Promise<void> {
  if (changes.length === 0) return;
  const iso = (date: Date | null) => (date ? date.toISOString() : null);
  await trx.raw(
    `UPDATE subscriptions AS s SET status = v.status, next_billing_at = v.next_billing_at, suspended_at = v.suspended_at,
       ended_at = v.ended_at, end_reason = coalesce(v.end_reason, s.end_reason), updated_at = ?::timestamptz
     FROM unnest(?::bigint[], ?::text[], ?::timestamptz[], ?::timestamptz[], ?::timestamptz[], ?::text[])
       AS v(id, status, next_billing_at, suspended_at, ended_at, end_reason)
     WHERE s.id = v.id`,
    [
      iso(now),
      changes.map((c) => c.id), changes.map((c) => c.status), changes.map((c) => iso(c.nextBillingAt)),
      changes.map((c) => iso(c.suspendedAt)), changes.map((c) => iso(c.endedAt)), changes.map((c) => c.endReason),
    ] as unknown as Knex.RawBinding[],
  );
}

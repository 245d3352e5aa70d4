// The subscriptions an overdue invoice suspends and a settled one gives back.
import type { Db } from '../knex.ts';

export interface HeldSubscription {
  id: number;
  account_id: number;
  number: string;
  next_billing_at: Date | null;
}

const held = (db: Db, accountId: number) =>
  db('subscriptions as s').join('products as p', 'p.id', 's.product_id').where('s.account_id', accountId)
    .orderBy('s.id').forUpdate('s').select('s.id', 's.account_id', 'p.number', 's.next_billing_at');

/** The account's active subscriptions, locked. */
export async function lockActiveSubscriptions(db: Db, accountId: number): Promise<HeldSubscription[]> {
  return held(db, accountId).where('s.status', 'active');
}

/**
 * The account's suspended subscriptions whose current period is paid (next date after `now`):
 * only an unpaid invoice suspends those; one suspended for its unpaid renewal is due, and left to
 * the renewal retry. Locked.
 */
export async function lockInvoiceSuspendedSubscriptions(db: Db, accountId: number, now: Date): Promise<HeldSubscription[]> {
  return held(db, accountId).where('s.status', 'suspended').where((where) => where.whereNull('s.next_billing_at').orWhere('s.next_billing_at', '>', now));
}

export async function setSubscriptionsSuspended(db: Db, ids: number[], suspendedAt: Date | null, now: Date): Promise<void> {
  if (ids.length === 0) return;
  await db('subscriptions').whereIn('id', ids).update({ status: suspendedAt ? 'suspended' : 'active', suspended_at: suspendedAt, updated_at: now });
}

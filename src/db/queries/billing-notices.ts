// The renewals an account's billing notices look at.
import type { Db } from '../knex.ts';

export interface NoticeRenewalRow {
  subscription_id: number;
  product_id: number;
  number: string;
  status: 'active' | 'suspended';
  price: string;
  next_billing_at: Date;
  suspended_at: Date | null;
}

/** The account's suspended recurring subscriptions and the active ones due by `horizon`, in date order. */
export async function listRenewalsToNotice(db: Db, accountId: number, horizon: Date): Promise<NoticeRenewalRow[]> {
  return (await db('subscriptions as s')
    .join('products as p', 'p.id', 's.product_id')
    .where('s.account_id', accountId)
    .where('s.billing_type', 'recurring')
    .where((q) => {
      q.where('s.status', 'suspended').orWhere((active) => active.where('s.status', 'active').where('s.next_billing_at', '<=', horizon));
    })
    .orderBy([{ column: 's.next_billing_at' }, { column: 's.id' }])
    .select('s.id as subscription_id', 'p.id as product_id', 'p.number', 's.status', 's.price', 's.next_billing_at', 's.suspended_at')) as NoticeRenewalRow[];
}

/** Accounts (not closed) with an active recurring subscription due by `horizon` whose owner was not warned of that renewal yet. */
export async function listAccountsWithUnwarnedRenewals(db: Db, horizon: Date): Promise<number[]> {
  const rows = (await db('subscriptions as s')
    .join('accounts as a', 'a.id', 's.account_id')
    .where('s.billing_type', 'recurring')
    .where('s.status', 'active')
    .where('s.next_billing_at', '<=', horizon)
    .whereNot('a.status', 'closed')
    .whereRaw('s.notified_due_at IS DISTINCT FROM s.next_billing_at')
    .distinct('s.account_id')
    .orderBy('s.account_id')) as Array<{ account_id: number | string }>;
  return rows.map((row) => Number(row.account_id));
}

import type { BillingPeriod } from '../../domain/billing-calendar.ts';
import type { Db } from '../knex.ts';

export interface SubscriptionRow {
  id: number;
  product_id: number;
  account_id: number;
  seller_id: number;
  status: 'active' | 'suspended' | 'ended';
  billing_type: 'one_time' | 'recurring';
  billing_days: number;
  /** The product's term at purchase; 'month' keeps the holder's billing day of then. */
  billing_period: BillingPeriod;
  billing_day: number | null;
  setup_fee: string;
  price: string;
  started_at: Date;
  next_billing_at: Date | null;
  suspended_at: Date | null;
  ended_at: Date | null;
  end_reason: string | null;
}

export interface UpcomingRenewal {
  subscription_id: number;
  number: string;
  price: string;
  billing_type: 'one_time' | 'recurring';
  next_billing_at: Date;
  status: 'active' | 'suspended';
}

/** The account's live subscriptions with a next date, soonest first. */
export async function listUpcomingRenewals(db: Db, accountId: number, limit: number): Promise<UpcomingRenewal[]> {
  return db('subscriptions as s')
    .join('products as p', 'p.id', 's.product_id')
    .where('s.account_id', accountId)
    .whereNot('s.status', 'ended')
    .whereNotNull('s.next_billing_at')
    .orderBy('s.next_billing_at')
    .limit(limit)
    .select('s.id as subscription_id', 'p.number', 's.price', 's.billing_type', 's.next_billing_at', 's.status');
}

// One subscription as the admin's page shows it: the number, its holder and seller.
import type { Db } from '../knex.ts';
import { sellerNameColumn } from './company-profiles.ts';
import type { SubscriptionRow } from './subscriptions.ts';

export interface SubscriptionDetail extends SubscriptionRow {
  number: string;
  account_name: string;
  account_role: 'reseller' | 'customer';
  seller_name: string;
  seller_role: 'admin' | 'reseller';
}

export async function findSubscriptionDetail(db: Db, id: number): Promise<SubscriptionDetail | undefined> {
  return db('subscriptions as s')
    .join('products as p', 'p.id', 's.product_id')
    .join('accounts as a', 'a.id', 's.account_id')
    .join('accounts as seller', 'seller.id', 's.seller_id')
    .where('s.id', id)
    .first('s.*', 'p.number', 'a.name as account_name', 'a.role as account_role', sellerNameColumn(db, 'seller', 'seller_name'), 'seller.role as seller_role') as Promise<
    SubscriptionDetail | undefined
  >;
}

export interface SubscriptionLedgerRow {
  id: number;
  kind: string;
  description: string;
  amount: string;
  balance_after: string;
  created_at: Date;
}

export async function listSubscriptionLedger(db: Db, subscription: { id: number; account_id: number }): Promise<SubscriptionLedgerRow[]> {
  return db('ledger_entries')
    .where({ account_id: subscription.account_id, reference_type: 'subscription', reference_id: subscription.id })
    .orderBy('id')
    .select('id', 'kind', 'description', 'amount', 'balance_after', 'created_at');
}

/** The other live or past subscriptions on the same number (the reseller's and its customer's). */
export async function listSubscriptionsOnNumber(db: Db, productId: number): Promise<Array<Pick<SubscriptionDetail, 'id' | 'account_name' | 'account_role' | 'status' | 'started_at' | 'ended_at'>>> {
  return db('subscriptions as s')
    .join('accounts as a', 'a.id', 's.account_id')
    .where('s.product_id', productId)
    .orderBy('s.id', 'desc')
    .limit(20)
    .select('s.id', 'a.name as account_name', 'a.role as account_role', 's.status', 's.started_at', 's.ended_at');
}

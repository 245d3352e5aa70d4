// Who holds a number, changed only by conditional updates: a number changes hands only if it is
// still where the caller saw it, so two buyers can never both get it.
import type { Knex } from 'knex';
import type { Db } from '../knex.ts';
import type { DidRow } from './dids.ts';
import type { SubscriptionRow } from './subscriptions.ts';

/** Where a number must be for a buyer to take it: the admin's stock, or one reseller's unassigned numbers. */
export type Shelf = { kind: 'admin_stock' } | { kind: 'reseller'; resellerId: number };

/** Who looks at the shelf, and when: a number another account holds (number_holds) is not on it for them until the hold ends. */
export interface ShelfViewer {
  accountId: number;
  now: Date;
}

/** Narrows a query on products (as `alias`) to the numbers on a shelf, ready to be bought by `viewer`. */
export function whereOnShelf(query: Knex.QueryBuilder, shelf: Shelf, viewer: ShelfViewer, alias = 'products'): Knex.QueryBuilder {
  query
    .where((free) =>
      free
        .whereNull(`${alias}.held_until`)
        .orWhere(`${alias}.held_until`, '<=', viewer.now)
        .orWhere(`${alias}.hold_account_id`, viewer.accountId),
    )
    .where(`${alias}.category`, 'did')
    .where(`${alias}.status`, 'active')
    .whereNull(`${alias}.archived_at`)
    .whereNull(`${alias}.customer_id`);
  if (shelf.kind === 'admin_stock') query.whereNull(`${alias}.reseller_id`);
  else query.where(`${alias}.reseller_id`, shelf.resellerId);
  return query;
}

export async function findDid(db: Db, id: number): Promise<DidRow | undefined> {
  return db<DidRow>('products').where({ id, category: 'did' }).first();
}

/** The number, if it is on the shelf (ready to be bought from it). */
export async function findOnShelf(db: Db, productId: number, shelf: Shelf, viewer: ShelfViewer): Promise<DidRow | undefined> {
  return (await whereOnShelf(db('products').where('products.id', productId), shelf, viewer).first()) as DidRow | undefined;
}

export async function lockDid(db: Db, id: number): Promise<DidRow | undefined> {
  return db<DidRow>('products').where({ id, category: 'did' }).forUpdate().first();
}

/**
 * Moves a number off a shelf to its new holder, only if it is still on that shelf and no other
 * account holds it. Returns the updated row, or undefined when someone else took or holds it (or it
 * was never there). The hold is evaluated on the row under its lock, so a hold committed while this
 * waited is seen.
 */
export async function takeFromShelf(
  db: Db,
  productId: number,
  shelf: Shelf,
  holder: { reseller_id: number | null; customer_id: number | null },
  now: Date,
): Promise<DidRow | undefined> {
  const buyerId = holder.customer_id ?? holder.reseller_id;
  if (buyerId === null) return undefined;
  const query = whereOnShelf(db('products').where('products.id', productId), shelf, { accountId: buyerId, now });
  const [row] = (await query
    .update({ ...holder, destination_type: null, destination: null, hold_id: null, hold_account_id: null, held_until: null, updated_at: now })
    .returning('*')) as DidRow[];
  return row;
}

/** A customer gives its number back: to its reseller's unassigned numbers, or to the admin's stock. */
export async function returnFromCustomer(db: Db, productId: number, customerId: number, now: Date): Promise<DidRow | undefined> {
  const [row] = (await db<DidRow>('products')
    .where({ id: productId, category: 'did', customer_id: customerId })
    .update({ customer_id: null, destination_type: null, destination: null, updated_at: now })
    .returning('*')) as DidRow[];
  return row;
}

/** A reseller gives back a number no customer owns, to the admin's stock. */
export async function returnFromReseller(db: Db, productId: number, resellerId: number, now: Date): Promise<DidRow | undefined> {
  const [row] = (await db<DidRow>('products')
    .where({ id: productId, category: 'did', reseller_id: resellerId })
    .whereNull('customer_id')
    .update({ reseller_id: null, destination_type: null, destination: null, updated_at: now })
    .returning('*')) as DidRow[];
  return row;
}

export async function clearHolders(db: Db, productId: number, now: Date): Promise<void> {
  await db('products')
    .where({ id: productId })
    .update({ reseller_id: null, customer_id: null, destination_type: null, destination: null, updated_at: now });
}

/** Where a customer's number forwards its calls (undefined when the customer does not own it). */
export async function findDestination(db: Db, productId: number, customerId: number): Promise<Pick<DidRow, 'destination_type' | 'destination'> | undefined> {
  return db<DidRow>('products').where({ id: productId, customer_id: customerId }).first('destination_type', 'destination');
}

export async function setDestination(
  db: Db,
  productId: number,
  customerId: number,
  destination: { destination_type: DidRow['destination_type']; destination: string | null },
  now: Date,
): Promise<DidRow | undefined> {
  const [row] = (await db<DidRow>('products')
    .where({ id: productId, category: 'did', customer_id: customerId })
    .update({ ...destination, updated_at: now })
    .returning('*')) as DidRow[];
  return row;
}

export type NewSubscription = Pick<
  SubscriptionRow,
  'product_id' | 'account_id' | 'seller_id' | 'billing_type' | 'billing_days' | 'billing_period' | 'billing_day' | 'setup_fee' | 'price' | 'started_at' | 'next_billing_at'
> & { purchase_key: string | null };

export async function insertSubscription(db: Db, subscription: NewSubscription): Promise<SubscriptionRow> {
  const [row] = (await db('subscriptions')
    .insert({ ...subscription, status: 'active', created_at: subscription.started_at, updated_at: subscription.started_at })
    .returning('*')) as SubscriptionRow[];
  return row!;
}

export async function findSubscriptionByPurchaseKey(db: Db, accountId: number, purchaseKey: string): Promise<SubscriptionRow | undefined> {
  return db<SubscriptionRow>('subscriptions').where('account_id', accountId).where('purchase_key', purchaseKey).first();
}

/** The live subscriptions on a number (of one account, or of all), locked: read before they end. */
export async function lockLiveSubscriptions(db: Db, productId: number, accountId?: number): Promise<SubscriptionRow[]> {
  const query = db<SubscriptionRow>('subscriptions').where({ product_id: productId }).whereNot('status', 'ended');
  if (accountId !== undefined) query.where({ account_id: accountId });
  return query.orderBy('id').forUpdate();
}

/** Ends the live subscriptions on a number (of one account, or of all); returns their ids. */
export async function endLiveSubscriptions(
  db: Db,
  productId: number,
  options: { accountId?: number; reason: string; now: Date },
): Promise<number[]> {
  const query = db('subscriptions').where({ product_id: productId }).whereNot('status', 'ended');
  if (options.accountId !== undefined) query.where({ account_id: options.accountId });
  const rows = (await query
    .update({ status: 'ended', ended_at: options.now, end_reason: options.reason, updated_at: options.now })
    .returning('id')) as Array<{ id: number }>;
  return rows.map((row) => row.id);
}

// Number holds: a hold row with its numbers, and the hold written onto each product row (hold_id,
// hold_account_id, held_until) by a conditional update, so a purchase's own conditional update
// (takeFromShelf) sees it under the row lock.
import type { Db } from '../knex.ts';
import { whereOnShelf, type Shelf } from './did-holdings.ts';

export interface HoldRow {
  id: number;
  account_id: number;
  created_at: Date;
  expires_at: Date;
  released_at: Date | null;
  expired_at: Date | null;
  ordered_at: Date | null;
}

export interface HoldItemRow {
  hold_id: number;
  product_id: number;
  number: string;
  /** The prices locked at hold time (null on holds made before holds locked prices). */
  setup_fee: string | null;
  monthly_fee: string | null;
}

export type LockedPrices = { setup_fee: string; monthly_fee: string };

export async function insertHold(db: Db, accountId: number, now: Date, expiresAt: Date): Promise<HoldRow> {
  const [row] = (await db('number_holds').insert({ account_id: accountId, created_at: now, expires_at: expiresAt }).returning('*')) as HoldRow[];
  return row!;
}

/**
 * Puts the hold on those of `numbers` that are on the shelf and free (or held by this account
 * already, whose older hold they leave); returns the products taken.
 */
export async function holdProducts(db: Db, hold: HoldRow, shelf: Shelf, numbers: string[]): Promise<Array<{ id: number; number: string }>> {
  const query = whereOnShelf(db('products').whereIn('products.number', numbers), shelf, { accountId: hold.account_id, now: hold.created_at });
  return query
    .update({ hold_id: hold.id, hold_account_id: hold.account_id, held_until: hold.expires_at })
    .returning(['id', 'number']) as Promise<Array<{ id: number; number: string }>>;
}

export async function insertHoldItems(db: Db, items: HoldItemRow[]): Promise<void> {
  if (items.length > 0) await db('number_hold_items').insert(items);
}

export async function findHold(db: Db, accountId: number, id: number): Promise<HoldRow | undefined> {
  return db('number_holds').where({ id, account_id: accountId }).first();
}

export async function lockHold(db: Db, accountId: number, id: number): Promise<HoldRow | undefined> {
  return db('number_holds').where({ id, account_id: accountId }).forUpdate().first();
}

export async function listHoldItems(db: Db, holdIds: number[]): Promise<HoldItemRow[]> {
  if (holdIds.length === 0) return [];
  return db('number_hold_items').whereIn('hold_id', holdIds).orderBy(['hold_id', 'number']).select('hold_id', 'product_id', 'number', 'setup_fee', 'monthly_fee');
}

/**
 * The prices this account locked on those of `productIds` it holds at `now` (by the hold the
 * product carries: a number held again moved to the newer hold, with that hold's prices).
 */
export async function findLockedPrices(db: Db, accountId: number, productIds: number[], now: Date): Promise<Map<number, LockedPrices>> {
  if (productIds.length === 0) return new Map();
  const rows = (await db('products as p')
    .join('number_hold_items as hi', (join) => join.on('hi.hold_id', '=', 'p.hold_id').andOn('hi.product_id', '=', 'p.id'))
    .whereIn('p.id', productIds)
    .where('p.hold_account_id', accountId)
    .where('p.held_until', '>', now)
    .whereNotNull('hi.setup_fee')
    .whereNotNull('hi.monthly_fee')
    .select('p.id', 'hi.setup_fee', 'hi.monthly_fee')) as Array<{ id: number | string } & LockedPrices>;
  return new Map(rows.map((row) => [Number(row.id), { setup_fee: row.setup_fee, monthly_fee: row.monthly_fee }]));
}

/** The account's holds, newest first, from below the cursor id. */
export async function listHolds(db: Db, accountId: number, options: { limit: number; belowId?: number | undefined; activeAt?: Date | undefined }): Promise<HoldRow[]> {
  const query = db('number_holds').where({ account_id: accountId }).orderBy('id', 'desc').limit(options.limit);
  if (options.belowId !== undefined) query.where('id', '<', options.belowId);
  if (options.activeAt) query.where('expires_at', '>', options.activeAt).whereNull('released_at').whereNull('ordered_at').whereNull('expired_at');
  return query;
}

/** Ends a hold (released, ordered or expired): the products it still holds are free again. */
export async function endHold(db: Db, holdId: number, column: 'released_at' | 'expired_at' | 'ordered_at', now: Date): Promise<void> {
  await db('number_holds').where({ id: holdId }).update({ [column]: now });
  await db('products').where({ hold_id: holdId }).update({ hold_id: null, hold_account_id: null, held_until: null });
}

/**
 * The buyer's own live hold on the product, its row locked: a purchase locks it before it takes the
 * product, the order a release or the expiry job locks them in (the hold, then its products).
 */
export async function lockLiveHoldOfProduct(db: Db, accountId: number, productId: number, now: Date): Promise<HoldRow | undefined> {
  return db('number_holds as h')
    .join('products as p', 'p.hold_id', 'h.id')
    .where('p.id', productId)
    .where('p.hold_account_id', accountId)
    .where('p.held_until', '>', now)
    .where('h.expires_at', '>', now)
    .whereNull('h.released_at')
    .whereNull('h.expired_at')
    .whereNull('h.ordered_at')
    .select('h.*')
    .forUpdate('h')
    .first();
}

/** Takes one number out of a hold (it was bought); how many numbers the hold has left. */
export async function removeHoldItem(db: Db, holdId: number, productId: number): Promise<number> {
  await db('number_hold_items').where({ hold_id: holdId, product_id: productId }).delete();
  const row = (await db('number_hold_items').where({ hold_id: holdId }).count({ n: '*' }).first()) as { n: string | number } | undefined;
  return Number(row?.n ?? 0);
}

/**
 * The account's live holds (other than `exceptHoldId`) that carry any of `numbers`, locked in id
 * order, with the products concerned: a number held again leaves its older hold. Called before the
 * products are taken, so holds are locked before products, as a release and a purchase lock them.
 */
export async function lockOlderHoldsOf(db: Db, accountId: number, numbers: string[], exceptHoldId: number, now: Date): Promise<Array<{ hold_id: number; product_id: number }>> {
  if (numbers.length === 0) return [];
  const items = (await db('number_hold_items as i')
    .join('number_holds as h', 'h.id', 'i.hold_id')
    .where('h.account_id', accountId)
    .whereNot('h.id', exceptHoldId)
    .whereIn('i.number', numbers)
    // A hold past its end is the expiry job's to end (as expired, with its event), not this one's.
    .where('h.expires_at', '>', now)
    .whereNull('h.released_at')
    .whereNull('h.expired_at')
    .whereNull('h.ordered_at')
    .orderBy(['h.id', 'i.product_id'])
    .select('i.hold_id', 'i.product_id')) as Array<{ hold_id: number; product_id: number }>;
  const holdIds = [...new Set(items.map((item) => item.hold_id))];
  if (holdIds.length > 0) await db('number_holds').whereIn('id', holdIds).orderBy('id').forUpdate().select('id');
  return items;
}

/** The numbers of each hold that its products still carry (not bought since, nor held again by a newer hold). */
export async function listStillHeldItems(db: Db, holdIds: number[]): Promise<HoldItemRow[]> {
  if (holdIds.length === 0) return [];
  return db('number_hold_items as i')
    .join('products as p', function onHeldProduct() {
      this.on('p.id', '=', 'i.product_id').andOn('p.hold_id', '=', 'i.hold_id');
    })
    .whereIn('i.hold_id', holdIds)
    .orderBy(['i.hold_id', 'i.number'])
    .select('i.hold_id', 'i.product_id', 'i.number', 'i.setup_fee', 'i.monthly_fee');
}

/** Holds past their end that nothing ended yet, locked (skipping those another run has). */
export async function lockDueHolds(db: Db, now: Date, limit: number): Promise<HoldRow[]> {
  return db('number_holds')
    .where('expires_at', '<=', now)
    .whereNull('released_at')
    .whereNull('expired_at')
    .whereNull('ordered_at')
    .orderBy('expires_at')
    .limit(limit)
    .forUpdate()
    .skipLocked();
}

// Reads of the admin's DID pages and of the rate plan pages that list numbers.
import type { Db } from '../knex.ts';
import { withHolderColumns, type DidListRow } from '../repos/dids.ts';

/** Subscriptions of a number that have not ended: the edit form warns that they keep their price. */
export async function countOpenDidSubscriptions(db: Db, productId: number): Promise<number> {
  const row = (await db('subscriptions').where({ product_id: productId }).whereNot('status', 'ended').count({ count: '*' }).first()) as { count: string | number };
  return Number(row.count);
}

/** Chosen numbers by id, in number order: a sample of a selection. */
export async function listDidNumbersByIds(db: Db, ids: number[], limit: number): Promise<Array<{ id: number; number: string }>> {
  return db('products as p').whereIn('p.id', ids).orderBy('p.number').limit(limit).select('p.id', 'p.number');
}

/** The admin's numbers (archived ones left out) on one of its rate plans, a page of them and their count. */
export async function listDidsOnPlan(db: Db, planId: number, window: { limit: number; offset: number }): Promise<{ rows: DidListRow[]; total: number }> {
  const base = db('products as p').where('p.rate_plan_id', planId).whereNull('p.archived_at');
  const [rows, countRow] = await Promise.all([
    withHolderColumns(db, base.clone()).orderBy('p.number').limit(window.limit).offset(window.offset),
    base.clone().count({ count: '*' }).first() as Promise<{ count: string | number } | undefined>,
  ]);
  return { rows: rows as DidListRow[], total: Number(countRow?.count ?? 0) };
}

/** The numbers a reseller sells on one of its plans. */
export async function listProductIdsOnResellerPlan(db: Db, resellerId: number, planId: number): Promise<number[]> {
  const rows = (await db('reseller_prices').where({ reseller_id: resellerId, rate_plan_id: planId }).select('product_id')) as Array<{ product_id: number }>;
  return rows.map((row) => row.product_id);
}

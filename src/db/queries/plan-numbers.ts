// The pages of numbers on the admin's rate plans.
import type { Db } from '../knex.ts';
import { withHolderColumns, type DidListRow } from '../repos/dids.ts';

/** The numbers picked by id, in number order: the sample a bulk assignment's confirmation shows. */
export async function listNumbersByIds(db: Db, ids: number[], limit: number): Promise<Array<{ id: number; number: string }>> {
  return (await db('products as p').whereIn('p.id', ids).orderBy('p.number').limit(limit).select('p.id', 'p.number')) as Array<{ id: number; number: string }>;
}

/** A page of the numbers (not archived) on a plan, with their provider and holders, and how many there are. */
export async function listPlanNumbers(db: Db, planId: number, window: { limit: number; offset: number }): Promise<{ rows: DidListRow[]; total: number }> {
  const base = db('products as p').where('p.rate_plan_id', planId).whereNull('p.archived_at');
  const [rows, countRow] = await Promise.all([
    withHolderColumns(db, base.clone()).orderBy('p.number').limit(window.limit).offset(window.offset) as Promise<DidListRow[]>,
    base.clone().count({ count: '*' }).first() as Promise<{ count: string | number } | undefined>,
  ]);
  return { rows, total: Number(countRow?.count ?? 0) };
}

/** The numbers on a plan in number order after `after`: how the CSV export streams. */
export async function listPlanNumberBatch(db: Db, planId: number, after: string | undefined, limit: number): Promise<DidListRow[]> {
  const query = withHolderColumns(db, db('products as p').where('p.rate_plan_id', planId).whereNull('p.archived_at')).orderBy('p.number').limit(limit);
  if (after !== undefined) query.where('p.number', '>', after);
  return (await query) as DidListRow[];
}

// Figures of a reseller's or customer's dashboard.
import type { Db } from '../knex.ts';

/** Numbers the account holds (not archived), and of those how many a customer owns. */
export async function countHeldNumbers(db: Db, holder: { role: 'reseller' | 'customer' | 'admin'; id: number }): Promise<{ held: number; assigned: number }> {
  const holderColumn = holder.role === 'reseller' ? 'reseller_id' : 'customer_id';
  const row = (await db('products')
    .where(holderColumn, holder.id)
    .whereNull('archived_at')
    .select(db.raw('count(*) as held'), db.raw('count(*) filter (where customer_id is not null) as assigned'))
    .first()) as { held: string | number; assigned: string | number };
  return { held: Number(row.held), assigned: Number(row.assigned) };
}

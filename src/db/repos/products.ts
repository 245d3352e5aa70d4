import type { Db } from '../knex.ts';

export interface HolderCounts {
  inStock: number;
  heldByResellers: number;
  ownedByCustomers: number;
  inactive: number;
}

/** Numbers by who holds them; archived numbers are left out. */
export async function countDidsByHolder(db: Db): Promise<HolderCounts> {
  const row = (await db('products')
    .where({ category: 'did' })
    .whereNull('archived_at')
    .select(
      db.raw("count(*) filter (where reseller_id is null and customer_id is null and status = 'active') as in_stock"),
      db.raw('count(*) filter (where reseller_id is not null and customer_id is null) as held_by_resellers'),
      db.raw('count(*) filter (where customer_id is not null) as owned_by_customers'),
      db.raw("count(*) filter (where status = 'inactive') as inactive"),
    )
    .first()) as Record<string, string | number>;
  return {
    inStock: Number(row.in_stock),
    heldByResellers: Number(row.held_by_resellers),
    ownedByCustomers: Number(row.owned_by_customers),
    inactive: Number(row.inactive),
  };
}

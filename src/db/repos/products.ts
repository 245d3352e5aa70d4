import type { Db } from '../knex.ts';

export interface HolderCounts {
  inStock: number;
  heldByResellers: number;
  ownedByCustomers: number;
  inactive: number;
}

/**
 * Numbers by who holds them; archived numbers are left out. Read from did_counts (kept exact by
 * triggers on products), so the dashboard does not count a million rows on every view.
 */
export async function countDidsByHolder(db: Db): Promise<HolderCounts> {
  const row = (await db('did_counts')
    .where({ archived: false })
    .select(
      db.raw("coalesce(sum(n) filter (where holder = 'stock' and status = 'active'), 0) as in_stock"),
      db.raw("coalesce(sum(n) filter (where holder = 'reseller'), 0) as held_by_resellers"),
      db.raw("coalesce(sum(n) filter (where holder = 'customer'), 0) as owned_by_customers"),
      db.raw("coalesce(sum(n) filter (where status = 'inactive'), 0) as inactive"),
    )
    .first()) as Record<string, string | number>;
  return {
    inStock: Number(row.in_stock),
    heldByResellers: Number(row.held_by_resellers),
    ownedByCustomers: Number(row.owned_by_customers),
    inactive: Number(row.inactive),
  };
}

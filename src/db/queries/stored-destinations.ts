// Page read for the admin's list of stored destinations that no longer validate: every number with
// a destination, with who holds it, in id order. The grammar is code (domain/destination.ts), so
// the rows are judged there, a batch at a time.
import type { Db } from '../knex.ts';

export interface StoredDestinationRow {
  product_id: number;
  number: string;
  destination_type: string | null;
  destination: string;
  /** The customer that owns the number, or the reseller holding it. */
  owner_id: number | null;
  owner_name: string | null;
  owner_email: string | null;
  owner_role: string | null;
}

/** Up to `limit` numbers with a destination, after product id `afterId` (keyset paging). */
export async function listStoredDestinations(db: Db, afterId: number, limit: number): Promise<StoredDestinationRow[]> {
  return (await db('products as p')
    .leftJoin('accounts as owner', 'owner.id', db.raw('coalesce(p.customer_id, p.reseller_id)'))
    .where('p.category', 'did')
    .whereNull('p.archived_at')
    .whereNotNull('p.destination')
    .where('p.id', '>', afterId)
    .orderBy('p.id')
    .limit(limit)
    .select(
      'p.id as product_id', 'p.number', 'p.destination_type', 'p.destination',
      'owner.id as owner_id', 'owner.name as owner_name', 'owner.email as owner_email', 'owner.role as owner_role',
    )) as StoredDestinationRow[];
}

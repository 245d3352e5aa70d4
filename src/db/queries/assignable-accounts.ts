// The accounts the admin's "assign" form offers.
import type { Db } from '../knex.ts';

export interface AssignableAccount {
  id: number;
  name: string;
  email: string;
  role: 'reseller' | 'customer';
}

/** Who can take a number from the admin's stock: active resellers and direct customers of an admin. */
export async function listAssignableAccounts(db: Db): Promise<AssignableAccount[]> {
  return db('accounts as a')
    .join('accounts as parent', 'parent.id', 'a.parent_id')
    .where('parent.role', 'admin')
    .whereIn('a.role', ['reseller', 'customer'])
    .where('a.status', 'active')
    .orderBy([{ column: 'a.role', order: 'desc' }, { column: 'a.name' }])
    .select('a.id', 'a.name', 'a.email', 'a.role');
}

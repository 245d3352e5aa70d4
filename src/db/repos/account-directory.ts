// Accounts as the admin and resellers manage them: scoped lists and lookups, and edits.
// A reseller's scope always carries its own id, so a foreign id simply finds nothing.
import type { Db } from '../knex.ts';
import { sellerNameColumn } from './company-profiles.ts';
import type { AccountRow, AccountStatus, BillingMode, Role } from './accounts.ts';

/** Whose accounts a query may see: the admin sees resellers and customers, a reseller its own customers. */
export type AccountScope = { kind: 'admin'; adminId: number } | { kind: 'reseller'; resellerId: number };

export interface AccountFilters {
  role?: 'reseller' | 'customer' | undefined;
  status?: AccountStatus | undefined;
  parentId?: number | undefined;
  /** Part of the name or email, any case. */
  q?: string | undefined;
}

export interface AccountListRow extends Omit<AccountRow, 'password_hash' | 'session_version'> {
  parent_name: string | null;
  parent_role: Role | null;
  /** The parent as its buyers see it: its company's legal name, else its account name. */
  seller_name: string | null;
}

const LISTED_COLUMNS = [
  'a.id', 'a.role', 'a.parent_id', 'a.name', 'a.email', 'a.status', 'a.billing_mode', 'a.balance', 'a.credit_limit',
  'a.max_concurrent_calls', 'a.billing_day', 'a.last_login_at', 'a.created_at', 'a.updated_at',
];

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function scopedAccounts(db: Db, scope: AccountScope, filters: AccountFilters = {}) {
  const query = db('accounts as a').leftJoin('accounts as p', 'p.id', 'a.parent_id');
  if (scope.kind === 'reseller') query.where('a.parent_id', scope.resellerId).where('a.role', 'customer');
  else query.whereIn('a.role', ['reseller', 'customer']);
  if (filters.role) query.where('a.role', filters.role);
  if (filters.status) query.where('a.status', filters.status);
  if (filters.parentId !== undefined) query.where('a.parent_id', filters.parentId);
  if (filters.q) {
    const pattern = `%${escapeLike(filters.q)}%`;
    query.where((w) => w.whereRaw("a.name ilike ? escape '\\'", [pattern]).orWhereRaw("a.email ilike ? escape '\\'", [pattern]));
  }
  return query;
}

export async function countAccounts(db: Db, scope: AccountScope, filters: AccountFilters): Promise<number> {
  const row = (await scopedAccounts(db, scope, filters).count({ count: '*' }).first()) as { count: string | number } | undefined;
  return Number(row?.count ?? 0);
}

export async function listAccounts(
  db: Db,
  scope: AccountScope,
  filters: AccountFilters,
  page: { limit: number; offset: number },
): Promise<AccountListRow[]> {
  return scopedAccounts(db, scope, filters)
    .select(...LISTED_COLUMNS, 'p.name as parent_name', 'p.role as parent_role', sellerNameColumn(db, 'p', 'seller_name'))
    .orderBy('a.name')
    .orderBy('a.id')
    .limit(page.limit)
    .offset(page.offset);
}

/**
 * One batch of the CSV export, in the list's order (name, then id): the filtered accounts after
 * the cursor account's name and id (keyset, never OFFSET).
 */
export async function listAccountBatch(
  db: Db,
  scope: AccountScope,
  filters: AccountFilters,
  after: { name: string; id: number } | undefined,
  limit: number,
): Promise<AccountListRow[]> {
  const query = scopedAccounts(db, scope, filters)
    .select(...LISTED_COLUMNS, 'p.name as parent_name', 'p.role as parent_role', sellerNameColumn(db, 'p', 'seller_name'))
    .orderBy('a.name')
    .orderBy('a.id')
    .limit(limit);
  if (after) query.whereRaw('(a.name, a.id) > (?, ?)', [after.name, after.id]);
  return query;
}

/** The scope's accounts by id, after the cursor id (the API's pages). */
export async function listAccountsAfter(db: Db, scope: AccountScope, afterId: number | undefined, limit: number): Promise<AccountListRow[]> {
  const query = scopedAccounts(db, scope).select(...LISTED_COLUMNS, 'p.name as parent_name', 'p.role as parent_role', sellerNameColumn(db, 'p', 'seller_name')).orderBy('a.id').limit(limit);
  if (afterId !== undefined) query.where('a.id', '>', afterId);
  return query;
}

/** One account the scope may manage, or undefined (the caller answers 404). */
export async function findScopedAccount(db: Db, scope: AccountScope, id: number): Promise<AccountListRow | undefined> {
  return scopedAccounts(db, scope).where('a.id', id).select(...LISTED_COLUMNS, 'p.name as parent_name', 'p.role as parent_role', sellerNameColumn(db, 'p', 'seller_name')).first();
}

/** The same, under a row lock, inside the transaction that changes it. */
export async function lockScopedAccount(db: Db, scope: AccountScope, id: number): Promise<AccountRow | undefined> {
  const query = db<AccountRow>('accounts').where({ id }).forUpdate();
  if (scope.kind === 'reseller') query.where({ parent_id: scope.resellerId, role: 'customer' });
  else query.whereIn('role', ['reseller', 'customer']);
  return query.first();
}

export interface ParentOption {
  id: number;
  name: string;
  role: Role;
}

/** Who may sell to a customer the admin creates: admins and resellers that are not closed. */
/** Every reseller, closed ones too (a report filter: a closed reseller's sales are still in the reports), by name. */
export async function listResellerOptions(db: Db): Promise<Array<{ id: number; name: string }>> {
  return db('accounts').where({ role: 'reseller' }).orderBy('name').orderBy('id').select('id', 'name');
}

export async function listParentOptions(db: Db): Promise<ParentOption[]> {
  return db('accounts')
    .whereIn('role', ['admin', 'reseller'])
    .whereNot('status', 'closed')
    .orderByRaw("case role when 'admin' then 0 else 1 end")
    .orderBy('name')
    .select('id', 'name', 'role');
}

export interface AccountChanges {
  name?: string;
  email?: string;
  status?: AccountStatus;
  billing_mode?: BillingMode;
  credit_limit?: string;
  max_concurrent_calls?: number;
  billing_day?: number;
  password_hash?: string;
}

export async function updateAccountFields(db: Db, id: number, changes: AccountChanges, now: Date): Promise<AccountRow> {
  const [row] = await db<AccountRow>('accounts').where({ id }).update({ ...changes, updated_at: now }).returning('*');
  return row as AccountRow;
}

import type { Db } from '../knex.ts';

export type Role = 'admin' | 'reseller' | 'customer';
export type AccountStatus = 'active' | 'suspended' | 'closed';
export type BillingMode = 'prepaid' | 'postpaid';

export interface AccountRow {
  id: number;
  role: Role;
  parent_id: number | null;
  name: string;
  email: string;
  password_hash: string;
  status: AccountStatus;
  billing_mode: BillingMode;
  balance: string;
  credit_limit: string;
  max_concurrent_calls: number;
  /** Day of the month (1..28) calendar-month numbers bought from now on renew. */
  billing_day: number;
  last_login_at: Date | null;
  /** Moves on when the account's sessions must end (see repos/sessions.ts). */
  session_version: number;
  created_at: Date;
  updated_at: Date;
}

export type NewAccount = Pick<AccountRow, 'role' | 'parent_id' | 'name' | 'email' | 'password_hash'> &
  Partial<Pick<AccountRow, 'status' | 'billing_mode' | 'credit_limit' | 'max_concurrent_calls' | 'billing_day'>>;

export async function findAccountByEmail(db: Db, email: string): Promise<AccountRow | undefined> {
  return db<AccountRow>('accounts').whereRaw('lower(email) = lower(?)', [email.trim()]).first();
}

export async function findAccountById(db: Db, id: number): Promise<AccountRow | undefined> {
  return db<AccountRow>('accounts').where({ id }).first();
}

/** Many accounts at once, by id (a batch of events reads its accounts in one query). */
export async function findAccountsByIds(db: Db, ids: number[]): Promise<Map<number, AccountRow>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await db<AccountRow>('accounts').whereIn('id', unique);
  return new Map(rows.map((row) => [row.id, row]));
}

/** Reads the account under a row lock: the caller is inside the transaction that changes money. */
export async function lockAccount(db: Db, id: number): Promise<AccountRow | undefined> {
  return db<AccountRow>('accounts').where({ id }).forUpdate().first();
}

export async function insertAccount(db: Db, account: NewAccount): Promise<AccountRow> {
  const [row] = await db<AccountRow>('accounts').insert({ ...account, email: account.email.trim() }).returning('*');
  return row as AccountRow;
}

export async function updateAccountPassword(db: Db, id: number, passwordHash: string, now: Date): Promise<void> {
  await db('accounts').where({ id }).update({ password_hash: passwordHash, updated_at: now });
}

export async function recordLogin(db: Db, id: number, now: Date): Promise<void> {
  await db('accounts').where({ id }).update({ last_login_at: now });
}

export async function setAccountBalance(db: Db, id: number, balance: string, now: Date): Promise<void> {
  await db('accounts').where({ id }).update({ balance, updated_at: now });
}

export async function countAccountsByRole(db: Db, parentId?: number): Promise<Record<Role, number>> {
  const query = db('accounts').select('role').count({ count: '*' }).whereNot('status', 'closed').groupBy('role');
  if (parentId !== undefined) query.where({ parent_id: parentId });
  const rows = (await query) as Array<{ role: Role; count: string | number }>;
  const counts: Record<Role, number> = { admin: 0, reseller: 0, customer: 0 };
  for (const row of rows) counts[row.role] = Number(row.count);
  return counts;
}

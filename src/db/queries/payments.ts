// The Payments pages' reads: one account's payments, the admin's list of all with filters, the
// disputes that flag accounts.
import type { Db } from '../knex.ts';
import type { PaymentKind, PaymentRow, PaymentStatus } from '../repos/payments.ts';

export interface PaymentFilters {
  accountId?: number | undefined;
  status?: PaymentStatus | undefined;
  kind?: PaymentKind | undefined;
  /** Only payments with a dispute, or with a refund. */
  flag?: 'disputed' | 'refunded' | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

export interface PaymentListRow extends PaymentRow {
  account_name: string;
  account_email: string;
}

function filtered(db: Db, filters: PaymentFilters) {
  const query = db('payments as p').join('accounts as a', 'a.id', 'p.account_id');
  if (filters.accountId !== undefined) query.where('p.account_id', filters.accountId);
  if (filters.status) query.where('p.status', filters.status);
  if (filters.kind) query.where('p.kind', filters.kind);
  if (filters.flag === 'disputed') query.whereNotNull('p.disputed_at');
  if (filters.flag === 'refunded') query.where('p.amount_refunded', '>', 0);
  if (filters.from) query.where('p.created_at', '>=', `${filters.from}T00:00:00Z`);
  if (filters.to) query.whereRaw(`p.created_at < (?::date + 1)::timestamptz`, [filters.to]);
  return query;
}

export async function listPayments(db: Db, filters: PaymentFilters, window: { limit: number; offset: number }): Promise<{ rows: PaymentListRow[]; total: number }> {
  const [rows, count] = await Promise.all([
    filtered(db, filters).select('p.*', 'a.name as account_name', 'a.email as account_email').orderBy('p.id', 'desc').limit(window.limit).offset(window.offset),
    filtered(db, filters).count({ total: '*' }).first(),
  ]);
  return { rows: rows as PaymentListRow[], total: Number((count as { total: number | string } | undefined)?.total ?? 0) };
}

/** The matching payments, newest first, before the payment `beforeId`: how the CSV export streams. */
export async function listPaymentBatch(db: Db, filters: PaymentFilters, beforeId: number | undefined, limit: number): Promise<PaymentListRow[]> {
  const query = filtered(db, filters).select('p.*', 'a.name as account_name', 'a.email as account_email').orderBy('p.id', 'desc').limit(limit);
  if (beforeId !== undefined) query.where('p.id', '<', beforeId);
  return (await query) as PaymentListRow[];
}

export async function findPaymentWithAccount(db: Db, id: number): Promise<PaymentListRow | undefined> {
  return (await db('payments as p').join('accounts as a', 'a.id', 'p.account_id').where('p.id', id).select('p.*', 'a.name as account_name', 'a.email as account_email').first()) as PaymentListRow | undefined;
}

export interface DisputeRow {
  id: number;
  dispute_id: string;
  payment_id: number | null;
  account_id: number | null;
  account_name: string | null;
  amount: string;
  reason: string;
  status: string;
  created_at: Date;
}

/** Disputes, newest first: each flags its account for the admin. */
export async function listDisputes(db: Db, limit = 50): Promise<DisputeRow[]> {
  return (await db('payment_disputes as d')
    .leftJoin('accounts as a', 'a.id', 'd.account_id')
    .select('d.*', 'a.name as account_name')
    .orderBy('d.id', 'desc')
    .limit(limit)) as DisputeRow[];
}

export async function countAccountDisputes(db: Db, accountId: number): Promise<number> {
  const row = (await db('payment_disputes').where({ account_id: accountId }).count({ total: '*' }).first()) as { total: number | string } | undefined;
  return Number(row?.total ?? 0);
}

/** One payment of the account (its own pages): undefined for another account's. */
export async function findOwnPayment(db: Db, accountId: number, id: number): Promise<PaymentRow | undefined> {
  return db<PaymentRow>('payments').where({ id, account_id: accountId }).first();
}

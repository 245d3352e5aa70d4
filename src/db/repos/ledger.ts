import type { Db } from '../knex.ts';

export type LedgerKind =
  | 'payment'
  | 'refill'
  | 'adjustment'
  | 'refund'
  | 'setup_fee'
  | 'recurring_fee'
  | 'call_charge'
  | 'tax';

export interface LedgerEntryRow {
  id: number;
  account_id: number;
  amount: string;
  balance_after: string;
  kind: LedgerKind;
  description: string;
  reference_type: string | null;
  reference_id: number | null;
  corrects_entry_id: number | null;
  idempotency_key: string;
  created_by: number | null;
  created_at: Date;
  /** The period a recurring fee covers (end exclusive); null for every other row. */
  period_start: Date | null;
  period_end: Date | null;
}

type OptionalColumns = 'reference_type' | 'reference_id' | 'corrects_entry_id' | 'created_by' | 'created_at' | 'period_start' | 'period_end';
export type NewLedgerEntry = Omit<LedgerEntryRow, 'id' | OptionalColumns> & Partial<Pick<LedgerEntryRow, OptionalColumns>>;

export async function insertLedgerEntry(db: Db, entry: NewLedgerEntry): Promise<LedgerEntryRow> {
  const [row] = await db<LedgerEntryRow>('ledger_entries').insert(entry).returning('*');
  return row as LedgerEntryRow;
}

export async function findLedgerEntryByKey(db: Db, idempotencyKey: string): Promise<LedgerEntryRow | undefined> {
  return db<LedgerEntryRow>('ledger_entries').where({ idempotency_key: idempotencyKey }).first();
}

/** The ledger rows a purchase wrote for a subscription (its setup fee and first period). */
export async function findPurchaseEntries(db: Db, accountId: number, subscriptionId: number): Promise<LedgerEntryRow[]> {
  return db<LedgerEntryRow>('ledger_entries')
    .where({ account_id: accountId, reference_type: 'subscription', reference_id: subscriptionId })
    .where('idempotency_key', 'like', 'purchase:%')
    .orderBy('id');
}

/** Sum of negative amounts of the charge kinds between two instants (a positive figure). */
export async function sumCharges(db: Db, from: Date, to: Date, accountIds?: number[]): Promise<string> {
  const query = db('ledger_entries')
    .whereIn('kind', ['setup_fee', 'recurring_fee', 'call_charge'])
    .where('created_at', '>=', from)
    .where('created_at', '<', to)
    .select(db.raw('coalesce(-sum(amount), 0)::numeric(20,6)::text as total'));
  if (accountIds) query.whereIn('account_id', accountIds);
  const row = (await query.first()) as { total: string } | undefined;
  return row?.total ?? '0';
}

/** The newest period charge (first period or renewal) of a subscription: what a release credit refunds part of. */
export async function findLatestPeriodCharge(db: Db, subscriptionId: number): Promise<LedgerEntryRow | undefined> {
  return db<LedgerEntryRow>('ledger_entries')
    .where({ reference_type: 'subscription', reference_id: subscriptionId, kind: 'recurring_fee' })
    .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }])
    .first();
}

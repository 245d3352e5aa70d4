// Reading an account's ledger: filtered pages for the Transactions page, batches for CSV.
import type { Db } from '../knex.ts';
import type { LedgerEntryRow, LedgerKind } from './ledger.ts';

export interface LedgerFilters {
  kind?: LedgerKind | undefined;
  /** Inclusive lower bound. */
  from?: Date | undefined;
  /** Exclusive upper bound. */
  before?: Date | undefined;
  /** Cursor: entries older than this one. */
  belowId?: number | undefined;
}

export interface LedgerHistoryRow extends LedgerEntryRow {
  created_by_name: string | null;
}

function accountLedger(db: Db, accountId: number, filters: LedgerFilters) {
  const query = db('ledger_entries as l').where('l.account_id', accountId);
  if (filters.kind) query.where('l.kind', filters.kind);
  if (filters.from) query.where('l.created_at', '>=', filters.from);
  if (filters.before) query.where('l.created_at', '<', filters.before);
  if (filters.belowId !== undefined) query.where('l.id', '<', filters.belowId);
  return query;
}

export async function countLedgerEntries(db: Db, accountId: number, filters: LedgerFilters): Promise<number> {
  const row = (await accountLedger(db, accountId, filters).count({ count: '*' }).first()) as { count: string | number } | undefined;
  return Number(row?.count ?? 0);
}

/**
 * Newest first by id: the order rows were posted in under the account's lock, so each row's
 * balance_after follows from the one below it.
 */
export async function listLedgerEntries(
  db: Db,
  accountId: number,
  filters: LedgerFilters,
  page: { limit: number; offset: number },
): Promise<LedgerHistoryRow[]> {
  return accountLedger(db, accountId, filters)
    .leftJoin('accounts as c', 'c.id', 'l.created_by')
    .select('l.*', 'c.name as created_by_name')
    .orderBy('l.id', 'desc')
    .limit(page.limit)
    .offset(page.offset);
}

/** One batch of the CSV export, newest first: the entries below the cursor id (keyset, never OFFSET). */
export async function listLedgerEntryBatch(db: Db, accountId: number, filters: LedgerFilters, beforeId: number | undefined, limit: number): Promise<LedgerEntryRow[]> {
  const query = accountLedger(db, accountId, filters).select('l.*').orderBy('l.id', 'desc').limit(limit);
  if (beforeId !== undefined) query.where('l.id', '<', beforeId);
  return (await query) as LedgerEntryRow[];
}

export async function findLedgerEntryOfAccount(db: Db, accountId: number, entryId: number): Promise<LedgerEntryRow | undefined> {
  return db<LedgerEntryRow>('ledger_entries').where({ id: entryId, account_id: accountId }).first();
}

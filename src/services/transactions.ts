// An account's ledger as its Transactions page shows it (the CSV: web/routes/transactions/export.ts).
import type { Db } from '../db/knex.ts';
import { findAccountById, type AccountRow } from '../db/repos/accounts.ts';
import {
  countLedgerEntries,
  listLedgerEntries,
  type LedgerFilters,
  type LedgerHistoryRow,
} from '../db/repos/ledger-history.ts';
import type { LedgerKind } from '../db/repos/ledger.ts';
import { NotFoundError } from '../errors.ts';
import { availableFunds, reservedForCalls } from './ledger.ts';

export const LEDGER_KINDS: LedgerKind[] = ['payment', 'refill', 'adjustment', 'refund', 'setup_fee', 'recurring_fee', 'call_charge', 'tax'];

export const LEDGER_KIND_LABELS: Record<LedgerKind, string> = {
  payment: 'Payment',
  refill: 'Refill',
  adjustment: 'Adjustment',
  refund: 'Refund',
  setup_fee: 'Setup fee',
  recurring_fee: 'Recurring fee',
  call_charge: 'Call charge',
  tax: 'Tax',
};

const DAY_MS = 24 * 60 * 60 * 1000;

export interface TransactionFilters {
  kind?: LedgerKind | undefined;
  /** YYYY-MM-DD, UTC, inclusive. */
  from?: string | undefined;
  /** YYYY-MM-DD, UTC, inclusive. */
  to?: string | undefined;
  belowId?: number | undefined;
}

export function ledgerFiltersOf(filters: TransactionFilters): LedgerFilters {
  return {
    kind: filters.kind,
    from: filters.from ? new Date(`${filters.from}T00:00:00Z`) : undefined,
    before: filters.to ? new Date(new Date(`${filters.to}T00:00:00Z`).getTime() + DAY_MS) : undefined,
    belowId: filters.belowId,
  };
}

export interface TransactionsPage {
  account: AccountRow;
  availableFunds: string;
  reservedForCalls: string;
  rows: LedgerHistoryRow[];
  total: number;
}

/** The account's funds now: balance, what calls in progress hold, what is available. */
export async function loadBalance(db: Db, accountId: number, now: Date): Promise<{ account: AccountRow; reserved: string; available: string }> {
  const account = await findAccountById(db, accountId);
  if (!account) throw new NotFoundError('No such account');
  const reserved = await reservedForCalls(db, accountId, now);
  return { account, reserved, available: availableFunds(account, reserved) };
}

export async function loadTransactions(
  db: Db,
  accountId: number,
  filters: TransactionFilters,
  page: { limit: number; offset: number },
  now: Date,
): Promise<TransactionsPage> {
  const account = await findAccountById(db, accountId);
  if (!account) throw new NotFoundError('No such account');
  const ledgerFilters = ledgerFiltersOf(filters);
  const [rows, total, reserved] = await Promise.all([
    listLedgerEntries(db, accountId, ledgerFilters, page),
    countLedgerEntries(db, accountId, ledgerFilters),
    reservedForCalls(db, accountId, now),
  ]);
  return { account, availableFunds: availableFunds(account, reserved), reservedForCalls: reserved, rows, total };
}

// An account's ledger as CSV, in the Transactions page's filters: newest first, amounts as plain
// decimal strings, read in keyset batches (below the last entry's id) through the shared CSV helper.
import type { Response } from 'express';
import { listLedgerEntryBatch } from '../../../db/repos/ledger-history.ts';
import type { LedgerEntryRow } from '../../../db/repos/ledger.ts';
import { keysetBatches, type CsvTable } from '../../../services/csv-export.ts';
import { ledgerFiltersOf } from '../../../services/transactions.ts';
import { csvAmount, csvText, csvTime } from '../../presenters/csv-values.ts';
import { sendCsv } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { validate } from '../../middleware/validate.ts';
import { transactionsQuerySchema } from './schema.ts';

export const transactionsExportQuery = validate(transactionsQuerySchema, { from: 'query', answer: 'text' });

function transactionsTable(decimals: number): CsvTable<LedgerEntryRow> {
  const amount = csvAmount(decimals);
  return {
    columns: ['id', 'created_at', 'kind', 'description', 'amount', 'balance_after', 'reference_type', 'reference_id', 'corrects_entry_id'],
    numeric: ['id', 'amount', 'balance_after', 'reference_id', 'corrects_entry_id'],
    record: (row) => [
      row.id, csvTime(row.created_at), row.kind, row.description, amount(row.amount), amount(row.balance_after),
      csvText(row.reference_type), csvText(row.reference_id), csvText(row.corrects_entry_id),
    ],
  };
}

/** The CSV, behind transactionsExportQuery. */
export async function exportTransactions(context: AppContext, res: Response, accountId: number, fileName: string): Promise<void> {
  const query = transactionsExportQuery.data(res);
  const filters = ledgerFiltersOf({ kind: query.kind, from: query.from, to: query.to });
  const read = (beforeId: number | undefined, limit: number) => listLedgerEntryBatch(context.db, accountId, filters, beforeId, limit);
  await sendCsv(res, fileName, transactionsTable(context.config.moneyDecimals), keysetBatches(read, (row) => row.id));
}

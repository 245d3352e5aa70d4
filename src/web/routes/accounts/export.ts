// The managed accounts list as CSV, in the list's filters and order (name, then id), read in keyset
// batches through the shared CSV helper so a long list streams.
import type { Response } from 'express';
import { listAccountBatch, type AccountFilters, type AccountListRow, type AccountScope } from '../../../db/repos/account-directory.ts';
import { keysetBatches, type CsvTable } from '../../../services/csv-export.ts';
import { availableFunds } from '../../../services/ledger.ts';
import { csvAmount, csvText, csvTime } from '../../presenters/csv-values.ts';
import { sendCsv } from '../../render.ts';
import type { AppContext } from '../../context.ts';

function accountsTable(decimals: number): CsvTable<AccountListRow> {
  const amount = csvAmount(decimals);
  return {
    columns: ['id', 'role', 'name', 'email', 'parent_id', 'parent_name', 'status', 'billing_mode', 'balance', 'credit_limit', 'available_funds', 'max_concurrent_calls', 'created_at'],
    numeric: ['id', 'parent_id', 'balance', 'credit_limit', 'available_funds', 'max_concurrent_calls'],
    record: (row) => [
      row.id, row.role, row.name, row.email, csvText(row.parent_id), csvText(row.parent_name), row.status, row.billing_mode,
      amount(row.balance), amount(row.credit_limit), amount(availableFunds(row)), row.max_concurrent_calls, csvTime(row.created_at),
    ],
  };
}

export async function exportAccounts(res: Response, { db, config }: AppContext, fileName: string, scope: AccountScope, filters: AccountFilters): Promise<void> {
  const read = (after: { name: string; id: number } | undefined, limit: number) => listAccountBatch(db, scope, filters, after, limit);
  await sendCsv(res, fileName, accountsTable(config.moneyDecimals), keysetBatches(read, (row) => ({ name: row.name, id: row.id })));
}

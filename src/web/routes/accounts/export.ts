// The managed accounts list as CSV, read in batches so a long list streams.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Db } from '../../../db/knex.ts';
import { listAccounts, type AccountFilters, type AccountScope } from '../../../db/repos/account-directory.ts';
import { csvColumns, csvWriter } from '../../../domain/csv-cell.ts';
import { toPlain } from '../../../domain/money.ts';
import { availableFunds } from '../../../services/ledger.ts';

const NUMERIC = ['id', 'parent_id', 'balance', 'credit_limit', 'available_funds', 'max_concurrent_calls'];
const COLUMNS = ['id', 'role', 'name', 'email', 'parent_id', 'parent_name', 'status', 'billing_mode', 'balance', 'credit_limit', 'available_funds', 'max_concurrent_calls', 'created_at'];

export async function writeAccountsCsv(db: Db, scope: AccountScope, filters: AccountFilters, decimals: number, out: NodeJS.WritableStream): Promise<void> {
  async function* records() {
    for (let offset = 0; ; offset += 1000) {
      const rows = await listAccounts(db, scope, filters, { limit: 1000, offset });
      for (const row of rows) {
        yield [
          row.id, row.role, row.name, row.email, row.parent_id ?? '', row.parent_name ?? '', row.status, row.billing_mode,
          toPlain(row.balance, decimals), toPlain(row.credit_limit, decimals),
          toPlain(availableFunds(row), decimals), row.max_concurrent_calls, new Date(row.created_at).toISOString(),
        ];
      }
      if (rows.length < 1000) return;
    }
  }
  await pipeline(Readable.from(records()), csvWriter(csvColumns(COLUMNS, NUMERIC)), out);
}

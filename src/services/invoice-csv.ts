// The invoice list as CSV: plain decimal strings, one row per document, in the list's filters.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import type { Db } from '../db/knex.ts';
import { streamInvoices, type InvoiceFilters, type InvoiceScope } from '../db/queries/invoices.ts';
import { csvColumns, csvWriter } from '../domain/csv-cell.ts';
import { toPlain } from '../domain/money.ts';

const COLUMNS = ['id', 'kind', 'number', 'issuer', 'account_id', 'account', 'period_start', 'period_end', 'issued_at', 'due_at', 'status', 'subtotal', 'tax_total', 'total', 'amount_due', 'currency'];

export async function writeInvoicesCsv(db: Db, scope: InvoiceScope, filters: InvoiceFilters, decimals: number, output: Writable): Promise<void> {
  const day = (date: Date | null) => (date ? date.toISOString().slice(0, 10) : '');
  async function* records() {
    for await (const rows of streamInvoices(db, scope, filters)) {
      for (const row of rows) {
        yield [
          String(row.id), row.kind, row.number, row.issuer_name, String(row.account_id), row.account_name, day(row.period_start), day(row.period_end),
          row.issued_at.toISOString(), row.due_at ? row.due_at.toISOString() : '', row.status, toPlain(row.subtotal, decimals), toPlain(row.tax_total, decimals),
          toPlain(row.total, decimals), toPlain(row.amount_due, decimals), row.currency,
        ];
      }
    }
  }
  await pipeline(Readable.from(records()), csvWriter(csvColumns(COLUMNS, ['id', 'account_id', 'subtotal', 'tax_total', 'total', 'amount_due'])), output);
}

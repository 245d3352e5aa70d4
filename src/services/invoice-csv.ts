// The invoice list as CSV (one row per document, in the list's filters) and one document's lines
// as CSV (with the days each charge covers): plain decimal strings.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import type { Db } from '../db/knex.ts';
import { streamInvoices, type InvoiceFilters, type InvoiceScope } from '../db/queries/invoices.ts';
import type { InvoiceRow } from '../db/repos/invoices.ts';
import { LINE_GROUP_LABELS, coveredDays } from '../domain/invoices.ts';
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

const LINE_COLUMNS = ['invoice', 'group', 'description', 'number', 'period_from', 'period_to', 'calls', 'minutes', 'amount', 'currency'];

/** One invoice's lines; `period_from` and `period_to` are the first and last day a charge covers, both included. */
export async function writeInvoiceLinesCsv(invoice: InvoiceRow, decimals: number, output: Writable): Promise<void> {
  const records = invoice.lines.map((line) => {
    const period = coveredDays(line);
    return [
      invoice.number, LINE_GROUP_LABELS[line.group], line.description, line.number ?? '', period?.from ?? '', period?.to ?? '',
      line.calls === null ? '' : String(line.calls), line.minutes ?? '', toPlain(line.amount, decimals), invoice.currency,
    ];
  });
  await pipeline(Readable.from(records), csvWriter(csvColumns(LINE_COLUMNS, ['calls', 'minutes', 'amount'])), output);
}

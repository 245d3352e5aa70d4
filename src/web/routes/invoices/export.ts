// The invoice list as CSV (one row per document, in the list's filters, read in keyset batches by
// id) and one document's lines as CSV (with the days each charge covers): plain decimal strings,
// both through the shared CSV helper.
import type { Response } from 'express';
import { listInvoiceBatch, type InvoiceFilters, type InvoiceListRow, type InvoiceScope } from '../../../db/queries/invoices.ts';
import type { InvoiceRow } from '../../../db/repos/invoices.ts';
import { LINE_GROUP_LABELS, coveredDays, type InvoiceLine } from '../../../domain/invoices.ts';
import { keysetBatches, type CsvTable } from '../../../services/csv-export.ts';
import { csvAmount, csvDay, csvText, csvTime } from '../../presenters/csv-values.ts';
import { sendCsv } from '../../render.ts';
import type { AppContext } from '../../context.ts';

/** `period_from` and `period_to` are the first and last day the invoice covers, both included, as on its page. */
function invoicesTable(decimals: number): CsvTable<InvoiceListRow> {
  const amount = csvAmount(decimals);
  return {
    columns: ['id', 'kind', 'number', 'issuer', 'account_id', 'account', 'period_from', 'period_to', 'issued_at', 'due_at', 'status', 'subtotal', 'tax_total', 'total', 'amount_due', 'currency'],
    numeric: ['id', 'account_id', 'subtotal', 'tax_total', 'total', 'amount_due'],
    record: (row) => {
      const period = coveredDays({ period_start: csvDay(row.period_start) || null, period_end: csvDay(row.period_end) || null });
      return [
        csvText(row.id), row.kind, row.number, row.issuer_name, csvText(row.account_id), row.account_name, csvText(period?.from), csvText(period?.to),
        csvTime(row.issued_at), csvTime(row.due_at), row.status, amount(row.subtotal), amount(row.tax_total), amount(row.total), amount(row.amount_due), row.currency,
      ];
    },
  };
}

/** `period_from` and `period_to` are the first and last day a charge covers, both included. */
function linesTable(invoice: InvoiceRow, decimals: number): CsvTable<InvoiceLine> {
  const amount = csvAmount(decimals);
  return {
    columns: ['invoice', 'group', 'description', 'number', 'period_from', 'period_to', 'calls', 'minutes', 'amount', 'currency'],
    numeric: ['calls', 'minutes', 'amount'],
    record: (line) => {
      const period = coveredDays(line);
      return [
        invoice.number, LINE_GROUP_LABELS[line.group], line.description, csvText(line.number), csvText(period?.from), csvText(period?.to),
        csvText(line.calls), csvText(line.minutes), amount(line.amount), invoice.currency,
      ];
    },
  };
}

export async function exportInvoices(res: Response, { db, config }: AppContext, scope: InvoiceScope, filters: InvoiceFilters): Promise<void> {
  const read = (afterId: number | undefined, limit: number) => listInvoiceBatch(db, scope, filters, afterId, limit);
  await sendCsv(res, 'invoices.csv', invoicesTable(config.moneyDecimals), keysetBatches(read, (row) => row.id));
}

/** One document's lines, named after its number: the lines are on the document's row already. */
export async function exportInvoiceLines(res: Response, { config }: AppContext, invoice: InvoiceRow): Promise<void> {
  await sendCsv(res, `invoice-${invoice.number}.csv`, linesTable(invoice, config.moneyDecimals), [invoice.lines]);
}

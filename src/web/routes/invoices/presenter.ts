// Invoice rows -> what the invoice pages show.
import { LINE_GROUP_LABELS, coveredDays, type LineGroup } from '../../../domain/invoices.ts';
import type { InvoiceListRow } from '../../../db/queries/invoices.ts';
import type { InvoiceRow } from '../../../db/repos/invoices.ts';
import type { CreditNoteQuote } from '../../../services/credit-notes.ts';

export const STATUS_LABELS = { open: 'Open', paid: 'Paid', credited: 'Credited' } as const;
export const KIND_LABELS = { invoice: 'Invoice', credit_note: 'Credit note' } as const;

const day = (date: Date | null) => (date ? date.toISOString().slice(0, 10) : null);
/** An invoice's period as the days it covers, both included, like its lines (the stored end is the next period's first day). */
const periodOf = (row: { kind: string; period_start: Date | null; period_end: Date | null }) =>
  (row.kind === 'invoice' ? coveredDays({ period_start: day(row.period_start), period_end: day(row.period_end) }) : null);

export function presentListRow(row: InvoiceListRow, base: string) {
  return {
    id: row.id, href: `${base}/${row.id}`, number: row.number, kind: KIND_LABELS[row.kind], issuer: row.issuer_name, account: row.account_name,
    period: periodOf(row), issued: row.issued_at, due: row.due_at,
    status: row.status, statusLabel: STATUS_LABELS[row.status], total: row.total, taxTotal: row.tax_total, amountDue: row.amount_due,
  };
}

export function presentInvoice(invoice: InvoiceRow, options: { base: string; creditNotes: InvoiceRow[]; corrects: InvoiceRow | undefined; canCredit: boolean; creditable: string }) {
  const groups = [...new Set(invoice.lines.map((line) => line.group))].map((group: LineGroup) => ({
    label: LINE_GROUP_LABELS[group],
    lines: invoice.lines.filter((line) => line.group === group).map((line) => ({
      description: line.description,
      usage: line.group === 'calls' ? `${line.calls ?? 0} calls, ${line.minutes ?? '0'} min` : '',
      /** The days the charge covers, both included (a prorated first month: purchase day to the day before the billing day). */
      period: coveredDays(line),
      amount: line.amount,
    })),
  }));
  return {
    id: invoice.id,
    title: `${KIND_LABELS[invoice.kind]} ${invoice.number}`,
    kind: invoice.kind,
    number: invoice.number,
    pdfHref: `${options.base}/${invoice.id}/invoice-${invoice.number}.pdf`,
    csvHref: `${options.base}/${invoice.id}/invoice-${invoice.number}.csv`,
    creditHref: `${options.base}/${invoice.id}/credit-notes`,
    logoHref: invoice.issuer_snapshot.has_logo ? `${options.base}/${invoice.id}/logo` : null,
    issuer: { ...invoice.issuer_snapshot, addressLines: invoice.issuer_snapshot.address.split(/\r?\n/) },
    customer: { ...invoice.customer_snapshot, addressLines: invoice.customer_snapshot.address.split(/\r?\n/) },
    period: periodOf(invoice),
    issued: invoice.issued_at, due: invoice.status === 'open' ? invoice.due_at : null,
    status: invoice.status, statusLabel: STATUS_LABELS[invoice.status], billingMode: invoice.billing_mode,
    note: invoice.note, groups, payments: invoice.payments, taxes: invoice.taxes,
    subtotal: invoice.subtotal, taxTotal: invoice.tax_total, total: invoice.total, paymentsTotal: invoice.payments_total,
    openingBalance: invoice.opening_balance, closingBalance: invoice.closing_balance, amountDue: invoice.amount_due,
    footer: invoice.issuer_snapshot.footer ?? '',
    creditNotes: options.creditNotes.map((note) => ({ href: `${options.base}/${note.id}`, number: note.number, total: note.total, issued: note.issued_at, reason: note.note })),
    corrects: options.corrects ? { href: `${options.base}/${options.corrects.id}`, number: options.corrects.number } : null,
    canCredit: options.canCredit, creditable: options.creditable,
  };
}

/** The review of a credit note before it is issued: what it credits, the taxes on it, the invoice it corrects. */
export function presentCreditNoteQuote(quote: CreditNoteQuote, base: string, reason: string) {
  return {
    invoice: { id: quote.invoice.id, number: quote.invoice.number, href: `${base}/${quote.invoice.id}`, customer: quote.invoice.customer_snapshot.name, total: quote.invoice.total },
    action: `${base}/${quote.invoice.id}/credit-notes/confirm`,
    amount: quote.amount, taxes: quote.taxes, taxTotal: quote.taxTotal, total: quote.total, left: quote.left, reason,
  };
}

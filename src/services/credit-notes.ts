// A credit note corrects an issued invoice (which never changes): it credits a tax-exclusive
// amount plus the invoice's taxes on it, numbered in the issuer's credit note sequence, and puts
// the money back on the account's ledger (an adjustment that the next invoice lists as a credit).
// Money moves, so the pages quote it first (quoteCreditNote) and issue it on the confirm post.
import type { Db } from '../db/knex.ts';
import { inTransaction } from '../db/transaction.ts';
import { findAccountById } from '../db/repos/accounts.ts';
import { insertAuditEntry } from '../db/repos/audit-log.ts';
import {
  advanceInvoiceCounter, findInvoice, insertInvoice, listCreditNotes, lockInvoice, setInvoiceStatus, type InvoiceRow,
} from '../db/repos/invoices.ts';
import { findLedgerEntryByKey } from '../db/repos/ledger.ts';
import { postLedgerEntry } from '../db/ledger-writer.ts';
import { Money, toStored } from '../domain/money.ts';
import { computeTaxes, type TaxAmount } from '../domain/taxes.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { documentNumber, nextSequence, partySnapshot } from './invoices.ts';

export interface CreditNoteInput {
  invoiceId: number;
  /** Tax-exclusive amount to credit (plain decimal string). */
  amount: string;
  reason: string;
}

/** What a credit note would be: the amount, the invoice's taxes on it, the total credited. */
export interface CreditNoteQuote {
  invoice: InvoiceRow;
  amount: string;
  taxes: TaxAmount[];
  taxTotal: string;
  total: string;
  /** What was left to credit before this note. */
  left: string;
}

/** What is left to credit on an invoice (tax-exclusive). */
export async function creditableAmount(db: Db, invoice: InvoiceRow): Promise<string> {
  const notes = await listCreditNotes(db, invoice.id);
  return notes.reduce((left, note) => left.minus(note.subtotal), new Money(invoice.subtotal)).toFixed();
}

/** The amount checked against what is left and taxed as the invoice was; a ValidationError names the field. */
async function quoteFor(db: Db, invoice: InvoiceRow, input: CreditNoteInput, decimals: number): Promise<CreditNoteQuote> {
  const amount = new Money(input.amount);
  const left = new Money(await creditableAmount(db, invoice));
  if (amount.lessThanOrEqualTo(0)) throw new ValidationError('The amount to credit is positive', { amount: 'Enter an amount above zero' });
  if (amount.greaterThan(left)) throw new ValidationError(`At most ${left.toFixed()} is left to credit on this invoice`, { amount: `At most ${left.toFixed()} is left to credit` });
  const rates = invoice.taxes.map((tax, index) => ({ name: tax.name, rate: tax.rate, position: index, compound: tax.compound }));
  const { taxes, taxTotal } = computeTaxes(amount.toFixed(), rates, { decimals });
  return { invoice, amount: amount.toFixed(), taxes, taxTotal, total: amount.plus(taxTotal).toFixed(), left: left.toFixed() };
}

/** The review step: what issuing this credit note on `invoice` (as its issuer's page loaded it) would do, nothing written. */
export async function quoteCreditNote(db: Db, invoice: InvoiceRow, input: Omit<CreditNoteInput, 'invoiceId'>, decimals: number): Promise<CreditNoteQuote> {
  if (invoice.kind !== 'invoice') throw new NotFoundError('There is no such invoice');
  return quoteFor(db, invoice, { ...input, invoiceId: invoice.id }, decimals);
}

/**
 * Issues the credit note once per `key` (the review form's): a second post of the same form finds
 * the first note's ledger row under the invoice's lock and returns that note, nothing more credited.
 */
export async function createCreditNote(
  db: Db,
  issuerId: number,
  input: CreditNoteInput & { key: string },
  actor: { actorId: number; now: Date; decimals: number },
): Promise<{ note: InvoiceRow; replayed: boolean }> {
  return inTransaction(db, async (trx) => {
    const invoice = await lockInvoice(trx, input.invoiceId);
    if (!invoice || invoice.kind !== 'invoice' || invoice.issuer_id !== issuerId) throw new NotFoundError('There is no such invoice');
    const ledgerKey = `credit-note:${invoice.id}:${input.key}`;
    const earlier = await findLedgerEntryByKey(trx, ledgerKey);
    const earlierNote = earlier?.reference_id ? await findInvoice(trx, earlier.reference_id) : undefined;
    if (earlierNote) return { note: earlierNote, replayed: true };
    const { amount, taxes, taxTotal, total, left } = await quoteFor(trx, invoice, input, actor.decimals);
    const issuer = await findAccountById(trx, issuerId);
    const { prefix } = await partySnapshot(trx, issuer!);
    const sequence = await nextSequence(trx, issuerId, 'credit_note');
    const note = await insertInvoice(trx, {
      kind: 'credit_note', issuer_id: issuerId, account_id: invoice.account_id, sequence, number: documentNumber(prefix, 'credit_note', sequence),
      corrects_invoice_id: invoice.id, period_start: invoice.period_start, period_end: invoice.period_end, billing_mode: invoice.billing_mode,
      currency: invoice.currency, opening_balance: '0', subtotal: toStored(amount), tax_total: toStored(taxTotal), total: toStored(total),
      payments_total: '0', closing_balance: '0', amount_due: '0',
      issuer_snapshot: invoice.issuer_snapshot, customer_snapshot: invoice.customer_snapshot,
      lines: [{ group: 'adjustments', description: `Credit on invoice ${invoice.number}: ${input.reason}`, number: null, period_start: null, period_end: null, calls: null, minutes: null, amount }],
      payments: [], taxes, note: input.reason, issued_at: actor.now, due_at: null, status: 'paid', paid_at: actor.now,
    });
    await advanceInvoiceCounter(trx, issuerId, 'credit_note', sequence);
    await postLedgerEntry(trx, {
      accountId: invoice.account_id, amount: toStored(total), kind: 'adjustment', description: `Credit note ${note.number} on invoice ${invoice.number}`,
      idempotencyKey: ledgerKey, referenceType: 'credit_note', referenceId: note.id, createdBy: actor.actorId, now: actor.now,
    });
    if (new Money(amount).equals(left)) await setInvoiceStatus(trx, [invoice.id], 'credited', invoice.paid_at ?? actor.now);
    await insertAuditEntry(trx, {
      actorId: actor.actorId, action: 'invoice.credit_note', entityType: 'invoice', entityId: invoice.id,
      after: { credit_note_id: note.id, number: note.number, amount: toStored(amount), total: toStored(total) }, at: actor.now,
    });
    return { note, replayed: false };
  });
}

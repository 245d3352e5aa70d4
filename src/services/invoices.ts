// Invoices (issue 17): at the end of each billing cycle, one invoice per account that had ledger
// rows in the period, issued by its seller (the operator for direct accounts and resellers, the
// reseller for its customers). The figures are the period's ledger rows (src/domain/invoices.ts);
// the taxes are charged to the ledger when the invoice is issued. Numbers come from the issuer's
// counter row, locked in the issuing transaction, so they have no gaps however many runs go at once;
// the invoice of an account and period is issued once (checked under that lock, and a unique index).
import type { Db } from '../db/knex.ts';
import { inTransaction, type Transaction } from '../db/transaction.ts';
import { findAccountById, type AccountRow } from '../db/repos/accounts.ts';
import { findCompanyProfile, listAccountTaxRates } from '../db/repos/company-profiles.ts';
import {
  advanceInvoiceCounter, findAccountInvoice, insertInvoice, listBillingDays, listInvoiceCandidates, listPeriodLedgerRows, lockInvoiceCounter,
  openingBalance, type InvoiceKind, type InvoiceRow, type PartySnapshot,
} from '../db/repos/invoices.ts';
import { postLedgerEntry } from '../db/ledger-writer.ts';
import { buildInvoiceFigures, invoicePeriod } from '../domain/invoices.ts';
import { Money, toStored } from '../domain/money.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { recordEvent } from './events.ts';

const DAY_MS = 86_400_000;

export interface InvoiceSettings {
  currency: string;
  decimals: number;
}

/** What the document shows of an account: its profile when it has one, else its name and email. */
export async function partySnapshot(db: Db, account: AccountRow): Promise<PartySnapshot & { prefix: string; terms: number }> {
  const profile = await findCompanyProfile(db, account.id);
  return {
    account_id: account.id,
    name: profile?.legal_name ?? account.name,
    email: profile?.email || account.email,
    address: profile?.address ?? '',
    tax_id: profile?.tax_id ?? '',
    footer: profile?.footer ?? '',
    has_logo: Boolean(profile?.logo),
    prefix: profile?.invoice_prefix ?? 'INV-',
    terms: profile?.payment_terms_days ?? 14,
  };
}

export function documentNumber(prefix: string, kind: InvoiceKind, sequence: number): string {
  return `${prefix}${kind === 'credit_note' ? 'CN-' : ''}${String(sequence).padStart(5, '0')}`;
}

/** The next sequence of the issuer's documents of `kind`; the counter stays locked until commit. */
export async function nextSequence(trx: Transaction, issuerId: number, kind: InvoiceKind): Promise<number> {
  return (await lockInvoiceCounter(trx, issuerId, kind)) + 1;
}

/**
 * Issues the invoice of one account for `period` (YYYY-MM) in the caller's transaction, or
 * returns undefined when it exists already or the account had nothing in the period.
 */
export async function issueInvoice(db: Db, input: { accountId: number; period: string; now: Date } & InvoiceSettings): Promise<InvoiceRow | undefined> {
  return inTransaction(db, async (trx) => {
    const account = await findAccountById(trx, input.accountId);
    if (!account || account.parent_id === null) throw new NotFoundError('There is no such account to invoice');
    const { start, end } = invoicePeriod(input.period, account.billing_day);
    if (end.getTime() > input.now.getTime()) {
      const message = `The period ${input.period} of this account ends ${end.toISOString().slice(0, 10)}: it cannot be invoiced before`;
      throw new ValidationError(message, { period: message });
    }
    const issuer = await findAccountById(trx, account.parent_id);
    if (!issuer) throw new NotFoundError('The seller of this account is gone');

    const last = await lockInvoiceCounter(trx, issuer.id, 'invoice');
    if (await findAccountInvoice(trx, account.id, start)) return undefined;
    const rows = await listPeriodLedgerRows(trx, account.id, start, end);
    if (rows.length === 0) return undefined;

    const exemptReason = (account as AccountRow & { tax_exempt_reason?: string | null }).tax_exempt_reason ?? null;
    const taxRates = exemptReason ? [] : await listAccountTaxRates(trx, account.id);
    const figures = buildInvoiceFigures(rows, {
      openingBalance: await openingBalance(trx, account.id, start), taxRates, exempt: exemptReason !== null, decimals: input.decimals,
    });
    const issuerParty = await partySnapshot(trx, issuer);
    const { prefix, terms, ...issuerSnapshot } = issuerParty;
    const customer = await partySnapshot(trx, account);
    const customerSnapshot = { account_id: customer.account_id, name: customer.name, email: customer.email, address: customer.address, tax_id: customer.tax_id };
    const postpaid = account.billing_mode === 'postpaid';
    const closing = new Money(figures.closingBalance);
    const owes = postpaid && closing.lessThan(0);
    const sequence = last + 1;

    const invoice = await insertInvoice(trx, {
      kind: 'invoice', issuer_id: issuer.id, account_id: account.id, sequence, number: documentNumber(prefix, 'invoice', sequence),
      corrects_invoice_id: null, period_start: start, period_end: end, billing_mode: account.billing_mode, currency: input.currency,
      opening_balance: toStored(figures.openingBalance), subtotal: toStored(figures.subtotal), tax_total: toStored(figures.taxTotal),
      total: toStored(figures.total), payments_total: toStored(figures.paymentsTotal), closing_balance: toStored(figures.closingBalance),
      amount_due: toStored(owes ? closing.negated() : 0),
      issuer_snapshot: issuerSnapshot, customer_snapshot: { ...customerSnapshot, ...(exemptReason ? { tax_exempt_reason: exemptReason } : {}) },
      lines: figures.lines, payments: figures.payments, taxes: figures.taxes,
      note: exemptReason ? `Tax exempt: ${exemptReason}` : '',
      issued_at: input.now, due_at: postpaid ? new Date(input.now.getTime() + terms * DAY_MS) : null,
      status: owes ? 'open' : 'paid', paid_at: owes ? null : input.now,
    });
    await advanceInvoiceCounter(trx, issuer.id, 'invoice', sequence);
    for (const [index, tax] of figures.taxes.entries()) {
      if (new Money(tax.amount).isZero()) continue;
      await postLedgerEntry(trx, {
        accountId: account.id, amount: toStored(new Money(tax.amount).negated()), kind: 'tax',
        description: `${tax.name} (${tax.rate} %) on invoice ${invoice.number}`, idempotencyKey: `invoice-tax:${invoice.id}:${index}`,
        referenceType: 'invoice', referenceId: invoice.id, now: input.now,
      });
    }
    await recordEvent(trx, {
      type: 'invoice.issued', accountId: account.id, occurredAt: input.now,
      data: {
        invoice_id: invoice.id, number: invoice.number, period_start: start.toISOString(), period_end: end.toISOString(),
        total: invoice.total, amount_due: invoice.amount_due, due_at: invoice.due_at?.toISOString() ?? null, status: invoice.status,
      },
    });
    return invoice;
  });
}

export interface InvoiceRunResult {
  period: string;
  issued: InvoiceRow[];
}

/**
 * Issues every invoice due for `period`: the accounts whose cycle for it has ended at `now`, with
 * ledger rows in it and no invoice yet. One transaction per invoice; safe to run again or at once.
 */
export async function runInvoices(db: Db, input: { period: string; now: Date; accountId?: number } & InvoiceSettings): Promise<InvoiceRunResult> {
  invoicePeriod(input.period, 1);
  const issued: InvoiceRow[] = [];
  for (const billingDay of await listBillingDays(db)) {
    const { start, end } = invoicePeriod(input.period, billingDay);
    if (end.getTime() > input.now.getTime()) continue;
    for (const candidate of await listInvoiceCandidates(db, billingDay, start, end, input.accountId)) {
      const invoice = await issueInvoice(db, { accountId: candidate.id, period: input.period, now: input.now, currency: input.currency, decimals: input.decimals });
      if (invoice) issued.push(invoice);
    }
  }
  return { period: input.period, issued };
}

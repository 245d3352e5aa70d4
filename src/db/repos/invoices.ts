// Invoices and credit notes: the ledger rows of a period, the per-issuer counters, the documents.
import type { InvoiceLine, InvoicePayment, PeriodLedgerRow } from '../../domain/invoices.ts';
import type { TaxAmount } from '../../domain/taxes.ts';
import type { Db } from '../knex.ts';

export type InvoiceKind = 'invoice' | 'credit_note';
export type InvoiceStatus = 'open' | 'paid' | 'credited';

export interface PartySnapshot {
  account_id: number;
  name: string;
  email: string;
  address: string;
  tax_id: string;
  footer?: string;
  has_logo?: boolean;
}

export interface InvoiceRow {
  id: number;
  kind: InvoiceKind;
  issuer_id: number;
  account_id: number;
  sequence: number;
  number: string;
  corrects_invoice_id: number | null;
  period_start: Date;
  period_end: Date;
  billing_mode: 'prepaid' | 'postpaid';
  currency: string;
  opening_balance: string;
  subtotal: string;
  tax_total: string;
  total: string;
  payments_total: string;
  closing_balance: string;
  amount_due: string;
  issuer_snapshot: PartySnapshot;
  customer_snapshot: PartySnapshot;
  lines: InvoiceLine[];
  payments: InvoicePayment[];
  taxes: TaxAmount[];
  note: string;
  issued_at: Date;
  due_at: Date | null;
  status: InvoiceStatus;
  paid_at: Date | null;
}

export type NewInvoice = Omit<InvoiceRow, 'id'>;

const JSON_COLUMNS = ['issuer_snapshot', 'customer_snapshot', 'lines', 'payments', 'taxes'] as const;

export async function insertInvoice(db: Db, invoice: NewInvoice): Promise<InvoiceRow> {
  const row: Record<string, unknown> = { ...invoice };
  for (const column of JSON_COLUMNS) row[column] = JSON.stringify(invoice[column]);
  const [inserted] = await db('invoices').insert(row).returning('*');
  return inserted as InvoiceRow;
}

export async function findInvoice(db: Db, id: number): Promise<InvoiceRow | undefined> {
  return db<InvoiceRow>('invoices').where({ id }).first();
}

export async function lockInvoice(db: Db, id: number): Promise<InvoiceRow | undefined> {
  return db<InvoiceRow>('invoices').where({ id }).forUpdate().first();
}

/** The account's invoice of the period, or of a later one (an earlier period is never invoiced after a later one). */
export async function findAccountInvoice(db: Db, accountId: number, periodStart: Date): Promise<InvoiceRow | undefined> {
  return db<InvoiceRow>('invoices').where({ account_id: accountId, kind: 'invoice' }).where('period_start', '>=', periodStart).orderBy('period_start').first();
}

export async function listCreditNotes(db: Db, invoiceId: number): Promise<InvoiceRow[]> {
  return db<InvoiceRow>('invoices').where({ corrects_invoice_id: invoiceId }).orderBy('id');
}

/**
 * The next number of an issuer's documents of a kind: the counter row is locked until the
 * caller's transaction ends, so numbers are handed out one transaction at a time, without gaps
 * (a transaction that rolls back gives its number back).
 */
export async function lockInvoiceCounter(db: Db, issuerId: number, kind: InvoiceKind): Promise<number> {
  await db.raw('INSERT INTO invoice_counters (issuer_id, kind, last_number) VALUES (?, ?, 0) ON CONFLICT DO NOTHING', [issuerId, kind]);
  const row = (await db('invoice_counters').where({ issuer_id: issuerId, kind }).forUpdate().first('last_number')) as { last_number: number };
  return Number(row.last_number);
}

export async function advanceInvoiceCounter(db: Db, issuerId: number, kind: InvoiceKind, sequence: number): Promise<void> {
  await db('invoice_counters').where({ issuer_id: issuerId, kind }).update({ last_number: sequence });
}

/** The account's ledger rows of the period (its taxes, charged by invoices, apart), with the number each is about. */
export async function listPeriodLedgerRows(db: Db, accountId: number, start: Date, end: Date): Promise<PeriodLedgerRow[]> {
  const rows = (await db('ledger_entries as l')
    .leftJoin('subscriptions as s', function joinSubscription() {
      this.on('s.id', '=', 'l.reference_id').andOn('l.reference_type', '=', db.raw('?', ['subscription']));
    })
    .leftJoin('products as p', 'p.id', 's.product_id')
    .leftJoin('calls as c', function joinCall() {
      this.on('c.id', '=', 'l.reference_id').andOn('l.reference_type', '=', db.raw('?', ['call']));
    })
    .leftJoin('call_charges as cc', 'cc.ledger_entry_id', 'l.id')
    .where('l.account_id', accountId)
    .where('l.created_at', '>=', start)
    .where('l.created_at', '<', end)
    .whereNot('l.kind', 'tax')
    .orderBy('l.id')
    .select(
      'l.id', 'l.kind', 'l.amount', 'l.description', 'l.created_at', 'l.reference_type', 'l.idempotency_key',
      db.raw('coalesce(p.number, c.number) as number'), 'l.period_start', 'l.period_end', 's.billing_days', 'cc.billed_seconds',
    )) as Array<PeriodLedgerRow & { id: string | number }>;
  return rows.map((row) => ({ ...row, id: Number(row.id), billing_days: row.billing_days === null ? null : Number(row.billing_days), billed_seconds: row.billed_seconds === null ? null : Number(row.billed_seconds) }));
}

/**
 * The balance an invoice starts from: every ledger row before the period, where an invoice's
 * taxes count in the period of that invoice (they are charged when it is issued, after its end).
 */
export async function openingBalance(db: Db, accountId: number, start: Date): Promise<string> {
  const row = (await db('ledger_entries as l')
    .where('l.account_id', accountId)
    .where((where) => {
      where.where((before) => before.whereNot('l.kind', 'tax').where('l.created_at', '<', start))
        .orWhere((tax) => tax.where('l.kind', 'tax').whereIn('l.reference_id', db('invoices').select('id').where({ account_id: accountId }).where('period_start', '<', start)));
    })
    .first(db.raw('coalesce(sum(l.amount), 0)::text as total'))) as { total: string };
  return row.total;
}

export interface InvoiceCandidate {
  id: number;
  parent_id: number;
}

/** Accounts billed on `billingDay` with ledger rows in the period and no invoice for it yet. */
export async function listInvoiceCandidates(db: Db, billingDay: number, start: Date, end: Date, accountId?: number): Promise<InvoiceCandidate[]> {
  const query = db('accounts as a')
    .whereIn('a.role', ['reseller', 'customer'])
    .where('a.billing_day', billingDay)
    .whereExists(db('ledger_entries as l').whereRaw('l.account_id = a.id').where('l.created_at', '>=', start).where('l.created_at', '<', end).whereNot('l.kind', 'tax'))
    .whereNotExists(db('invoices as i').whereRaw('i.account_id = a.id').where('i.kind', 'invoice').where('i.period_start', '>=', start))
    .orderBy('a.id')
    .select('a.id', 'a.parent_id');
  if (accountId !== undefined) query.where('a.id', accountId);
  const rows = (await query) as Array<{ id: string | number; parent_id: string | number }>;
  return rows.map((row) => ({ id: Number(row.id), parent_id: Number(row.parent_id) }));
}

export async function listBillingDays(db: Db): Promise<number[]> {
  const rows = (await db('accounts').whereIn('role', ['reseller', 'customer']).distinct('billing_day').orderBy('billing_day')) as Array<{ billing_day: number }>;
  return rows.map((row) => Number(row.billing_day));
}

export async function setInvoiceStatus(db: Db, ids: number[], status: InvoiceStatus, paidAt: Date | null): Promise<void> {
  if (ids.length === 0) return;
  await db('invoices').whereIn('id', ids).update({ status, paid_at: paidAt });
}

/** Open invoices of an account, oldest first. */
export async function listOpenInvoices(db: Db, accountId: number): Promise<InvoiceRow[]> {
  return db<InvoiceRow>('invoices').where({ account_id: accountId, kind: 'invoice', status: 'open' }).orderBy('id');
}

/** Accounts with an open invoice whose due date plus `graceDays` has passed at `now`. */
export async function listOverdueAccounts(db: Db, before: Date): Promise<number[]> {
  const rows = (await db('invoices').where({ kind: 'invoice', status: 'open' }).where('due_at', '<', before).distinct('account_id')) as Array<{ account_id: string | number }>;
  return rows.map((row) => Number(row.account_id));
}

export async function listAccountsWithOpenInvoices(db: Db): Promise<number[]> {
  const rows = (await db('invoices').where({ kind: 'invoice', status: 'open' }).distinct('account_id')) as Array<{ account_id: string | number }>;
  return rows.map((row) => Number(row.account_id));
}

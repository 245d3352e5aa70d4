// The invoice lists and the one invoice a viewer may see. Scopes: the admin sees every document;
// a reseller those it issued (to its customers) and those it received; a customer its own.
import type { Knex } from 'knex';
import type { Db } from '../knex.ts';
import type { InvoiceKind, InvoiceRow, InvoiceStatus } from '../repos/invoices.ts';

export type InvoiceScope =
  | { kind: 'all' }
  | { kind: 'issued'; issuerId: number }
  | { kind: 'received'; accountId: number };

export interface InvoiceFilters {
  /** YYYY-MM: the month the period starts in. */
  period?: string | undefined;
  accountId?: number | undefined;
  status?: InvoiceStatus | undefined;
  kind?: InvoiceKind | undefined;
}

export interface InvoiceListRow {
  id: number;
  kind: InvoiceKind;
  number: string;
  issuer_id: number;
  issuer_name: string;
  account_id: number;
  account_name: string;
  period_start: Date;
  period_end: Date;
  issued_at: Date;
  due_at: Date | null;
  status: InvoiceStatus;
  billing_mode: string;
  subtotal: string;
  tax_total: string;
  total: string;
  amount_due: string;
  currency: string;
}

function scoped(db: Db, scope: InvoiceScope, filters: InvoiceFilters): Knex.QueryBuilder {
  const query = db('invoices as i').join('accounts as a', 'a.id', 'i.account_id');
  if (scope.kind === 'issued') query.where('i.issuer_id', scope.issuerId);
  if (scope.kind === 'received') query.where('i.account_id', scope.accountId);
  if (filters.period) {
    const [year, month] = filters.period.split('-').map(Number) as [number, number];
    query.where('i.period_start', '>=', new Date(Date.UTC(year, month - 1, 1))).where('i.period_start', '<', new Date(Date.UTC(year, month, 1)));
  }
  if (filters.accountId !== undefined) query.where('i.account_id', filters.accountId);
  if (filters.status) query.where('i.status', filters.status);
  if (filters.kind) query.where('i.kind', filters.kind);
  return query;
}

// The issuer as the document names it (its company's legal name, frozen at issue), not its login's name.
const columns = (db: Db) => [
  'i.id', 'i.kind', 'i.number', 'i.issuer_id', db.raw("i.issuer_snapshot->>'name' as issuer_name"), 'i.account_id', 'a.name as account_name', 'i.period_start', 'i.period_end',
  'i.issued_at', 'i.due_at', 'i.status', 'i.billing_mode', 'i.subtotal', 'i.tax_total', 'i.total', 'i.amount_due', 'i.currency',
];

export async function listInvoices(
  db: Db, scope: InvoiceScope, filters: InvoiceFilters, window: { limit: number; offset: number },
): Promise<{ rows: InvoiceListRow[]; total: number }> {
  const [rows, count] = await Promise.all([
    scoped(db, scope, filters).orderBy([{ column: 'i.issued_at', order: 'desc' }, { column: 'i.id', order: 'desc' }]).limit(window.limit).offset(window.offset).select(columns(db)),
    scoped(db, scope, filters).count({ n: '*' }).first(),
  ]);
  return { rows: rows as InvoiceListRow[], total: Number((count as { n: string | number } | undefined)?.n ?? 0) };
}

/** One batch of the CSV export, by id: the filter's documents after the cursor id (keyset, never OFFSET). */
export async function listInvoiceBatch(db: Db, scope: InvoiceScope, filters: InvoiceFilters, afterId: number | undefined, limit: number): Promise<InvoiceListRow[]> {
  const query = scoped(db, scope, filters).orderBy('i.id').limit(limit).select(columns(db));
  if (afterId !== undefined) query.where('i.id', '>', afterId);
  return (await query) as InvoiceListRow[];
}

/** The document if the viewer may see it: the admin any, others as issuer or as customer. */
export async function findVisibleInvoice(db: Db, id: number, viewer: { role: string; accountId: number }): Promise<InvoiceRow | undefined> {
  const query = db<InvoiceRow>('invoices').where({ id });
  if (viewer.role !== 'admin') query.where((where) => where.where('issuer_id', viewer.accountId).orWhere('account_id', viewer.accountId));
  return query.first();
}

/** The accounts an issuer may generate an invoice for (its direct buyers). */
export async function listBilledAccounts(db: Db, sellerId: number): Promise<Array<{ id: number; name: string; role: string }>> {
  return db('accounts').where({ parent_id: sellerId }).whereIn('role', ['reseller', 'customer']).orderBy('name').select('id', 'name', 'role');
}

export async function findLogo(db: Db, accountId: number): Promise<{ data: Buffer; type: string } | null> {
  const row = (await db('company_profiles').where({ account_id: accountId }).whereNotNull('logo').first('logo', 'logo_type')) as { logo: Buffer; logo_type: string } | undefined;
  return row ? { data: Buffer.from(row.logo), type: row.logo_type } : null;
}

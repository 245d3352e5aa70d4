// Company profiles (what a seller's invoices show of it, and a buyer's billing details) and taxes.
import type { Db } from '../knex.ts';

export interface CompanyProfileRow {
  account_id: number;
  legal_name: string;
  address: string;
  tax_id: string;
  email: string;
  invoice_prefix: string;
  payment_terms_days: number;
  footer: string;
  logo: Buffer | null;
  logo_type: string | null;
  created_at: Date;
  updated_at: Date;
}

export type ProfileFields = Pick<CompanyProfileRow, 'legal_name' | 'address' | 'tax_id' | 'email' | 'invoice_prefix' | 'payment_terms_days' | 'footer'>;

export async function findCompanyProfile(db: Db, accountId: number): Promise<CompanyProfileRow | undefined> {
  return db<CompanyProfileRow>('company_profiles').where({ account_id: accountId }).first();
}

export async function saveCompanyProfile(db: Db, accountId: number, fields: ProfileFields, now: Date): Promise<void> {
  await db('company_profiles')
    .insert({ account_id: accountId, ...fields, created_at: now, updated_at: now })
    .onConflict('account_id')
    .merge({ ...fields, updated_at: now });
}

/** A profile must exist first (the logo belongs to a saved profile). */
export async function saveCompanyLogo(db: Db, accountId: number, logo: { data: Buffer; type: string } | null, now: Date): Promise<number> {
  return db('company_profiles').where({ account_id: accountId }).update({ logo: logo?.data ?? null, logo_type: logo?.type ?? null, updated_at: now });
}

/**
 * A seller as its buyers see it ("Numbers offered by ...", "Bought from ..."): its company
 * profile's legal name, or its account name while it has no profile. Never the login's name when
 * a profile exists.
 */
export async function findSellerName(db: Db, account: { id: number; name: string }): Promise<string> {
  const row = (await db('company_profiles').where({ account_id: account.id }).first('legal_name')) as { legal_name: string } | undefined;
  return row?.legal_name || account.name;
}

/** The same name as a column of a query that joins the seller's account as `alias`: `<as>`. */
export function sellerNameColumn(db: Db, alias: string, as: string) {
  return db.raw(`coalesce((SELECT nullif(cp.legal_name, '') FROM company_profiles cp WHERE cp.account_id = ??), ??) AS ??`, [`${alias}.id`, `${alias}.name`, as]);
}

export interface TaxRateRow {
  id: number;
  name: string;
  rate: string;
  position: number;
  compound: boolean;
  active: boolean;
}

export type TaxRateFields = Pick<TaxRateRow, 'name' | 'rate' | 'position' | 'compound' | 'active'>;

export async function listTaxRates(db: Db, options: { activeOnly?: boolean } = {}): Promise<TaxRateRow[]> {
  const query = db<TaxRateRow>('tax_rates').select('id', 'name', 'rate', 'position', 'compound', 'active').orderBy([{ column: 'position' }, { column: 'id' }]);
  if (options.activeOnly) query.where({ active: true });
  return query;
}

export async function findTaxRate(db: Db, id: number): Promise<TaxRateRow | undefined> {
  return db<TaxRateRow>('tax_rates').where({ id }).first('id', 'name', 'rate', 'position', 'compound', 'active');
}

export async function insertTaxRate(db: Db, fields: TaxRateFields, now: Date): Promise<TaxRateRow> {
  const [row] = await db('tax_rates').insert({ ...fields, created_at: now, updated_at: now }).returning(['id', 'name', 'rate', 'position', 'compound', 'active']);
  return row as TaxRateRow;
}

export async function updateTaxRate(db: Db, id: number, fields: TaxRateFields, now: Date): Promise<number> {
  return db('tax_rates').where({ id }).update({ ...fields, updated_at: now });
}

/** The active taxes that apply to an account, in their order. */
export async function listAccountTaxRates(db: Db, accountId: number): Promise<TaxRateRow[]> {
  return db<TaxRateRow>('tax_rates as t')
    .join('account_taxes as a', 'a.tax_rate_id', 't.id')
    .where('a.account_id', accountId)
    .where('t.active', true)
    .orderBy([{ column: 't.position' }, { column: 't.id' }])
    .select('t.id', 't.name', 't.rate', 't.position', 't.compound', 't.active');
}

export async function listAccountTaxIds(db: Db, accountId: number): Promise<number[]> {
  const rows = (await db('account_taxes').where({ account_id: accountId }).select('tax_rate_id')) as Array<{ tax_rate_id: string | number }>;
  return rows.map((row) => Number(row.tax_rate_id));
}

/** Replaces an account's taxes and its exemption in one go (the caller's transaction). */
export async function setAccountTaxes(db: Db, accountId: number, taxRateIds: number[], exemptReason: string | null, now: Date): Promise<void> {
  await db('account_taxes').where({ account_id: accountId }).delete();
  if (taxRateIds.length > 0) await db('account_taxes').insert(taxRateIds.map((id) => ({ account_id: accountId, tax_rate_id: id })));
  await db('accounts').where({ id: accountId }).update({ tax_exempt_reason: exemptReason, updated_at: now });
}

export async function setBillingDay(db: Db, accountId: number, billingDay: number, now: Date): Promise<void> {
  await db('accounts').where({ id: accountId }).update({ billing_day: billingDay, updated_at: now });
}

export async function findBillingSettings(db: Db, accountId: number): Promise<{ billing_day: number; tax_exempt_reason: string | null }> {
  const row = (await db('accounts').where({ id: accountId }).first('billing_day', 'tax_exempt_reason')) as { billing_day: number; tax_exempt_reason: string | null } | undefined;
  return { billing_day: Number(row?.billing_day ?? 1), tax_exempt_reason: row?.tax_exempt_reason ?? null };
}

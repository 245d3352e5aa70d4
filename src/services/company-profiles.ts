// A seller's company profile (what its invoices show), a buyer's billing details, the tax rates
// the admin keeps, and which of them apply to an account (the admin for its direct accounts, a
// reseller for its customers).
import type { Db } from '../db/knex.ts';
import { inTransaction } from '../db/transaction.ts';
import { findScopedAccount, type AccountScope } from '../db/repos/account-directory.ts';
import {
  findBillingSettings, findCompanyProfile, findTaxRate, insertTaxRate, listAccountTaxIds, listTaxRates, saveCompanyLogo, saveCompanyProfile, setAccountTaxes,
  setBillingDay, updateTaxRate, type CompanyProfileRow, type ProfileFields, type TaxRateFields, type TaxRateRow,
} from '../db/repos/company-profiles.ts';
import { insertAuditEntry } from '../db/repos/audit-log.ts';
import { NotFoundError, ValidationError, isUniqueViolation } from '../errors.ts';

export const MAX_LOGO_BYTES = 512 * 1024;

/** The image type a file's first bytes say it is: PNG or JPEG only, whatever its name claims. */
export function logoTypeOf(data: Buffer): 'image/png' | 'image/jpeg' | undefined {
  if (data.length >= 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  return undefined;
}

export async function loadCompanyProfile(db: Db, accountId: number): Promise<CompanyProfileRow | undefined> {
  return findCompanyProfile(db, accountId);
}

export async function updateCompanyProfile(db: Db, accountId: number, fields: ProfileFields, actor: { actorId: number | null; now: Date }): Promise<void> {
  await inTransaction(db, async (trx) => {
    await saveCompanyProfile(trx, accountId, fields, actor.now);
    await insertAuditEntry(trx, { actorId: actor.actorId, action: 'company_profile.update', entityType: 'account', entityId: accountId, after: fields, at: actor.now });
  });
}

export async function updateCompanyLogo(db: Db, accountId: number, data: Buffer | null, now: Date): Promise<void> {
  if (data === null) {
    await saveCompanyLogo(db, accountId, null, now);
    return;
  }
  if (data.length === 0) throw new ValidationError('Choose a PNG or JPEG file', { logo: 'Choose a PNG or JPEG file' });
  if (data.length > MAX_LOGO_BYTES) throw new ValidationError(`The logo is over ${MAX_LOGO_BYTES / 1024} KB`, { logo: `The logo is over ${MAX_LOGO_BYTES / 1024} KB` });
  const type = logoTypeOf(data);
  if (!type) throw new ValidationError('The logo is not a PNG or JPEG image', { logo: 'The logo is not a PNG or JPEG image' });
  const saved = await saveCompanyLogo(db, accountId, { data, type }, now);
  if (saved === 0) throw new ValidationError('Save the company profile first, then add its logo', { logo: 'Save the company profile first' });
}

export async function loadTaxRates(db: Db): Promise<TaxRateRow[]> {
  return listTaxRates(db);
}

export async function createTaxRate(db: Db, fields: TaxRateFields, actor: { actorId: number | null; now: Date }): Promise<TaxRateRow> {
  try {
    return await inTransaction(db, async (trx) => {
      const row = await insertTaxRate(trx, fields, actor.now);
      await insertAuditEntry(trx, { actorId: actor.actorId, action: 'tax_rate.create', entityType: 'tax_rate', entityId: row.id, after: fields, at: actor.now });
      return row;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ValidationError('A tax of that name exists', { name: 'A tax of that name exists' });
    throw error;
  }
}

export async function changeTaxRate(db: Db, id: number, fields: TaxRateFields, actor: { actorId: number | null; now: Date }): Promise<void> {
  try {
    await inTransaction(db, async (trx) => {
      const before = await findTaxRate(trx, id);
      if (!before) throw new NotFoundError('There is no such tax');
      await updateTaxRate(trx, id, fields, actor.now);
      await insertAuditEntry(trx, { actorId: actor.actorId, action: 'tax_rate.update', entityType: 'tax_rate', entityId: id, before, after: fields, at: actor.now });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ValidationError('A tax of that name exists', { name: 'A tax of that name exists' });
    throw error;
  }
}

export interface AccountBillingSettings {
  taxRateIds: number[];
  exemptReason: string | null;
  billingDay: number;
}

export async function loadAccountBilling(db: Db, scope: AccountScope, accountId: number) {
  const account = await findScopedAccount(db, scope, accountId);
  if (!account) throw new NotFoundError('No such account');
  const [taxRates, assigned, settings] = await Promise.all([listTaxRates(db, { activeOnly: true }), listAccountTaxIds(db, accountId), findBillingSettings(db, accountId)]);
  return { account, taxRates, assigned, settings };
}

/** Sets an account's taxes, exemption and billing day; an exempt account carries a reason and no tax. */
export async function updateAccountBilling(db: Db, scope: AccountScope, accountId: number, settings: AccountBillingSettings, actor: { actorId: number | null; now: Date }): Promise<void> {
  await inTransaction(db, async (trx) => {
    const account = await findScopedAccount(trx, scope, accountId);
    if (!account) throw new NotFoundError('No such account');
    const known = new Set((await listTaxRates(trx, { activeOnly: true })).map((rate) => rate.id));
    const unknown = settings.taxRateIds.filter((id) => !known.has(id));
    if (unknown.length > 0) throw new ValidationError('Choose taxes from the list', { taxes: 'Choose taxes from the list' });
    const taxes = settings.exemptReason ? [] : [...new Set(settings.taxRateIds)];
    await setAccountTaxes(trx, accountId, taxes, settings.exemptReason, actor.now);
    await setBillingDay(trx, accountId, settings.billingDay, actor.now);
    await insertAuditEntry(trx, {
      actorId: actor.actorId, action: 'account.billing', entityType: 'account', entityId: accountId,
      after: { tax_rate_ids: taxes, tax_exempt_reason: settings.exemptReason, billing_day: settings.billingDay }, at: actor.now,
    });
  });
}

// Demo invoices: the operator's and Northwind's company profiles, two taxes, and the invoices of
// the billing period that ended today for Acme Corp (issued by the operator, VAT) and Globex Ltd
// (issued by Northwind, sales tax), ready to open and download as PDF.
import type { Knex } from 'knex';
import { MAX_BILLING_DAY } from '../src/domain/billing-calendar.ts';
import { monthBefore } from '../src/domain/invoices.ts';
import { createTaxRate, updateAccountBilling, updateCompanyProfile } from '../src/services/company-profiles.ts';
import { issueInvoice } from '../src/services/invoices.ts';

/** `currency` is the configured one (CURRENCY): the demo's invoices are in the money the app shows. */
export async function seedDemoInvoices(trx: Knex.Transaction, options: { now: Date; decimals: number; currency: string }): Promise<void> {
  const byEmail = async (email: string) => (await trx('accounts').where({ email }).first('id')) as { id: number };
  const [admin, reseller, acme, globex] = await Promise.all(
    ['admin@example.com', 'reseller@example.com', 'customer@example.com', 'customer-of-reseller@example.com'].map(byEmail),
  );
  const actor = { actorId: admin!.id, now: options.now };
  await updateCompanyProfile(trx, admin!.id, {
    legal_name: 'DIDhub Telecom Ltd', address: '1 Exchange Square\nLondon EC2A 2BR\nUnited Kingdom', tax_id: 'GB 123 4567 89',
    email: 'billing@didhub.example', invoice_prefix: 'DH-', payment_terms_days: 14,
    footer: 'DIDhub Telecom Ltd · Registered in England 01234567 · IBAN GB29 NWBK 6016 1331 9268 19 · Thank you for your business.',
  }, actor);
  await updateCompanyProfile(trx, reseller!.id, {
    legal_name: 'Northwind Telecom Inc.', address: '500 Market Street\nSan Francisco, CA 94105\nUSA', tax_id: 'EIN 12-3456789',
    email: 'accounts@northwind.example', invoice_prefix: 'NW-', payment_terms_days: 30, footer: 'Northwind Telecom Inc. · Questions? accounts@northwind.example',
  }, { actorId: reseller!.id, now: options.now });
  await updateCompanyProfile(trx, acme!.id, {
    legal_name: 'Acme Corporation', address: '42 Industrial Way\nChicago, IL 60601\nUSA', tax_id: 'EIN 98-7654321',
    email: '', invoice_prefix: 'INV-', payment_terms_days: 14, footer: '',
  }, { actorId: acme!.id, now: options.now });
  const vat = await createTaxRate(trx, { name: 'VAT 20 %', rate: '20', position: 1, compound: false, active: true }, actor);
  const sales = await createTaxRate(trx, { name: 'Sales tax 8.875 %', rate: '8.875', position: 2, compound: false, active: true }, actor);

  // The account's cycle ends today (its billing day is today's date), so the month up to today
  // midnight, with the demo's purchases, is a closed period that can be invoiced now.
  // A billing day is 1..28 (calendar-month numbers renew on it), so on the 29th-31st it is the 28th.
  const billingDay = Math.min(options.now.getUTCDate(), MAX_BILLING_DAY);
  await updateAccountBilling(trx, { kind: 'admin', adminId: admin!.id }, acme!.id, { taxRateIds: [vat.id], exemptReason: null, billingDay }, actor);
  await updateAccountBilling(trx, { kind: 'reseller', resellerId: reseller!.id }, globex!.id, { taxRateIds: [sales.id], exemptReason: null, billingDay }, { actorId: reseller!.id, now: options.now });
  const period = monthBefore(options.now, 1);
  for (const account of [acme!, globex!]) {
    await issueInvoice(trx, { accountId: account.id, period, now: options.now, currency: options.currency, decimals: options.decimals });
  }
}

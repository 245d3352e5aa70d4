// Invoices over a scenario of two months (purchases, renewals, calls through a reseller chain,
// payments and a refund): every invoice reconciles with the ledger, re-runs issue nothing, numbers
// have no gaps (also under concurrent runs on real Postgres), the PDF shows the same totals, an
// overdue invoice suspends and its payment reactivates.
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { extractText, getDocumentProxy } from 'unpdf';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import type { InvoiceRow } from '../../src/db/repos/invoices.ts';
import { postLedgerEntry } from '../../src/db/ledger-writer.ts';
import { formatMoney, Money } from '../../src/domain/money.ts';
import { renderInvoicePdf } from '../../src/services/invoice-pdf.ts';
import { settleAccountInvoices } from '../../src/services/invoice-settlement.ts';
import { runInvoices } from '../../src/services/invoices.ts';
import { createCreditNote } from '../../src/services/credit-notes.ts';
import { recordManualEntry } from '../../src/services/manual-postings.ts';
import { purchaseDid } from '../../src/services/purchases.ts';
import { runBilling } from '../../src/services/renewals.ts';
import { updateAccountBilling } from '../../src/services/company-profiles.ts';
import { createTestApp, testPricing } from '../helpers/app.ts';
import { testServerUrl, useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeCompanyProfile, makeDid, makeOwnedDid, makeSwitch, makeTaxRate } from '../helpers/factories.ts';
import { freeswitchCdr, postFreeswitchCdr } from '../helpers/switch.ts';

const database = useTestDatabase({ poolMax: 6 });
const at = (iso: string) => new Date(iso);
const SETTINGS = { currency: 'USD', decimals: 4 };
let db: Knex;
let admin: AccountRow;
let reseller: AccountRow;
let customer: AccountRow;
let resellerCustomer: AccountRow;

async function pay(account: AccountRow, amount: string, now: Date) {
  await db.transaction((trx) => postLedgerEntry(trx, { accountId: account.id, amount, kind: 'payment', description: 'Payment received', idempotencyKey: `pay:${randomUUID()}`, now }));
}

async function balanceOf(accountId: number): Promise<string> {
  return ((await db('accounts').where({ id: accountId }).first('balance')) as { balance: string }).balance;
}

async function ledgerSum(accountId: number, where: (query: Knex.QueryBuilder) => void): Promise<Money> {
  const query = db('ledger_entries').where({ account_id: accountId });
  where(query);
  const row = (await query.first(db.raw('coalesce(sum(amount), 0)::text as total'))) as { total: string };
  return new Money(row.total);
}

async function invoicesOf(accountId: number): Promise<InvoiceRow[]> {
  return db('invoices').where({ account_id: accountId, kind: 'invoice' }).orderBy('period_start');
}

beforeAll(async () => {
  db = database.current.db;
  admin = await makeAccount(db, { role: 'admin' });
  await makeCompanyProfile(db, admin, { legal_name: 'Operator Telecom Ltd', invoice_prefix: 'OT-', payment_terms_days: 10 });
  reseller = await makeAccount(db, { role: 'reseller', parent: admin });
  await makeCompanyProfile(db, reseller, { legal_name: 'Reseller Voice GmbH', invoice_prefix: 'RV-' });
  customer = await makeAccount(db, { role: 'customer', parent: admin, billing_mode: 'postpaid', credit_limit: '100' });
  resellerCustomer = await makeAccount(db, { role: 'customer', parent: reseller });
  const vat = await makeTaxRate(db, { name: `VAT ${randomUUID().slice(0, 6)}`, rate: '20', position: 1 });
  const city = await makeTaxRate(db, { name: `City ${randomUUID().slice(0, 6)}`, rate: '2.5', position: 2, compound: true });
  const actor = { actorId: admin.id, now: at('2026-12-01T00:00:00Z') };
  await updateAccountBilling(db, { kind: 'admin', adminId: admin.id }, customer.id, { taxRateIds: [vat.id, city.id], exemptReason: null, billingDay: 1 }, actor);
  await updateAccountBilling(db, { kind: 'admin', adminId: admin.id }, reseller.id, { taxRateIds: [vat.id], exemptReason: 'Intra-EU reverse charge', billingDay: 1 }, actor);
  await updateAccountBilling(db, { kind: 'reseller', resellerId: reseller.id }, resellerCustomer.id, { taxRateIds: [vat.id], exemptReason: null, billingDay: 1 }, actor);

  // December: money in, the direct customer buys a number (setup fee and first period).
  await pay(reseller, '300', at('2026-12-15T09:00:00Z'));
  await pay(resellerCustomer, '100', at('2026-12-15T09:00:00Z'));
  const pricing = testPricing();
  const directDid = await makeDid(db);
  await purchaseDid(db, { pricing, buyerId: customer.id, productId: directDid.id, idempotencyKey: randomUUID(), now: at('2026-12-20T10:00:00Z'), actorId: customer.id });

  // January: the reseller buys a number, calls reach a reseller's customer and the direct
  // customer, the direct customer's number renews, it pays, and its setup fee is refunded.
  const resellerDid = await makeDid(db);
  await purchaseDid(db, { pricing, buyerId: reseller.id, productId: resellerDid.id, idempotencyKey: randomUUID(), now: at('2027-01-03T10:00:00Z'), actorId: reseller.id });
  const chainDid = await makeOwnedDid(db, {
    owner: resellerCustomer, reseller, sell: { connection_cost: '0.15', grace_seconds: 0, cost_per_minute: '0.90', initial_increment: 30, increment: 6 },
  });
  const token = (await makeSwitch(db, { admin })).token;
  const app = createTestApp(db, { now: () => at('2027-01-10T12:00:00Z') });
  for (const [number, billsec] of [[chainDid.number, 125], [chainDid.number, 61], [directDid.number, 71]] as const) {
    const response = await postFreeswitchCdr(app, token, freeswitchCdr({ uuid: randomUUID(), number, billsec }));
    expect(response.body).toMatchObject({ status: 'stored' });
  }
  await runBilling(db, { now: at('2027-01-19T10:00:00Z'), trigger: 'command', graceDays: 7 });
  await pay(customer, '2', at('2027-01-20T10:00:00Z'));
  const setupFee = (await db('ledger_entries').where({ account_id: customer.id, kind: 'setup_fee' }).first()) as { id: number; amount: string };
  await recordManualEntry(db, { kind: 'admin', adminId: admin.id }, {
    accountId: customer.id, kind: 'adjustment', amount: new Money(setupFee.amount).negated().toFixed(), note: 'Refund of the setup fee', correctsEntryId: setupFee.id, idempotencyKey: randomUUID(),
  }, { actorId: admin.id, now: at('2027-01-25T10:00:00Z') });
});

describe('invoices of a period', () => {
  it('when December and January are invoiced, then each invoice is its period\'s ledger rows and the last one closes at the balance', async () => {
    const december = await runInvoices(db, { ...SETTINGS, period: '2026-12', now: at('2027-01-01T00:00:00Z') });
    const january = await runInvoices(db, { ...SETTINGS, period: '2027-01', now: at('2027-02-01T00:00:00Z') });
    expect(december.issued.map((invoice) => invoice.account_id).sort()).toEqual([reseller.id, customer.id, resellerCustomer.id].sort());
    expect(january.issued.map((invoice) => invoice.account_id).sort()).toEqual([reseller.id, customer.id, resellerCustomer.id].sort());

    for (const account of [reseller, customer, resellerCustomer]) {
      const invoices = await invoicesOf(account.id);
      for (const invoice of invoices) {
        const periodRows = await ledgerSum(account.id, (q) => q.whereNot('kind', 'tax').where('created_at', '>=', invoice.period_start).where('created_at', '<', invoice.period_end));
        const taxRows = await ledgerSum(account.id, (q) => q.where({ kind: 'tax', reference_type: 'invoice', reference_id: invoice.id }));
        expect(new Money(invoice.payments_total).minus(invoice.subtotal).toFixed(6)).toBe(periodRows.toFixed(6));
        expect(new Money(invoice.tax_total).negated().toFixed(6)).toBe(taxRows.toFixed(6));
        expect(new Money(invoice.closing_balance).toFixed(6)).toBe(new Money(invoice.opening_balance).plus(periodRows).plus(taxRows).toFixed(6));
      }
      const last = invoices[invoices.length - 1]!;
      expect(last.closing_balance).toBe(await balanceOf(account.id));
      // The sum over all of the account's invoices is its whole ledger.
      const moved = invoices.reduce((sum, invoice) => sum.plus(invoice.closing_balance).minus(invoice.opening_balance), new Money(0));
      expect(moved.toFixed(6)).toBe(new Money(await balanceOf(account.id)).toFixed(6));
    }
  });

  it('when the direct customer is invoiced for January, then the lines are grouped, taxed once per tax and issued by the operator', async () => {
    const [, january] = await invoicesOf(customer.id);
    expect(january).toMatchObject({ issuer_id: admin.id, billing_mode: 'postpaid', status: 'open' });
    expect(january!.number).toMatch(/^OT-\d{5}$/);
    expect(january!.lines.map((line) => [line.group, line.amount])).toEqual([
      ['recurring_fees', '2'], ['calls', '0.76'], ['adjustments', '-1'],
    ]);
    expect(january!.lines[0]).toMatchObject({ period_start: '2027-01-19', period_end: '2027-02-18' });
    expect(january!.lines[1]).toMatchObject({ calls: 1, minutes: '1.10' });
    // 1.76 x 20 % = 0.3520; compound 2.5 % of (1.76 + 0.352) = 0.0528.
    expect(january!.taxes.map((tax) => tax.amount)).toEqual(['0.3520', '0.0528']);
    expect(january!.tax_total).toBe('0.404800');
    expect(january!.due_at?.toISOString()).toBe('2027-02-11T00:00:00.000Z');
    expect(january!.amount_due).toBe(new Money(january!.closing_balance).negated().toFixed(6));
  });

  it('when a reseller\'s customer and an exempt reseller are invoiced, then the reseller issues the first and the exempt one carries no tax', async () => {
    const [, chain] = await invoicesOf(resellerCustomer.id);
    expect(chain).toMatchObject({ issuer_id: reseller.id, status: 'paid' });
    expect(chain!.number).toMatch(/^RV-\d{5}$/);
    expect(chain!.lines).toEqual([expect.objectContaining({ group: 'calls', calls: 2, minutes: '3.20', amount: '3.18' })]);
    const [, resellerJanuary] = await invoicesOf(reseller.id);
    expect(resellerJanuary).toMatchObject({ tax_total: '0.000000', note: 'Tax exempt: Intra-EU reverse charge' });
  });

  it('when the run goes again, then nothing new is issued and the numbers have no gaps', async () => {
    const again = await runInvoices(db, { ...SETTINGS, period: '2027-01', now: at('2027-02-02T00:00:00Z') });
    expect(again.issued).toEqual([]);
    const operatorNumbers = (await db('invoices').where({ issuer_id: admin.id, kind: 'invoice' }).orderBy('sequence').pluck('sequence')) as number[];
    expect(operatorNumbers).toEqual(operatorNumbers.map((_n, index) => index + 1));
  });

  it('when an issued invoice is changed or deleted in the database, then the database refuses', async () => {
    const [invoice] = await invoicesOf(customer.id);
    await expect(db('invoices').where({ id: invoice!.id }).update({ total: '0' })).rejects.toThrow(/cannot be changed/);
    await expect(db('invoices').where({ id: invoice!.id }).delete()).rejects.toThrow(/cannot be deleted/);
  });

  it('when the PDF of an invoice is read back, then it shows the same totals', async () => {
    const [, invoice] = await invoicesOf(customer.id);
    const pdf = await renderInvoicePdf(invoice!, { decimals: 4, logo: null });
    const { text } = await extractText(await getDocumentProxy(new Uint8Array(pdf)), { mergePages: true });
    const money = (amount: string) => formatMoney(amount, { currency: 'USD', decimals: 4 });
    for (const expected of ['INVOICE', invoice!.number, 'Operator Telecom Ltd', money(invoice!.subtotal), ...invoice!.taxes.map((tax) => money(tax.amount)), money(invoice!.total), money(invoice!.closing_balance), money(invoice!.amount_due)]) {
      expect(text).toContain(expected);
    }
  });

  it('when the postpaid customer\'s invoice is overdue past the grace, then its numbers are suspended, and paying it reactivates them', async () => {
    const [, invoice] = await invoicesOf(customer.id);
    const grace = 3;
    const early = await settleAccountInvoices(db, customer.id, { now: at('2027-02-13T00:00:00Z'), overdueGraceDays: grace });
    // January's statement carries December's debt: December counts as paid by January's payment.
    expect(early.suspended).toBe(0);
    expect(early.paid.map((paid) => paid.number)).not.toContain(invoice!.number);
    const late = await settleAccountInvoices(db, customer.id, { now: at('2027-02-15T00:00:00Z'), overdueGraceDays: grace });
    expect(late.suspended).toBe(1);
    expect((await db('subscriptions').where({ account_id: customer.id }).pluck('status')) as string[]).toEqual(['suspended']);
    await recordManualEntry(db, { kind: 'admin', adminId: admin.id }, {
      accountId: customer.id, kind: 'payment', amount: invoice!.amount_due, note: `Payment of ${invoice!.number}`, idempotencyKey: randomUUID(),
    }, { actorId: admin.id, now: at('2027-02-16T00:00:00Z') });
    expect(await db('invoices').where({ id: invoice!.id }).first()).toMatchObject({ status: 'paid' });
    const statuses = (await db('subscriptions').where({ account_id: customer.id }).pluck('status')) as string[];
    expect(statuses).toEqual(['active']);
  });
});

describe('credit notes', () => {
  it('when the operator credits part of an invoice, then a numbered credit note with the invoice\'s taxes is credited to the ledger and the invoice stays as issued', async () => {
    const [, invoice] = await invoicesOf(customer.id);
    const balance = await balanceOf(customer.id);
    const issue = () => createCreditNote(db, admin.id, { invoiceId: invoice!.id, amount: '1', reason: 'Call quality', key: 'review-1' }, { actorId: admin.id, now: at('2027-02-20T00:00:00Z'), decimals: 4 });
    const [{ note }, again] = [await issue(), await issue()];
    // The same review posted twice (a double submit) issues one note.
    expect(again).toMatchObject({ replayed: true, note: { id: note.id } });
    expect(note).toMatchObject({ kind: 'credit_note', corrects_invoice_id: invoice!.id, number: 'OT-CN-00001', subtotal: '1.000000', tax_total: '0.230000', total: '1.230000' });
    expect(new Money(await balanceOf(customer.id)).minus(balance).toFixed(4)).toBe('1.2300');
    expect(await db('invoices').where({ id: invoice!.id }).first()).toMatchObject({ total: invoice!.total, subtotal: invoice!.subtotal });
    await expect(createCreditNote(db, admin.id, { invoiceId: invoice!.id, amount: '5', reason: 'Too much', key: 'review-2' }, { actorId: admin.id, now: at('2027-02-20T00:00:00Z'), decimals: 4 }))
      .rejects.toThrow(/left to credit/);
    await expect(createCreditNote(db, reseller.id, { invoiceId: invoice!.id, amount: '0.1', reason: 'Not mine', key: 'review-3' }, { actorId: reseller.id, now: at('2027-02-20T00:00:00Z'), decimals: 4 }))
      .rejects.toThrow(/no such invoice/);
  });
});

describe.skipIf(!testServerUrl())('invoice numbers under concurrent runs (real Postgres)', () => {
  it('when four runs issue the same period at once, then each account gets one invoice and the numbers run 1..N without gaps', async () => {
    const operator = await makeAccount(db, { role: 'admin' });
    const accounts = [];
    for (let i = 0; i < 24; i += 1) accounts.push(await makeAccount(db, { role: 'customer', parent: operator }));
    for (const account of accounts) await pay(account, '5', at('2027-03-10T00:00:00Z'));
    const runs = await Promise.all([1, 2, 3, 4].map(() => runInvoices(db, { ...SETTINGS, period: '2027-03', now: at('2027-04-01T00:00:00Z') })));
    const issued = runs.flatMap((run) => run.issued).filter((invoice) => invoice.issuer_id === operator.id);
    expect(issued).toHaveLength(24);
    expect(issued.map((invoice) => invoice.sequence).sort((a, b) => a - b)).toEqual(accounts.map((_a, index) => index + 1));
  });
});

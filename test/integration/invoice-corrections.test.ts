// Issue 17's last gaps: a calendar-month number's invoice lines show the days each charge covers
// (stored with the ledger row), on the page, in the PDF and in the lines CSV; buyers see the
// seller's company name, or its account name without a profile; the generate and credit-note
// forms answer bad input with 400 and the form kept; a credit note is reviewed before it is
// issued, and a double submit of the review issues one.
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import type { Knex } from 'knex';
import { extractText, getDocumentProxy } from 'unpdf';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import type { InvoiceRow } from '../../src/db/repos/invoices.ts';
import { updateAccountBilling } from '../../src/services/company-profiles.ts';
import { renderInvoicePdf } from '../../src/services/invoice-pdf.ts';
import { runInvoices } from '../../src/services/invoices.ts';
import { purchaseDid } from '../../src/services/purchases.ts';
import { runBilling } from '../../src/services/renewals.ts';
import { createTestApp, testPricing } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeCompanyProfile, makeDid, makeTaxRate } from '../helpers/factories.ts';
import { csrfToken, loginAs, postForm } from '../helpers/login.ts';

const database = useTestDatabase();
const at = (iso: string) => new Date(iso);
let db: Knex;
let app: Express;
let admin: AccountRow;
let buyer: AccountRow;
let subscriptionId: number;
let productId: number;
let january: InvoiceRow;
let february: InvoiceRow;

beforeAll(async () => {
  db = database.current.db;
  app = createTestApp(db, { now: () => at('2027-03-02T12:00:00Z') });
  admin = await makeAccount(db, { role: 'admin' });
  buyer = await makeAccount(db, { role: 'customer', parent: admin, balance: '1000', billing_day: 1 });
  const vat = await makeTaxRate(db, { name: `VAT ${randomUUID().slice(0, 6)}`, rate: '20' });
  await updateAccountBilling(db, { kind: 'admin', adminId: admin.id }, buyer.id, { taxRateIds: [vat.id], exemptReason: null, billingDay: 1 }, { actorId: admin.id, now: at('2027-01-01T00:00:00Z') });
  const did = await makeDid(db, { setup_fee: '0', monthly_fee: '28.00', billing_period: 'month' });
  productId = did.id;
  // Bought on 15 January (17 of 31 days, prorated), renewed on 1 February for the whole month.
  const bought = await purchaseDid(db, { pricing: testPricing(), buyerId: buyer.id, productId: did.id, idempotencyKey: randomUUID(), now: at('2027-01-15T10:30:00Z'), actorId: buyer.id });
  subscriptionId = bought.subscription.id;
  await runBilling(db, { now: at('2027-02-01T00:00:00Z'), trigger: 'command', graceDays: 7, accountId: buyer.id });
  await runInvoices(db, { period: '2027-01', now: at('2027-02-01T00:00:00Z'), currency: 'USD', decimals: 4, accountId: buyer.id });
  await runInvoices(db, { period: '2027-02', now: at('2027-03-01T00:00:00Z'), currency: 'USD', decimals: 4, accountId: buyer.id });
  const invoices = (await db('invoices').where({ account_id: buyer.id }).orderBy('period_start')) as InvoiceRow[];
  expect(invoices).toHaveLength(2);
  [january, february] = [invoices[0]!, invoices[1]!];
});

describe('the period each recurring charge covers', () => {
  it('when a calendar-month number is bought mid-January and renewed, then each invoice shows the real days: on the page, in the PDF and in the lines CSV', async () => {
    const periods = (await db('ledger_entries').where({ reference_type: 'subscription', reference_id: subscriptionId }).orderBy('id').select('period_start', 'period_end')) as Array<{ period_start: Date; period_end: Date }>;
    expect(periods.map((row) => [row.period_start.toISOString(), row.period_end.toISOString()])).toEqual([
      ['2027-01-15T10:30:00.000Z', '2027-02-01T00:00:00.000Z'],
      ['2027-02-01T00:00:00.000Z', '2027-03-01T00:00:00.000Z'],
    ]);
    const agent = await loginAs(app, buyer.email);
    expect((await agent.get(`/customer/invoices/${january.id}`)).text).toContain('15 Jan 2027 – 31 Jan 2027');
    expect((await agent.get(`/customer/invoices/${february.id}`)).text).toContain('1 Feb 2027 – 28 Feb 2027');
    const csv = await agent.get(`/customer/invoices/${february.id}/invoice-${february.number}.csv`);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.text.split('\n')[0]).toBe('invoice,group,description,number,period_from,period_to,calls,minutes,amount,currency');
    expect(csv.text).toContain(',2027-02-01,2027-02-28,,,28.0000,USD');
    const { text } = await extractText(await getDocumentProxy(new Uint8Array(await renderInvoicePdf(january, { decimals: 4, logo: null }))), { mergePages: true });
    expect(text).toContain('2027-01-15 - 2027-01-31');
  });
});

describe('the seller as buyers see it', () => {
  it('when the seller has no company profile, then its account name shows; once it has one, its legal name shows on the receipt, the number and the confirmation', async () => {
    const agent = await loginAs(app, buyer.email);
    expect((await agent.get(`/customer/receipts/${subscriptionId}`)).text).toContain(`<dd>${admin.name}</dd>`);
    await makeCompanyProfile(db, admin, { legal_name: 'Operator Telecom Ltd' });
    const onShelf = await makeDid(db, { setup_fee: '0', monthly_fee: '5.00' });
    const pages = await Promise.all([`/customer/receipts/${subscriptionId}`, `/customer/numbers/${productId}`, `/customer/buy/${onShelf.id}`].map((path) => agent.get(path)));
    for (const page of pages) {
      expect(page.status).toBe(200);
      expect(page.text).toMatch(/(Bought from|Sold by)<\/dt><dd>Operator Telecom Ltd</);
    }
  });
});

describe('bad input on the invoice forms', () => {
  it('when the admin generates with a bad month, no account or a period not over, then the form comes back with 400, the input kept and a message per field', async () => {
    const agent = await loginAs(app, admin.email);
    const count = async () => Number(((await db('invoices').count({ n: '*' }).first()) as { n: string }).n);
    const before = await count();
    const bad = await postForm(agent, '/admin/invoices/generate', { account_id: '', period: '2027-13' }, '/admin/invoices/generate');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Enter a month like 2027-01');
    expect(bad.text).toContain('Choose an account');
    expect(bad.text).toContain('value="2027-13"');
    const early = await postForm(agent, '/admin/invoices/generate', { account_id: String(buyer.id), period: '2027-03' }, '/admin/invoices/generate');
    expect(early.status).toBe(400);
    expect(early.text).toMatch(/id="e-period">The period 2027-03 of this account ends 2027-04-01/);
    expect(await count()).toBe(before);
  });
});

describe('a credit note is reviewed before it is issued', () => {
  it('when the admin credits an invoice, then bad amounts re-render the invoice with 400, the review shows the taxes, and the confirm issues one note however often it is posted', async () => {
    const agent = await loginAs(app, admin.email);
    const base = `/admin/invoices/${february.id}`;
    const notes = async () => db('invoices').where({ corrects_invoice_id: february.id }).select('id', 'total');
    const word = await postForm(agent, `${base}/credit-notes`, { amount: 'ten', reason: 'Outage' }, base);
    expect(word.status).toBe(400);
    expect(word.text).toContain('value="ten"');
    expect(word.text).toContain('value="Outage"');
    const tooMuch = await postForm(agent, `${base}/credit-notes`, { amount: '99', reason: 'Outage' }, base);
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.text).toMatch(/id="e-amount">At most 28 is left to credit/);

    const review = await postForm(agent, `${base}/credit-notes`, { amount: '10', reason: 'Outage' }, base);
    expect(review.status).toBe(200);
    expect(review.text).toContain('Issue credit note');
    expect(review.text).toContain(february.number);
    expect(review.text).toMatch(/data-tax>\$2\.00/);
    expect(review.text).toMatch(/data-total><strong>\$12\.00/);
    expect(await notes()).toHaveLength(0);

    const key = /name="key" value="([^"]+)"/.exec(review.text)![1]!;
    const back = await postForm(agent, `${base}/credit-notes/confirm`, { amount: '10', reason: 'Outage', key, action: 'change' }, base);
    expect(back.text).toContain('value="Outage"');
    const unprotected = await agent.post(`${base}/credit-notes/confirm`).type('form').send({ amount: '10', reason: 'Outage', key, action: 'confirm' });
    expect(unprotected.status).toBe(403);
    const token = await csrfToken(agent, base);
    const confirm = () => agent.post(`${base}/credit-notes/confirm`).type('form').send({ amount: '10', reason: 'Outage', key, action: 'confirm', _csrf: token });
    const [first, second] = [await confirm(), await confirm()];
    expect([first.status, second.status]).toEqual([303, 303]);
    expect(second.headers.location).toBe(first.headers.location);
    expect(await notes()).toEqual([expect.objectContaining({ total: '12.000000' })]);
  });
});

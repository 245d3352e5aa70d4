// The invoice pages: each role sees its own documents (another's is a 404), the PDF downloads,
// the admin filters, exports and generates (never twice), issuers credit their invoices, sellers
// keep a company profile with a logo, and buyers see the seller's company name.
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import type { Knex } from 'knex';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import type { InvoiceRow } from '../../src/db/repos/invoices.ts';
import { postLedgerEntry } from '../../src/db/ledger-writer.ts';
import { runInvoices } from '../../src/services/invoices.ts';
import { createTestApp } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeCompanyProfile } from '../helpers/factories.ts';
import { csrfToken, loginAs, postForm } from '../helpers/login.ts';

const database = useTestDatabase();
const at = (iso: string) => new Date(iso);
let db: Knex;
let app: Express;
let admin: AccountRow;
let alice: AccountRow;
let bob: AccountRow;
let aliceInvoice: InvoiceRow;
let bobInvoice: InvoiceRow;

async function charge(account: AccountRow, amount: string, now: Date) {
  await db.transaction((trx) => postLedgerEntry(trx, { accountId: account.id, amount, kind: 'payment', description: 'Payment received', idempotencyKey: `pay:${randomUUID()}`, now }));
}

beforeAll(async () => {
  db = database.current.db;
  app = createTestApp(db, { now: () => at('2027-02-03T12:00:00Z') });
  admin = await makeAccount(db, { role: 'admin' });
  await makeCompanyProfile(db, admin, { legal_name: 'Operator Telecom Ltd', invoice_prefix: 'OT-' });
  alice = await makeAccount(db, { role: 'customer', parent: admin });
  bob = await makeAccount(db, { role: 'customer', parent: admin });
  await charge(alice, '10', at('2027-01-05T10:00:00Z'));
  await charge(bob, '20', at('2027-01-06T10:00:00Z'));
  await charge(bob, '1', at('2027-02-01T10:00:00Z'));
  await runInvoices(db, { period: '2027-01', now: at('2027-02-01T00:00:00Z'), currency: 'USD', decimals: 4 });
  aliceInvoice = (await db('invoices').where({ account_id: alice.id }).first()) as InvoiceRow;
  bobInvoice = (await db('invoices').where({ account_id: bob.id }).first()) as InvoiceRow;
});

describe('invoice pages', () => {
  it('when a customer opens its invoices, then it sees its own, downloads its PDF, and another customer\'s is a 404', async () => {
    const agent = await loginAs(app, alice.email);
    const list = await agent.get('/customer/invoices');
    expect(list.status).toBe(200);
    expect(list.text).toContain(aliceInvoice.number);
    expect(list.text).not.toContain(bobInvoice.number);
    const page = await agent.get(`/customer/invoices/${aliceInvoice.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Operator Telecom Ltd');
    const pdf = await agent.get(`/customer/invoices/${aliceInvoice.id}/invoice-${aliceInvoice.number}.pdf`).buffer(true);
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(Buffer.from(pdf.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');
    expect((await agent.get(`/customer/invoices/${bobInvoice.id}`)).status).toBe(404);
    expect((await agent.get(`/customer/invoices/${bobInvoice.id}/invoice-${bobInvoice.number}.pdf`)).status).toBe(404);
  });

  it('when the admin filters and exports, then both invoices of the period are there as plain decimals', async () => {
    const agent = await loginAs(app, admin.email);
    const list = await agent.get('/admin/invoices?period=2027-01');
    expect(list.text).toContain(aliceInvoice.number);
    // Issued by the company the document names, not the admin login.
    expect(list.text).toContain('<td>Operator Telecom Ltd</td>');
    expect(list.text).not.toContain(`<td>${admin.name}</td>`);
    expect(list.text).toContain(bobInvoice.number);
    const filtered = await agent.get(`/admin/invoices?account=${alice.id}`);
    expect(filtered.text).not.toContain(bobInvoice.number);
    const csv = await agent.get('/admin/invoices/export.csv?period=2027-01');
    expect(csv.text.split('\n')[0]).toContain('number');
    expect(csv.text).toContain(`${aliceInvoice.number},Operator`.slice(0, aliceInvoice.number.length));
    expect(csv.text).toMatch(/,0\.0000,0\.0000,0\.0000,USD/);
    expect(csv.text).toContain(`${aliceInvoice.number},Operator Telecom Ltd,`);
    // The period as the invoice page shows it: its first and last day, both included.
    expect(csv.text.split('\n')[0]).toContain(',period_from,period_to,');
    expect(csv.text).toMatch(new RegExp(`${aliceInvoice.number},Operator Telecom Ltd,\\d+,[^,]*,2027-01-01,2027-01-31,`));
  });

  it('when the admin generates a period that has an invoice already, then nothing new is issued', async () => {
    const agent = await loginAs(app, admin.email);
    const before = Number(((await db('invoices').count({ n: '*' }).first()) as { n: string }).n);
    const response = await postForm(agent, '/admin/invoices/generate', { account_id: String(alice.id), period: '2027-01' }, '/admin/invoices');
    expect(response.status).toBe(303);
    expect(Number(((await db('invoices').count({ n: '*' }).first()) as { n: string }).n)).toBe(before);
    const bad = await postForm(agent, '/admin/invoices/generate', { account_id: String(alice.id), period: '2027-13' }, '/admin/invoices');
    expect(bad.status).toBe(400);
  });

  it('when an invoice has nothing left to credit or a customer tries to credit, then no credit note is issued', async () => {
    const agent = await loginAs(app, admin.email);
    // A payment-only invoice has nothing to credit: the form is not offered and a post is refused.
    const refused = await postForm(agent, `/admin/invoices/${aliceInvoice.id}/credit-notes`, { amount: '1', reason: 'test' }, `/admin/invoices`);
    expect(refused.status).toBe(400);
    const customerAgent = await loginAs(app, alice.email);
    const forbidden = await customerAgent.post(`/customer/invoices/${aliceInvoice.id}/credit-notes`).type('form')
      .send({ amount: '1', reason: 'x', _csrf: await csrfToken(customerAgent, '/customer/invoices') });
    expect(forbidden.status).toBe(404);
  });

  it('when the admin saves its profile and uploads a logo, then buyers see the company name and a non-image is refused', async () => {
    const agent = await loginAs(app, admin.email);
    const saved = await postForm(agent, '/admin/company', {
      legal_name: 'Operator Telecom Holdings Ltd', address: '1 Main Street', tax_id: 'GB999', email: '', invoice_prefix: 'OT-', payment_terms_days: '30', footer: 'IBAN GB00 0000',
    });
    expect(saved.status).toBe(303);
    const token = await csrfToken(agent, '/admin/company');
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(32)]);
    const upload = await agent.post('/admin/company/logo').set('X-CSRF-Token', token).set('Content-Type', 'application/octet-stream').send(png);
    expect(upload.status).toBe(200);
    const notImage = await agent.post('/admin/company/logo').set('X-CSRF-Token', token).set('Content-Type', 'application/octet-stream').send(Buffer.from('GIF89a not a png'));
    expect(notImage.status).toBe(400);
    const invalid = await postForm(agent, '/admin/company', { legal_name: '', payment_terms_days: 'soon' });
    expect(invalid.status).toBe(400);
    expect(invalid.text).toContain('Enter the legal name');
    const buyer = await loginAs(app, bob.email);
    const offers = await buyer.get('/customer/buy');
    expect(offers.text).toContain('Numbers offered by Operator Telecom Holdings Ltd');
  });
});

// The data the fuzz suite runs against: the demo data, a row of every kind a page can show, and
// logged-in agents. The rows that forms may change (an account's settings, a number's terms) are
// not the agents' own accounts, so a fuzzed edit cannot lock an agent out.
import type { Express } from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import { DEMO_PASSWORD, seedDemo } from '../../seeds/demo.ts';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { saveMailTemplateOverride } from '../../src/db/repos/mail-templates.ts';
import { makeAccount, makeBillingRun, makeDid, makeDidImport, makePayment, makeRatePlan, makeRejectedCdr, makeSwitch, makeWebhookEndpoint } from '../helpers/factories.ts';
import { sendTestWebhook } from '../../src/services/webhooks.ts';
import { csrfToken, loginAs, type Agent } from '../helpers/login.ts';

export const NOW = new Date('2026-11-29T12:00:00Z');
export type Role = 'admin' | 'reseller' | 'customer' | 'anonymous';
export const ROLES: readonly Role[] = ['admin', 'reseller', 'customer', 'anonymous'];

export interface World {
  /** Values for the path parameters of each role's routes: pattern prefix → parameters. */
  params: Array<{ prefix: string; values: Record<string, string | number> }>;
  /** Query strings that pages with a confirmation step need to show their form. */
  pageQueries: Record<string, string>;
  /** Pages, besides every GET route, whose forms are fuzzed: a removed row's restore form, a preview's confirm form (a POST's answer). */
  formPages: Array<{ role: Role; path: string; post?: Record<string, string> }>;
  numbers: { customer: string; directCustomer: string };
  switchToken: string;
}

const one = async (query: Knex.QueryBuilder): Promise<number> => ((await query.first('id')) as { id: number }).id;

export async function buildWorld(db: Knex): Promise<World> {
  await seedDemo(db, { now: NOW, bcryptCost: 4 });
  const byEmail = async (email: string) => (await db('accounts').where({ email }).first()) as AccountRow;
  const admin = await byEmail('admin@example.com');
  const reseller = await byEmail('reseller@example.com');
  const globex = await byEmail('customer-of-reseller@example.com');
  const acme = await byEmail('customer@example.com');
  // The reseller's forms edit this customer, not Globex, whose session is the customer agent's.
  const resellersVictim = await makeAccount(db, { role: 'customer', parent: reseller, balance: '50' });
  const sw = await makeSwitch(db, { admin });
  const plan = (ownerId: number | null, name: string) => makeRatePlan(db, { owner_id: ownerId, name, created_by: admin.id, at: NOW });
  const adminPlan = await plan(null, 'Operator standard');
  const resellerPlan = await plan(reseller.id, 'Northwind resale');
  const archivedAdminPlan = await plan(null, 'Operator archived');
  const archivedResellerPlan = await plan(reseller.id, 'Northwind archived');
  await db('rate_plans').whereIn('id', [archivedAdminPlan, archivedResellerPlan]).update({ archived_at: NOW });
  const removedDid = (await makeDid(db, { archived_at: NOW })).id;
  const billingRun = await makeBillingRun(db, NOW);
  // Edited templates, so their pages show the reset form.
  const edited = { subject: 'Paid <%= amount %>', html: '<p><%= amount %></p>', text: '<%= amount %>' };
  await saveMailTemplateOverride(db, null, 'payment.received', edited, NOW);
  await saveMailTemplateOverride(db, reseller.id, 'payment.received', edited, NOW);
  const rejectedCdr = await makeRejectedCdr(db, { uuid: 'fuzz-rejected', at: NOW });
  const didImport = await makeDidImport(db, { created_by: admin.id, at: NOW });
  const globexProduct = await one(db('products').where({ customer_id: globex.id }).orderBy('id'));
  const acmeProduct = await one(db('products').where({ customer_id: acme.id }).orderBy('id'));
  const inStock = await one(db('products').whereNull('reseller_id').whereNull('customer_id').where({ status: 'active' }).orderBy('id'));
  const resellerUnassigned = await one(db('products').where({ reseller_id: reseller.id }).whereNull('customer_id').orderBy('id'));
  const callOf = (ownerId: number) => one(db('calls').where({ owner_id: ownerId }).orderBy('id'));
  const subscriptionOf = (accountId: number) => one(db('subscriptions').where({ account_id: accountId }).orderBy('id'));
  // Card payments: the demo's (Acme's, paid and partly refunded: refundable), and one each for the walkers.
  const acmePayment = await one(db('payments').where({ account_id: acme.id, status: 'partially_refunded' }).orderBy('id'));
  const resellerPayment = (await makePayment(db, { account: reseller, amount: '10' })).id;
  const globexPayment = (await makePayment(db, { account: globex, amount: '10', payeeResellerId: reseller.id })).id;
  // A webhook endpoint of each walker, with one delivery in its log (a test event) for the Resend form.
  const endpointOf = async (account: { id: number }) => {
    const endpoint = await makeWebhookEndpoint(db, account, { url: 'http://127.0.0.1:9/fuzz' });
    return { id: endpoint.id, messageId: await sendTestWebhook(db, account.id, endpoint.id, NOW) };
  };
  const invoiceOf = async (number: string) => ({ id: await one(db('invoices').where({ number })), file: `invoice-${number}.pdf` });
  const numberOf = async (id: number) => ((await db('products').where({ id }).first('number')) as { number: string }).number;
  return {
    params: [
      { prefix: '/admin/accounts/', values: { id: acme.id } },
      { prefix: '/admin/dids/import/', values: { importId: didImport } },
      { prefix: '/admin/dids/:id/reclaim', values: { id: acmeProduct } },
      { prefix: '/admin/dids/:id/restore', values: { id: removedDid } },
      { prefix: '/admin/rate-plans/:id/restore', values: { id: archivedAdminPlan } },
      { prefix: '/reseller/rate-plans/:id/restore', values: { id: archivedResellerPlan } },
      { prefix: '/admin/dids/', values: { id: inStock } },
      { prefix: '/admin/providers/', values: { id: await one(db('providers').orderBy('id')) } },
      { prefix: '/admin/calls/', values: { id: await callOf(acme.id) } },
      { prefix: '/admin/switches/', values: { id: sw.id } },
      { prefix: '/admin/rejected-cdrs/', values: { id: rejectedCdr } },
      { prefix: '/admin/rate-plans/', values: { id: adminPlan } },
      { prefix: '/admin/billing-runs/', values: { id: billingRun } },
      { prefix: '/admin/subscriptions/', values: { id: await subscriptionOf(acme.id) } },
      // The demo's bounced mail: its page has the Retry form.
      { prefix: '/admin/outbox/', values: { id: await one(db('outbox_messages').where({ status: 'failed' }).orderBy('id')) } },
      { prefix: '/admin/mail-templates/', values: { event: 'payment.received' } },
      { prefix: '/reseller/mail-templates/', values: { event: 'payment.received' } },
      { prefix: '/reseller/customers/', values: { id: resellersVictim.id } },
      { prefix: '/reseller/buy/', values: { productId: inStock } },
      { prefix: '/reseller/receipts/', values: { subscriptionId: await subscriptionOf(reseller.id) } },
      { prefix: '/reseller/dids/', values: { productId: resellerUnassigned } },
      { prefix: '/reseller/calls/', values: { id: await callOf(globex.id) } },
      { prefix: '/reseller/rate-plans/', values: { id: resellerPlan } },
      { prefix: '/customer/buy/', values: { productId: resellerUnassigned } },
      { prefix: '/customer/receipts/', values: { subscriptionId: await subscriptionOf(globex.id) } },
      { prefix: '/customer/numbers/', values: { productId: globexProduct } },
      { prefix: '/customer/calls/', values: { id: await callOf(globex.id) } },
      { prefix: '/admin/payments/', values: { id: acmePayment } },
      { prefix: '/admin/webhooks/', values: await endpointOf(admin) },
      // A link that was never issued: the page says so (410), whatever is sent to it.
      { prefix: '/password/reset/', values: { token: 'fuzz-link-never-issued' } },
      { prefix: '/reseller/webhooks/', values: await endpointOf(reseller) },
      { prefix: '/customer/webhooks/', values: await endpointOf(globex) },
      { prefix: '/webhooks/stripe/reseller/', values: { id: reseller.id } },
      { prefix: '/reseller/payments/', values: { id: resellerPayment } },
      { prefix: '/customer/payments/', values: { id: globexPayment } },
      { prefix: '/admin/invoices/', values: await invoiceOf('DH-00001') },
      { prefix: '/reseller/invoices/', values: await invoiceOf('NW-00001') },
      { prefix: '/customer/invoices/', values: await invoiceOf('NW-00001') },
      { prefix: '/admin/company/accounts/', values: { id: acme.id } },
      { prefix: '/account/api-keys/', values: { id: await one(db('api_keys').orderBy('id')) } },
      { prefix: '/admin/company/taxes/', values: { id: await one(db('tax_rates').orderBy('id')) } },
      { prefix: '/reseller/company/accounts/', values: { id: globex.id } },
    ],
    pageQueries: {
      '/admin/dids/:id/assign/confirm': `account=${acme.id}&charge=no`,
      '/reseller/rate-plans/apply-one': `product_id=${resellerUnassigned}&plan=${resellerPlan}`,
      '/reseller/buy/confirm': `ids=${inStock}`,
      '/customer/buy/confirm': `ids=${resellerUnassigned}`,
      '/reseller/receipts': `ids=${await subscriptionOf(reseller.id)}`,
      '/customer/receipts': `ids=${await subscriptionOf(globex.id)}`,
    },
    formPages: [
      { role: 'admin', path: `/admin/dids/${removedDid}` },
      { role: 'admin', path: `/admin/rate-plans/${archivedAdminPlan}` },
      { role: 'reseller', path: `/reseller/rate-plans/${archivedResellerPlan}` },
      { role: 'admin', path: `/admin/accounts/${acme.id}/money`, post: { kind: 'payment', amount: '1.00' } },
      { role: 'reseller', path: `/reseller/customers/${resellersVictim.id}/money`, post: { kind: 'payment', amount: '1.00' } },
      { role: 'admin', path: `/admin/payments/${acmePayment}/refund`, post: { amount: '1.00', idempotency_key: '5b0c2a4e-3f7d-4e43-9d2a-1c7e2b9f0a11' } },
      // The credit note's review: its form is the one that issues the note.
      { role: 'admin', path: `/admin/invoices/${(await invoiceOf('DH-00001')).id}/credit-notes`, post: { amount: '0.01', reason: 'fuzz review' } },
      { role: 'reseller', path: `/reseller/invoices/${(await invoiceOf('NW-00001')).id}/credit-notes`, post: { amount: '0.01', reason: 'fuzz review' } },
    ],
    numbers: { customer: await numberOf(globexProduct), directCustomer: await numberOf(acmeProduct) },
    switchToken: sw.token,
  };
}

/** The path parameters for a route pattern, from the first matching prefix. */
export function paramsFor(world: World, pattern: string): Record<string, string | number> {
  return world.params.find((entry) => pattern.startsWith(entry.prefix))?.values ?? {};
}

export interface Session {
  agent: Agent;
  /** The session's CSRF token: one per session, so it is read once. */
  token: string;
}

const LOGINS: Record<Exclude<Role, 'anonymous'>, string> = {
  admin: 'admin@example.com',
  reseller: 'reseller@example.com',
  customer: 'customer-of-reseller@example.com',
};

/** A session for the role; anonymous visitors get one by opening the login page. */
export async function openSession(app: Express, role: Role): Promise<Session> {
  const agent = role === 'anonymous' ? request.agent(app) : await loginAs(app, LOGINS[role], DEMO_PASSWORD);
  const token = await csrfToken(agent, role === 'anonymous' ? '/login' : '/account/password');
  return { agent, token };
}

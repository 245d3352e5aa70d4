// Tenancy walk: every GET route of the app, for every role and for anonymous visitors, on the demo
// data plus a second reseller's customer. Each role gets 200 on its own pages, 403 in other roles'
// areas, 404 for another tenant's ids; visitors are sent to the login page. The routes are read
// from the Express router stack, so a route added later fails this test until it is classified.
import type { Express } from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, seedDemo } from '../../seeds/demo.ts';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { postLedgerEntry } from '../../src/db/ledger-writer.ts';
import { createTestApp } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeBillingRun, makeCall, makeDidImport, makePayment, makeRatePlan, makeRejectedCdr, makeSubscription, makeWebhookEndpoint } from '../helpers/factories.ts';
import { csrfToken, loginAs, type Agent } from '../helpers/login.ts';
import { routesOf } from '../helpers/router-stack.ts';

const database = useTestDatabase();
const NOW = new Date('2026-11-29T12:00:00Z');

type Role = 'admin' | 'reseller' | 'customer';
type Area = 'public' | 'account' | Role;
type Params = Record<string, string | number>;

/** The tenants and their rows, read from the seeded database. */
interface World {
  admin: AccountRow;
  /** The reseller that walks: Northwind Telecom. */
  reseller: AccountRow;
  /** Another reseller: Bluebird Voice, with a customer of its own. */
  otherReseller: AccountRow;
  /** The customer that walks: Globex, a customer of Northwind. */
  customer: AccountRow;
  /** The admin's direct customer, Acme. */
  directCustomer: AccountRow;
  otherResellersCustomer: AccountRow;
  subscription: { reseller: number; otherReseller: number; customer: number; directCustomer: number; otherResellersCustomer: number };
  product: {
    /** Northwind's number that no customer holds. */
    resellerUnassigned: number;
    /** Globex's number (bought from Northwind). */
    customerOwned: number;
    directCustomerOwned: number;
    otherResellerHeld: number;
    otherResellersCustomerOwned: number;
    inStock: number;
  };
  provider: number;
  didImport: number;
  call: { customer: number; directCustomer: number; otherResellersCustomer: number; reseller: number };
  ratePlan: { admin: number; reseller: number; otherReseller: number };
  billingRun: number;
  /** A mail in the outbox (the demo's). */
  outboxMessage: number;
  rejectedCdr: number;
  /** A webhook endpoint of each walking role, and one of another reseller. */
  webhook: Record<Role | 'otherReseller', number>;
  payment: { reseller: number; customer: number; directCustomer: number };
  /** The demo invoices: the operator's to Acme, Northwind's to Globex. */
  invoice: { operator: { id: number; number: string }; reseller: { id: number; number: string } };
}

interface RouteCase {
  area: Area;
  /** Parameters of the area's role's own rows (expect `status`). */
  own?: (w: World) => Params;
  /** Parameters of rows the area's role must not see (expect 404). */
  foreign?: (w: World) => Params[];
  /** Status for the own case; default 200. */
  status?: number;
  /** Status for anonymous visitors of a public route; default 200. */
  anonymous?: number;
  /** A query string the page needs (without "?"), e.g. a confirmation's choices. */
  query?: (w: World) => string;
  /** Query strings naming rows the role must not see, for pages that take ids in the query (expect 404). */
  foreignQueries?: (w: World) => string[];
}

/**
 * Every GET route, classified. A path missing here fails the walk: classify new routes when they
 * are added (area, own ids, foreign ids).
 */
const ROUTES: Record<string, RouteCase> = {
  '/': { area: 'public', anonymous: 302 },
  '/healthz': { area: 'public' },
  '/login': { area: 'public' },
  '/password/forgot': { area: 'public' },
  // An unknown link: the clear "no longer works" page.
  '/password/reset/:token': { area: 'public', own: () => ({ token: 'x'.repeat(43) }), anonymous: 410 },
  '/account/password': { area: 'account' },
  '/account/api-keys': { area: 'account' },
  '/account/api-reference': { area: 'account' },
  '/account/notifications': { area: 'account' },

  '/admin': { area: 'admin' },
  '/admin/accounts': { area: 'admin' },
  '/admin/accounts/export.csv': { area: 'admin' },
  '/admin/accounts/new': { area: 'admin' },
  '/admin/accounts/:id': { area: 'admin', own: (w) => ({ id: w.otherResellersCustomer.id }), foreign: (w) => [{ id: w.admin.id }, { id: 999999 }, { id: 'x1' }] },
  '/admin/accounts/:id/edit': { area: 'admin', own: (w) => ({ id: w.reseller.id }), foreign: (w) => [{ id: w.admin.id }, { id: 999999 }] },
  '/admin/accounts/:id/money': { area: 'admin', own: (w) => ({ id: w.customer.id }), foreign: (w) => [{ id: w.admin.id }, { id: 999999 }] },
  '/admin/accounts/:id/transactions': { area: 'admin', own: (w) => ({ id: w.otherReseller.id }), foreign: (w) => [{ id: w.admin.id }, { id: 999999 }] },
  '/admin/accounts/:id/transactions/export.csv': { area: 'admin', own: (w) => ({ id: w.directCustomer.id }), foreign: (w) => [{ id: w.admin.id }] },

  '/admin/dids': { area: 'admin' },
  '/admin/dids/export.csv': { area: 'admin' },
  '/admin/dids/new': { area: 'admin' },
  '/admin/dids/import': { area: 'admin' },
  '/admin/dids/import/sample.csv': { area: 'admin' },
  '/admin/dids/import/:importId': { area: 'admin', own: (w) => ({ importId: w.didImport }), foreign: () => [{ importId: 999999 }, { importId: 'x' }] },
  '/admin/dids/import/:importId/errors.csv': { area: 'admin', own: (w) => ({ importId: w.didImport }), foreign: () => [{ importId: 999999 }] },
  ...Object.fromEntries(
    ['', '/edit', '/remove', '/assign', '/reclaim'].map((suffix) => [
      `/admin/dids/:id${suffix}`,
      {
        area: 'admin',
        own: (w: World) => ({ id: suffix === '/reclaim' ? w.product.otherResellersCustomerOwned : w.product.inStock }),
        foreign: () => [{ id: 999999 }, { id: 'x' }],
      } satisfies RouteCase,
    ]),
  ),
  '/admin/dids/:id/assign/confirm': {
    area: 'admin',
    own: (w) => ({ id: w.product.inStock }),
    query: (w) => `account=${w.directCustomer.id}&charge=no`,
    foreign: () => [{ id: 999999 }],
  },
  '/admin/calls': { area: 'admin' },
  '/admin/calls/export.csv': { area: 'admin' },
  '/admin/reports': { area: 'admin' },
  '/admin/reports/export.csv': { area: 'admin' },
  '/admin/calls/:id': { area: 'admin', own: (w) => ({ id: w.call.otherResellersCustomer }), foreign: () => [{ id: 999999 }] },
  '/admin/switches': { area: 'admin' },
  '/admin/rejected-cdrs': { area: 'admin' },
  '/admin/rejected-cdrs/export.csv': { area: 'admin' },
  '/admin/rejected-cdrs/:id': { area: 'admin', own: (w) => ({ id: w.rejectedCdr }), foreign: () => [{ id: 999999 }] },
  '/admin/invalid-destinations': { area: 'admin' },
  '/admin/expired-reservations': { area: 'admin' },
  '/admin/expired-reservations/export.csv': { area: 'admin' },
  '/admin/rate-plans': { area: 'admin' },
  '/admin/rate-plans/export.csv': { area: 'admin' },
  '/admin/rate-plans/new': { area: 'admin' },
  '/admin/rate-plans/assign': { area: 'admin' },
  // A reseller's resale plan is its own, not one of the operator's plans.
  '/admin/rate-plans/:id': { area: 'admin', own: (w) => ({ id: w.ratePlan.admin }), foreign: (w) => [{ id: w.ratePlan.reseller }, { id: 999999 }] },
  '/admin/rate-plans/:id/edit': { area: 'admin', own: (w) => ({ id: w.ratePlan.admin }), foreign: (w) => [{ id: w.ratePlan.otherReseller }, { id: 999999 }] },
  '/admin/rate-plans/:id/numbers': { area: 'admin', own: (w) => ({ id: w.ratePlan.admin }), foreign: (w) => [{ id: w.ratePlan.reseller }, { id: 999999 }] },
  '/admin/rate-plans/:id/numbers/export.csv': { area: 'admin', own: (w) => ({ id: w.ratePlan.admin }), foreign: (w) => [{ id: w.ratePlan.reseller }, { id: 999999 }] },
  '/admin/billing-runs': { area: 'admin' },
  '/admin/billing-runs/export.csv': { area: 'admin' },
  '/admin/audit': { area: 'admin' },
  '/admin/audit/export.csv': { area: 'admin' },
  '/admin/dashboard/chart.csv': { area: 'admin', query: () => 'chart=money' },
  '/admin/billing-runs/:id': { area: 'admin', own: (w) => ({ id: w.billingRun }), foreign: () => [{ id: 999999 }] },
  '/admin/billing-runs/:id/export.csv': { area: 'admin', own: (w) => ({ id: w.billingRun }), foreign: () => [{ id: 999999 }] },
  '/admin/subscriptions/:id': { area: 'admin', own: (w) => ({ id: w.subscription.otherResellersCustomer }), foreign: () => [{ id: 999999 }] },
  '/admin/outbox': { area: 'admin' },
  '/admin/outbox/export.csv': { area: 'admin' },
  '/admin/outbox/:id': { area: 'admin', own: (w) => ({ id: w.outboxMessage }), foreign: () => [{ id: 999999 }] },
  '/admin/mail-templates': { area: 'admin' },
  '/admin/mail-templates/:event': { area: 'admin', own: () => ({ event: 'number.purchased' }), foreign: () => [{ event: 'no.such' }] },
  '/admin/payments': { area: 'admin' },
  '/admin/payments/export.csv': { area: 'admin' },
  '/admin/payments/:id': { area: 'admin', own: (w) => ({ id: w.payment.customer }), foreign: () => [{ id: 999999 }, { id: 'x1' }] },
  '/admin/payment-settings': { area: 'admin' },
  '/admin/providers': { area: 'admin' },
  '/admin/providers/export.csv': { area: 'admin' },
  '/admin/providers/new': { area: 'admin' },
  '/admin/providers/:id': { area: 'admin', own: (w) => ({ id: w.provider }), foreign: () => [{ id: 999999 }] },
  '/admin/providers/:id/edit': { area: 'admin', own: (w) => ({ id: w.provider }), foreign: () => [{ id: 999999 }] },

  '/reseller': { area: 'reseller' },
  '/reseller/dashboard/chart.csv': { area: 'reseller', query: () => 'chart=margin' },
  '/reseller/customers': { area: 'reseller' },
  '/reseller/customers/export.csv': { area: 'reseller' },
  '/reseller/customers/new': { area: 'reseller' },
  ...Object.fromEntries(
    ['', '/edit', '/money', '/transactions', '/transactions/export.csv'].map((suffix) => [
      `/reseller/customers/:id${suffix}`,
      {
        area: 'reseller',
        own: (w: World) => ({ id: w.customer.id }),
        foreign: (w: World) => [{ id: w.otherResellersCustomer.id }, { id: w.directCustomer.id }, { id: w.otherReseller.id }, { id: w.reseller.id }, { id: w.admin.id }],
      } satisfies RouteCase,
    ]),
  ),
  '/reseller/transactions': { area: 'reseller' },
  '/reseller/mail-templates': { area: 'reseller' },
  '/reseller/mail-templates/:event': { area: 'reseller', own: () => ({ event: 'number.purchased' }), foreign: () => [{ event: 'no.such' }] },
  '/reseller/calls': { area: 'reseller' },
  '/reseller/calls/export.csv': { area: 'reseller' },
  '/reseller/reports': { area: 'reseller' },
  '/reseller/reports/export.csv': { area: 'reseller' },
  // A call to its customer's number is the reseller's too (its margin); other tenants' calls are not.
  '/reseller/calls/:id': {
    area: 'reseller',
    own: (w) => ({ id: w.call.customer }),
    foreign: (w) => [{ id: w.call.directCustomer }, { id: w.call.otherResellersCustomer }],
  },
  '/reseller/rate-plans': { area: 'reseller' },
  '/reseller/rate-plans/export.csv': { area: 'reseller' },
  '/reseller/rate-plans/new': { area: 'reseller' },
  ...Object.fromEntries(
    ['', '/edit', '/apply'].map((suffix) => [
      `/reseller/rate-plans/:id${suffix}`,
      {
        area: 'reseller',
        own: (w: World) => ({ id: w.ratePlan.reseller }),
        foreign: (w: World) => [{ id: w.ratePlan.otherReseller }, { id: w.ratePlan.admin }],
      } satisfies RouteCase,
    ]),
  ),
  '/reseller/rate-plans/apply-one': {
    area: 'reseller',
    query: (w) => `product_id=${w.product.resellerUnassigned}&plan=${w.ratePlan.reseller}`,
    foreignQueries: (w) => [
      `product_id=${w.product.otherResellerHeld}&plan=${w.ratePlan.reseller}`,
      `product_id=${w.product.resellerUnassigned}&plan=${w.ratePlan.otherReseller}`,
      `product_id=${w.product.resellerUnassigned}&plan=${w.ratePlan.admin}`,
    ],
  },
  '/reseller/buy': { area: 'reseller' },
  '/reseller/buy/export.csv': { area: 'reseller' },
  '/reseller/holds': { area: 'reseller' },
  '/reseller/buy/:productId': {
    area: 'reseller',
    own: (w) => ({ productId: w.product.inStock }),
    foreign: (w) => [{ productId: w.product.otherResellerHeld }, { productId: w.product.directCustomerOwned }, { productId: w.product.otherResellersCustomerOwned }],
  },
  '/reseller/buy/confirm': {
    area: 'reseller',
    query: (w) => `ids=${w.product.inStock}`,
    foreignQueries: (w) => [w.product.otherResellerHeld, w.product.directCustomerOwned, w.product.otherResellersCustomerOwned].map((id) => `ids=${w.product.inStock}&ids=${id}`),
  },
  '/reseller/receipts': {
    area: 'reseller',
    query: (w) => `ids=${w.subscription.reseller}`,
    foreignQueries: (w) => [w.subscription.otherReseller, w.subscription.customer, w.subscription.directCustomer].map((id) => `ids=${id}`),
  },
  '/reseller/dids': { area: 'reseller' },
  '/reseller/dids/export.csv': { area: 'reseller' },
  ...Object.fromEntries(
    ['', '/release'].map((suffix) => [
      `/reseller/dids/:productId${suffix}`,
      {
        area: 'reseller',
        own: (w: World) => ({ productId: w.product.resellerUnassigned }),
        foreign: (w: World) => [
          { productId: w.product.otherResellerHeld }, { productId: w.product.otherResellersCustomerOwned },
          { productId: w.product.directCustomerOwned }, { productId: w.product.inStock },
        ],
      } satisfies RouteCase,
    ]),
  ),
  '/reseller/receipts/:subscriptionId': {
    area: 'reseller',
    own: (w) => ({ subscriptionId: w.subscription.reseller }),
    foreign: (w) => [
      { subscriptionId: w.subscription.otherReseller }, { subscriptionId: w.subscription.customer },
      { subscriptionId: w.subscription.directCustomer }, { subscriptionId: w.subscription.otherResellersCustomer },
    ],
  },
  '/reseller/transactions/export.csv': { area: 'reseller' },
  '/reseller/payments': { area: 'reseller' },
  '/reseller/payments/export.csv': { area: 'reseller' },
  '/reseller/payments/add': { area: 'reseller' },
  '/reseller/payments/:id': { area: 'reseller', own: (w) => ({ id: w.payment.reseller }), foreign: (w) => [{ id: w.payment.customer }, { id: w.payment.directCustomer }] },
  '/reseller/refill': { area: 'reseller' },
  '/reseller/payment-settings': { area: 'reseller' },

  ...Object.fromEntries(
    (['admin', 'reseller', 'customer'] as const).flatMap((role) => [
      [`/${role}/webhooks`, { area: role } satisfies RouteCase],
      [`/${role}/webhooks/new`, { area: role } satisfies RouteCase],
      ...['', '/edit', '/delete', '/export.csv'].map((suffix) => [
        `/${role}/webhooks/:id${suffix}`,
        {
          area: role,
          own: (w: World) => ({ id: w.webhook[role] }),
          foreign: (w: World) => Object.entries(w.webhook).filter(([who]) => who !== role).map(([, id]) => ({ id })),
        } satisfies RouteCase,
      ]),
    ]),
  ),

  '/customer': { area: 'customer' },
  '/customer/dashboard/chart.csv': { area: 'customer', query: () => 'chart=balance' },
  '/customer/transactions': { area: 'customer' },
  '/customer/transactions/export.csv': { area: 'customer' },
  '/customer/calls': { area: 'customer' },
  '/customer/payments': { area: 'customer' },
  '/customer/payments/export.csv': { area: 'customer' },
  '/customer/payments/add': { area: 'customer' },
  '/customer/payments/:id': { area: 'customer', own: (w) => ({ id: w.payment.customer }), foreign: (w) => [{ id: w.payment.reseller }, { id: w.payment.directCustomer }] },
  '/customer/refill': { area: 'customer' },
  '/customer/calls/export.csv': { area: 'customer' },
  '/customer/calls/:id': {
    area: 'customer',
    own: (w) => ({ id: w.call.customer }),
    foreign: (w) => [{ id: w.call.directCustomer }, { id: w.call.otherResellersCustomer }, { id: w.call.reseller }],
  },
  '/customer/buy': { area: 'customer' },
  '/customer/buy/export.csv': { area: 'customer' },
  '/customer/holds': { area: 'customer' },
  // Globex buys from Northwind: Northwind's unassigned numbers, never the admin's stock or another reseller's.
  '/customer/buy/:productId': {
    area: 'customer',
    own: (w) => ({ productId: w.product.resellerUnassigned }),
    foreign: (w) => [{ productId: w.product.inStock }, { productId: w.product.otherResellerHeld }, { productId: w.product.directCustomerOwned }],
  },
  '/customer/buy/confirm': {
    area: 'customer',
    query: (w) => `ids=${w.product.resellerUnassigned}`,
    foreignQueries: (w) => [w.product.inStock, w.product.otherResellerHeld, w.product.directCustomerOwned].map((id) => `ids=${id}`),
  },
  '/customer/receipts': {
    area: 'customer',
    query: (w) => `ids=${w.subscription.customer}`,
    foreignQueries: (w) => [w.subscription.directCustomer, w.subscription.reseller, w.subscription.otherResellersCustomer].map((id) => `ids=${id}`),
  },
  '/customer/numbers': { area: 'customer' },
  '/customer/numbers/export.csv': { area: 'customer' },
  ...Object.fromEntries(
    ['', '/release'].map((suffix) => [
      `/customer/numbers/:productId${suffix}`,
      {
        area: 'customer',
        own: (w: World) => ({ productId: w.product.customerOwned }),
        foreign: (w: World) => [
          { productId: w.product.directCustomerOwned }, { productId: w.product.otherResellersCustomerOwned }, { productId: w.product.resellerUnassigned },
        ],
      } satisfies RouteCase,
    ]),
  ),
  // Northwind's own subscription to the number Globex owns is Northwind's receipt, not Globex's.
  '/customer/receipts/:subscriptionId': {
    area: 'customer',
    own: (w) => ({ subscriptionId: w.subscription.customer }),
    foreign: (w) => [{ subscriptionId: w.subscription.directCustomer }, { subscriptionId: w.subscription.reseller }, { subscriptionId: w.subscription.otherResellersCustomer }],
  },
  // Invoices (the demo's: DH-00001 from the operator to Acme, NW-00001 from Northwind to Globex).
  // The demo has no logos: their routes answer 404 for every role.
  ...Object.fromEntries((['admin', 'reseller', 'customer'] as const).flatMap((role) => {
    const own = (w: World) => (role === 'admin' ? w.invoice.operator : w.invoice.reseller);
    const foreign = (w: World) => (role === 'admin' ? [{ id: 999999, file: 'invoice-X.pdf' }] : [{ id: w.invoice.operator.id, file: `invoice-${w.invoice.operator.number}.pdf` }, { id: 999999, file: 'invoice-X.pdf' }]);
    return [
      [`/${role}/invoices`, { area: role }],
      [`/${role}/invoices/export.csv`, { area: role }],
      [`/${role}/invoices/:id`, { area: role, own: (w) => ({ id: own(w).id }), foreign }],
      [`/${role}/invoices/:id/logo`, { area: role, own: (w) => ({ id: own(w).id }), foreign, status: 404 }],
      [`/${role}/invoices/:id/:file`, { area: role, own: (w) => ({ id: own(w).id, file: `invoice-${own(w).number}.pdf` }), foreign }],
      [`/${role}/company`, { area: role }],
      // A customer keeps billing details only (no logo, no accounts to bill, no invoices to generate).
      ...(role === 'customer' ? [] : [
        [`/${role}/invoices/generate`, { area: role }],
        [`/${role}/company/logo`, { area: role, status: 404 }],
        [`/${role}/company/accounts/:id`, {
          area: role, own: (w: World) => ({ id: role === 'admin' ? w.directCustomer.id : w.customer.id }),
          foreign: (w: World) => (role === 'admin' ? [{ id: 999999 }] : [{ id: w.directCustomer.id }, { id: w.otherResellersCustomer.id }]),
        }],
      ] satisfies Array<[string, RouteCase]>),
    ] satisfies Array<[string, RouteCase]>;
  })),
};

function fill(pattern: string, params: Params = {}, query = ''): string {
  return pattern.replace(/:(\w+)/g, (_, name: string) => {
    if (!(name in params)) throw new Error(`No value for :${name} in ${pattern}`);
    return encodeURIComponent(String(params[name]));
  }) + (query ? `?${query}` : '');
}

const hasParams = (pattern: string) => pattern.includes(':');

let app: Express;
let world: World;
const agents = {} as Record<Role, Agent>;

async function seedSecondResellersCustomer(db: Knex, reseller: AccountRow): Promise<{ customer: AccountRow; subscriptionId: number; productId: number }> {
  return db.transaction(async (trx) => {
    const customer = await makeAccount(trx as unknown as Knex, { role: 'customer', parent: reseller, name: 'Bluebird Client Oy', email: 'client-of-bluebird@example.com' });
    await postLedgerEntry(trx, { accountId: customer!.id, amount: '40', kind: 'payment', description: 'Bluebird client payment', idempotencyKey: 'tenancy:payment', now: NOW });
    const product = (await trx('products').where({ reseller_id: reseller.id }).whereNull('customer_id').orderBy('id').first()) as { id: number; number: string };
    const subscription = {
      id: await makeSubscription(trx as unknown as Knex, {
        product_id: product.id, account_id: customer.id, seller_id: reseller.id, setup_fee: '2', price: '3', started_at: NOW,
        next_billing_at: new Date(NOW.getTime() + 30 * 86_400_000),
      }),
    };
    for (const [kind, amount] of [['setup_fee', '-2'], ['recurring_fee', '-3']] as const) {
      await postLedgerEntry(trx, {
        accountId: customer!.id, amount, kind, description: `${kind} for ${product.number}`, referenceType: 'subscription', referenceId: subscription!.id,
        idempotencyKey: `tenancy:${kind}`, now: NOW,
      });
    }
    await trx('products').where({ id: product.id }).update({ customer_id: customer!.id, destination_type: 'pstn', destination: '+3585551234' });
    return { customer: customer!, subscriptionId: subscription!.id, productId: product.id };
  });
}

/** A call on each tenant's number, a rate plan of each owner, a billing run and a rejected CDR. */
async function seedCallsAndPlans(db: Knex, who: Record<'admin' | 'reseller' | 'otherReseller' | 'customer' | 'directCustomer' | 'otherResellersCustomer', AccountRow>) {
  const numberOf = async (where: Record<string, number>) => (await db('products').where(where).orderBy('id').first('id', 'number')) as { id: number; number: string };
  const call = (uuid: string, product: { id: number; number: string }, ownerId: number, resellerId: number | null) =>
    makeCall(db, { uuid, product, owner_id: ownerId, reseller_id: resellerId, at: NOW });
  const plan = (ownerId: number | null, name: string) => makeRatePlan(db, { owner_id: ownerId, name, created_by: who.admin.id, at: NOW });
  return {
    call: {
      customer: await call('walk-customer', await numberOf({ customer_id: who.customer.id }), who.customer.id, who.reseller.id),
      directCustomer: await call('walk-direct', await numberOf({ customer_id: who.directCustomer.id }), who.directCustomer.id, null),
      otherResellersCustomer: await call('walk-other', await numberOf({ customer_id: who.otherResellersCustomer.id }), who.otherResellersCustomer.id, who.otherReseller.id),
      reseller: await call('walk-reseller', await numberOf({ reseller_id: who.reseller.id }), who.reseller.id, null),
    },
    ratePlan: {
      admin: await plan(null, 'Operator standard'),
      reseller: await plan(who.reseller.id, 'Northwind resale'),
      otherReseller: await plan(who.otherReseller.id, 'Bluebird resale'),
    },
    billingRun: await makeBillingRun(db, NOW),
    outboxMessage: ((await db('outbox_messages').orderBy('id').first('id')) as { id: number }).id,
    rejectedCdr: await makeRejectedCdr(db, { uuid: 'walk-rejected', at: NOW }),
    invoice: {
      operator: (await db('invoices').where({ number: 'DH-00001' }).first('id', 'number')) as { id: number; number: string },
      reseller: (await db('invoices').where({ number: 'NW-00001' }).first('id', 'number')) as { id: number; number: string },
    },
  };
}

beforeAll(async () => {
  const db = database.current.db;
  await seedDemo(db, { now: NOW, bcryptCost: 4 });
  const byEmail = async (email: string) => (await db('accounts').where({ email }).first()) as AccountRow;
  const [admin, reseller, otherReseller, customer, directCustomer] = await Promise.all(
    ['admin@example.com', 'reseller@example.com', 'reseller2@example.com', 'customer-of-reseller@example.com', 'customer@example.com'].map(byEmail),
  );
  const second = await seedSecondResellersCustomer(db, otherReseller!);
  const subscriptionOf = async (accountId: number) =>
    ((await db('subscriptions').where({ account_id: accountId }).orderBy('id').first('id')) as { id: number }).id;
  const productWhere = async (where: (q: Knex.QueryBuilder) => void) => {
    const q = db('products').orderBy('id').first('id');
    where(q);
    return ((await q) as { id: number }).id;
  };
  world = {
    admin: admin!, reseller: reseller!, otherReseller: otherReseller!, customer: customer!, directCustomer: directCustomer!,
    otherResellersCustomer: second.customer,
    subscription: {
      reseller: await subscriptionOf(reseller!.id),
      otherReseller: await subscriptionOf(otherReseller!.id),
      customer: await subscriptionOf(customer!.id),
      directCustomer: await subscriptionOf(directCustomer!.id),
      otherResellersCustomer: second.subscriptionId,
    },
    product: {
      resellerUnassigned: await productWhere((q) => q.where({ reseller_id: reseller!.id }).whereNull('customer_id')),
      customerOwned: await productWhere((q) => q.where({ customer_id: customer!.id })),
      directCustomerOwned: await productWhere((q) => q.where({ customer_id: directCustomer!.id })),
      otherResellerHeld: await productWhere((q) => q.where({ reseller_id: otherReseller!.id }).whereNull('customer_id')),
      otherResellersCustomerOwned: second.productId,
      inStock: await productWhere((q) => q.whereNull('reseller_id').whereNull('customer_id').where({ status: 'active' })),
    },
    provider: ((await db('providers').orderBy('id').first('id')) as { id: number }).id,
    didImport: await makeDidImport(db, { created_by: admin!.id, at: NOW }),
    payment: {
      reseller: (await makePayment(db, { account: reseller!, amount: '10' })).id,
      customer: (await makePayment(db, { account: customer!, amount: '10', payeeResellerId: reseller!.id })).id,
      directCustomer: ((await db('payments').where({ account_id: directCustomer!.id }).orderBy('id').first('id')) as { id: number }).id,
    },
    ...(await seedCallsAndPlans(db, { admin: admin!, reseller: reseller!, otherReseller: otherReseller!, customer: customer!, directCustomer: directCustomer!, otherResellersCustomer: second.customer })),
    webhook: {
      // The reseller's is the demo's endpoint.
      reseller: ((await db('webhook_endpoints').where({ account_id: reseller!.id }).first('id')) as { id: number }).id,
      admin: (await makeWebhookEndpoint(db, admin!, { url: 'https://hooks.example.com/operator' })).id,
      customer: (await makeWebhookEndpoint(db, customer!, { url: 'https://hooks.example.com/globex' })).id,
      otherReseller: (await makeWebhookEndpoint(db, otherReseller!, { url: 'https://hooks.example.com/bluebird' })).id,
    },
  };
  app = createTestApp(db, { now: () => NOW });
  agents.admin = await loginAs(app, world.admin.email, DEMO_PASSWORD);
  agents.reseller = await loginAs(app, world.reseller.email, DEMO_PASSWORD);
  agents.customer = await loginAs(app, world.customer.email, DEMO_PASSWORD);
});

/** The pages' GET routes; the account API (/api/v1, API keys) has its own tenancy tests in api.test.ts. */
const pageRoutes = () => routesOf(app, 'get').filter((path) => !path.startsWith('/api/v1/'));

describe('tenancy walk over every route', () => {
  it('when the routes are listed, then every GET route is classified', () => {
    const unclassified = pageRoutes().filter((path) => !(path in ROUTES));
    expect(unclassified, 'add these GET routes to ROUTES in test/integration/tenancy.test.ts').toEqual([]);
    const stale = Object.keys(ROUTES).filter((path) => !pageRoutes().includes(path));
    expect(stale, 'these classified routes no longer exist').toEqual([]);
  });

  it('when a visitor opens any page, then public pages answer and every other page sends it to the login page', async () => {
    for (const pattern of pageRoutes()) {
      const route = ROUTES[pattern];
      if (!route) continue;
      const path = fill(pattern, route.own?.(world), route.query?.(world));
      const response = await request(app).get(path);
      if (route.area === 'public') {
        expect(response.status, path).toBe(route.anonymous ?? 200);
      } else {
        expect(response.status, path).toBe(302);
        expect(response.headers.location, path).toBe(`/login?next=${encodeURIComponent(path)}`);
      }
    }
  });

  it.each(['admin', 'reseller', 'customer'] as const)('when the %s walks every page, then its own pages answer 200, other areas 403, and other tenants\' ids 404', async (role) => {
    const agent = agents[role];
    const seen: string[] = [];
    for (const pattern of pageRoutes()) {
      const route = ROUTES[pattern];
      if (!route || route.area === 'public') continue;
      const own = fill(pattern, route.own?.(world), route.query?.(world));
      const response = await agent.get(own);
      if (route.area === role || route.area === 'account') {
        expect(response.status, `${role} GET ${own}`).toBe(route.status ?? 200);
        seen.push(own);
        for (const params of route.foreign?.(world) ?? []) {
          const foreign = fill(pattern, params, route.query?.(world));
          const refused = await agent.get(foreign);
          expect(refused.status, `${role} GET ${foreign} (another tenant's id)`).toBe(404);
          // The page must not leak the other tenant's name either.
          expect(refused.text).not.toContain(world.otherResellersCustomer.name);
        }
        for (const query of route.foreignQueries?.(world) ?? []) {
          const foreign = fill(pattern, route.own?.(world), query);
          expect((await agent.get(foreign)).status, `${role} GET ${foreign} (another tenant's id)`).toBe(404);
        }
        if (hasParams(pattern) && route.area !== 'account') expect(route.foreign, `${pattern} needs foreign ids`).toBeDefined();
      } else {
        expect(response.status, `${role} GET ${own}`).toBe(403);
      }
    }
    expect(seen.length).toBeGreaterThan(2);
  }, 120_000);

  it('when a role sends a form to another role\'s area, then it is refused with 403 and a visitor is sent to log in', async () => {
    const areaOf = (path: string): Role | undefined => (['admin', 'reseller', 'customer'] as const).find((r) => path === `/${r}` || path.startsWith(`/${r}/`));
    for (const pattern of routesOf(app, 'post')) {
      const area = areaOf(pattern);
      if (!area) continue;
      // The role guard answers before any id is looked up, so any id will do.
      const path = pattern.replace(/:\w+/g, '1');
      for (const role of ['admin', 'reseller', 'customer'] as const) {
        if (role === area) continue;
        const agent = agents[role];
        const response = await agent.post(path).type('form').send({ _csrf: await csrfToken(agent, '/account/password') });
        expect(response.status, `${role} POST ${path}`).toBe(403);
      }
      const anonymous = request.agent(app);
      const token = await csrfToken(anonymous, '/login');
      const response = await anonymous.post(path).type('form').send({ _csrf: token });
      expect(response.status, `visitor POST ${path}`).toBe(302);
      expect(response.headers.location).toBe('/login');
    }
  }, 120_000);
});

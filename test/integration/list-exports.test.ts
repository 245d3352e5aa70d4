// Every list exports CSV with the list's filters (issue 19, item 6): for each list that gained an
// export, the page links to it with its current filters, the file has its header and rows, a
// filter leaves rows out, and another tenant's rows never appear.
import { parse } from 'csv-parse/sync';
import type { Express } from 'express';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { createTestApp } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeBillingRun, makeDid, makeOwnedDid, makePayment, makeProvider, makeRatePlan, makeRejectedCdr, makeWebhookEndpoint } from '../helpers/factories.ts';
import { loginAs, type Agent } from '../helpers/login.ts';

const database = useTestDatabase();
let app: Express;
const agents = new Map<string, Agent>();
const accounts: Record<'admin' | 'reseller' | 'otherReseller' | 'customer' | 'otherCustomer', AccountRow> = {} as never;
/** Values the cases look for, by name. */
const seen: Record<string, string> = {};

async function agentOf(account: AccountRow): Promise<Agent> {
  let agent = agents.get(account.email);
  if (!agent) {
    agent = await loginAs(app, account.email);
    agents.set(account.email, agent);
  }
  return agent;
}

interface ExportCase {
  list: string;
  as: keyof typeof accounts;
  /** The list page; `{name}` stands for `seen[name]` (an id of the data). */
  path: string;
  /** One filter of the page, as its query string (absent for lists without filters). */
  filter?: string;
  /** The first columns of the header. */
  header: string[];
  /** The column that names a row, and the rows (keys of `seen`) the filter keeps and drops. */
  key: string;
  kept: string;
  dropped?: string;
  /** A row of another tenant, never in this account's file (absent for the admin's lists). */
  foreign?: string;
  /** For the admin's lists: a reseller asking for the file gets no file. */
  adminOnly?: boolean;
  /** Checks of the kept row's cells: raw E.164, plain decimals. */
  cells?: Record<string, string>;
}

const CASES: ExportCase[] = [
  {
    list: 'My DIDs', as: 'reseller', path: '/reseller/dids', filter: 'country=GB', header: ['number', 'country', 'province', 'city'],
    key: 'number', kept: 'heldGb', dropped: 'heldUs', foreign: 'otherHeld', cells: { country: 'GB', buy_monthly_fee: '2.5000', buy_cost_per_minute: '0.600000' },
  },
  {
    list: 'My numbers', as: 'customer', path: '/customer/numbers', filter: 'status=suspended', header: ['number', 'country', 'province', 'city', 'seller', 'status'],
    key: 'number', kept: 'ownedSuspended', dropped: 'ownedActive', foreign: 'otherOwned', cells: { status: 'suspended', price: '3.5000' },
  },
  {
    list: 'Buy DIDs (customer)', as: 'customer', path: '/customer/buy', filter: 'country=GB', header: ['number', 'country', 'province', 'city', 'billing_type'],
    key: 'number', kept: 'heldGb', dropped: 'heldUs', foreign: 'otherHeld', cells: { monthly_fee: '4.0000', setup_fee: '0.5000' },
  },
  {
    list: 'Buy DIDs (reseller)', as: 'reseller', path: '/reseller/buy', filter: 'billing_type=one_time', header: ['number', 'country', 'province', 'city', 'billing_type'],
    key: 'number', kept: 'stockOneTime', dropped: 'stockRecurring', foreign: 'otherHeld', cells: { billing_type: 'one_time', cost_now: '3.0000' },
  },
  {
    list: 'Providers', as: 'admin', path: '/admin/providers', filter: 'q=alpha', header: ['id', 'name', 'contact_name', 'email'],
    key: 'name', kept: 'providerAlpha', dropped: 'providerBeta', adminOnly: true,
  },
  {
    list: 'Billing runs', as: 'admin', path: '/admin/billing-runs', filter: 'status=failed', header: ['id', 'trigger', 'status', 'clock_at'],
    key: 'id', kept: 'runFailed', dropped: 'runFinished', adminOnly: true, cells: { status: 'failed' },
  },
  {
    list: 'Rejected CDRs', as: 'admin', path: '/admin/rejected-cdrs', filter: 'source=freeswitch', header: ['id', 'received_at', 'source', 'switch', 'uuid'],
    key: 'uuid', kept: 'rejectedSwitch', dropped: 'rejectedApi', adminOnly: true, cells: { source: 'freeswitch' },
  },
  {
    list: 'Outbox', as: 'admin', path: '/admin/outbox', filter: 'channel=webhook', header: ['id', 'created_at', 'channel', 'event'],
    key: 'recipient', kept: 'outboxWebhook', dropped: 'outboxMail', adminOnly: true, cells: { channel: 'webhook', status: 'pending' },
  },
  {
    list: 'Expired reservations', as: 'admin', path: '/admin/expired-reservations', header: ['call_uuid', 'released_at', 'number'],
    key: 'call_uuid', kept: 'expiredCall', adminOnly: true, cells: { owner_reserved: '1.2500' },
  },
  {
    list: 'Numbers on a rate plan', as: 'admin', path: '/admin/rate-plans/{plan}/numbers', header: ['number', 'provider', 'country'],
    key: 'number', kept: 'onPlan', foreign: 'offPlan', adminOnly: true, cells: { rate_plan: 'Export plan' },
  },
  {
    list: 'Payments (own)', as: 'customer', path: '/customer/payments', header: ['id', 'created_at', 'account_id', 'account'],
    key: 'id', kept: 'ownPayment', foreign: 'otherPayment', cells: { amount: '25.0000', status: 'pending' },
  },
  {
    list: 'What a billing run did', as: 'admin', path: '/admin/billing-runs/{runFailed}', filter: 'kind=suspended', header: ['kind', 'number', 'account_id', 'account'],
    key: 'kind', kept: 'eventSuspended', dropped: 'eventReleased', adminOnly: true, cells: { amount: '3.5000', note: "'=not covered" },
  },
  {
    list: 'Rate plans (reseller)', as: 'reseller', path: '/reseller/rate-plans', filter: 'q=resale', header: ['id', 'name', 'kind', 'description'],
    key: 'name', kept: 'planResale', dropped: 'planPremium', foreign: 'planForeign', cells: { cost_per_minute: '0.010000', number_count: '0', scheduled_versions: '0' },
  },
  {
    list: 'Webhook delivery log', as: 'customer', path: '/customer/webhooks/{endpoint}', filter: 'status=failed', header: ['id', 'created_at', 'channel', 'event'],
    key: 'id', kept: 'deliveryFailed', dropped: 'deliveryPending', foreign: 'otherDelivery', cells: { status: 'failed', last_error: 'HTTP 500' },
  },
];

beforeAll(async () => {
  const db = database.current.db;
  app = createTestApp(db);
  accounts.admin = await makeAccount(db, { role: 'admin' });
  accounts.reseller = await makeAccount(db, { role: 'reseller', parent: accounts.admin });
  accounts.otherReseller = await makeAccount(db, { role: 'reseller', parent: accounts.admin });
  accounts.customer = await makeAccount(db, { role: 'customer', parent: accounts.reseller });
  accounts.otherCustomer = await makeAccount(db, { role: 'customer', parent: accounts.reseller });

  // The reseller's numbers, offered to its customers at 0.50 setup and 4.00 a month.
  const heldUs = await makeOwnedDid(db, { owner: accounts.reseller });
  const heldGb = await makeOwnedDid(db, { owner: accounts.reseller, number: '+442079460958', country: 'GB', province: 'England', city: 'London', price: '2.50' });
  for (const held of [heldUs, heldGb]) {
    await db('reseller_prices').insert({
      product_id: held.id, reseller_id: accounts.reseller.id, setup_fee: '0.50', monthly_fee: '4.00',
      connection_cost: '0', grace_seconds: 0, cost_per_minute: '0.02', initial_increment: 60, increment: 60,
    });
  }
  const otherHeld = await makeOwnedDid(db, { owner: accounts.otherReseller, number: '+442079460959', country: 'GB' });
  const ownedActive = await makeOwnedDid(db, { owner: accounts.customer, reseller: accounts.reseller });
  const ownedSuspended = await makeOwnedDid(db, { owner: accounts.customer, reseller: accounts.reseller, subscription: 'suspended', price: '3.50' });
  const otherOwned = await makeOwnedDid(db, { owner: accounts.otherCustomer, reseller: accounts.reseller, subscription: 'suspended' });
  // The admin's stock: 1.00 setup + 2.00 for the period.
  const stockRecurring = await makeDid(db);
  const stockOneTime = await makeDid(db, { billing_type: 'one_time' });
  Object.assign(seen, {
    heldUs: heldUs.number, heldGb: heldGb.number, otherHeld: otherHeld.number, ownedActive: ownedActive.number,
    ownedSuspended: ownedSuspended.number, otherOwned: otherOwned.number, stockRecurring: stockRecurring.number, stockOneTime: stockOneTime.number,
    providerAlpha: (await makeProvider(db, 'Alpha Carrier')).name, providerBeta: (await makeProvider(db, 'Beta Carrier')).name,
    runFinished: String(await makeBillingRun(db, new Date('2026-11-01T00:00:00Z'))),
    rejectedApi: 'rejected-api', rejectedSwitch: 'rejected-switch',
  });
  const failed = await makeBillingRun(db, new Date('2026-11-02T00:00:00Z'));
  await db('billing_runs').where({ id: failed }).update({ status: 'failed', error: '=cmd|boom' });
  seen.runFailed = String(failed);
  await makeRejectedCdr(db, { uuid: 'rejected-api', at: new Date('2026-11-03T00:00:00Z') });
  const rejected = await makeRejectedCdr(db, { uuid: 'rejected-switch', at: new Date('2026-11-03T00:00:00Z') });
  await db('rejected_cdrs').where({ id: rejected }).update({ source: 'freeswitch' });
  await db('outbox_messages').insert([
    { channel: 'mail', event: 'account.low_balance', recipient: 'ops@example.com', payload: '{}' },
    { channel: 'webhook', event: 'did.purchased', recipient: 'https://hooks.example.com/didhub', payload: '{}' },
  ]);
  Object.assign(seen, { outboxMail: 'ops@example.com', outboxWebhook: 'https://hooks.example.com/didhub', expiredCall: 'expired-call-1' });
  const at = new Date('2026-11-04T00:00:00Z');
  await db('expired_call_reservations').insert({
    call_uuid: 'expired-call-1', product_id: ownedActive.id, account_id: accounts.customer.id, reseller_id: accounts.reseller.id,
    owner_reserved: '1.25', reseller_reserved: '0.50', allowed_seconds: 600, created_at: at, expires_at: at, released_at: at,
  });
  const plan = await makeRatePlan(db, { owner_id: null, name: 'Export plan', created_by: accounts.admin.id, at });
  seen.plan = String(plan);
  seen.onPlan = (await makeDid(db, { rate_plan_id: plan })).number;
  seen.offPlan = stockRecurring.number;
  seen.ownPayment = String((await makePayment(db, { account: accounts.customer, amount: '25' })).id);
  seen.otherPayment = String((await makePayment(db, { account: accounts.otherCustomer, amount: '30' })).id);
  for (const [owner, name] of [[accounts.reseller, 'Resale cheap'], [accounts.reseller, 'Premium'], [accounts.otherReseller, 'Resale theirs']] as const) {
    await makeRatePlan(db, { owner_id: owner.id, name, created_by: owner.id, at });
  }
  Object.assign(seen, { planResale: 'Resale cheap', planPremium: 'Premium', planForeign: 'Resale theirs' });
  const subscription = (await db('subscriptions').where({ product_id: ownedSuspended.id, account_id: accounts.customer.id }).first('id')) as { id: number };
  await db('subscription_events').insert([
    { subscription_id: subscription.id, billing_run_id: failed, kind: 'suspended', amount: '3.50', note: '=not covered', created_at: at },
    { subscription_id: subscription.id, billing_run_id: failed, kind: 'released', created_at: at },
  ]);
  Object.assign(seen, { eventSuspended: 'suspended', eventReleased: 'released' });
  const endpoint = await makeWebhookEndpoint(db, accounts.customer, { url: 'https://hooks.example.com/mine' });
  const otherEndpoint = await makeWebhookEndpoint(db, accounts.otherCustomer, { url: 'https://hooks.example.com/theirs' });
  const delivery = async (endpointId: number, accountId: number, status: string) => {
    const [row] = (await db('outbox_messages')
      .insert({ channel: 'webhook', event: 'did.purchased', account_id: accountId, endpoint_id: endpointId, recipient: 'https://hooks.example.com', payload: '{}', status, last_error: status === 'failed' ? 'HTTP 500' : null })
      .returning('id')) as Array<{ id: number }>;
    return String(row!.id);
  };
  Object.assign(seen, {
    endpoint: String(endpoint.id),
    deliveryFailed: await delivery(endpoint.id, accounts.customer.id, 'failed'),
    deliveryPending: await delivery(endpoint.id, accounts.customer.id, 'pending'),
    otherDelivery: await delivery(otherEndpoint.id, accounts.otherCustomer.id, 'failed'),
  });
});

async function csvOf(agent: Agent, path: string): Promise<Array<Record<string, string>>> {
  const response = await agent.get(path);
  expect(response.status).toBe(200);
  expect(response.headers['content-type']).toContain('text/csv');
  expect(response.headers['content-disposition']).toContain('attachment');
  return parse(response.text, { columns: true }) as Array<Record<string, string>>;
}

describe('list exports', () => {
  it.each(CASES)('when $list is exported, then the page links to it with its filters and the file keeps to them and to the account', async (c) => {
    const agent = await agentOf(accounts[c.as]);
    const path = c.path.replace(/\{(\w+)\}/g, (_match, name: string) => seen[name]!);
    const query = c.filter ? `?${c.filter}` : '';
    const page = await agent.get(`${path}${query}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`href="${path}/export.csv${query}"`);

    const all = await agent.get(`${path}/export.csv`);
    expect(all.text.split('\n')[0]!.split(',').slice(0, c.header.length)).toEqual(c.header);
    const allKeys = (parse(all.text, { columns: true }) as Array<Record<string, string>>).map((row) => row[c.key]);
    expect(allKeys).toContain(seen[c.kept]);
    if (c.dropped) expect(allKeys).toContain(seen[c.dropped]);
    if (c.foreign) expect(allKeys).not.toContain(seen[c.foreign]);

    const filtered = await csvOf(agent, `${path}/export.csv${query}`);
    const keys = filtered.map((row) => row[c.key]);
    expect(keys).toContain(seen[c.kept]);
    if (c.dropped) expect(keys).not.toContain(seen[c.dropped]);
    if (c.cells) expect(filtered.find((row) => row[c.key] === seen[c.kept])).toMatchObject(c.cells);

    if (c.adminOnly) {
      const reseller = await agentOf(accounts.reseller);
      const refused = await reseller.get(`${path}/export.csv`);
      expect(refused.status).not.toBe(200);
      expect(refused.headers['content-type']).not.toContain('text/csv');
    }
  });

  it('when a filter is bad, then the export answers 400 with the field and no file', async () => {
    const agent = await agentOf(accounts.customer);
    const response = await agent.get('/customer/buy/export.csv?max_monthly=abc');
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).not.toContain('text/csv');
  });

  it('when a billing run failed with a formula-like error, then the error cell is neutralised', async () => {
    const rows = await csvOf(await agentOf(accounts.admin), '/admin/billing-runs/export.csv?status=failed');
    expect(rows[0]).toMatchObject({ error: `'=cmd|boom` });
  });
});

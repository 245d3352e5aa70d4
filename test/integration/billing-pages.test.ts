// The admin's Billing runs pages, a subscription's renewal history, the owners' notices, the
// `didhub billing run` command and the retry after a payment recorded through the admin's form.
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Express } from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { billingRun } from '../../src/cli/billing.ts';
import { main } from '../../src/cli/main.ts';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { purchaseDid } from '../../src/services/purchases.ts';
import { runBilling } from '../../src/services/renewals.ts';
import { createTestApp, testConfig, testPricing } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeDid } from '../helpers/factories.ts';
import { loginAs, postForm } from '../helpers/login.ts';

const PRICING = testPricing();

const database = useTestDatabase();
let db: Knex;
let admin: AccountRow;
let clock = new Date('2027-03-01T00:00:00Z');
let app: Express;

beforeAll(async () => {
  db = database.current.db;
  admin = await makeAccount(db, { role: 'admin' });
  app = createTestApp(db, { now: () => clock });
});

function sink() {
  let text = '';
  const stream = new Writable({ write(chunk, _encoding, done) { text += String(chunk); done(); } });
  return { stream, get text() { return text; } };
}

async function buy(buyer: AccountRow, fee: string, now: Date, billingDays = 30) {
  const did = await makeDid(db, { setup_fee: '0', monthly_fee: fee, billing_days: billingDays });
  const { subscription } = await purchaseDid(db, { pricing: PRICING, buyerId: buyer.id, productId: did.id, idempotencyKey: randomUUID(), now, actorId: buyer.id });
  return { did, subscription };
}

describe('the Billing runs pages', () => {
  it('when the admin opens Billing runs, then each run shows its counts and amounts, its entries and each subscription its history', async () => {
    const rich = await makeAccount(db, { role: 'customer', parent: admin, balance: '10' });
    const poor = await makeAccount(db, { role: 'customer', parent: admin, balance: '2' });
    const renewing = await buy(rich, '2.50', new Date('2027-01-01T00:00:00Z'));
    const failing = await buy(poor, '2.00', new Date('2027-01-01T00:00:00Z'));
    const summary = await runBilling(db, { now: new Date('2027-01-31T00:00:00Z'), trigger: 'command', graceDays: 7 });
    expect(summary).toMatchObject({ renewed: 1, renewedTotal: '2.5', suspended: 1, suspendedTotal: '2' });

    const agent = await loginAs(app, admin.email);
    const list = await agent.get('/admin/billing-runs');
    expect(list.status).toBe(200);
    expect(list.text).toContain(`href="/admin/billing-runs/${summary.run!.id}"`);
    expect(list.text).toMatch(new RegExp(`data-run="${summary.run!.id}"[\\s\\S]*?data-renewed>1<[\\s\\S]*?\\$2\\.5000[\\s\\S]*?data-suspended>1<`));
    expect(list.text).toContain('href="/admin/billing-runs"');

    const filtered = await agent.get('/admin/billing-runs?trigger=payment');
    expect(filtered.text).not.toContain(`data-run="${summary.run!.id}"`);
    expect((await agent.get('/admin/billing-runs?status=nonsense')).status).toBe(400);

    const show = await agent.get(`/admin/billing-runs/${summary.run!.id}`);
    expect(show.status).toBe(200);
    expect(show.text).toContain(renewing.did.number);
    expect(show.text).toContain(failing.did.number);
    expect(show.text).toContain(`/admin/subscriptions/${renewing.subscription.id}`);
    const onlySuspended = await agent.get(`/admin/billing-runs/${summary.run!.id}?kind=suspended`);
    expect(onlySuspended.text).toContain(failing.did.number);
    expect(onlySuspended.text).not.toContain(renewing.did.number);

    const history = await agent.get(`/admin/subscriptions/${renewing.subscription.id}`);
    expect(history.status).toBe(200);
    expect(history.text).toMatch(/data-event="renewed"[\s\S]*31 Jan 2027 – 2 Mar 2027/);
    expect(history.text).toContain('Renewal of');
    const suspendedPage = await agent.get(`/admin/subscriptions/${failing.subscription.id}`);
    expect(suspendedPage.text).toContain('notice-suspended');
    // Date-times keep their date on one line (no-break spaces).
    expect(suspendedPage.text).toContain('released on 7\u00a0Feb\u00a02027');

    const didPage = await agent.get(`/admin/dids/${renewing.did.id}`);
    expect(didPage.text).toContain(`href="/admin/subscriptions/${renewing.subscription.id}"`);

    expect((await agent.get('/admin/billing-runs/999999')).status).toBe(404);
    expect((await agent.get('/admin/subscriptions/abc')).status).toBe(404);
  });

  it('when a reseller or a visitor asks for the admin pages, then they are refused', async () => {
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin });
    const agent = await loginAs(app, reseller.email);
    expect((await agent.get('/admin/billing-runs')).status).toBe(403);
    expect((await request(app).get('/admin/billing-runs')).status).toBe(302);
  });
});

describe('notices to the owner', () => {
  it('when a renewal will not be covered, then the dashboard warns days before, and says so when it is suspended', async () => {
    const customer = await makeAccount(db, { role: 'customer', parent: admin, balance: '3' });
    const { did } = await buy(customer, '2.00', new Date('2027-02-01T00:00:00Z'));
    const agent = await loginAs(app, customer.email);

    clock = new Date('2027-02-25T00:00:00Z');
    expect((await agent.get('/customer')).text).not.toContain('notice-renewal');
    clock = new Date('2027-02-28T00:00:00Z');
    const warned = await agent.get('/customer');
    expect(warned.text).toContain('notice-renewal');
    expect(warned.text).toContain(did.number);

    await runBilling(db, { now: new Date('2027-03-03T00:00:00Z'), trigger: 'schedule', graceDays: 7 });
    clock = new Date('2027-03-03T01:00:00Z');
    const suspended = await agent.get('/customer');
    expect(suspended.text).toContain('notice-suspended');
    expect(suspended.text).toContain('Calls to it are refused');
    expect(suspended.text).toContain('10\u00a0Mar\u00a02027');
    const numberPage = await agent.get(`/customer/numbers/${did.id}`);
    expect(numberPage.status).toBe(200);
    expect(numberPage.text).toContain('notice-suspended');
  });

  it('when a reseller cannot cover its own renewal, then its number page says so days before', async () => {
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '2' });
    const { did } = await buy(reseller, '1.50', new Date('2027-02-01T00:00:00Z'));
    clock = new Date('2027-03-01T00:00:00Z');
    const agent = await loginAs(app, reseller.email);
    const page = await agent.get(`/reseller/dids/${did.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('notice-renewal');
    expect(page.text).toContain('add at least $1.0000');
  });

  it('when the admin records a payment for a suspended customer, then its renewal is charged at once and the number is active again', async () => {
    const customer = await makeAccount(db, { role: 'customer', parent: admin, balance: '1' });
    const { subscription } = await buy(customer, '1.00', new Date('2027-02-01T00:00:00Z'));
    await runBilling(db, { now: new Date('2027-03-04T00:00:00Z'), trigger: 'schedule', graceDays: 7 });
    expect((await db('subscriptions').where({ id: subscription.id }).first()).status).toBe('suspended');

    clock = new Date('2027-03-05T00:00:00Z');
    const agent = await loginAs(app, admin.email);
    const moneyPage = `/admin/accounts/${customer.id}/money`;
    const posted = await postForm(agent, `${moneyPage}/confirm`, { kind: 'payment', amount: '5', note: 'Bank transfer', idempotency_key: randomUUID() }, moneyPage);
    expect(posted.status).toBe(302);

    const after = await db('subscriptions').where({ id: subscription.id }).first();
    expect(after).toMatchObject({ status: 'active', suspended_at: null, next_billing_at: new Date('2027-04-02T00:00:00Z') });
    const runs = await db('billing_runs').where({ trigger: 'payment' });
    expect(runs.some((run) => run.renewed_count === 1)).toBe(true);
  });
});

describe('didhub billing run', () => {
  it('when run with a clock, then it prints what it renewed, suspended and released, and a one-line summary', async () => {
    const customer = await makeAccount(db, { role: 'customer', parent: admin, name: 'Printed Customer', balance: '3.5' });
    const { did } = await buy(customer, '1.25', new Date('2026-01-01T00:00:00Z'));
    const out = sink();
    const code = await billingRun(db, testConfig(), { now: new Date('2026-03-05T00:00:00Z'), graceDays: 7, quiet: false }, { stdout: out.stream, stderr: sink().stream });
    expect(code).toBe(0);
    expect(out.text).toContain('Billing run at 2026-03-05T00:00:00.000Z');
    expect(out.text).toMatch(new RegExp(`Renewed +${did.number.replace('+', '\\+')} +Printed Customer \\(#${customer.id}\\) +\\$1\\.2500 +2026-01-31 to 2026-03-02`));
    expect(out.text).toMatch(/Suspended +\+\d+ +Printed Customer/);
    const lines = out.text.trim().split('\n');
    expect(lines[lines.length - 1]).toMatch(/^Billing run #\d+: \d+ renewed \(\$[\d.,]+\), \d+ reactivated, \d+ suspended .* failed in [\d.]+ s \(\d+ renewals\/s\)$/);
  });

  it('when the arguments are wrong, then it explains and exits 2', async () => {
    const err = sink();
    expect(await main(['billing', 'run', '--now', 'yesterday'], { stdout: sink().stream, stderr: err.stream })).toBe(2);
    expect(err.text).toContain('--now must be an ISO date');
    expect(await main(['billing'], { stdout: sink().stream, stderr: sink().stream })).toBe(2);
    expect(await main(['billing', 'walk'], { stdout: sink().stream, stderr: sink().stream })).toBe(2);
  });
});

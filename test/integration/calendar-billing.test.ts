// Calendar-month and annual terms end to end: purchases through the purchase service and the Buy
// DIDs pages, billing runs with the clock moved to the billing day, releases with and without the
// unused-days credit, on whichever database the suite runs on.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { listRunEvents } from '../../src/db/repos/billing-runs.ts';
import { purchaseDid } from '../../src/services/purchases.ts';
import { creditUnusedDays } from '../../src/services/release-credits.ts';
import { reclaimDid, releaseDid } from '../../src/services/releases.ts';
import { runBilling } from '../../src/services/renewals.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeDid, makeProvider } from '../helpers/factories.ts';
import { createTestApp, testConfig, testPricing } from '../helpers/app.ts';
import { loginAs, postForm } from '../helpers/login.ts';

const database = useTestDatabase();
let db: Knex;
let admin: AccountRow;

beforeAll(async () => {
  db = database.current.db;
  admin = await makeAccount(db, { role: 'admin' });
});

const at = (iso: string) => new Date(iso);
const PRICING = testPricing();
const CREDIT_ON = { creditUnusedDays: true, decimals: 4 };

async function customer(fields: { balance?: string; billing_day?: number } = {}) {
  return makeAccount(db, { role: 'customer', parent: admin, balance: fields.balance ?? '1000', ...(fields.billing_day ? { billing_day: fields.billing_day } : {}) });
}

function monthlyDid(monthly = '31.00') {
  return makeDid(db, { setup_fee: '0', monthly_fee: monthly, billing_period: 'month' });
}

function buy(buyer: AccountRow, productId: number, now: Date, pricing = PRICING) {
  return purchaseDid(db, { pricing, buyerId: buyer.id, productId, idempotencyKey: randomUUID(), now, actorId: buyer.id });
}

function run(now: Date, accountId: number) {
  return runBilling(db, { now, trigger: 'command', graceDays: 7, accountId });
}

async function periodCharges(subscriptionId: number): Promise<Array<{ amount: string; idempotency_key: string }>> {
  return db('ledger_entries').where({ reference_type: 'subscription', reference_id: subscriptionId, kind: 'recurring_fee' }).orderBy('id').select('amount', 'idempotency_key');
}

async function balanceMatchesLedger(accountId: number): Promise<void> {
  const account = (await db('accounts').where({ id: accountId }).first('balance')) as { balance: string };
  const sum = (await db('ledger_entries').where({ account_id: accountId }).first(db.raw('coalesce(sum(amount), 0)::numeric(20,6)::text as total'))) as { total: string };
  expect(account.balance).toBe(sum.total);
}

describe('a calendar-month number bought mid-month', () => {
  it('when bought on 15 January with billing day 1, then 17 of 31 days are charged and the billing run on each 1st charges a whole month', async () => {
    const buyer = await customer();
    const did = await monthlyDid();
    const { subscription, entries } = await buy(buyer, did.id, at('2027-01-15T13:45:00Z'));
    expect(subscription).toMatchObject({ billing_period: 'month', billing_day: 1, next_billing_at: at('2027-02-01T00:00:00Z'), price: '31.000000' });
    expect(entries.map((e) => [e.kind, e.amount])).toEqual([['recurring_fee', '-17.000000']]);
    expect(entries[0]!.description).toBe(`First period to 2027-02-01 (17 of 31 days, prorated) for ${did.number}`);

    expect((await run(at('2027-01-31T23:59:59Z'), buyer.id)).renewed).toBe(0);
    const february = await run(at('2027-02-01T00:00:00Z'), buyer.id);
    expect(february).toMatchObject({ renewed: 1, renewedTotal: '31' });
    expect((await db('subscriptions').where({ id: subscription.id }).first()).next_billing_at).toEqual(at('2027-03-01T00:00:00Z'));
    const march = await run(at('2027-03-01T06:00:00Z'), buyer.id);
    expect(march.renewed).toBe(1);
    expect((await run(at('2027-03-01T06:00:00Z'), buyer.id)).renewed).toBe(0);

    expect((await periodCharges(subscription.id)).map((c) => c.amount)).toEqual(['-17.000000', '-31.000000', '-31.000000']);
    expect((await db('subscriptions').where({ id: subscription.id }).first()).next_billing_at).toEqual(at('2027-04-01T00:00:00Z'));
    // The run's history shows the calendar period: 1 March to 1 April (31 days), not 28 days on.
    const events = await listRunEvents(db, march.run!.id, {}, { limit: 10, offset: 0 });
    expect(events.rows.map((row) => [row.period_start, row.period_end])).toEqual([[at('2027-03-01T00:00:00Z'), at('2027-04-01T00:00:00Z')]]);
    await balanceMatchesLedger(buyer.id);
  });

  it('when the account bills on the 15th and buys on 20 February, then 23 of 28 days are charged until 15 March', async () => {
    const buyer = await customer({ billing_day: 15 });
    const did = await monthlyDid('28.00');
    const { subscription, entries } = await buy(buyer, did.id, at('2027-02-20T10:00:00Z'));
    expect(entries.map((e) => e.amount)).toEqual(['-23.000000']);
    expect(subscription).toMatchObject({ billing_day: 15, next_billing_at: at('2027-03-15T00:00:00Z') });
  });

  it('when bought on the billing day, then a whole month is charged with no proration', async () => {
    const buyer = await customer();
    const { entries, subscription } = await buy(buyer, (await monthlyDid()).id, at('2027-05-01T09:00:00Z'));
    expect(entries.map((e) => e.amount)).toEqual(['-31.000000']);
    expect(subscription.next_billing_at).toEqual(at('2027-06-01T00:00:00Z'));
  });

  it('when PRORATE_FIRST_PERIOD is false, then the first period to the billing day costs a whole month', async () => {
    const buyer = await customer();
    const config = testConfig({ PRORATE_FIRST_PERIOD: 'false' });
    const { entries, subscription } = await buy(buyer, (await monthlyDid()).id, at('2027-01-15T13:45:00Z'), testPricing(config));
    expect(entries.map((e) => e.amount)).toEqual(['-31.000000']);
    expect(entries[0]!.description).toContain('(full month)');
    expect(subscription.next_billing_at).toEqual(at('2027-02-01T00:00:00Z'));
  });

  it('when the funds cover the prorated first period but not a whole month, then the purchase goes through', async () => {
    const buyer = await customer({ balance: '20' });
    const { entries } = await buy(buyer, (await monthlyDid()).id, at('2027-01-15T13:45:00Z'));
    expect(entries.map((e) => e.amount)).toEqual(['-17.000000']);
  });

  it('when an N-day product is bought, then it keeps its day-based term', async () => {
    const buyer = await customer();
    const did = await makeDid(db, { setup_fee: '0', monthly_fee: '2.00', billing_days: 30 });
    const { subscription, entries } = await buy(buyer, did.id, at('2027-01-15T13:45:00Z'));
    expect(subscription).toMatchObject({ billing_period: 'days', billing_day: null, next_billing_at: at('2027-02-14T13:45:00Z') });
    expect(entries.map((e) => e.amount)).toEqual(['-2.000000']);
  });
});

describe('an annual number', () => {
  it('when bought on 29 February 2028, then it renews on 28 February in common years and on 29 February in 2032', async () => {
    const buyer = await customer({ balance: '10000' });
    const did = await makeDid(db, { setup_fee: '0', monthly_fee: '120.00', billing_days: 365, billing_period: 'year' });
    const { subscription, entries } = await buy(buyer, did.id, at('2028-02-29T10:00:00Z'));
    expect(entries.map((e) => e.amount)).toEqual(['-120.000000']);
    expect(subscription.next_billing_at).toEqual(at('2029-02-28T10:00:00Z'));
    await run(at('2032-03-01T00:00:00Z'), buyer.id);
    const keys = (await periodCharges(subscription.id)).slice(1).map((c) => c.idempotency_key.split(':').slice(2).join(':').slice(0, 10));
    expect(keys).toEqual(['2029-02-28', '2030-02-28', '2031-02-28', '2032-02-29']);
    expect((await db('subscriptions').where({ id: subscription.id }).first()).next_billing_at).toEqual(at('2033-02-28T10:00:00Z'));
    await balanceMatchesLedger(buyer.id);
  });
});

describe('releasing mid-period', () => {
  it('when CREDIT_UNUSED_DAYS_ON_RELEASE is on, then the unused days come back as a refund pointing at the period charge, once', async () => {
    const buyer = await customer();
    const did = await monthlyDid();
    const { subscription, entries } = await buy(buyer, did.id, at('2027-01-15T13:45:00Z'));
    const result = await releaseDid(db, { accountId: buyer.id, productId: did.id, now: at('2027-01-20T08:00:00Z'), actorId: buyer.id, credit: CREDIT_ON });
    expect(result.credits.map((e) => [e.kind, e.amount, e.corrects_entry_id])).toEqual([['refund', '11.000000', entries[0]!.id]]);
    expect(result.credits[0]!.description).toBe(`Credit for 11 unused of 31 days of ${did.number}, 2027-01-21 to 2027-02-01`);
    // The same subscription is never credited twice, however often it is asked.
    const ended = await db('subscriptions').where({ id: subscription.id }).first();
    expect(await db.transaction((trx) => creditUnusedDays(trx, [{ ...ended, status: 'active' }], { number: did.number, now: at('2027-01-20T08:00:00Z'), actorId: buyer.id, settings: CREDIT_ON }))).toEqual([]);
    expect(Number((await db('ledger_entries').where({ idempotency_key: `release-credit:${subscription.id}` }).count({ n: '*' }).first())!.n)).toBe(1);
    await balanceMatchesLedger(buyer.id);
  });

  it('when the setting is off, then a release credits nothing', async () => {
    const buyer = await customer();
    const did = await monthlyDid();
    const { subscription } = await buy(buyer, did.id, at('2027-01-15T13:45:00Z'));
    const result = await releaseDid(db, { accountId: buyer.id, productId: did.id, now: at('2027-01-20T08:00:00Z'), actorId: buyer.id, credit: { creditUnusedDays: false, decimals: 4 } });
    expect(result.credits).toEqual([]);
    expect(await db('ledger_entries').where({ reference_id: subscription.id, kind: 'refund' })).toEqual([]);
  });

  it('when the admin reclaims a renewed calendar-month number, then its holder is credited the unused days of the month it paid', async () => {
    const buyer = await customer();
    const did = await monthlyDid();
    await buy(buyer, did.id, at('2027-01-15T13:45:00Z'));
    await run(at('2027-02-01T00:00:00Z'), buyer.id);
    const result = await reclaimDid(db, { productId: did.id, now: at('2027-02-10T12:00:00Z'), actorId: admin.id, credit: CREDIT_ON });
    // February 2027: 28 days, used through the 10th, 18 unused: 31.00 x 18 / 28 = 19.928571... -> 19.9286.
    expect(result.credits.map((e) => [e.account_id, e.amount])).toEqual([[buyer.id, '19.928600']]);
    await balanceMatchesLedger(buyer.id);
  });

  it('when a day-based number is released, then nothing is credited even with the setting on', async () => {
    const buyer = await customer();
    const did = await makeDid(db, { setup_fee: '0', monthly_fee: '2.00' });
    await buy(buyer, did.id, at('2027-01-15T13:45:00Z'));
    const result = await releaseDid(db, { accountId: buyer.id, productId: did.id, now: at('2027-01-20T08:00:00Z'), actorId: buyer.id, credit: CREDIT_ON });
    expect(result.credits).toEqual([]);
  });
});

describe('the pages', () => {
  it('when a customer looks at a calendar-month number on 15 January, then the list, the confirmation and the receipt show the prorated first charge', async () => {
    const clock = at('2027-01-15T13:45:00Z');
    const app = createTestApp(db, { now: () => clock });
    const buyer = await customer();
    const did = await monthlyDid();
    const agent = await loginAs(app, buyer.email);

    const list = await agent.get(`/customer/buy?contains=${did.number.slice(-7)}`);
    expect(list.status).toBe(200);
    expect(list.text).toMatch(/data-first-charge>[^<]*17\.00[^<]*today \(17 of 31 days\)/);
    expect(list.text).toContain('Recurring, calendar month');

    const confirm = await agent.get(`/customer/buy/${did.id}`);
    expect(confirm.text).toContain('First period, to 1 Feb 2027 (17 of 31 days, prorated)');
    expect(confirm.text).toMatch(/data-charge="total">[^<]*17\.00/);
    expect(confirm.text).toContain('each calendar month on day 1');

    const key = /name="purchase_key" value="([^"]+)"/.exec(confirm.text)![1]!;
    const response = await postForm(agent, `/customer/buy/${did.id}`, { purchase_key: key }, `/customer/buy/${did.id}`);
    expect(response.status).toBe(303);
    const receipt = await agent.get(response.headers.location!);
    expect(receipt.text).toContain('Recurring, monthly on day 1');
    expect(receipt.text).toContain('17 of 31 days, prorated');
  });

  it('when the admin sets a billing day, then it is edited in the billing settings only: 29 is refused with a message, the account form links there', async () => {
    const app = createTestApp(db);
    const agent = await loginAs(app, admin.email);
    const buyer = await customer();
    const settings = `/admin/company/accounts/${buyer.id}`;
    const refused = await postForm(agent, settings, { exempt_reason: '', billing_day: '29' });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('A day from 1 to 28');
    expect((await postForm(agent, settings, { exempt_reason: '', billing_day: '15' })).status).toBe(303);
    expect((await db('accounts').where({ id: buyer.id }).first()).billing_day).toBe(15);
    // The account form no longer edits it: a posted day is ignored, the form shows it and links to the settings.
    const fields = { name: buyer.name, email: buyer.email, billing_mode: 'prepaid', credit_limit: '0', max_concurrent_calls: '0', status: 'active' };
    const edit = `/admin/accounts/${buyer.id}/edit`;
    expect((await postForm(agent, edit, { ...fields, billing_day: '3' })).status).toBe(302);
    expect((await db('accounts').where({ id: buyer.id }).first()).billing_day).toBe(15);
    const form = await agent.get(edit);
    expect(form.text).not.toContain('name="billing_day"');
    expect(form.text).toContain(`href="${settings}"`);
  });

  it('when the admin creates a DID billed per calendar month, then it is stored so; an annual one-time term is refused at its field', async () => {
    const app = createTestApp(db);
    const agent = await loginAs(app, admin.email);
    const carrier = await makeProvider(db);
    const form = {
      category: 'did', provider: String(carrier.id), country: '', city: 'London', province: 'England', buy_cost: '0.90', status: 'active',
      connection_cost: '0.10', grace_seconds: '10', cost_per_minute: '0.60', initial_increment: '60', increment: '6', setup_fee: '2.00',
      monthly_fee: '2.50', call_timeout: '30', billing_type: 'recurring', billing_days: '30', concurrent_calls: '10',
    };
    const created = await postForm(agent, '/admin/dids', { ...form, number: '+44 20 7946 0111', billing_period: 'month' }, '/admin/dids/new');
    expect(created.status).toBe(302);
    expect(await db('products').where({ number: '+442079460111' }).first()).toMatchObject({ billing_period: 'month', billing_type: 'recurring' });
    expect((await agent.get(created.headers.location!)).text).toContain('Calendar month, on the holder');
    const refused = await postForm(agent, '/admin/dids', { ...form, number: '+44 20 7946 0112', billing_type: 'one_time', billing_period: 'year' }, '/admin/dids/new');
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('Calendar-month and annual terms are recurring: choose recurring');
  });
});

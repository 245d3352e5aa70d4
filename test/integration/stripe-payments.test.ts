// Online payments end to end without the internet: the pages, and the calls the official client
// makes (Checkout sessions, the off-session refill PaymentIntent, refunds) answered by a local
// stand-in for Stripe that checks what the client sent.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import type { Config } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { runAutomaticRefills } from '../../src/services/automatic-refills.ts';
import { expireAbandonedPayments } from '../../src/services/payment-expiry.ts';
import { startTopUp } from '../../src/services/stripe-checkout.ts';
import { createTestApp } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { fund, makeAccount, makeDid, makeHierarchy, makePayment } from '../helpers/factories.ts';
import { csrfTokenIn, loginAs, postForm, type Agent } from '../helpers/login.ts';
import { signedEvent, startFakeStripe, stripeTestConfig, type FakeStripe } from '../helpers/stripe.ts';

const database = useTestDatabase();
let db: Knex;
let app: Express;
let config: Config;
let fake: FakeStripe;
let people: Awaited<ReturnType<typeof makeHierarchy>>;
let keys: { secretKey: string; webhookSecret: string };
const logger = createLogger('silent');

beforeAll(async () => {
  db = database.current.db;
  fake = await startFakeStripe();
  config = stripeTestConfig(fake);
  app = createTestApp(db, { config });
  people = await makeHierarchy(db);
});

afterAll(async () => fake.close());

const lastRequest = (path: string) => [...fake.requests].reverse().find((r) => r.path === path);
const hook = (event: { payload: string; header: string }) =>
  request(app).post('/webhooks/stripe').set('content-type', 'application/json').set('stripe-signature', event.header).send(event.payload);

describe('Payments settings', () => {
  it('when no keys are set, then Add funds says online payment is off', async () => {
    const agent = await loginAs(app, people.customer.email);
    const page = await agent.get('/customer/payments/add');
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-payments-off');
    expect(page.text).not.toContain('Continue to payment');
  });

  it('when the admin saves the keys, then the page shows only their last four characters and the database holds them sealed', async () => {
    const admin = await loginAs(app, people.admin.email);
    const secretKey = 'sk_test_51OperatorKeyAbcdefWxyz';
    const webhookSecret = 'whsec_OperatorSecret12345Q9r8';
    const bad = await postForm(admin, '/admin/payment-settings', { secret_key: 'pk_test_wrongkind12345', webhook_secret: '', publishable_key: '' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('A secret key starts with sk_test_');
    const saved = await postForm(admin, '/admin/payment-settings', { secret_key: secretKey, webhook_secret: webhookSecret, publishable_key: '' });
    expect(saved.status).toBe(302);
    const page = await admin.get('/admin/payment-settings');
    expect(page.text).toContain('set, ending in …Wxyz');
    expect(page.text).toContain('set, ending in …Q9r8');
    expect(page.text).toContain('http://portal.test/webhooks/stripe');
    expect(page.text).not.toContain(secretKey);
    expect(page.text).not.toContain(webhookSecret);
    const row = await db('stripe_settings').whereNull('reseller_id').first();
    expect(JSON.stringify(row)).not.toContain('OperatorKey');
    expect(JSON.stringify(row)).not.toContain('OperatorSecret');
    keys = { secretKey, webhookSecret };
  });

  it('when a reseller has no Stripe account of its own, then its customers cannot pay online and see whom to contact', async () => {
    const agent = await loginAs(app, people.resellerCustomer.email);
    const page = await agent.get('/customer/payments/add');
    expect(page.text).toContain('data-payments-off');
    expect(page.text).toContain(people.reseller.email);
  });
});

describe('Add funds', () => {
  let agent: Agent;
  beforeAll(async () => {
    agent = await loginAs(app, people.customer.email);
  });

  it('when the amount is outside the settings, then the form says so with 400', async () => {
    const page = await postForm(agent, '/customer/payments/add', { amount: '1' }, '/customer/payments/add');
    expect(page.status).toBe(400);
    expect(page.text).toContain('The smallest amount is USD 5');
    expect((await postForm(agent, '/customer/payments/add', { amount: '10.005' }, '/customer/payments/add')).text).toContain('USD has no amounts that small');
  });

  it('when a customer adds 25.50, then a Checkout Session is created with the operator\'s key and the browser is sent to it; the return shows it pending until the webhook', async () => {
    const response = await postForm(agent, '/customer/payments/add', { amount: '25.50' }, '/customer/payments/add');
    expect(response.status).toBe(303);
    expect(response.headers.location).toMatch(/^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_\d+$/);
    const sent = lastRequest('/v1/checkout/sessions')!;
    expect(sent.method).toBe('POST');
    expect(sent.authorization).toBe(`Bearer ${keys.secretKey}`);
    const payment = await db('payments').where({ account_id: people.customer.id }).orderBy('id', 'desc').first();
    expect(sent.params).toMatchObject({
      mode: 'payment', 'line_items[0][quantity]': '1', 'line_items[0][price_data][currency]': 'usd', 'line_items[0][price_data][unit_amount]': '2550',
      'metadata[payment_id]': String(payment.id), 'payment_intent_data[metadata][payment_id]': String(payment.id),
      success_url: `http://portal.test/customer/payments/${payment.id}?returned=success`, cancel_url: `http://portal.test/customer/payments/${payment.id}?returned=cancel`,
    });
    expect(sent.idempotencyKey).toBe(`didhub-topup-${payment.id}`);
    expect(payment).toMatchObject({ status: 'pending', amount: '25.500000', checkout_session_id: response.headers.location!.split('/').pop() });

    const back = await agent.get(`/customer/payments/${payment.id}?returned=success`);
    expect(back.text).toContain('data-pending');

    await hook(signedEvent(keys.webhookSecret, 'checkout.session.completed', {
      id: payment.checkout_session_id, object: 'checkout.session', mode: 'payment', payment_status: 'paid', amount_total: 2550, currency: 'usd',
      payment_intent: `pi_page_${payment.id}`, metadata: { payment_id: String(payment.id) }, customer: null, setup_intent: null,
    }));
    await hook(signedEvent(keys.webhookSecret, 'charge.succeeded', {
      id: `ch_page_${payment.id}`, object: 'charge', payment_intent: `pi_page_${payment.id}`, amount_refunded: 0, currency: 'usd', metadata: {},
      receipt_url: 'https://pay.stripe.com/receipts/page', payment_method_details: { card: { brand: 'visa', last4: '4242' } },
    }));
    const done = await agent.get(`/customer/payments/${payment.id}?returned=success`);
    expect(done.text).toContain('Payment received');
    const list = await agent.get('/customer/payments');
    expect(list.text).toContain('visa •••• 4242');
    expect(list.text).toContain('https://pay.stripe.com/receipts/page');
    expect(list.text).toContain('data-status="succeeded"');
  });

  it('when CHECKOUT_EXPIRY_HOURS is under 24, then the Checkout Session closes then and the expiry job uses the same lifetime', async () => {
    expect(lastRequest('/v1/checkout/sessions')!.params.expires_at).toBeUndefined();
    const short = stripeTestConfig(fake, { CHECKOUT_EXPIRY_HOURS: '2' });
    const now = new Date('2027-06-01T10:00:00Z');
    const { payment } = await startTopUp(db, short, people.customer, '10', '/customer/payments', now);
    expect(lastRequest('/v1/checkout/sessions')!.params.expires_at).toBe(String(now.getTime() / 1000 + 7200));
    await expireAbandonedPayments(db, short, new Date('2027-06-01T11:59:00Z'));
    expect((await db('payments').where({ id: payment.id }).first()).status).toBe('pending');
    await expireAbandonedPayments(db, short, new Date('2027-06-01T12:00:01Z'));
    expect((await db('payments').where({ id: payment.id }).first()).status).toBe('expired');
  });

  it('when another account asks for a payment that is not its own, then it is 404', async () => {
    const payment = await db('payments').where({ account_id: people.customer.id }).first();
    const other = await loginAs(app, people.reseller.email);
    expect((await other.get(`/reseller/payments/${payment.id}`)).status).toBe(404);
  });

  it('when a purchase is refused for funds, then its page links to Add funds', async () => {
    const poor = await makeAccount(db, { role: 'reseller', parent: people.admin, balance: '2' });
    const poorAgent = await loginAs(app, poor.email);
    const did = await makeDid(db, { setup_fee: '1.00', monthly_fee: '2.50' });
    const page = await poorAgent.get(`/reseller/buy/${did.id}`);
    expect(page.text).toContain('do not cover');
    expect(page.text).toContain('href="/reseller/payments/add" data-add-funds');
  });
});

describe('Admin refunds and lists', () => {
  let admin: Agent;
  let paymentId: number;
  beforeAll(async () => {
    admin = await loginAs(app, people.admin.email);
    const payment = await makePayment(db, { account: people.customer, amount: '60', checkoutSessionId: `cs_refund_${randomUUID()}` });
    paymentId = payment.id;
    await hook(signedEvent(keys.webhookSecret, 'payment_intent.succeeded', {
      id: `pi_refund_${payment.id}`, object: 'payment_intent', amount: 6000, amount_received: 6000, currency: 'usd', latest_charge: null, metadata: { payment_id: String(payment.id) },
    }));
  });

  it('when the admin refunds part of a payment, then a confirmation comes first, Stripe is asked once, and the ledger gets one negative row', async () => {
    const page = await admin.get(`/admin/payments/${paymentId}`);
    expect(page.text).toContain('data-refundable="60.000000"');
    const key = /name="idempotency_key" value="([^"]+)"/.exec(page.text)![1]!;
    const tooMuch = await admin.post(`/admin/payments/${paymentId}/refund`).type('form').send({ _csrf: csrfTokenIn(page.text), amount: '61', idempotency_key: key });
    expect(tooMuch.status).toBe(400);
    const confirm = await admin.post(`/admin/payments/${paymentId}/refund`).type('form').send({ _csrf: csrfTokenIn(page.text), amount: '15', idempotency_key: key });
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('Confirm refund');
    const refundCalls = fake.requests.filter((r) => r.path === '/v1/refunds').length;
    expect(refundCalls).toBe(0);
    const done = await admin.post(`/admin/payments/${paymentId}/refund/confirm`).type('form').send({ _csrf: csrfTokenIn(confirm.text), amount: '15', idempotency_key: key, action: 'confirm' });
    expect(done.status).toBe(302);
    const sent = lastRequest('/v1/refunds')!;
    expect(sent.authorization).toBe(`Bearer ${keys.secretKey}`);
    expect(sent.params).toMatchObject({ payment_intent: `pi_refund_${paymentId}`, amount: '1500' });
    expect(sent.idempotencyKey).toBe(`didhub-refund-${key}`);
    const refunds = await db('ledger_entries').where({ kind: 'refund', reference_type: 'payment', reference_id: paymentId }).select('amount', 'created_by');
    expect(refunds).toEqual([{ amount: '-15.000000', created_by: people.admin.id }]);
    // Stripe's webhook for the same refund names the same running total: nothing more is posted.
    const echo = await hook(signedEvent(keys.webhookSecret, 'charge.refunded', {
      id: `ch_refund_${paymentId}`, object: 'charge', payment_intent: `pi_refund_${paymentId}`, amount_refunded: 1500, currency: 'usd', metadata: { payment_id: String(paymentId) }, receipt_url: null,
    }));
    expect(echo.body.result).toBe('ignored: refund already posted');
    expect((await db('ledger_entries').where({ kind: 'refund', reference_id: paymentId })).length).toBe(1);
    expect(await db('payments').where({ id: paymentId }).first()).toMatchObject({ status: 'partially_refunded', amount_refunded: '15.000000' });
  });

  it('when the admin filters and exports, then the list and the CSV hold the matching payments', async () => {
    const list = await admin.get('/admin/payments?flag=refunded');
    expect(list.status).toBe(200);
    expect(list.text).toContain(`data-payment="${paymentId}"`);
    const pending = await admin.get('/admin/payments?status=pending');
    expect(pending.text).not.toContain(`data-payment="${paymentId}"`);
    const csv = await admin.get('/admin/payments/export.csv?flag=refunded');
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.text.split('\n')[0]).toContain('id,created_at,account_id,account,kind,status,amount,amount_refunded');
    expect(csv.text).toContain('partially_refunded');
    expect((await admin.get('/admin/payments?status=nonsense')).status).toBe(400);
  });
});

describe('Automatic refill', () => {
  it('when a card is saved and funds fall below the threshold, then the card is charged off-session once per crossing', async () => {
    const account = await makeAccount(db, { role: 'customer', parent: people.admin });
    const agent = await loginAs(app, account.email);
    const start = await postForm(agent, '/customer/refill/card', {}, '/customer/refill');
    expect(start.status).toBe(303);
    const setup = lastRequest('/v1/checkout/sessions')!;
    expect(setup.params).toMatchObject({ mode: 'setup', customer: expect.stringMatching(/^cus_test_/), 'metadata[refill_account_id]': String(account.id) });
    await hook(signedEvent(keys.webhookSecret, 'checkout.session.completed', {
      id: 'cs_setup_1', object: 'checkout.session', mode: 'setup', payment_status: 'no_payment_required', amount_total: null, currency: null,
      payment_intent: null, setup_intent: 'seti_test_1', customer: setup.params.customer, metadata: { refill_account_id: String(account.id) },
    }));
    expect(lastRequest('/v1/setup_intents/seti_test_1')?.method).toBe('GET');
    const saved = await postForm(agent, '/customer/refill', { enabled: 'on', threshold: '10', amount: '5' }, '/customer/refill');
    expect(saved.status).toBe(302);
    expect((await agent.get('/customer/refill')).text).toContain('visa •••• 4242');

    const now = new Date();
    const first = await runAutomaticRefills(db, config, now, logger);
    expect(first.charged).toBe(1);
    const intent = lastRequest('/v1/payment_intents')!;
    expect(intent.params).toMatchObject({ amount: '500', currency: 'usd', off_session: 'true', confirm: 'true', customer: setup.params.customer, payment_method: expect.stringMatching(/^pm_test_/) });
    expect(intent.authorization).toBe(`Bearer ${keys.secretKey}`);
    const rows = await db('ledger_entries').where({ account_id: account.id }).select('amount', 'kind');
    expect(rows).toEqual([{ amount: '5.000000', kind: 'refill' }]);
    // Still below 10 after the refill: not charged again until the funds have been back above it.
    expect((await runAutomaticRefills(db, config, now, logger)).charged).toBe(0);
    await fund(db, account, '20');
    expect((await runAutomaticRefills(db, config, now, logger)).rearmed).toBe(1);
    await fund(db, account, '-20', 'adjustment');
    expect((await runAutomaticRefills(db, config, now, logger)).charged).toBe(1);
  });

  it('when the card is declined, then the payment fails, one refill.failed mail is written, the dashboard says so, and it is not retried in a loop', async () => {
    const account = await makeAccount(db, { role: 'customer', parent: people.admin });
    const agent = await loginAs(app, account.email);
    await postForm(agent, '/customer/refill/card', {}, '/customer/refill');
    const setup = lastRequest('/v1/checkout/sessions')!;
    await hook(signedEvent(keys.webhookSecret, 'checkout.session.completed', {
      id: 'cs_setup_2', object: 'checkout.session', mode: 'setup', payment_status: 'no_payment_required', amount_total: null, currency: null,
      payment_intent: null, setup_intent: 'seti_test_2', customer: setup.params.customer, metadata: { refill_account_id: String(account.id) },
    }));
    await postForm(agent, '/customer/refill', { enabled: 'on', threshold: '10', amount: '25' }, '/customer/refill');
    fake.declineNextPaymentIntent();
    const summary = await runAutomaticRefills(db, config, new Date(), logger);
    expect(summary.declined).toBe(1);
    expect(await db('payments').where({ account_id: account.id }).first()).toMatchObject({ kind: 'refill', status: 'failed', failure_message: 'Your card has insufficient funds.' });
    expect((await db('ledger_entries').where({ account_id: account.id })).length).toBe(0);
    // One notice by mail, written with the decline: amount, card, the bank's reason, the way to Add funds.
    const mails = await db('outbox_messages').where({ account_id: account.id, event: 'refill.failed' });
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ channel: 'mail', recipient: account.email });
    expect(mails[0].payload.text).toContain('$25.0000');
    expect(mails[0].payload.text).toContain('visa •••• 4242');
    expect(mails[0].payload.text).toContain('Your card has insufficient funds.');
    expect(mails[0].payload.text).toContain('http://portal.test/customer/payments/add');
    const dashboard = await agent.get('/customer');
    expect(dashboard.text).toContain('data-refill-failure');
    expect(dashboard.text).toContain('Your card has insufficient funds.');
    const calls = fake.requests.filter((r) => r.path === '/v1/payment_intents').length;
    expect((await runAutomaticRefills(db, config, new Date(), logger)).charged + (await runAutomaticRefills(db, config, new Date(), logger)).declined).toBe(0);
    expect(fake.requests.filter((r) => r.path === '/v1/payment_intents').length).toBe(calls);
    expect(await db('outbox_messages').where({ account_id: account.id, event: 'refill.failed' })).toHaveLength(1);
  });

  it('when refill is switched on without a card, then the form says to save a card first', async () => {
    const account = await makeAccount(db, { role: 'customer', parent: people.admin });
    const agent = await loginAs(app, account.email);
    const response = await postForm(agent, '/customer/refill', { enabled: 'on', threshold: '10', amount: '25' }, '/customer/refill');
    expect(response.status).toBe(400);
    expect(response.text).toContain('Save a card first');
  });
});

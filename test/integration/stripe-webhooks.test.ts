// Stripe's webhooks, signed with the stripe package's own test-header helper: a payment is credited
// once however often and in whatever order its events come, a bad signature changes nothing,
// refunds post negative rows by Stripe's running total, disputes flag the account.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import type { Config } from '../../src/config.ts';
import { createTestApp } from '../helpers/app.ts';
import { testServerUrl, useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeDid, makeHierarchy, makePayment, makeStripeSettings } from '../helpers/factories.ts';
import { purchaseDid } from '../../src/services/purchases.ts';
import { runBilling } from '../../src/services/renewals.ts';
import { expireAbandonedPayments } from '../../src/services/payment-expiry.ts';
import { testPricing } from '../helpers/app.ts';
import { loginAs } from '../helpers/login.ts';
import { signedEvent, startFakeStripe, stripeTestConfig, type FakeStripe } from '../helpers/stripe.ts';

const database = useTestDatabase({ poolMax: 25 });
let db: Knex;
let app: Express;
let config: Config;
let fake: FakeStripe;
let people: Awaited<ReturnType<typeof makeHierarchy>>;
let operatorSecret: string;
let resellerSecret: string;
let intents = 0;

beforeAll(async () => {
  db = database.current.db;
  fake = await startFakeStripe();
  config = stripeTestConfig(fake);
  app = createTestApp(db, { config });
  people = await makeHierarchy(db);
  operatorSecret = (await makeStripeSettings(db, config, null)).webhookSecret;
  resellerSecret = (await makeStripeSettings(db, config, people.reseller.id)).webhookSecret;
});

afterAll(async () => fake.close());

const post = (event: { payload: string; header: string }, path = '/webhooks/stripe') =>
  request(app).post(path).set('content-type', 'application/json').set('stripe-signature', event.header).send(event.payload);

async function ledgerOf(accountId: number) {
  return db('ledger_entries').where({ account_id: accountId }).orderBy('id').select('amount', 'kind', 'idempotency_key', 'reference_type', 'reference_id');
}

async function balanceOf(accountId: number): Promise<string> {
  return ((await db('accounts').where({ id: accountId }).first('balance')) as { balance: string }).balance;
}

async function newPayment(amount = '25.50', account = people.customer, payeeResellerId: number | null = null, createdAt = new Date()) {
  const payment = await makePayment(db, { account, amount, payeeResellerId, checkoutSessionId: `cs_test_w${++intents}`, createdAt });
  return { payment, intent: `pi_test_w${intents}` };
}

function sessionCompleted(payment: { id: number; account_id: number; checkout_session_id: string | null }, intent: string, amountMinor: number) {
  return {
    id: payment.checkout_session_id, object: 'checkout.session', mode: 'payment', status: 'complete', payment_status: 'paid',
    amount_total: amountMinor, currency: 'usd', payment_intent: intent, customer: null, setup_intent: null,
    metadata: { payment_id: String(payment.id), account_id: String(payment.account_id) },
  };
}

function intentSucceeded(payment: { id: number }, intent: string, amountMinor: number) {
  return { id: intent, object: 'payment_intent', amount: amountMinor, amount_received: amountMinor, currency: 'usd', status: 'succeeded', latest_charge: `ch_${intent}`, metadata: { payment_id: String(payment.id) } };
}

function chargeObject(payment: { id: number }, intent: string, amountMinor: number, refundedMinor: number) {
  return {
    id: `ch_${intent}`, object: 'charge', amount: amountMinor, amount_refunded: refundedMinor, refunded: refundedMinor >= amountMinor, currency: 'usd',
    payment_intent: intent, metadata: { payment_id: String(payment.id) }, receipt_url: `https://pay.stripe.com/receipts/${intent}`,
    payment_method_details: { type: 'card', card: { brand: 'mastercard', last4: '4444' } },
  };
}

describe('Stripe webhooks', () => {
  it('when checkout.session.completed comes, then the payment is credited once as a payment row that names it', async () => {
    const { payment, intent } = await newPayment('25.50');
    const before = await balanceOf(people.customer.id);
    const response = await post(signedEvent(operatorSecret, 'checkout.session.completed', sessionCompleted(payment, intent, 2550)));
    expect(response.status).toBe(200);
    expect(response.body.result).toBe('credited');
    const rows = (await ledgerOf(people.customer.id)).filter((r) => r.idempotency_key === `stripe:${intent}`);
    expect(rows).toEqual([{ amount: '25.500000', kind: 'payment', idempotency_key: `stripe:${intent}`, reference_type: 'payment', reference_id: payment.id }]);
    expect(Number(await balanceOf(people.customer.id)) - Number(before)).toBeCloseTo(25.5, 6);
    const row = await db('payments').where({ id: payment.id }).first();
    expect(row).toMatchObject({ status: 'succeeded', payment_intent_id: intent });
  });

  it('when the same event is sent again, then it is acknowledged and nothing more is credited', async () => {
    const { payment, intent } = await newPayment('10');
    const event = signedEvent(operatorSecret, 'checkout.session.completed', sessionCompleted(payment, intent, 1000));
    expect((await post(event)).body.result).toBe('credited');
    const again = await post(event);
    expect(again.status).toBe(200);
    expect(again.body.result).toBe('duplicate');
    expect((await ledgerOf(people.customer.id)).filter((r) => r.idempotency_key === `stripe:${intent}`)).toHaveLength(1);
  });

  it.skipIf(!testServerUrl())('when one event is replayed 20 times at once on real Postgres, then the payment is credited once', async () => {
    const account = people.resellerCustomer;
    const { payment, intent } = await newPayment('7.25', account);
    const before = await balanceOf(account.id);
    const event = signedEvent(operatorSecret, 'checkout.session.completed', sessionCompleted(payment, intent, 725));
    const responses = await Promise.all(Array.from({ length: 20 }, () => post(event)));
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(responses.filter((r) => r.body.result === 'credited')).toHaveLength(1);
    expect((await ledgerOf(account.id)).filter((r) => r.idempotency_key === `stripe:${intent}`)).toHaveLength(1);
    expect(Number(await balanceOf(account.id)) - Number(before)).toBeCloseTo(7.25, 6);
    expect(Number((await db('stripe_events').where({ event_id: event.id }).count({ n: '*' }).first())!.n)).toBe(1);
  });

  it('when payment_intent.succeeded comes before checkout.session.completed, then the first credits and the second finds it credited', async () => {
    const { payment, intent } = await newPayment('12');
    const first = await post(signedEvent(operatorSecret, 'payment_intent.succeeded', intentSucceeded(payment, intent, 1200)));
    expect(first.body.result).toBe('credited');
    const second = await post(signedEvent(operatorSecret, 'checkout.session.completed', sessionCompleted(payment, intent, 1200)));
    expect(second.status).toBe(200);
    expect(second.body.result).toBe('ignored: already credited');
    const card = await post(signedEvent(operatorSecret, 'charge.succeeded', chargeObject(payment, intent, 1200, 0)));
    expect(card.body.result).toBe('card recorded');
    expect((await ledgerOf(people.customer.id)).filter((r) => r.idempotency_key === `stripe:${intent}`)).toHaveLength(1);
    expect(await db('payments').where({ id: payment.id }).first()).toMatchObject({ card_brand: 'mastercard', card_last4: '4444', receipt_url: `https://pay.stripe.com/receipts/${intent}` });
  });

  it('when the signature is wrong, then the answer is 400 and nothing changes', async () => {
    const { payment, intent } = await newPayment('30');
    const ledgerBefore = (await ledgerOf(people.customer.id)).length;
    const eventsBefore = Number((await db('stripe_events').count({ n: '*' }).first())!.n);
    const forged = signedEvent('whsec_someoneelse12345678', 'checkout.session.completed', sessionCompleted(payment, intent, 3000));
    const response = await post(forged);
    expect(response.status).toBe(400);
    const unsigned = await request(app).post('/webhooks/stripe').set('content-type', 'application/json').send(forged.payload);
    expect(unsigned.status).toBe(400);
    // Signed right, then altered: the raw bytes no longer match.
    const genuine = signedEvent(operatorSecret, 'checkout.session.completed', sessionCompleted(payment, intent, 3000));
    const altered = await post({ payload: genuine.payload.replace('3000', '300000'), header: genuine.header });
    expect(altered.status).toBe(400);
    expect((await ledgerOf(people.customer.id)).length).toBe(ledgerBefore);
    expect(Number((await db('stripe_events').count({ n: '*' }).first())!.n)).toBe(eventsBefore);
    expect((await db('payments').where({ id: payment.id }).first()).status).toBe('pending');
  });

  it('when an event is signed by the operator but sent to a reseller\'s endpoint, then it is refused; the reseller\'s own events touch only its payments', async () => {
    const { payment, intent } = await newPayment('9', people.resellerCustomer, people.reseller.id);
    const operatorSigned = signedEvent(operatorSecret, 'payment_intent.succeeded', intentSucceeded(payment, intent, 900));
    expect((await post(operatorSigned, `/webhooks/stripe/reseller/${people.reseller.id}`)).status).toBe(400);
    // Signed by the operator at the operator's endpoint: this payment is not the operator's.
    expect((await post(operatorSigned)).body.result).toBe('ignored: no such payment');
    const resellerSigned = signedEvent(resellerSecret, 'payment_intent.succeeded', intentSucceeded(payment, intent, 900));
    expect((await post(resellerSigned, `/webhooks/stripe/reseller/${people.reseller.id}`)).body.result).toBe('credited');
  });

  it('when an event type is not one we handle, then it is acknowledged and ignored', async () => {
    const response = await post(signedEvent(operatorSecret, 'customer.created', { id: 'cus_x', object: 'customer' }));
    expect(response.status).toBe(200);
    expect(response.body.result).toBe('ignored: unhandled type');
  });

  it('when a payment fails, then it shows as failed with the bank\'s message and nothing is credited', async () => {
    const { payment, intent } = await newPayment('15');
    const response = await post(signedEvent(operatorSecret, 'payment_intent.payment_failed', {
      id: intent, object: 'payment_intent', amount: 1500, amount_received: 0, currency: 'usd', status: 'requires_payment_method',
      latest_charge: null, metadata: { payment_id: String(payment.id) }, last_payment_error: { type: 'card_error', code: 'card_declined', message: 'Your card was declined.' },
    }));
    expect(response.body.result).toBe('failed');
    expect(await db('payments').where({ id: payment.id }).first()).toMatchObject({ status: 'failed', failure_message: 'Your card was declined.', ledger_entry_id: null });
  });

  it('when a refill\'s decline arrives only as a payment_intent.payment_failed webhook, then the refill.failed mail is written once; a top-up\'s is not', async () => {
    const refill = await makePayment(db, { account: people.customer, amount: '30', kind: 'refill' });
    const topup = await newPayment('12');
    const failedEvent = (payment: { id: number }, intent: string) => signedEvent(operatorSecret, 'payment_intent.payment_failed', {
      id: intent, object: 'payment_intent', amount: 3000, amount_received: 0, currency: 'usd', status: 'requires_payment_method',
      latest_charge: null, metadata: { payment_id: String(payment.id) }, last_payment_error: { type: 'card_error', code: 'card_declined', message: 'Do not honor.' },
    });
    const event = failedEvent(refill, 'pi_refill_late');
    expect((await post(event)).body.result).toBe('failed');
    expect((await post(event)).body.result).toBe('duplicate');
    expect((await post(failedEvent(topup.payment, topup.intent))).body.result).toBe('failed');
    const mails = await db('outbox_messages').where({ account_id: people.customer.id, event: 'refill.failed' });
    expect(mails).toHaveLength(1);
    expect(mails[0].payload.text).toContain('Do not honor.');
    expect(mails[0].payload.text).toContain('$30.0000');
    expect(mails[0].payload.text).toContain('/customer/payments/add');
  });

  it('when charge.refunded says part and then all was refunded, then each posts a negative refund row once', async () => {
    const { payment, intent } = await newPayment('40');
    await post(signedEvent(operatorSecret, 'checkout.session.completed', sessionCompleted(payment, intent, 4000)));
    const before = await balanceOf(people.customer.id);
    const partial = signedEvent(operatorSecret, 'charge.refunded', chargeObject(payment, intent, 4000, 1000));
    expect((await post(partial)).body.result).toBe('refunded');
    expect((await post(partial)).body.result).toBe('duplicate');
    // The same running total in another event (Stripe resends, or our portal posted it first): nothing.
    expect((await post(signedEvent(operatorSecret, 'charge.refunded', chargeObject(payment, intent, 4000, 1000)))).body.result).toBe('ignored: refund already posted');
    expect((await post(signedEvent(operatorSecret, 'charge.refunded', chargeObject(payment, intent, 4000, 4000)))).body.result).toBe('refunded');
    const refunds = (await ledgerOf(people.customer.id)).filter((r) => r.kind === 'refund' && r.reference_id === payment.id);
    expect(refunds.map((r) => r.amount)).toEqual(['-10.000000', '-30.000000']);
    expect(Number(await balanceOf(people.customer.id)) - Number(before)).toBeCloseTo(-40, 6);
    expect(await db('payments').where({ id: payment.id }).first()).toMatchObject({ status: 'refunded', amount_refunded: '40.000000' });
  });

  it('when a dispute is opened, then the payment and its account are flagged on the admin\'s Payments page', async () => {
    const { payment, intent } = await newPayment('50');
    await post(signedEvent(operatorSecret, 'checkout.session.completed', sessionCompleted(payment, intent, 5000)));
    const dispute = signedEvent(operatorSecret, 'charge.dispute.created', {
      id: `dp_${intent}`, object: 'dispute', amount: 5000, currency: 'usd', charge: `ch_${intent}`, payment_intent: intent, reason: 'fraudulent', status: 'needs_response',
    });
    expect((await post(dispute)).body.result).toBe('dispute recorded');
    expect((await db('payments').where({ id: payment.id }).first()).disputed_at).not.toBeNull();
    expect(await db('payment_disputes').where({ dispute_id: `dp_${intent}` }).first()).toMatchObject({ account_id: people.customer.id, amount: '50.000000', reason: 'fraudulent' });
    expect((await post(dispute)).body.result).toBe('duplicate');
    const admin = await loginAs(app, people.admin.email);
    const page = await admin.get('/admin/payments?flag=disputed');
    expect(page.text).toContain(`data-dispute="dp_${intent}"`);
    expect(page.text).toContain(`href="/admin/accounts/${people.customer.id}">${people.customer.name}</a>`);
    expect(page.text).toContain(`data-payment="${payment.id}"`);
    expect((await admin.get(`/admin/accounts/${people.customer.id}`)).text).toContain('data-account-disputed');
  });

  it('when a card payment lands for an account with a suspended number, then its renewal is charged at once and the number is active again', async () => {
    const customer = await makeAccount(db, { role: 'customer', parent: people.admin, balance: '5' });
    const did = await makeDid(db, { setup_fee: '1.00', monthly_fee: '3.00', billing_days: 30 });
    const { subscription } = await purchaseDid(db, { pricing: testPricing(), buyerId: customer.id, productId: did.id, idempotencyKey: randomUUID(), now: new Date('2027-01-01T00:00:00Z'), actorId: customer.id });
    await runBilling(db, { now: new Date('2027-01-31T01:00:00Z'), trigger: 'command', graceDays: 7, accountId: customer.id });
    expect((await db('subscriptions').where({ id: subscription.id }).first()).status).toBe('suspended');
    const later = createTestApp(db, { config, now: () => new Date('2027-02-03T00:00:00Z') });
    const { payment, intent } = await newPayment('10', customer);
    const event = signedEvent(operatorSecret, 'payment_intent.succeeded', intentSucceeded(payment, intent, 1000));
    const response = await request(later).post('/webhooks/stripe').set('content-type', 'application/json').set('stripe-signature', event.header).send(event.payload);
    expect(response.body.result).toBe('credited');
    expect((await db('subscriptions').where({ id: subscription.id }).first()).status).toBe('active');
    expect(await balanceOf(customer.id)).toBe('8.000000');
  });
});

describe('Abandoned payments', () => {
  const statusOf = async (id: number) => ((await db('payments').where({ id }).first('status')) as { status: string }).status;
  const sessionExpired = (payment: { id: number; account_id: number; checkout_session_id: string | null }) => ({
    ...sessionCompleted(payment, '', 0), status: 'expired', payment_status: 'unpaid', payment_intent: null, amount_total: 2550,
  });

  it('when checkout.session.expired comes, then the payment is expired, nothing is credited, and a replay changes nothing', async () => {
    const customer = await makeAccount(db, { role: 'customer', parent: people.admin });
    const { payment } = await newPayment('25.50', customer);
    const event = signedEvent(operatorSecret, 'checkout.session.expired', sessionExpired(payment));
    expect((await post(event)).body.result).toBe('expired');
    expect((await post(event)).body.result).toBe('duplicate');
    expect(await db('payments').where({ id: payment.id }).first()).toMatchObject({ status: 'expired', ledger_entry_id: null });
    expect(await ledgerOf(customer.id)).toEqual([]);
    const agent = await loginAs(app, customer.email);
    const list = await agent.get('/customer/payments');
    expect(list.text).toMatch(new RegExp(`data-payment="${payment.id}" data-status="expired"[\\s\\S]*?Expired`));
    expect((await agent.get(`/customer/payments/${payment.id}`)).text).toContain('data-expired');
    const admin = await loginAs(app, people.admin.email);
    expect((await admin.get('/admin/payments?status=expired')).text).toContain(`data-payment="${payment.id}"`);
  });

  it('when a delayed bank payment completes Checkout unpaid, then it stays pending until async_payment_succeeded credits it once, or async_payment_failed fails it', async () => {
    const customer = await makeAccount(db, { role: 'customer', parent: people.admin });
    const { payment, intent } = await newPayment('15', customer);
    const unpaid = { ...sessionCompleted(payment, intent, 1500), payment_status: 'unpaid' };
    expect((await post(signedEvent(operatorSecret, 'checkout.session.completed', unpaid))).body.result).toBe('pending');
    expect(await statusOf(payment.id)).toBe('pending');
    const settled = signedEvent(operatorSecret, 'checkout.session.async_payment_succeeded', sessionCompleted(payment, intent, 1500));
    const results = await Promise.all([post(settled), post(settled), post(signedEvent(operatorSecret, 'payment_intent.succeeded', intentSucceeded(payment, intent, 1500)))]);
    expect(results.filter((r) => r.body.result === 'credited')).toHaveLength(1);
    expect(await ledgerOf(customer.id)).toEqual([expect.objectContaining({ amount: '15.000000', kind: 'payment', reference_id: payment.id })]);

    const other = await newPayment('9', customer);
    const failed = { ...sessionCompleted(other.payment, other.intent, 900), payment_status: 'unpaid' };
    expect((await post(signedEvent(operatorSecret, 'checkout.session.async_payment_failed', failed))).body.result).toBe('failed');
    expect(await db('payments').where({ id: other.payment.id }).first()).toMatchObject({ status: 'failed', failure_message: 'The bank payment failed after checkout' });
    expect(await ledgerOf(customer.id)).toHaveLength(1);
  });

  it('when a paid payment gets a late checkout.session.expired, then it stays paid', async () => {
    const customer = await makeAccount(db, { role: 'customer', parent: people.admin });
    const { payment, intent } = await newPayment('10', customer);
    await post(signedEvent(operatorSecret, 'checkout.session.completed', sessionCompleted(payment, intent, 1000)));
    expect((await post(signedEvent(operatorSecret, 'checkout.session.expired', sessionExpired(payment)))).body.result).toBe('ignored: not pending');
    expect(await statusOf(payment.id)).toBe('succeeded');
  });

  it('when the job runs, then pending Checkout payments older than the session lifetime expire, refills unconfirmed for an hour fail with their notice, younger ones stay pending', async () => {
    const customer = await makeAccount(db, { role: 'customer', parent: people.admin });
    const now = new Date('2027-05-02T12:00:00Z');
    const old = (await newPayment('20', customer, null, new Date('2027-05-01T11:59:00Z'))).payment;
    const young = (await newPayment('20', customer, null, new Date('2027-05-01T12:01:00Z'))).payment;
    // A refill whose charge a crash cut off stays pending; one being charged right now is younger than an hour.
    const stuckRefill = await makePayment(db, { account: customer, amount: '20', kind: 'refill', createdAt: new Date('2027-05-02T10:59:00Z') });
    const liveRefill = await makePayment(db, { account: customer, amount: '20', kind: 'refill', createdAt: new Date('2027-05-02T11:30:00Z') });
    expect(await expireAbandonedPayments(db, config, now)).toBeGreaterThanOrEqual(2);
    expect([await statusOf(old.id), await statusOf(young.id), await statusOf(stuckRefill.id), await statusOf(liveRefill.id)])
      .toEqual(['expired', 'pending', 'failed', 'pending']);
    // Its owner hears of it as of a decline: the refill.failed mail.
    expect(Number((await db('outbox_messages').where({ account_id: customer.id, event: 'refill.failed' }).count({ n: '*' }).first())!.n)).toBe(1);
    const messages = await db('payments').whereIn('id', [old.id, stuckRefill.id]).orderBy('id').pluck('failure_message');
    expect(messages).toEqual(['Not paid before the payment page closed', expect.stringContaining('The charge was never confirmed')]);
    expect(config.checkoutExpiryHours).toBe(24);
  });

  it('when Stripe reports a payment paid after it expired here, then it is credited exactly once however often the events come', async () => {
    const customer = await makeAccount(db, { role: 'customer', parent: people.admin });
    const { payment, intent } = await newPayment('30', customer, null, new Date(Date.now() - 25 * 3_600_000));
    await expireAbandonedPayments(db, config, new Date());
    expect(await statusOf(payment.id)).toBe('expired');
    const completed = signedEvent(operatorSecret, 'checkout.session.completed', sessionCompleted(payment, intent, 3000));
    const succeeded = signedEvent(operatorSecret, 'payment_intent.succeeded', intentSucceeded(payment, intent, 3000));
    const results = await Promise.all([post(completed), post(completed), post(succeeded), post(succeeded)]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(results.filter((r) => r.body.result === 'credited')).toHaveLength(1);
    expect(await ledgerOf(customer.id)).toEqual([{ amount: '30.000000', kind: 'payment', idempotency_key: `stripe:${intent}`, reference_type: 'payment', reference_id: payment.id }]);
    expect(await db('payments').where({ id: payment.id }).first()).toMatchObject({ status: 'succeeded', failure_message: null });
    // The job runs again: a credited payment is not pending, so it stays paid.
    await expireAbandonedPayments(db, config, new Date(Date.now() + 48 * 3_600_000));
    expect(await statusOf(payment.id)).toBe('succeeded');
  });
});

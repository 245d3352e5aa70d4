// Mail end to end: events recorded in a change's transaction become rendered outbox rows, the
// worker sends them to a real SMTP server started here, and what it receives is parsed back.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { findOutboxMessage, listOutboxAttempts } from '../../src/db/outbox.ts';
import { listOutboxMessages } from '../../src/db/queries/outbox.ts';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { deleteMailTemplateOverride, saveMailSenderName, saveMailTemplateOverride } from '../../src/db/repos/mail-templates.ts';
import { addBillingContact, saveNotificationPreferences } from '../../src/db/repos/notification-preferences.ts';
import { inTransaction } from '../../src/db/transaction.ts';
import type { DomainEvent, EventType } from '../../src/domain/events.ts';
import { MAIL_EVENT_TYPES } from '../../src/domain/mail-events.ts';
import { recordEvent } from '../../src/services/events.ts';
import { mailDeliverer } from '../../src/services/mail-deliverer.ts';
import { drainOutbox } from '../../src/services/outbox-worker.ts';
import { purchaseDid } from '../../src/services/purchases.ts';
import { testConfig, testPricing } from '../helpers/app.ts';
import { createDb } from '../../src/db/knex.ts';
import { testServerUrl, useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeDid, makeHierarchy } from '../helpers/factories.ts';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.ts';

const database = useTestDatabase();
const NOW = new Date('2027-03-01T12:00:00Z');
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
const config = testConfig();
let smtp: TestSmtpServer;
let db: Knex;

beforeAll(async () => {
  smtp = await startSmtpServer();
  db = database.current.db;
});
afterAll(async () => {
  await smtp.close();
});

const deliverer = () => mailDeliverer({ smtpUrl: smtp.url, mailFrom: config.mailFrom });
const send = (now = at(1)) => drainOutbox(db, deliverer(), { now: () => now });
const receivedBy = (address: string) => smtp.received.filter((each) => each.to.includes(address));

const SAMPLE_DATA: Record<(typeof MAIL_EVENT_TYPES)[number], Record<string, unknown>> = {
  'number.purchased': { number: '+14155550101', product_id: 1, subscription_id: 1, assigned_by_admin: false, setup_fee: '1.000000', first_period: '2.500000', price: '2.500000', billing_type: 'recurring', billing_days: 30, next_billing_at: '2027-03-31T12:00:00.000Z' },
  'subscription.renewed': { number: '+14155550102', subscription_id: 1, amount: '2.500000', period_start: '2027-03-01T00:00:00Z', period_end: '2027-03-31T00:00:00Z', note: null },
  'renewal.notice': { number: '+14155550103', subscription_id: 1, amount: '2.500000', due_at: '2027-03-04T00:00:00Z', available: '1.000000' },
  'number.suspended': { number: '+14155550104', subscription_id: 1, amount: '2.500000', note: 'Insufficient funds' },
  'number.released': { number: '+14155550105', reason: 'unpaid' },
  'number.expiring': { number: '+14155550106', subscription_id: 1, expires_at: '2027-03-05T00:00:00Z' },
  'balance.low': { balance: '4.200000', available: '4.200000', threshold: '5.000000' },
  'payment.received': { amount: '50.000000', kind: 'payment', ledger_entry_id: 1, balance: '54.200000', note: 'Wire <March>' },
  'refill.failed': { payment_id: 1, amount: '25.000000', reason: 'Your card has insufficient funds.', card_brand: 'visa', card_last4: '4242', add_funds_url: 'https://portal.example.com/customer/payments/add' },
  'password.reset': { reset_url: 'https://portal.example.com/reset-password/tok123', expires_at: '2027-03-01T12:30:00Z' },
  'account.welcome': { set_password_url: 'https://portal.example.com/set-password/tok456', expires_at: '2027-03-08T12:00:00Z' },
};

const EXPECTED_TEXT: Record<(typeof MAIL_EVENT_TYPES)[number], string[]> = {
  'number.purchased': ['+14155550101', '$3.5000', '31 Mar 2027'],
  'subscription.renewed': ['+14155550102', '$2.5000', '31 Mar 2027'],
  'renewal.notice': ['+14155550103', '4 Mar 2027', '$1.0000'],
  'number.suspended': ['+14155550104', 'Insufficient funds'],
  'number.released': ['+14155550105', 'unpaid past the grace period'],
  'number.expiring': ['+14155550106', '5 Mar 2027'],
  'balance.low': ['$4.2000', '$5.0000'],
  'payment.received': ['$50.0000', '$54.2000', 'Wire <March>'],
  'refill.failed': ['$25.0000', 'visa •••• 4242', 'Your card has insufficient funds.', 'https://portal.example.com/customer/payments/add'],
  'password.reset': ['https://portal.example.com/reset-password/tok123'],
  'account.welcome': ['https://portal.example.com/set-password/tok456'],
};

const event = (type: EventType, account: AccountRow, data: Record<string, unknown>): DomainEvent => ({ type, accountId: account.id, occurredAt: NOW, data });

describe('mail', () => {
  it.each(MAIL_EVENT_TYPES.map((type) => [type]))('when %s is recorded, then one mail with its facts reaches each right address', async (type) => {
    const admin = await makeAccount(db, { role: 'admin' });
    const account = await makeAccount(db, { parent: admin, name: 'Jane <Doe>' });
    await addBillingContact(db, account.id, `billing-${account.id}@corp.example`, NOW);
    await recordEvent(db, event(type, account, SAMPLE_DATA[type]));
    await send();
    const security = type === 'password.reset' || type === 'account.welcome';
    const own = receivedBy(account.email);
    const contact = receivedBy(`billing-${account.id}@corp.example`);
    expect(own).toHaveLength(1);
    expect(contact).toHaveLength(security ? 0 : 1);
    const { mail } = own[0]!;
    expect(mail.from?.value[0]).toMatchObject({ name: 'didhub', address: config.mailFrom.address });
    for (const fact of EXPECTED_TEXT[type]) {
      expect(mail.text).toContain(fact);
      expect(`${mail.subject} ${mail.html}`.replace(/&lt;/g, '<').replace(/&gt;/g, '>')).toContain(fact.startsWith('+') ? fact : fact.replace(/^https.*/, fact));
    }
    // Escaped in HTML: the account's name cannot inject markup.
    expect(mail.html).toContain('Jane &lt;Doe&gt;');
    expect(mail.text).toContain('Jane <Doe>');
  });

  it('when an account turned a notice off, then it gets no such mail, but receipts still come', async () => {
    const { customer } = await makeHierarchy(db);
    await saveNotificationPreferences(db, customer.id, { disabledEvents: ['balance.low', 'number.purchased'], lowBalanceThreshold: '5' }, NOW);
    await recordEvent(db, event('balance.low', customer, SAMPLE_DATA['balance.low']));
    await recordEvent(db, event('number.purchased', customer, SAMPLE_DATA['number.purchased']));
    await send();
    expect(receivedBy(customer.email).map((each) => each.mail.subject)).toEqual(['Receipt: +14155550101 is yours']);
  });

  it("when a reseller's customer gets a mail, then it carries the reseller's name and templates, never the operator's brand", async () => {
    const { reseller, resellerCustomer } = await makeHierarchy(db);
    await saveMailSenderName(db, reseller.id, 'Blue Reseller Telecom', NOW);
    await saveMailTemplateOverride(db, null, 'payment.received', { subject: 'OPERATOR BRAND <%= amount %>', html: '<p>OPERATOR</p>', text: 'OPERATOR' }, NOW);
    await recordEvent(db, event('payment.received', resellerCustomer, SAMPLE_DATA['payment.received']));
    await recordEvent(db, event('number.released', resellerCustomer, SAMPLE_DATA['number.released']));
    await saveMailTemplateOverride(db, reseller.id, 'number.released', { subject: 'Blue: <%= number %> is gone\r\nBcc: evil@x.example', html: '<p>Blue says <%= reason %></p>', text: 'Blue says <%= reason %>' }, NOW);
    await recordEvent(db, event('number.released', resellerCustomer, SAMPLE_DATA['number.released']));
    await send();
    await deleteMailTemplateOverride(db, null, 'payment.received');
    const mails = receivedBy(resellerCustomer.email).map((each) => each.mail);
    expect(mails).toHaveLength(3);
    for (const mail of mails) {
      expect(mail.from?.value[0]).toMatchObject({ name: 'Blue Reseller Telecom', address: config.mailFrom.address });
      expect(`${mail.subject} ${mail.text} ${mail.html}`).not.toMatch(/OPERATOR|didhub/);
    }
    expect(mails[0]!.text).toContain('Blue Reseller Telecom');
    expect(mails[2]!.subject).toBe('Blue: +14155550105 is gone Bcc: evil@x.example');
    expect(mails[2]!.bcc).toBeUndefined();
    expect(mails[2]!.text).toContain('Blue says it stayed unpaid');
  });

  it('when the SMTP server answers 421 once, then the mail is tried again and delivered once', async () => {
    const { customer } = await makeHierarchy(db);
    let refusals = 1;
    smtp.refuse = (address) => (address === customer.email && refusals-- > 0 ? [421, 'Try again later'] : undefined);
    await recordEvent(db, event('payment.received', customer, SAMPLE_DATA['payment.received']));
    const first = await send(at(1));
    expect(first.retrying).toBe(1);
    expect(receivedBy(customer.email)).toHaveLength(0);
    await send(at(10));
    await send(at(20));
    smtp.refuse = () => undefined;
    expect(receivedBy(customer.email)).toHaveLength(1);
    const { rows } = await listOutboxMessages(db, { recipient: customer.email }, { limit: 5, offset: 0 });
    expect(rows[0]).toMatchObject({ status: 'delivered', attempts: 2 });
    const attempts = await listOutboxAttempts(db, rows[0]!.id);
    expect(attempts.map((each) => [each.ok, each.response_code])).toEqual([[true, 250], [false, 421]]);
  });

  it('when the SMTP server answers 550, then the mail is failed at once with the reason', async () => {
    const { customer } = await makeHierarchy(db);
    smtp.refuse = (address) => (address === customer.email ? [550, 'No such user here'] : undefined);
    await recordEvent(db, event('payment.received', customer, SAMPLE_DATA['payment.received']));
    const summary = await send();
    smtp.refuse = () => undefined;
    expect(summary.failed).toBe(1);
    const { rows } = await listOutboxMessages(db, { recipient: customer.email }, { limit: 5, offset: 0 });
    expect(rows[0]).toMatchObject({ status: 'failed', attempts: 1 });
    expect(rows[0]!.last_error).toContain('No such user here');
  });

  it('when the SMTP server is down, then the mail stays pending for a later try', async () => {
    const { customer } = await makeHierarchy(db);
    await recordEvent(db, event('payment.received', customer, SAMPLE_DATA['payment.received']));
    const down = mailDeliverer({ smtpUrl: 'smtp://127.0.0.1:1', mailFrom: config.mailFrom });
    const summary = await drainOutbox(db, down, { now: () => at(1) });
    expect(summary.retrying).toBeGreaterThanOrEqual(1);
    const { rows } = await listOutboxMessages(db, { recipient: customer.email }, { limit: 5, offset: 0 });
    expect(rows[0]).toMatchObject({ status: 'pending', attempts: 1 });
    await send(at(10));
    expect(receivedBy(customer.email)).toHaveLength(1);
  });

  it('when a purchase commits, then its receipt is sent; when it rolls back, then nothing is', async () => {
    const funded = await makeAccount(db, { parent: await makeAccount(db, { role: 'admin' }), balance: '100' });
    const did = await makeDid(db);
    const rolledBack = await makeDid(db);
    await expect(
      inTransaction(db, async (trx) => {
        await purchaseDid(trx, { pricing: testPricing(), buyerId: funded.id, productId: rolledBack.id, idempotencyKey: randomUUID(), now: NOW, actorId: funded.id });
        throw new Error('the page failed after the purchase');
      }),
    ).rejects.toThrow('the page failed');
    await purchaseDid(db, { pricing: testPricing(), buyerId: funded.id, productId: did.id, idempotencyKey: randomUUID(), now: NOW, actorId: funded.id });
    await send();
    const subjects = receivedBy(funded.email).map((each) => each.mail.subject);
    expect(subjects).toEqual([`Receipt: ${did.number} is yours`]);
  });

  it('when no SMTP_URL is set, then mails are kept: marked delivered with a note, nothing sent', async () => {
    const { customer } = await makeHierarchy(db);
    await recordEvent(db, event('payment.received', customer, SAMPLE_DATA['payment.received']));
    await drainOutbox(db, mailDeliverer({ smtpUrl: undefined, mailFrom: config.mailFrom }), { now: () => at(1) });
    const { rows } = await listOutboxMessages(db, { recipient: customer.email }, { limit: 5, offset: 0 });
    expect(rows[0]).toMatchObject({ status: 'delivered' });
    expect((await listOutboxAttempts(db, rows[0]!.id))[0]?.detail).toMatch(/^kept/);
    expect(receivedBy(customer.email)).toHaveLength(0);
    expect((await findOutboxMessage(db, rows[0]!.id))?.payload).toMatchObject({ subject: 'Payment received: $50.0000' });
  });
});

describe.skipIf(!testServerUrl())('mail workers on real Postgres', () => {
  it('when two workers send the same outbox at once, then every mail reaches the server exactly once', async () => {
    const { customer } = await makeHierarchy(db);
    for (let i = 0; i < 20; i += 1) await addBillingContact(db, customer.id, `race-${i}-${customer.id}@corp.example`, NOW);
    await recordEvent(db, event('payment.received', customer, SAMPLE_DATA['payment.received']));
    await recordEvent(db, event('subscription.renewed', customer, SAMPLE_DATA['subscription.renewed']));
    const { rows, total } = await listOutboxMessages(db, { accountId: customer.id }, { limit: 200, offset: 0 });
    expect(total).toBe(42);
    const workers = [0, 1].map(() => createDb({ databaseUrl: database.current.url!, poolMax: 2 }));
    try {
      const summaries = await Promise.all(workers.map((worker) => drainOutbox(worker, deliverer(), { now: () => at(1), limit: 5 })));
      expect(summaries.every((summary) => summary.delivered > 0)).toBe(true);
    } finally {
      await Promise.all(workers.map((worker) => worker.destroy()));
    }
    const ids = rows.map((row) => `<outbox-${row.id}@didhub.local>`);
    const seen = smtp.received.map((each) => each.mail.messageId).filter((id): id is string => Boolean(id) && ids.includes(id!));
    expect(seen).toHaveLength(42);
    expect(new Set(seen).size).toBe(42);
  });
});

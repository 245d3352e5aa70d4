// The notice jobs: a low-balance warning once per crossing of the account's threshold, a renewal
// notice once per subscription and period, an expiry notice once per one-time term; several
// runners at once still record each notice once (real Postgres).
import { Writable } from 'node:stream';
import type { Knex } from 'knex';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { noticesRun } from '../../src/cli/notices.ts';
import { createDb } from '../../src/db/knex.ts';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { saveNotificationPreferences } from '../../src/db/repos/notification-preferences.ts';
import { createLogger } from '../../src/logger.ts';
import { startBillingSchedule } from '../../src/services/billing-schedule.ts';
import { runNoticeJobs, sendExpiringNotices, sendLowBalanceNotices, sendRenewalNotices } from '../../src/services/notice-jobs.ts';
import { testConfig } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { captureEvents } from '../helpers/events.ts';
import { fund, makeAccount, type AccountFields, makeDid, makeOwnedDid, makeSubscription } from '../helpers/factories.ts';

const database = useTestDatabase();
const events = captureEvents();
const DAY = 86_400_000;
const NOW = new Date('2027-05-10T00:00:00Z');
const SETTINGS = { now: NOW, noticeDays: 3, graceDays: 7 };
let db: Knex;
let admin: AccountRow;

beforeAll(async () => {
  db = database.current.db;
  admin = await makeAccount(db, { role: 'admin' });
});

beforeEach(() => {
  events.clear();
});

async function customerWithThreshold(balance: string, threshold: string | null, fields: AccountFields = {}): Promise<AccountRow> {
  const account = await makeAccount(db, { parent: admin, balance, ...fields });
  await saveNotificationPreferences(db, account.id, { disabledEvents: [], lowBalanceThreshold: threshold }, NOW);
  return account;
}

describe('low balance', () => {
  it('when funds fall below the threshold, then one warning, none on the next runs, and one again after funds went back up and fell again', async () => {
    const account = await customerWithThreshold('20', '10');
    expect(await sendLowBalanceNotices(db, NOW)).toBe(0);

    await fund(db, account, '-15', 'adjustment');
    expect(await sendLowBalanceNotices(db, NOW)).toBe(1);
    expect(await sendLowBalanceNotices(db, NOW)).toBe(0);
    await fund(db, account, '-1', 'adjustment');
    expect(await sendLowBalanceNotices(db, NOW)).toBe(0);
    expect(events.of('balance.low', account.id)).toEqual([
      { type: 'balance.low', accountId: account.id, occurredAt: NOW, data: { balance: '5.000000', available: '5.000000', threshold: '10.000000' } },
    ]);

    // Back at the threshold exactly: the crossing is over.
    await fund(db, account, '6', 'payment');
    expect(await sendLowBalanceNotices(db, NOW)).toBe(0);
    await fund(db, account, '-0.01', 'adjustment');
    expect(await sendLowBalanceNotices(db, NOW)).toBe(1);
    expect(events.of('balance.low', account.id).map((event) => event.data.available)).toEqual(['5.000000', '9.990000']);
  });

  it('when the account has no threshold, is postpaid with credit left, or is suspended, then no warning', async () => {
    const noThreshold = await customerWithThreshold('1', null);
    const noPreferences = await makeAccount(db, { parent: admin, balance: '1' });
    const postpaid = await customerWithThreshold('0', '10', { billing_mode: 'postpaid', credit_limit: '50' });
    const suspended = await customerWithThreshold('1', '10', { status: 'suspended' });
    await sendLowBalanceNotices(db, NOW);
    for (const account of [noThreshold, noPreferences, postpaid, suspended]) expect(events.of('balance.low', account.id)).toEqual([]);
  });

  it('when the threshold is raised above the funds, then the next run warns', async () => {
    const account = await customerWithThreshold('20', '10');
    await sendLowBalanceNotices(db, NOW);
    await saveNotificationPreferences(db, account.id, { disabledEvents: [], lowBalanceThreshold: '25' }, NOW);
    await sendLowBalanceNotices(db, NOW);
    expect(events.of('balance.low', account.id).map((event) => event.data.threshold)).toEqual(['25.000000']);
  });
});

describe('renewal notices', () => {
  it('when a renewal within the notice days is not covered, then one notice per period; covered or later renewals get none', async () => {
    const account = await makeAccount(db, { parent: admin, balance: '3' });
    const due = new Date(NOW.getTime() + 2 * DAY);
    const short = await makeOwnedDid(db, { owner: account, price: '5', nextBillingAt: due });
    await makeOwnedDid(db, { owner: account, price: '5', nextBillingAt: new Date(NOW.getTime() + 10 * DAY) });
    const covered = await makeAccount(db, { parent: admin, balance: '30' });
    await makeOwnedDid(db, { owner: covered, price: '5', nextBillingAt: due });

    expect(await sendRenewalNotices(db, SETTINGS)).toBe(1);
    expect(await sendRenewalNotices(db, SETTINGS)).toBe(0);
    const [notice] = events.of('renewal.notice');
    const subscription = (await db('subscriptions').where({ product_id: short.id, account_id: account.id }).first()) as { id: number };
    expect(notice).toMatchObject({
      accountId: account.id,
      data: { number: short.number, subscription_id: subscription.id, amount: '5.000000', due_at: due.toISOString(), available: '3.000000' },
    });

    // The next period (as a renewal leaves it): a notice again, once, before its own due date.
    const nextDue = new Date(due.getTime() + 30 * DAY);
    await db('subscriptions').where({ id: subscription.id }).update({ next_billing_at: nextDue });
    const later = { ...SETTINGS, now: new Date(nextDue.getTime() - 2 * DAY) };
    expect(await sendRenewalNotices(db, later)).toBe(2);
    expect(await sendRenewalNotices(db, later)).toBe(0);
    expect(events.of('renewal.notice', account.id).filter((event) => event.data.subscription_id === subscription.id).map((event) => event.data.due_at))
      .toEqual([due.toISOString(), nextDue.toISOString()]);
  });
});

describe('one-time numbers expiring', () => {
  it('when a one-time term ends within the notice days, then one notice, never repeated; recurring and later terms get none', async () => {
    const account = await makeAccount(db, { parent: admin });
    const ends = new Date(NOW.getTime() + 1 * DAY);
    const did = await makeDid(db, { customer_id: account.id, billing_type: 'one_time', billing_days: 90 });
    const id = await makeSubscription(db, { product_id: did.id, account_id: account.id, seller_id: admin.id, billing_type: 'one_time', billing_days: 90, next_billing_at: ends });
    const farDid = await makeDid(db, { customer_id: account.id, billing_type: 'one_time', billing_days: 90 });
    await makeSubscription(db, { product_id: farDid.id, account_id: account.id, seller_id: admin.id, billing_type: 'one_time', billing_days: 90, next_billing_at: new Date(NOW.getTime() + 20 * DAY) });
    const foreverDid = await makeDid(db, { customer_id: account.id, billing_type: 'one_time', billing_days: 0 });
    await makeSubscription(db, { product_id: foreverDid.id, account_id: account.id, seller_id: admin.id, billing_type: 'one_time', billing_days: 0, next_billing_at: null });

    expect(await sendExpiringNotices(db, SETTINGS)).toBe(1);
    expect(await sendExpiringNotices(db, SETTINGS)).toBe(0);
    expect(await sendExpiringNotices(db, { ...SETTINGS, now: new Date(NOW.getTime() + 12 * 3_600_000) })).toBe(0);
    expect(events.of('number.expiring', account.id)).toEqual([
      { type: 'number.expiring', accountId: account.id, occurredAt: NOW, data: { number: did.number, subscription_id: id, expires_at: ends.toISOString() } },
    ]);
  });
});

describe('running the jobs', () => {
  it('when the billing schedule runs, then the notices follow the renewals, once', async () => {
    const account = await customerWithThreshold('2', '10');
    const logger = createLogger('silent');
    const schedule = startBillingSchedule(db, { billingIntervalMinutes: 0, billingGraceDays: 7, renewalNoticeDays: 3 }, logger, () => NOW);
    await schedule.runNow();
    await schedule.runNow();
    await schedule.stop();
    expect(events.of('balance.low', account.id)).toHaveLength(1);
  });

  it('when `didhub notices run` runs, then it prints what it recorded', async () => {
    await customerWithThreshold('1', '10');
    let text = '';
    const stdout = new Writable({ write(chunk, _encoding, done) { text += String(chunk); done(); } });
    const summary = await noticesRun(db, testConfig(), NOW, { stdout, stderr: stdout });
    expect(summary.lowBalance).toBe(1);
    expect(text).toBe('Notices at 2027-05-10T00:00:00.000Z: 1 low balance, 0 renewal, 0 expiring\n');
  });
});

describe('concurrent runners (real Postgres)', () => {
  const pools: Knex[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.destroy()));
  });

  it('when four runners with their own connections run at once, then each notice is recorded once', async ({ skip }) => {
    const { url } = database.current;
    if (!url) return skip('one connection on the embedded database: runners cannot overlap');
    const accounts: AccountRow[] = [];
    for (let i = 0; i < 12; i += 1) {
      const account = await customerWithThreshold('1', '10');
      await makeOwnedDid(db, { owner: account, price: '5', nextBillingAt: new Date(NOW.getTime() + DAY) });
      const did = await makeDid(db, { customer_id: account.id, billing_type: 'one_time', billing_days: 30 });
      await makeSubscription(db, { product_id: did.id, account_id: account.id, seller_id: admin.id, billing_type: 'one_time', billing_days: 30, next_billing_at: new Date(NOW.getTime() + DAY) });
      accounts.push(account);
    }
    for (let i = 0; i < 4; i += 1) pools.push(createDb({ databaseUrl: url, poolMax: 2 }));
    const summaries = await Promise.all(pools.map((pool) => runNoticeJobs(pool, SETTINGS)));
    const total = (key: 'lowBalance' | 'renewalNotices' | 'expiring') => summaries.reduce((sum, summary) => sum + summary[key], 0);
    expect([total('lowBalance'), total('renewalNotices'), total('expiring')]).toEqual([12, 12, 12]);
    for (const account of accounts) {
      for (const type of ['balance.low', 'renewal.notice', 'number.expiring'] as const) expect(events.of(type, account.id), type).toHaveLength(1);
    }
  });
});

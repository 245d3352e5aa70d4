// The server's billing schedule: one run at a time per process, off when the interval is 0.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { createLogger } from '../../src/logger.ts';
import { startBillingSchedule } from '../../src/services/billing-schedule.ts';
import { purchaseDid } from '../../src/services/purchases.ts';
import { testConfig, testPricing } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeDid } from '../helpers/factories.ts';

const PRICING = testPricing();

const database = useTestDatabase();
let db: Knex;
const logger = createLogger('silent');

beforeAll(() => {
  db = database.current.db;
});

describe('the billing schedule', () => {
  it('when asked to run while a run is going, then it skips, and the schedule renews what is due at its clock', async () => {
    const admin = await makeAccount(db, { role: 'admin' });
    const customer = await makeAccount(db, { role: 'customer', parent: admin, balance: '10' });
    const did = await makeDid(db, { setup_fee: '0', monthly_fee: '1.00', billing_days: 30 });
    await purchaseDid(db, { pricing: PRICING, buyerId: customer.id, productId: did.id, idempotencyKey: randomUUID(), now: new Date('2027-01-01T00:00:00Z'), actorId: customer.id });

    const schedule = startBillingSchedule(db, { billingIntervalMinutes: 0, billingGraceDays: 7, renewalNoticeDays: 3 }, logger, () => new Date('2027-01-31T00:00:00Z'));
    const [first, second] = await Promise.all([schedule.runNow(), schedule.runNow()]);
    expect(first?.renewed).toBe(1);
    expect(first?.run?.trigger).toBe('schedule');
    expect(second).toBeUndefined();
    expect((await schedule.runNow())?.renewed).toBe(0);
    await schedule.stop();
  });

  it('when the interval is set, then the settings say how often, and 0 turns it off', () => {
    expect(testConfig().billingIntervalMinutes).toBe(60);
    expect(testConfig({ BILLING_INTERVAL_MINUTES: '0' }).billingIntervalMinutes).toBe(0);
    expect(testConfig({ BILLING_GRACE_DAYS: '3', RENEWAL_NOTICE_DAYS: '5' })).toMatchObject({ billingGraceDays: 3, renewalNoticeDays: 5 });
    expect(() => testConfig({ BILLING_INTERVAL_MINUTES: '-1' })).toThrow(/BILLING_INTERVAL_MINUTES/);
  });
});

// Abandoned Checkout payments: Stripe closes an unpaid Checkout page after CHECKOUT_EXPIRY_HOURS
// and sends checkout.session.expired, but a webhook can be lost (endpoint not registered for it,
// secret changed, server down for days). This job marks the pending top-ups older than that
// lifetime as expired, so the pages stop saying "pending" forever. It credits and refunds nothing;
// a payment Stripe reports paid later is credited all the same (services/stripe-payments.ts).
import type { Config } from '../config.ts';
import type { Db } from '../db/knex.ts';
import { expirePendingCheckouts } from '../db/repos/payments.ts';
import type { Logger } from '../logger.ts';
import { startRecurringJob, type RecurringJob } from './recurring-job.ts';

export async function expireAbandonedPayments(db: Db, config: Pick<Config, 'checkoutExpiryHours'>, now: Date): Promise<number> {
  return expirePendingCheckouts(db, new Date(now.getTime() - config.checkoutExpiryHours * 3_600_000), now);
}

/** Every 15 minutes: a page says "Expired" at most a quarter of an hour after Stripe closed it. */
export function startPaymentExpiry(
  db: Db,
  config: Pick<Config, 'checkoutExpiryHours'>,
  logger: Pick<Logger, 'info' | 'error'>,
  intervalMs = 15 * 60_000,
  clock: () => Date = () => new Date(),
): RecurringJob {
  return startRecurringJob(() => expireAbandonedPayments(db, config, clock()), intervalMs, logger, {
    done: 'abandoned payments expired', failed: 'expiring abandoned payments failed', count: 'expired',
  });
}
